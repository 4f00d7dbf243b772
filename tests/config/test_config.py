"""Configuration from mappings, TOML files and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from calimero_runtime import ConfigError, DeterministicClock, Runtime, SeededEntropy, VMLimits
from calimero_runtime.config import load_config, read_env, resolve


def test_from_config_mapping_builds_the_runtime() -> None:
    rt = Runtime.from_config({"engine": "wasmtime", "storage": "memory", "limits": {"max_logs": 7},
                              "clock": "deterministic", "clock_start": 5, "entropy": "seeded", "seed": 3,
                              "count_host_calls": "true"})
    assert rt.limits.max_logs == 7 and rt.limits.max_gas == VMLimits().max_gas
    assert isinstance(rt.clock, DeterministicClock) and rt.clock.now_ns() == 5
    assert isinstance(rt.entropy, SeededEntropy) and rt.entropy.fill(4) == SeededEntropy(3).fill(4)
    assert rt.count_host_calls is True


def test_toml_file_in_pyproject_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.calimero-runtime]\nstorage = "rocksdb"\nstate = "db"\n[tool.calimero-runtime.limits]\nmax_events = 3\n')
    rt = Runtime.from_config(path)
    assert rt.storage_record.name == "rocksdb" and rt.storage_location == "db" and rt.limits.max_events == 3


def test_precedence_overrides_over_env_over_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('engine = "wasmtime"\n[limits]\nmax_logs = 1\nmax_events = 1\n')
    env = {"CALIMERO_RUNTIME_LIMITS_MAX_LOGS": "2", "CALIMERO_RUNTIME_LIMITS_MAX_EVENTS": "2"}
    merged = resolve(path, {"limits": {"max_events": 3}}, environ=env)
    assert merged["limits"] == {"max_logs": "2", "max_events": 3}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"engin": "wasmtime"}, "unknown configuration key 'engin'"),
        ({"limits": {"max_logz": 1}}, "unknown limit"),
        ({"limits": {"max_logs": "many"}}, "invalid limits"),
        ({"limits": {"max_gas": 0}}, "max_gas must be non-zero"),
        ({"clock": "sundial"}, "clock must be"),
        ({"count_host_calls": "maybe"}, "true or false"),
    ],
)
def test_bad_configuration_is_a_clear_error(source: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(source)


def test_unknown_environment_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="CALIMERO_RUNTIME_ENGIN"):
        read_env({"CALIMERO_RUNTIME_ENGIN": "x"})


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Runtime.from_config(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("engine = ")
    with pytest.raises(ConfigError, match="invalid TOML"):
        Runtime.from_config(tmp_path / "bad.toml")


def test_limits_validation() -> None:
    with pytest.raises(ConfigError, match="max_registers_capacity"):
        VMLimits(max_register_size=10, max_registers_capacity=5)
    with pytest.raises(ConfigError, match="integer"):
        VMLimits(max_logs=-1)
