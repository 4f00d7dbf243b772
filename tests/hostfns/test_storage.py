"""Shared key-value storage (ABI.md §3.4, §2.6, §9): storage_read, storage_write, storage_remove,
the write budget, and all-or-nothing application of a call's writes."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, InMemoryStorage, VMLimits

from .guests import NONE, PAGE, VR, Buf, Desc, Guest, Loc, check_group, host_error, run

R = 0xFFFF_FFFE  # the register the Rust SDK uses


def test_group_and_signatures(rt):
    check_group(rt, "storage", ["storage_read", "storage_write", "storage_remove"])


# -- happy paths ------------------------------------------------------------------------------------


def test_write_new_key_returns_zero_and_leaves_register_untouched(gen, rt, ctx):
    store = InMemoryStorage()
    g = Guest(gen)
    g.keep("storage_write", g.buf(b"k"), g.buf(b"v1"), R)
    g.keep("register_len", R)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [0, -1]
    assert out.storage_delta == {b"k": b"v1"}
    assert list(store.items()) == [(b"k", b"v1")]


def test_write_existing_key_returns_previous_value(gen, rt, ctx):
    store = InMemoryStorage({b"k": b"old value"})
    g = Guest(gen)
    g.keep("storage_write", g.buf(b"k"), g.buf(b"new"), R)
    g.register(R, 9)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [1, 9, 1, b"old value"]
    assert store.get(b"k") == b"new"


def test_read_hit_and_miss(gen, rt, ctx):
    store = InMemoryStorage({b"\x00key": b"\x00\xffvalue"})
    g = Guest(gen)
    g.do("input", R)  # the register holds the input; a miss must leave it alone
    g.keep("storage_read", g.buf(b"missing"), R)
    g.register(R, 5)
    g.keep("storage_read", g.buf(b"\x00key"), R)
    g.register(R, 7)
    out = run(rt, g, ctx, store, input=b"input")
    assert g.unpack(out.returns) == [0, 5, 1, b"input", 1, 7, 1, b"\x00\xffvalue"]
    assert out.storage_delta == {}


def test_remove_present_and_absent(gen, rt, ctx):
    store = InMemoryStorage({b"a": b"AAA", b"b": b"B"})
    g = Guest(gen)
    g.keep("storage_remove", g.buf(b"a"), R)
    g.register(R, 3)
    g.keep("storage_remove", g.buf(b"zz"), 5)
    g.keep("register_len", 5)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [1, 3, 1, b"AAA", 0, -1]
    assert out.storage_delta == {b"a": None}
    assert list(store.items()) == [(b"b", b"B")]


def test_reads_see_the_calls_own_writes_and_removes(gen, rt, ctx):
    store = InMemoryStorage({b"gone": b"x"})
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), g.buf(b"fresh"), R)
    g.keep("storage_read", g.buf(b"k"), 1)
    g.register(1, 5)
    g.do("storage_remove", g.buf(b"gone"), R)
    g.keep("storage_read", g.buf(b"gone"), 2)
    g.keep("storage_remove", g.buf(b"gone"), 2)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [1, 5, 1, b"fresh", 0, 0]


def test_empty_key_and_value(gen, rt, ctx):
    store = InMemoryStorage()
    g = Guest(gen)
    g.keep("storage_write", NONE, NONE, R)
    g.keep("storage_read", NONE, R)
    g.keep("register_len", R)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [0, 1, 0]
    assert list(store.items()) == [(b"", b"")]


def test_writes_are_kept_without_commit(gen, rt, ctx, backend):
    """§9: a successful call's writes are kept whether or not it called ``commit``."""
    store = backend.shared(ctx.context_id)
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k1"), g.buf(b"v1"), R)
    g.do("storage_write", g.buf(b"k2"), g.buf(b"v2"), R)
    g.do("storage_remove", g.buf(b"k1"), R)
    out = run(rt, g, ctx, store)
    assert out.ok and out.root_hash is None
    assert list(store.items()) == [(b"k2", b"v2")]


def test_read_hit_obeys_register_limits(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=3, max_registers_capacity=100))
    store = InMemoryStorage({b"k": b"1234"})
    g = Guest(gen)
    g.do("storage_read", g.buf(b"k"), R)
    host_error(run(rt, g, ctx, store), "InvalidMemoryAccess")


# -- key / value caps: checked before the bytes are read --------------------------------------------


CALLS = ["storage_read", "storage_write", "storage_remove"]


def _call(g: Guest, name: str, key: Buf, value: Buf | None = None) -> None:
    if name == "storage_write":
        g.do(name, key, value if value is not None else g.buf(b"v"), R)
    else:
        g.do(name, key, R)


@pytest.mark.parametrize("name", CALLS)
def test_key_length_cap(gen, make_runtime, ctx, name):
    rt = make_runtime(limits=VMLimits(max_storage_key_size=4))
    g = Guest(gen)
    _call(g, name, g.buf(b"1234"))
    assert run(rt, g, ctx).ok
    g = Guest(gen)
    _call(g, name, g.buf(b"12345"))
    host_error(run(rt, g, ctx), "KeyLengthOverflow")


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("ptr,length", [(2**64 - 1, 5), (PAGE - 1, 5), (16, 2**64 - 1)])
def test_key_cap_checked_before_reading(gen, make_runtime, ctx, name, ptr, length):
    rt = make_runtime(limits=VMLimits(max_storage_key_size=4))
    g = Guest(gen)
    _call(g, name, Buf(ptr, length))
    host_error(run(rt, g, ctx), "KeyLengthOverflow")


def test_value_length_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_value_size=3))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), g.buf(b"123"), R)
    assert run(rt, g, ctx).ok
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), Buf(2**64 - 1, 4), R)
    host_error(run(rt, g, ctx), "ValueLengthOverflow")


def test_key_cap_checked_before_value_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_key_size=1, max_storage_value_size=1))
    g = Guest(gen)
    g.do("storage_write", Buf(2**64 - 1, 2), Buf(2**64 - 1, 2), R)
    host_error(run(rt, g, ctx), "KeyLengthOverflow")


def test_value_cap_checked_before_reading_the_key(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_value_size=1))
    g = Guest(gen)
    g.do("storage_write", Buf(2**64 - 1, 1), Buf(0, 2), R)
    host_error(run(rt, g, ctx), "ValueLengthOverflow")


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("ptr,length", [(PAGE - 2, 3), (2**64 - 1, 1), (2**64 - 2, 4), (PAGE + 1, 0)])
def test_key_out_of_bounds(gen, rt, ctx, name, ptr, length):
    g = Guest(gen)
    _call(g, name, Buf(ptr, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("ptr,length", [(PAGE - 2, 3), (2**64 - 1, 1)])
def test_value_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), Buf(ptr, length), R)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("name", CALLS)
def test_key_descriptor_out_of_bounds(rt, ctx, name):
    g = Guest(CURRENT)
    _call(g, name, Desc(PAGE - 8))  # type: ignore[arg-type]
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_value_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("storage_write", g.buf(b"k"), Desc(2**64 - 16), R)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- write budget ---------------------------------------------------------------------------------


def test_write_count_budget(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=2))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"a"), g.buf(b"1"), R)
    g.do("storage_write", g.buf(b"a"), g.buf(b"2"), R)  # overwrites count too
    assert run(rt, g, ctx).ok
    g.do("storage_write", g.buf(b"b"), g.buf(b"3"), R)
    host_error(run(rt, g, ctx), "StorageWriteCountExceeded", max=2)


def test_write_bytes_budget_counts_key_plus_value(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_write_bytes=10))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k1"), g.buf(b"vvvv"), R)  # 6
    g.do("storage_write", g.buf(b"k2"), g.buf(b"vv"), R)  # 10: exactly at the budget
    assert run(rt, g, ctx).ok
    g.do("storage_write", g.buf(b"k"), NONE, R)  # 11
    host_error(run(rt, g, ctx), "StorageWriteBytesExceeded", attempted=11, max=10)


def test_count_budget_checked_before_bytes_budget(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=1, max_storage_write_bytes=3))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), g.buf(b"v"), R)
    g.do("storage_write", g.buf(b"kk"), g.buf(b"vv"), R)
    host_error(run(rt, g, ctx), "StorageWriteCountExceeded", max=1)


def test_remove_is_not_charged(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=1, max_storage_write_bytes=2))
    store = InMemoryStorage({b"x": b"1", b"y": b"2"})
    g = Guest(gen)
    g.do("storage_remove", g.buf(b"x"), R)
    g.do("storage_remove", g.buf(b"y"), R)
    g.do("storage_remove", g.buf(b"nope"), R)
    g.keep("storage_write", g.buf(b"k"), g.buf(b"v"), R)
    out = run(rt, g, ctx, store)
    assert g.unpack(out.returns) == [0]
    assert list(store.items()) == [(b"k", b"v")]


def test_budget_is_per_call(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=1))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), g.buf(b"v"), R)
    module = rt.compile(g.wasm())
    store = InMemoryStorage()
    assert all(module.run("run", context=ctx, storage=store).ok for _ in range(3))


def test_budget_is_charged_after_the_bytes_are_read(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=0))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), Buf(PAGE - 1, 2), R)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_budget_shared_with_private_storage_write(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_writes=2))
    g = Guest(gen)
    g.do("storage_write", g.buf(b"a"), g.buf(b"1"), R)
    g.do("private_storage_write", g.buf(b"p"), g.buf(b"1"))
    g.do("storage_write", g.buf(b"b"), g.buf(b"2"), R)
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "StorageWriteCountExceeded", max=2)
    rt = make_runtime(limits=VMLimits(max_storage_write_bytes=5))
    g = Guest(gen)
    g.do("private_storage_write", g.buf(b"pp"), g.buf(b"11"))  # 4
    g.do("storage_write", g.buf(b"a"), g.buf(b"1"), R)  # 6
    host_error(run(rt, g, ctx, private_storage=InMemoryStorage()), "StorageWriteBytesExceeded",
               attempted=6, max=5)


# -- a failed call leaves storage byte-for-byte unchanged (§2.6, §9) -------------------------------


def _seed(store) -> None:
    store.set(b"keep", b"original")
    store.set(b"drop", b"\x00\x01")


def _mutate(g: Guest) -> None:
    g.do("storage_write", g.buf(b"keep"), g.buf(b"changed"), R)
    g.do("storage_write", g.buf(b"new"), g.buf(b"value"), R)
    g.do("storage_remove", g.buf(b"drop"), R)


@pytest.mark.parametrize("failure", ["trap", "err_return", "host_error", "panic"])
def test_failed_call_leaves_storage_unchanged(gen, rt, ctx, backend, failure):
    store = backend.shared(ctx.context_id)
    private = backend.private(ctx.context_id)
    _seed(store)
    private.set(b"secret", b"s")
    before, before_private = list(store.items()), list(private.items())
    g = Guest(gen)
    _mutate(g)
    g.do("private_storage_write", g.buf(b"secret"), g.buf(b"changed"))
    g.do("private_storage_write", g.buf(b"other"), g.buf(b"x"))
    g.do("commit", g.buf(b"\x11" * 32), g.buf(b"artifact"))
    if failure == "trap":
        g.trap()
    elif failure == "err_return":
        e = g.buf(b"error")
        g.do("value_return", VR(1, e.ptr, e.len))
    elif failure == "host_error":
        g.do("storage_read", Buf(2**64 - 1, 1), R)
    else:
        g.do("panic_utf8", g.buf(b"boom"), Loc(0, 0, 0, 0))
    out = run(rt, g, ctx, store, private_storage=private, auto_return=False)
    assert not out.ok
    assert out.storage_delta == {} and out.private_storage_delta == {}
    assert list(store.items()) == before
    assert list(private.items()) == before_private


def test_successful_call_applies_shared_and_private_changes(gen, rt, ctx, backend):
    store = backend.shared(ctx.context_id)
    private = backend.private(ctx.context_id)
    _seed(store)
    g = Guest(gen)
    _mutate(g)
    g.do("private_storage_write", g.buf(b"secret"), g.buf(b"s"))
    out = run(rt, g, ctx, store, private_storage=private)
    assert out.ok
    assert list(store.items()) == [(b"keep", b"changed"), (b"new", b"value")]
    assert list(private.items()) == [(b"secret", b"s")]
    assert out.storage_delta == {b"keep": b"changed", b"new": b"value", b"drop": None}
    assert out.private_storage_delta == {b"secret": b"s"}
