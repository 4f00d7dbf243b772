"""Turning what went wrong during a call into a :class:`~calimero_runtime.outcome.CallError`."""

from __future__ import annotations

from .engine import EngineTrap
from .errors import HostError
from .outcome import CallError


def from_host_error(error: HostError) -> CallError:
    details = dict(error.details)
    return CallError("HostError", error.kind, error.message, location=error.location,
                     context=error.context, details=details)


def from_trap(trap: EngineTrap, max_gas: int) -> CallError:
    if trap.kind == "GasExhausted":
        return CallError("GasExhausted", "GasExhausted", f"gas exhausted (limit {max_gas})",
                         details={"limit": max_gas})
    return CallError("WasmTrap", trap.kind, f"wasm trap: {trap.kind}: {trap.message}")


def execution_error(data: bytes) -> CallError:
    return CallError("ExecutionError", "ExecutionError", data.decode("utf-8", "replace"), data=data)


def link_error(message: str) -> CallError:
    return CallError("LinkError", "LinkError", message)


def host_panic(exc: BaseException) -> CallError:
    """An unexpected exception outside any host function (a runtime or engine bug)."""
    message = f"{type(exc).__name__}: {exc}"
    return CallError("HostError", "Panic", f"host panicked: {message}", context="Host",
                     details={"message": message})
