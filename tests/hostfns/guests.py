"""Build WAT guests that call host functions, once per ABI generation.

A test states a behaviour once, with abstract arguments; :class:`Guest` expands them for the
generation under test (ABI.md §1.2, §9):

* ``Buf(ptr, len)`` — current: a 16-byte descriptor placed in a data segment, passed by address;
  flat: two ``i64`` params. ``Loc``, ``Ev``, ``XC``, ``VR`` likewise (24/32/48/24-byte descriptors).
* ``Desc(addr)`` — current only: a raw descriptor address (hostile: near the end of memory, ...).
* ``NONE`` — an optional buffer left out: current ``0``; flat ``ptr = 0, len = 0``.
* an ``int`` — a register id / plain u64 (``i64``); ``I32(n)`` — an ``i32`` scalar.

Signatures come from :data:`ABI` below (transcribed from ABI.md, independent of the runtime's
declarations), so a runtime declaring a wrong signature fails to link. Results the test wants to see
are stored with :meth:`Guest.keep` (8 bytes each, signed) or land in :meth:`Guest.mut` slots; the
guest ends by returning the whole output area through ``value_return`` (tag 0) and
:meth:`Guest.unpack` splits ``out.returns`` back into ints and byte strings.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import attrs
import wasmtime

from calimero_runtime import CURRENT, FLAT

GENERATIONS = (CURRENT, FLAT)
MASK64 = 2**64 - 1
PAGE = 65536

# Abstract parameter kinds: "buf" (Buffer*/BufferMut*), "loc", "event", "xcall", "vret",
# "u64" (register id, fd, plain u64), "u32" (i32 flag).
_EXPAND: dict[str, dict[str, tuple[str, ...]]] = {
    "buf": {CURRENT: ("i64",), FLAT: ("i64", "i64")},
    "loc": {CURRENT: ("i64",), FLAT: ("i64", "i64", "i32", "i32")},
    "event": {CURRENT: ("i64",), FLAT: ("i64",) * 4},
    "xcall": {CURRENT: ("i64",), FLAT: ("i64",) * 6},
    "vret": {CURRENT: ("i64",), FLAT: ("i64",) * 3},
    "u64": {CURRENT: ("i64",), FLAT: ("i64",)},
    "u32": {CURRENT: ("i32",), FLAT: ("i32",)},
}

# name -> (parameter kinds, result): ABI.md §3.1-3.5, §3.10-3.12.
ABI: dict[str, tuple[tuple[str, ...], str | None]] = {
    # system (§3.1)
    "panic": (("loc",), None),
    "panic_utf8": (("buf", "loc"), None),
    "context_id": (("u64",), None),
    "account_id": (("u64",), None),
    "device_id": (("u64",), None),
    "executor_id": (("u64",), None),
    "xcall_origin": (("u64",), "i32"),
    "input": (("u64",), None),
    "value_return": (("vret",), None),
    "emit_migration_witness": (("buf",), None),
    # registers (§3.2)
    "register_len": (("u64",), "i64"),
    "read_register": (("u64", "buf"), "i32"),
    # events (§3.3)
    "log_utf8": (("buf",), None),
    "emit": (("event",), None),
    "emit_with_handler": (("event", "buf"), None),
    "xcall": (("xcall",), None),
    # storage (§3.4)
    "storage_read": (("buf", "u64"), "i32"),
    "storage_write": (("buf", "buf", "u64"), "i32"),
    "storage_remove": (("buf", "u64"), "i32"),
    # private (§3.5)
    "private_storage_read": (("buf", "u64"), "i32"),
    "private_storage_write": (("buf", "buf"), "i32"),
    "private_storage_remove": (("buf", "u64"), "i32"),
    # state (§3.10)
    "commit": (("buf", "buf"), None),
    # utility (§3.11)
    "time_now": (("buf",), None),
    "random_bytes": (("buf",), None),
    "ed25519_verify": (("buf", "buf", "buf"), "i32"),
    "fetch": (("buf", "buf", "buf", "buf", "u64"), "i32"),
    # governance (§3.12)
    "send_proposal": (("buf", "buf"), None),
    "approve_proposal": (("buf",), None),
    # context (§3.12)
    "context_create": (("buf", "buf", "buf", "buf"), None),
    "context_delete": (("buf",), None),
    "context_add_member": (("buf",), None),
    "context_remove_member": (("buf",), None),
    "context_is_member": (("buf",), "i32"),
    "context_members": (("u64",), None),
    "context_resolve_alias": (("buf", "u64"), "i32"),
    # blobs (§3.8)
    "blob_create": ((), "i64"),
    "blob_write": (("u64", "buf"), "i64"),
    "blob_close": (("u64", "buf"), "i32"),
    "blob_open": (("buf",), "i64"),
    "blob_read": (("u64", "buf"), "i64"),
    "blob_announce_to_context": (("buf", "buf"), "i32"),
}


def signature(name: str, generation: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kinds, result = ABI[name]
    params = tuple(t for k in kinds for t in _EXPAND[k][generation])
    return params, (() if result is None else (result,))


@attrs.frozen
class Buf:
    ptr: int
    len: int


@attrs.frozen
class Loc:
    file_ptr: int
    file_len: int
    line: int
    column: int


@attrs.frozen
class Ev:
    kind_ptr: int
    kind_len: int
    data_ptr: int
    data_len: int


@attrs.frozen
class XC:
    ctx_ptr: int
    ctx_len: int
    fn_ptr: int
    fn_len: int
    params_ptr: int
    params_len: int


@attrs.frozen
class VR:
    tag: int
    ptr: int
    len: int


@attrs.frozen
class Desc:
    """Current ABI only: a raw descriptor address."""

    addr: int


@attrs.frozen
class I32:
    value: int


class _None:
    def __repr__(self) -> str:
        return "NONE"


NONE = _None()

_KIND_OF = {Buf: "buf", Loc: "loc", Ev: "event", XC: "xcall", VR: "vret"}


def _i64(value: int) -> str:
    value &= MASK64
    return f"(i64.const {value - (1 << 64) if value >= 1 << 63 else value})"


def _i32(value: int) -> str:
    value &= 2**32 - 1
    return f"(i32.const {value - (1 << 32) if value >= 1 << 31 else value})"


def _escape(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


class Guest:
    """One guest module (method ``run``) for one ABI generation.

    Memory: ``pages`` pages; data and descriptors grow upwards from 16; the output area starts at
    ``out_base`` (default: half of the first page).
    """

    def __init__(self, generation: str, *, pages: int = 1, out_base: int = 0x8000) -> None:
        assert generation in GENERATIONS
        self.gen = generation
        self.pages = pages
        self.size = pages * PAGE
        self._heap = 16
        self._data: list[tuple[int, bytes]] = []
        self._imports: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._body: list[str] = []
        self._out_base = self._out = out_base
        self._layout: list[tuple[str, int]] = []  # ("int", 8) / ("bytes", n)

    @property
    def flat(self) -> bool:
        return self.gen == FLAT

    # -- memory ------------------------------------------------------------------------------------

    def place(self, data: bytes, at: int | None = None) -> int:
        """Put ``data`` into linear memory (a data segment); returns its address."""
        if at is None:
            at = self._heap
            self._heap += max(len(data), 1)
            self._heap = (self._heap + 7) & ~7
            assert self._heap < self._out_base, "data area overflows into the output area"
        self._data.append((at, bytes(data)))
        return at

    def buf(self, data: bytes, at: int | None = None) -> Buf:
        """A ``Buf`` over ``data`` placed in memory."""
        return Buf(self.place(data, at), len(data))

    def mut(self, n: int) -> Buf:
        """An ``n``-byte output slot (a ``BufferMut`` target); its final bytes appear in ``unpack``."""
        addr = self._out
        self._out += n
        self._layout.append(("bytes", n))
        assert self._out <= self.size
        return Buf(addr, n)

    # -- calls -------------------------------------------------------------------------------------

    def _descriptor(self, arg: Any) -> int:
        if isinstance(arg, Buf):
            raw = struct.pack("<QQ", arg.ptr & MASK64, arg.len & MASK64)
        elif isinstance(arg, Loc):
            raw = struct.pack("<QQII", arg.file_ptr & MASK64, arg.file_len & MASK64,
                              arg.line & 0xFFFFFFFF, arg.column & 0xFFFFFFFF)
        elif isinstance(arg, Ev):
            raw = struct.pack("<QQQQ", *(v & MASK64 for v in attrs.astuple(arg)))
        elif isinstance(arg, XC):
            raw = struct.pack("<QQQQQQ", *(v & MASK64 for v in attrs.astuple(arg)))
        elif isinstance(arg, VR):
            raw = struct.pack("<QQQ", *(v & MASK64 for v in attrs.astuple(arg)))
        else:
            raise TypeError(arg)
        return self.place(raw)

    def _expand(self, kind: str, arg: Any) -> list[str]:
        if kind in ("u64",):
            assert isinstance(arg, int), (kind, arg)
            return [_i64(arg)]
        if kind == "u32":
            value = arg.value if isinstance(arg, I32) else arg
            return [_i32(value)]
        if arg is NONE:
            assert kind == "buf"
            return [_i64(0)] if not self.flat else [_i64(0), _i64(0)]
        if isinstance(arg, Desc):
            assert not self.flat, "Desc is a current-ABI argument"
            return [_i64(arg.addr)]
        assert _KIND_OF.get(type(arg)) == kind, f"expected a {kind}, got {arg!r}"
        if not self.flat:
            return [_i64(self._descriptor(arg))]
        if isinstance(arg, Loc):
            return [_i64(arg.file_ptr), _i64(arg.file_len), _i32(arg.line), _i32(arg.column)]
        return [_i64(v) for v in attrs.astuple(arg)]

    def call(self, name: str, *args: Any) -> str:
        """A WAT call expression of host function ``name`` (imported with its ABI.md signature)."""
        kinds, _ = ABI[name]
        assert len(args) == len(kinds), f"{name} takes {len(kinds)} arguments"
        self._imports[name] = signature(name, self.gen)
        operands = [op for kind, arg in zip(kinds, args, strict=True) for op in self._expand(kind, arg)]
        return f"(call ${name} {' '.join(operands)})"

    def do(self, name: str, *args: Any) -> None:
        """Call and discard any result."""
        expr = self.call(name, *args)
        self._body.append(f"(drop {expr})" if ABI[name][1] else expr)

    def keep(self, name: str, *args: Any) -> None:
        """Call and store the result (sign-extended to 8 bytes) in the output area."""
        expr = self.call(name, *args)
        result = ABI[name][1]
        assert result is not None, f"{name} returns nothing"
        if result == "i32":
            expr = f"(i64.extend_i32_s {expr})"
        self._body.append(f"(i64.store (i32.const {self._out}) {expr})")
        self._out += 8
        self._layout.append(("int", 8))

    def read_register(self, reg: int, n: int) -> None:
        """``read_register(reg, <n-byte slot>)``: keeps the return code, then the slot's bytes."""
        slot_expr = self.call("read_register", reg, Buf(self._out + 8, n))
        self._body.append(f"(i64.store (i32.const {self._out}) (i64.extend_i32_s {slot_expr}))")
        self._out += 8
        self._layout.append(("int", 8))
        self.mut(n)

    def register(self, reg: int, n: int) -> None:
        """Keep ``register_len(reg)`` then ``read_register`` into an ``n``-byte slot."""
        self.keep("register_len", reg)
        self.read_register(reg, n)

    def wat_(self, code: str) -> None:
        """Raw WAT statements."""
        self._body.append(code)

    def trap(self) -> None:
        self._body.append("unreachable")

    # -- module ------------------------------------------------------------------------------------

    def source(self, *, auto_return: bool = True) -> str:
        body = list(self._body)
        if auto_return and self._layout:
            body.append(self.call("value_return", VR(0, self._out_base, self._out - self._out_base)))
        imports = "\n".join(
            f'  (import "env" "{name}" (func ${name}'
            + (f" (param {' '.join(params)})" if params else "")
            + (f" (result {' '.join(results)})" if results else "")
            + "))"
            for name, (params, results) in self._imports.items()
        )
        data = "\n".join(f'  (data (i32.const {addr}) "{_escape(raw)}")' for addr, raw in self._data)
        stmts = "\n    ".join(body)
        return (
            f"(module\n{imports}\n  (memory (export \"memory\") {self.pages})\n{data}\n"
            f"  (func (export \"run\")\n    {stmts}))\n"
        )

    def wasm(self, *, auto_return: bool = True) -> bytes:
        return wasmtime.wat2wasm(self.source(auto_return=auto_return))

    def unpack(self, returns: bytes | None) -> list[int | bytes]:
        """Split the returned output area into the kept ints (signed) and slot bytes, in order."""
        assert returns is not None, "the guest returned nothing"
        items: list[int | bytes] = []
        pos = 0
        for kind, n in self._layout:
            chunk = returns[pos : pos + n]
            items.append(struct.unpack("<q", chunk)[0] if kind == "int" else chunk)
            pos += n
        assert pos == len(returns)
        return items


def run(runtime: Any, guest: Guest, ctx: Any, storage: Any = None, *, auto_return: bool = True,
        **kwargs: Any) -> Any:
    """Compile ``guest`` on ``runtime`` and run its ``run`` method."""
    from calimero_runtime import InMemoryStorage

    module = runtime.compile(guest.wasm(auto_return=auto_return))
    return module.run("run", context=ctx, storage=InMemoryStorage() if storage is None else storage,
                      **kwargs)


def host_error(out: Any, kind: str, **details: Any) -> None:
    """Assert the call failed with ``HostError(kind)`` and (a superset of) ``details``."""
    assert out.error is not None, f"expected HostError {kind}, the call succeeded"
    assert (out.error.type, out.error.kind) == ("HostError", kind), out.error
    for key, value in details.items():
        assert out.error.details.get(key) == value, (key, out.error.details)
    assert out.returns is None


def ints(values: Sequence[int | bytes]) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def check_group(runtime: Any, group: str, names: Sequence[str]) -> None:
    """The runtime's group ``group`` provides exactly ``names``, each with its ABI.md signature in
    both generations."""
    providers = runtime.host_table.providers()
    provided = sorted(n for n, g in providers.items() if g == group)
    assert provided == sorted(names)
    for name in names:
        for generation in GENERATIONS:
            fn = runtime.host_table.functions[(name, generation)]
            assert fn.signature(generation) == signature(name, generation), (name, generation)
