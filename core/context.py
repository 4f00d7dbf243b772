"""VMContext (ABI.md §4.2): who runs what, on which context."""

from __future__ import annotations

import attrs

from .errors import ConfigError


def _id32(name: str, value: bytes | None) -> None:
    if value is not None and len(value) != 32:
        raise ConfigError(f"VMContext.{name} must be 32 bytes, got {len(value)}")


@attrs.frozen(kw_only=True)
class VMContext:
    """The call's identity. ``account_id`` defaults to the executor key (the pre-split behaviour)."""

    context_id: bytes = attrs.field(converter=bytes)
    executor_public_key: bytes = attrs.field(converter=bytes)
    input: bytes = attrs.field(default=b"", converter=bytes)
    account_id: bytes = attrs.field(converter=bytes)
    governance_epoch: int | None = None
    group_dag_heads: tuple[bytes, ...] = attrs.field(default=(), converter=tuple)
    xcall_origin: bytes | None = attrs.field(default=None, converter=attrs.converters.optional(bytes))

    @account_id.default
    def _account_default(self) -> bytes:
        return self.executor_public_key

    def __attrs_post_init__(self) -> None:
        _id32("context_id", self.context_id)
        _id32("executor_public_key", self.executor_public_key)
        _id32("account_id", self.account_id)
        _id32("xcall_origin", self.xcall_origin)
