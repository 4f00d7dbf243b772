"""Private (node-local, never synchronised) storage (ABI.md §3.5).

Without a private store every function answers 0; writes are charged only when a store exists.
"""

from __future__ import annotations

from calimero_runtime.abi import I32, Reg
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.hostfns.storage import KEY, VALUE
from calimero_runtime.logic import VMLogic

group = HostFunctionGroup("private", "private node-local storage")


@group.function("private_storage_read", KEY, Reg(), result=I32)
def private_storage_read(logic: VMLogic, key: bytes, reg: int) -> int:
    """Value -> register (1); 0 on a miss or without a private store."""
    if logic.private is None:
        return 0
    value = logic.private.get(key)
    if value is None:
        return 0
    logic.set_register(reg, value)
    return 1


@group.function("private_storage_write", KEY, VALUE, result=I32)
def private_storage_write(logic: VMLogic, key: bytes, value: bytes) -> int:
    """Set (old value discarded): 1, or 0 without a private store."""
    if logic.private is None:
        return 0
    logic.charge_write(len(key) + len(value))
    logic.private.set(key, value)
    return 1


@group.function("private_storage_remove", KEY, Reg(), result=I32)
def private_storage_remove(logic: VMLogic, key: bytes, reg: int) -> int:
    """Remove; old value -> register (1), or 0. Not charged."""
    if logic.private is None:
        return 0
    previous = logic.private.remove(key)
    if previous is None:
        return 0
    logic.set_register(reg, previous)
    return 1


calimero_register_host_functions = group.hookimpl()
