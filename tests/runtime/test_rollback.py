"""A call's storage writes are kept iff it succeeded (DESIGN.md "Storage, atomicity, errors"; ABI.md §2.6, §9).

Runs on every storage plugin (``backend``: in-memory and RocksDB) through the per-context views.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap

import pytest

from calimero_runtime import Capability, Runtime, StorageError, StorageLockedError, VMContext, VMLimits
from tests.runtime._guest import Mem, module

CTX_B = VMContext(context_id=b"\xee" * 32, executor_public_key=b"\x07" * 32)

SEED_SHARED = {b"keep": b"1", b"gone": b"x", b"\x00bin\xff": b"\x00\x01"}
SEED_PRIVATE = {b"p-old": b"y", b"p-keep": b"z"}

OK_SHARED_DELTA = {b"a": b"1", b"keep": b"2", b"gone": None}
OK_PRIVATE_DELTA = {b"p": b"secret", b"p-old": None}


def _build() -> bytes:
    mem = Mem()
    d = {name: mem.buf(data) for name, data in {
        "a": b"a", "1": b"1", "keep": b"keep", "2": b"2", "gone": b"gone", "p": b"p", "secret": b"secret",
        "p-old": b"p-old", "extra": b"extra", "log": b"wrote", "panic": b"boom", "k": b"k", "v1": b"v1",
        "v2": b"v2", "pk": b"pk", "pv": b"pv", "x": b"x",
    }.items()}
    loc = mem.loc("rollback.wat", 7, 3)
    err = mem.vret(1, b'"nope"')
    root = mem.buf(b"\x11" * 32)
    artifact = mem.buf(b"artifact")
    out = mem.raw(bytes(64))
    r1, r2, r5 = mem.span(out + 32, 2), mem.span(out + 34, 2), mem.span(out + 36, 2)
    rw_ret = mem.vret_span(0, out, 38)
    inp = mem.raw(bytes(256))
    in_desc = mem.raw(bytes(16))  # filled at run time: {inp, register_len}
    writes = f"""
      (drop (call $storage_write (i64.const {d['a']}) (i64.const {d['1']}) (i64.const 0)))
      (drop (call $storage_write (i64.const {d['keep']}) (i64.const {d['2']}) (i64.const 0)))
      (drop (call $storage_remove (i64.const {d['gone']}) (i64.const 0)))
      (drop (call $private_storage_write (i64.const {d['p']}) (i64.const {d['secret']})))
      (drop (call $private_storage_remove (i64.const {d['p-old']}) (i64.const 0)))
      (call $log_utf8 (i64.const {d['log']}))
    """
    commit = f"(call $commit (i64.const {root}) (i64.const {artifact}))"
    body = f"""
    (func $writes {writes})
    (func $deep (param i64) (result i64) (i64.add (call $deep (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
    (func (export "ok") (call $writes))
    (func (export "ok_commit") (call $writes) {commit})
    (func (export "trap") (call $writes) (unreachable))
    (func (export "div0") (call $writes) (drop (i32.div_u (i32.const 1) (i32.const 0))))
    (func (export "overflow") (call $writes) (drop (call $deep (i64.const 0))))
    (func (export "panic") (call $writes) (call $panic_utf8 (i64.const {d['panic']}) (i64.const {loc})))
    (func (export "err") (call $writes) {commit} (call $value_return (i64.const {err})))
    (func (export "bad_access") (call $writes) (call $log_utf8 (i64.const 1000000)))
    (func (export "write_limit") (call $writes)
      (drop (call $storage_write (i64.const {d['extra']}) (i64.const {d['1']}) (i64.const 0))))
    (func (export "gas") (call $writes) (loop $l (br $l)))
    (func (export "rw")
      (i32.store (i32.const {out}) (call $storage_write (i64.const {d['k']}) (i64.const {d['v1']}) (i64.const 0)))
      (i32.store (i32.const {out + 4}) (call $storage_read (i64.const {d['k']}) (i64.const 1)))
      (drop (call $read_register (i64.const 1) (i64.const {r1})))
      (i32.store (i32.const {out + 8}) (call $storage_write (i64.const {d['k']}) (i64.const {d['v2']}) (i64.const 2)))
      (drop (call $read_register (i64.const 2) (i64.const {r2})))
      (i32.store (i32.const {out + 12}) (call $storage_remove (i64.const {d['keep']}) (i64.const 3)))
      (i32.store (i32.const {out + 16}) (call $storage_read (i64.const {d['keep']}) (i64.const 4)))
      (i32.store (i32.const {out + 20}) (call $storage_remove (i64.const {d['keep']}) (i64.const 3)))
      (i32.store (i32.const {out + 24}) (call $private_storage_write (i64.const {d['pk']}) (i64.const {d['pv']})))
      (i32.store (i32.const {out + 28}) (call $private_storage_read (i64.const {d['pk']}) (i64.const 5)))
      (drop (call $read_register (i64.const 5) (i64.const {r5})))
      (call $value_return (i64.const {rw_ret})))
    (func (export "put_input")  ;; shared "x" := input, private "x" := input + input
      (call $input (i64.const 9))
      (i64.store (i32.const {in_desc}) (i64.const {inp}))
      (i64.store (i32.const {in_desc + 8}) (call $register_len (i64.const 9)))
      (drop (call $read_register (i64.const 9) (i64.const {in_desc})))
      (drop (call $storage_write (i64.const {d['x']}) (i64.const {in_desc}) (i64.const 0)))
      (i64.store (i32.const {in_desc + 8}) (i64.mul (i64.const 2) (call $register_len (i64.const 9))))
      (memory.copy (i32.add (i32.const {inp}) (i32.wrap_i64 (call $register_len (i64.const 9))))
                   (i32.const {inp}) (i32.wrap_i64 (call $register_len (i64.const 9))))
      (drop (call $private_storage_write (i64.const {d['x']}) (i64.const {in_desc}))))
    """
    return module(body, imports=("input", "register_len", "read_register", "value_return", "log_utf8",
                                 "panic_utf8", "storage_read", "storage_write", "storage_remove",
                                 "private_storage_read", "private_storage_write", "private_storage_remove",
                                 "commit"), mem=mem)


WASM = _build()
LIMITS = VMLimits(max_gas=2_000_000, max_storage_writes=3)


@pytest.fixture
def metered(make_runtime):
    return Capability.FUEL in make_runtime().engine_record.capabilities


@pytest.fixture
def rt(make_runtime, metered):
    # an engine without fuel cannot be given a max_gas (CapabilityError); the "gas" case runs only on
    # engines with the fuel capability
    return make_runtime(limits=LIMITS if metered else VMLimits(max_storage_writes=LIMITS.max_storage_writes))


@pytest.fixture
def mod(rt):
    return rt.compile(WASM)


def _seed(backend, ctx):
    shared, private = backend.shared(ctx.context_id), backend.private(ctx.context_id)
    for k, v in SEED_SHARED.items():
        shared.set(k, v)
    for k, v in SEED_PRIVATE.items():
        private.set(k, v)
    return shared, private


def _snapshot(backend, ctx):
    return list(backend.shared(ctx.context_id).items()), list(backend.private(ctx.context_id).items())


def _call(mod, backend, ctx, method, input=b""):
    return mod.run(method, input=input, context=ctx, storage=backend.shared(ctx.context_id),
                   private_storage=backend.private(ctx.context_id))


# -- success -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ok", "ok_commit"])
def test_successful_call_applies_writes_and_lists_them(mod, backend, ctx, method):
    _seed(backend, ctx)
    out = _call(mod, backend, ctx, method)
    assert out.ok, out.error
    assert dict(out.storage_delta) == OK_SHARED_DELTA
    assert dict(out.private_storage_delta) == OK_PRIVATE_DELTA
    shared, private = _snapshot(backend, ctx)
    assert shared == sorted({b"a": b"1", b"keep": b"2", b"\x00bin\xff": b"\x00\x01"}.items())
    assert private == sorted({b"p": b"secret", b"p-keep": b"z"}.items())
    assert (out.root_hash is not None) == (method == "ok_commit")


def test_writes_without_commit_are_kept(mod, backend, ctx):
    """The oldest apps never call commit (ABI.md §9): success alone keeps the writes."""
    out = _call(mod, backend, ctx, "ok")
    assert out.ok and out.root_hash is None and out.artifact == b""
    assert backend.shared(ctx.context_id).get(b"a") == b"1"
    assert backend.private(ctx.context_id).get(b"p") == b"secret"


def test_reads_see_the_calls_own_writes(mod, backend, ctx):
    _seed(backend, ctx)
    out = _call(mod, backend, ctx, "rw")
    assert out.ok, out.error
    flags = list(struct.unpack("<8i", out.returns[:32]))
    # write k (new) · read k (hit) · overwrite k (replaced) · remove keep (hit) · read keep (miss)
    # · remove keep again (miss) · private write · private read (hit)
    assert flags == [0, 1, 1, 1, 0, 0, 1, 1]
    assert out.returns[32:] == b"v1" + b"v1" + b"pv"  # read value, previous value, private read value
    assert backend.shared(ctx.context_id).get(b"k") == b"v2"
    assert backend.shared(ctx.context_id).get(b"keep") is None
    assert out.storage_delta[b"k"] == b"v2" and out.storage_delta[b"keep"] is None


def test_nothing_reaches_the_backend_before_the_call_ends(rt, backend, ctx):
    """A store that records writes sees none while the guest runs, then exactly one batch."""
    seen_during = []
    shared = backend.shared(ctx.context_id)

    class Spy:
        backend = None  # not a view of a backend: the overlay commits through apply()

        def __getattr__(self, name):
            return getattr(shared, name)

        def set(self, key, value):  # pragma: no cover - must not be called
            seen_during.append(("set", key))
            return shared.set(key, value)

        def remove(self, key):  # pragma: no cover - must not be called
            seen_during.append(("remove", key))
            return shared.remove(key)

    out = rt.compile(WASM).run("ok", context=ctx, storage=Spy(), private_storage=backend.private(ctx.context_id))
    assert out.ok
    assert seen_during == []
    assert shared.get(b"a") == b"1"


# -- failure leaves everything unchanged ------------------------------------------------------------------

FAILURES = {
    "trap": ("WasmTrap", "Unreachable"),
    "div0": ("WasmTrap", "IllegalArithmetic"),
    "overflow": ("WasmTrap", "StackOverflow"),
    "panic": ("HostError", "Panic"),
    "err": ("ExecutionError", "ExecutionError"),
    "bad_access": ("HostError", "InvalidMemoryAccess"),
    "write_limit": ("HostError", "StorageWriteCountExceeded"),
    "gas": ("GasExhausted", "GasExhausted"),
}


@pytest.mark.parametrize("method", [m for m in FAILURES if m != "gas"])
def test_failed_call_leaves_storage_byte_for_byte_unchanged(rt, mod, backend, ctx, method):
    _check_failure_leaves_storage(mod, backend, ctx, method)


@pytest.mark.capability(Capability.FUEL)
def test_gas_exhaustion_leaves_storage_byte_for_byte_unchanged(rt, metered, mod, backend, ctx):
    assert metered
    _check_failure_leaves_storage(mod, backend, ctx, "gas")


def _check_failure_leaves_storage(mod, backend, ctx, method):
    _seed(backend, ctx)
    other = _seed(backend, CTX_B)
    del other
    before = _snapshot(backend, ctx)
    before_b = _snapshot(backend, CTX_B)
    out = _call(mod, backend, ctx, method)
    assert not out.ok
    assert (out.error.type, out.error.kind) == FAILURES[method]
    assert out.storage_delta == {}
    assert out.private_storage_delta == {}
    assert out.returns is None
    assert out.logs == ("wrote",)  # logs are returned even on failure
    assert _snapshot(backend, ctx) == before
    assert _snapshot(backend, CTX_B) == before_b
    # and the module still works afterwards, on the same storage
    assert _call(mod, backend, ctx, "ok").ok
    assert backend.shared(ctx.context_id).get(b"a") == b"1"


def test_err_with_commit_still_drops_writes(mod, backend, ctx):
    """A guest Err return still writes and still calls commit; the writes are dropped all the same."""
    _seed(backend, ctx)
    before = _snapshot(backend, ctx)
    out = _call(mod, backend, ctx, "err")
    assert out.error.type == "ExecutionError" and out.error.data == b'"nope"'
    assert out.root_hash == b"\x11" * 32  # the Outcome still reports what the guest committed
    assert _snapshot(backend, ctx) == before


def test_failure_on_empty_storage_leaves_it_empty(mod, backend, ctx):
    out = _call(mod, backend, ctx, "trap")
    assert not out.ok
    assert _snapshot(backend, ctx) == ([], [])


# -- shared vs private, contexts ------------------------------------------------------------------------


def test_shared_and_private_are_separate(mod, backend, ctx):
    out = _call(mod, backend, ctx, "put_input", b"val")
    assert out.ok, out.error
    assert dict(out.storage_delta) == {b"x": b"val"}
    assert dict(out.private_storage_delta) == {b"x": b"valval"}
    assert list(backend.shared(ctx.context_id).items()) == [(b"x", b"val")]
    assert list(backend.private(ctx.context_id).items()) == [(b"x", b"valval")]


def test_contexts_are_isolated(mod, backend, ctx):
    assert _call(mod, backend, ctx, "put_input", b"A").ok
    assert _call(mod, backend, CTX_B, "put_input", b"BB").ok
    assert list(backend.shared(ctx.context_id).items()) == [(b"x", b"A")]
    assert list(backend.private(ctx.context_id).items()) == [(b"x", b"AA")]
    assert list(backend.shared(CTX_B.context_id).items()) == [(b"x", b"BB")]
    assert list(backend.private(CTX_B.context_id).items()) == [(b"x", b"BBBB")]
    # a failure in one context does not touch the other
    assert not _call(mod, backend, CTX_B, "trap").ok
    assert list(backend.shared(ctx.context_id).items()) == [(b"x", b"A")]
    assert list(backend.shared(CTX_B.context_id).items()) == [(b"x", b"BB")]


def test_adjacent_context_ids_do_not_overlap(mod, backend):
    low = VMContext(context_id=bytes(32), executor_public_key=bytes(32))
    high = VMContext(context_id=bytes(31) + b"\x01", executor_public_key=bytes(32))
    assert _call(mod, backend, high, "put_input", b"H").ok
    assert _call(mod, backend, low, "put_input", b"L").ok
    assert list(backend.shared(low.context_id).items()) == [(b"x", b"L")]
    assert list(backend.shared(high.context_id).items()) == [(b"x", b"H")]


def test_without_private_storage_private_writes_are_refused_quietly(mod, backend, ctx):
    out = mod.run("ok", context=ctx, storage=backend.shared(ctx.context_id))
    assert out.ok, out.error
    assert out.private_storage_delta == {}
    assert list(backend.private(ctx.context_id).items()) == []


# -- RocksDB specifics -------------------------------------------------------------------------------------


def _rocks(make_runtime, path):
    rt = make_runtime(storage="rocksdb", limits=VMLimits(max_storage_writes=LIMITS.max_storage_writes))
    return rt, rt.open_storage(path)


def test_rocksdb_state_persists_across_close_and_reopen(make_runtime, tmp_path, ctx):
    path = tmp_path / "db"
    rt, db = _rocks(make_runtime, path)
    mod = rt.compile(WASM)
    _seed(db, ctx)
    assert _call(mod, db, ctx, "ok").ok
    assert not _call(mod, db, ctx, "trap").ok
    expected = _snapshot(db, ctx)  # also leaves iterators behind: they must not keep the lock
    db.close()

    db = rt.open_storage(path)
    try:
        assert _snapshot(db, ctx) == expected
        assert dict(expected[0])[b"a"] == b"1" and dict(expected[1])[b"p"] == b"secret"
        assert _call(mod, db, ctx, "put_input", b"again").ok
    finally:
        db.close()
    db = rt.open_storage(path)
    try:
        assert db.shared(ctx.context_id).get(b"x") == b"again"
        assert db.private(ctx.context_id).get(b"x") == b"againagain"
    finally:
        db.close()


def test_rocksdb_closed_backend_refuses_use(make_runtime, tmp_path, ctx):
    _, db = _rocks(make_runtime, tmp_path / "db")
    db.close()
    with pytest.raises(StorageError):
        db.shared(ctx.context_id).get(b"a")
    db.close()  # idempotent


def test_rocksdb_second_open_in_process_is_a_typed_error(make_runtime, tmp_path):
    path = tmp_path / "db"
    rt, db = _rocks(make_runtime, path)
    try:
        with pytest.raises(StorageLockedError) as info:
            rt.open_storage(path)
        assert isinstance(info.value, StorageError)
        message = str(info.value)
        assert str(path) in message
        assert "in use" in message
    finally:
        db.close()
    rt.open_storage(path).close()  # free again once closed


def test_rocksdb_open_held_by_another_process_is_a_typed_error(make_runtime, tmp_path):
    path = tmp_path / "db"
    holder = textwrap.dedent(
        f"""
        import sys
        from calimero_runtime import Runtime
        db = Runtime(storage="rocksdb", entry_points=True).open_storage({str(path)!r})
        print("ready", flush=True)
        sys.stdin.read()
        db.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read()
        rt = make_runtime(storage="rocksdb")
        with pytest.raises(StorageLockedError) as info:
            rt.open_storage(path)
        assert str(path) in str(info.value)
        assert "in use by another process" in str(info.value)
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    make_runtime(storage="rocksdb").open_storage(path).close()


def test_runtime_storage_location_config(make_runtime, tmp_path, ctx):
    rt = Runtime(storage="rocksdb", storage_location=tmp_path / "cfg")
    db = rt.open_storage()
    try:
        db.shared(ctx.context_id).set(b"k", b"v")
    finally:
        db.close()
    assert (tmp_path / "cfg").is_dir()


def test_storage_failure_at_commit_is_an_outcome(rt, ctx):
    """A backend that fails to apply the batch ends the call as HostError(Panic{Host}); nothing raises."""
    from calimero_runtime import InMemoryStorage

    class FailingStore(InMemoryStorage):
        def apply(self, changes):
            raise StorageError("disk full")

    store = FailingStore({b"keep": b"1"})
    out = rt.compile(WASM).run("ok", context=ctx, storage=store)
    assert not out.ok
    assert (out.error.type, out.error.kind, out.error.context) == ("HostError", "Panic", "Host")
    assert "disk full" in out.error.message
    assert out.returns is None
    assert out.storage_delta == {} and out.private_storage_delta == {}
    assert list(store.items()) == [(b"keep", b"1")]
