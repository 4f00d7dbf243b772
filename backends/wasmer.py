"""wasmer engine backend (wasmer-python 1.1, Cranelift). CPython 3.10 only: see is_available()."""

from __future__ import annotations

import sys
from collections.abc import Callable

from calimero_runtime.engine import EngineConfig, EngineRecord
from calimero_runtime.errors import EngineUnavailableError
from calimero_runtime.plugins import hookimpl


def availability() -> tuple[bool, str]:
    try:
        import wasmer  # noqa: F401
        import wasmer_compiler_cranelift  # noqa: F401
    except Exception as exc:  # the PyPI stub for 3.11+ raises ImportError on import
        return False, (
            f"the 'wasmer' package (1.1.0) needs CPython 3.10; this is "
            f"{sys.version_info.major}.{sys.version_info.minor} ({type(exc).__name__}: {exc}). "
            "Install with: python3.10 -m pip install 'calimero-runtime[wasmer]'"
        )
    return True, ""


def _factory(config: EngineConfig) -> object:
    raise EngineUnavailableError("the wasmer backend is not implemented yet")


@hookimpl
def calimero_register_engines(register: Callable[[EngineRecord], None]) -> None:
    ok, reason = availability()
    register(EngineRecord(name="wasmer", factory=_factory, available=ok, unavailable_reason=reason,  # type: ignore[arg-type]
                          description="wasmer-python 1.1 (Cranelift)"))
