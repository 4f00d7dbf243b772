"""What an engine backend is: compile bytes, instantiate with callables, call an export, map traps.

Everything else (validation, linking by signature, VMLogic, outcomes) is the core's.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from .limits import VMLimits
from .memory import GuestMemory

WASM_TRAP_KINDS = frozenset(
    {
        "StackOverflow",
        "MemoryOutOfBounds",
        "HeapMisaligned",
        "TableAccessOutOfBounds",
        "IndirectCallToNull",
        "BadSignature",
        "IllegalArithmetic",
        "Unreachable",
        "UnalignedAtomic",
        "Indeterminate",
    }
)


class Capability(str, enum.Enum):
    """What an engine can enforce; checked when a runtime is assembled."""

    FUEL = "fuel"  # max_gas
    MEMORY_LIMIT = "memory_limit"  # max_memory_pages as a hard memory.grow cap
    STACK_LIMIT = "stack_limit"  # max_stack_size
    INTERRUPTION = "interruption"  # stop a running guest from outside
    SERIALIZATION = "serialization"  # serialized modules for the cache


@attrs.frozen
class EngineConfig:
    limits: VMLimits
    options: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ImportSpec:
    module: str
    name: str
    kind: str  # "func" | "memory" | "table" | "global" | "tag"
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


ExternKinds = Sequence[tuple[type, str]]
"""An engine's extern type classes paired with their kind names; the function type comes first."""


def describe_extern(
    ty: object, kinds: ExternKinds, valtype: Callable[[Any], str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(kind, params, results) of an engine's import/export type: the fields of ImportSpec/ExportSpec
    after module and name. ``valtype`` names a value type (``"i64"``)."""
    for cls, kind in kinds:
        if isinstance(ty, cls):
            if kind != "func":
                return kind, (), ()
            return kind, tuple(map(valtype, ty.params)), tuple(map(valtype, ty.results))  # type: ignore[attr-defined]
    return type(ty).__name__.lower(), (), ()


@attrs.frozen
class ExportSpec:
    name: str
    kind: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


class HostImport:
    """One import to provide: ``func`` receives raw wasm ints and returns a raw wasm int or None.

    ``raw`` is the same function unbound (``raw(logic, *ints)``), identical for every call of a module,
    and ``logic`` the call's VMLogic: a backend can register ``raw`` once per module and supply the
    logic per call (the wasmtime fast path does). ``func`` is bound lazily, so it costs nothing there.
    A plain slotted class, not attrs: a call builds one per import.
    """

    __slots__ = ("_func", "logic", "module", "name", "params", "raw", "results")

    def __init__(self, module: str, name: str, params: tuple[str, ...], results: tuple[str, ...],
                 func: Callable[..., int | None] | None = None, raw: Callable[..., int | None] | None = None,
                 logic: Any = None) -> None:
        if func is None and raw is None:
            raise TypeError("HostImport needs func or raw")
        self.module, self.name, self.params, self.results = module, name, params, results
        self._func, self.raw, self.logic = func, raw, logic

    @property
    def func(self) -> Callable[..., int | None]:
        if self._func is None:
            assert self.raw is not None
            self._func = functools.partial(self.raw, self.logic)
        return self._func

    def __repr__(self) -> str:
        return f"HostImport({self.module}::{self.name} {self.params} -> {self.results})"


class EngineTrap(Exception):
    """A guest trap, classified: ``kind`` is a WasmTrap kind of ABI.md §6, or ``GasExhausted``."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or kind)
        self.kind = kind
        self.message = message or kind


class EngineLinkError(Exception):
    """Instantiation failed for reasons other than a trap (missing import, memory too large...)."""


class EngineInstance(Protocol):
    memory: GuestMemory | None
    """The exported ``memory`` (None if the module has none)."""

    def call(self, name: str) -> None:
        """Call a ``() -> ()`` export. Raises :class:`EngineTrap` on a trap; an exception raised by a
        host function propagates (or, if the engine cannot carry it, surfaces as a trap — the core
        looks at the VMLogic first)."""
        ...

    def gas_used(self) -> int | None:
        """Metering points spent so far, or None when the engine does not meter."""
        ...


class CompiledModule(Protocol):
    imports: tuple[ImportSpec, ...]
    exports: tuple[ExportSpec, ...]

    def instantiate(self, imports: Sequence[HostImport]) -> EngineInstance:
        """A fresh instance; ``imports`` are in the module's import order. Raises
        :class:`EngineLinkError`, or :class:`EngineTrap` when the start function traps."""
        ...


class EngineBackend(Protocol):
    name: str
    version: str

    def compile(self, wasm: bytes) -> CompiledModule:
        """Raises :class:`~calimero_runtime.errors.CompilationError` for invalid wasm."""
        ...


@attrs.frozen
class EngineRecord:
    """What an engine plugin registers."""

    name: str
    factory: Callable[[EngineConfig], EngineBackend]
    capabilities: frozenset[Capability] = frozenset()
    version: str = ""
    available: bool = True
    unavailable_reason: str = ""
    description: str = ""


LIMIT_CAPABILITIES: Mapping[str, Capability] = {
    "max_gas": Capability.FUEL,
    "max_memory_pages": Capability.MEMORY_LIMIT,
    "max_stack_size": Capability.STACK_LIMIT,
}
"""Which VMLimits field needs which engine capability to be enforced."""


def unenforced_limits(record: EngineRecord, limits: VMLimits) -> list[str]:
    """Limits the engine cannot enforce. Raises CapabilityError for any that was explicitly set to a
    non-default value: asking for a limit an engine cannot enforce is an error at assembly, not a
    silent no-op at run time. Defaults it cannot enforce are returned, so they can be shown."""
    from .errors import CapabilityError

    defaults = VMLimits()
    missing = []
    for field, capability in LIMIT_CAPABILITIES.items():
        if capability in record.capabilities:
            continue
        if getattr(limits, field) != getattr(defaults, field):
            raise CapabilityError(
                f"engine {record.name!r} cannot enforce {field}={getattr(limits, field)} "
                f"(it lacks the {capability.value!r} capability; it has: "
                f"{', '.join(sorted(c.value for c in record.capabilities)) or 'none'})"
            )
        missing.append(field)
    return missing
