"""Wasm traps, gas, memory caps and guest errors surface as Outcome data (ABI.md §2.3, §2.4, §2.7)."""

from __future__ import annotations

import struct
import time

import pytest

from calimero_runtime import Capability, InMemoryStorage, Outcome, VMLimits
from tests.conftest import wat
from tests.runtime._guest import Mem, module


def _run(rt, wasm, ctx, method="run", storage=None):
    return rt.compile(wasm).run(method, context=ctx, storage=storage if storage is not None else InMemoryStorage())


def _trap(rt, ctx, body: str, extra: str = "") -> Outcome:
    wasm = wat(f'(module (memory (export "memory") 1) {extra} (func (export "run") {body}))')
    out = _run(rt, wasm, ctx)
    assert out.error is not None, "expected a trap"
    assert out.error.type == "WasmTrap", out.error
    assert out.returns is None
    return out


# -- every WasmTrap kind ----------------------------------------------------------------------------


def test_unreachable(rt, ctx):
    assert _trap(rt, ctx, "(unreachable)").error.kind == "Unreachable"


@pytest.mark.parametrize(
    "body",
    [
        "(drop (i32.load (i32.const 65536)))",
        "(drop (i64.load (i32.const 65530)))",
        "(i32.store (i32.const -1) (i32.const 0))",
        "(drop (i32.load offset=4294967295 (i32.const 1)))",
        "(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000))",
    ],
    ids=["load-at-end", "straddling-load", "store-at-minus-1", "huge-offset", "bulk-fill"],
)
def test_memory_out_of_bounds(rt, ctx, body):
    assert _trap(rt, ctx, body).error.kind == "MemoryOutOfBounds"


def test_out_of_bounds_after_grow_is_in_bounds(rt, ctx):
    wasm = wat(
        '(module (memory (export "memory") 1)'
        ' (func (export "run") (drop (memory.grow (i32.const 1))) (i32.store (i32.const 65536) (i32.const 1))))'
    )
    assert _run(rt, wasm, ctx).ok


@pytest.mark.parametrize(
    ("extra", "body"),
    [
        ("(table 2 funcref) (type $t (func))", "(call_indirect (type $t) (i32.const 5))"),
        ("(table 2 funcref)", "(drop (table.get (i32.const 2)))"),
        ("(table 1 funcref)", "(table.set (i32.const 7) (ref.null func))"),
    ],
    ids=["call_indirect", "table.get", "table.set"],
)
def test_table_out_of_bounds_is_memory_out_of_bounds(rt, ctx, extra, body):
    assert _trap(rt, ctx, body, extra).error.kind == "MemoryOutOfBounds"


@pytest.mark.parametrize(
    "body",
    [
        "(drop (i32.div_s (i32.const 1) (i32.const 0)))",
        "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
        "(drop (i64.rem_u (i64.const 1) (i64.const 0)))",
        "(drop (i32.rem_s (i32.const 1) (i32.const 0)))",
        "(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))",
        "(drop (i64.div_s (i64.const -9223372036854775808) (i64.const -1)))",
        "(drop (i32.trunc_f32_s (f32.const nan)))",
        "(drop (i32.trunc_f64_u (f64.const -1)))",
        "(drop (i64.trunc_f64_s (f64.const 1e30)))",
        "(drop (i32.trunc_f32_u (f32.const inf)))",
    ],
    ids=["div_s-zero", "div_u-zero", "rem_u-zero", "rem_s-zero", "i32-overflow", "i64-overflow", "nan-to-int",
         "negative-to-unsigned", "too-big-to-i64", "inf-to-int"],
)
def test_illegal_arithmetic(rt, ctx, body):
    assert _trap(rt, ctx, body).error.kind == "IllegalArithmetic"


def test_saturating_conversion_does_not_trap(rt, ctx):
    wasm = wat('(module (memory (export "memory") 1) (func (export "run") (drop (i32.trunc_sat_f32_s (f32.const nan)))))')
    assert _run(rt, wasm, ctx).ok


def test_indirect_call_to_null(rt, ctx):
    out = _trap(rt, ctx, "(call_indirect (type $t) (i32.const 1))", "(type $t (func)) (table 2 funcref)")
    assert out.error.kind == "IndirectCallToNull"


def test_bad_signature(rt, ctx):
    extra = (
        "(type $void (func)) (type $int (func (param i32) (result i32)))"
        " (table 1 funcref) (elem (i32.const 0) $f) (func $f (type $void))"
    )
    out = _trap(rt, ctx, "(drop (call_indirect (type $int) (i32.const 3) (i32.const 0)))", extra)
    assert out.error.kind == "BadSignature"


def test_matching_indirect_call_works(rt, ctx):
    wasm = wat(
        '(module (memory (export "memory") 1) (type $void (func)) (table 1 funcref) (elem (i32.const 0) $f)'
        ' (func $f (type $void)) (func (export "run") (call_indirect (type $void) (i32.const 0))))'
    )
    assert _run(rt, wasm, ctx).ok


def test_stack_overflow_is_a_clean_trap(rt, ctx):
    wasm = wat(
        '(module (memory (export "memory") 1)'
        ' (func $f (param i64) (result i64) (i64.add (call $f (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))'
        ' (func (export "run") (drop (call $f (i64.const 0)))))'
    )
    mod = rt.compile(wasm)
    for _ in range(3):  # the process and the module survive it
        out = mod.run("run", context=ctx, storage=InMemoryStorage())
        assert (out.error.type, out.error.kind) == ("WasmTrap", "StackOverflow")


@pytest.mark.capability(Capability.STACK_LIMIT)
def test_stack_limit_follows_max_stack_size(make_runtime, ctx):
    """A recursion depth that fits the default stack overflows a much smaller one."""
    probe = make_runtime()
    wasm = wat(
        '(module (memory (export "memory") 1)'
        ' (func $f (param i32) (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1))))))'
        ' (func (export "run") (call $f (i32.const 500))))'
    )
    assert _run(probe, wasm, ctx).ok
    small = make_runtime(limits=VMLimits(max_stack_size=4096))
    out = _run(small, wasm, ctx)
    assert (out.error.type, out.error.kind) == ("WasmTrap", "StackOverflow")


def test_trap_discards_storage_writes_and_keeps_logs(rt, ctx):
    mem = Mem()
    msg = mem.buf(b"before")
    key, val = mem.buf(b"k"), mem.buf(b"v")
    wasm = module(
        f'(func (export "run") (call $log_utf8 (i64.const {msg}))'
        f' (drop (call $storage_write (i64.const {key}) (i64.const {val}) (i64.const 0))) (unreachable))',
        imports=("log_utf8", "storage_write"), mem=mem,
    )
    store = InMemoryStorage({b"old": b"x"})
    out = _run(rt, wasm, ctx, storage=store)
    assert out.error.kind == "Unreachable"
    assert out.logs == ("before",)
    assert list(store.items()) == [(b"old", b"x")]
    assert out.storage_delta == {}


# -- gas ----------------------------------------------------------------------------------------------


@pytest.mark.capability(Capability.FUEL)
def test_infinite_loop_exhausts_gas(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=1_000_000))
    wasm = wat('(module (memory (export "memory") 1) (func (export "run") (loop $l (br $l))))')
    started = time.monotonic()
    out = _run(rt, wasm, ctx)
    assert out.error.type == "GasExhausted"
    assert out.error.kind == "GasExhausted"
    assert out.error.details["limit"] == 1_000_000
    assert dict(out.error.details) == {"limit": 1_000_000}
    assert out.error.to_json() == {"type": "GasExhausted", "data": {"limit": 1_000_000}}
    assert out.gas_used == 1_000_000
    assert out.returns is None
    assert time.monotonic() - started < 10


@pytest.mark.capability(Capability.FUEL)
def test_gas_exhaustion_is_checked_before_other_trap_kinds(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=50_000))
    # spins until the budget is gone; would otherwise end in `unreachable`
    wasm = wat(
        '(module (memory (export "memory") 1) (func (export "run") (local i32)'
        ' (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))'
        '  (br_if $l (i32.lt_u (local.get 0) (i32.const 100000000)))) (unreachable)))'
    )
    out = _run(rt, wasm, ctx)
    assert out.error.type == "GasExhausted"


@pytest.mark.capability(Capability.FUEL)
def test_gas_used_on_success(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=1_000_000))
    loop = (
        '(module (memory (export "memory") 1) (func (export "run") (local i32)'
        ' (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))'
        "  (br_if $l (i32.lt_u (local.get 0) (i32.const {n}))))))"
    )
    small = _run(rt, wat(loop.format(n=10)), ctx)
    big = _run(rt, wat(loop.format(n=1000)), ctx)
    assert small.ok and big.ok
    assert isinstance(small.gas_used, int) and isinstance(big.gas_used, int)
    assert 0 < small.gas_used < big.gas_used < 1_000_000
    # deterministic: the same call costs the same
    assert _run(rt, wat(loop.format(n=1000)), ctx).gas_used == big.gas_used


@pytest.mark.capability(Capability.FUEL)
def test_loop_that_fits_the_budget_succeeds(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=1_000_000))
    wasm = wat(
        '(module (memory (export "memory") 1) (func (export "run") (local i32)'
        ' (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))'
        '  (br_if $l (i32.lt_u (local.get 0) (i32.const 10000))))))'
    )
    out = _run(rt, wasm, ctx)
    assert out.ok, out.error
    assert out.gas_used < 1_000_000


@pytest.mark.capability(Capability.FUEL)
def test_gas_budget_is_per_call(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=100_000))
    wasm = wat(
        '(module (memory (export "memory") 1) (func (export "run") (local i32)'
        ' (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))'
        '  (br_if $l (i32.lt_u (local.get 0) (i32.const 5000))))))'
    )
    mod = rt.compile(wasm)
    for _ in range(50):  # 50 x (more than 1/50 of the budget): fails if the budget were shared
        out = mod.run("run", context=ctx, storage=InMemoryStorage())
        assert out.ok, out.error


# -- memory caps --------------------------------------------------------------------------------------


def _grow_guest(grows: list[int]) -> bytes:
    """Grows by each delta in turn, stores each memory.grow result (i32), then memory.size; returns them."""
    mem = Mem(start=0)
    n = len(grows) + 1
    out_ptr = mem.raw(bytes(4 * n))
    vret = mem.vret_span(0, out_ptr, 4 * n)
    steps = " ".join(
        f"(i32.store (i32.const {out_ptr + 4 * i}) (memory.grow (i32.const {d})))" for i, d in enumerate(grows)
    )
    body = (f'(func (export "run") {steps} (i32.store (i32.const {out_ptr + 4 * len(grows)}) (memory.size))'
            f" (call $value_return (i64.const {vret})))")
    return module(body, imports=("value_return",), mem=mem)


def _ints(out: Outcome) -> list[int]:
    assert out.ok, out.error
    return list(struct.unpack(f"<{len(out.returns) // 4}i", out.returns))


@pytest.mark.capability(Capability.MEMORY_LIMIT)
def test_memory_grow_past_the_cap_returns_minus_one(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_memory_pages=4))
    out = _run(rt, _grow_guest([10, 3, 1, 0]), ctx)
    # +10 refused, +3 ok (old size 1), +1 refused (would be 5), +0 ok; final size 4
    assert _ints(out) == [-1, 1, -1, 4, 4]


@pytest.mark.capability(Capability.MEMORY_LIMIT)
def test_memory_bomb_with_default_limits_never_allocates(rt, ctx):
    started = time.monotonic()
    out = _run(rt, _grow_guest([65535, 60000, 1024]), ctx)
    # default max_memory_pages = 1024 (64 MiB): all three refused, memory stays at 1 page
    assert _ints(out) == [-1, -1, -1, 1]
    assert time.monotonic() - started < 5


@pytest.mark.capability(Capability.MEMORY_LIMIT)
def test_memory_grow_up_to_the_cap(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_memory_pages=16))
    assert _ints(_run(rt, _grow_guest([15, 1]), ctx)) == [1, -1, 16]


def test_declared_maximum_below_the_cap_still_applies(rt, ctx):
    wasm = _grow_guest([1, 1])
    wasm = wasm.replace(b"\x05\x03\x01\x00\x01", b"\x05\x04\x01\x01\x01\x02")  # memory 1 -> memory 1 2
    assert _ints(_run(rt, wasm, ctx)) == [1, -1, 2]


@pytest.mark.capability(Capability.MEMORY_LIMIT)
def test_initial_memory_above_the_cap_fails_cleanly(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_memory_pages=4))
    wasm = wat('(module (memory (export "memory") 10) (func (export "run")))')
    store = InMemoryStorage({b"a": b"1"})
    out = _run(rt, wasm, ctx, storage=store)
    assert isinstance(out, Outcome)
    assert not out.ok
    assert out.error.type in ("LinkError", "WasmTrap", "HostError")
    assert out.returns is None
    assert list(store.items()) == [(b"a", b"1")]
    # at the cap exactly is fine
    assert _run(rt, wat('(module (memory (export "memory") 4) (func (export "run")))'), ctx).ok


def test_huge_initial_memory_with_default_limits_fails_cleanly(rt, ctx):
    wasm = wat('(module (memory (export "memory") 65536) (func (export "run")))')  # 4 GiB
    out = _run(rt, wasm, ctx)
    assert isinstance(out, Outcome) and not out.ok


# -- return values ------------------------------------------------------------------------------------


def test_trap_after_value_return_discards_the_value(rt, ctx):
    mem = Mem()
    vret = mem.vret(0, b"result")
    wasm = module(f'(func (export "run") (call $value_return (i64.const {vret})) (unreachable))',
                  imports=("value_return",), mem=mem)
    out = _run(rt, wasm, ctx)
    assert out.returns is None
    assert (out.error.type, out.error.kind) == ("WasmTrap", "Unreachable")


def test_host_error_after_value_return_discards_the_value(rt, ctx):
    mem = Mem()
    vret = mem.vret(0, b"result")
    wasm = module(f'(func (export "run") (call $value_return (i64.const {vret}))'
                  f' (call $value_return (i64.const 70000)))',  # descriptor out of bounds
                  imports=("value_return",), mem=mem)
    out = _run(rt, wasm, ctx)
    assert out.returns is None
    assert (out.error.type, out.error.kind) == ("HostError", "InvalidMemoryAccess")


def test_value_return_ok(rt, ctx):
    mem = Mem()
    vret = mem.vret(0, b"\x00binary\xff")
    wasm = module(f'(func (export "run") (call $value_return (i64.const {vret})))', imports=("value_return",),
                  mem=mem)
    out = _run(rt, wasm, ctx)
    assert out.ok and out.error is None
    assert out.returns == b"\x00binary\xff"


def test_no_value_return_is_none(rt, ctx):
    out = _run(rt, wat('(module (memory (export "memory") 1) (func (export "run")))'), ctx)
    assert out.ok and out.returns is None


def test_last_value_return_wins(rt, ctx):
    mem = Mem()
    first, second = mem.vret(1, b"err"), mem.vret(0, b"ok")
    wasm = module(f'(func (export "run") (call $value_return (i64.const {first}))'
                  f' (call $value_return (i64.const {second})))', imports=("value_return",), mem=mem)
    out = _run(rt, wasm, ctx)
    assert out.ok and out.returns == b"ok"


def test_guest_err_is_an_execution_error(rt, ctx):
    mem = Mem()
    payload = b'{"error":"nope"}\x00\xff'
    vret = mem.vret(1, payload)
    key, val = mem.buf(b"k"), mem.buf(b"v")
    wasm = module(
        f'(func (export "run") (drop (call $storage_write (i64.const {key}) (i64.const {val}) (i64.const 0)))'
        f" (call $value_return (i64.const {vret})))",
        imports=("value_return", "storage_write"), mem=mem,
    )
    store = InMemoryStorage()
    out = _run(rt, wasm, ctx, storage=store)
    assert not out.ok
    assert out.error.type == "ExecutionError"
    assert out.error.data == payload
    assert isinstance(out.error.data, bytes)
    assert out.returns is None
    assert out.error.to_json() == {"type": "ExecutionError", "data": list(payload)}
    assert list(store.items()) == [] and out.storage_delta == {}


def test_guest_err_with_empty_payload(rt, ctx):
    mem = Mem()
    vret = mem.vret(1, b"")
    wasm = module(f'(func (export "run") (call $value_return (i64.const {vret})))', imports=("value_return",),
                  mem=mem)
    out = _run(rt, wasm, ctx)
    assert out.error.type == "ExecutionError"
    assert out.error.data == b""
    assert out.returns is None
