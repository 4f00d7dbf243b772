"""Registers (ABI.md §1.3, §3.2, §9): register_len, read_register, and the register limits."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, InMemoryStorage, VMLimits

from .guests import PAGE, Buf, Desc, Guest, check_group, host_error, run


def test_group_and_signatures(rt):
    check_group(rt, "registers", ["register_len", "read_register"])


def test_register_len_unknown_is_minus_one(gen, rt, ctx):
    g = Guest(gen)
    g.keep("register_len", 0)
    g.keep("register_len", 2**64 - 1)
    g.keep("register_len", 0xFFFF_FFFE)
    assert g.unpack(run(rt, g, ctx).returns) == [-1, -1, -1]


def test_register_len_and_read(gen, rt, ctx):
    g = Guest(gen)
    g.do("input", 0xFFFF_FFFE)
    g.register(0xFFFF_FFFE, 5)
    assert g.unpack(run(rt, g, ctx, input=b"hello").returns) == [5, 1, b"hello"]


def test_overwrite_replaces_register(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_id", 4)
    g.keep("register_len", 4)
    g.do("input", 4)
    g.register(4, 3)
    assert g.unpack(run(rt, g, ctx, input=b"abc").returns) == [32, 3, 1, b"abc"]


@pytest.mark.parametrize("size", [31, 33, 0])
def test_read_register_length_mismatch_returns_zero_and_writes_nothing(gen, rt, ctx, size):
    g = Guest(gen)
    g.do("context_id", 1)
    g.read_register(1, size)
    assert g.unpack(run(rt, g, ctx).returns) == [0, bytes(size)]


def test_read_register_unknown_id(gen, rt, ctx):
    g = Guest(gen)
    g.read_register(77, 4)
    host_error(run(rt, g, ctx), "InvalidRegisterId", id=77)


def test_read_register_unknown_id_is_unsigned(gen, rt, ctx):
    g = Guest(gen)
    g.do("read_register", 2**64 - 1, g.mut(4))
    out = run(rt, g, ctx)
    host_error(out, "InvalidRegisterId", id=2**64 - 1)


@pytest.mark.parametrize("ptr", [PAGE - 31, 2**64 - 1, 2**64 - 16])
def test_read_register_destination_out_of_bounds(gen, rt, ctx, ptr):
    g = Guest(gen)
    g.do("context_id", 1)
    g.do("read_register", 1, Buf(ptr, 32))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_read_register_destination_exactly_at_end(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_id", 1)
    g.keep("read_register", 1, Buf(PAGE - 32, 32))
    assert g.unpack(run(rt, g, ctx).returns) == [1]


def test_read_register_empty_register_into_null_buffer(gen, rt, ctx):
    g = Guest(gen)
    g.do("input", 3)
    g.keep("read_register", 3, Buf(0, 0))
    assert g.unpack(run(rt, g, ctx).returns) == [1]


def test_read_register_mismatch_wins_over_out_of_bounds(gen, rt, ctx):
    """Lengths are compared before the destination region is touched (ABI.md §3.2, §9)."""
    g = Guest(gen)
    g.do("context_id", 1)
    g.keep("read_register", 1, Buf(2**64 - 1, 31))
    assert g.unpack(run(rt, g, ctx).returns) == [0]


def test_unknown_register_wins_over_out_of_bounds_destination(gen, rt, ctx):
    """The lookup comes before the destination region is checked: flat ABI (§9) looks the register
    up first of all; the current ABI (§3.2) only reads the descriptor before it."""
    g = Guest(gen)
    g.do("read_register", 8, Buf(2**64 - 1, 4))
    host_error(run(rt, g, ctx), "InvalidRegisterId", id=8)


@pytest.mark.parametrize("addr", [PAGE - 15, PAGE, 2**64 - 1])
def test_current_descriptor_is_read_before_the_register_lookup(rt, ctx, addr):
    """Current ABI (§3.2): an out-of-bounds BufferMut descriptor traps InvalidMemoryAccess first."""
    g = Guest(CURRENT)
    g.do("read_register", 8, Desc(addr))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- limits (§1.3): every violation is InvalidMemoryAccess ------------------------------------------


def test_max_registers_counts_distinct_ids(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_registers=2))
    g = Guest(gen)
    g.do("context_id", 1)
    g.do("context_id", 2)
    g.do("context_id", 1)  # overwrite: not a new register
    g.do("input", 2)
    g.keep("register_len", 1)
    out = run(rt, g, ctx, input=b"xy")
    assert g.unpack(out.returns) == [32]
    g.do("context_id", 3)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_max_register_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=32, max_registers_capacity=1000))
    g = Guest(gen)
    g.do("input", 1)
    assert run(rt, g, ctx, input=b"x" * 32).ok
    host_error(run(rt, g, ctx, input=b"x" * 33), "InvalidMemoryAccess")


def test_max_registers_capacity_counts_len_plus_eight(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=32, max_registers_capacity=40))
    g = Guest(gen)
    g.do("context_id", 1)  # 32 + 8 = 40: exactly at capacity
    g.keep("register_len", 1)
    assert g.unpack(run(rt, g, ctx).returns) == [32]
    g = Guest(gen)
    g.do("context_id", 1)
    g.do("input", 2)  # an empty register still costs 8
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_overwrite_releases_capacity(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=32, max_registers_capacity=48))
    g = Guest(gen)
    g.do("context_id", 1)  # 40
    g.do("input", 1)  # overwrite with 0 bytes: 8
    g.do("context_id", 2)  # 48
    g.keep("register_len", 1)
    g.keep("register_len", 2)
    assert g.unpack(run(rt, g, ctx).returns) == [0, 32]


def test_registers_live_for_one_call_only(gen, rt, ctx):
    g = Guest(gen)
    g.keep("register_len", 1)
    g.do("context_id", 1)
    g.keep("register_len", 1)
    module = rt.compile(g.wasm())
    for _ in range(2):
        out = module.run("run", context=ctx, storage=InMemoryStorage())
        assert g.unpack(out.returns) == [-1, 32]
