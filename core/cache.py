"""On-disk cache of compiled modules.

An entry is keyed by the wasm's SHA-256, the engine name and version, and the engine's configuration
fingerprint (anything that changes generated code). Serialized modules are native code that engines
load without checking (wasmer crashes on a corrupted blob), so every entry carries a header with its
key and the SHA-256 of its payload; anything that does not match is discarded and recompiled, never
trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import attrs

MAGIC = b"CALIMERO-MODULE-CACHE\n"
FORMAT = 1


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
        return None if found is None else bytes(found[0])

    def load_with_meta(self, key: CacheKey) -> tuple[memoryview, dict[str, Any]] | None:
        """The payload (a view into the file's bytes: no copy of a large module) and the metadata
        stored with it, or None."""
        path = self._path(key)
        try:
            if path.stat().st_size > self.max_entry_size + 4096:
                raise ValueError("entry larger than max_precompiled_module_size")
            with open(path, "rb") as entry:  # into a writable buffer: engines may use it without a copy
                blob = bytearray(os.fstat(entry.fileno()).st_size)
                if entry.readinto(blob) != len(blob):
                    raise ValueError("entry changed while being read")
            header, payload = _split(blob)
            if header.get("key") != attrs.asdict(key) or header.get("sha256") != hashlib.sha256(payload).hexdigest():
                raise ValueError("entry does not match its key or checksum")
            meta_sum = hashlib.sha256(json.dumps(header.get("meta", {})).encode()).hexdigest()
            if header.get("meta_sha256") != meta_sum:
                raise ValueError("entry metadata does not match its checksum")
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

    def store(self, key: CacheKey, payload: bytes, meta: dict[str, Any] | None = None) -> None:
        """``meta``: small JSON data kept in the checksummed header (the core keeps the module's
        import/export specs there, so a hit does not have to list them through the engine)."""
        if len(payload) > self.max_entry_size:
            return
        header = json.dumps({"key": attrs.asdict(key), "sha256": hashlib.sha256(payload).hexdigest(),
                             "size": len(payload), "meta": meta or {},
                             "meta_sha256": hashlib.sha256(json.dumps(meta or {}).encode()).hexdigest()}).encode()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + len(header).to_bytes(4, "little") + header + payload)
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


def _split(blob: bytearray) -> tuple[dict[str, Any], memoryview]:
    if not blob.startswith(MAGIC):
        raise ValueError("not a cache entry")
    offset = len(MAGIC)
    size = int.from_bytes(blob[offset : offset + 4], "little")
    header = json.loads(blob[offset + 4 : offset + 4 + size])
    if not isinstance(header, dict):
        raise ValueError("bad header")
    return header, memoryview(blob)[offset + 4 + size :]
