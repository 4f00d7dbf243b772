"""The on-disk compiled-module cache: hits, and corrupted or foreign entries never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from calimero_runtime import Capability, InMemoryStorage, Runtime, VMContext
from calimero_runtime.cache import CacheKey, ModuleCache
from tests.conftest import EXAMPLE_WASM

CTX = VMContext(context_id=bytes(32), executor_public_key=b"\x01" * 32)


@pytest.fixture
def cached_engine(engine: str) -> str:
    rt = Runtime(engine=engine)
    if Capability.SERIALIZATION not in rt.engine_record.capabilities:
        pytest.fail(f"engine {engine} must support module serialization for the cache")
    return engine


def _runs(rt: Runtime) -> bool:
    module = rt.compile(EXAMPLE_WASM.read_bytes())
    store = InMemoryStorage()
    ok = module.run("set", input=b'{"key":"a","value":"b"}', context=CTX, storage=store).ok
    return ok and module.run("get", input=b'{"key":"a"}', context=CTX, storage=store).returns == b'"b"'


def test_second_runtime_loads_from_disk(cached_engine: str, tmp_path: Path) -> None:
    first = Runtime(engine=cached_engine, cache_dir=tmp_path)
    assert _runs(first)
    assert first.module_cache is not None and (first.module_cache.misses, first.module_cache.hits) == (1, 0)
    second = Runtime(engine=cached_engine, cache_dir=tmp_path)
    assert _runs(second)
    assert second.module_cache is not None and second.module_cache.hits == 1
    assert len(second.module_cache.entries()) == 1


@pytest.mark.parametrize("damage", ["flip_payload_byte", "flip_header_byte", "truncate", "garbage", "foreign_header"])
def test_damaged_entries_are_recompiled_never_trusted(cached_engine: str, tmp_path: Path, damage: str) -> None:
    assert _runs(Runtime(engine=cached_engine, cache_dir=tmp_path))
    (entry,) = ModuleCache(tmp_path).entries()
    blob = bytearray(entry.read_bytes())
    if damage == "flip_payload_byte":
        blob[-100] ^= 0xFF
    elif damage == "flip_header_byte":  # inside the import/export specs kept in the header
        blob[blob.index(b'"meta"') + 20] ^= 0x01
    elif damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "garbage":
        blob = bytearray(os.urandom(len(blob)))
    else:
        start = blob.index(b'"engine_version": "') + len(b'"engine_version": "')
        blob[start] = ord("9") if blob[start] != ord("9") else ord("8")
    entry.write_bytes(bytes(blob))
    rt = Runtime(engine=cached_engine, cache_dir=tmp_path)
    assert _runs(rt)
    assert rt.module_cache is not None and rt.module_cache.rejected == 1 and rt.module_cache.hits == 0
    again = Runtime(engine=cached_engine, cache_dir=tmp_path)  # the entry was replaced by a good one
    assert _runs(again) and again.module_cache is not None and again.module_cache.hits == 1


def test_key_covers_engine_version_and_config(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    key = CacheKey("ab" * 32, "wasmtime", "50.0.1", "cranelift;stack=1")
    cache.store(key, b"payload")
    assert cache.load(key) == b"payload"
    assert cache.load(attrs.evolve(key, engine_version="51.0.0")) is None
    assert cache.load(attrs.evolve(key, fingerprint="cranelift;stack=2")) is None
    assert cache.load(attrs.evolve(key, engine="wasmer")) is None


def test_oversized_entries_are_not_stored(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path, max_entry_size=4)
    key = CacheKey("cd" * 32, "wasmtime", "1", "x")
    cache.store(key, b"too large")
    assert cache.load(key) is None and cache.entries() == []


def test_cli_uses_the_cache_and_can_clear_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIMERO_RUNTIME_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "calimero_runtime.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    assert json.loads(cli("cache", "info", "--json").stdout)["entries"] == 0
    assert cli("run", str(EXAMPLE_WASM), "len", "--memory").returncode == 0
    assert json.loads(cli("cache", "info", "--json").stdout)["entries"] == 1
    assert cli("run", str(EXAMPLE_WASM), "len", "--memory", "--no-cache").returncode == 0
    assert "removed 1" in cli("cache", "clear").stdout
    assert json.loads(cli("cache", "info", "--json").stdout)["entries"] == 0
