"""On-disk cache of compiled modules.

An entry is keyed by the wasm's SHA-256, the engine name and version, and the engine's configuration
fingerprint (anything that changes generated code). Serialized modules are native code that engines
load without checking (wasmer crashes on a corrupted blob), so every entry carries a header with its
key and XXH3-128 checksums of header and payload; anything that does not match is discarded and
recompiled, never trusted.

Why XXH3 and not SHA-256: the checksum guards against accidental damage (bit rot, a foreign or
half-copied file), which a 128-bit XXH3 catches as surely as SHA-256 does, at ~60 GB/s instead of
~2 GB/s -- and it runs on every cache hit, over a payload that is 4-7x the wasm's size (SHA-256 there
cost a wasmer hit a third of its time). Against deliberate tampering no unkeyed checksum helps: whoever
can write the cache directory can write a matching checksum, so the directory must be trusted like any
directory of executable code (as with wasmtime's own cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import attrs
import xxhash

MAGIC = b"CALIMERO-MODULE-CACHE\n"
FORMAT = 2
# After MAGIC: u32 header length, the XXH3-128 digest of (header length, header); then the JSON header
# (key, payload size, the payload's XXH3-128, meta) and the payload.
_DIGEST = 16
_PREFIX = len(MAGIC) + 4 + _DIGEST
_MAX_HEADER = 1 << 20


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "calimero-runtime" / "modules"


@attrs.frozen
class CacheKey:
    wasm_sha256: str
    engine: str
    engine_version: str
    fingerprint: str

    def digest(self) -> str:
        text = json.dumps([FORMAT, *attrs.astuple(self)])
        return hashlib.sha256(text.encode()).hexdigest()


class ModuleCache:
    def __init__(self, directory: str | os.PathLike[str] | None = None, max_entry_size: int = 256 << 20) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_entry_size = max_entry_size
        self.hits = self.misses = self.rejected = 0

    def _path(self, key: CacheKey) -> Path:
        digest = key.digest()
        return self.directory / digest[:2] / f"{digest}.bin"

    def load(self, key: CacheKey) -> bytes | None:
        """The payload stored under ``key``, or None (missing, foreign, corrupted or oversized)."""
        found = self.load_with_meta(key)
        return None if found is None else found[0]

    def load_with_meta(self, key: CacheKey) -> tuple[bytes, dict[str, Any]] | None:
        """The payload and the metadata stored with it, or None. The payload is read straight into
        the bytes object engines take, so a hit copies a large module's code once, from the file."""
        path = self._path(key)
        try:
            header, payload = self._read(path)
            if header.get("key") != attrs.asdict(key):
                raise ValueError("entry belongs to another key")
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            self.rejected += 1
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        meta = header.get("meta")
        return payload, meta if isinstance(meta, dict) else {}

    def _read(self, path: Path) -> tuple[dict[str, Any], bytes]:
        with open(path, "rb", buffering=0) as entry:
            if os.fstat(entry.fileno()).st_size > self.max_entry_size + _MAX_HEADER + _PREFIX:
                raise ValueError("entry larger than max_precompiled_module_size")
            prefix = entry.read(_PREFIX)
            if len(prefix) != _PREFIX or not prefix.startswith(MAGIC):
                raise ValueError("not a cache entry")
            length = prefix[len(MAGIC) : len(MAGIC) + 4]
            size = int.from_bytes(length, "little")
            if size > _MAX_HEADER:
                raise ValueError("header too large")
            header_bytes = entry.read(size)
            payload = entry.readall()  # one allocation of the file's remaining size, read into directly
        if xxhash.xxh3_128_digest(length + header_bytes) != prefix[-_DIGEST:]:
            raise ValueError("entry header does not match its checksum")
        header = json.loads(header_bytes)  # checked first: never parses damaged text
        if not isinstance(header, dict) or header.get("size") != len(payload):
            raise ValueError("bad header")
        if header.get("xxh3_128") != xxhash.xxh3_128_hexdigest(payload):
            raise ValueError("entry payload does not match its checksum")
        return header, payload

    def store(self, key: CacheKey, payload: bytes, meta: dict[str, Any] | None = None) -> None:
        """``meta``: small JSON data kept in the checksummed header (the core keeps the module's
        import/export specs there, so a hit does not have to list them through the engine)."""
        if len(payload) > self.max_entry_size:
            return
        header = json.dumps({"key": attrs.asdict(key), "size": len(payload),
                             "xxh3_128": xxhash.xxh3_128_hexdigest(payload), "meta": meta or {}}).encode()
        length = len(header).to_bytes(4, "little")
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + length + xxhash.xxh3_128_digest(length + header) + header)
                out.write(payload)
            os.replace(tmp, path)  # atomic: readers never see half an entry
        except OSError:
            Path(tmp).unlink(missing_ok=True)

    def entries(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob("*/*.bin"))

    def info(self) -> dict[str, Any]:
        files = self.entries()
        return {"directory": str(self.directory), "entries": len(files),
                "bytes": sum(p.stat().st_size for p in files)}

    def clear(self) -> int:
        files = self.entries()
        for path in files:
            path.unlink(missing_ok=True)
        return len(files)

