"""Context management (ABI.md §3.12).

Membership questions go to the ``context_host`` passed to ``Module.run`` (an object with
``is_member(public_key) -> bool``, ``members() -> list[bytes]`` and optionally
``resolve_alias(alias) -> bytes | None``); mutations are queued on the Outcome for the node.
"""

from __future__ import annotations

from calimero_runtime.abi import I32, Buffer, Reg
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic
from calimero_runtime.outcome import ContextMutation

group = HostFunctionGroup("context", "context membership and management")

ID32 = Buffer(exact=32)


@group.function("context_create", Buffer(text=True), ID32, Buffer(), Buffer(text=True, optional=True))
def context_create(logic: VMLogic, protocol: str, application_id: bytes, init_args: bytes,
                   alias: str | None) -> None:
    """Queue the creation of a context (alias: descriptor 0 or empty = none)."""
    logic.context_mutations.append(
        ContextMutation("create", b"", protocol, application_id, init_args, alias or None)
    )


def _queue(kind: str) -> None:
    @group.function(f"context_{kind}", ID32)
    def queue(logic: VMLogic, target: bytes) -> None:
        logic.context_mutations.append(ContextMutation(kind, target))

    queue.__doc__ = f"Queue {kind.replace('_', ' ')} (a 32-byte id or key)."


for _kind in ("delete", "add_member", "remove_member"):
    _queue(_kind)


@group.function("context_is_member", ID32, result=I32)
def context_is_member(logic: VMLogic, public_key: bytes) -> int:
    """1 if the context host knows the key as a member, else 0 (0 without a context host)."""
    host = logic.context_host
    return 1 if host is not None and host.is_member(public_key) else 0


@group.function("context_members", Reg())
def context_members(logic: VMLogic, reg: int) -> None:
    """Borsh ``Vec<[u8; 32]>`` of the members -> register."""
    host = logic.context_host
    members = [bytes(m) for m in host.members()] if host is not None else []
    logic.set_register(reg, len(members).to_bytes(4, "little") + b"".join(members))


@group.function("context_resolve_alias", Buffer(text=True), Reg(), result=I32)
def context_resolve_alias(logic: VMLogic, alias: str, reg: int) -> int:
    """Alias -> 32-byte context id in the register (1), or 0."""
    resolve = getattr(logic.context_host, "resolve_alias", None)
    found = resolve(alias) if resolve is not None else None
    if found is None:
        return 0
    logic.set_register(reg, bytes(found))
    return 1


calimero_register_host_functions = group.hookimpl()
