"""Shared fixtures: real engines, real storage, WAT guests.

Engines under test come from ``CALIMERO_TEST_ENGINES`` (comma-separated; tox sets it per
environment) or default to every engine available on this interpreter. An engine that is asked for
but unavailable is an error, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import wasmtime

from calimero_runtime import DeterministicClock, Runtime, SeededEntropy, VMContext
from calimero_runtime.plugins.manager import PluginManager
from calimero_runtime.storage import StorageBackend

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_WASM = ROOT / "examples" / "kvstore" / "kvstore.wasm"


def _engines() -> list[str]:
    wanted = os.environ.get("CALIMERO_TEST_ENGINES")
    if wanted:
        return [e.strip() for e in wanted.split(",") if e.strip()]
    # Only the plugin records: creating an Engine here, at import, would install wasmtime's signal
    # handlers before pytest's faulthandler, which would then kill the process on the first trap.
    registry = PluginManager().collect()
    return sorted(name for name, rec in registry.engines.items() if rec.available)


ENGINES = _engines()
STORAGES = ["memory", "rocksdb"]


def wat(source: str) -> bytes:
    """Assemble WAT text (wasmtime's assembler; the bytes run on any engine)."""
    return wasmtime.wat2wasm(source)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_runtime(engine: str) -> Callable[..., Runtime]:
    def make(**kwargs: object) -> Runtime:
        kwargs.setdefault("clock", DeterministicClock())
        kwargs.setdefault("entropy", SeededEntropy(0))
        return Runtime(engine=engine, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def rt(make_runtime: Callable[..., Runtime]) -> Runtime:
    return make_runtime()


@pytest.fixture(params=STORAGES)
def backend(request: pytest.FixtureRequest, tmp_path: Path, engine: str) -> Iterator[StorageBackend]:
    runtime = Runtime(engine=engine, storage=str(request.param))
    opened = runtime.open_storage(tmp_path / "db" if request.param == "rocksdb" else None)
    yield opened
    opened.close()


@pytest.fixture
def ctx() -> VMContext:
    return VMContext(context_id=bytes(range(32)), executor_public_key=b"\x07" * 32)


@pytest.fixture
def example_wasm() -> bytes:
    return EXAMPLE_WASM.read_bytes()
