"""The Outcome of one call (ABI.md §2.5) and the error record it carries (§6)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class Location:
    """Source location of a guest panic."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Event:
    kind: str
    data: bytes
    handler: str | None = None


@attrs.frozen
class XCall:
    context_id: bytes
    function: str
    params: bytes


@attrs.frozen
class ContextMutation:
    """A queued context-management request (ABI.md §3.12); the node carries it out after the call."""

    kind: str  # "create" | "delete" | "add_member" | "remove_member"
    target: bytes = b""  # context id or member key (32 bytes), empty for "create"
    protocol: str | None = None
    application_id: bytes | None = None
    init_args: bytes | None = None
    alias: str | None = None


@attrs.frozen
class CallError:
    """Why a call failed: ``type`` is the ABI.md §6 family, ``kind`` the inner variant.

    ``kind`` equals ``type`` where the family has no inner variant (``ExecutionError``, ``LinkError``).
    ``details`` holds the variant's payload (``size``, ``max``, ``name`` ...).
    """

    type: str
    kind: str
    message: str
    location: Location | None = None
    data: bytes | None = None
    context: str | None = None  # Panic: "Guest" or "Host"
    details: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        """The node's JSON form: ``{"type": Variant, "data": payload}``, nested for inner enums."""
        if self.type == "ExecutionError":
            return {"type": self.type, "data": list(self.data or b"")}
        if self.type in ("CompilationError", "LinkError"):
            return {"type": self.type, "data": None}
        if self.kind == self.type:
            return {"type": self.type, "data": dict(self.details) or None}
        inner: dict[str, Any] = {"type": self.kind}
        payload: dict[str, Any] = dict(self.details)
        if self.kind == "Panic":
            payload = {"context": self.context, "message": self.message_body()}
            if self.location is not None:
                payload["location"] = attrs.asdict(self.location)
        if payload:
            inner["data"] = payload
        return {"type": self.type, "data": inner}

    def message_body(self) -> str:
        return str(self.details.get("message", self.message))


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()


@attrs.frozen(kw_only=True)
class Outcome:
    """Everything a call produced. A failed call's storage deltas are empty: nothing was written."""

    returns: bytes | None = None
    error: CallError | None = None
    logs: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    xcalls: tuple[XCall, ...] = ()
    root_hash: bytes | None = None
    artifact: bytes = b""
    storage_delta: Mapping[bytes, bytes | None] = attrs.field(factory=dict)
    private_storage_delta: Mapping[bytes, bytes | None] = attrs.field(factory=dict)
    proposals: Mapping[bytes, bytes] = attrs.field(factory=dict)
    approvals: tuple[bytes, ...] = ()
    context_mutations: tuple[ContextMutation, ...] = ()
    migration_witness: bytes | None = None
    gas_used: int | None = None
    host_calls: Mapping[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view: bytes as base64, keys of the deltas as hex."""
        err = self.error
        return {
            "ok": self.ok,
            "returns": _b64(self.returns),
            "error": None
            if err is None
            else {
                "type": err.type,
                "kind": err.kind,
                "message": err.message,
                "location": None if err.location is None else attrs.asdict(err.location),
                "data": _b64(err.data),
                "details": {k: (v.hex() if isinstance(v, bytes) else v) for k, v in err.details.items()},
            },
            "logs": list(self.logs),
            "events": [{"kind": e.kind, "data": _b64(e.data), "handler": e.handler} for e in self.events],
            "xcalls": [
                {"context_id": x.context_id.hex(), "function": x.function, "params": _b64(x.params)}
                for x in self.xcalls
            ],
            "root_hash": None if self.root_hash is None else self.root_hash.hex(),
            "artifact": _b64(self.artifact),
            "storage_delta": {k.hex(): _b64(v) for k, v in self.storage_delta.items()},
            "private_storage_delta": {k.hex(): _b64(v) for k, v in self.private_storage_delta.items()},
            "proposals": {k.hex(): _b64(v) for k, v in self.proposals.items()},
            "approvals": [a.hex() for a in self.approvals],
            "context_mutations": [
                {k: (v.hex() if isinstance(v, bytes) else v) for k, v in attrs.asdict(m).items()}
                for m in self.context_mutations
            ],
            "migration_witness": _b64(self.migration_witness),
            "gas_used": self.gas_used,
            "host_calls": None if self.host_calls is None else dict(self.host_calls),
        }
