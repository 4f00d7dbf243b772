"""Legacy governance imports (ABI.md §3.12): send_proposal, approve_proposal."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, InMemoryStorage, SeededEntropy

from .guests import NONE, PAGE, Buf, Desc, Guest, check_group, host_error, run

PROPOSAL_ID = b"\x9a" * 32


def test_group_and_signatures(rt):
    check_group(rt, "governance", ["send_proposal", "approve_proposal"])


def test_send_proposal_draws_ids_from_the_runtime_entropy(gen, rt, ctx):
    g = Guest(gen)
    g.do("send_proposal", g.buf(b"\x01actions"), g.mut(32))
    g.do("send_proposal", NONE, g.mut(32))
    out = run(rt, g, ctx)
    entropy = SeededEntropy(0)
    first, second = entropy.fill(32), entropy.fill(32)
    assert g.unpack(out.returns) == [first, second]
    assert out.proposals == {first: b"\x01actions", second: b""}


def test_send_proposal_ids_continue_across_calls(gen, rt, ctx):
    g = Guest(gen)
    g.do("send_proposal", g.buf(b"p"), g.mut(32))
    module = rt.compile(g.wasm())
    entropy = SeededEntropy(0)
    for _ in range(2):
        out = module.run("run", context=ctx, storage=InMemoryStorage())
        expected = entropy.fill(32)
        assert g.unpack(out.returns) == [expected] and out.proposals == {expected: b"p"}


@pytest.mark.parametrize("size", [0, 31, 33])
def test_send_proposal_id_buffer_must_be_32_bytes_host_panic(gen, rt, ctx, size):
    """A wrong-length id buffer was a host panic in the node (§3.12)."""
    g = Guest(gen)
    g.do("send_proposal", g.buf(b"p"), Buf(0x100, size))
    out = run(rt, g, ctx)
    host_error(out, "Panic")
    assert out.error.context == "Host" and out.proposals == {}


@pytest.mark.parametrize("ptr", [PAGE - 31, 2**64 - 1, 2**64 - 16])
def test_send_proposal_id_buffer_out_of_bounds_draws_nothing(gen, rt, ctx, ptr):
    g = Guest(gen)
    g.do("send_proposal", g.buf(b"p"), Buf(ptr, 32))
    out = run(rt, g, ctx)
    host_error(out, "InvalidMemoryAccess")
    assert out.proposals == {}
    g = Guest(gen)
    g.do("send_proposal", g.buf(b"p"), g.mut(32))
    assert g.unpack(run(rt, g, ctx).returns) == [SeededEntropy(0).fill(32)]


@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1), (16, 2**64 - 1)])
def test_send_proposal_actions_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("send_proposal", Buf(ptr, length), g.mut(32))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_send_proposal_descriptors_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("send_proposal", Desc(PAGE - 8), g.mut(32))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
    g = Guest(CURRENT)
    g.do("send_proposal", g.buf(b"p"), Desc(PAGE))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_approve_proposal(gen, rt, ctx):
    g = Guest(gen)
    g.do("approve_proposal", g.buf(PROPOSAL_ID))
    g.do("approve_proposal", g.buf(bytes(32)))
    g.do("approve_proposal", g.buf(PROPOSAL_ID))
    out = run(rt, g, ctx)
    assert out.ok and out.approvals == (PROPOSAL_ID, bytes(32), PROPOSAL_ID)


@pytest.mark.parametrize("size", [0, 31, 33])
def test_approve_proposal_id_must_be_32_bytes(gen, rt, ctx, size):
    g = Guest(gen)
    g.do("approve_proposal", g.buf(b"\x01" * size))
    out = run(rt, g, ctx)
    host_error(out, "InvalidMemoryAccess")
    assert out.approvals == ()


@pytest.mark.parametrize("ptr", [PAGE - 31, 2**64 - 1])
def test_approve_proposal_out_of_bounds(gen, rt, ctx, ptr):
    g = Guest(gen)
    g.do("approve_proposal", Buf(ptr, 32))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_approve_proposal_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("approve_proposal", Desc(2**64 - 1))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
