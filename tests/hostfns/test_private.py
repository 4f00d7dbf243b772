"""Private (node-local) storage (ABI.md §3.5): private_storage_read / _write / _remove."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, InMemoryStorage, VMLimits

from .guests import PAGE, Buf, Desc, Guest, check_group, host_error, run

R = 0xFFFF_FFFE
NAMES = ["private_storage_read", "private_storage_write", "private_storage_remove"]


def test_group_and_signatures(rt):
    check_group(rt, "private", NAMES)


def _call(g: Guest, name: str, key: Buf, value: Buf | None = None, *, keep: bool = False) -> None:
    args = (key, value if value is not None else g.buf(b"v")) if name == "private_storage_write" else (key, R)
    (g.keep if keep else g.do)(name, *args)


def test_write_read_remove(gen, rt, ctx):
    shared = InMemoryStorage()
    private = InMemoryStorage({b"old": b"O"})
    g = Guest(gen)
    g.keep("private_storage_write", g.buf(b"k"), g.buf(b"one"))
    g.keep("private_storage_write", g.buf(b"k"), g.buf(b"two"))  # overwrite: still 1, nothing returned
    g.keep("register_len", R)
    g.keep("private_storage_read", g.buf(b"k"), R)
    g.register(R, 3)
    g.keep("private_storage_remove", g.buf(b"old"), 5)
    g.register(5, 1)
    out = run(rt, g, ctx, shared, private_storage=private)
    assert g.unpack(out.returns) == [1, 1, -1, 1, 3, 1, b"two", 1, 1, 1, b"O"]
    assert list(private.items()) == [(b"k", b"two")]
    assert list(shared.items()) == []
    assert out.private_storage_delta == {b"k": b"two", b"old": None} and out.storage_delta == {}


def test_read_and_remove_miss(gen, rt, ctx):
    g = Guest(gen)
    g.do("input", R)
    g.keep("private_storage_read", g.buf(b"nope"), R)
    g.keep("private_storage_remove", g.buf(b"nope"), R)
    g.register(R, 2)
    out = run(rt, g, ctx, private_storage=InMemoryStorage(), input=b"in")
    assert g.unpack(out.returns) == [0, 0, 2, 1, b"in"]


def test_private_and_shared_keyspaces_are_separate(gen, rt, ctx):
    shared = InMemoryStorage({b"k": b"shared"})
    private = InMemoryStorage({b"k": b"private"})
    g = Guest(gen)
    g.keep("private_storage_read", g.buf(b"k"), 1)
    g.register(1, 7)
    g.keep("storage_read", g.buf(b"k"), 2)
    g.register(2, 6)
    out = run(rt, g, ctx, shared, private_storage=private)
    assert g.unpack(out.returns) == [1, 7, 1, b"private", 1, 6, 1, b"shared"]


def test_without_a_private_store_everything_answers_zero(gen, rt, ctx):
    g = Guest(gen)
    g.keep("private_storage_write", g.buf(b"k"), g.buf(b"v"))
    g.keep("private_storage_read", g.buf(b"k"), R)
    g.keep("private_storage_remove", g.buf(b"k"), R)
    g.keep("register_len", R)
    out = run(rt, g, ctx)
    assert g.unpack(out.returns) == [0, 0, 0, -1]
    assert out.private_storage_delta == {}


def test_without_a_private_store_writes_are_not_charged(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=0))
    g = Guest(gen)
    g.keep("private_storage_write", g.buf(b"k"), g.buf(b"v"))
    assert g.unpack(run(rt, g, ctx).returns) == [0]
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "StorageWriteCountExceeded", max=0)


def test_write_bytes_budget(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_write_bytes=4))
    g = Guest(gen)
    g.do("private_storage_write", g.buf(b"ab"), g.buf(b"cd"))
    assert run(rt, g, ctx, private_storage=InMemoryStorage()).ok
    g.do("private_storage_write", g.buf(b"e"), g.buf(b""))
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "StorageWriteBytesExceeded",
               attempted=5, max=4)


def test_remove_is_not_charged(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=0))
    private = InMemoryStorage({b"a": b"1"})
    g = Guest(gen)
    g.keep("private_storage_remove", g.buf(b"a"), R)
    g.keep("private_storage_remove", g.buf(b"a"), R)
    assert g.unpack(run(rt, g, ctx, private_storage=private).returns) == [1, 0]
    assert list(private.items()) == []


def test_register_limits_on_read(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_registers=0))
    g = Guest(gen)
    g.do("private_storage_read", g.buf(b"k"), R)
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage({b"k": b"v"})), "InvalidMemoryAccess")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("with_store", [True, False])
def test_key_cap_checked_first(gen, make_runtime, ctx, name, with_store):
    """The key cap is checked before anything else, with or without a private store, and before the
    key bytes are read."""
    rt = make_runtime(limits=VMLimits(max_storage_key_size=2))
    private = InMemoryStorage() if with_store else None
    g = Guest(gen)
    _call(g, name, g.buf(b"12"))
    assert run(rt, g, ctx, private_storage=private).ok
    g = Guest(gen)
    _call(g, name, Buf(2**64 - 1, 3))
    host_error(run(rt, g, ctx, private_storage=private), "KeyLengthOverflow")


def test_value_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_value_size=2))
    g = Guest(gen)
    g.do("private_storage_write", g.buf(b"k"), Buf(2**64 - 1, 3))
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "ValueLengthOverflow")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1)])
def test_key_out_of_bounds(gen, rt, ctx, name, ptr, length):
    g = Guest(gen)
    _call(g, name, Buf(ptr, length))
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "InvalidMemoryAccess")


def test_value_out_of_bounds(gen, rt, ctx):
    g = Guest(gen)
    g.do("private_storage_write", g.buf(b"k"), Buf(PAGE - 3, 4))
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "InvalidMemoryAccess")


@pytest.mark.parametrize("name", NAMES)
def test_key_descriptor_out_of_bounds(rt, ctx, name):
    g = Guest(CURRENT)
    _call(g, name, Desc(PAGE - 1))  # type: ignore[arg-type]
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "InvalidMemoryAccess")


@pytest.mark.parametrize("fail", [False, True])
def test_private_changes_apply_only_on_success(gen, rt, ctx, backend, fail):
    private = backend.private(ctx.context_id)
    private.set(b"a", b"1")
    private.set(b"b", b"2")
    before = list(private.items())
    g = Guest(gen)
    g.do("private_storage_write", g.buf(b"a"), g.buf(b"changed"))
    g.do("private_storage_remove", g.buf(b"b"), R)
    g.do("private_storage_write", g.buf(b"c"), g.buf(b"3"))
    if fail:
        g.trap()
    out = run(rt, g, ctx, backend.shared(ctx.context_id), private_storage=private)
    if fail:
        assert not out.ok and list(private.items()) == before
    else:
        assert out.ok and list(private.items()) == [(b"a", b"changed"), (b"c", b"3")]
