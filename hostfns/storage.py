"""Shared (synchronised) key-value storage (ABI.md §3.4).

Reads and writes go through the call's overlay; the core applies it atomically iff the call succeeds.
"""

from __future__ import annotations

from calimero_runtime.abi import I32, Buffer, Reg
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic

group = HostFunctionGroup("storage", "shared key-value storage")

KEY = Buffer(limit="max_storage_key_size", error="KeyLengthOverflow")
VALUE = Buffer(limit="max_storage_value_size", error="ValueLengthOverflow")


@group.function("storage_read", KEY, Reg(), result=I32)
def storage_read(logic: VMLogic, key: bytes, reg: int) -> int:
    """Value -> register on a hit (1); register untouched on a miss (0)."""
    value = logic.storage.get(key)
    if value is None:
        return 0
    logic.set_register(reg, value)
    return 1


@group.function("storage_write", KEY, VALUE, Reg(), result=I32)
def storage_write(logic: VMLogic, key: bytes, value: bytes, reg: int) -> int:
    """Set; the previous value goes to the register (1 replaced, 0 new). Charged."""
    logic.charge_write(len(key) + len(value))
    previous = logic.storage.set(key, value)
    if previous is None:
        return 0
    logic.set_register(reg, previous)
    return 1


@group.function("storage_remove", KEY, Reg(), result=I32)
def storage_remove(logic: VMLogic, key: bytes, reg: int) -> int:
    """Remove; the removed value goes to the register (1), or 0 if absent. Not charged."""
    previous = logic.storage.remove(key)
    if previous is None:
        return 0
    logic.set_register(reg, previous)
    return 1


calimero_register_host_functions = group.hookimpl()
