"""wasmtime engine backend (Cranelift), on wasmtime-py.

Fuel enforces ``max_gas``, ``Store.set_limits`` makes ``memory.grow`` past ``max_memory_pages``
return -1, and ``max_wasm_stack`` enforces ``max_stack_size``. Guest memory is accessed through the
raw base pointer (``memory_may_move = False`` keeps it fixed), bounds-checked by the core.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import version as _dist_version
from typing import Any, cast

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._extern import wrap_extern

from calimero_runtime.engine import (
    Capability,
    EngineConfig,
    EngineLinkError,
    EngineRecord,
    EngineTrap,
    ExportSpec,
    HostImport,
    ImportSpec,
    describe_extern,
)
from calimero_runtime.errors import CompilationError, ConfigError
from calimero_runtime.memory import GuestMemory
from calimero_runtime.plugins import hookimpl

PAGE = 65536
VERSION = _dist_version("wasmtime")

_T = wasmtime.TrapCode
TRAP_KINDS: dict[object, str] = {
    _T.STACK_OVERFLOW: "StackOverflow",
    _T.MEMORY_OUT_OF_BOUNDS: "MemoryOutOfBounds",
    _T.TABLE_OUT_OF_BOUNDS: "MemoryOutOfBounds",  # the node reports table OOB as MemoryOutOfBounds too
    _T.HEAP_MISALIGNED: "HeapMisaligned",
    _T.INDIRECT_CALL_TO_NULL: "IndirectCallToNull",
    _T.BAD_SIGNATURE: "BadSignature",
    _T.INTEGER_OVERFLOW: "IllegalArithmetic",
    _T.INTEGER_DIVISION_BY_ZERO: "IllegalArithmetic",
    _T.BAD_CONVERSION_TO_INTEGER: "IllegalArithmetic",
    _T.UNREACHABLE: "Unreachable",
    _T.OUT_OF_FUEL: "GasExhausted",
}


def classify_trap(trap: wasmtime.Trap) -> EngineTrap:
    kind = TRAP_KINDS.get(trap.trap_code, "Indeterminate")
    lines = [line.strip() for line in str(trap).splitlines() if "wasm trap:" in line]
    message = lines[-1].split("wasm trap:", 1)[1].strip() if lines else str(trap).splitlines()[0]
    return EngineTrap(kind, message)


EXTERN_KINDS = ((wasmtime.FuncType, "func"), (wasmtime.MemoryType, "memory"), (wasmtime.TableType, "table"),
                (wasmtime.GlobalType, "global"))


def _describe(ty: object) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return describe_extern(ty, EXTERN_KINDS, str)


class WasmtimeMemory(GuestMemory):
    """The exported memory through its raw base pointer; the length is cached and refreshed on a miss."""

    __slots__ = ("_base", "_memory", "_n", "_store")

    def __init__(self, store: wasmtime.Store, memory: wasmtime.Memory) -> None:
        self._store, self._memory = store, memory
        self._base = 0
        self._n = 0
        self._refresh()

    def _refresh(self) -> int:
        self._n = self._memory.data_len(self._store)
        if self._n:
            self._base = ctypes.addressof(self._memory.data_ptr(self._store).contents)
        return self._n

    def _read(self, ptr: int, length: int) -> bytes:
        return ctypes.string_at(self._base + ptr, length)

    def _write(self, ptr: int, data: bytes) -> None:
        ctypes.memmove(self._base + ptr, data, len(data))


# -- the fast host-call path ----------------------------------------------------------------------
#
# wasmtime's C API offers "unchecked" host functions: one callback receiving a pointer to raw 16-byte
# value slots. Registered once per module on a Linker (store-independent) with an integer env that
# indexes _SLAB; the call's VMLogic comes from a thread-local set around every entry into wasm.
# This skips wasmtime-py's per-call Val boxing and Caller objects (~10x cheaper per host call).

FAST_PATH_MAJOR = "50"  # the wasmtime-py major whose C-API layout this path was written against

_TLS = threading.local()
_SLAB: dict[int, tuple[Callable[..., int | None], int, bool]] = {}
_NEXT_ENV = itertools.count(1)
_EXTERN_FUNC, _EXTERN_MEMORY = ffi.WASMTIME_EXTERN_FUNC.value, ffi.WASMTIME_EXTERN_MEMORY.value
_SLOTS = ctypes.POINTER(ctypes.c_int64)  # a raw slot is 16 bytes: slot i starts at int64 index 2*i
_RAW_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, _SLOTS, ctypes.c_size_t)
_TRAP_MESSAGE = ctypes.create_string_buffer(b"host function failed")


def _fast_path_problem() -> str | None:
    if VERSION.split(".")[0] != FAST_PATH_MAJOR:
        return f"wasmtime-py {VERSION} is not the {FAST_PATH_MAJOR}.x the fast host-call path was built for"
    for symbol in ("wasmtime_linker_define_func_unchecked", "wasmtime_func_call_unchecked", "wasmtime_trap_new"):
        if not hasattr(ffi.dll, symbol):
            return f"the wasmtime C library lacks {symbol}"
    return None


def _raw_trampoline(env: int, caller: int, slots: Any, count: int) -> int:
    try:
        call, nparams, has_result = _SLAB[env]
        logic = _TLS.logic
        if nparams == 1:
            result = call(logic, slots[0])
        elif nparams == 2:
            result = call(logic, slots[0], slots[2])
        elif nparams == 3:
            result = call(logic, slots[0], slots[2], slots[4])
        elif nparams == 0:
            result = call(logic)
        else:
            result = call(logic, *[slots[2 * i] for i in range(nparams)])
        if has_result:
            slots[0] = result
        return 0
    except BaseException as exc:  # carried across the trap boundary, re-raised by the caller
        _TLS.pending = exc
        trap = ffi.wasmtime_trap_new(_TRAP_MESSAGE, len(_TRAP_MESSAGE.value))
        address: int = ctypes.cast(trap, ctypes.c_void_p).value or 0
        return address


_TRAMPOLINE = _RAW_CALLBACK(_raw_trampoline)
_define_unchecked = ctypes.CFUNCTYPE(
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
    ctypes.c_void_p, _RAW_CALLBACK, ctypes.c_void_p, ctypes.c_void_p,
)(("wasmtime_linker_define_func_unchecked", ffi.dll))
_call_unchecked = ctypes.CFUNCTYPE(
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
    ctypes.POINTER(ctypes.POINTER(ffi.wasm_trap_t)),
)(("wasmtime_func_call_unchecked", ffi.dll))


def _raise_pending() -> None:
    pending = getattr(_TLS, "pending", None)
    if pending is not None:
        _TLS.pending = None
        raise pending


class WasmtimeInstance:
    def __init__(self, store: wasmtime.Store, instance: wasmtime.Instance, max_gas: int, logic: Any,
                 fast: bool) -> None:
        self._store = store
        self._instance = instance
        self._max_gas = max_gas
        self._logic = logic
        self._fast = fast
        mem = self._export("memory")
        self.memory: GuestMemory | None = WasmtimeMemory(store, mem) if isinstance(mem, wasmtime.Memory) else None

    def _export(self, name: str) -> Any:
        """One export by name (building every export wrapper, as ``Instance.exports`` does, is costly)."""
        if not self._fast:
            return self._instance.exports(self._store).get(name)
        item = ffi.wasmtime_extern_t()
        raw = name.encode()
        if not ffi.wasmtime_instance_export_get(self._store._context(), ctypes.byref(self._instance._instance),
                                                raw, len(raw), ctypes.byref(item)):
            return None
        # the two kinds a call needs, without wrap_extern's per-call import statement
        kind = cast(int, item.kind)  # a ctypes field reads as int (the stubs say c_ubyte)
        if kind == _EXTERN_FUNC:
            return wasmtime.Func._from_raw(item.of.func)
        if kind == _EXTERN_MEMORY:
            return wasmtime.Memory._from_raw(item.of.memory)
        return wrap_extern(item)

    def call(self, name: str) -> None:
        func = self._export(name)
        assert isinstance(func, wasmtime.Func)
        if not self._fast:
            try:
                func(self._store)
            except wasmtime.Trap as stock_trap:
                raise classify_trap(stock_trap) from None
            return
        _TLS.logic, _TLS.pending = self._logic, None
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        slot = (ctypes.c_int64 * 2)()
        error = _call_unchecked(
            ctypes.addressof(self._store._context().contents), ctypes.addressof(func._func), slot, 1,
            ctypes.byref(trap),
        )
        _TLS.logic = None  # do not keep the call's VMLogic (and its storage views) alive after the call
        if trap:
            trap_obj = wasmtime.Trap._from_ptr(trap)
            _raise_pending()
            raise classify_trap(trap_obj) from None
        if error:
            _raise_pending()
            raise wasmtime.WasmtimeError._from_ptr(ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t)))

    def gas_used(self) -> int:
        return self._max_gas - self._store.get_fuel()


class WasmtimeModule:
    def __init__(self, backend: WasmtimeBackend, module: wasmtime.Module, specs: tuple[Any, Any] | None = None) -> None:
        self._backend = backend
        self._module = module
        if specs is not None:
            self.imports, self.exports = specs
        else:
            self.imports = tuple(ImportSpec(i.module, i.name or "", *_describe(i.type)) for i in module.imports)
            self.exports = tuple(ExportSpec(e.name, *_describe(e.type)) for e in module.exports)
        self._pre: wasmtime.InstancePre | None = None
        self._pre_key: tuple[int, ...] = ()
        self._envs: list[int] = []

    def _new_store(self) -> wasmtime.Store:
        limits = self._backend.config.limits
        store = wasmtime.Store(self._backend.engine)
        store.set_fuel(limits.max_gas)
        store.set_limits(memory_size=limits.max_memory_pages * PAGE)
        return store

    def instantiate(self, imports: Sequence[HostImport]) -> WasmtimeInstance:
        fast = self._backend.fast and all(h.raw is not None for h in imports)
        store = self._new_store()
        logic = imports[0].logic if imports else None
        try:
            if fast:
                pre = self._instance_pre(imports)
                _TLS.logic, _TLS.pending = logic, None
                try:
                    instance = pre.instantiate(store)
                except BaseException:
                    _raise_pending()
                    raise
                finally:
                    _TLS.logic = None
            else:
                funcs = [wasmtime.Func(store, self._backend.functype(h.params, h.results), h.func) for h in imports]
                instance = wasmtime.Instance(store, self._module, funcs)
        except wasmtime.Trap as trap:
            raise classify_trap(trap) from None
        except wasmtime.WasmtimeError as exc:
            raise EngineLinkError(str(exc).splitlines()[0]) from None
        return WasmtimeInstance(store, instance, self._backend.config.limits.max_gas, logic, fast)

    def _instance_pre(self, imports: Sequence[HostImport]) -> wasmtime.InstancePre:
        key = tuple(id(h.raw) for h in imports)
        if self._pre is not None and key == self._pre_key:
            return self._pre
        linker = wasmtime.Linker(self._backend.engine)
        linker_ptr = ctypes.addressof(linker.ptr().contents)
        for h in imports:
            assert h.raw is not None
            env = next(_NEXT_ENV)
            _SLAB[env] = (h.raw, len(h.params), bool(h.results))
            self._envs.append(env)
            ty = self._backend.functype(h.params, h.results)
            module, name = h.module.encode(), h.name.encode()
            error = _define_unchecked(linker_ptr, module, len(module), name, len(name),
                                      ctypes.addressof(ty.ptr().contents), _TRAMPOLINE, env, None)
            if error:
                raise wasmtime.WasmtimeError._from_ptr(ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t)))
        self._pre, self._pre_key, self._linker = linker.instantiate_pre(self._module), key, linker
        return self._pre

    def __del__(self) -> None:
        for env in getattr(self, "_envs", ()):
            _SLAB.pop(env, None)


class WasmtimeBackend:
    """``engine_options``: ``host_calls = "fast"`` (default: raw C-API callbacks, InstancePre) or
    ``"stock"`` (wasmtime-py's own ``Func`` per store — for a wasmtime-py the fast path does not know).
    Without the option, ``$CALIMERO_WASMTIME_HOST_CALLS`` decides."""

    name = "wasmtime"
    version = VERSION

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        cfg = wasmtime.Config()
        cfg.strategy = "cranelift"
        cfg.consume_fuel = True
        cfg.max_wasm_stack = config.limits.max_stack_size
        cfg.memory_may_move = False
        cfg.wasm_threads = False
        self.engine = wasmtime.Engine(cfg)
        # A FuncType binds to the first Engine it is used with: keep them per engine.
        self._functypes: dict[tuple[tuple[str, ...], tuple[str, ...]], wasmtime.FuncType] = {}
        mode = str(config.options.get("host_calls", os.environ.get("CALIMERO_WASMTIME_HOST_CALLS", "fast")))
        if mode not in ("fast", "stock"):
            raise ConfigError(f"wasmtime host_calls must be 'fast' or 'stock', got {mode!r}")
        self.fast = mode == "fast"
        if self.fast and (problem := _fast_path_problem()) is not None:
            warnings.warn(f"{problem}; using the stock host-call path", RuntimeWarning, stacklevel=2)
            self.fast = False

    def functype(self, params: tuple[str, ...], results: tuple[str, ...]) -> wasmtime.FuncType:
        key = (params, results)
        ty = self._functypes.get(key)
        if ty is None:
            vt = {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64()}
            ty = self._functypes[key] = wasmtime.FuncType([vt[p] for p in params], [vt[r] for r in results])
        return ty

    def fingerprint(self) -> str:
        """Everything besides the version that changes generated code (module-cache key)."""
        return f"cranelift;fuel;stack={self.config.limits.max_stack_size};may_move=0;threads=0"

    def serialize(self, module: WasmtimeModule) -> bytes:
        return bytes(module._module.serialize())

    def deserialize(self, payload: bytes, specs: tuple[Any, Any] | None = None) -> WasmtimeModule:
        """``specs``: the (imports, exports) recorded when the entry was made, to skip listing them.
        The bytes are handed to wasmtime in place, without the copy ``wasmtime.Module.deserialize`` makes."""
        payload = bytes(payload)  # no copy when it is bytes already; keeps the buffer alive for the call
        size = len(payload)
        raw = ctypes.cast(ctypes.c_char_p(payload), ctypes.POINTER(ctypes.c_uint8))
        ptr = ctypes.POINTER(ffi.wasmtime_module_t)()
        error = ffi.wasmtime_module_deserialize(self.engine.ptr(), raw, size, ctypes.byref(ptr))
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
        return WasmtimeModule(self, wasmtime.Module._from_ptr(ptr), specs)

    def compile(self, wasm: bytes) -> WasmtimeModule:
        try:
            module = wasmtime.Module(self.engine, wasm)
        except wasmtime.WasmtimeError as exc:
            raise CompilationError(f"invalid wasm module: {' '.join(str(exc).split())}") from None
        return WasmtimeModule(self, module)


@hookimpl
def calimero_register_engines(register: object) -> None:
    assert callable(register)
    register(
        EngineRecord(
            name="wasmtime",
            factory=WasmtimeBackend,
            capabilities=frozenset(
                {Capability.FUEL, Capability.MEMORY_LIMIT, Capability.STACK_LIMIT, Capability.SERIALIZATION}
            ),
            version=VERSION,
            description="wasmtime-py (Cranelift); fuel-metered",
        )
    )
