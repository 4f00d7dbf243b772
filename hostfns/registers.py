"""Registers (ABI.md §3.2)."""

from __future__ import annotations

from calimero_runtime.abi import I32, I64, MASK64, BufferMut, Reg, Span
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic

group = HostFunctionGroup("registers", "host-side byte registers")


@group.function("register_len", Reg(), result=I64)
def register_len(logic: VMLogic, reg: int) -> int:
    """Length of a register, or u64::MAX if it does not exist."""
    value = logic.registers.get(reg)
    return MASK64 if value is None else len(value)


@group.function("read_register", Reg(), BufferMut(), result=I32)
def read_register(logic: VMLogic, reg: int, dst: Span) -> int:
    """Copy a register into ``dst`` iff the lengths match (1), else 0.

    One implementation serves both generations: in the current ABI the descriptor is read (and
    bounds-checked) before the register lookup, in the flat ABI there is no descriptor, so the lookup
    comes first — exactly the two observed orders (ABI.md §3.2, §9).
    """
    value = logic.get_register(reg)
    if dst.len != len(value):
        return 0
    logic.memory.write(dst.ptr, value)
    return 1


calimero_register_host_functions = group.hookimpl()
