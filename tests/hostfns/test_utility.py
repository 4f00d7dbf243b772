"""Utility host functions (ABI.md §3.11): time_now, random_bytes, ed25519_verify, fetch."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from calimero_runtime import CURRENT, DeterministicClock, InMemoryStorage, SeededEntropy, VMLimits

from .guests import PAGE, Buf, Desc, Guest, check_group, host_error, run

FETCH_MESSAGE = b"Host function 'fetch' is temporarily disabled."


def test_group_and_signatures(rt):
    check_group(rt, "utility", ["time_now", "random_bytes", "ed25519_verify", "fetch"])


# -- time_now ---------------------------------------------------------------------------------------


def test_time_now_reads_the_runtime_clock_once_per_call(gen, make_runtime, ctx):
    rt = make_runtime(clock=DeterministicClock(start=1_000_000_007, step=13))
    g = Guest(gen)
    g.do("time_now", g.mut(8))
    g.do("time_now", g.mut(8))
    module = rt.compile(g.wasm())
    first = g.unpack(module.run("run", context=ctx, storage=InMemoryStorage()).returns)
    second = g.unpack(module.run("run", context=ctx, storage=InMemoryStorage()).returns)
    values = [int.from_bytes(b, "little") for b in first + second]
    assert values == [1_000_000_007 + 13 * i for i in range(4)]


def test_time_now_is_u64_little_endian(gen, make_runtime, ctx):
    rt = make_runtime(clock=DeterministicClock(start=2**64 - 1, step=1))
    g = Guest(gen)
    g.do("time_now", g.mut(8))
    g.do("time_now", g.mut(8))
    assert g.unpack(run(rt, g, ctx).returns) == [b"\xff" * 8, bytes(8)]


@pytest.mark.parametrize("length", [0, 7, 9, 16, 2**64 - 1])
def test_time_now_needs_exactly_8_bytes_and_does_not_tick(gen, make_runtime, ctx, length):
    rt = make_runtime(clock=DeterministicClock(start=500, step=1))
    g = Guest(gen)
    g.do("time_now", Buf(2**64 - 1 if length == 2**64 - 1 else 0x100, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
    g = Guest(gen)
    g.do("time_now", g.mut(8))
    assert g.unpack(run(rt, g, ctx).returns) == [(500).to_bytes(8, "little")]


@pytest.mark.parametrize("ptr", [PAGE - 7, PAGE, 2**64 - 1, 2**64 - 8])
def test_time_now_out_of_bounds_does_not_tick(gen, make_runtime, ctx, ptr):
    rt = make_runtime(clock=DeterministicClock(start=500, step=1))
    g = Guest(gen)
    g.do("time_now", Buf(ptr, 8))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
    g = Guest(gen)
    g.do("time_now", g.mut(8))
    assert g.unpack(run(rt, g, ctx).returns) == [(500).to_bytes(8, "little")]


def test_time_now_at_end_of_memory(gen, make_runtime, ctx):
    rt = make_runtime(clock=DeterministicClock(start=0x0102030405060708, step=1))
    g = Guest(gen)
    g.do("time_now", Buf(PAGE - 8, 8))
    assert run(rt, g, ctx).ok


def test_time_now_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("time_now", Desc(PAGE - 15))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- random_bytes -----------------------------------------------------------------------------------


def test_random_bytes_come_from_the_runtime_entropy(gen, rt, ctx):
    g = Guest(gen)
    g.do("random_bytes", g.mut(16))
    g.do("random_bytes", g.mut(0))
    g.do("random_bytes", g.mut(45))
    module = rt.compile(g.wasm())
    expected = SeededEntropy(0)
    for _ in range(2):  # the stream continues across calls of one runtime
        out = module.run("run", context=ctx, storage=InMemoryStorage())
        assert g.unpack(out.returns) == [expected.fill(16), b"", expected.fill(45)]


@pytest.mark.parametrize("ptr,length", [(PAGE - 3, 4), (2**64 - 1, 1), (16, 2**64 - 1), (PAGE + 1, 0)])
def test_random_bytes_out_of_bounds_checked_before_filling(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("random_bytes", Buf(ptr, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
    g = Guest(gen)
    g.do("random_bytes", g.mut(8))
    assert g.unpack(run(rt, g, ctx).returns) == [SeededEntropy(0).fill(8)]


def test_random_bytes_whole_page(gen, rt, ctx):
    g = Guest(gen, pages=2)
    g.do("random_bytes", Buf(PAGE, PAGE))
    assert run(rt, g, ctx).ok


def test_random_bytes_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("random_bytes", Desc(2**64 - 1))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- ed25519_verify ---------------------------------------------------------------------------------

_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P


def _decompresses(y: int) -> bool:
    """Whether x² = (y² - 1) / (d·y² + 1) has a solution mod p (Euler's criterion)."""
    ratio = (y * y - 1) * pow(d_y2 := (_D * y * y + 1) % _P, _P - 2, _P) % _P
    assert d_y2
    return ratio == 0 or pow(ratio, (_P - 1) // 2, _P) == 1


NOT_A_POINT = next(y for y in range(2, 100) if not _decompresses(y)).to_bytes(32, "little")


@pytest.fixture(scope="module")
def keypair() -> tuple[Ed25519PrivateKey, bytes]:
    sk = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return sk, sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _verify(gen: str, rt, ctx, sig: bytes, pk: bytes, msg: bytes):
    g = Guest(gen)
    g.keep("ed25519_verify", g.buf(sig), g.buf(pk), g.buf(msg))
    return g, run(rt, g, ctx)


def test_ed25519_valid_and_tampered(gen, rt, ctx, keypair):
    sk, pk = keypair
    msg = b"transfer 10 to bob"
    sig = sk.sign(msg)
    g = Guest(gen)
    g.keep("ed25519_verify", g.buf(sig), g.buf(pk), g.buf(msg))
    g.keep("ed25519_verify", g.buf(sig), g.buf(pk), g.buf(b"transfer 99 to bob"))
    g.keep("ed25519_verify", g.buf(sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]), g.buf(pk), g.buf(msg))
    g.keep("ed25519_verify", g.buf(sk.sign(b"")), g.buf(pk), Buf(0, 0))
    other = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    g.keep("ed25519_verify", g.buf(sig), g.buf(other), g.buf(msg))
    assert g.unpack(run(rt, g, ctx).returns) == [1, 0, 0, 1, 0]


def test_ed25519_key_not_on_the_curve(gen, rt, ctx, keypair):
    sk, _ = keypair
    _, out = _verify(gen, rt, ctx, sk.sign(b"m"), NOT_A_POINT, b"m")
    host_error(out, "Ed25519IncorrectPublicKey")


@pytest.mark.parametrize("key", [
    (1).to_bytes(32, "little")[:31] + b"\x80",  # y = 1 with the sign bit set (x = 0)
    (_P + 1).to_bytes(32, "little"),  # non-canonical encoding of y = 1
])
def test_ed25519_keys_ed25519_dalek_decompresses_are_not_incorrect(gen, rt, ctx, keypair, key):
    """ed25519-dalek's ``VerifyingKey::from_bytes`` only rejects y with no square root for x; it
    reduces y mod p and accepts "negative zero" x. Such keys verify to 0, they do not trap."""
    sk, _ = keypair
    g, out = _verify(gen, rt, ctx, sk.sign(b"m"), key, b"m")
    assert out.ok and g.unpack(out.returns) == [0]


@pytest.mark.parametrize("size", [0, 63, 65])
def test_ed25519_signature_must_be_64_bytes(gen, rt, ctx, keypair, size):
    _, pk = keypair
    _, out = _verify(gen, rt, ctx, b"\x01" * size, pk, b"m")
    host_error(out, "InvalidMemoryAccess")


@pytest.mark.parametrize("size", [0, 31, 33])
def test_ed25519_key_must_be_32_bytes(gen, rt, ctx, keypair, size):
    sk, _ = keypair
    _, out = _verify(gen, rt, ctx, sk.sign(b"m"), b"\x01" * size, b"m")
    host_error(out, "InvalidMemoryAccess")


def test_ed25519_lengths_checked_before_the_point(gen, rt, ctx):
    _, out = _verify(gen, rt, ctx, b"\x00" * 63, NOT_A_POINT, b"m")
    host_error(out, "InvalidMemoryAccess")


@pytest.mark.parametrize("which", ["sig", "pk", "msg"])
def test_ed25519_out_of_bounds(gen, rt, ctx, keypair, which):
    sk, pk = keypair
    g = Guest(gen)
    sig, key, msg = g.buf(sk.sign(b"m")), g.buf(pk), g.buf(b"m")
    if which == "sig":
        sig = Buf(PAGE - 63, 64)
    elif which == "pk":
        key = Buf(2**64 - 1, 32)
    else:
        msg = Buf(PAGE - 1, 2)
    g.keep("ed25519_verify", sig, key, msg)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_ed25519_descriptor_out_of_bounds(rt, ctx, keypair):
    sk, pk = keypair
    g = Guest(CURRENT)
    g.keep("ed25519_verify", g.buf(sk.sign(b"m")), g.buf(pk), Desc(PAGE - 1))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- fetch ------------------------------------------------------------------------------------------


def test_fetch_is_disabled(gen, rt, ctx):
    g = Guest(gen)
    url, method = g.buf(b"https://example.com"), g.buf(b"GET")
    g.keep("fetch", url, method, g.buf(b"\x00\x00\x00\x00"), Buf(0, 0), 3)
    g.register(3, len(FETCH_MESSAGE))
    out = run(rt, g, ctx)
    assert g.unpack(out.returns) == [1, len(FETCH_MESSAGE), 1, FETCH_MESSAGE]


def test_fetch_does_not_read_its_arguments(gen, rt, ctx):
    g = Guest(gen)
    if gen == CURRENT:
        bad = [Desc(2**64 - 1), Desc(PAGE), Desc(PAGE - 1), Desc(0)]
    else:
        bad = [Buf(2**64 - 1, 5), Buf(PAGE - 1, 2**64 - 1), Buf(0, 2**64 - 1), Buf(PAGE, 1)]
    g.keep("fetch", *bad, 3)
    assert g.unpack(run(rt, g, ctx).returns) == [1]


def test_fetch_obeys_register_limits(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_register_size=10, max_registers_capacity=100))
    g = Guest(gen)
    g.keep("fetch", Buf(0, 0), Buf(0, 0), Buf(0, 0), Buf(0, 0), 3)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
