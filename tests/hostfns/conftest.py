"""Fixtures of the host-function conformance tests: the ABI generation under test, and runtimes
shared between tests (assembling a Runtime costs far more than a whole test here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calimero_runtime import DeterministicClock, Runtime, SeededEntropy

from .guests import GENERATIONS

_RUNTIMES: dict[tuple[Any, ...], Runtime] = {}


@pytest.fixture(params=GENERATIONS)
def gen(request: pytest.FixtureRequest) -> str:
    """Each generation-parametrised test runs once against the current and once against the flat ABI."""
    return str(request.param)


@pytest.fixture
def make_runtime(engine: str) -> Callable[..., Runtime]:
    """As the top-level ``make_runtime``, but one Runtime per (engine, options) for the whole session;
    each call hands it a fresh clock (default ``DeterministicClock()``) and entropy (default
    ``SeededEntropy(0)``), so every test still starts from the same deterministic state. A Runtime
    keeps no per-call state besides those two and its compile cache."""

    def make(**kwargs: Any) -> Runtime:
        clock = kwargs.pop("clock", None) or DeterministicClock()
        entropy = kwargs.pop("entropy", None) or SeededEntropy(0)
        key = (engine, tuple(sorted(kwargs.items())))
        runtime = _RUNTIMES.get(key)
        if runtime is None:
            runtime = _RUNTIMES[key] = Runtime(engine=engine, **kwargs)
        runtime.clock, runtime.entropy = clock, entropy
        # Each test compiles its own guest: do not keep hundreds of compiled modules alive (wasmer's
        # stack-overflow unwinding slows down with every registered code object).
        runtime._modules.clear()
        return runtime

    return make
