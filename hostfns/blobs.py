"""Blobs (ABI.md §3.8): streaming uploads and reads through the node client's blob service.

Without a ``node_client`` every function traps ``BlobsNotSupported``. The node client needs
``blob_put(data) -> bytes`` (the 32-byte id; called when a write handle is closed),
``blob_get(blob_id) -> bytes | None`` and ``blob_announce(blob_id, context_id) -> bool``.
:class:`InMemoryBlobService` is such a client. Blob data is kept as soon as a write handle closes,
whatever becomes of the call (as in the node); handles still open at the end are dropped.
"""

from __future__ import annotations

import hashlib
from typing import Any

from calimero_runtime.abi import I32, I64, U64, Buffer, BufferMut, Region, Span
from calimero_runtime.errors import HostError
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic
from calimero_runtime.memory import invalid_memory_access

group = HostFunctionGroup("blobs", "streaming blob uploads and reads")

CHUNK = 1 << 20


def blob_id(data: bytes) -> bytes:
    """The node's blob id: SHA-256 over the concatenated SHA-256 digests of 1 MiB chunks."""
    digests = b"".join(hashlib.sha256(data[i : i + CHUNK]).digest() for i in range(0, len(data), CHUNK))
    return hashlib.sha256(digests).digest()


class InMemoryBlobService:
    """A node client holding blobs in a dict: for tests, the CLI and single-process use."""

    def __init__(self) -> None:
        self.blobs: dict[bytes, bytes] = {}
        self.announcements: list[tuple[bytes, bytes]] = []

    def blob_put(self, data: bytes) -> bytes:
        key = blob_id(data)
        self.blobs[key] = bytes(data)
        return key

    def blob_get(self, key: bytes) -> bytes | None:
        return self.blobs.get(bytes(key))

    def blob_announce(self, key: bytes, context_id: bytes) -> bool:
        if bytes(key) not in self.blobs:
            return False
        self.announcements.append((bytes(key), bytes(context_id)))
        return True


class _Handles:
    """Per-call blob state: one fd counter from 1 (never reused), open write and read handles."""

    def __init__(self) -> None:
        self.next_fd = 1
        self.writes: dict[int, bytearray] = {}
        self.reads: dict[int, list[Any]] = {}  # fd -> [blob id, offset, data or None]
        self.total = 0

    def open_count(self) -> int:
        return len(self.writes) + len(self.reads)


def _state(logic: VMLogic) -> _Handles:
    if logic.node_client is None:
        raise HostError("BlobsNotSupported")
    handles: _Handles | None = logic.extensions.get("blobs")
    if handles is None:
        handles = logic.extensions["blobs"] = _Handles()
    return handles


def _new_fd(logic: VMLogic, handles: _Handles) -> int:
    if handles.open_count() >= logic.limits.max_blob_handles:
        raise HostError("TooManyBlobHandles", max=logic.limits.max_blob_handles)
    fd = handles.next_fd
    handles.next_fd += 1
    return fd


@group.function("blob_create", result=I64)
def blob_create(logic: VMLogic) -> int:
    """Open a streaming upload; returns its fd."""
    handles = _state(logic)
    fd = _new_fd(logic, handles)
    handles.writes[fd] = bytearray()
    return fd


@group.function("blob_write", U64(), Region(), result=I64)
def blob_write(logic: VMLogic, fd: int, chunk: Span) -> int:
    """Append a chunk to an upload; returns the bytes accepted."""
    handles = _state(logic)
    limits = logic.limits
    if chunk.len > limits.max_blob_chunk_size:
        raise HostError("BlobWriteTooLarge", size=chunk.len, max=limits.max_blob_chunk_size)
    buffer = handles.writes.get(fd)
    if buffer is None:
        raise HostError("InvalidBlobHandle")
    if handles.total + chunk.len > limits.max_blob_total_size:
        raise HostError("TotalBlobMemoryExceeded", current=handles.total + chunk.len, max=limits.max_blob_total_size)
    buffer += logic.memory.read(chunk.ptr, chunk.len)
    handles.total += chunk.len
    return chunk.len


@group.function("blob_close", U64(), BufferMut(exact=32), result=I32)
def blob_close(logic: VMLogic, fd: int, dst: Span) -> int:
    """Finish an upload (or close a read handle) and write the 32-byte blob id into ``dst``."""
    handles = _state(logic)
    logic.memory.check(dst.ptr, 32)
    if fd in handles.writes:
        data = handles.writes.pop(fd)
        try:
            key = bytes(logic.node_client.blob_put(bytes(data)))
        except Exception as exc:
            raise HostError("BlobsNotSupported", f"BlobsNotSupported: upload failed: {exc}") from None
    elif fd in handles.reads:
        key = handles.reads.pop(fd)[0]
    else:
        raise HostError("InvalidBlobHandle")
    if len(key) != 32:
        raise invalid_memory_access()
    logic.memory.write(dst.ptr, key)
    return 1


@group.function("blob_open", Buffer(exact=32), result=I64)
def blob_open(logic: VMLogic, key: bytes) -> int:
    """Open a read handle on a blob id (existence is not checked here)."""
    handles = _state(logic)
    fd = _new_fd(logic, handles)
    handles.reads[fd] = [key, 0, None]
    return fd


@group.function("blob_read", U64(), BufferMut(), result=I64)
def blob_read(logic: VMLogic, fd: int, dst: Span) -> int:
    """Read the next bytes into ``dst``; returns the count (0 at the end or for a missing blob)."""
    handles = _state(logic)
    if dst.len > logic.limits.max_blob_chunk_size:
        raise HostError("BlobBufferTooLarge", size=dst.len, max=logic.limits.max_blob_chunk_size)
    entry = handles.reads.get(fd)
    if entry is None:
        raise HostError("InvalidBlobHandle")
    if dst.len == 0:
        return 0
    if entry[2] is None:
        entry[2] = logic.node_client.blob_get(entry[0]) or b""
    chunk = entry[2][entry[1] : entry[1] + dst.len]
    logic.memory.write(dst.ptr, chunk)
    entry[1] += len(chunk)
    return len(chunk)


@group.function("blob_announce_to_context", Buffer(exact=32), Buffer(exact=32), result=I32)
def blob_announce_to_context(logic: VMLogic, key: bytes, context_id: bytes) -> int:
    """Advertise a blob to a context's peers."""
    _state(logic)
    if not logic.node_client.blob_announce(key, context_id):
        raise HostError("BlobsNotSupported")
    return 1


calimero_register_host_functions = group.hookimpl()
