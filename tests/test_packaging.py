"""The distribution: one wheel, every module under the calimero_runtime namespace, typed, and
importable from a fresh target directory (not from this checkout)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_holds_the_namespace_and_imports_on_its_own(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("calimero_runtime-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("__init__.py", "py.typed", "cli.py", "plugins/hookspecs.py", "backends/wasmtime.py",
                   "backends/wasmer.py", "storage_plugins/rocksdb.py", "storage_plugins/memory.py",
                   "hostfns/storage.py", "hostfns/blobs.py"):
        assert f"calimero_runtime/{module}" in names, module
    assert not any(n.startswith(("core/", "backends/", "hostfns/", "tests/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[calimero_runtime]" in text and "calimero-runtime = calimero_runtime.cli:main" in text

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    probe = ("import calimero_runtime, calimero_runtime.backends.wasmtime as w, calimero_runtime.hostfns.storage;"
             "print(calimero_runtime.__file__); print(sorted(calimero_runtime.Runtime().registry.engines))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    location, engines = done.stdout.splitlines()
    assert location.startswith(str(target)) and "wasmtime" in engines
