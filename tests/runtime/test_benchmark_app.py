"""The benchmark suite's app-shaped guest (benchmarks/app) is a working app, not just bytes to compile."""

from __future__ import annotations

import hashlib
import json

from calimero_runtime import Runtime, VMContext
from calimero_runtime.storage import InMemoryStorage
from tests.conftest import ROOT

REGISTRY_WASM = ROOT / "benchmarks" / "app" / "registry.wasm"
ID = "ab" * 32
RECORD: dict[str, object] = {"id": ID, "f0_u32": 7, "f1_i64": -5, "f2_b32": "cd" * 32, "f3_u8": 200, "f4_u8": 1,
          "f5_str": "hello"}


def test_registry_app_round_trips_records(rt: Runtime, ctx: VMContext) -> None:
    module = rt.compile(REGISTRY_WASM.read_bytes())
    assert len(module.methods) == 200 and "put_account" in module.methods
    storage = InMemoryStorage()

    put = module.run("put_account", input=json.dumps(RECORD).encode(), context=ctx, storage=storage)
    assert put.ok, put.error
    stored = storage.get(b"account/" + bytes.fromhex(ID))
    assert stored is not None and json.loads(put.returns or b"") == hashlib.sha256(stored).hexdigest()

    got = module.run("get_account", input=json.dumps({"id": ID}).encode(), context=ctx, storage=storage)
    assert got.ok, got.error
    assert json.loads(got.returns or b"") == RECORD


def test_registry_app_rejects_bad_input(rt: Runtime, ctx: VMContext) -> None:
    module = rt.compile(REGISTRY_WASM.read_bytes())
    storage = InMemoryStorage()
    out = module.run("put_account", input=json.dumps({**RECORD, "f3_u8": 256}).encode(), context=ctx, storage=storage)
    assert not out.ok and out.error is not None and "number out of range" in str(out.error)
    missing = module.run("get_vote", input=json.dumps({"id": ID}).encode(), context=ctx, storage=storage)
    assert not missing.ok and "vote not found" in str(missing.error)
    assert storage.get(b"account/" + bytes.fromhex(ID)) is None
