"""Identity & I/O, including termination (ABI.md §3.1)."""

from __future__ import annotations

from calimero_runtime.abi import I32, Buffer, LocationParam, Reg, ValueReturnParam
from calimero_runtime.errors import HostError
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic
from calimero_runtime.outcome import Location

group = HostFunctionGroup("system", "identity, input, return value and panics")


def guest_panic(message: str, location: Location | None) -> HostError:
    where = f" at {location}" if location is not None else ""
    return HostError("Panic", f"guest panicked: {message}{where}", location=location, context="Guest",
                     message=message)


@group.function("panic", LocationParam())
def panic(logic: VMLogic, location: Location) -> None:
    """Abort with an explicit panic at a source location."""
    raise guest_panic("explicit panic", location)


@group.function("panic_utf8", Buffer(text=True), LocationParam())
def panic_utf8(logic: VMLogic, message: str, location: Location) -> None:
    """Abort with the guest's message and source location."""
    raise guest_panic(message, location)


@group.function("context_id", Reg())
def context_id(logic: VMLogic, reg: int) -> None:
    """The 32-byte context id."""
    logic.set_register(reg, logic.context.context_id)


@group.function("account_id", Reg())
def account_id(logic: VMLogic, reg: int) -> None:
    """The 32-byte account the call is authorised as."""
    logic.set_register(reg, logic.context.account_id)


@group.function("executor_id", Reg())
def executor_id(logic: VMLogic, reg: int) -> None:
    """Legacy name: today identical to ``account_id``."""
    logic.set_register(reg, logic.context.account_id)


@group.function("device_id", Reg())
def device_id(logic: VMLogic, reg: int) -> None:
    """The 32-byte device key (``VMContext.executor_public_key``)."""
    logic.set_register(reg, logic.context.executor_public_key)


@group.function("xcall_origin", Reg(), result=I32)
def xcall_origin(logic: VMLogic, reg: int) -> int:
    """The source context of an xcall-dispatched run: 1 and written, or 0."""
    origin = logic.context.xcall_origin
    if origin is None:
        return 0
    logic.set_register(reg, origin)
    return 1


@group.function("input", Reg())
def input_(logic: VMLogic, reg: int) -> None:
    """The call's input bytes (the register always exists afterwards)."""
    logic.set_register(reg, logic.input)


@group.function("value_return", ValueReturnParam())
def value_return(logic: VMLogic, value: tuple[int, bytes]) -> None:
    """Ok (tag 0) or Err (tag 1) bytes; the last call wins."""
    logic.return_value = value


@group.function("emit_migration_witness", Buffer())
def emit_migration_witness(logic: VMLogic, data: bytes) -> None:
    """Bytes for ``Outcome.migration_witness`` (last wins); capped by max_storage_value_size."""
    if len(data) > logic.limits.max_storage_value_size:
        raise HostError("ValueLengthOverflow")
    logic.migration_witness = data


calimero_register_host_functions = group.hookimpl()
