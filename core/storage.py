"""The Storage contract (ABI.md §5), the in-memory reference store, and the per-call overlay.

A storage plugin owns only get/set/remove/has/items and an atomic batch apply; the overlay that makes
a failed call leave storage byte-for-byte unchanged lives here, in the core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

Changes = Mapping[bytes, bytes | None]
"""key -> new value, or None for a removal."""


@runtime_checkable
class Storage(Protocol):
    """A key-value store of opaque bytes."""

    def get(self, key: bytes) -> bytes | None: ...

    def set(self, key: bytes, value: bytes) -> bytes | None:
        """Insert or overwrite; return the previous value."""
        ...

    def remove(self, key: bytes) -> bytes | None:
        """Delete; return the removed value."""
        ...

    def has(self, key: bytes) -> bool: ...

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """All pairs, ascending by key bytes."""
        ...

    def apply(self, changes: Changes) -> None:
        """Apply every change or none of them."""
        ...


@runtime_checkable
class StorageBackend(Protocol):
    """An opened storage plugin: hands out per-context views of the shared and private state."""

    def shared(self, context_id: bytes) -> Storage: ...

    def private(self, context_id: bytes) -> Storage: ...

    def apply_many(self, batches: Sequence[tuple[Storage, Changes]]) -> None:
        """Apply changes to several views of this backend in one atomic batch."""
        ...

    def close(self) -> None: ...


@attrs.frozen
class StorageRecord:
    """What a storage plugin registers.

    ``open(location, options)`` returns a :class:`StorageBackend`. ``needs_location`` tells the CLI
    and ``Runtime.open_storage`` whether a directory is required.
    """

    name: str
    open: Callable[[str | None, Mapping[str, Any]], StorageBackend]
    description: str = ""
    needs_location: bool = False


class InMemoryStorage:
    """The reference store: a byte-ordered dict. Keys of any length are accepted."""

    def __init__(self, initial: Mapping[bytes, bytes] | None = None, *, owner: Any = None) -> None:
        self._data: dict[bytes, bytes] = {bytes(k): bytes(v) for k, v in (initial or {}).items()}
        self.backend = owner
        self.get = self._data.get  # type: ignore[method-assign,assignment]  # dict's own get: every host read

    def get(self, key: bytes) -> bytes | None:
        return self._data.get(key)

    def set(self, key: bytes, value: bytes) -> bytes | None:
        previous = self._data.get(key)
        self._data[bytes(key)] = bytes(value)
        return previous

    def remove(self, key: bytes) -> bytes | None:
        return self._data.pop(key, None)

    def has(self, key: bytes) -> bool:
        return key in self._data

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        for key in sorted(self._data):
            yield key, self._data[key]

    def apply(self, changes: Changes) -> None:
        # dict updates cannot fail half-way for bytes keys/values: this is atomic.
        for key, value in changes.items():
            if value is None:
                self._data.pop(key, None)
            else:
                self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"InMemoryStorage({len(self._data)} keys)"


class Overlay:
    """A call's view of a store: reads see the call's own writes; nothing reaches the base until
    :func:`commit_overlays` applies ``changes`` in one atomic batch."""

    __slots__ = ("_base_get", "base", "changes")

    def __init__(self, base: Storage) -> None:
        self.base = base
        self._base_get = base.get
        self.changes: dict[bytes, bytes | None] = {}

    def get(self, key: bytes) -> bytes | None:
        changes = self.changes
        if key in changes:
            return changes[key]
        return self._base_get(key)

    def set(self, key: bytes, value: bytes) -> bytes | None:
        changes = self.changes  # get() inlined: this is on every storage_write
        previous = changes[key] if key in changes else self._base_get(key)
        changes[key] = value
        return previous

    def remove(self, key: bytes) -> bytes | None:
        previous = self.get(key)
        if previous is not None:
            self.changes[key] = None
        return previous

    def has(self, key: bytes) -> bool:
        return self.get(key) is not None

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        merged = dict(self.base.items())
        for key, value in self.changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        for key in sorted(merged):
            yield key, merged[key]


def commit_overlays(overlays: Sequence[Overlay]) -> None:
    """Apply every overlay's changes; views of one backend go in one atomic batch."""
    groups: dict[int, tuple[Any, list[tuple[Storage, Changes]]]] = {}
    for overlay in overlays:
        if not overlay.changes:
            continue
        backend = getattr(overlay.base, "backend", None)
        if backend is None or not hasattr(backend, "apply_many"):
            overlay.base.apply(overlay.changes)
            continue
        groups.setdefault(id(backend), (backend, []))[1].append((overlay.base, overlay.changes))
    for backend, batches in groups.values():
        backend.apply_many(batches)
