"""RocksDB storage backend on rocksdict.

Raw mode (rocksdict's default mode type-tags keys and pickles values). Shared and private state live
in separate column families; every key is prefixed with its 32-byte context id. A call's changes to
both families are written in one ``WriteBatch``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import rocksdict

from calimero_runtime.errors import StorageError, StorageLockedError
from calimero_runtime.plugins import hookimpl
from calimero_runtime.storage import Changes, Storage, StorageRecord

FAMILIES = ("shared", "private")


class RocksStorage:
    """One context's view of one column family."""

    def __init__(self, backend: RocksBackend, family: str, context_id: bytes) -> None:
        self.backend = backend
        self.family = family
        self.prefix = bytes(context_id)
        backend.family(family)  # fails now if the backend is closed

    @property
    def _cf(self) -> Any:
        # looked up per use: a view must neither outlive close() nor keep the database locked after it
        return self.backend.family(self.family)

    def get(self, key: bytes) -> bytes | None:
        value = self._cf.get(self.prefix + key)
        return None if value is None else bytes(value)

    def set(self, key: bytes, value: bytes) -> bytes | None:
        previous = self.get(key)
        self._cf[self.prefix + key] = bytes(value)
        return previous

    def remove(self, key: bytes) -> bytes | None:
        previous = self.get(key)
        if previous is not None:
            del self._cf[self.prefix + key]
        return previous

    def has(self, key: bytes) -> bool:
        return self.get(key) is not None

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        prefix, n = self.prefix, len(self.prefix)
        pairs = []
        it = self._cf.iter()
        try:
            it.seek(prefix)
            while it.valid():
                key = bytes(it.key())
                if not key.startswith(prefix):
                    break
                pairs.append((key[n:], bytes(it.value())))
                it.next()
        finally:
            del it  # a live iterator keeps the database locked after close()
        yield from pairs

    def apply(self, changes: Changes) -> None:
        self.backend.apply_many([(self, changes)])

    def __repr__(self) -> str:
        return f"RocksStorage({self.backend.path!r}, {self.family}, {self.prefix.hex()[:8]}…)"


class RocksBackend:
    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        os.makedirs(self.path, exist_ok=True)
        options = rocksdict.Options(raw_mode=True)
        options.create_if_missing(True)
        options.create_missing_column_families(True)
        families = {name: rocksdict.Options(raw_mode=True) for name in FAMILIES}
        try:
            self._db = rocksdict.Rdict(self.path, options=options, column_families=families)
        except Exception as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StorageLockedError(
                    f"the RocksDB database at {self.path} is in use by another process "
                    f"(or already open in this one); close it first. ({text.strip()})"
                ) from None
            raise StorageError(f"cannot open RocksDB database at {self.path}: {text}") from None
        self._families = {name: self._db.get_column_family(name) for name in FAMILIES}
        self._handles = {name: self._db.get_column_family_handle(name) for name in FAMILIES}
        self._closed = False

    def family(self, name: str) -> Any:
        self._check_open()
        return self._families[name]

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"the RocksDB database at {self.path} is closed")

    def shared(self, context_id: bytes) -> RocksStorage:
        return RocksStorage(self, "shared", context_id)

    def private(self, context_id: bytes) -> RocksStorage:
        return RocksStorage(self, "private", context_id)

    def apply_many(self, batches: Sequence[tuple[Storage, Changes]]) -> None:
        self._check_open()
        batch = rocksdict.WriteBatch(raw_mode=True)
        for store, changes in batches:
            if not isinstance(store, RocksStorage) or store.backend is not self:
                raise StorageError("apply_many got a storage view of another backend")
            handle = self._handles[store.family]
            for key, value in changes.items():
                if value is None:
                    batch.delete(store.prefix + key, handle)
                else:
                    batch.put(store.prefix + key, value, handle)
        self._db.write(batch)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._families.clear()
            self._handles.clear()
            self._db.close()

    def __enter__(self) -> RocksBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_rocksdb(location: str | None, options: Mapping[str, Any]) -> RocksBackend:
    if location is None:
        raise StorageError("the rocksdb storage needs a directory")
    return RocksBackend(location)


@hookimpl
def calimero_register_storage(register: Callable[[StorageRecord], None]) -> None:
    register(StorageRecord("rocksdb", open_rocksdb, "embedded RocksDB directory (rocksdict)", needs_location=True))
