"""One exception hierarchy, mirroring ABI.md §6.

Two families live here:

* Errors that *raise* — misuse of the runtime (bad configuration, unknown plugin, a module that does
  not compile). They all derive from :class:`CalimeroError`.
* :class:`HostError` — the signal a host function raises to abort the guest. It never escapes
  ``Module.run``: the core turns it into a :class:`~calimero_runtime.outcome.CallError` on the Outcome,
  because a failed call is data, not an exception.
"""

from __future__ import annotations

from typing import Any


class CalimeroError(Exception):
    """Base class of every error the runtime raises."""


class ConfigError(CalimeroError):
    """Invalid configuration (file, environment, flags or Python arguments)."""


class PluginError(CalimeroError):
    """A plugin could not be loaded or assembled."""


class UnknownPluginError(PluginError, LookupError):
    """A name was asked for that no plugin registers; the message lists the choices."""

    def __init__(self, kind: str, name: str, available: list[str]) -> None:
        self.kind, self.name, self.available = kind, name, sorted(available)
        choices = ", ".join(self.available) or "none"
        super().__init__(f"unknown {kind} {name!r}; available: {choices}")


class DuplicatePluginError(PluginError):
    """Two plugins register the same name."""

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        self.kind, self.name, self.providers = kind, name, (first, second)
        super().__init__(f"{kind} {name!r} is registered twice: by {first} and by {second}")


class EngineUnavailableError(PluginError):
    """The engine is registered but cannot run on this interpreter."""


class CapabilityError(PluginError):
    """A limit or feature was asked of an engine that cannot enforce it."""


class StorageError(CalimeroError):
    """A storage backend failed."""


class StorageLockedError(StorageError):
    """The database directory is held by another process (or another open handle)."""


class CompileError(CalimeroError):
    """``Runtime.compile`` refused a module (ABI.md §2.1). ``type`` is the §6 variant name."""

    type: str = "CompilationError"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ModuleSizeLimitExceeded(CompileError):
    type = "ModuleSizeLimitExceeded"


class CompilationError(CompileError):
    type = "CompilationError"


class ModuleValidationError(CompileError):
    type = "ModuleValidationError"


class HostError(Exception):
    """Raised inside a host function to abort the call with ``HostError(kind)``.

    ``kind`` is the ABI.md §6 HostError variant (``InvalidMemoryAccess``, ``Panic``, ...); ``details``
    carries its payload fields (``size``, ``max``, ``id`` ...); ``display`` is the rendered message.
    Panics also carry ``context`` (``"Guest"`` or ``"Host"``), an optional ``location`` and the bare
    ``message`` among the details.
    """

    def __init__(
        self,
        kind: str,
        display: str | None = None,
        *,
        location: Any = None,
        context: str | None = None,
        **details: Any,
    ) -> None:
        self.kind = kind
        self.location = location
        self.context = context
        self.details = details
        self.message = display if display is not None else _default_message(kind, details)
        super().__init__(self.message)


def _default_message(kind: str, details: dict[str, Any]) -> str:
    if not details:
        return kind
    payload = ", ".join(f"{k}: {v}" for k, v in details.items())
    return f"{kind} {{ {payload} }}"
