"""Hook specifications: the plugin author's manual.

A plugin is a module (or any object) with functions marked ``@hookimpl`` named after the hooks
below, announced in its distribution's ``pyproject.toml``::

    [project.entry-points.calimero_runtime]
    my-plugin = "my_package.my_module"

The runtime's own engines, storage backends and host-function groups are registered the same way.
Hooks run only while a :class:`~calimero_runtime.Runtime` is assembled, never during a call: each
receives a ``register`` callable to pass frozen records to. Names must be unique across plugins;
a duplicate is an error that names both providers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

PROJECT = "calimero_runtime"
"""The pluggy project name and the entry-point group."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

if TYPE_CHECKING:
    from ..engine import EngineRecord
    from ..hostfn import HostFunction
    from ..storage import StorageRecord


@hookspec
def calimero_register_engines(register: Callable[[EngineRecord], None]) -> None:
    """Register wasm engine backends.

    Call ``register(EngineRecord(name=..., factory=..., capabilities=..., version=...))`` once per
    engine. ``factory(config)`` receives an :class:`~calimero_runtime.engine.EngineConfig` and returns
    an :class:`~calimero_runtime.engine.EngineBackend`. Import the engine library lazily inside the
    factory and report ``available``/``unavailable_reason`` so that the runtime still starts on an
    interpreter where the library cannot be imported. ``capabilities`` lists which
    :class:`~calimero_runtime.engine.Capability` values the engine enforces.
    """


@hookspec
def calimero_register_storage(register: Callable[[StorageRecord], None]) -> None:
    """Register storage backends.

    Call ``register(StorageRecord(name=..., open=..., needs_location=...))``. ``open(location,
    options)`` returns a :class:`~calimero_runtime.storage.StorageBackend` whose ``shared(context_id)``
    and ``private(context_id)`` return :class:`~calimero_runtime.storage.Storage` views. A storage
    backend owns only get/set/remove/has/items and an atomic ``apply``; the core's overlay provides
    rollback.
    """


@hookspec
def calimero_register_host_functions(register: Callable[[HostFunction], None]) -> None:
    """Register host functions importable by guests from module ``env``.

    Declare them on a :class:`~calimero_runtime.hostfn.HostFunctionGroup` and expose
    ``calimero_register_host_functions = group.hookimpl()``. Each
    :class:`~calimero_runtime.hostfn.HostFunction` gives the name, the ABI-typed parameters
    (:mod:`calimero_runtime.abi`), the result type and the implementation
    ``impl(logic, *decoded_args)``; the runtime derives the wasm signature for each ABI generation and
    links a module's imports by name and signature. Raise
    :class:`~calimero_runtime.errors.HostError` to abort the guest.
    """
