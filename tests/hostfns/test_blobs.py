"""Blobs (ABI.md §3.8): uploads, reads, handles and limits, through a real in-memory blob service."""

from __future__ import annotations

import hashlib

import pytest

from calimero_runtime import VMLimits
from calimero_runtime.hostfns.blobs import InMemoryBlobService, blob_id

from .guests import Buf, Guest, check_group, host_error, run

CONTEXT = b"\x33" * 32


def test_group_and_signatures(rt):
    check_group(rt, "blobs", ["blob_create", "blob_write", "blob_close", "blob_open", "blob_read",
                              "blob_announce_to_context"])


def test_blob_id_is_the_nodes_chunked_sha256():
    data = b"x" * ((1 << 20) + 5)
    chunks = hashlib.sha256(data[: 1 << 20]).digest() + hashlib.sha256(data[1 << 20 :]).digest()
    assert blob_id(data) == hashlib.sha256(chunks).digest()


def test_upload_then_read_back_and_announce(gen, rt, ctx):
    service = InMemoryBlobService()
    g = Guest(gen)
    g.keep("blob_create")  # fd 1
    g.keep("blob_write", 1, g.buf(b"hello "))
    g.keep("blob_write", 1, g.buf(b"blobs"))
    id_slot = g.mut(32)
    g.keep("blob_close", 1, id_slot)
    g.keep("blob_open", Buf(id_slot.ptr, 32))  # fd 2
    g.keep("blob_read", 2, g.mut(8))
    g.keep("blob_read", 2, g.mut(8))
    g.keep("blob_read", 2, g.mut(8))  # at the end: 0
    g.keep("blob_announce_to_context", Buf(id_slot.ptr, 32), g.buf(CONTEXT))
    out = run(rt, g, ctx, node_client=service)
    assert out.ok, out.error
    # an output slot is laid out before the result that follows it
    fd1, n1, n2, the_id, closed, fd2, s1, r1, s2, r2, _, r3, announced = g.unpack(out.returns)
    assert (fd1, n1, n2, closed, fd2) == (1, 6, 5, 1, 2)
    assert the_id == blob_id(b"hello blobs") and service.blobs[the_id] == b"hello blobs"
    assert (r1, s1, r2, s2[:3], r3) == (8, b"hello bl", 3, b"obs", 0)
    assert announced == 1 and service.announcements == [(the_id, CONTEXT)]


def test_every_blob_function_needs_a_node_client(gen, rt, ctx):
    for call in (("blob_create",), ("blob_open", Buf(0x100, 32))):
        g = Guest(gen)
        g.do(*call)
        host_error(run(rt, g, ctx), "BlobsNotSupported")


def test_missing_blob_reads_zero_bytes(gen, rt, ctx):
    g = Guest(gen)
    g.keep("blob_open", g.buf(b"\x01" * 32))
    g.keep("blob_read", 1, g.mut(4))
    out = run(rt, g, ctx, node_client=InMemoryBlobService())
    fd, _slot, count = g.unpack(out.returns)
    assert (fd, count) == (1, 0)


@pytest.mark.parametrize(
    ("calls", "kind", "details"),
    [
        ([("blob_write", 7, "data")], "InvalidBlobHandle", {}),
        ([("blob_read", 7, "slot")], "InvalidBlobHandle", {}),
        ([("blob_create",), ("blob_read", 1, "slot")], "InvalidBlobHandle", {}),  # a write handle
        ([("blob_close", 9, "id")], "InvalidBlobHandle", {}),
        ([("blob_create",), ("blob_create",), ("blob_create",)], "TooManyBlobHandles", {"max": 2}),
        ([("blob_create",), ("blob_write", 1, "big")], "BlobWriteTooLarge", {"size": 9, "max": 8}),
        ([("blob_open", "id"), ("blob_read", 1, "bigslot")], "BlobBufferTooLarge", {"size": 9, "max": 8}),
        ([("blob_create",), ("blob_write", 1, "data"), ("blob_write", 1, "data"), ("blob_write", 1, "data")],
         "TotalBlobMemoryExceeded", {"current": 12, "max": 10}),
        ([("blob_announce_to_context", "id", "ctx")], "BlobsNotSupported", {}),  # unknown blob
    ],
)
def test_blob_errors(gen, make_runtime, ctx, calls, kind, details):
    rt = make_runtime(limits=VMLimits(max_blob_handles=2, max_blob_chunk_size=8, max_blob_total_size=10))
    g = Guest(gen)
    args = {"data": g.buf(b"1234"), "big": g.buf(b"123456789"), "slot": g.mut(4), "bigslot": g.mut(9),
            "id": g.buf(b"\x05" * 32), "ctx": g.buf(CONTEXT)}
    for name, *rest in calls:
        g.do(name, *[args[a] if isinstance(a, str) else a for a in rest])
    host_error(run(rt, g, ctx, node_client=InMemoryBlobService()), kind, **details)


@pytest.mark.parametrize("size", [31, 33])
def test_fixed_size_ids(gen, rt, ctx, size):
    for call in ("blob_open", "blob_close"):
        g = Guest(gen)
        g.do("blob_create")
        if call == "blob_open":
            g.do("blob_open", g.buf(b"\x01" * size))
        else:
            g.do("blob_close", 1, g.mut(size))
        host_error(run(rt, g, ctx, node_client=InMemoryBlobService()), "InvalidMemoryAccess")


def test_fds_are_never_reused_and_uploads_survive_a_failed_call(gen, rt, ctx):
    service = InMemoryBlobService()
    g = Guest(gen)
    g.keep("blob_create")
    g.do("blob_close", 1, g.mut(32))
    g.keep("blob_create")
    g.keep("blob_create")
    out = run(rt, g, ctx, node_client=service)
    assert [v for v in g.unpack(out.returns) if isinstance(v, int)] == [1, 2, 3]
    g = Guest(gen)
    g.do("blob_create")
    g.do("blob_write", 1, g.buf(b"kept"))
    g.do("blob_close", 1, g.mut(32))
    g.trap()
    out = run(rt, g, ctx, node_client=service)
    assert out.error is not None and out.error.kind == "Unreachable"
    assert blob_id(b"kept") in service.blobs  # the blob service stores on close, as in the node
