"""Bounds-checked access to guest linear memory.

Engines only provide the raw primitives; every bounds check lives here, once. Engine APIs silently
truncate or wrap out-of-range accesses (wasmtime-py ``Memory.read``), so nothing may reach them
unchecked. Length may be cached by a backend: on a miss we refresh once, then fail.
"""

from __future__ import annotations

from .errors import HostError


def invalid_memory_access() -> HostError:
    return HostError("InvalidMemoryAccess")


class GuestMemory:
    """Base class for an engine's view of the exported ``memory``.

    A backend keeps ``_n`` at the memory's size or below it (a cached value is fine: memory only
    grows), implements ``_refresh()`` to re-read the size into ``_n``, and the raw ``_read``/``_write``.
    Generated host-function decoders test ``end > mem._n and end > mem._refresh()`` inline.
    """

    _n: int = 0

    def _size(self) -> int:
        """Current size in bytes (may be a cached value)."""
        return self._n

    def _refresh(self) -> int:
        """Re-read the size after a possible ``memory.grow``; store it in ``_n`` and return it."""
        return self._n

    def _read(self, ptr: int, length: int) -> bytes:
        raise NotImplementedError

    def _write(self, ptr: int, data: bytes) -> None:
        raise NotImplementedError

    def size(self) -> int:
        return self._refresh()

    def check(self, ptr: int, length: int) -> None:
        """Raise InvalidMemoryAccess unless ``[ptr, ptr+length)`` lies in memory (also for length 0)."""
        end = ptr + length
        if end > self._n and end > self._refresh():
            raise invalid_memory_access()

    def read(self, ptr: int, length: int) -> bytes:
        end = ptr + length
        if end > self._n and end > self._refresh():
            raise invalid_memory_access()
        if length == 0:
            return b""
        return self._read(ptr, length)

    def write(self, ptr: int, data: bytes) -> None:
        end = ptr + len(data)
        if end > self._n and end > self._refresh():
            raise invalid_memory_access()
        if data:
            self._write(ptr, data)




class BytesMemory(GuestMemory):
    """Guest memory over a ``bytearray``: the memory before ``memory`` is attached (empty), and the
    baseline for benchmarks."""

    def __init__(self, data: bytearray | None = None) -> None:
        self.data = data if data is not None else bytearray()
        self._n = len(self.data)

    def _refresh(self) -> int:
        self._n = len(self.data)
        return self._n

    def _read(self, ptr: int, length: int) -> bytes:
        return bytes(self.data[ptr : ptr + length])

    def _write(self, ptr: int, data: bytes) -> None:
        self.data[ptr : ptr + len(data)] = data
