"""Clock and entropy sources: plain objects so a sequence of calls can be replayed bit for bit.

``clock.now_ns()`` is called exactly once per ``time_now``; ``entropy.fill(n)`` once per
``random_bytes`` and once (n = 32) per proposal id.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now_ns(self) -> int: ...


@runtime_checkable
class Entropy(Protocol):
    def fill(self, n: int) -> bytes: ...


class SystemClock:
    """Wall-clock nanoseconds since the Unix epoch."""

    def now_ns(self) -> int:
        return time.time_ns()


class DeterministicClock:
    """Returns ``start``, then ``start + step``, ... one tick per call."""

    def __init__(self, start: int = 1_700_000_000_000_000_000, step: int = 1_000_000) -> None:
        self.start, self.step, self._next = start, step, start

    def now_ns(self) -> int:
        value = self._next
        self._next += self.step
        return value & (2**64 - 1)


class SystemEntropy:
    """``os.urandom``."""

    def fill(self, n: int) -> bytes:
        return os.urandom(n)


class SeededEntropy:
    """A reproducible byte stream: SHA-256 in counter mode over the seed."""

    def __init__(self, seed: int | bytes | str = 0) -> None:
        if isinstance(seed, int):
            seed = seed.to_bytes(16, "little", signed=True)
        elif isinstance(seed, str):
            seed = seed.encode()
        self._seed = bytes(seed)
        self._counter = 0
        self._buffer = b""

    def fill(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "little")).digest()
            self._counter += 1
            self._buffer += block
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out
