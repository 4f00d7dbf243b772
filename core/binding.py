"""From host-function declarations to engine callables, per ABI generation.

At assembly, every (function, generation) pair becomes a :class:`BoundFunction`: its wasm signature
and a decoder prepared once. At link time a module's imports are matched by name *and* signature, so
each import picks its generation (ABI.md §9). Per instance, ``bind(logic)`` yields the callable an
engine registers: a straight call, no plugin machinery on the way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .abi import CURRENT, GENERATIONS, I64, MASK64
from .engine import HostImport, ImportSpec
from .errors import HostError
from .hostfn import HostFunction

if TYPE_CHECKING:
    from .logic import VMLogic

IMPORT_MODULE = "env"


def _to_wasm_i64(value: int) -> int:
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


class BoundFunction:
    """A host function prepared for one ABI generation."""

    __slots__ = ("call", "function", "generation", "params", "results")

    def __init__(self, function: HostFunction, generation: str) -> None:
        self.function = function
        self.generation = generation
        self.params, self.results = function.signature(generation)
        self.call: Callable[..., int | None] = _make_call(function, generation)

    def bind(self, logic: VMLogic) -> Callable[..., int | None]:
        return functools.partial(self.call, logic)


def _make_call(function: HostFunction, generation: str) -> Callable[..., int | None]:
    name, impl = function.name, function.impl
    plan: list[tuple[Any, int, int]] = []
    offset = 0
    for param in function.params:
        width = len(param.wasm(generation))
        plan.append((param, offset, offset + width))
        offset += width
    loaders = [(i, p) for i, (p, _, _) in enumerate(plan) if p.loads]
    signed_result = function.result == I64

    def call(logic: VMLogic, *raw: int) -> int | None:
        try:
            if logic.host_calls is not None:
                logic.host_calls[name] = logic.host_calls.get(name, 0) + 1
            args = [p.describe(logic, raw[a:b], generation) for p, a, b in plan]
            for i, p in loaders:
                args[i] = p.load(logic, args[i])
            result = impl(logic, *args)
        except HostError as exc:
            raise logic.abort(exc) from None
        except Exception as exc:  # a bug in a host function: the node reports it as a host panic
            raise logic.abort(HostError("Panic", f"{type(exc).__name__}: {exc}", context="Host")) from exc
        if result is None:
            return None
        return _to_wasm_i64(result) if signed_result else int(result)

    call.__name__ = call.__qualname__ = name
    return call


@attrs.frozen
class LinkFailure:
    message: str


@attrs.frozen
class LinkPlan:
    """How a module's function imports are served; ``generations`` records which ABI each used."""

    bound: tuple[BoundFunction, ...]
    specs: tuple[ImportSpec, ...]

    @property
    def generations(self) -> frozenset[str]:
        return frozenset(b.generation for b in self.bound if _differs(b.function))

    def host_imports(self, logic: VMLogic) -> list[HostImport]:
        return [
            HostImport(s.module, s.name, b.params, b.results, b.bind(logic), b.call, logic)
            for s, b in zip(self.specs, self.bound, strict=True)
        ]


def _differs(function: HostFunction) -> bool:
    sigs = {function.signature(g) for g in function.generations}
    return len(sigs) > 1 or len(function.generations) == 1


class HostTable:
    """All host functions of a runtime, bound per generation, looked up by (name, signature)."""

    def __init__(self, functions: Iterable[HostFunction]) -> None:
        self.functions: dict[tuple[str, str], HostFunction] = {}
        self._by_name: dict[str, list[BoundFunction]] = {}
        for fn in functions:
            for generation in GENERATIONS:
                if generation in fn.generations:
                    self.functions[(fn.name, generation)] = fn
                    self._by_name.setdefault(fn.name, []).append(BoundFunction(fn, generation))

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
