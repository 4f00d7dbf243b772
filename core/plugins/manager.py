"""One plugin manager per runtime, with fault-isolated entry-point loading.

pluggy's ``load_setuptools_entrypoints`` stops at the first plugin that fails to import; here each
entry point is loaded on its own, failures are recorded (name, distribution, error) and shown in the
plugin listing, and loading goes on. ``strict=True`` turns any failure into a :class:`PluginError`.
"""

from __future__ import annotations

import importlib.metadata as md
import traceback
from collections.abc import Iterable
from typing import Any

import attrs
import pluggy

from ..engine import EngineRecord
from ..errors import DuplicatePluginError, PluginError
from ..hostfn import HostFunction
from ..storage import StorageRecord
from . import hookspecs
from .hookspecs import PROJECT


@attrs.frozen
class PluginFailure:
    name: str
    distribution: str
    error: str
    traceback: str = ""


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    module: str


@attrs.frozen
class Registry:
    """What the loaded plugins registered, with the plugin that provided each name."""

    engines: dict[str, EngineRecord]
    storages: dict[str, StorageRecord]
    host_functions: list[HostFunction]
    providers: dict[tuple[str, str], str]  # (kind, name) -> plugin name


def _entry_points() -> list[md.EntryPoint]:
    return sorted(md.entry_points(group=PROJECT), key=lambda ep: ep.name)


def _dist_of(ep: md.EntryPoint, seen: dict[object, tuple[str, str]]) -> tuple[str, str]:
    """Name and version of the entry point's distribution. ``seen`` is per load: the entry points of
    one distribution share its object, whose metadata is parsed once, not once per entry point (that
    parsing was most of a Runtime's start-up)."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "unknown", ""
    if dist not in seen:
        meta = dist.metadata
        seen[dist] = (meta["Name"] or "unknown", meta["Version"] or "")
    return seen[dist]


class PluginManager:
    """Wraps a fresh :class:`pluggy.PluginManager`; never a module-level global."""

    def __init__(self, *, entry_points: bool = True, plugins: Iterable[Any] = (), strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.failures: list[PluginFailure] = []
        self.infos: list[PluginInfo] = []
        self.strict = strict
        if entry_points:
            self._load_entry_points()
        for index, plugin in enumerate(plugins):
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{index}"
            self.pm.register(plugin, name=name)
            self.infos.append(PluginInfo(name, "(passed to Runtime)", "", name))
        if strict and self.failures:
            lines = "; ".join(f"{f.name} ({f.distribution}): {f.error}" for f in self.failures)
            raise PluginError(f"{len(self.failures)} plugin(s) failed to load: {lines}")

    def _load_entry_points(self) -> None:
        seen: dict[object, tuple[str, str]] = {}
        for ep in _entry_points():
            dist, version = _dist_of(ep, seen)
            if self.pm.get_plugin(ep.name) is not None or self.pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except Exception as exc:  # a broken third-party plugin must not stop the others
                self.failures.append(
                    PluginFailure(ep.name, dist, f"{type(exc).__name__}: {exc}", traceback.format_exc())
                )
                continue
            self.infos.append(PluginInfo(ep.name, dist, version, ep.value))

    def collect(self) -> Registry:
        engines: dict[str, EngineRecord] = {}
        storages: dict[str, StorageRecord] = {}
        functions: dict[tuple[str, str], HostFunction] = {}
        providers: dict[tuple[str, str], str] = {}

        def registrar(kind: str, store: dict[Any, Any], plugin_name: str) -> Any:
            def register(record: Any) -> None:
                keys = [record.name] if kind != "host function" else [
                    (record.name, g) for g in sorted(record.generations)
                ]
                for key in keys:
                    label = key if isinstance(key, str) else key[0]
                    if key in store:
                        raise DuplicatePluginError(kind, label, providers[(kind, label)], plugin_name)
                    store[key] = record
                    providers[(kind, label)] = plugin_name

            return register

        hooks = (
            ("calimero_register_engines", "engine", engines),
            ("calimero_register_storage", "storage", storages),
            ("calimero_register_host_functions", "host function", functions),
        )
        for hook_name, kind, store in hooks:
            # Each implementation gets a registrar that knows which plugin it is, to name duplicates.
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                impl.function(register=registrar(kind, store, impl.plugin_name))
        unique = list({id(f): f for f in functions.values()}.values())
        return Registry(engines, storages, unique, providers)
