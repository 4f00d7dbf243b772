"""Legacy governance imports (ABI.md §3.12): proposals and approvals queued on the Outcome."""

from __future__ import annotations

from calimero_runtime.abi import Buffer, BufferMut, Span
from calimero_runtime.errors import HostError
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic

group = HostFunctionGroup("governance", "legacy proposals and approvals")


@group.function("send_proposal", Buffer(), BufferMut())
def send_proposal(logic: VMLogic, actions: bytes, dst: Span) -> None:
    """Draw a random 32-byte proposal id, write it to ``dst`` and record the proposal."""
    if dst.len != 32:  # the node panicked here
        raise HostError("Panic", "host panicked: proposal id buffer must be 32 bytes", context="Host",
                        message="proposal id buffer must be 32 bytes")
    logic.memory.check(dst.ptr, 32)
    proposal_id = logic.entropy.fill(32)
    logic.memory.write(dst.ptr, proposal_id)
    logic.proposals[proposal_id] = actions


@group.function("approve_proposal", Buffer(exact=32))
def approve_proposal(logic: VMLogic, proposal_id: bytes) -> None:
    """Record an approval of a 32-byte proposal id."""
    logic.approvals.append(proposal_id)


calimero_register_host_functions = group.hookimpl()
