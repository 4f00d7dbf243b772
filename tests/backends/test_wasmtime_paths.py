"""The wasmtime backend's two host-call paths: same outcomes; a fallback, never a crash."""

from __future__ import annotations

import pytest

from calimero_runtime import ConfigError, InMemoryStorage, Runtime, VMContext
from calimero_runtime.backends import wasmtime as backend
from tests.conftest import EXAMPLE_WASM

CTX = VMContext(context_id=bytes(32), executor_public_key=b"\x02" * 32)
CALLS = [("init", b""), ("set", b'{"key":"a","value":"1"}'), ("get", b'{"key":"a"}'), ("init", b""),
         ("get_or_err", b'{"key":"b"}'), ("set", b"{bad"), ("len", b"")]


def _outcomes(rt: Runtime) -> list[dict[str, object]]:
    module, store = rt.compile(EXAMPLE_WASM.read_bytes()), InMemoryStorage()
    return [module.run(m, input=i, context=CTX, storage=store).to_dict() for m, i in CALLS]


def test_fast_and_stock_paths_give_identical_outcomes() -> None:
    fast = Runtime(engine_options={"host_calls": "fast"})
    stock = Runtime(engine_options={"host_calls": "stock"})
    assert fast.engine.fast and not stock.engine.fast
    assert _outcomes(fast) == _outcomes(stock)


def test_unknown_path_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'fast' or 'stock'"):
        Runtime(engine_options={"host_calls": "turbo"})


def test_a_wasmtime_py_the_fast_path_does_not_know_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backend, "FAST_PATH_MAJOR", "0")
    with pytest.warns(RuntimeWarning, match="using the stock host-call path"):
        rt = Runtime(engine_options={"host_calls": "fast"})
    assert not rt.engine.fast
    assert [o["ok"] for o in _outcomes(rt)] == [True, True, True, False, False, False, True]
