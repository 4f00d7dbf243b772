"""Tiny helpers for inline WAT guests of the current (descriptor) ABI (ABI.md §1.2).

``Mem`` lays out data and descriptors in a data segment; ``module`` wraps function bodies with the
imports they need and an exported memory. Signatures are transcribed from ABI.md §3, not taken from
the runtime, so a runtime declaring a different one fails to link.
"""

from __future__ import annotations

import struct

import wasmtime


def wat(source: str) -> bytes:
    return wasmtime.wat2wasm(source)

# name -> WAT import line (module "env"), ABI.md §3 current generation.
IMPORTS = {
    "input": '(import "env" "input" (func $input (param i64)))',
    "register_len": '(import "env" "register_len" (func $register_len (param i64) (result i64)))',
    "read_register": '(import "env" "read_register" (func $read_register (param i64 i64) (result i32)))',
    "value_return": '(import "env" "value_return" (func $value_return (param i64)))',
    "log_utf8": '(import "env" "log_utf8" (func $log_utf8 (param i64)))',
    "panic_utf8": '(import "env" "panic_utf8" (func $panic_utf8 (param i64 i64)))',
    "context_id": '(import "env" "context_id" (func $context_id (param i64)))',
    "storage_read": '(import "env" "storage_read" (func $storage_read (param i64 i64) (result i32)))',
    "storage_write": '(import "env" "storage_write" (func $storage_write (param i64 i64 i64) (result i32)))',
    "storage_remove": '(import "env" "storage_remove" (func $storage_remove (param i64 i64) (result i32)))',
    "private_storage_read":
        '(import "env" "private_storage_read" (func $private_storage_read (param i64 i64) (result i32)))',
    "private_storage_write":
        '(import "env" "private_storage_write" (func $private_storage_write (param i64 i64) (result i32)))',
    "private_storage_remove":
        '(import "env" "private_storage_remove" (func $private_storage_remove (param i64 i64) (result i32)))',
    "time_now": '(import "env" "time_now" (func $time_now (param i64)))',
    "random_bytes": '(import "env" "random_bytes" (func $random_bytes (param i64)))',
    "commit": '(import "env" "commit" (func $commit (param i64 i64)))',
}


def _esc(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


class Mem:
    """Bump allocator over a data segment starting at ``start``."""

    def __init__(self, start: int = 1024) -> None:
        self.start = self.top = start
        self.blob = bytearray()

    def _put(self, data: bytes) -> int:
        addr = self.top
        self.blob += data
        self.top += len(data)
        pad = (-self.top) % 8
        self.blob += bytes(pad)
        self.top += pad
        return addr

    def raw(self, data: bytes) -> int:
        """Place bytes; return their address."""
        return self._put(data)

    def buf(self, data: bytes) -> int:
        """Place bytes and a Buffer descriptor for them; return the descriptor's address."""
        ptr = self._put(data) if data else 0
        return self._put(struct.pack("<QQ", ptr, len(data)))

    def span(self, ptr: int, length: int) -> int:
        """A Buffer/BufferMut descriptor over an existing region."""
        return self._put(struct.pack("<QQ", ptr, length))

    def vret(self, tag: int, data: bytes) -> int:
        ptr = self._put(data) if data else 0
        return self._put(struct.pack("<QQQ", tag, ptr, len(data)))

    def vret_span(self, tag: int, ptr: int, length: int) -> int:
        return self._put(struct.pack("<QQQ", tag, ptr, length))

    def loc(self, file: str, line: int, column: int) -> int:
        data = file.encode()
        ptr = self._put(data) if data else 0
        return self._put(struct.pack("<QQII", ptr, len(data), line, column))

    def segment(self) -> str:
        return f'(data (i32.const {self.start}) "{_esc(bytes(self.blob))}")' if self.blob else ""


def module(body: str, *, imports: tuple[str, ...] = (), mem: Mem | None = None, pages: int = 1,
           memory: str | None = None) -> bytes:
    """Assemble a guest: the listed env imports, ``(memory (export "memory") pages)``, data, body."""
    lines = [IMPORTS[name] for name in imports]
    lines.append(memory if memory is not None else f'(memory (export "memory") {pages})')
    if mem is not None:
        lines.append(mem.segment())
    lines.append(body)
    return wat("(module\n" + "\n".join(lines) + "\n)")


def c64(value: int) -> str:
    return f"(i64.const {value})"
