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


# Only the plugin records: creating an Engine here, at import, would install wasmtime's signal
# handlers before pytest's faulthandler, which would then kill the process on the first trap.
_RECORDS = PluginManager().collect().engines
CAPABILITIES = {name: record.capabilities for name, record in _RECORDS.items()}


def _engines() -> list[str]:
    wanted = os.environ.get("CALIMERO_TEST_ENGINES")
    if wanted:
        return [e.strip() for e in wanted.split(",") if e.strip()]
    return sorted(name for name, record in _RECORDS.items() if record.available)


ENGINES = _engines()
_NO_ENGINE = "(no engine here has the capability)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize over the engines under test. A test marked ``@pytest.mark.capability(Capability.X)``
    checks how a limit is enforced: it runs on the engines that declare X (engines without it refuse
    such a limit at assembly, which ``tests/plugins`` checks), and is deselected — not skipped — where
    no engine under test has it."""
    if "engine" not in metafunc.fixturenames:
        return
    needed = {c for mark in metafunc.definition.iter_markers("capability") for c in mark.args}
    engines = [e for e in ENGINES if needed <= CAPABILITIES.get(e, frozenset())]
    metafunc.parametrize("engine", engines or [_NO_ENGINE], indirect=True)


def _applies(item: pytest.Item) -> bool:
    if getattr(item, "callspec", None) and item.callspec.params.get("engine") == _NO_ENGINE:
        return False
    return all(mark.args[0] for mark in item.iter_markers("when"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that do not apply to this interpreter (``@pytest.mark.when(False, ...)``, or a capability
    no engine under test has) are deselected: they run in the tox environment where they apply."""
    dropped = [i for i in items if not _applies(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]
STORAGES = ["memory", "rocksdb"]


def wat(source: str) -> bytes:
    """Assemble WAT text (wasmtime's assembler; the bytes run on any engine)."""
    return wasmtime.wat2wasm(source)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name not in _RECORDS or not _RECORDS[name].available:  # asked for, but missing: an error, not a skip
        reason = _RECORDS[name].unavailable_reason if name in _RECORDS else "no such engine plugin"
        pytest.fail(f"engine {name!r} is under test but unavailable: {reason}")
    return name


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
