"""Checks of ABI.md §2.1 (module) and §2.2 step 2 (method name)."""

from __future__ import annotations

from .engine import CompiledModule
from .errors import ModuleSizeLimitExceeded, ModuleValidationError
from .limits import VMLimits
from .outcome import CallError

MERGE_HOOK = "__calimero_register_merge"


def check_module_size(wasm: bytes, limits: VMLimits) -> None:
    if len(wasm) > limits.max_module_size:
        raise ModuleSizeLimitExceeded(
            f"module is {len(wasm)} bytes, larger than max_module_size {limits.max_module_size}",
            size=len(wasm), max=limits.max_module_size,
        )


def validate_module(module: CompiledModule) -> None:
    for spec in module.imports:
        if spec.kind == "memory":
            raise ModuleValidationError(
                f"module imports a memory ({spec.module}::{spec.name}); it must define and export its own",
                reason="imported memory",
            )
    for export in module.exports:
        if export.name == "_start" and export.kind == "func":
            raise ModuleValidationError(
                "module exports `_start` (a WASI command build); build it as a library (no entry point)",
                reason="exports _start",
            )
    if not any(e.name == "memory" and e.kind == "memory" for e in module.exports):
        raise ModuleValidationError("module does not export a memory named `memory`", reason="no memory export")


def _resolution(kind: str, message: str, **details: object) -> CallError:
    return CallError("MethodResolutionError", kind, message, details=details)


def check_method_name(name: str, limits: VMLimits) -> CallError | None:
    if not name:
        return _resolution("EmptyMethodName", "method name is empty")
    length = len(name.encode("utf-8"))
    if length > limits.max_method_name_length:
        return _resolution(
            "MethodNameTooLong",
            f"method name is {length} bytes, longer than {limits.max_method_name_length}",
            name=name, length=length, max=limits.max_method_name_length,
        )
    for position, char in enumerate(name):
        if not (char.isascii() and (char.isalnum() or char == "_")):
            return _resolution(
                "InvalidMethodNameCharacter",
                f"method name {name!r} has invalid character {char!r} at position {position}",
                name=name, character=char, position=position,
            )
    return None
