"""wasmtime engine backend (Cranelift), on wasmtime-py.

Fuel enforces ``max_gas``, ``Store.set_limits`` makes ``memory.grow`` past ``max_memory_pages``
return -1, and ``max_wasm_stack`` enforces ``max_stack_size``. Guest memory is accessed through the
raw base pointer (``memory_may_move = False`` keeps it fixed), bounds-checked by the core.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from importlib.metadata import version as _dist_version

import wasmtime

from calimero_runtime.engine import (
    Capability,
    EngineConfig,
    EngineLinkError,
    EngineRecord,
    EngineTrap,
    ExportSpec,
    HostImport,
    ImportSpec,
)
from calimero_runtime.errors import CompilationError
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


def _valtype(t: wasmtime.ValType) -> str:
    return str(t)


def _describe(ty: object) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if isinstance(ty, wasmtime.FuncType):
        return "func", tuple(map(_valtype, ty.params)), tuple(map(_valtype, ty.results))
    if isinstance(ty, wasmtime.MemoryType):
        return "memory", (), ()
    if isinstance(ty, wasmtime.TableType):
        return "table", (), ()
    if isinstance(ty, wasmtime.GlobalType):
        return "global", (), ()
    return type(ty).__name__.lower(), (), ()


class WasmtimeMemory(GuestMemory):
    """The exported memory through its raw base pointer; the length is cached and refreshed on a miss."""

    __slots__ = ("_base", "_len", "_memory", "_store")

    def __init__(self, store: wasmtime.Store, memory: wasmtime.Memory) -> None:
        self._store, self._memory = store, memory
        self._base = 0
        self._len = 0
        self._refresh()

    def _size(self) -> int:
        return self._len

    def _refresh(self) -> int:
        self._len = self._memory.data_len(self._store)
        if self._len:
            self._base = ctypes.addressof(self._memory.data_ptr(self._store).contents)
        return self._len

    def _read(self, ptr: int, length: int) -> bytes:
        return ctypes.string_at(self._base + ptr, length)

    def _write(self, ptr: int, data: bytes) -> None:
        ctypes.memmove(self._base + ptr, data, len(data))


class WasmtimeInstance:
    def __init__(self, store: wasmtime.Store, instance: wasmtime.Instance, max_gas: int) -> None:
        self._store = store
        self._exports = instance.exports(store)
        self._max_gas = max_gas
        mem = self._exports.get("memory")
        self.memory: GuestMemory | None = WasmtimeMemory(store, mem) if isinstance(mem, wasmtime.Memory) else None

    def call(self, name: str) -> None:
        func = self._exports[name]
        assert isinstance(func, wasmtime.Func)
        try:
            func(self._store)
        except wasmtime.Trap as trap:
            raise classify_trap(trap) from None

    def gas_used(self) -> int:
        return self._max_gas - self._store.get_fuel()


class WasmtimeModule:
    def __init__(self, backend: WasmtimeBackend, module: wasmtime.Module) -> None:
        self._backend = backend
        self._module = module
        self.imports = tuple(ImportSpec(i.module, i.name or "", *_describe(i.type)) for i in module.imports)
        self.exports = tuple(ExportSpec(e.name, *_describe(e.type)) for e in module.exports)

    def instantiate(self, imports: Sequence[HostImport]) -> WasmtimeInstance:
        backend = self._backend
        limits = backend.config.limits
        store = wasmtime.Store(backend.engine)
        store.set_fuel(limits.max_gas)
        store.set_limits(memory_size=limits.max_memory_pages * PAGE)
        funcs = [wasmtime.Func(store, backend.functype(h.params, h.results), h.func) for h in imports]
        try:
            instance = wasmtime.Instance(store, self._module, funcs)
        except wasmtime.Trap as trap:
            raise classify_trap(trap) from None
        except wasmtime.WasmtimeError as exc:
            raise EngineLinkError(str(exc).splitlines()[0]) from None
        return WasmtimeInstance(store, instance, limits.max_gas)


class WasmtimeBackend:
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

    def functype(self, params: tuple[str, ...], results: tuple[str, ...]) -> wasmtime.FuncType:
        key = (params, results)
        ty = self._functypes.get(key)
        if ty is None:
            vt = {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64()}
            ty = self._functypes[key] = wasmtime.FuncType([vt[p] for p in params], [vt[r] for r in results])
        return ty

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
            capabilities=frozenset({Capability.FUEL, Capability.MEMORY_LIMIT, Capability.STACK_LIMIT}),
            version=VERSION,
            description="wasmtime-py (Cranelift); fuel-metered",
        )
    )
