"""System host functions (ABI.md §3.1): panics, identity, input, value_return, migration witness."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, Location, VMContext, VMLimits

from .guests import NONE, PAGE, VR, Buf, Desc, Guest, Loc, check_group, host_error, run

NAMES = ["panic", "panic_utf8", "context_id", "account_id", "device_id", "executor_id", "xcall_origin",
         "input", "value_return", "emit_migration_witness"]

ACCOUNT = b"\xaa" * 32
DEVICE = b"\x07" * 32
CONTEXT = bytes(range(32))
ORIGIN = b"\x5c" * 32


@pytest.fixture
def ident() -> VMContext:
    return VMContext(context_id=CONTEXT, executor_public_key=DEVICE, account_id=ACCOUNT)


def test_group_and_signatures(rt):
    check_group(rt, "system", NAMES)


# -- panic ------------------------------------------------------------------------------------------


def test_panic_reports_guest_panic_with_location(gen, rt, ctx):
    g = Guest(gen)
    f = g.buf(b"src/lib.rs")
    g.do("panic", Loc(f.ptr, f.len, 7, 3))
    out = run(rt, g, ctx)
    host_error(out, "Panic")
    assert out.error.context == "Guest"
    assert out.error.location == Location("src/lib.rs", 7, 3)
    assert out.error.details["message"] == "explicit panic"
    assert out.error.message == "guest panicked: explicit panic at src/lib.rs:7:3"


def test_panic_line_and_column_are_u32(gen, rt, ctx):
    g = Guest(gen)
    f = g.buf(b"a.rs")
    g.do("panic", Loc(f.ptr, f.len, 2**32 - 1, 2**31))
    out = run(rt, g, ctx)
    host_error(out, "Panic")
    assert out.error.location == Location("a.rs", 2**32 - 1, 2**31)


def test_panic_unknown_location(gen, rt, ctx):
    g = Guest(gen)
    g.do("panic", Loc(0, 0, 0, 0))
    out = run(rt, g, ctx)
    host_error(out, "Panic")
    assert out.error.location == Location("", 0, 0)


def test_panic_file_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    f = g.buf(b"src/\xff.rs")
    g.do("panic", Loc(f.ptr, f.len, 1, 1))
    host_error(run(rt, g, ctx), "BadUTF8")


@pytest.mark.parametrize("ptr,length", [(PAGE - 3, 4), (2**64 - 1, 1), (16, 2**64 - 1)])
def test_panic_file_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("panic", Loc(ptr, length, 1, 1))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("addr", [PAGE - 23, PAGE, 2**64 - 1])
def test_panic_location_descriptor_out_of_bounds(rt, ctx, addr):
    g = Guest(CURRENT)
    g.do("panic", Desc(addr))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_panic_utf8_message_and_location(gen, rt, ctx):
    g = Guest(gen)
    m = g.buf("héllo ✓".encode())
    f = g.buf(b"main.rs")
    g.do("panic_utf8", m, Loc(f.ptr, f.len, 42, 9))
    out = run(rt, g, ctx)
    host_error(out, "Panic")
    assert out.error.context == "Guest"
    assert out.error.details["message"] == "héllo ✓"
    assert out.error.location == Location("main.rs", 42, 9)
    assert out.error.message == "guest panicked: héllo ✓ at main.rs:42:9"


@pytest.mark.parametrize("bad", ["message", "file"])
def test_panic_utf8_bad_utf8(gen, rt, ctx, bad):
    g = Guest(gen)
    m = g.buf(b"\xc3\x28" if bad == "message" else b"ok")
    f = g.buf(b"\xfe" if bad == "file" else b"f.rs")
    g.do("panic_utf8", m, Loc(f.ptr, f.len, 1, 1))
    host_error(run(rt, g, ctx), "BadUTF8")


@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1), (16, 2**64 - 16)])
def test_panic_utf8_message_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    f = g.buf(b"f.rs")
    g.do("panic_utf8", Buf(ptr, length), Loc(f.ptr, f.len, 1, 1))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_panic_utf8_location_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("panic_utf8", g.buf(b"boom"), Desc(PAGE - 8))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_panic_discards_an_earlier_return_value(gen, rt, ctx):
    g = Guest(gen)
    v = g.buf(b"value")
    g.do("value_return", VR(0, v.ptr, v.len))
    g.do("panic", Loc(0, 0, 0, 0))
    out = run(rt, g, ctx, auto_return=False)
    host_error(out, "Panic")


# -- identity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,expected", [
    ("context_id", CONTEXT), ("account_id", ACCOUNT), ("device_id", DEVICE), ("executor_id", ACCOUNT),
])
def test_identity_registers(gen, rt, ident, name, expected):
    g = Guest(gen)
    g.do(name, 5)
    g.register(5, 32)
    assert g.unpack(run(rt, g, ident).returns) == [32, 1, expected]


def test_executor_id_without_account_split_is_the_device_key(gen, rt):
    ctx = VMContext(context_id=CONTEXT, executor_public_key=DEVICE)
    g = Guest(gen)
    g.do("executor_id", 1)
    g.register(1, 32)
    assert g.unpack(run(rt, g, ctx).returns) == [32, 1, DEVICE]


@pytest.mark.parametrize("name", ["context_id", "account_id", "device_id", "executor_id", "input"])
def test_identity_and_input_obey_register_limits(gen, make_runtime, ident, name):
    rt = make_runtime(limits=VMLimits(max_registers=0))
    g = Guest(gen)
    g.do(name, 1)
    host_error(run(rt, g, ident), "InvalidMemoryAccess")


def test_identity_any_u64_register_id(gen, rt, ident):
    g = Guest(gen)
    g.do("context_id", 2**64 - 1)
    g.register(2**64 - 1, 32)
    assert g.unpack(run(rt, g, ident).returns) == [32, 1, CONTEXT]


def test_xcall_origin_absent(gen, rt, ident):
    g = Guest(gen)
    g.keep("xcall_origin", 3)
    g.keep("register_len", 3)
    assert g.unpack(run(rt, g, ident).returns) == [0, -1]


def test_xcall_origin_absent_leaves_register_untouched(gen, rt, ident):
    g = Guest(gen)
    g.do("account_id", 3)
    g.keep("xcall_origin", 3)
    g.register(3, 32)
    assert g.unpack(run(rt, g, ident).returns) == [0, 32, 1, ACCOUNT]


def test_xcall_origin_present(gen, rt):
    ctx = VMContext(context_id=CONTEXT, executor_public_key=DEVICE, xcall_origin=ORIGIN)
    g = Guest(gen)
    g.keep("xcall_origin", 3)
    g.register(3, 32)
    assert g.unpack(run(rt, g, ctx).returns) == [1, 32, 1, ORIGIN]


def test_xcall_origin_register_limits(gen, make_runtime):
    rt = make_runtime(limits=VMLimits(max_register_size=31, max_registers_capacity=100))
    ctx = VMContext(context_id=CONTEXT, executor_public_key=DEVICE, xcall_origin=ORIGIN)
    g = Guest(gen)
    g.keep("xcall_origin", 3)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- input ------------------------------------------------------------------------------------------


def test_input_to_register(gen, rt, ctx):
    g = Guest(gen)
    g.do("input", 9)
    g.register(9, 11)
    out = run(rt, g, ctx, input=b'{"a":"xyz"}')
    assert g.unpack(out.returns) == [11, 1, b'{"a":"xyz"}']


def test_empty_input_creates_empty_register(gen, rt, ctx):
    g = Guest(gen)
    g.keep("register_len", 9)
    g.do("input", 9)
    g.keep("register_len", 9)
    g.read_register(9, 0)
    assert g.unpack(run(rt, g, ctx).returns) == [-1, 0, 1, b""]


def test_input_over_max_register_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=4, max_registers_capacity=100))
    g = Guest(gen)
    g.do("input", 0)
    host_error(run(rt, g, ctx, input=b"12345"), "InvalidMemoryAccess")
    assert run(rt, g, ctx, input=b"1234").ok


# -- value_return -----------------------------------------------------------------------------------


def test_value_return_ok(gen, rt, ctx):
    g = Guest(gen)
    v = g.buf(b"\x00result\xff")
    g.do("value_return", VR(0, v.ptr, v.len))
    out = run(rt, g, ctx, auto_return=False)
    assert out.ok and out.returns == b"\x00result\xff"


def test_value_return_err_is_execution_error(gen, rt, ctx):
    g = Guest(gen)
    v = g.buf(b'{"error":"nope"}')
    g.do("value_return", VR(1, v.ptr, v.len))
    out = run(rt, g, ctx, auto_return=False)
    assert not out.ok and out.returns is None
    assert (out.error.type, out.error.kind) == ("ExecutionError", "ExecutionError")
    assert out.error.data == b'{"error":"nope"}'


def test_value_return_last_call_wins(gen, rt, ctx):
    g = Guest(gen)
    a, b = g.buf(b"first"), g.buf(b"second")
    g.do("value_return", VR(1, a.ptr, a.len))
    g.do("value_return", VR(0, b.ptr, b.len))
    out = run(rt, g, ctx, auto_return=False)
    assert out.ok and out.returns == b"second"


def test_value_return_empty_and_absent(gen, rt, ctx):
    g = Guest(gen)
    g.do("value_return", VR(0, 0, 0))
    out = run(rt, g, ctx, auto_return=False)
    assert out.ok and out.returns == b""
    g = Guest(gen)
    g.do("context_id", 1)
    out = run(rt, g, ctx, auto_return=False)
    assert out.ok and out.returns is None


@pytest.mark.parametrize("tag", [2, 2**64 - 1, 2**32])
def test_value_return_bad_tag(gen, rt, ctx, tag):
    g = Guest(gen)
    v = g.buf(b"x")
    g.do("value_return", VR(tag, v.ptr, v.len))
    out = run(rt, g, ctx, auto_return=False)
    host_error(out, "DeserializationError" if gen == CURRENT else "InvalidMemoryAccess")


def test_value_return_tag_checked_before_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_return_value_size=4))
    g = Guest(gen)
    g.do("value_return", VR(7, 2**64 - 1, 100))
    out = run(rt, g, ctx, auto_return=False)
    host_error(out, "DeserializationError" if gen == CURRENT else "InvalidMemoryAccess")


def test_value_return_size_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_return_value_size=4))
    g = Guest(gen)
    v = g.buf(b"12345")
    g.do("value_return", VR(0, v.ptr, v.len))
    host_error(run(rt, g, ctx, auto_return=False), "ReturnValueSizeOverflow", size=5, max=4)
    g = Guest(gen)
    v = g.buf(b"1234")
    g.do("value_return", VR(1, v.ptr, v.len))
    out = run(rt, g, ctx, auto_return=False)
    assert out.error.type == "ExecutionError" and out.error.data == b"1234"


def test_value_return_size_checked_before_reading(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_return_value_size=4))
    g = Guest(gen)
    g.do("value_return", VR(0, 2**64 - 1, 2**64 - 1))
    host_error(run(rt, g, ctx, auto_return=False), "ReturnValueSizeOverflow", size=2**64 - 1, max=4)


@pytest.mark.parametrize("ptr,length", [(PAGE - 2, 3), (2**64 - 1, 1), (2**63, 0)])
def test_value_return_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("value_return", VR(0, ptr, length))
    host_error(run(rt, g, ctx, auto_return=False), "InvalidMemoryAccess")


def test_value_return_zero_length_at_end_of_memory_is_fine(gen, rt, ctx):
    g = Guest(gen)
    g.do("value_return", VR(0, PAGE, 0))
    out = run(rt, g, ctx, auto_return=False)
    assert out.ok and out.returns == b""


@pytest.mark.parametrize("addr", [PAGE - 16, 2**64 - 8])
def test_value_return_descriptor_out_of_bounds(rt, ctx, addr):
    g = Guest(CURRENT)
    g.do("value_return", Desc(addr))
    host_error(run(rt, g, ctx, auto_return=False), "InvalidMemoryAccess")


def test_trap_after_value_return_discards_it(gen, rt, ctx):
    g = Guest(gen)
    v = g.buf(b"ok")
    g.do("value_return", VR(0, v.ptr, v.len))
    g.trap()
    out = run(rt, g, ctx, auto_return=False)
    assert (out.error.type, out.error.kind) == ("WasmTrap", "Unreachable")
    assert out.returns is None


# -- emit_migration_witness -------------------------------------------------------------------------


def test_migration_witness_last_wins(gen, rt, ctx):
    g = Guest(gen)
    g.do("emit_migration_witness", g.buf(b"one"))
    g.do("emit_migration_witness", g.buf(b"\x00two"))
    out = run(rt, g, ctx)
    assert out.ok and out.migration_witness == b"\x00two"


def test_migration_witness_absent_and_empty(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_id", 0)
    assert run(rt, g, ctx).migration_witness is None
    g = Guest(gen)
    g.do("emit_migration_witness", NONE)
    assert run(rt, g, ctx).migration_witness == b""


def test_migration_witness_value_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_storage_value_size=3))
    g = Guest(gen)
    g.do("emit_migration_witness", g.buf(b"abcd"))
    host_error(run(rt, g, ctx), "ValueLengthOverflow")
    g = Guest(gen)
    g.do("emit_migration_witness", g.buf(b"abc"))
    assert run(rt, g, ctx).migration_witness == b"abc"


def test_migration_witness_reads_before_the_cap(gen, make_runtime, ctx):
    """ABI.md §3.1: "reads bytes, then > max_storage_value_size": an OOB oversized buffer is an
    InvalidMemoryAccess, not a ValueLengthOverflow."""
    rt = make_runtime(limits=VMLimits(max_storage_value_size=3))
    g = Guest(gen)
    g.do("emit_migration_witness", Buf(PAGE - 2, 4))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_migration_witness_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("emit_migration_witness", Desc(PAGE - 15))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
