"""Configuration: one set of keys from a TOML file, environment variables, CLI flags or Python.

Precedence, highest first: explicit arguments (CLI flags, keyword overrides) > environment variables
> the config file / mapping > defaults.

===================  ==============================  ======================================
key                  environment variable            meaning
===================  ==============================  ======================================
engine               CALIMERO_RUNTIME_ENGINE         engine plugin name (``wasmtime``)
storage              CALIMERO_RUNTIME_STORAGE        storage plugin name (``memory``, ``rocksdb``)
state                CALIMERO_RUNTIME_STATE          storage location (RocksDB directory)
hostfns              CALIMERO_RUNTIME_HOSTFNS        comma-separated host-function groups
count_host_calls     CALIMERO_RUNTIME_COUNT_HOST_CALLS  ``true``/``false``
strict_plugins       CALIMERO_RUNTIME_STRICT_PLUGINS    fail if a plugin does not load
clock                CALIMERO_RUNTIME_CLOCK          ``system`` or ``deterministic``
clock_start/_step    CALIMERO_RUNTIME_CLOCK_START/_STEP  deterministic clock (ns)
entropy              CALIMERO_RUNTIME_ENTROPY        ``system`` or ``seeded``
seed                 CALIMERO_RUNTIME_SEED           seed of the seeded entropy
cache_dir            CALIMERO_RUNTIME_CACHE_DIR      compiled-module cache directory
[limits] <field>     CALIMERO_RUNTIME_LIMITS_<FIELD> any VMLimits field
===================  ==============================  ======================================

A TOML file holds these keys at top level, or under ``[calimero-runtime]`` (so they can live in
``pyproject.toml`` as ``[tool.calimero-runtime]``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .clock import DeterministicClock, SeededEntropy, SystemClock, SystemEntropy
from .errors import ConfigError
from .limits import VMLimits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10
    import tomli as tomllib

ENV_PREFIX = "CALIMERO_RUNTIME_"
DEFAULT_FILE = "calimero-runtime.toml"
KEYS = (
    "engine", "storage", "state", "hostfns", "count_host_calls", "strict_plugins",
    "clock", "clock_start", "clock_step", "entropy", "seed", "limits", "cache_dir",
)
_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML: {exc}") from None
    if "calimero-runtime" in data:
        data = data["calimero-runtime"]
    elif "tool" in data and "calimero-runtime" in data["tool"]:
        data = data["tool"]["calimero-runtime"]
    return dict(data)


def read_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        key = name[len(ENV_PREFIX):].lower()
        if key.startswith("limits_"):
            limits[key[len("limits_"):]] = value
        elif key in KEYS:
            out[key] = value
        else:
            raise ConfigError(f"unknown environment variable {name}; known keys: {', '.join(KEYS)}")
    if limits:
        out["limits"] = limits
    return out


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    try:
        return _BOOL[str(value).strip().lower()]
    except KeyError:
        raise ConfigError(f"{key} must be true or false, got {value!r}") from None


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win; ``limits`` tables merge field by field."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value is None:
                continue
            if key not in KEYS:
                raise ConfigError(f"unknown configuration key {key!r}; known keys: {', '.join(KEYS)}")
            if key == "limits":
                current = out.get("limits", {})
                if isinstance(value, VMLimits):
                    value = attrs.asdict(value)
                out["limits"] = {**current, **dict(value)}
            else:
                out[key] = value
    return out


def to_runtime_kwargs(config: Mapping[str, Any]) -> dict[str, Any]:
    """Turn merged configuration into ``Runtime(...)`` keyword arguments."""
    kw: dict[str, Any] = {}
    for key in ("engine", "storage"):
        if key in config:
            kw[key] = str(config[key])
    if "state" in config:
        kw["storage_location"] = str(config["state"])
    if config.get("cache_dir"):
        kw["cache_dir"] = str(config["cache_dir"])
    if "hostfns" in config:
        groups = config["hostfns"]
        kw["hostfns"] = [g.strip() for g in groups.split(",") if g.strip()] if isinstance(groups, str) else list(groups)
    for key in ("count_host_calls", "strict_plugins"):
        if key in config:
            kw[key] = _bool(key, config[key])
    if "limits" in config:
        kw["limits"] = VMLimits.from_mapping(dict(config["limits"]))
    try:
        clock = str(config.get("clock", "system"))
        if clock == "deterministic":
            kw["clock"] = DeterministicClock(
                int(config.get("clock_start", 1_700_000_000_000_000_000)), int(config.get("clock_step", 1_000_000))
            )
        elif clock == "system":
            kw["clock"] = SystemClock()
        else:
            raise ConfigError(f"clock must be 'system' or 'deterministic', got {clock!r}")
        entropy = str(config.get("entropy", "system"))
        if entropy == "seeded":
            seed = config.get("seed", 0)
            kw["entropy"] = SeededEntropy(int(seed) if str(seed).lstrip("-").isdigit() else str(seed))
        elif entropy == "system":
            kw["entropy"] = SystemEntropy()
        else:
            raise ConfigError(f"entropy must be 'system' or 'seeded', got {entropy!r}")
    except ValueError as exc:
        raise ConfigError(f"invalid clock/entropy settings: {exc}") from None
    return kw


def resolve(
    source: Mapping[str, Any] | str | os.PathLike[str] | None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Merged configuration (not yet Runtime kwargs). With no source, ``$CALIMERO_RUNTIME_CONFIG`` or
    ``./calimero-runtime.toml`` is read if present."""
    env = os.environ if environ is None else environ
    if source is None:
        path = env.get(ENV_PREFIX + "CONFIG")
        if path is None and Path(DEFAULT_FILE).is_file():
            path = DEFAULT_FILE
        base = read_file(path) if path else {}
    elif isinstance(source, Mapping):
        base = dict(source)
    else:
        base = read_file(source)
    return merge(base, read_env(env), dict(overrides or {}))


def load_config(
    source: Mapping[str, Any] | str | os.PathLike[str] | None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``Runtime(**load_config(...))``. Keyword overrides may also be Runtime arguments (``plugins``)."""
    overrides = dict(overrides or {})
    passthrough = {k: overrides.pop(k) for k in list(overrides) if k not in KEYS}
    return {**to_runtime_kwargs(resolve(source, overrides)), **passthrough}
