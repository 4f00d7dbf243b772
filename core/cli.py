"""``calimero-runtime``: run, inspect and list plugins.

Exit codes: 0 success; 1 the call failed (guest error: trap, panic, Err return...); 2 usage or
configuration error; 3 the module was rejected (unreadable, invalid, too large).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from . import __version__
from .cache import ModuleCache, default_cache_dir
from .config import resolve, to_runtime_kwargs
from .context import VMContext
from .errors import CalimeroError, CompileError, ConfigError
from .outcome import Outcome
from .plugins.manager import PluginManager
from .runtime import Runtime

EXIT_OK, EXIT_GUEST_ERROR, EXIT_USAGE, EXIT_MODULE = 0, 1, 2, 3
DEFAULT_STATE = ".calimero-state"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class UsageError(Exception):
    pass


def parse_id(text: str, what: str) -> bytes:
    """A 32-byte id as 64 hex digits or base58 (as Calimero prints context ids and keys)."""
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        number = 0
        for char in text:
            number = number * 58 + _B58.index(char)
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        raw = b"\0" * (len(text) - len(text.lstrip("1"))) + raw
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise UsageError(f"{what} must be 32 bytes as 64 hex digits or base58, got {text!r}")
    return raw


def b58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _show_bytes(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
        if text.isprintable():
            return text
    except UnicodeDecodeError:
        pass
    return "0x" + data.hex()


def format_outcome(outcome: Outcome, method: str) -> str:
    lines = []
    if outcome.ok:
        shown = "(nothing)" if outcome.returns is None else _show_bytes(outcome.returns)
        lines.append(f"ok: {method} returned {shown}")
    else:
        err = outcome.error
        assert err is not None
        label = err.type if err.kind == err.type else f"{err.type}::{err.kind}"
        lines.append(f"error: {method} failed: {label}: {err.message}")
    for log in outcome.logs:
        lines.append(f"log: {log}")
    for event in outcome.events:
        handler = f" -> {event.handler}" if event.handler else ""
        lines.append(f"event: {event.kind} {_show_bytes(event.data)}{handler}")
    for xcall in outcome.xcalls:
        lines.append(f"xcall: {b58(xcall.context_id)}.{xcall.function}({_show_bytes(xcall.params)})")
    if outcome.root_hash is not None:
        lines.append(f"root hash: {b58(outcome.root_hash)} (artifact {len(outcome.artifact)} bytes)")
    if outcome.storage_delta:
        lines.append(f"storage: {len(outcome.storage_delta)} key(s) changed")
        for key, value in sorted(outcome.storage_delta.items()):
            lines.append(f"  {_show_bytes(key)} = {'(removed)' if value is None else _show_bytes(value)}")
    if outcome.private_storage_delta:
        lines.append(f"private storage: {len(outcome.private_storage_delta)} key(s) changed")
    for pid in outcome.proposals:
        lines.append(f"proposal: {b58(pid)}")
    if outcome.host_calls:
        lines.append("host calls: " + ", ".join(f"{k}={v}" for k, v in sorted(outcome.host_calls.items())))
    return "\n".join(lines)


def _read_input(value: str | None) -> bytes:
    if value is None:
        return b""
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read input file {path}: {exc.strerror}") from None
    return value.encode("utf-8")


def _read_module(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CompileError(f"cannot read module {path}: {exc.strerror}") from None


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if getattr(args, "engine", None):
        out["engine"] = args.engine
    if getattr(args, "memory", False):
        out["storage"] = "memory"
    elif getattr(args, "state", None):
        out["storage"], out["state"] = "rocksdb", args.state
    if getattr(args, "count_host_calls", False):
        out["count_host_calls"] = True
    if getattr(args, "strict_plugins", False):
        out["strict_plugins"] = True
    return out


def _with_cache(config: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The CLI caches compiled modules by default (``--no-cache`` to skip)."""
    if getattr(args, "no_cache", False):
        return {k: v for k, v in config.items() if k != "cache_dir"}
    return {"cache_dir": str(default_cache_dir()), **config}


def _runtime(args: argparse.Namespace) -> Runtime:
    return Runtime(**to_runtime_kwargs(_with_cache(resolve(args.config, _overrides(args)), args)))


def cmd_run(args: argparse.Namespace) -> int:
    # The CLI keeps state between invocations: RocksDB in ./.calimero-state unless configured otherwise.
    merged = _with_cache(resolve(args.config, _overrides(args)), args)
    merged.setdefault("storage", "rocksdb")
    if merged["storage"] == "rocksdb":
        merged.setdefault("state", DEFAULT_STATE)
    rt = Runtime(**to_runtime_kwargs(merged))
    module = rt.compile(_read_module(args.module))
    context_id = parse_id(args.context, "--context") if args.context else bytes(32)
    executor = parse_id(args.executor, "--executor") if args.executor else hashlib.sha256(b"executor").digest()
    context = VMContext(context_id=context_id, executor_public_key=executor)
    backend = rt.open_storage()
    try:
        outcome = module.run(
            args.method, input=_read_input(args.input), context=context,
            storage=backend.shared(context_id), private_storage=backend.private(context_id),
        )
    finally:
        backend.close()
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2))
    else:
        print(format_outcome(outcome, args.method))
    return EXIT_OK if outcome.ok else EXIT_GUEST_ERROR


def cmd_inspect(args: argparse.Namespace) -> int:
    rt = _runtime(args)
    module = rt.compile(_read_module(args.module))
    imports = []
    for spec in module.imports:
        found = rt.host_table.lookup(spec)
        provided = not isinstance(found, str)
        imports.append({
            "module": spec.module, "name": spec.name, "kind": spec.kind,
            "signature": f"({', '.join(spec.params)}) -> ({', '.join(spec.results)})",
            "provided": provided,
            "abi": found.generation if not isinstance(found, str) else None,
            "group": found.function.group if not isinstance(found, str) else None,
            "problem": found if isinstance(found, str) else None,
        })
    report = {
        "module": args.module, "sha256": module.sha256, "abi_generation": module.abi_generation,
        "all_imports_provided": all(i["provided"] for i in imports),
        "imports": imports,
        "exports": [{"name": e.name, "kind": e.kind,
                     "signature": f"({', '.join(e.params)}) -> ({', '.join(e.results)})"} for e in module.exports],
        "methods": module.methods,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    print(f"module: {args.module} (sha256 {module.sha256[:16]}…)")
    print(f"ABI generation: {report['abi_generation']}")
    print(f"imports ({len(imports)}), all provided: {'yes' if report['all_imports_provided'] else 'NO'}")
    for i in imports:
        mark = "ok " if i["provided"] else "MISSING"
        extra = f"[{i['group']}, {i['abi']}]" if i["provided"] else f"- {i['problem']}"
        print(f"  {mark} {i['module']}::{i['name']} {i['signature']} {extra}")
    print(f"methods: {', '.join(report['methods']) or '(none)'}")
    return EXIT_OK


def plugins_report() -> dict[str, Any]:
    pm = PluginManager(strict=False)
    registry = pm.collect()
    providers = registry.providers
    groups: dict[str, list[str]] = {}
    for fn in registry.host_functions:
        groups.setdefault(fn.group, []).append(fn.name)
    plugins = []
    for info in pm.infos:
        registers = [
            {"kind": kind, "name": name} for (kind, name), plugin in sorted(providers.items()) if plugin == info.name
        ]
        plugins.append({**attrs.asdict(info), "registers": registers})
    return {
        "plugins": plugins,
        "engines": [
            {"name": r.name, "available": r.available, "unavailable_reason": r.unavailable_reason or None,
             "version": r.version, "capabilities": sorted(c.value for c in r.capabilities),
             "plugin": providers.get(("engine", r.name))}
            for r in registry.engines.values()
        ],
        "storage": [
            {"name": r.name, "description": r.description, "needs_location": r.needs_location,
             "plugin": providers.get(("storage", r.name))}
            for r in registry.storages.values()
        ],
        "host_function_groups": {g: sorted(set(names)) for g, names in sorted(groups.items())},
        "failures": [{"name": f.name, "distribution": f.distribution, "error": f.error} for f in pm.failures],
    }


def cmd_plugins(args: argparse.Namespace) -> int:
    report = plugins_report()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("plugins:")
        for p in report["plugins"]:
            what = ", ".join(f"{r['kind']} {r['name']}" for r in p["registers"] if r["kind"] != "host function")
            fns = sum(1 for r in p["registers"] if r["kind"] == "host function")
            what = ", ".join(filter(None, [what, f"{fns} host functions" if fns else ""]))
            print(f"  {p['name']} ({p['distribution']} {p['version']}): {what or 'nothing'}")
        print("engines:")
        for e in report["engines"]:
            state = "available" if e["available"] else f"UNAVAILABLE: {e['unavailable_reason']}"
            caps = ", ".join(e["capabilities"]) or "none"
            print(f"  {e['name']} {e['version']} [{state}] capabilities: {caps}")
        print("storage: " + ", ".join(s["name"] for s in report["storage"]))
        for f in report["failures"]:
            print(f"FAILED to load plugin {f['name']} (from {f['distribution']}): {f['error']}")
    if args.strict_plugins and report["failures"]:
        return EXIT_USAGE
    return EXIT_OK


def cmd_cache(args: argparse.Namespace) -> int:
    config = resolve(args.config, {})
    cache = ModuleCache(config.get("cache_dir") or default_cache_dir())
    if args.action == "clear":
        removed = cache.clear()
        print(json.dumps({"removed": removed}) if args.json else f"removed {removed} cached module(s)")
        return EXIT_OK
    info = cache.info()
    if args.json:
        print(json.dumps(info))
    else:
        print(f"cache directory: {info['directory']}\nentries: {info['entries']}\nsize: {info['bytes']} bytes")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="calimero-runtime", description="Run Calimero WebAssembly apps.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="TOML config file (default: ./calimero-runtime.toml)")
    common.add_argument("--engine", metavar="NAME", help="engine plugin (default: wasmtime)")
    common.add_argument("--strict-plugins", action="store_true", help="fail if any plugin fails to load")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="run one method of a module")
    run.add_argument("module", metavar="MODULE", help="path to the .wasm file")
    run.add_argument("method", metavar="METHOD")
    run.add_argument("--input", metavar="JSON|@FILE", help="call input: literal text, or @path to read a file")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--state", metavar="DIR", help=f"RocksDB state directory (default: {DEFAULT_STATE})")
    where.add_argument("--memory", action="store_true", help="in-memory state, gone after the call")
    run.add_argument("--context", metavar="ID", help="context id: 64 hex digits or base58 (default: zeros)")
    run.add_argument("--executor", metavar="ID", help="executor public key: 64 hex digits or base58")
    run.add_argument("--count-host-calls", action="store_true", help="count host calls by name")
    run.add_argument("--no-cache", action="store_true", help="do not use the compiled-module cache")
    run.set_defaults(func=cmd_run)

    inspect = sub.add_parser("inspect", parents=[common], help="show a module's imports, exports and ABI")
    inspect.add_argument("module", metavar="MODULE")
    inspect.add_argument("--no-cache", action="store_true", help="do not use the compiled-module cache")
    inspect.set_defaults(func=cmd_inspect)

    plugins = sub.add_parser("plugins", parents=[common], help="list plugins and load failures")
    plugins.set_defaults(func=cmd_plugins)

    cache = sub.add_parser("cache", parents=[common], help="show or clear the compiled-module cache")
    cache.add_argument("action", choices=["info", "clear"])
    cache.set_defaults(func=cmd_cache)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except CompileError as exc:
        print(f"calimero-runtime: module rejected: {exc.type}: {exc}", file=sys.stderr)
        return EXIT_MODULE
    except (UsageError, ConfigError) as exc:
        print(f"calimero-runtime: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CalimeroError as exc:
        print(f"calimero-runtime: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
