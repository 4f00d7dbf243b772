"""Legacy context-management imports (ABI.md §3.12): queued mutations and membership queries."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, ContextMutation, VMLimits

from .guests import NONE, PAGE, Buf, Desc, Guest, check_group, host_error, run

ALICE = b"\xa1" * 32
BOB = b"\xb0" * 32
APP = b"\xa9" * 32
OTHER_CONTEXT = b"\xcc" * 32
NAMES = ["context_create", "context_delete", "context_add_member", "context_remove_member",
         "context_is_member", "context_members", "context_resolve_alias"]
QUEUED = ["context_delete", "context_add_member", "context_remove_member"]


class Host:
    """A context host: plain object with the three methods the runtime asks for."""

    def __init__(self, members: list[bytes], aliases: dict[str, bytes] | None = None) -> None:
        self._members = members
        self._aliases = aliases or {}
        self.asked: list[bytes] = []

    def is_member(self, public_key: bytes) -> bool:
        self.asked.append(bytes(public_key))
        return public_key in self._members

    def members(self) -> list[bytes]:
        return list(self._members)

    def resolve_alias(self, alias: str) -> bytes | None:
        return self._aliases.get(alias)


def test_group_and_signatures(rt):
    check_group(rt, "context", NAMES)


# -- queued mutations -------------------------------------------------------------------------------


def test_context_create_queues_a_mutation(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_create", g.buf(b"near"), g.buf(APP), g.buf(b'{"init":1}'), g.buf("alïas".encode()))
    g.do("context_create", g.buf(b"icp"), g.buf(APP), NONE, NONE)
    out = run(rt, g, ctx)
    assert out.ok
    assert out.context_mutations == (
        ContextMutation("create", b"", "near", APP, b'{"init":1}', "alïas"),
        ContextMutation("create", b"", "icp", APP, b"", None),
    )


def test_context_create_empty_alias_is_none(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_create", g.buf(b"p"), g.buf(APP), NONE, Buf(0x100, 0))
    out = run(rt, g, ctx)
    assert out.context_mutations[0].alias is None


@pytest.mark.parametrize("size", [0, 31, 33])
def test_context_create_application_id_must_be_32_bytes(gen, rt, ctx, size):
    g = Guest(gen)
    g.do("context_create", g.buf(b"p"), g.buf(b"\x01" * size), NONE, NONE)
    out = run(rt, g, ctx)
    host_error(out, "InvalidMemoryAccess")
    assert out.context_mutations == ()


@pytest.mark.parametrize("field", ["protocol", "alias"])
def test_context_create_bad_utf8(gen, rt, ctx, field):
    g = Guest(gen)
    protocol = g.buf(b"\xff" if field == "protocol" else b"p")
    alias = g.buf(b"a\xfe") if field == "alias" else NONE
    g.do("context_create", protocol, g.buf(APP), g.buf(b"\xff args are bytes"), alias)
    host_error(run(rt, g, ctx), "BadUTF8")


@pytest.mark.parametrize("field", [0, 1, 2, 3])
def test_context_create_out_of_bounds(gen, rt, ctx, field):
    g = Guest(gen)
    args = [g.buf(b"p"), g.buf(APP), g.buf(b"x"), g.buf(b"al")]
    args[field] = Buf(PAGE - 31, 32) if field == 1 else Buf(2**64 - 1, 2)
    g.do("context_create", *args)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_context_create_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("context_create", g.buf(b"p"), Desc(PAGE - 8), NONE, NONE)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("name", QUEUED)
def test_queued_mutations(gen, rt, ctx, name):
    g = Guest(gen)
    g.do(name, g.buf(ALICE))
    g.do(name, g.buf(OTHER_CONTEXT))
    out = run(rt, g, ctx)
    kind = name.removeprefix("context_")
    assert out.ok
    assert out.context_mutations == (ContextMutation(kind, ALICE), ContextMutation(kind, OTHER_CONTEXT))


def test_mutations_keep_their_order_across_kinds(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_add_member", g.buf(BOB))
    g.do("context_create", g.buf(b"p"), g.buf(APP), NONE, NONE)
    g.do("context_remove_member", g.buf(ALICE))
    g.do("context_delete", g.buf(OTHER_CONTEXT))
    out = run(rt, g, ctx)
    assert [m.kind for m in out.context_mutations] == ["add_member", "create", "remove_member", "delete"]


@pytest.mark.parametrize("name", [*QUEUED, "context_is_member"])
@pytest.mark.parametrize("size", [0, 31, 33])
def test_32_byte_argument(gen, rt, ctx, name, size):
    g = Guest(gen)
    g.do(name, g.buf(b"\x01" * size))
    out = run(rt, g, ctx, context_host=Host([ALICE]))
    host_error(out, "InvalidMemoryAccess")
    assert out.context_mutations == ()


@pytest.mark.parametrize("name", [*QUEUED, "context_is_member"])
@pytest.mark.parametrize("ptr", [PAGE - 31, 2**64 - 1])
def test_32_byte_argument_out_of_bounds(gen, rt, ctx, name, ptr):
    g = Guest(gen)
    g.do(name, Buf(ptr, 32))
    host_error(run(rt, g, ctx, context_host=Host([ALICE])), "InvalidMemoryAccess")


@pytest.mark.parametrize("name", [*QUEUED, "context_is_member"])
def test_32_byte_argument_descriptor_out_of_bounds(rt, ctx, name):
    g = Guest(CURRENT)
    g.do(name, Desc(PAGE - 15))
    host_error(run(rt, g, ctx, context_host=Host([ALICE])), "InvalidMemoryAccess")


# -- membership -------------------------------------------------------------------------------------


def test_context_is_member(gen, rt, ctx):
    host = Host([ALICE, BOB])
    g = Guest(gen)
    g.keep("context_is_member", g.buf(ALICE))
    g.keep("context_is_member", g.buf(b"\x00" * 32))
    g.keep("context_is_member", g.buf(BOB))
    out = run(rt, g, ctx, context_host=host)
    assert g.unpack(out.returns) == [1, 0, 1]
    assert host.asked == [ALICE, b"\x00" * 32, BOB]


def test_context_is_member_without_a_host_is_zero(gen, rt, ctx):
    g = Guest(gen)
    g.keep("context_is_member", g.buf(ALICE))
    assert g.unpack(run(rt, g, ctx).returns) == [0]


def test_context_members_borsh_vec(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_members", 4)
    g.register(4, 4 + 64)
    out = run(rt, g, ctx, context_host=Host([ALICE, BOB]))
    assert g.unpack(out.returns) == [68, 1, b"\x02\x00\x00\x00" + ALICE + BOB]


def test_context_members_empty_and_without_host(gen, rt, ctx):
    g = Guest(gen)
    g.do("context_members", 4)
    g.register(4, 4)
    assert g.unpack(run(rt, g, ctx, context_host=Host([])).returns) == [4, 1, bytes(4)]
    assert g.unpack(run(rt, g, ctx).returns) == [4, 1, bytes(4)]


def test_context_members_register_limits(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=4 + 32, max_registers_capacity=1000))
    g = Guest(gen)
    g.do("context_members", 4)
    assert run(rt, g, ctx, context_host=Host([ALICE])).ok
    host_error(run(rt, g, ctx, context_host=Host([ALICE, BOB])), "InvalidMemoryAccess")


# -- aliases ----------------------------------------------------------------------------------------


def test_context_resolve_alias(gen, rt, ctx):
    host = Host([], {"team": OTHER_CONTEXT})
    g = Guest(gen)
    g.do("input", 6)
    g.keep("context_resolve_alias", g.buf(b"nobody"), 6)
    g.register(6, 2)  # untouched on a miss
    g.keep("context_resolve_alias", g.buf(b"team"), 6)
    g.register(6, 32)
    out = run(rt, g, ctx, context_host=host, input=b"in")
    assert g.unpack(out.returns) == [0, 2, 1, b"in", 1, 32, 1, OTHER_CONTEXT]


def test_context_resolve_alias_without_host(gen, rt, ctx):
    g = Guest(gen)
    g.keep("context_resolve_alias", g.buf(b"team"), 6)
    g.keep("register_len", 6)
    assert g.unpack(run(rt, g, ctx).returns) == [0, -1]


def test_context_resolve_alias_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    g.keep("context_resolve_alias", g.buf(b"\xc3"), 6)
    host_error(run(rt, g, ctx, context_host=Host([], {"team": OTHER_CONTEXT})), "BadUTF8")


@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1)])
def test_context_resolve_alias_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.keep("context_resolve_alias", Buf(ptr, length), 6)
    host_error(run(rt, g, ctx, context_host=Host([])), "InvalidMemoryAccess")


def test_context_resolve_alias_register_limits(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_registers=0))
    g = Guest(gen)
    g.keep("context_resolve_alias", g.buf(b"team"), 6)
    host_error(run(rt, g, ctx, context_host=Host([], {"team": OTHER_CONTEXT})), "InvalidMemoryAccess")


def test_context_resolve_alias_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.keep("context_resolve_alias", Desc(PAGE - 1), 6)
    host_error(run(rt, g, ctx, context_host=Host([])), "InvalidMemoryAccess")
