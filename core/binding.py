"""From host-function declarations to engine callables, per ABI generation.

At assembly, every (function, generation) pair becomes a :class:`BoundFunction`: its wasm signature
and a decoder prepared once. At link time a module's imports are matched by name *and* signature, so
each import picks its generation (ABI.md §9). Per instance, ``bind(logic)`` yields the callable an
engine registers: a straight call, no plugin machinery on the way.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .abi import (
    CURRENT,
    GENERATIONS,
    I64,
    MASK32,
    MASK64,
    Span,
    check_limit,
    decode_utf8,
)
from .engine import HostImport, ImportSpec
from .errors import HostError
from .hostfn import HostFunction
from .memory import invalid_memory_access

if TYPE_CHECKING:
    from .logic import VMLogic

IMPORT_MODULE = "env"


_BUFFER = struct.Struct("<QQ")


class BoundFunction:
    """A host function prepared for one ABI generation."""

    __slots__ = ("call", "function", "generation", "params", "results")

    def __init__(self, function: HostFunction, generation: str, count_calls: bool = False) -> None:
        self.function = function
        self.generation = generation
        self.params, self.results = function.signature(generation)
        self.call: Callable[..., int | None] = _entry_point(function, generation, count_calls)


@functools.lru_cache(maxsize=4096)
def _entry_point(function: HostFunction, generation: str, count_calls: bool) -> Callable[..., int | None]:
    """Declarations are immutable: generate each entry point once per process, not per Runtime."""
    return _make_call(function, generation, count_calls)


def _make_call(function: HostFunction, generation: str, count_calls: bool = False) -> Callable[..., int | None]:
    """Generate the host function's entry point for one generation, once, at assembly."""
    phase1: list[str] = []
    phase2: list[str] = []
    args: list[str] = []
    for i, param in enumerate(function.params):
        raw = [f"a{len(args) + k}" for k in range(len(param.wasm(generation)))]
        args += raw
        one, two = param.emit(i, raw, generation)
        phase1 += one
        phase2 += two
    values = ", ".join(f"v{i}" for i in range(len(function.params)))
    if function.result is None:
        ret = ["impl(logic, " + values + ")", "return None"]
    elif function.result == I64:
        ret = ["r = impl(logic, " + values + ") & M64", "return r - 0x10000000000000000 if r >> 63 else r"]
    else:
        ret = ["return impl(logic, " + values + ")"]
    # Counting is compiled in only for runtimes that count (count_host_calls): no per-call test.
    count = ["hc = logic.host_calls", "if hc is not None: hc[NAME] = hc.get(NAME, 0) + 1"] if count_calls else []
    body = [
        *count,
        "try:",
        *("    " + line for line in ["mem = logic.memory", "limits = logic.limits", *phase1, *phase2, *ret]),
        "except HostError as exc:",
        "    raise logic.abort(exc) from None",
        "except Exception as exc:  # a bug in a host function: the node reports it as a host panic",
        "    raise logic.abort(HostError('Panic', f'host panicked: {type(exc).__name__}: {exc}', context='Host',",
        "                                message=f'{type(exc).__name__}: {exc}')) from exc",
    ]
    source = f"def {function.name}(logic, {', '.join(args)}):\n" + "\n".join("    " + line for line in body)
    namespace: dict[str, Any] = {
        "impl": function.impl, "NAME": function.name, "P": function.params, "G": generation,
        "M64": MASK64, "M32": MASK32, "IMA": invalid_memory_access, "HostError": HostError, "Span": Span,
        "unpack_buffer": _BUFFER.unpack, "decode_utf8": decode_utf8, "check_limit": check_limit,
    }
    exec(compile(source, f"<host function {function.name} ({generation} ABI)>", "exec"), namespace)
    call: Callable[..., int | None] = namespace[function.name]
    call.__doc__ = function.doc
    call.source = source  # type: ignore[attr-defined]
    return call


@attrs.frozen
class LinkFailure:
    message: str


@attrs.frozen(slots=False)
class LinkPlan:
    """How a module's function imports are served; ``generations`` records which ABI each used."""

    bound: tuple[BoundFunction, ...]
    specs: tuple[ImportSpec, ...]

    @property
    def generations(self) -> frozenset[str]:
        return frozenset(b.generation for b in self.bound if _differs(b.function))

    def host_imports(self, logic: VMLogic) -> list[HostImport]:
        return [HostImport(m, n, p, r, None, c, logic) for m, n, p, r, c in self._templates]

    @functools.cached_property
    def _templates(self) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...], Callable[..., int | None]]]:
        return [(s.module, s.name, b.params, b.results, b.call) for s, b in zip(self.specs, self.bound, strict=True)]


def _differs(function: HostFunction) -> bool:
    sigs = {function.signature(g) for g in function.generations}
    return len(sigs) > 1 or len(function.generations) == 1


class HostTable:
    """All host functions of a runtime, bound per generation, looked up by (name, signature)."""

    def __init__(self, functions: Iterable[HostFunction], count_calls: bool = False) -> None:
        self.functions: dict[tuple[str, str], HostFunction] = {}
        self._by_name: dict[str, list[BoundFunction]] = {}
        for fn in functions:
            for generation in GENERATIONS:
                if generation in fn.generations:
                    self.functions[(fn.name, generation)] = fn
                    self._by_name.setdefault(fn.name, []).append(BoundFunction(fn, generation, count_calls))

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def lookup(self, spec: ImportSpec) -> BoundFunction | str:
        """The bound function serving ``spec``, or the reason none does."""
        if spec.module != IMPORT_MODULE:
            return f"unknown import: module {spec.module!r} is not provided (only {IMPORT_MODULE!r})"
        if spec.kind != "func":
            return f"unknown import: {spec.module}::{spec.name} is a {spec.kind}; the host provides functions only"
        candidates = self._by_name.get(spec.name)
        if not candidates:
            return f"unknown import: `{spec.module}::{spec.name}` has not been defined"
        for bound in candidates:
            if bound.params == spec.params and bound.results == spec.results:
                return bound
        expected = " or ".join(_sig(b.params, b.results) for b in candidates)
        return (
            f"incompatible import type for `{spec.module}::{spec.name}`: module wants "
            f"{_sig(spec.params, spec.results)}, host provides {expected}"
        )

    def link(self, imports: Sequence[ImportSpec]) -> LinkPlan | LinkFailure:
        bound: list[BoundFunction] = []
        for spec in imports:
            found = self.lookup(spec)
            if isinstance(found, str):
                return LinkFailure(found)
            bound.append(found)
        return LinkPlan(tuple(bound), tuple(imports))

    def generation_of(self, imports: Sequence[ImportSpec]) -> str:
        """"current", "flat", "mixed", or "any" (every import has one signature in both)."""
        plan = self.link([i for i in imports if self._servable(i)])
        gens = plan.generations if isinstance(plan, LinkPlan) else frozenset()
        if not gens:
            return "any"
        if len(gens) == 1:
            return next(iter(gens))
        return "mixed"

    def _servable(self, spec: ImportSpec) -> bool:
        return not isinstance(self.lookup(spec), str)

    def providers(self) -> Mapping[str, str]:
        return {name: fn.group for (name, _), fn in self.functions.items()}


def _sig(params: Sequence[str], results: Sequence[str]) -> str:
    return f"({', '.join(params)}) -> ({', '.join(results)})"


__all__ = ["CURRENT", "BoundFunction", "HostTable", "LinkFailure", "LinkPlan"]
