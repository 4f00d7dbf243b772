"""Utility functions (ABI.md §3.11): time, randomness, Ed25519, fetch."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from calimero_runtime.abi import I32, Buffer, BufferMut, Reg, Span, Unread
from calimero_runtime.errors import HostError
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic

group = HostFunctionGroup("utility", "time, randomness, signatures, fetch")

FETCH_DISABLED = b"Host function 'fetch' is temporarily disabled."

# Edwards25519 constants, for the point-decompression check ed25519-dalek performs on the key.
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def is_valid_point(key: bytes) -> bool:
    """Whether 32 bytes decompress to a curve point (what makes a key "incorrect" in the node).

    As curve25519-dalek's ``CompressedEdwardsY::decompress``: y is taken mod p (non-canonical
    encodings accepted) and the sign bit only negates x (x = 0 with the sign bit set is accepted)."""
    y = int.from_bytes(key, "little") & ((1 << 255) - 1)
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = (u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P)) % _P
    vx2 = (v * x * x) % _P
    if vx2 != u:
        if vx2 != (-u) % _P:
            return False
        x = (x * _SQRT_M1) % _P
    return True


@group.function("time_now", BufferMut(exact=8))
def time_now(logic: VMLogic, dst: Span) -> None:
    """Wall-clock nanoseconds since the epoch, u64 LE, from the runtime's clock."""
    logic.memory.check(dst.ptr, 8)
    logic.memory.write(dst.ptr, (logic.clock.now_ns() & (2**64 - 1)).to_bytes(8, "little"))


@group.function("random_bytes", BufferMut())
def random_bytes(logic: VMLogic, dst: Span) -> None:
    """Fill the buffer from the runtime's entropy source (region checked before filling)."""
    logic.memory.check(dst.ptr, dst.len)
    logic.memory.write(dst.ptr, logic.entropy.fill(dst.len))


@group.function("ed25519_verify", Buffer(exact=64), Buffer(exact=32), Buffer(), result=I32)
def ed25519_verify(logic: VMLogic, signature: bytes, public_key: bytes, message: bytes) -> int:
    """Standard Ed25519 verification: 1 valid, 0 invalid."""
    if not is_valid_point(public_key):
        raise HostError("Ed25519IncorrectPublicKey")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return 0
    return 1


@group.function("fetch", Unread(), Unread(), Unread(), Unread(), Reg(), result=I32)
def fetch(logic: VMLogic, url: None, method: None, headers: None, body: None, reg: int) -> int:
    """Disabled as in the node: arguments are not read; the reason goes to the register; returns 1."""
    logic.set_register(reg, FETCH_DISABLED)
    return 1


calimero_register_host_functions = group.hookimpl()
