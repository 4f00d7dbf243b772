"""Runtime (assembled once from plugins) and Module (one compiled app, many independent calls)."""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .binding import HostTable, LinkFailure, LinkPlan
from .cache import CacheKey, ModuleCache
from .clock import Clock, Entropy, SystemClock, SystemEntropy
from .context import VMContext
from .engine import (
    Capability,
    CompiledModule,
    EngineConfig,
    EngineInstance,
    EngineLinkError,
    EngineRecord,
    EngineTrap,
    ExportSpec,
    ImportSpec,
    unenforced_limits,
)
from .errors import ConfigError, EngineUnavailableError, HostError, UnknownPluginError
from .failures import execution_error, from_host_error, from_trap, host_panic, link_error
from .limits import VMLimits
from .logic import VMLogic
from .memory import BytesMemory
from .outcome import CallError, Outcome
from .plugins.manager import PluginManager, Registry
from .storage import Storage, StorageBackend, commit_overlays
from .validation import MERGE_HOOK, check_method_name, check_module_size, validate_module

MODULE_CACHE_SIZE = 64


def _specs_from(meta: Mapping[str, Any]) -> tuple[tuple[ImportSpec, ...], tuple[ExportSpec, ...]] | None:
    """Import/export specs saved with a cache entry (lists of fields), or None if absent."""
    try:
        imports = tuple(ImportSpec(m, n, k, tuple(p), tuple(r)) for m, n, k, p, r in meta["imports"])
        exports = tuple(ExportSpec(n, k, tuple(p), tuple(r)) for n, k, p, r in meta["exports"])
    except (KeyError, TypeError, ValueError):
        return None
    return imports, exports


def _select(kind: str, records: Mapping[str, Any], name: str) -> Any:
    try:
        return records[name]
    except KeyError:
        raise UnknownPluginError(kind, name, list(records)) from None


class Runtime:
    """An assembled runtime: one engine, one storage plugin, one host-function table.

    ``hostfns`` selects host-function groups by name (default: every registered group).
    ``plugins`` adds plugin objects directly (handy in tests); ``entry_points=False`` skips installed
    ones. ``strict_plugins`` makes a plugin that fails to import an error.
    """

    def __init__(
        self,
        engine: str = "wasmtime",
        storage: str = "memory",
        *,
        clock: Clock | None = None,
        entropy: Entropy | None = None,
        limits: VMLimits | None = None,
        hostfns: Iterable[str] | None = None,
        count_host_calls: bool = False,
        plugins: Iterable[Any] = (),
        entry_points: bool = True,
        strict_plugins: bool = False,
        engine_options: Mapping[str, Any] | None = None,
        storage_options: Mapping[str, Any] | None = None,
        storage_location: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.limits = limits if limits is not None else VMLimits()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.entropy: Entropy = entropy if entropy is not None else SystemEntropy()
        self.count_host_calls = count_host_calls
        self.plugin_manager = PluginManager(entry_points=entry_points, plugins=plugins, strict=strict_plugins)
        self.registry: Registry = self.plugin_manager.collect()

        self.engine_record: EngineRecord = _select("engine", self.registry.engines, engine)
        if not self.engine_record.available:
            raise EngineUnavailableError(
                f"engine {engine!r} is not available here: {self.engine_record.unavailable_reason}"
            )
        self.unenforced_limits = unenforced_limits(self.engine_record, self.limits)
        self.storage_record = _select("storage", self.registry.storages, storage)
        self.storage_options = dict(storage_options or {})
        self.storage_location = None if storage_location is None else os.fspath(storage_location)

        functions = self.registry.host_functions
        groups = sorted({f.group for f in functions})
        if hostfns is not None:
            wanted = list(hostfns)
            for name in wanted:
                if name not in groups:
                    raise UnknownPluginError("host-function group", name, groups)
            functions = [f for f in functions if f.group in wanted]
        self.host_table = HostTable(functions, count_host_calls)
        self.engine = self.engine_record.factory(EngineConfig(self.limits, dict(engine_options or {})))
        self._modules: OrderedDict[str, Module] = OrderedDict()
        self.module_cache: ModuleCache | None = None
        if cache_dir is not None and Capability.SERIALIZATION in self.engine_record.capabilities:
            self.module_cache = ModuleCache(cache_dir, self.limits.max_precompiled_module_size)

    @classmethod
    def from_config(cls, source: Mapping[str, Any] | str | os.PathLike[str] | None = None,
                    **overrides: Any) -> Runtime:
        """Assemble from a mapping or a TOML file, with environment variables applied (see config)."""
        from .config import load_config

        return cls(**load_config(source, overrides=overrides))

    # -- modules -----------------------------------------------------------------------------------

    def compile(self, wasm: bytes) -> Module:
        """Validate and compile (ABI.md §2.1); raises a CompileError. Cached by SHA-256."""
        wasm = bytes(wasm)
        check_module_size(wasm, self.limits)
        digest = hashlib.sha256(wasm).hexdigest()
        cached = self._modules.get(digest)
        if cached is not None:
            self._modules.move_to_end(digest)
            return cached
        compiled = self._load_or_compile(wasm, digest)
        validate_module(compiled)
        module = Module(self, compiled, digest)
        self._modules[digest] = module
        if len(self._modules) > MODULE_CACHE_SIZE:
            self._modules.popitem(last=False)
        return module

    def _load_or_compile(self, wasm: bytes, digest: str) -> CompiledModule:
        cache, engine = self.module_cache, self.engine
        if cache is None:
            fresh: CompiledModule = engine.compile(wasm)
            return fresh
        key = CacheKey(digest, self.engine_record.name, engine.version, engine.fingerprint())  # type: ignore[attr-defined]
        found = cache.load_with_meta(key)
        if found is not None:
            payload, meta = found
            try:
                compiled: CompiledModule = engine.deserialize(payload, _specs_from(meta))  # type: ignore[attr-defined]
                return compiled
            except Exception:  # foreign or stale despite the checksum: recompile and replace
                cache.rejected += 1
        compiled = engine.compile(wasm)
        meta = {"imports": [attrs.astuple(i) for i in compiled.imports],
                "exports": [attrs.astuple(e) for e in compiled.exports]}
        cache.store(key, engine.serialize(compiled), meta)  # type: ignore[attr-defined]
        return compiled

    # -- storage -----------------------------------------------------------------------------------

    def open_storage(self, location: str | os.PathLike[str] | None = None) -> StorageBackend:
        """Open the configured storage plugin (RocksDB: a directory; memory: no location)."""
        where = os.fspath(location) if location is not None else self.storage_location
        if self.storage_record.needs_location and where is None:
            raise ConfigError(f"storage {self.storage_record.name!r} needs a location (a directory)")
        backend: StorageBackend = self.storage_record.open(where, self.storage_options)
        return backend

    def __repr__(self) -> str:
        return f"Runtime(engine={self.engine_record.name!r}, storage={self.storage_record.name!r})"


class Module:
    """A compiled application. ``run`` may be called any number of times; each call is independent."""

    def __init__(self, runtime: Runtime, compiled: CompiledModule, sha256: str) -> None:
        self.runtime = runtime
        self.compiled = compiled
        self.sha256 = sha256
        self.link: LinkPlan | LinkFailure = runtime.host_table.link(compiled.imports)
        self._exports = {e.name: e for e in compiled.exports}

    @property
    def imports(self) -> tuple[Any, ...]:
        return self.compiled.imports

    @property
    def exports(self) -> tuple[Any, ...]:
        return self.compiled.exports

    @property
    def methods(self) -> list[str]:
        return sorted(e.name for e in self.compiled.exports if e.kind == "func" and not e.params and not e.results)

    @property
    def abi_generation(self) -> str:
        return self.runtime.host_table.generation_of(self.compiled.imports)

    def run(
        self,
        method: str,
        *,
        input: bytes = b"",
        context: VMContext,
        storage: Storage,
        private_storage: Storage | None = None,
        node_client: Any = None,
        context_host: Any = None,
    ) -> Outcome:
        """Run one method. Always returns an Outcome; storage changes are applied iff it is ``ok``."""
        rt = self.runtime
        logic = VMLogic(
            context=context, input=bytes(input) or context.input, limits=rt.limits, storage=storage,
            private_storage=private_storage, clock=rt.clock, entropy=rt.entropy, node_client=node_client,
            context_host=context_host, count_host_calls=rt.count_host_calls,
        )
        error = check_method_name(method, rt.limits)
        instance: EngineInstance | None = None
        if error is None:
            try:
                instance, error = self._execute(method, logic)
            except Exception as exc:  # never let a guest take the host down
                error = (logic.error and from_host_error(logic.error)) or host_panic(exc)
        try:
            return self._finish(logic, instance, error)
        finally:
            # break logic -> memory -> store -> host closures -> logic: the stock wasmtime path keeps host
            # closures in a global slab until the store dies, so the cycle leaked every call's store
            logic.memory = BytesMemory()
            logic.error = None  # a host error's traceback reaches the store too

    def _execute(self, method: str, logic: VMLogic) -> tuple[EngineInstance | None, CallError | None]:
        if isinstance(self.link, LinkFailure):
            return None, link_error(self.link.message)
        try:
            instance = self.compiled.instantiate(self.link.host_imports(logic))
        except EngineLinkError as exc:
            return None, link_error(str(exc))
        except BaseException as exc:
            return None, self._failure(logic, exc)
        if instance.memory is not None:
            logic.memory = instance.memory

        hook = self._exports.get(MERGE_HOOK)
        if hook is not None and hook.kind == "func" and not hook.params and not hook.results:
            try:
                instance.call(MERGE_HOOK)
            except Exception:
                logic.error = None  # failures of the merge hook are ignored (ABI.md §2.2 step 6)

        export = self._exports.get(method)
        if export is None:
            return instance, CallError("MethodResolutionError", "MethodNotFound",
                                       f"method {method!r} not found", details={"name": method})
        if export.kind != "func":
            message = "internal error: entered unreachable code"
            return instance, CallError("HostError", "Panic", f"guest panicked: {message}", context="Guest",
                                       details={"message": message})
        if export.params or export.results:
            return instance, CallError("MethodResolutionError", "InvalidSignature",
                                       f"method {method!r} must take no parameters and return nothing",
                                       details={"name": method})
        try:
            instance.call(method)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit) and logic.error is None:
                raise
            return instance, self._failure(logic, exc)
        return instance, None

    def _failure(self, logic: VMLogic, exc: BaseException) -> CallError:
        if logic.error is not None:  # a host function aborted: that is the cause, whatever the engine says
            return from_host_error(logic.error)
        if isinstance(exc, EngineTrap):
            return from_trap(exc, self.runtime.limits.max_gas)
        if isinstance(exc, HostError):
            return from_host_error(exc)
        return host_panic(exc)

    def _finish(self, logic: VMLogic, instance: EngineInstance | None, error: CallError | None) -> Outcome:
        returns: bytes | None = None
        if error is None and logic.return_value is not None:
            tag, data = logic.return_value
            if tag == 1:
                error = execution_error(data)
            else:
                returns = data
        shared: dict[bytes, bytes | None] = {}
        private: dict[bytes, bytes | None] = {}
        if error is None:
            overlays = [logic.storage] + ([logic.private] if logic.private is not None else [])
            try:
                commit_overlays(overlays)
            except Exception as exc:  # a storage-layer failure is HostError(Panic{Host}) (ABI.md §6), not a raise
                error, returns = host_panic(exc), None
            else:
                shared = dict(logic.storage.changes)
                private = dict(logic.private.changes) if logic.private is not None else {}
        # ABI.md §2.2: gas_used is None when the method never ran (steps 2, 3 and 7)
        ran = error is None or error.type != "MethodResolutionError"
        gas_used = instance.gas_used() if instance is not None and ran else None
        return Outcome(
            returns=returns, error=error, logs=tuple(logic.logs), events=tuple(logic.events),
            xcalls=tuple(logic.xcalls), root_hash=logic.root_hash, artifact=logic.artifact,
            storage_delta=shared, private_storage_delta=private, proposals=dict(logic.proposals),
            approvals=tuple(logic.approvals), context_mutations=tuple(logic.context_mutations),
            migration_witness=logic.migration_witness, gas_used=gas_used,
            host_calls=None if logic.host_calls is None else dict(logic.host_calls),
        )
