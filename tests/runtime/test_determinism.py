"""With a DeterministicClock and SeededEntropy, a sequence of calls replays bit for bit."""

from __future__ import annotations

import json
import random
import struct

import pytest

from calimero_runtime import DeterministicClock, SeededEntropy, VMContext
from tests.runtime._guest import Mem, module

CTX = VMContext(context_id=b"\x42" * 32, executor_public_key=b"\x07" * 32)


def _clock_guest() -> bytes:
    """``tick``: time_now (8 B) + random_bytes (32 B) -> storage "t:<n>" and value_return of both."""
    mem = Mem()
    out = mem.raw(bytes(48))
    t_desc = mem.span(out, 8)
    r_desc = mem.span(out + 8, 32)
    all_desc = mem.span(out, 40)
    key = mem.buf(b"last")
    vret = mem.vret_span(0, out, 40)
    big = mem.raw(bytes(100))
    big_desc = mem.span(big, 100)
    big_key = mem.buf(b"big-random")
    body = f"""
    (func (export "tick")
      (call $time_now (i64.const {t_desc}))
      (call $random_bytes (i64.const {r_desc}))
      (drop (call $storage_write (i64.const {key}) (i64.const {all_desc}) (i64.const 0)))
      (call $value_return (i64.const {vret})))
    (func (export "big")
      (call $random_bytes (i64.const {big_desc}))
      (call $random_bytes (i64.const {r_desc}))
      (drop (call $private_storage_write (i64.const {big_key}) (i64.const {big_desc}))))
    """
    return module(body, imports=("time_now", "random_bytes", "storage_write", "private_storage_write",
                                 "value_return"), mem=mem)


CLOCK_WASM = _clock_guest()


def _script(seed: int = 7) -> list[tuple[str, str, bytes]]:
    """A fixed pseudo-random sequence of kvstore calls (the script itself never changes)."""
    rng = random.Random(seed)
    keys = ["a", "b", "key with spaces", "ключ", "emoji-😀", 'quote"d', "back\\slash", "x" * 300, "", "\u0000nul"]
    calls: list[tuple[str, str, bytes]] = [("kv", "init", b"")]
    for i in range(120):
        op = rng.choice(["set", "set", "get", "remove", "len", "get_or_err", "tick", "set_then_fail"])
        key = rng.choice(keys)
        if op == "tick":
            calls.append(("clock", "big" if i % 5 == 0 else "tick", b""))
        elif op in ("set", "set_then_fail"):
            calls.append(("kv", op, json.dumps({"key": key, "value": f"v{i}-{key}"}).encode()))
        elif op == "len":
            calls.append(("kv", "len", b""))
        else:
            calls.append(("kv", op, json.dumps({"key": key}).encode()))
    calls.append(("kv", "init", b""))  # refused: a panic with location, also part of the replay
    calls.append(("kv", "set", b"{not json"))
    return calls


def _replay(make_runtime, example_wasm, tmp_path, *, storage="memory", seed=0, start=1_700_000_000_000_000_000):
    rt = make_runtime(clock=DeterministicClock(start=start), entropy=SeededEntropy(seed), storage=storage)
    db = rt.open_storage(tmp_path if storage == "rocksdb" else None)
    try:
        modules = {"kv": rt.compile(example_wasm), "clock": rt.compile(CLOCK_WASM)}
        shared, private = db.shared(CTX.context_id), db.private(CTX.context_id)
        outcomes = [modules[m].run(method, input=inp, context=CTX, storage=shared, private_storage=private).to_dict()
                    for m, method, inp in _script()]
        return outcomes, list(shared.items()), list(private.items())
    finally:
        db.close()


def test_replay_is_identical(make_runtime, example_wasm, tmp_path):
    first = _replay(make_runtime, example_wasm, tmp_path / "1")
    second = _replay(make_runtime, example_wasm, tmp_path / "2")
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]
    outcomes = first[0]
    # the script really exercised success, failure, randomness and time
    assert any(o["ok"] for o in outcomes) and any(not o["ok"] for o in outcomes)
    assert {o["error"]["type"] for o in outcomes if not o["ok"]} >= {"ExecutionError", "HostError"}
    assert any(o["storage_delta"] for o in outcomes)
    assert any(o["private_storage_delta"] for o in outcomes)
    assert first[1] and first[2]


def test_replay_is_identical_across_storage_plugins(make_runtime, example_wasm, tmp_path):
    memory = _replay(make_runtime, example_wasm, tmp_path / "m", storage="memory")
    rocks = _replay(make_runtime, example_wasm, tmp_path / "r", storage="rocksdb")
    assert memory == rocks


def test_time_and_random_bytes_follow_the_sources(make_runtime, tmp_path):
    rt = make_runtime(clock=DeterministicClock(start=1000, step=7), entropy=SeededEntropy(3))
    mod = rt.compile(CLOCK_WASM)
    from calimero_runtime import InMemoryStorage

    store = InMemoryStorage()
    outs = [mod.run("tick", context=CTX, storage=store) for _ in range(3)]
    assert all(o.ok for o in outs)
    times = [struct.unpack("<Q", o.returns[:8])[0] for o in outs]
    assert times == [1000, 1007, 1014]
    expected = SeededEntropy(3)
    assert [o.returns[8:40] for o in outs] == [expected.fill(32) for _ in range(3)]
    assert store.get(b"last") == outs[-1].returns


def test_a_different_seed_changes_random_bytes(make_runtime, example_wasm, tmp_path):
    base = _replay(make_runtime, example_wasm, tmp_path / "a", seed=0)
    other = _replay(make_runtime, example_wasm, tmp_path / "b", seed=1)
    ticks_base = [o["returns"] for o in base[0] if o["returns"] and len(o["returns"]) == 56]
    ticks_other = [o["returns"] for o in other[0] if o["returns"] and len(o["returns"]) == 56]
    assert ticks_base and len(ticks_base) == len(ticks_other)
    assert all(a != b for a, b in zip(ticks_base, ticks_other, strict=True))
    assert base[2] != other[2]  # private random blobs differ
    # ... while everything the kvstore did is unchanged
    kv_base = [o for o, (m, _, _) in zip(base[0], _script(), strict=True) if m == "kv"]
    kv_other = [o for o, (m, _, _) in zip(other[0], _script(), strict=True) if m == "kv"]
    assert kv_base == kv_other


def test_a_different_clock_changes_time_only(make_runtime, example_wasm, tmp_path):
    base = _replay(make_runtime, example_wasm, tmp_path / "a")
    later = _replay(make_runtime, example_wasm, tmp_path / "b", start=1_800_000_000_000_000_000)
    assert base[0] != later[0]
    assert base[2] == later[2]  # random bytes unchanged


@pytest.mark.parametrize("seed", [0, 1, b"seed", "text"])
def test_seeded_entropy_is_a_pure_function_of_the_seed(seed):
    a, b = SeededEntropy(seed), SeededEntropy(seed)
    assert [a.fill(n) for n in (1, 31, 33, 100, 0)] == [b.fill(n) for n in (1, 31, 33, 100, 0)]
    # chunking does not matter: the stream is the same
    c, d = SeededEntropy(seed), SeededEntropy(seed)
    assert c.fill(10) + c.fill(90) == d.fill(100)


def test_seeded_entropy_differs_between_seeds():
    assert SeededEntropy(0).fill(32) != SeededEntropy(1).fill(32)
