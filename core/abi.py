"""ABI-typed parameters of host functions, and how each expands per ABI generation (ABI.md §1, §9).

A parameter type knows three things: its wasm params in each generation, how to read its descriptor
and check its limits (phase 1, before any guest bytes are read), and how to load its bytes (phase 2).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from .errors import HostError
from .outcome import Location

if TYPE_CHECKING:
    from .logic import VMLogic

CURRENT: Final = "current"
"""Since 2025-08-24: every aggregate is one i64 pointer to a descriptor."""
FLAT: Final = "flat"
"""Before 2025-08-24: aggregates splatted into scalar params (ABI.md §9)."""
GENERATIONS: Final = (CURRENT, FLAT)
BOTH: Final = frozenset(GENERATIONS)

I32: Final = "i32"
I64: Final = "i64"
MASK64: Final = 2**64 - 1
MASK32: Final = 2**32 - 1

# Errors whose ABI variant carries {size, max}.
_SIZED_ERRORS = frozenset(
    {
        "ReturnValueSizeOverflow",
        "EventHandlerSizeOverflow",
        "ArtifactSizeOverflow",
        "BlobWriteTooLarge",
        "BlobBufferTooLarge",
    }
)

_LOC = struct.Struct("<QQII")
_EVENT = struct.Struct("<QQQQ")
_XCALL = struct.Struct("<QQQQQQ")
_VRET = struct.Struct("<QQQ")


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HostError("BadUTF8") from None


def check_limit(logic: VMLogic, length: int, limit: str, error: str) -> None:
    maximum: int = getattr(logic.limits, limit)
    if length > maximum:
        if error in _SIZED_ERRORS:
            raise HostError(error, size=length, max=maximum)
        raise HostError(error)


class Span(NamedTuple):
    """A guest region the host may write into (a ``BufferMut``). A NamedTuple: one is built on
    every such host call, and a tuple is the cheapest immutable record Python has."""

    ptr: int
    len: int


Source = tuple[list[str], list[str]]
"""Generated Python lines for one parameter: phase 1 (descriptor, limits) and phase 2 (load)."""


class Param:
    """Base of ABI parameter types.

    A type either emits straight-line source for the generated entry point (``emit``: the hot types
    below) or implements ``describe`` (phase 1: read the descriptor, check limits) and ``load``
    (phase 2: read and decode the bytes), which the default ``emit`` calls. The generated code sees
    ``logic``, ``mem`` (its GuestMemory), ``limits``, the raw wasm ints ``raw`` and must bind ``v{i}``.
    """

    loads: bool = False  # whether phase 2 is needed

    def wasm(self, generation: str) -> tuple[str, ...]:
        raise NotImplementedError

    def emit(self, i: int, raw: list[str], generation: str) -> Source:
        one = [f"v{i} = P[{i}].describe(logic, ({', '.join(raw)},), G)"]
        return one, ([f"v{i} = P[{i}].load(logic, v{i})"] if self.loads else [])

    def describe(self, logic: VMLogic, raw: Sequence[int], generation: str) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement emit() or describe()")

    def load(self, logic: VMLogic, described: Any) -> Any:
        return described

    def __repr__(self) -> str:
        return type(self).__name__


class Reg(Param):
    """A register id: any u64."""

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,)

    def emit(self, i: int, raw: list[str], generation: str) -> Source:
        return [f"v{i} = {raw[0]} & M64"], []


class U64(Reg):
    """A plain u64 (size, index, fd)."""


class Flag(Param):
    """A u32 flag: 0 false, non-zero true."""

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I32,)

    def emit(self, i: int, raw: list[str], generation: str) -> Source:
        return [f"v{i} = {raw[0]} & M32"], []


@attrs.frozen(repr=False)
class Buffer(Param):
    """A ``Buffer*`` (current) or ``ptr, len`` (flat). Loads as bytes, or str when ``text``.

    ``limit``/``error``: a VMLimits field checked against the length before reading, and the HostError
    kind raised. ``exact``: required length (else InvalidMemoryAccess). ``optional``: a null
    descriptor pointer means "none" (loads as None).
    """

    limit: str | None = None
    error: str | None = None
    exact: int | None = None
    text: bool = False
    optional: bool = False
    loads = True

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64, I64)

    def emit(self, i: int, raw: list[str], generation: str) -> Source:
        p, n, v = f"p{i}", f"n{i}", f"v{i}"
        if generation == CURRENT:
            read = ["if q + 16 > mem._n and q + 16 > mem._refresh(): raise IMA()",
                    f"{p}, {n} = unpack_buffer(mem._read(q, 16))"]
        else:
            read = [f"{p} = {raw[0]} & M64", f"{n} = {raw[1]} & M64"]
        if self.exact is not None:
            read.append(f"if {n} != {self.exact}: raise IMA()")
        if self.limit is not None and self.error is not None:
            read.append(f"if {n} > limits.{self.limit}: check_limit(logic, {n}, {self.limit!r}, {self.error!r})")
        two = self._load_source(p, n, v)
        if generation == CURRENT:
            one = [f"q = {raw[0]} & M64"]
            if self.optional:  # a null descriptor pointer: no buffer
                return ([*one, f"if q == 0: {p} = None", "else:", *("    " + line for line in read)],
                        [f"if {p} is None: {v} = None", "else:", *("    " + line for line in two)])
            return [*one, *read], two
        return read, two

    def _load_source(self, p: str, n: str, v: str) -> list[str]:
        lines = [f"e = {p} + {n}", "if e > mem._n and e > mem._refresh(): raise IMA()",
                 f"{v} = mem._read({p}, {n}) if {n} else b''"]
        return [*lines, f"{v} = decode_utf8({v})"] if self.text else lines


@attrs.frozen(repr=False)
class BufferMut(Buffer):
    """A ``BufferMut*``: a region the host writes into. Loads as a :class:`Span` (nothing read)."""

    def _load_source(self, p: str, n: str, v: str) -> list[str]:
        return [f"{v} = Span({p}, {n})"]


class LocationParam(Param):
    """A ``Location*`` (current) or ``file_ptr, file_len, line: i32, column: i32`` (flat)."""

    loads = True

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64, I64, I32, I32)

    def describe(self, logic: VMLogic, raw: Sequence[int], generation: str) -> tuple[int, int, int, int]:
        if generation == CURRENT:
            fp, fl, line, col = _LOC.unpack(logic.memory.read(raw[0] & MASK64, _LOC.size))
            return fp, fl, line, col
        return raw[0] & MASK64, raw[1] & MASK64, raw[2] & MASK32, raw[3] & MASK32

    def load(self, logic: VMLogic, described: tuple[int, int, int, int]) -> Location:
        fp, fl, line, col = described
        return Location(decode_utf8(logic.memory.read(fp, fl)), line, col)


class EventParam(Param):
    """An ``Event*``; loads as (kind bytes, data bytes). Kind/data caps are checked before reading;
    kind's UTF-8 is the host function's to check (after its count check, as in the node)."""

    loads = True

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64, I64, I64, I64)

    def describe(self, logic: VMLogic, raw: Sequence[int], generation: str) -> tuple[int, int, int, int]:
        if generation == CURRENT:
            kp, kl, dp, dl = _EVENT.unpack(logic.memory.read(raw[0] & MASK64, _EVENT.size))
        else:
            kp, kl, dp, dl = (r & MASK64 for r in raw)
        check_limit(logic, kl, "max_event_kind_size", "EventKindSizeOverflow")
        check_limit(logic, dl, "max_event_data_size", "EventDataSizeOverflow")
        return kp, kl, dp, dl

    def load(self, logic: VMLogic, described: tuple[int, int, int, int]) -> tuple[bytes, bytes]:
        kp, kl, dp, dl = described
        return logic.memory.read(kp, kl), logic.memory.read(dp, dl)


class XCallParam(Param):
    """An ``XCall*``; loads as (context-id span, function bytes, params bytes)."""

    loads = True

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64,) * 6

    def describe(self, logic: VMLogic, raw: Sequence[int], generation: str) -> tuple[int, ...]:
        if generation == CURRENT:
            fields: tuple[int, ...] = _XCALL.unpack(logic.memory.read(raw[0] & MASK64, _XCALL.size))
        else:
            fields = tuple(r & MASK64 for r in raw)
        check_limit(logic, fields[3], "max_xcall_function_size", "XCallFunctionSizeOverflow")
        check_limit(logic, fields[5], "max_xcall_params_size", "XCallParamsSizeOverflow")
        return fields

    def load(self, logic: VMLogic, described: tuple[int, ...]) -> tuple[Span, bytes, bytes]:
        cp, cl, fp, fl, pp, pl = described
        return Span(cp, cl), logic.memory.read(fp, fl), logic.memory.read(pp, pl)


class ValueReturnParam(Param):
    """A ``ValueReturn*`` (current) or ``tag, ptr, len`` (flat); loads as (tag, bytes).

    A bad tag is ``DeserializationError`` in the current ABI, ``InvalidMemoryAccess`` in the flat one.
    """

    loads = True

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64, I64, I64)

    def describe(self, logic: VMLogic, raw: Sequence[int], generation: str) -> tuple[int, int, int]:
        if generation == CURRENT:
            tag, ptr, length = _VRET.unpack(logic.memory.read(raw[0] & MASK64, _VRET.size))
        else:
            tag, ptr, length = (r & MASK64 for r in raw)
        if tag not in (0, 1):
            raise HostError("DeserializationError" if generation == CURRENT else "InvalidMemoryAccess")
        check_limit(logic, length, "max_return_value_size", "ReturnValueSizeOverflow")
        return tag, ptr, length

    def load(self, logic: VMLogic, described: tuple[int, int, int]) -> tuple[int, bytes]:
        tag, ptr, length = described
        return tag, logic.memory.read(ptr, length)


@attrs.frozen(repr=False)
class Region(BufferMut):
    """A ``Buffer*`` whose bytes the implementation reads itself, after checks of its own (e.g.
    ``commit`` checks the artifact cap before the root length)."""


class Unread(Param):
    """A ``Buffer*`` the host deliberately never reads (``fetch`` while disabled)."""

    def wasm(self, generation: str) -> tuple[str, ...]:
        return (I64,) if generation == CURRENT else (I64, I64)

    def emit(self, i: int, raw: list[str], generation: str) -> Source:
        return [f"v{i} = None"], []
