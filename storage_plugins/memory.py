"""In-memory storage backend: per-context stores that live as long as the backend object."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from calimero_runtime.plugins import hookimpl
from calimero_runtime.storage import Changes, InMemoryStorage, Storage, StorageRecord


class MemoryBackend:
    def __init__(self) -> None:
        self._stores: dict[tuple[str, bytes], InMemoryStorage] = {}

    def _view(self, space: str, context_id: bytes) -> InMemoryStorage:
        key = (space, bytes(context_id))
        store = self._stores.get(key)
        if store is None:
            store = self._stores[key] = InMemoryStorage(owner=self)
        return store

    def shared(self, context_id: bytes) -> InMemoryStorage:
        return self._view("shared", context_id)

    def private(self, context_id: bytes) -> InMemoryStorage:
        return self._view("private", context_id)

    def apply_many(self, batches: Sequence[tuple[Storage, Changes]]) -> None:
        for store, changes in batches:
            store.apply(changes)

    def close(self) -> None:
        self._stores.clear()

    def __enter__(self) -> MemoryBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_memory(location: str | None, options: Mapping[str, Any]) -> MemoryBackend:
    return MemoryBackend()


@hookimpl
def calimero_register_storage(register: Callable[[StorageRecord], None]) -> None:
    register(StorageRecord("memory", open_memory, "in-process dictionaries; gone when the process exits"))
