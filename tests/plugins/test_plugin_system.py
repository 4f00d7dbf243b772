"""The plugin system: entry points, fault isolation, strict mode, name clashes, third-party plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from calimero_runtime import (
    Capability,
    CapabilityError,
    DuplicatePluginError,
    EngineRecord,
    HostFunctionGroup,
    InMemoryStorage,
    PluginError,
    Runtime,
    StorageRecord,
    UnknownPluginError,
    VMContext,
    VMLimits,
    hookimpl,
)
from calimero_runtime.abi import I64, U64
from calimero_runtime.storage_plugins.memory import open_memory
from tests.conftest import wat

FIXTURES = Path(__file__).parent / "fixtures"


def _install(target: Path, *projects: str) -> dict[str, str]:
    """pip-install plugin projects from their own pyproject.toml into a fresh directory; return an env
    whose Python sees them (and this checkout's calimero-runtime) — a temporary environment."""
    for project in projects:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--target", str(target), str(FIXTURES / project)],
            check=True,
        )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calimero_runtime.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _install(tmp_path_factory.mktemp("site"), "demo_plugin", "broken_plugin")


GUEST = """
(module
  (import "env" "demo_triple" (func $triple (param i64) (result i64)))
  (import "env" "demo_shout" (func $shout (param i64 i64)))
  (import "env" "register_len" (func $len (param i64) (result i64)))
  (import "env" "read_register" (func $read (param i64 i64) (result i32)))
  (import "env" "value_return" (func $ret (param i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello plugin")
  ;; Buffer {ptr 0, len 12} at 64; BufferMut {ptr 256, len 12} at 96; ValueReturn {0, 256, 12} at 128
  (data (i32.const 64) "\\00\\00\\00\\00\\00\\00\\00\\00\\0c\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 96) "\\00\\01\\00\\00\\00\\00\\00\\00\\0c\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 128) "\\00\\00\\00\\00\\00\\00\\00\\00\\00\\01\\00\\00\\00\\00\\00\\00\\0c\\00\\00\\00\\00\\00\\00\\00")
  (func (export "triple") (local $r i64)
    (local.set $r (call $triple (i64.const 14)))
    (i64.store (i32.const 256) (local.get $r))
    (i64.store (i32.const 160) (i64.const 0))
    (i64.store (i32.const 168) (i64.const 256))
    (i64.store (i32.const 176) (i64.const 8))
    (call $ret (i64.const 160)))
  (func (export "shout")
    (call $shout (i64.const 64) (i64.const 7))
    (drop (call $read (i64.const 7) (i64.const 96)))
    (call $ret (i64.const 128))))
"""


def test_third_party_plugin_installed_from_its_pyproject(plugin_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "guest.wasm").write_bytes(wat(GUEST))
    script = textwrap.dedent(
        f"""
        import json
        from calimero_runtime import Runtime, VMContext, InMemoryStorage
        rt = Runtime()
        m = rt.compile(open({str(tmp_path / "guest.wasm")!r}, "rb").read())
        ctx = VMContext(context_id=bytes(32), executor_public_key=bytes(32))
        a = m.run("triple", context=ctx, storage=InMemoryStorage())
        b = m.run("shout", context=ctx, storage=InMemoryStorage())
        print(json.dumps([a.ok, a.returns.hex(), b.ok, b.returns.decode(),
                          sorted(f.name for f in rt.registry.host_functions if f.group == "demo")]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], env=plugin_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ok_a, triple, ok_b, shout, names = json.loads(done.stdout)
    assert ok_a and int.from_bytes(bytes.fromhex(triple), "little") == 42
    assert ok_b and shout == "HELLO PLUGIN"
    assert names == ["demo_shout", "demo_triple"]


def test_plugins_json_reports_broken_plugin_and_keeps_going(plugin_env: dict[str, str]) -> None:
    done = _cli(plugin_env, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    failures = {f["name"]: f for f in report["failures"]}
    assert failures["broken"]["distribution"] == "calimero-broken-plugin"
    assert "needs a dependency that is not installed" in failures["broken"]["error"]
    demo = next(p for p in report["plugins"] if p["name"] == "demo")
    assert demo["distribution"] == "calimero-demo-hostfns" and demo["version"] == "1.2.3"
    assert {"kind": "host function", "name": "demo_triple"} in demo["registers"]
    assert "demo" in report["host_function_groups"]
    assert {e["name"] for e in report["engines"]} >= {"wasmtime", "wasmer"}


def test_strict_mode_makes_a_broken_plugin_fatal(plugin_env: dict[str, str]) -> None:
    done = _cli(plugin_env, "plugins", "--strict-plugins")
    assert done.returncode == 2
    assert "FAILED to load plugin broken" in done.stdout
    script = "from calimero_runtime import Runtime; Runtime(strict_plugins=True)"
    crashed = subprocess.run([sys.executable, "-c", script], env=plugin_env, capture_output=True, text=True)
    assert crashed.returncode != 0 and "PluginError" in crashed.stderr and "broken" in crashed.stderr


def test_unknown_names_list_the_choices() -> None:
    with pytest.raises(UnknownPluginError, match=r"unknown engine 'nope'; available: .*wasmtime"):
        Runtime(engine="nope")
    with pytest.raises(UnknownPluginError, match=r"unknown storage 'tape'; available: memory, rocksdb"):
        Runtime(storage="tape")
    with pytest.raises(UnknownPluginError, match="unknown host-function group 'crdt'"):
        Runtime(hostfns=["crdt"])


class _ClashingStorage:
    @staticmethod
    @hookimpl
    def calimero_register_storage(register: Callable[[StorageRecord], None]) -> None:
        register(StorageRecord("memory", open_memory))


def test_two_plugins_claiming_one_name_are_both_named() -> None:
    with pytest.raises(DuplicatePluginError) as info:
        Runtime(plugins=[_ClashingStorage()])
    message = str(info.value)
    assert "storage 'memory'" in message and "memory" in info.value.providers
    assert "_ClashingStorage" in message


def test_duplicate_host_function_is_an_error() -> None:
    group = HostFunctionGroup("dupe")

    @group.function("storage_read", U64(), result=I64)
    def storage_read(logic: object, value: int) -> int:
        return value

    class Plugin:
        calimero_register_host_functions = staticmethod(group.hookimpl())

    with pytest.raises(DuplicatePluginError, match=r"host function 'storage_read'.*hostfns-storage"):
        Runtime(plugins=[Plugin()])


def test_plugin_object_passed_directly_and_host_function_groups_selectable(ctx: VMContext) -> None:
    group = HostFunctionGroup("extra")

    @group.function("extra_add_one", U64(), result=I64)
    def add_one(logic: object, value: int) -> int:
        return value + 1

    class Plugin:
        calimero_register_host_functions = staticmethod(group.hookimpl())

    module_src = """(module (import "env" "extra_add_one" (func $f (param i64) (result i64)))
      (memory (export "memory") 1) (func (export "go") (drop (call $f (i64.const 1)))))"""
    rt = Runtime(plugins=[Plugin()])
    assert rt.compile(wat(module_src)).run("go", context=ctx, storage=InMemoryStorage()).ok
    narrow = Runtime(plugins=[Plugin()], hostfns=["system", "registers"])
    out = narrow.compile(wat(module_src)).run("go", context=ctx, storage=InMemoryStorage())
    assert out.error is not None and out.error.type == "LinkError"


def test_each_runtime_has_its_own_plugin_manager() -> None:
    a, b = Runtime(), Runtime()
    assert a.plugin_manager is not b.plugin_manager
    assert a.plugin_manager.pm is not b.plugin_manager.pm


def test_engine_records_carry_availability() -> None:
    rt = Runtime()
    wasmer = rt.registry.engines["wasmer"]
    assert isinstance(wasmer, EngineRecord)
    if sys.version_info >= (3, 11):
        assert not wasmer.available and "3.10" in wasmer.unavailable_reason
        with pytest.raises(PluginError, match=r"3\.10"):
            Runtime(engine="wasmer")


def _wasmtime_without(*capabilities: Capability) -> object:
    """A real engine (the wasmtime backend) registered under another name with fewer capabilities."""
    from calimero_runtime.backends.wasmtime import WasmtimeBackend

    class Plugin:
        @staticmethod
        @hookimpl
        def calimero_register_engines(register: Callable[[EngineRecord], None]) -> None:
            caps = frozenset(Capability) - set(capabilities)
            register(EngineRecord("limited", WasmtimeBackend, capabilities=caps))

    return Plugin()


def test_asking_for_a_limit_the_engine_cannot_enforce_fails_at_assembly() -> None:
    plugin = _wasmtime_without(Capability.FUEL)
    with pytest.raises(CapabilityError, match=r"cannot enforce max_gas=1000 .*'fuel'"):
        Runtime(engine="limited", plugins=[plugin], limits=VMLimits(max_gas=1000))
    rt = Runtime(engine="limited", plugins=[plugin])  # defaults: assembled, gap made visible
    assert rt.unenforced_limits == ["max_gas"]
    assert Runtime(engine="wasmtime").unenforced_limits == []
