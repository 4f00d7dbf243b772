"""calimero_runtime: run Calimero WebAssembly applications from Python.

    from calimero_runtime import Runtime, VMContext

    rt = Runtime()                                  # wasmtime + in-memory storage
    module = rt.compile(open("app.wasm", "rb").read())
    ctx = VMContext(context_id=bytes(32), executor_public_key=bytes(32))
    store = rt.open_storage().shared(ctx.context_id)
    outcome = module.run("set", input=b'{"key":"a","value":"1"}', context=ctx, storage=store)
"""

from __future__ import annotations

from .abi import CURRENT, FLAT
from .clock import DeterministicClock, SeededEntropy, SystemClock, SystemEntropy
from .context import VMContext
from .engine import Capability, EngineRecord
from .errors import (
    CalimeroError,
    CapabilityError,
    CompilationError,
    CompileError,
    ConfigError,
    DuplicatePluginError,
    EngineUnavailableError,
    HostError,
    ModuleSizeLimitExceeded,
    ModuleValidationError,
    PluginError,
    StorageError,
    StorageLockedError,
    UnknownPluginError,
)
from .hostfn import HostFunction, HostFunctionGroup
from .limits import VMLimits
from .outcome import CallError, ContextMutation, Event, Location, Outcome, XCall
from .plugins import hookimpl, hookspec
from .runtime import Module, Runtime
from .storage import InMemoryStorage, Storage, StorageBackend, StorageRecord

__version__ = "0.1.0"

__all__ = [
    "CURRENT",
    "FLAT",
    "CalimeroError",
    "CallError",
    "Capability",
    "CapabilityError",
    "CompilationError",
    "CompileError",
    "ConfigError",
    "ContextMutation",
    "DeterministicClock",
    "DuplicatePluginError",
    "EngineRecord",
    "EngineUnavailableError",
    "Event",
    "HostError",
    "HostFunction",
    "HostFunctionGroup",
    "InMemoryStorage",
    "Location",
    "Module",
    "ModuleSizeLimitExceeded",
    "ModuleValidationError",
    "Outcome",
    "PluginError",
    "Runtime",
    "SeededEntropy",
    "Storage",
    "StorageBackend",
    "StorageError",
    "StorageLockedError",
    "StorageRecord",
    "SystemClock",
    "SystemEntropy",
    "UnknownPluginError",
    "VMContext",
    "VMLimits",
    "XCall",
    "hookimpl",
    "hookspec",
]
