"""Cross-engine determinism: the same call sequence on every engine gives identical outcomes.

Runs where more than one engine is importable in one interpreter (``CALIMERO_CROSS_ENGINE``, set
by the ``py310-wasmer`` tox environment, which has wasmer and wasmtime). Gas is engine-specific
(wasmer does not meter), so ``gas_used`` is left out of the digest; everything else must match.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

from calimero_runtime import DeterministicClock, Runtime, SeededEntropy, VMContext
from tests.conftest import EXAMPLE_WASM, wat

CROSS = [e.strip() for e in os.environ.get("CALIMERO_CROSS_ENGINE", "").split(",") if e.strip()]

EXTRAS = wat("""(module
  (import "env" "time_now" (func $now (param i64)))
  (import "env" "random_bytes" (func $rand (param i64)))
  (import "env" "send_proposal" (func $prop (param i64 i64)))
  (import "env" "storage_write" (func $write (param i64 i64 i64) (result i32)))
  (import "env" "value_return" (func $ret (param i64)))
  (memory (export "memory") 1)
  ;; BufferMut{512, 8} at 0; BufferMut{520, 24} at 16; Buffer{600, 3} (proposal bytes) at 32;
  ;; BufferMut{640, 32} (proposal id) at 48; key Buffer{520, 24} at 64; value Buffer{512, 8} at 80;
  ;; ValueReturn{0, 512, 160} at 96
  (data (i32.const 0) "\\00\\02\\00\\00\\00\\00\\00\\00\\08\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 16) "\\08\\02\\00\\00\\00\\00\\00\\00\\18\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 32) "\\58\\02\\00\\00\\00\\00\\00\\00\\03\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 48) "\\80\\02\\00\\00\\00\\00\\00\\00\\20\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 64) "\\08\\02\\00\\00\\00\\00\\00\\00\\18\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 80) "\\00\\02\\00\\00\\00\\00\\00\\00\\08\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 96) "\\00\\00\\00\\00\\00\\00\\00\\00\\00\\02\\00\\00\\00\\00\\00\\00\\a0\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 600) "act")
  (func (export "noise")
    (call $now (i64.const 0))
    (call $rand (i64.const 16))
    (call $prop (i64.const 32) (i64.const 48))
    (drop (call $write (i64.const 64) (i64.const 80) (i64.const 0)))
    (call $ret (i64.const 96))))""")


def _sequence(seed: int, n: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    calls: list[tuple[str, bytes]] = [("init", b""), ("init", b"")]
    keys = [f"k{i}" for i in range(12)] + ["ключ", "🔑", 'q"uote']
    for _ in range(n):
        method = rng.choice(["set", "set", "get", "remove", "len", "get_or_err", "set_then_fail", "noise", "bad"])
        key = rng.choice(keys)
        value = "".join(rng.choice("ab\u00e9\u4e2d\n\"\\") for _ in range(rng.randint(0, 20)))
        if method == "bad":
            calls.append(("set", rng.choice([b"{", b"[]", b'{"key":1}', b"\xff\xfe"])))
        elif method in ("set", "set_then_fail"):
            calls.append((method, json.dumps({"key": key, "value": value}).encode()))
        elif method in ("len", "noise"):
            calls.append((method, b""))
        else:
            calls.append((method, json.dumps({"key": key}).encode()))
    return calls


def digest_of_run(engine: str, storage: str, tmp: Path, seed: int = 7, n: int = 300) -> str:
    rt = Runtime(engine=engine, storage=storage, clock=DeterministicClock(), entropy=SeededEntropy(seed))
    app, extras = rt.compile(EXAMPLE_WASM.read_bytes()), rt.compile(EXTRAS)
    ctx = VMContext(context_id=bytes(range(32)), executor_public_key=b"\x05" * 32)
    backend = rt.open_storage(tmp / f"{engine}-{storage}" if storage == "rocksdb" else None)
    shared, private = backend.shared(ctx.context_id), backend.private(ctx.context_id)
    h = hashlib.sha256()
    for method, data in _sequence(seed, n):
        module = extras if method == "noise" else app
        out = module.run(method, input=data, context=ctx, storage=shared, private_storage=private)
        record = out.to_dict()
        record.pop("gas_used")
        h.update(json.dumps(record, sort_keys=True).encode())
    h.update(json.dumps([[k.hex(), v.hex()] for k, v in shared.items()]).encode())
    backend.close()
    return h.hexdigest()


if len(CROSS) >= 2:

    def test_same_calls_same_outcomes_on_every_engine(tmp_path: Path) -> None:
        digests = {(i, e, s): digest_of_run(e, s, tmp_path / str(i)) for i, e in enumerate(CROSS) for s in ("memory", "rocksdb")}
        assert len(set(digests.values())) == 1, digests


def test_digest_is_reproducible_on_one_engine(engine: str, tmp_path: Path) -> None:
    assert digest_of_run(engine, "memory", tmp_path, n=120) == digest_of_run(engine, "rocksdb", tmp_path, n=120)
    assert digest_of_run(engine, "memory", tmp_path, seed=8, n=120) != digest_of_run(engine, "memory", tmp_path, n=120)
