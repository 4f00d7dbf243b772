"""The Storage contract (ABI.md §5) on every store: in-memory (standalone and per-context) and RocksDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from calimero_runtime import InMemoryStorage, Runtime, Storage, StorageBackend

CTX_A = bytes(range(32))
CTX_B = bytes(range(1, 33))

STORES = ["inmemory", "memory-shared", "memory-private", "rocksdb-shared", "rocksdb-private"]

_RUNTIMES: dict[str, Runtime] = {}


def _runtime(storage: str) -> Runtime:
    """One assembled runtime per storage plugin (assembly loads every plugin; do it once)."""
    if storage not in _RUNTIMES:
        _RUNTIMES[storage] = Runtime(storage=storage)
    return _RUNTIMES[storage]


@pytest.fixture(params=["memory", "rocksdb"])
def backend(request, tmp_path) -> Iterator[StorageBackend]:
    rt = _runtime(request.param)
    opened = rt.open_storage(tmp_path / "db" if request.param == "rocksdb" else None)
    yield opened
    opened.close()


@pytest.fixture(params=STORES)
def store(request, tmp_path) -> Iterator[Storage]:
    kind = str(request.param)
    if kind == "inmemory":
        yield InMemoryStorage()
        return
    name, space = kind.split("-")
    rt = _runtime(name)
    opened = rt.open_storage(tmp_path / "db" if name == "rocksdb" else None)
    try:
        yield getattr(opened, space)(CTX_A)
    finally:
        opened.close()


def test_is_a_storage(store):
    assert isinstance(store, Storage)


def test_get_missing_is_none(store):
    assert store.get(b"nope") is None
    assert store.has(b"nope") is False


def test_set_returns_previous_value(store):
    assert store.set(b"k", b"v1") is None
    assert store.set(b"k", b"v2") == b"v1"
    assert store.set(b"k", b"v2") == b"v2"
    assert store.get(b"k") == b"v2"
    value = store.get(b"k")
    assert isinstance(value, bytes)


def test_remove_returns_removed_value(store):
    store.set(b"k", b"v")
    assert store.remove(b"k") == b"v"
    assert store.get(b"k") is None
    assert store.remove(b"k") is None
    assert store.has(b"k") is False


def test_has(store):
    assert not store.has(b"k")
    store.set(b"k", b"v")
    assert store.has(b"k")


def test_empty_value_is_a_value(store):
    assert store.set(b"k", b"") is None
    assert store.get(b"k") == b""
    assert store.has(b"k")
    assert store.set(b"k", b"x") == b""
    assert store.remove(b"k") == b"x"


@pytest.mark.parametrize(
    "key",
    [b"", b"\x00", b"\xff", b"\xff\xff\xff\xff", b"\xff" + bytes(32), b"\x00" * 64, bytes(range(256)),
     "ключ".encode(), b"a" * 4096],
    ids=["empty", "nul", "ff", "ffff", "ff-then-zeros", "64-zeros", "all-bytes", "utf8", "4k"],
)
def test_arbitrary_binary_keys(store, key):
    assert store.set(key, b"value:" + key) is None
    assert store.get(key) == b"value:" + key
    assert store.has(key)
    assert list(store.items()) == [(key, b"value:" + key)]
    assert store.remove(key) == b"value:" + key
    assert list(store.items()) == []


def test_empty_key_and_ff_keys_do_not_collide_with_others(store):
    keys = [b"", b"\x00", b"\xff", b"\xff\x00", b"\xff\xff"]
    for i, k in enumerate(keys):
        store.set(k, bytes([i]))
    for i, k in enumerate(keys):
        assert store.get(k) == bytes([i])
    assert store.remove(b"") == b"\x00"
    assert store.get(b"\x00") == b"\x01"


def test_items_ascending_by_raw_bytes(store):
    keys = [b"\xff", b"b", b"", b"\x80", b"a", b"\x7f", b"ab", b"\x00", b"\xff\xff", b"A", b"aa", b"\x00\x00"]
    for k in keys:
        store.set(k, k[::-1] + b"!")
    items = list(store.items())
    assert [k for k, _ in items] == sorted(keys)
    assert [k for k, _ in items] == [b"", b"\x00", b"\x00\x00", b"A", b"a", b"aa", b"ab", b"b", b"\x7f", b"\x80",
                                     b"\xff", b"\xff\xff"]
    assert all(v == k[::-1] + b"!" for k, v in items)
    assert all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in items)


def test_items_reflect_removals(store):
    for k in (b"a", b"b", b"c"):
        store.set(k, k)
    store.remove(b"b")
    assert list(store.items()) == [(b"a", b"a"), (b"c", b"c")]


def test_large_values(store):
    big = bytes(range(256)) * (10 * 1024 * 1024 // 256)  # 10 MiB
    assert len(big) == 10 << 20
    assert store.set(b"big", big) is None
    assert store.get(b"big") == big
    assert store.set(b"big", b"small") == big
    assert store.remove(b"big") == b"small"


def test_apply_is_all_or_nothing_batch(store):
    store.set(b"a", b"1")
    store.set(b"b", b"2")
    store.apply({b"a": None, b"c": b"3", b"b": b"22", b"missing": None, b"": b"empty-key"})
    assert list(store.items()) == [(b"", b"empty-key"), (b"b", b"22"), (b"c", b"3")]


def test_apply_empty_changes_is_a_no_op(store):
    store.set(b"a", b"1")
    store.apply({})
    assert list(store.items()) == [(b"a", b"1")]


def test_values_are_copied(store):
    value = bytearray(b"mutable")
    store.set(b"k", bytes(value))
    value[0] = ord("X")
    assert store.get(b"k") == b"mutable"


# -- per-context views -------------------------------------------------------------------------------------


def test_backend_is_a_storage_backend(backend):
    assert isinstance(backend, StorageBackend)
    assert isinstance(backend.shared(CTX_A), Storage)
    assert isinstance(backend.private(CTX_A), Storage)


def test_items_are_scoped_to_the_context(backend):
    a, b = backend.shared(CTX_A), backend.shared(CTX_B)
    for k in (b"", b"\x00", b"k", b"\xff\xff"):
        a.set(k, b"A" + k)
        b.set(k, b"B" + k)
    assert list(a.items()) == [(k, b"A" + k) for k in (b"", b"\x00", b"k", b"\xff\xff")]
    assert list(b.items()) == [(k, b"B" + k) for k in (b"", b"\x00", b"k", b"\xff\xff")]
    a.remove(b"k")
    assert b.get(b"k") == b"Bk"
    assert list(backend.shared(bytes(32)).items()) == []
    assert list(backend.shared(b"\xff" * 32).items()) == []


def test_views_of_one_context_share_state(backend):
    backend.shared(CTX_A).set(b"k", b"v")
    assert backend.shared(CTX_A).get(b"k") == b"v"


def test_shared_and_private_are_separate_keyspaces(backend):
    shared, private = backend.shared(CTX_A), backend.private(CTX_A)
    shared.set(b"k", b"shared")
    assert private.get(b"k") is None
    private.set(b"k", b"private")
    assert shared.get(b"k") == b"shared"
    assert list(shared.items()) == [(b"k", b"shared")]
    assert list(private.items()) == [(b"k", b"private")]
    assert private.remove(b"k") == b"private"
    assert shared.get(b"k") == b"shared"


def test_apply_many_writes_several_views_together(backend):
    shared, private, other = backend.shared(CTX_A), backend.private(CTX_A), backend.shared(CTX_B)
    shared.set(b"gone", b"x")
    backend.apply_many([(shared, {b"s": b"1", b"gone": None}), (private, {b"p": b"2"}), (other, {b"o": b"3"})])
    assert list(shared.items()) == [(b"s", b"1")]
    assert list(private.items()) == [(b"p", b"2")]
    assert list(other.items()) == [(b"o", b"3")]


# -- standalone InMemoryStorage ------------------------------------------------------------------------------


def test_inmemory_standalone_with_initial_content():
    initial = {b"b": b"2", b"a": b"1"}
    store = InMemoryStorage(initial)
    initial[b"c"] = b"3"  # a copy was taken
    assert list(store.items()) == [(b"a", b"1"), (b"b", b"2")]
    assert len(store) == 2
    store.remove(b"a")
    assert len(store) == 1


def test_rocksdb_survives_reopen(tmp_path):
    rt = _runtime("rocksdb")
    db = rt.open_storage(tmp_path / "db")
    db.shared(CTX_A).set(b"\xff", b"1")
    db.private(CTX_A).set(b"", b"2")
    db.close()
    db = rt.open_storage(tmp_path / "db")
    try:
        assert list(db.shared(CTX_A).items()) == [(b"\xff", b"1")]
        assert list(db.private(CTX_A).items()) == [(b"", b"2")]
        assert list(db.shared(CTX_B).items()) == []
    finally:
        db.close()


def test_rocksdb_view_does_not_outlive_close(tmp_path):
    """A view kept after ``close()`` refuses use and does not keep the directory locked."""
    from calimero_runtime import StorageError

    rt = _runtime("rocksdb")
    db = rt.open_storage(tmp_path / "db")
    view, private = db.shared(CTX_A), db.private(CTX_A)
    view.set(b"k", b"v")
    list(view.items())
    db.close()
    for call in (lambda: view.get(b"k"), lambda: view.set(b"k", b"x"), lambda: list(private.items()),
                 lambda: db.shared(CTX_A)):
        with pytest.raises(StorageError):
            call()
    again = rt.open_storage(tmp_path / "db")  # not locked by the live views
    try:
        assert again.shared(CTX_A).get(b"k") == b"v"
    finally:
        again.close()
