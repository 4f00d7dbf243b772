"""State commitment (ABI.md §3.10, §9): commit."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, InMemoryStorage, VMLimits

from .guests import NONE, PAGE, Buf, Desc, Guest, check_group, host_error, run

ROOT = bytes(range(100, 132))


def test_group_and_signatures(rt):
    check_group(rt, "state", ["commit"])


def test_commit_sets_root_hash_and_artifact(gen, rt, ctx):
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), g.buf(b"\x00\x01\x02artifact"))
    out = run(rt, g, ctx)
    assert out.ok and out.root_hash == ROOT and out.artifact == b"\x00\x01\x02artifact"


def test_commit_with_empty_artifact(gen, rt, ctx):
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), NONE)
    out = run(rt, g, ctx)
    assert out.ok and out.root_hash == ROOT and out.artifact == b""


def test_no_commit_means_no_root_hash(gen, rt, ctx):
    g = Guest(gen)
    g.do("storage_write", g.buf(b"k"), g.buf(b"v"), 0)
    out = run(rt, g, ctx)
    assert out.ok and out.root_hash is None and out.artifact == b""


def test_second_commit_is_invalid_memory_access(gen, rt, ctx):
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), g.buf(b"a"))
    g.do("commit", g.buf(ROOT), g.buf(b"b"))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_commit_is_once_per_call_not_per_module(gen, rt, ctx):
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), g.buf(b"a"))
    module = rt.compile(g.wasm())
    for _ in range(2):
        out = module.run("run", context=ctx, storage=InMemoryStorage())
        assert out.ok and out.root_hash == ROOT


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_root_must_be_32_bytes(gen, rt, ctx, size):
    g = Guest(gen)
    g.do("commit", g.buf(b"\x01" * size), g.buf(b"a"))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("ptr", [PAGE - 31, 2**64 - 1, 2**64 - 32])
def test_root_out_of_bounds(gen, rt, ctx, ptr):
    g = Guest(gen)
    g.do("commit", Buf(ptr, 32), NONE)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_artifact_size_cap(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_artifact_size=4))
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), g.buf(b"1234"))
    assert run(rt, g, ctx).artifact == b"1234"
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), g.buf(b"12345"))
    host_error(run(rt, g, ctx), "ArtifactSizeOverflow", size=5, max=4)


def test_artifact_cap_checked_first_and_before_reading(gen, make_runtime, ctx):
    """§3.10 order: artifact cap, then the root length; the cap needs no bytes read."""
    rt = make_runtime(limits=VMLimits(max_artifact_size=4))
    g = Guest(gen)
    g.do("commit", g.buf(b"short root"), Buf(2**64 - 1, 5))
    host_error(run(rt, g, ctx), "ArtifactSizeOverflow", size=5, max=4)


@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1), (16, 2**64 - 1)])
def test_artifact_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("commit", g.buf(ROOT), Buf(ptr, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess" if length < 2**63 else "ArtifactSizeOverflow")


@pytest.mark.parametrize("which", ["root", "artifact"])
def test_commit_descriptor_out_of_bounds(rt, ctx, which):
    g = Guest(CURRENT)
    root, artifact = g.buf(ROOT), g.buf(b"a")
    if which == "root":
        g.do("commit", Desc(PAGE - 8), artifact)
    else:
        g.do("commit", root, Desc(PAGE - 8))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_failed_commit_does_not_count(gen, rt, ctx):
    """A commit that trapped set nothing; the call is over, so the outcome carries no commit."""
    g = Guest(gen)
    g.do("commit", g.buf(b"\x01" * 31), g.buf(b"a"))
    out = run(rt, g, ctx)
    host_error(out, "InvalidMemoryAccess")
    assert out.root_hash is None and out.artifact == b""
