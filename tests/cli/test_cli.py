"""The CLI as a user types it: a real process, a real RocksDB directory, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calimero_runtime.cli import b58, parse_id
from tests.conftest import EXAMPLE_WASM, wat

APP = str(EXAMPLE_WASM)


def cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CALIMERO_RUNTIME_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "calimero_runtime.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_state_persists_between_invocations(tmp_path: Path) -> None:
    first = cli(tmp_path, "run", APP, "set", "--input", '{"key":"greeting","value":"hello"}')
    assert first.returncode == 0, first.stderr
    assert "event: Inserted greeting" in first.stdout and "kv:greeting = hello" in first.stdout
    assert (tmp_path / ".calimero-state").is_dir()
    second = cli(tmp_path, "run", APP, "get", "--input", '{"key":"greeting"}')
    assert second.returncode == 0 and 'ok: get returned "hello"' in second.stdout


def test_exit_codes_distinguish_guest_error_usage_error_and_bad_module(tmp_path: Path) -> None:
    assert cli(tmp_path, "run", APP, "init").returncode == 0
    again = cli(tmp_path, "run", APP, "init")
    assert again.returncode == 1
    assert "HostError::Panic: guest panicked: already initialized at kvstore.c:" in again.stdout
    assert cli(tmp_path, "run", APP, "get", "--engine", "nope").returncode == 2
    assert cli(tmp_path, "run", APP).returncode == 2  # argparse: missing METHOD
    assert cli(tmp_path, "run", APP, "get", "--context", "not-an-id").returncode == 2
    (tmp_path / "junk.wasm").write_bytes(b"\0asm junk")
    bad = cli(tmp_path, "run", str(tmp_path / "junk.wasm"), "get")
    assert bad.returncode == 3 and "CompilationError" in bad.stderr
    missing = cli(tmp_path, "run", str(tmp_path / "absent.wasm"), "get")
    assert missing.returncode == 3 and "cannot read module" in missing.stderr


def test_json_output_input_file_memory_and_context(tmp_path: Path) -> None:
    (tmp_path / "args.json").write_text('{"key":"k","value":"v"}')
    ctx = "ab" * 32
    out = cli(tmp_path, "run", APP, "set", "--input", "@args.json", "--memory", "--context", ctx, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["ok"] and data["events"][0]["kind"] == "Inserted"
    assert bytes.fromhex(next(iter(data["storage_delta"]))) in (b"kv:k", b"__kv_len")
    assert not (tmp_path / ".calimero-state").exists()  # --memory leaves nothing behind
    failed = cli(tmp_path, "run", APP, "get_or_err", "--input", '{"key":"zz"}', "--memory", "--json")
    assert failed.returncode == 1 and json.loads(failed.stdout)["error"]["type"] == "ExecutionError"


def test_contexts_are_isolated_in_one_state_dir(tmp_path: Path) -> None:
    one, two = "11" * 32, "22" * 32
    cli(tmp_path, "run", APP, "set", "--input", '{"key":"a","value":"1"}', "--context", one)
    seen = cli(tmp_path, "run", APP, "get", "--input", '{"key":"a"}', "--context", two)
    assert "returned null" in seen.stdout
    seen = cli(tmp_path, "run", APP, "get", "--input", '{"key":"a"}', "--context", b58(bytes.fromhex(one)))
    assert 'returned "1"' in seen.stdout


def test_inspect_reports_imports_abi_and_missing(tmp_path: Path) -> None:
    out = cli(tmp_path, "inspect", APP, "--json")
    report = json.loads(out.stdout)
    assert report["abi_generation"] == "current" and report["all_imports_provided"]
    assert "set" in report["methods"] and "memory" not in report["methods"]
    flat = tmp_path / "flat.wasm"
    flat.write_bytes(wat("""(module
      (import "env" "value_return" (func (param i64 i64 i64)))
      (import "env" "js_crdt_map_new" (func (param i64) (result i32)))
      (memory (export "memory") 1) (func (export "m")))"""))
    report = json.loads(cli(tmp_path, "inspect", str(flat), "--json").stdout)
    assert report["abi_generation"] == "flat" and not report["all_imports_provided"]
    missing = [i for i in report["imports"] if not i["provided"]]
    assert missing[0]["name"] == "js_crdt_map_new" and "has not been defined" in missing[0]["problem"]
    human = cli(tmp_path, "inspect", str(flat))
    assert "MISSING env::js_crdt_map_new" in human.stdout


def test_config_file_env_and_flags_precedence(tmp_path: Path) -> None:
    (tmp_path / "calimero-runtime.toml").write_text('storage = "memory"\n[limits]\nmax_logs = 0\n')
    # file: no logs allowed -> set (which logs) fails with LogsOverflow
    out = cli(tmp_path, "run", APP, "set", "--input", '{"key":"a","value":"1"}')
    assert out.returncode == 1 and "LogsOverflow" in out.stdout
    # environment beats the file
    out = cli(tmp_path, "run", APP, "set", "--input", '{"key":"a","value":"1"}',
              env={"CALIMERO_RUNTIME_LIMITS_MAX_LOGS": "5"})
    assert out.returncode == 0, out.stdout
    # a flag beats the environment
    out = cli(tmp_path, "run", APP, "get", "--engine", "nope", env={"CALIMERO_RUNTIME_ENGINE": "wasmtime"})
    assert out.returncode == 2 and "unknown engine 'nope'" in out.stderr
    bad = cli(tmp_path, "run", APP, "get", env={"CALIMERO_RUNTIME_LIMITS_MAX_LOGZ": "5"})
    assert bad.returncode == 2 and "unknown limit" in bad.stderr


def test_locked_state_dir_is_a_clear_error(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from calimero_runtime import Runtime;"
         "db = Runtime(storage='rocksdb').open_storage(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
         str(tmp_path / ".calimero-state")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        out = cli(tmp_path, "run", APP, "get", "--input", '{"key":"a"}')
        assert out.returncode == 2 and "StorageLockedError" in out.stderr and "in use" in out.stderr
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("text", ["00" * 32, b58(bytes(range(32))), b58(b"\0" * 32)])
def test_ids_parse_as_hex_or_base58(text: str) -> None:
    assert len(parse_id(text, "id")) == 32
