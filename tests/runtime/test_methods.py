"""Method resolution, linking, the merge hook, start functions and instance freshness (ABI.md §2.2)."""

from __future__ import annotations

import struct

import pytest

from calimero_runtime import Capability, InMemoryStorage, VMLimits
from tests.conftest import wat
from tests.runtime._guest import Mem, module

MERGE = "__calimero_register_merge"


def _run(rt, wasm, method, ctx, storage=None, **kw):
    return rt.compile(wasm).run(method, context=ctx, storage=storage if storage is not None else InMemoryStorage(),
                                **kw)


def _simple(rt):
    return rt.compile(wat('(module (memory (export "memory") 1) (func (export "run")) (func (export "a_1")))'))


# -- method-name validation (step 2) ------------------------------------------------------------------


def test_empty_method_name(rt, ctx):
    out = _simple(rt).run("", context=ctx, storage=InMemoryStorage())
    assert out.error.type == "MethodResolutionError"
    assert out.error.kind == "EmptyMethodName"
    assert out.gas_used is None
    assert out.returns is None


def test_method_name_too_long(rt, ctx):
    name = "a" * 257
    out = _simple(rt).run(name, context=ctx, storage=InMemoryStorage())
    assert out.error.type == "MethodResolutionError"
    assert out.error.kind == "MethodNameTooLong"
    assert dict(out.error.details) == {"name": name, "length": 257, "max": 256}
    assert out.gas_used is None


def test_method_name_length_is_counted_in_bytes_and_checked_before_characters(rt, ctx):
    name = "é" * 129  # 258 bytes, 129 chars, and 'é' is not a valid character either
    out = _simple(rt).run(name, context=ctx, storage=InMemoryStorage())
    assert out.error.kind == "MethodNameTooLong"
    assert out.error.details["length"] == 258


def test_method_name_of_exactly_max_length_passes_validation(rt, ctx):
    out = _simple(rt).run("a" * 256, context=ctx, storage=InMemoryStorage())
    assert out.error.kind == "MethodNotFound"


def test_method_name_limit_follows_limits(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_method_name_length=3))
    out = _simple(rt).run("run", context=ctx, storage=InMemoryStorage())
    assert out.ok
    out = _simple(rt).run("a_12", context=ctx, storage=InMemoryStorage())
    assert out.error.kind == "MethodNameTooLong"
    assert out.error.details["max"] == 3


@pytest.mark.parametrize(
    ("name", "char", "position"),
    [("a-b", "-", 1), ("run ", " ", 3), (".x", ".", 0), ("aéz", "é", 1), ("éé", "é", 0), ("ab\x00", "\x00", 2),
     ("x\uff11", "\uff11", 1)],
)
def test_invalid_method_name_character(rt, ctx, name, char, position):
    out = _simple(rt).run(name, context=ctx, storage=InMemoryStorage())
    assert out.error.type == "MethodResolutionError"
    assert out.error.kind == "InvalidMethodNameCharacter"
    assert dict(out.error.details) == {"name": name, "character": char, "position": position}
    assert out.gas_used is None


def test_first_invalid_character_is_reported(rt, ctx):
    out = _simple(rt).run("ab_c!?", context=ctx, storage=InMemoryStorage())
    assert (out.error.details["character"], out.error.details["position"]) == ("!", 4)


def test_valid_method_names_run(rt, ctx):
    mod = _simple(rt)
    assert mod.run("a_1", context=ctx, storage=InMemoryStorage()).ok
    assert mod.run("run", context=ctx, storage=InMemoryStorage()).ok


# -- lookup (step 7) --------------------------------------------------------------------------------


def test_method_not_found(rt, ctx):
    out = _simple(rt).run("nope", context=ctx, storage=InMemoryStorage())
    assert out.error.type == "MethodResolutionError"
    assert out.error.kind == "MethodNotFound"
    assert dict(out.error.details) == {"name": "nope"}
    assert out.returns is None
    assert out.gas_used is None


@pytest.mark.parametrize(
    "func",
    ['(func (export "m") (param i32))', '(func (export "m") (result i32) (i32.const 1))',
     '(func (export "m") (param i64) (result i64) (local.get 0))'],
    ids=["params", "results", "both"],
)
def test_invalid_signature(rt, ctx, func):
    wasm = wat(f'(module (memory (export "memory") 1) {func})')
    out = _run(rt, wasm, "m", ctx)
    assert out.error.type == "MethodResolutionError"
    assert out.error.kind == "InvalidSignature"
    assert dict(out.error.details) == {"name": "m"}
    assert out.gas_used is None


@pytest.mark.parametrize("method", ["memory", "g", "tbl"])
def test_non_function_export_is_a_guest_panic(rt, ctx, method):
    wasm = wat(
        '(module (memory (export "memory") 1) (global (export "g") i32 (i32.const 1))'
        ' (table (export "tbl") 1 funcref))'
    )
    out = _run(rt, wasm, method, ctx)
    assert out.error.type == "HostError"
    assert out.error.kind == "Panic"
    assert out.error.context == "Guest"
    assert out.error.location is None
    assert "entered unreachable code" in out.error.message
    assert out.error.to_json()["data"]["data"]["context"] == "Guest"


# -- linking (step 3) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "imp",
    [
        '(import "env" "no_such_function" (func))',
        '(import "env" "log_utf8" (func (param i32)))',  # wrong signature
        '(import "env" "register_len" (func (param i64)))',  # missing result
        '(import "env" "value_return" (func (param i64) (result i64)))',
        '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
        '(import "other" "log_utf8" (func (param i64)))',  # right name and signature, wrong module
        '(import "env" "tbl" (table 1 funcref))',
        '(import "env" "g" (global i32))',
    ],
    ids=["unknown", "wrong-params", "missing-result", "extra-result", "wasi", "other-module", "table", "global"],
)
def test_unlinkable_import_is_a_link_error_at_run(rt, ctx, imp):
    wasm = wat(f'(module {imp} (memory (export "memory") 1) (func (export "run")))')
    mod = rt.compile(wasm)  # compiles fine
    store = InMemoryStorage({b"k": b"v"})
    out = mod.run("run", context=ctx, storage=store)
    assert out.error.type == "LinkError"
    assert out.error.kind == "LinkError"
    assert out.error.to_json() == {"type": "LinkError", "data": None}
    assert out.gas_used is None
    assert out.returns is None
    assert list(store.items()) == [(b"k", b"v")]
    # every call of that module fails the same way
    assert mod.run("run", context=ctx, storage=store).error.type == "LinkError"


def test_method_name_is_validated_before_linking(rt, ctx):
    wasm = wat('(module (import "env" "nope" (func)) (memory (export "memory") 1) (func (export "run")))')
    out = _run(rt, wasm, "bad-name", ctx)
    assert out.error.kind == "InvalidMethodNameCharacter"


def test_known_imports_link(rt, ctx):
    mem = Mem()
    msg = mem.buf(b"linked")
    wasm = module(f'(func (export "run") (call $log_utf8 (i64.const {msg})))', imports=("log_utf8",), mem=mem)
    out = _run(rt, wasm, "run", ctx)
    assert out.ok, out.error
    assert out.logs == ("linked",)


# -- merge hook (step 6) -----------------------------------------------------------------------------------


def _hook_guest(hook_body: str, *, hook_sig: str = "") -> bytes:
    mem = Mem()
    a = mem.buf(b"hook")
    b = mem.buf(b"method")
    key = mem.buf(b"hook-key")
    val = mem.buf(b"hook-value")
    out = mem.raw(bytes(64))
    out_desc = mem.span(out, 10)  # read_register copies only into a buffer of the exact length
    vret = mem.vret_span(0, out, 10)
    body = f"""
    (func (export "{MERGE}") {hook_sig} {hook_body.format(a=a, key=key, val=val)})
    (func (export "run")
      (call $log_utf8 (i64.const {b}))
      ;; read what the hook may have written
      (if (i32.eq (call $storage_read (i64.const {key}) (i64.const 3)) (i32.const 1))
        (then
          (drop (call $read_register (i64.const 3) (i64.const {out_desc})))
          (call $value_return (i64.const {vret})))))
    """
    return module(body, imports=("log_utf8", "storage_read", "storage_write", "read_register", "value_return",
                                 "panic_utf8"), mem=mem)


def test_merge_hook_runs_before_the_method_and_its_effects_persist(rt, ctx):
    wasm = _hook_guest(
        "(call $log_utf8 (i64.const {a}))"
        " (drop (call $storage_write (i64.const {key}) (i64.const {val}) (i64.const 1)))"
    )
    store = InMemoryStorage()
    out = _run(rt, wasm, "run", ctx, store)
    assert out.ok, out.error
    assert out.logs == ("hook", "method")
    assert out.returns == b"hook-value"  # the method saw the hook's storage write
    assert dict(out.storage_delta) == {b"hook-key": b"hook-value"}
    assert store.get(b"hook-key") == b"hook-value"


def test_merge_hook_runs_on_every_call(rt, ctx):
    wasm = _hook_guest("(call $log_utf8 (i64.const {a}))")
    mod = rt.compile(wasm)
    for _ in range(3):
        assert mod.run("run", context=ctx, storage=InMemoryStorage()).logs == ("hook", "method")


def test_trapping_merge_hook_is_ignored(rt, ctx):
    wasm = _hook_guest(
        "(call $log_utf8 (i64.const {a}))"
        " (drop (call $storage_write (i64.const {key}) (i64.const {val}) (i64.const 1)))"
        " (unreachable)"
    )
    store = InMemoryStorage()
    out = _run(rt, wasm, "run", ctx, store)
    assert out.ok, out.error
    # side effects made before the trap persist into the call (ABI.md §2.2 step 6)
    assert out.logs == ("hook", "method")
    assert out.returns == b"hook-value"
    assert store.get(b"hook-key") == b"hook-value"


def test_merge_hook_host_error_is_ignored(rt, ctx):
    """A guest panic (HostError) inside the hook is dropped; the method runs and succeeds."""
    wasm = _hook_guest("(call $log_utf8 (i64.const {a})) (call $panic_utf8 (i64.const {a}) (i64.const 0))")
    out = _run(rt, wasm, "run", ctx)
    assert out.ok, out.error
    assert out.logs == ("hook", "method")


@pytest.mark.parametrize("sig", ["(param i32)", "(result i32)"])
def test_merge_hook_with_other_signature_is_skipped(rt, ctx, sig):
    body = "(call $log_utf8 (i64.const {a}))" + (" (i32.const 0)" if "result" in sig else "")
    wasm = _hook_guest(body, hook_sig=sig)
    out = _run(rt, wasm, "run", ctx)
    assert out.ok, out.error
    assert out.logs == ("method",)


@pytest.mark.capability(Capability.FUEL)
def test_merge_hook_that_exhausts_gas_fails_the_method(make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_gas=200_000))
    wasm = _hook_guest("(call $log_utf8 (i64.const {a})) (loop $l (br $l))")
    store = InMemoryStorage()
    out = _run(rt, wasm, "run", ctx, store)
    assert out.error.type == "GasExhausted"
    assert dict(out.error.details) == {"limit": 200_000}
    assert out.logs == ("hook",)
    assert out.gas_used == 200_000


def test_merge_hook_can_be_called_as_a_method(rt, ctx):
    wasm = _hook_guest("(call $log_utf8 (i64.const {a}))")
    out = _run(rt, wasm, MERGE, ctx)
    assert out.ok
    assert out.logs == ("hook", "hook")


# -- start function, fresh instances ------------------------------------------------------------------


def _result_i32_guest(extra: str, run_body: str) -> bytes:
    mem = Mem()
    vret = mem.vret_span(0, 0, 4)  # returns memory[0..4]
    body = f"""
    {extra}
    (func (export "run") {run_body} (call $value_return (i64.const {vret})))
    """
    return module(body, imports=("value_return",), mem=mem)


def test_start_function_runs_at_instantiation(rt, ctx):
    wasm = _result_i32_guest(
        "(global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 42))) (start $s)",
        "(i32.store (i32.const 0) (global.get $g))",
    )
    out = _run(rt, wasm, "run", ctx)
    assert out.ok, out.error
    assert struct.unpack("<i", out.returns)[0] == 42


def test_start_function_writing_memory(rt, ctx):
    wasm = _result_i32_guest("(func $s (i32.store (i32.const 0) (i32.const 7))) (start $s)", "")
    out = _run(rt, wasm, "run", ctx)
    assert struct.unpack("<i", out.returns)[0] == 7


def test_trapping_start_function_is_a_wasm_trap(rt, ctx):
    wasm = _result_i32_guest("(func $s (unreachable)) (start $s)", "")
    store = InMemoryStorage({b"a": b"b"})
    out = _run(rt, wasm, "run", ctx, store)
    assert out.error.type == "WasmTrap"
    assert out.error.kind == "Unreachable"
    assert out.returns is None
    assert list(store.items()) == [(b"a", b"b")]


def test_start_function_dividing_by_zero(rt, ctx):
    wasm = _result_i32_guest("(func $s (drop (i32.div_u (i32.const 1) (i32.const 0)))) (start $s)", "")
    out = _run(rt, wasm, "run", ctx)
    assert (out.error.type, out.error.kind) == ("WasmTrap", "IllegalArithmetic")


def test_fresh_instance_per_call(rt, ctx):
    wasm = _result_i32_guest(
        "(global $g (mut i32) (i32.const 0))",
        # bump the global and a memory cell; both must start from scratch each call
        "(global.set $g (i32.add (global.get $g) (i32.const 1)))"
        " (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 100)))"
        " (i32.store (i32.const 0) (i32.add (global.get $g) (i32.load (i32.const 16))))",
    )
    mod = rt.compile(wasm)
    results = [struct.unpack("<i", mod.run("run", context=ctx, storage=InMemoryStorage()).returns)[0]
               for _ in range(3)]
    assert results == [101, 101, 101]


def test_memory_growth_does_not_leak_into_the_next_call(rt, ctx):
    wasm = _result_i32_guest("", "(drop (memory.grow (i32.const 2))) (i32.store (i32.const 0) (memory.size))")
    mod = rt.compile(wasm)
    sizes = [struct.unpack("<i", mod.run("run", context=ctx, storage=InMemoryStorage()).returns)[0] for _ in range(2)]
    assert sizes == [3, 3]


def test_a_module_runs_many_calls(rt, ctx):
    mem = Mem()
    key = mem.buf(b"n")
    out_area = mem.raw(bytes(8))
    out_desc = mem.span(out_area, 8)
    val_desc = mem.span(out_area, 8)
    vret = mem.vret_span(0, out_area, 8)
    # counter: read n (8 bytes LE) if present, add 1, write back, return it
    body = f"""
    (func (export "inc")
      (i64.store (i32.const {out_area}) (i64.const 0))
      (if (call $storage_read (i64.const {key}) (i64.const 1))
        (then (drop (call $read_register (i64.const 1) (i64.const {out_desc})))))
      (i64.store (i32.const {out_area}) (i64.add (i64.load (i32.const {out_area})) (i64.const 1)))
      (drop (call $storage_write (i64.const {key}) (i64.const {val_desc}) (i64.const 2)))
      (call $value_return (i64.const {vret})))
    """
    mod = rt.compile(module(body, imports=("storage_read", "read_register", "storage_write", "value_return"),
                            mem=mem))
    store = InMemoryStorage()
    n = 300
    for i in range(1, n + 1):
        out = mod.run("inc", context=ctx, storage=store)
        assert out.ok, out.error
        assert struct.unpack("<q", out.returns)[0] == i
    assert store.get(b"n") == struct.pack("<q", n)


def test_compile_is_cached_by_content(rt):
    wasm = wat('(module (memory (export "memory") 1) (func (export "run")))')
    assert rt.compile(wasm) is rt.compile(bytes(wasm))


def _host_calls_modes(engine):
    return ["fast", "stock"] if engine == "wasmtime" else [None]


def test_calls_do_not_leak_their_state(make_runtime, engine, tmp_path, ctx):
    """Each call's VMLogic (with its storage views and the guest's store) is freed when the call ends,
    whatever the way it ended (success, method not found, host error, trap)."""
    import gc

    from calimero_runtime.logic import VMLogic

    def alive():
        gc.collect()
        return sum(isinstance(o, VMLogic) for o in gc.get_objects())

    mem = Mem()
    key, val = mem.buf(b"k"), mem.buf(b"v")
    write = f"(drop (call $storage_write (i64.const {key}) (i64.const {val}) (i64.const 0)))"
    wasm = module(f'(func (export "run") {write})'
                  f' (func (export "host_error") {write} (call $log_utf8 (i64.const 1000000)))'
                  f' (func (export "trap") {write} (unreachable))',
                  imports=("storage_write", "log_utf8"), mem=mem)
    for mode in _host_calls_modes(engine):
        rt = make_runtime(engine_options={"host_calls": mode} if mode else None, storage="rocksdb")
        db = rt.open_storage(tmp_path / f"db-{mode}")
        mod = rt.compile(wasm)
        before = alive()
        for method in ("run", "nope", "host_error", "trap", "run"):
            mod.run(method, context=ctx, storage=db.shared(ctx.context_id), private_storage=db.private(ctx.context_id))
        assert alive() <= before, mode
        db.close()
        rt.open_storage(tmp_path / f"db-{mode}").close()  # nothing left holding the RocksDB lock
