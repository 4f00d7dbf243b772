"""Host functions, declared once.

A :class:`HostFunction` names the function, its parameters in ABI types (:mod:`.abi`), its result,
and a Python implementation that receives the :class:`~calimero_runtime.logic.VMLogic` and decoded
values. :mod:`.binding` derives the wasm signature per ABI generation, the argument decoding and the
callable each engine wants. A group module declares its functions on a :class:`HostFunctionGroup`
and exposes ``group.hookimpl()`` as its plugin hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .abi import BOTH, Param
from .plugins.hookspecs import hookimpl

Impl = Callable[..., Any]


@attrs.frozen
class HostFunction:
    """One host function for one or both ABI generations.

    ``result`` is ``"i32"``, ``"i64"`` or None. The implementation returns a non-negative int for an
    ``i64`` result (u64; the binding reinterprets it as signed) and raises
    :class:`~calimero_runtime.errors.HostError` to abort the guest. Where the generations differ in
    semantics, declare two records with disjoint ``generations``.
    """

    name: str
    params: tuple[Param, ...]
    result: str | None
    impl: Impl
    group: str = ""
    generations: frozenset[str] = BOTH
    doc: str = ""

    def signature(self, generation: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        params = tuple(t for p in self.params for t in p.wasm(generation))
        return params, (() if self.result is None else (self.result,))


class HostFunctionGroup:
    """Declares the host functions of one group (one ``hostfns`` module or one third-party plugin)."""

    def __init__(self, name: str, description: str = "") -> None:
        self.name = name
        self.description = description
        self._functions: list[HostFunction] = []

    def function(
        self, name: str, *params: Param, result: str | None = None, generations: frozenset[str] = BOTH
    ) -> Callable[[Impl], Impl]:
        """Decorator: ``@group.function("storage_read", Buffer(...), Reg(), result=I32)``."""

        def decorate(impl: Impl) -> Impl:
            doc = (impl.__doc__ or "").strip().splitlines()
            self._functions.append(
                HostFunction(name, tuple(params), result, impl, self.name, frozenset(generations),
                             doc[0] if doc else "")
            )
            return impl

        return decorate

    def __iter__(self) -> Iterator[HostFunction]:
        return iter(self._functions)

    def __len__(self) -> int:
        return len(self._functions)

    def hookimpl(self) -> Callable[[Callable[[HostFunction], None]], None]:
        """The plugin hook registering this group: ``calimero_register_host_functions = g.hookimpl()``."""
        functions = self._functions

        @hookimpl
        def calimero_register_host_functions(register: Callable[[HostFunction], None]) -> None:
            for fn in functions:
                register(fn)

        return calimero_register_host_functions
