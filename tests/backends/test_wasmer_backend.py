"""The wasmer backend's plumbing: trap classification, memory cap, memory views, host-call stack
guard, threads, and parity with wasmtime on the example app.

Tests that go through the public API run on every engine under test (the ``rt``/``engine``
fixtures), so each one states the behaviour both backends must share. Tests of wasmer internals
are deselected where wasmer is not importable (CPython 3.11+; they run in tox's py310-wasmer); pure helpers run everywhere.
"""

from __future__ import annotations

import contextlib
import json
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
import wasmtime

from calimero_runtime import InMemoryStorage, Runtime, VMContext, VMLimits
from calimero_runtime.backends import wasmer as wasmer_backend
from calimero_runtime.engine import Capability, EngineConfig, EngineTrap, HostImport
from calimero_runtime.errors import CompileError
from tests.conftest import EXAMPLE_WASM, wat

HAVE_WASMER = wasmer_backend.availability()[0]
needs_wasmer = pytest.mark.when(HAVE_WASMER, reason="wasmer-python needs CPython 3.10")


def u64s(*values: int) -> str:
    """WAT data-string escapes for little-endian u64 values."""
    return "".join(f"\\{b:02x}" for b in struct.pack(f"<{len(values)}Q", *values))


def run(rt: Runtime, ctx: VMContext, source: str, method: str = "go", **kwargs: Any) -> Any:
    return rt.compile(wat(source)).run(method, context=ctx, storage=InMemoryStorage(), **kwargs)


def module(body: str, extra: str = "") -> str:
    return f'(module {extra} (memory (export "memory") 1) (func (export "go") {body}))'


# -- trap classification ------------------------------------------------------------------------

TABLE = """(type $v (func)) (type $i (func (param i32)))
  (table 2 funcref) (elem (i32.const 0) $f) (func $f)"""

TRAPS = {
    "unreachable": ("Unreachable", module("unreachable")),
    "div_s_by_zero": ("IllegalArithmetic", module("(drop (i32.div_s (i32.const 1) (i32.const 0)))")),
    "div_u_by_zero_i64": ("IllegalArithmetic", module("(drop (i64.div_u (i64.const 1) (i64.const 0)))")),
    "rem_s_by_zero": ("IllegalArithmetic", module("(drop (i32.rem_s (i32.const 1) (i32.const 0)))")),
    "div_overflow": ("IllegalArithmetic", module("(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))")),
    "div_overflow_i64": ("IllegalArithmetic",
                         module("(drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))")),
    "trunc_nan": ("IllegalArithmetic", module("(drop (i32.trunc_f32_s (f32.const nan)))")),
    "trunc_out_of_range": ("IllegalArithmetic", module("(drop (i32.trunc_f64_s (f64.const 1e10)))")),
    "trunc_inf_u64": ("IllegalArithmetic", module("(drop (i64.trunc_f64_u (f64.const inf)))")),
    "load_oob": ("MemoryOutOfBounds", module("(drop (i32.load (i32.const 65535)))")),
    "store_oob": ("MemoryOutOfBounds", module("(i64.store (i32.const -1) (i64.const 1))")),
    "fill_oob": ("MemoryOutOfBounds", module("(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000))")),
    "copy_oob": ("MemoryOutOfBounds", module("(memory.copy (i32.const 0) (i32.const 65000) (i32.const 1000))")),
    "call_indirect_null": ("IndirectCallToNull", module("(call_indirect (type $v) (i32.const 1))", TABLE)),
    "call_indirect_signature": ("BadSignature",
                                module("(call_indirect (type $i) (i32.const 7) (i32.const 0))", TABLE)),
    "call_indirect_table_oob": ("MemoryOutOfBounds", module("(call_indirect (type $v) (i32.const 5))", TABLE)),
    "stack_overflow": ("StackOverflow", '''(module (memory (export "memory") 1)
        (func $r (export "go") (call $r)))'''),
    "stack_overflow_with_locals": ("StackOverflow", '''(module (memory (export "memory") 1)
        (func $r (export "go") (local i64 i64 i64 i64) (call $r)))'''),
}


@pytest.mark.parametrize("case", sorted(TRAPS))
def test_trap_kinds(rt: Runtime, ctx: VMContext, case: str) -> None:
    kind, source = TRAPS[case]
    out = run(rt, ctx, source)
    assert out.error is not None, case
    assert (out.error.type, out.error.kind) == ("WasmTrap", kind)
    assert out.error.message.startswith(f"wasm trap: {kind}: ")
    assert "\n" not in out.error.message  # never the (huge) backtrace
    assert out.storage_delta == {}


def test_trap_in_start_function(rt: Runtime, ctx: VMContext) -> None:
    out = run(rt, ctx, '(module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "go")))')
    assert (out.error.type, out.error.kind) == ("WasmTrap", "Unreachable")


def test_stack_overflow_in_start_function(rt: Runtime, ctx: VMContext) -> None:
    out = run(rt, ctx, '(module (memory (export "memory") 1) (func $s (call $s)) (start $s) (func (export "go")))')
    assert (out.error.type, out.error.kind) == ("WasmTrap", "StackOverflow")


@pytest.mark.parametrize("segment", ['(data (i32.const 65535) "ab")', "(table 1 funcref) (elem (i32.const 1) $f) (func $f)"])
def test_segment_out_of_bounds_at_instantiation(rt: Runtime, ctx: VMContext, segment: str) -> None:
    out = run(rt, ctx, f'(module (memory (export "memory") 1) {segment} (func (export "go")))')
    assert (out.error.type, out.error.kind) == ("WasmTrap", "MemoryOutOfBounds")


def test_trap_after_writes_drops_them(rt: Runtime, ctx: VMContext) -> None:
    # storage_write(key Buffer*, value Buffer*, reg) then a trap: nothing is applied.
    source = f'''(module
      (import "env" "storage_write" (func $w (param i64 i64 i64) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "{u64s(64, 1, 65, 1)}")
      (data (i32.const 64) "kv")
      (func (export "go") (drop (call $w (i64.const 0) (i64.const 16) (i64.const 0))) unreachable))'''
    storage = InMemoryStorage()
    out = rt.compile(wat(source)).run("go", context=ctx, storage=storage)
    assert (out.error.type, out.error.kind) == ("WasmTrap", "Unreachable")
    assert out.storage_delta == {} and dict(storage.items()) == {}


# -- native stack: recursion through host calls ---------------------------------------------------

RECURSE_WITH_HOST_CALLS = '''(module
  (import "env" "register_len" (func $len (param i64) (result i64)))
  (memory (export "memory") 1)
  (func $r (export "go") (drop (call $len (i64.const 3))) (call $r)))'''


def _python_depth() -> int:
    depth = 0

    def dive() -> None:
        nonlocal depth
        depth += 1
        dive()

    with contextlib.suppress(RecursionError):
        dive()
    return depth


def test_recursion_through_host_calls_is_a_clean_stack_overflow(rt: Runtime, ctx: VMContext) -> None:
    """wasmer unwinds a stack overflow with longjmp; inside a host function that would skip live
    Python frames. The host-call guard must end the call first, leaving the interpreter intact."""
    frame, depth = sys._getframe(), _python_depth()
    for _ in range(2):
        out = run(rt, ctx, RECURSE_WITH_HOST_CALLS)
        assert (out.error.type, out.error.kind) == ("WasmTrap", "StackOverflow")
        assert sys._getframe() is frame
        assert _python_depth() == depth
    ok = run(rt, ctx, module("nop"))
    assert ok.error is None


def test_stack_overflow_on_a_small_thread(make_runtime: Callable[..., Runtime], ctx: VMContext) -> None:
    rt = make_runtime()
    compiled = rt.compile(wat(RECURSE_WITH_HOST_CALLS))
    results: list[Any] = []

    def work() -> None:
        frame, depth = sys._getframe(), _python_depth()
        results.append(compiled.run("go", context=ctx, storage=InMemoryStorage()))
        results.append(compiled.run("go", context=ctx, storage=InMemoryStorage()))
        results.append(sys._getframe() is frame and _python_depth() == depth)

    previous = threading.stack_size(1 << 20)
    try:
        t = threading.Thread(target=work)
        t.start()
        t.join()
    finally:
        threading.stack_size(previous)
    assert [(o.error.type, o.error.kind) for o in results[:2]] == [("WasmTrap", "StackOverflow")] * 2
    assert results[2] is True  # the thread's interpreter state survived


# -- threads ------------------------------------------------------------------------------------


def test_module_compiled_on_one_thread_runs_on_others(rt: Runtime, ctx: VMContext) -> None:
    compiled = rt.compile(EXAMPLE_WASM.read_bytes())
    storage = InMemoryStorage()
    outs: list[Any] = []

    def call(method: str, data: bytes) -> None:
        outs.append(compiled.run(method, input=data, context=ctx, storage=storage))

    for method, data in [("init", b""), ("set", b'{"key":"a","value":"b"}'), ("get", b'{"key":"a"}')]:
        t = threading.Thread(target=call, args=(method, data))
        t.start()
        t.join()
    call("get", b'{"key":"a"}')
    assert [o.error for o in outs] == [None] * 4
    assert outs[2].returns == outs[3].returns == b'"b"'


# -- memory ---------------------------------------------------------------------------------------


def grow_module(pages: str, grow: int) -> str:
    # memory.grow's result is returned as 8 bytes through value_return (ValueReturn at 0).
    return f'''(module
      (import "env" "value_return" (func $ret (param i64)))
      (memory (export "memory") {pages})
      (data (i32.const 0) "{u64s(0, 64, 8)}")
      (func (export "go")
        (i64.store (i32.const 64) (i64.extend_i32_s (memory.grow (i32.const {grow}))))
        (call $ret (i64.const 0))))'''


def grown(out: Any) -> int:
    assert out.error is None, out.error
    value: int = struct.unpack("<q", out.returns)[0]
    return value


@pytest.mark.parametrize(
    ("pages", "grow", "result"),
    [("1", 3, 1), ("1", 4, -1), ("1 3", 2, 1), ("1 3", 3, -1), ("1 100", 4, -1), ("2 2", 1, -1), ("4", 0, 4)],
)
def test_memory_grow_is_capped_by_max_memory_pages(
    make_runtime: Callable[..., Runtime], ctx: VMContext, pages: str, grow: int, result: int
) -> None:
    rt = make_runtime(limits=VMLimits(max_memory_pages=4))
    assert grown(run(rt, ctx, grow_module(pages, grow))) == result


def test_memory_grow_uncapped_by_default(rt: Runtime, ctx: VMContext) -> None:
    assert grown(run(rt, ctx, grow_module("1", 100))) == 1
    assert grown(run(rt, ctx, grow_module("1", 1024))) == -1  # default max_memory_pages = 1024


@pytest.mark.parametrize("pages", ["5", "5 10"])
def test_initial_memory_above_the_cap_is_a_link_error(
    make_runtime: Callable[..., Runtime], ctx: VMContext, pages: str
) -> None:
    rt = make_runtime(limits=VMLimits(max_memory_pages=4))
    out = run(rt, ctx, grow_module(pages, 0))
    assert (out.error.type, out.error.kind) == ("LinkError", "LinkError")
    assert out.error.message == "memory minimum size of 5 pages exceeds memory limits"


def test_host_functions_see_memory_grown_by_the_guest(rt: Runtime, ctx: VMContext) -> None:
    """The backend caches its view of memory: after memory.grow, host reads and writes in the new
    pages must work (refresh on a miss) and land where the guest sees them."""
    page = 65536
    source = f'''(module
      (import "env" "random_bytes" (func $rand (param i64)))
      (import "env" "value_return" (func $ret (param i64)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\\01")
      (func (export "go")
        (if (i32.ne (memory.grow (i32.const 2)) (i32.const 1)) (then unreachable))
        ;; BufferMut{{2*PAGE+100, 32}} at PAGE+8, ValueReturn{{0, PAGE+200, 40}} at 2*PAGE+8
        (i64.store (i32.const {page + 8}) (i64.const {2 * page + 100}))
        (i64.store (i32.const {page + 16}) (i64.const 32))
        (call $rand (i64.const {page + 8}))
        (memory.copy (i32.const {page + 200}) (i32.const {2 * page + 100}) (i32.const 32))
        (i64.store (i32.const {page + 232}) (i64.load (i32.const 0)))
        (i64.store (i32.const {2 * page + 8}) (i64.const 0))
        (i64.store (i32.const {2 * page + 16}) (i64.const {page + 200}))
        (i64.store (i32.const {2 * page + 24}) (i64.const 40))
        (call $ret (i64.const {2 * page + 8}))))'''
    out = run(rt, ctx, source)
    assert out.error is None, out.error
    assert len(out.returns) == 40 and out.returns[32:] == b"\x01" + bytes(7)
    assert out.returns[:32] != bytes(32)
    # reading past the grown end is still refused
    beyond = source.replace(f"(i64.const {2 * page + 8}))))", f"(i64.const {3 * page - 8}))))")
    bad = run(rt, ctx, beyond)
    assert (bad.error.type, bad.error.kind) == ("HostError", "InvalidMemoryAccess")


# -- compile errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("blob", [b"\0asm\x01\0\0\0\x05", b"\0asm\x02\0\0\0", b"not wasm at all"])
def test_invalid_modules_do_not_compile(rt: Runtime, blob: bytes) -> None:
    with pytest.raises(CompileError) as info:
        rt.compile(blob)
    assert info.value.type == "CompilationError"
    assert "\n" not in info.value.message


def test_gas_is_reported_only_where_metered(rt: Runtime, ctx: VMContext, engine: str) -> None:
    out = run(rt, ctx, module("nop"))
    assert out.error is None
    if engine == "wasmer":
        assert out.gas_used is None
    else:
        assert isinstance(out.gas_used, int)


# -- pure helpers (every interpreter) -------------------------------------------------------------


def _memory_limits(wasm: bytes) -> tuple[int, int | None]:
    engine = wasmtime.Engine()
    ty = next(e.type for e in wasmtime.Module(engine, wasm).exports if isinstance(e.type, wasmtime.MemoryType))
    return ty.limits.min, ty.limits.max


@pytest.mark.parametrize(
    ("decl", "cap", "expected"),
    [("1", 4, (1, 4)), ("1 2", 4, (1, 2)), ("1 100", 4, (1, 4)), ("5", 4, (5, None)), ("5 9", 4, (5, 9)),
     ("0", 0, (0, 0)), ("1", 65536, (1, None)), ("1 70", 200, (1, 70)), ("300", 1024, (300, 1024))],
)
def test_cap_memory_maximum(decl: str, cap: int, expected: tuple[int, int | None]) -> None:
    original = wat(f'''(module (type (func)) (import "env" "f" (func)) (memory (export "memory") {decl})
        (data (i32.const 0) "xyz") (func (export "go") call 0) (@custom "after" "tail"))''')
    capped = wasmer_backend.cap_memory_maximum(original, cap)
    assert _memory_limits(capped) == expected
    if expected == _memory_limits(original):
        assert capped is original


@pytest.mark.parametrize("blob", [b"", b"\0asm\x01\0\0\0\x05\x80", b"\0asm\x01\0\0\0\x05\x03\x01\x00", b"(module)"])
def test_cap_memory_maximum_leaves_what_it_cannot_parse(blob: bytes) -> None:
    assert wasmer_backend.cap_memory_maximum(blob, 4) is blob


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("RuntimeError: unreachable\n    at go (<module>[0]:0x1a)", "Unreachable"),
        ("RuntimeError: call stack exhausted\n" + "    at r (<module>[0]:0x1a)\n" * 1000, "StackOverflow"),
        ("RuntimeError: integer divide by zero", "IllegalArithmetic"),
        ("RuntimeError: integer overflow", "IllegalArithmetic"),
        ("RuntimeError: invalid conversion to integer", "IllegalArithmetic"),
        ("RuntimeError: out of bounds memory access", "MemoryOutOfBounds"),
        ("RuntimeError: undefined element: out of bounds table access", "MemoryOutOfBounds"),
        ("RuntimeError: out of bounds", "MemoryOutOfBounds"),
        ("RuntimeError: misaligned heap", "HeapMisaligned"),
        ("RuntimeError: uninitialized element", "IndirectCallToNull"),
        ("RuntimeError: indirect call type mismatch", "BadSignature"),
        ("RuntimeError: unaligned atomic access", "UnalignedAtomic"),
        ("RuntimeError: something new", "Indeterminate"),
    ],
)
def test_classify_trap(text: str, kind: str) -> None:
    trap = wasmer_backend.classify_trap(RuntimeError(text))
    assert isinstance(trap, EngineTrap) and trap.kind == kind
    assert trap.message == text.split("\n")[0].removeprefix("RuntimeError: ")


def test_engine_errors_are_told_from_host_runtime_errors() -> None:
    def host() -> None:
        raise RuntimeError("RuntimeError: unreachable")

    def engine_call() -> None:  # what wasmer does: a fresh exception at the call site
        host_error: BaseException | None = None
        try:
            host()
        except RuntimeError as exc:
            host_error = exc
        assert host_error is not None and not wasmer_backend.is_engine_error(host_error)

    engine_call()
    try:
        raise RuntimeError("RuntimeError: unreachable")
    except RuntimeError as exc:
        assert wasmer_backend.is_engine_error(exc)
    assert wasmer_backend.is_engine_error(RuntimeError("RuntimeError: unreachable"))
    assert not wasmer_backend.is_engine_error(ValueError("RuntimeError: unreachable"))


def test_record_claims_only_what_it_enforces() -> None:
    records: list[Any] = []
    wasmer_backend.calimero_register_engines(records.append)
    (record,) = records
    assert record.name == "wasmer" and record.factory is wasmer_backend.WasmerBackend
    assert record.capabilities == frozenset({Capability.MEMORY_LIMIT, Capability.SERIALIZATION})
    assert record.available == HAVE_WASMER
    if not HAVE_WASMER:
        assert "3.10" in record.unavailable_reason and record.version == ""
    else:
        assert record.version == "1.1.0" and record.unavailable_reason == ""


@pytest.mark.when(not HAVE_WASMER, reason="checks the interpreters where wasmer is not importable")
def test_unavailable_engine_is_a_clear_error() -> None:
    from calimero_runtime.errors import EngineUnavailableError

    with pytest.raises(EngineUnavailableError, match=r"3\.10"):
        Runtime(engine="wasmer")


@pytest.mark.parametrize("limit", ["max_gas", "max_stack_size"])
def test_limits_wasmer_cannot_enforce_are_refused(limit: str) -> None:
    from calimero_runtime.engine import unenforced_limits
    from calimero_runtime.errors import CapabilityError

    records: list[Any] = []
    wasmer_backend.calimero_register_engines(records.append)
    with pytest.raises(CapabilityError, match=limit):
        unenforced_limits(records[0], VMLimits(**{limit: 12345}))
    assert unenforced_limits(records[0], VMLimits(max_memory_pages=7)) == ["max_gas", "max_stack_size"]


# -- wasmer internals -----------------------------------------------------------------------------


@needs_wasmer
def test_import_and_export_specs_match_wasmtime() -> None:
    from calimero_runtime.backends.wasmtime import WasmtimeBackend

    source = '''(module
      (import "env" "a" (func (param i64 i32) (result i64)))
      (import "env" "b" (func (param f32 f64) (result f64)))
      (import "env" "t" (table 1 funcref))
      (import "env" "g" (global i32))
      (import "other" "m" (memory 1))
      (global (export "gl") (mut i64) (i64.const 0))
      (table (export "tab") 1 funcref)
      (func (export "f") (param i32 i64) (result f32) f32.const 0)
      (func (export "go")))'''
    config = EngineConfig(VMLimits())
    for blob in (wat(source), EXAMPLE_WASM.read_bytes()):
        ours = wasmer_backend.WasmerBackend(config).compile(blob)
        theirs = WasmtimeBackend(config).compile(blob)
        assert ours.imports == theirs.imports
        assert ours.exports == theirs.exports


@needs_wasmer
def test_backend_identity() -> None:
    import wasmer

    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    assert backend.name == "wasmer" and backend.version == wasmer.__version__ == "1.1.0"
    assert backend.store.compiler_name == "cranelift"


@needs_wasmer
def test_host_exceptions_propagate_unchanged() -> None:
    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    compiled = backend.compile(wat('''(module (import "env" "h" (func $h (param i64 i32) (result i64)))
        (memory (export "memory") 1) (func (export "go") (drop (call $h (i64.const -1) (i32.const -1)))))'''))
    seen: list[tuple[int, ...]] = []
    boom = RuntimeError("RuntimeError: unreachable")  # looks like a wasmer trap, but it is the host's

    def host(*args: int) -> int:
        seen.append(args)
        raise boom

    instance = compiled.instantiate([HostImport("env", "h", ("i64", "i32"), ("i64",), host)])
    with pytest.raises(RuntimeError) as info:
        instance.call("go")
    assert info.value is boom and seen == [(-1, -1)]
    assert instance.gas_used() is None


@needs_wasmer
def test_host_results_wrap_like_wasm_values() -> None:
    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    compiled = backend.compile(wat('''(module (import "env" "h" (func $h (result i64)))
        (memory (export "memory") 1)
        (func (export "go") (i64.store (i32.const 0) (call $h))))'''))
    instance = compiled.instantiate([HostImport("env", "h", (), ("i64",), lambda: 2**64 - 1)])
    instance.call("go")
    assert instance.memory is not None and instance.memory.read(0, 8) == b"\xff" * 8


@needs_wasmer
def test_link_failures_are_engine_link_errors() -> None:
    from calimero_runtime.engine import EngineLinkError

    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    compiled = backend.compile(wat('(module (import "env" "h" (func (param i64))) (memory (export "memory") 1))'))
    with pytest.raises(EngineLinkError, match=r"env.*h"):
        compiled.instantiate([])
    with pytest.raises(EngineLinkError, match="incompatible import type"):
        compiled.instantiate([HostImport("env", "h", ("i32",), (), lambda x: None)])


@needs_wasmer
def test_memory_view_reads_bytes_and_refreshes_after_grow() -> None:
    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    compiled = backend.compile(wat('''(module (memory (export "memory") 1)
        (func (export "grow") (drop (memory.grow (i32.const 1))))
        (func (export "poke") (i32.store8 (i32.const 70000) (i32.const 7))))'''))
    instance = compiled.instantiate([])
    memory = instance.memory
    assert isinstance(memory, wasmer_backend.WasmerMemory)
    memory.write(10, b"abc")
    assert memory.read(10, 3) == b"abc" and type(memory.read(10, 3)) is bytes
    assert memory._size() == 65536
    instance.call("grow")
    instance.call("poke")
    assert memory._size() == 65536  # cached until a miss
    assert memory.read(70000, 1) == b"\x07" and memory._size() == 2 * 65536
    memory.write(2 * 65536 - 1, b"z")
    from calimero_runtime.errors import HostError

    with pytest.raises(HostError):
        memory.read(2 * 65536 - 1, 2)


@needs_wasmer
def test_stack_guard_is_active_here() -> None:
    guard = wasmer_backend._host_stack_floor()
    assert guard is not None
    sp, floor = guard
    assert sp() > floor


# -- parity with wasmtime on the example app --------------------------------------------------------

KV_CALLS: list[tuple[str, bytes]] = [
    ("len", b""),
    ("get", b'{"key":"a"}'),
    ("init", b""),
    ("init", b""),
    ("set", b'{"key":"a","value":"b"}'),
    ("set", b'{"key":"a","value":"c"}'),
    ("set", json.dumps({"key": "\u043a\u043b\u044e\u0447", "value": "\U0001f511" * 50}).encode()),
    ("get", b'{"key":"a"}'),
    ("get_or_err", b'{"key":"zz"}'),
    ("get_or_err", b'{"key":"a"}'),
    ("set_then_fail", b'{"key":"x","value":"y"}'),
    ("get", b'{"key":"x"}'),
    ("len", b""),
    ("remove", b'{"key":"a"}'),
    ("remove", b'{"key":"a"}'),
    ("set", b"{"),
    ("set", b'{"key":1}'),
    ("set", b"\xff\xfe"),
    ("set", json.dumps({"key": "big", "value": "v" * 300_000}).encode()),
    ("get", b'{"key":"big"}'),
    ("nope", b""),
    ("len", b""),
]


def _kv_outcomes(engine: str) -> list[dict[str, Any]]:
    from calimero_runtime import DeterministicClock, SeededEntropy

    rt = Runtime(engine=engine, clock=DeterministicClock(), entropy=SeededEntropy(0))
    app = rt.compile(EXAMPLE_WASM.read_bytes())
    ctx = VMContext(context_id=bytes(range(32)), executor_public_key=b"\x07" * 32)
    storage = InMemoryStorage()
    records = []
    for method, data in KV_CALLS:
        out = app.run(method, input=data, context=ctx, storage=storage)
        record = {
            "returns": out.returns, "logs": out.logs, "events": out.events, "root_hash": out.root_hash,
            "artifact": out.artifact, "storage_delta": out.storage_delta,
            "error": None if out.error is None else (out.error.type, out.error.kind, out.error.message,
                                                     out.error.location),
        }
        records.append(record)
    records.append({"final": sorted(storage.items())})
    return records


@needs_wasmer
def test_example_app_outcomes_match_wasmtime() -> None:
    ours, theirs = _kv_outcomes("wasmer"), _kv_outcomes("wasmtime")
    for (method, _), a, b in zip([*KV_CALLS, ("final", b"")], ours, theirs, strict=True):
        for field in a:
            assert a[field] == b[field], (method, field)
    assert any(r.get("error") and r["error"][0] == "HostError" for r in ours)  # the panics were exercised
    assert any(r.get("root_hash") for r in ours)


# -- module cache ---------------------------------------------------------------------------------


def test_cached_modules_keep_their_memory_cap(engine: str, ctx: VMContext, tmp_path: Any) -> None:
    source = grow_module("1", 4)
    small = Runtime(engine=engine, cache_dir=tmp_path, limits=VMLimits(max_memory_pages=4))
    assert grown(run(small, ctx, source)) == -1
    large = Runtime(engine=engine, cache_dir=tmp_path, limits=VMLimits(max_memory_pages=8))
    assert grown(run(large, ctx, source)) == 1
    again = Runtime(engine=engine, cache_dir=tmp_path, limits=VMLimits(max_memory_pages=4))
    assert grown(run(again, ctx, source)) == -1
    assert again.module_cache is not None and again.module_cache.hits == 1


def test_module_loaded_from_cache_runs_on_other_threads(engine: str, ctx: VMContext, tmp_path: Any) -> None:
    Runtime(engine=engine, cache_dir=tmp_path).compile(EXAMPLE_WASM.read_bytes())
    rt = Runtime(engine=engine, cache_dir=tmp_path)
    compiled = rt.compile(EXAMPLE_WASM.read_bytes())
    assert rt.module_cache is not None and rt.module_cache.hits == 1
    outs: list[Any] = []
    storage = InMemoryStorage()
    t = threading.Thread(target=lambda: outs.append(
        compiled.run("set", input=b'{"key":"a","value":"b"}', context=ctx, storage=storage)))
    t.start()
    t.join()
    outs.append(compiled.run("get", input=b'{"key":"a"}', context=ctx, storage=storage))
    assert [o.error for o in outs] == [None, None] and outs[1].returns == b'"b"'


@needs_wasmer
def test_deserialize_refuses_what_is_not_a_wasmer_module() -> None:
    backend = wasmer_backend.WasmerBackend(EngineConfig(VMLimits()))
    for payload in (EXAMPLE_WASM.read_bytes(), b"", b"garbage"):
        with pytest.raises(Exception):  # noqa: B017 - the core recompiles on any exception
            backend.deserialize(payload)
    blob = backend.serialize(backend.compile(EXAMPLE_WASM.read_bytes()))
    assert backend.deserialize(blob).exports == backend.compile(EXAMPLE_WASM.read_bytes()).exports


# -- lifetimes ------------------------------------------------------------------------------------


def test_failed_calls_free_their_state(rt: Runtime, ctx: VMContext) -> None:
    """A failing host function leaves a cycle (VMLogic -> HostError -> traceback -> frames -> VMLogic);
    nothing the engine keeps may hide a reference into it from the garbage collector."""
    import gc

    from calimero_runtime.logic import VMLogic

    app = rt.compile(EXAMPLE_WASM.read_bytes())
    panics = rt.compile(wat(RECURSE_WITH_HOST_CALLS))
    for _ in range(3):
        assert app.run("set", input=b"{", context=ctx, storage=InMemoryStorage()).error.type == "HostError"
        assert app.run("set_then_fail", input=b'{"key":"a","value":"b"}', context=ctx,
                       storage=InMemoryStorage()).error is not None
        assert panics.run("go", context=ctx, storage=InMemoryStorage()).error.kind == "StackOverflow"
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, VMLogic)] == []
