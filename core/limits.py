"""VMLimits: every field of ABI.md §4.1 with its default."""

from __future__ import annotations

from typing import Any

import attrs

from .errors import ConfigError

U64_MAX = 2**64 - 1


@attrs.frozen(kw_only=True)
class VMLimits:
    """Per-call limits. Defaults are the Rust node's (ABI.md §4.1)."""

    max_memory_pages: int = 1024
    max_stack_size: int = 200 * 1024
    max_registers: int = 100
    max_register_size: int = 100 << 20
    max_registers_capacity: int = 1 << 30
    max_logs: int = 1024
    max_log_size: int = 16 << 10
    max_events: int = 100
    max_event_kind_size: int = 100
    max_event_data_size: int = 16 << 10
    max_xcalls: int = 8
    max_xcall_function_size: int = 100
    max_xcall_params_size: int = 16 << 10
    max_storage_key_size: int = 1 << 20
    max_storage_value_size: int = 10 << 20
    max_storage_writes: int = 100_000
    max_storage_write_bytes: int = 128 << 20
    max_blob_handles: int = 100
    max_blob_chunk_size: int = 10 << 20
    max_blob_total_size: int = 512 << 20
    max_storage_index_scan_limit: int = 100_000
    max_return_value_size: int = 16 << 20
    max_method_name_length: int = 256
    max_module_size: int = 20 << 20
    max_artifact_size: int = 16 << 20
    max_precompiled_module_size: int = 256 << 20
    max_gas: int = 1_000_000_000

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(VMLimits):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
                raise ConfigError(f"VMLimits.{field.name} must be an integer in 0..2^64-1, got {value!r}")
        if self.max_register_size >= U64_MAX:
            raise ConfigError("VMLimits.max_register_size must be < u64::MAX")
        if self.max_registers_capacity < self.max_register_size:
            raise ConfigError("VMLimits.max_registers_capacity must be >= max_register_size")
        for name in ("max_storage_key_size", "max_storage_value_size", "max_gas"):
            if getattr(self, name) == 0:
                raise ConfigError(f"VMLimits.{name} must be non-zero")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> VMLimits:
        """Build from config data; unknown keys are an error that lists the known ones."""
        known = {f.name for f in attrs.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown limit(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        try:
            return cls(**{k: int(v) for k, v in values.items()})
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid limits: {exc}") from exc
