"""The benchmark suite: ``python -m benchmarks [--engine NAME] [--rounds N] [--quick] [--json PATH]``.

Prints a table and writes JSON (default ``benchmarks/results/<engine>-py<X.Y>.json``). Every figure is
the median over rounds, with its spread (min-max); ratios compare numbers taken in the same run.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import resource
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from calimero_runtime import InMemoryStorage, Runtime, VMContext
from calimero_runtime.engine import HostImport

from .guests import CALLS, large_module, loop_module

ROOT = Path(__file__).resolve().parent.parent
APP = (ROOT / "examples" / "kvstore" / "kvstore.wasm").read_bytes()
# App-shaped: built by LLVM at -Oz from C (benchmarks/app), the size of the reference app.
REGISTRY = (ROOT / "benchmarks" / "app" / "registry.wasm").read_bytes()
CTX = VMContext(context_id=bytes(32), executor_public_key=b"\x01" * 32)
KEY, VALUE, INPUT = b"k" * 32, b"v" * 64, b"i" * 64
_DESC = struct.Struct("<QQ")
M64 = 2**64 - 1


def stats(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "rounds": len(samples)}


def timed(fn: Callable[[], float]) -> float:
    """One sample with the garbage collector paused (as ``timeit`` does), so GC pauses do not land
    at random in one side of a comparison."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        return fn()
    finally:
        if enabled:
            gc.enable()


def rounds(fn: Callable[[], float], n: int) -> dict[str, float]:
    timed(fn)  # warm-up
    return stats([timed(fn) for _ in range(n)])


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = cpu or "unknown CPU"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "system": platform.platform()}


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


# -- per-host-call cost, next to a bare baseline on the same engine ---------------------------------


def _baseline_imports(name: str, memory: list[Any], data: dict[bytes, bytes], regs: dict[int, bytes],
                      logs: list[str]) -> list[HostImport]:
    """Hand-written minimal host functions doing the same memory work, on the engine's raw memory access
    with no decoding layer, no limit checks, no overlay: the floor this engine allows a Python host."""

    def desc(ptr: int) -> tuple[int, int]:
        p, n = _DESC.unpack(memory[0]._read(ptr & M64, 16))
        return p, n

    def storage_read(logic: Any, key: int, reg: int) -> int:
        p, n = desc(key)
        value = data.get(memory[0]._read(p, n))
        if value is None:
            return 0
        regs[reg] = value
        return 1

    def storage_write(logic: Any, key: int, value: int, reg: int) -> int:
        kp, kn = desc(key)
        vp, vn = desc(value)
        k, v = memory[0]._read(kp, kn), memory[0]._read(vp, vn)
        previous = data.get(k)
        data[k] = v
        if previous is None:
            return 0
        regs[reg] = previous
        return 1

    def read_register(logic: Any, reg: int, dst: int) -> int:
        p, n = desc(dst)
        value = regs[reg]
        if n != len(value):
            return 0
        memory[0]._write(p, value)
        return 1

    def log_utf8(logic: Any, buf: int) -> None:
        p, n = desc(buf)
        logs.append(memory[0]._read(p, n).decode("utf-8"))

    def input_(logic: Any, reg: int) -> None:
        regs[reg] = INPUT

    table: dict[str, tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]] = {
        "storage_read": (storage_read, ("i64", "i64"), ("i32",)),
        "storage_write": (storage_write, ("i64", "i64", "i64"), ("i32",)),
        "read_register": (read_register, ("i64", "i64"), ("i32",)),
        "log_utf8": (log_utf8, ("i64",), ()),
        "input": (input_, ("i64",), ()),
    }
    return [HostImport("env", n, p, r, functools.partial(f, None), f, None) for n, (f, p, r) in table.items()]


def host_call(engine: str, name: str, iterations: int, n_rounds: int,
              options: dict[str, Any] | None = None) -> dict[str, Any]:
    rt = Runtime(engine=engine, limits=_roomy_limits(), engine_options=options)
    full, zero = rt.compile(loop_module(name, iterations)), rt.compile(loop_module(name, 0))
    store = InMemoryStorage({KEY: VALUE})

    def ours() -> float:
        t0 = time.perf_counter()
        a = zero.run("loop", input=INPUT, context=CTX, storage=store)
        t1 = time.perf_counter()
        b = full.run("loop", input=INPUT, context=CTX, storage=store)
        t2 = time.perf_counter()
        assert a.ok and b.ok, (a.error, b.error)
        return ((t2 - t1) - (t1 - t0)) / iterations

    wanted = {"storage_read_miss": "storage_read"}.get(name, name)

    def bare() -> float:
        spans = []
        for module in (zero, full):
            memory: list[Any] = []
            imports_by_name = {h.name: h for h in _baseline_imports(name, memory, {KEY: VALUE}, {}, [])}
            imports = [imports_by_name[i.name] for i in module.compiled.imports]
            assert wanted in imports_by_name
            t0 = time.perf_counter()
            instance = module.compiled.instantiate(imports)
            memory.append(instance.memory)
            instance.call("loop")
            spans.append(time.perf_counter() - t0)
        return (spans[1] - spans[0]) / iterations

    timed(ours), timed(bare)  # warm-up
    pairs = [(timed(ours), timed(bare)) for _ in range(n_rounds)]  # interleaved: drift hits both alike
    mine, base = stats([p[0] for p in pairs]), stats([p[1] for p in pairs])
    ratios = stats([a / b for a, b in pairs])
    return {"runtime_us": mine["median"] * 1e6, "runtime_spread_us": [mine["min"] * 1e6, mine["max"] * 1e6],
            "baseline_us": base["median"] * 1e6, "baseline_spread_us": [base["min"] * 1e6, base["max"] * 1e6],
            "ratio": ratios["median"], "ratio_spread": [ratios["min"], ratios["max"]]}


def _roomy_limits() -> Any:
    from calimero_runtime import VMLimits

    return VMLimits(max_logs=10_000_000, max_storage_writes=10_000_000, max_log_size=16 << 10)


# -- the example app --------------------------------------------------------------------------------


def app_calls(engine: str, storage: str, batch: int, n_rounds: int, tmp: Path) -> dict[str, Any]:
    rt = Runtime(engine=engine, storage=storage)
    module = rt.compile(APP)
    backend = rt.open_storage(tmp / f"app-{engine}-{storage}" if storage == "rocksdb" else None)
    shared = backend.shared(CTX.context_id)
    counter = iter(range(10**9))
    out: dict[str, Any] = {}
    for method in ("set", "get", "noop"):
        def run_batch(method: str = method) -> float:
            start = time.perf_counter()
            for _ in range(batch):
                i = next(counter) % 500
                data = json.dumps({"key": f"key{i}", "value": f"value{i}"}).encode() if method == "set" else (
                    json.dumps({"key": f"key{i}"}).encode() if method == "get" else b"")
                res = module.run(method, input=data, context=CTX, storage=shared)
                assert res.ok, res.error
            return (time.perf_counter() - start) / batch
        s = rounds(run_batch, n_rounds)
        out[method] = {"us_per_call": s["median"] * 1e6, "spread_us": [s["min"] * 1e6, s["max"] * 1e6],
                       "calls_per_second": 1 / s["median"]}
    backend.close()
    return out


def get_vs_floor(engine: str, n_rounds: int) -> dict[str, Any]:
    """The example app's ``get`` next to the floor of a call on the same engine — instantiate the app
    with its imports and call an empty export — timed in alternation, the ratio taken per round."""
    rt = Runtime(engine=engine)
    module = rt.compile(APP)
    store = InMemoryStorage()
    assert module.run("set", input=b'{"key":"k","value":"v"}', context=CTX, storage=store).ok
    from calimero_runtime.logic import VMLogic

    def floor(call: bool = True) -> float:
        logic = VMLogic(context=CTX, input=b"", limits=rt.limits, storage=InMemoryStorage(),
                        private_storage=None, clock=rt.clock, entropy=rt.entropy)
        imports = module.link.host_imports(logic)  # type: ignore[union-attr]
        t0 = time.perf_counter()
        for _ in range(100):
            instance = module.compiled.instantiate(imports)
            if call:
                instance.call("noop")
        return (time.perf_counter() - t0) / 100

    def get() -> float:
        t0 = time.perf_counter()
        for _ in range(100):
            module.run("get", input=b'{"key":"k"}', context=CTX, storage=store)
        return (time.perf_counter() - t0) / 100

    timed(floor), timed(get)
    pairs = [(timed(get), timed(floor)) for _ in range(n_rounds)]
    g, f, r = stats([p[0] for p in pairs]), stats([p[1] for p in pairs]), stats([a / b for a, b in pairs])
    i = rounds(functools.partial(floor, False), n_rounds)
    return {"get_us": g["median"] * 1e6, "floor_us": f["median"] * 1e6, "instantiate_us": i["median"] * 1e6,
            "instantiate_spread_us": [i["min"] * 1e6, i["max"] * 1e6],
            "floor_spread_us": [f["min"] * 1e6, f["max"] * 1e6], "ratio": r["median"],
            "ratio_spread": [r["min"], r["max"]]}


# -- compile and cache ------------------------------------------------------------------------------


def compile_and_cache(engine: str, wasm: bytes, n_rounds: int, tmp: Path) -> dict[str, Any]:
    def cold() -> float:
        rt = Runtime(engine=engine)
        t0 = time.perf_counter()
        rt.compile(wasm)
        return time.perf_counter() - t0

    cache_dir = tmp / f"cache-{engine}"
    Runtime(engine=engine, cache_dir=cache_dir).compile(wasm)

    def hit() -> float:
        rt = Runtime(engine=engine, cache_dir=cache_dir)
        t0 = time.perf_counter()
        rt.compile(wasm)
        elapsed = time.perf_counter() - t0
        assert rt.module_cache is not None and rt.module_cache.hits == 1
        return elapsed

    timed(cold), timed(hit)
    pairs = [(timed(cold), timed(hit)) for _ in range(max(n_rounds, 7))]
    c, h, r = stats([p[0] for p in pairs]), stats([p[1] for p in pairs]), stats([a / b for a, b in pairs])
    return {"module_bytes": len(wasm), "cold_ms": c["median"] * 1e3, "cold_spread_ms": [c["min"] * 1e3, c["max"] * 1e3],
            "cache_hit_ms": h["median"] * 1e3, "cache_hit_spread_ms": [h["min"] * 1e3, h["max"] * 1e3],
            "speedup": r["median"], "speedup_spread": [r["min"], r["max"]]}


def memory(engine: str, live: int) -> dict[str, Any]:
    rt = Runtime(engine=engine)
    module = rt.compile(APP)
    from calimero_runtime.logic import VMLogic

    logic = VMLogic(context=CTX, input=b"", limits=rt.limits, storage=InMemoryStorage(), private_storage=None,
                    clock=rt.clock, entropy=rt.entropy)
    imports = module.link.host_imports(logic)  # type: ignore[union-attr]
    gc.collect()
    before = rss_kib()
    held = [module.compiled.instantiate(imports) for _ in range(live)]
    after = rss_kib()
    del held
    return {"rss_per_live_instance_kib": (after - before) / live, "live_instances": live,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--engine", action="append", help="engine(s) to measure (default: all available)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    parser.add_argument("--json", metavar="PATH", help="where to write the JSON results")
    args = parser.parse_args(argv)
    engines = args.engine or sorted(n for n, r in Runtime().registry.engines.items() if r.available)
    iterations, batch = (2000, 50) if args.quick else (20000, 300)
    results: dict[str, Any] = {"machine": machine(), "engines": {}}
    m = results["machine"]
    print(f"machine: {m['cpu']} · {m['cores']} cores · {m['implementation']} {m['python']} · {m['system']}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        large = large_module()
        for engine in engines:
            rt = Runtime(engine=engine)
            print(f"\n== {engine} {rt.engine.version} (rounds: {args.rounds}; median, spread min-max) ==")
            r: dict[str, Any] = {"version": rt.engine.version}
            r["host_calls"] = {}
            stock = engine == "wasmtime"  # also time wasmtime-py's own Func path: what a plain host gets
            print(f"{'host function':<20}{'runtime µs':>12}{'bare µs':>10}{'ratio':>8}   ratio spread"
                  + ("   stock-path µs" if stock else ""))
            for name in CALLS:
                h = host_call(engine, name, iterations, args.rounds)
                if stock:
                    h["stock_path_us"] = host_call(engine, name, iterations, 3, {"host_calls": "stock"})["runtime_us"]
                r["host_calls"][name] = h
                lo, hi = h["ratio_spread"]
                print(f"{name:<20}{h['runtime_us']:>12.2f}{h['baseline_us']:>10.2f}{h['ratio']:>8.2f}"
                      f"   {lo:.2f}-{hi:.2f}" + (f"   {h['stock_path_us']:>10.2f}" if stock else ""))
            r["app"] = {}
            for storage in ("memory", "rocksdb"):
                a = app_calls(engine, storage, batch, args.rounds, tmp)
                r["app"][storage] = a
                print(f"example app on {storage:<8}" + "".join(
                    f"  {k}: {v['calls_per_second']:,.0f}/s ({v['us_per_call']:.0f} µs)" for k, v in a.items()))
            floor = get_vs_floor(engine, args.rounds)
            r["get_vs_instantiate_and_empty_call"] = floor
            lo, hi = floor["ratio_spread"]
            print(f"instantiate app: {floor['instantiate_us']:.0f} µs; "
                  f"instantiate app + empty call: {floor['floor_us']:.0f} µs; get: {floor['get_us']:.0f} µs; "
                  f"get / that = {floor['ratio']:.2f} (spread {lo:.2f}-{hi:.2f})")
            for label, wasm in (("example app", APP), ("app-shaped module", REGISTRY), ("synthetic module", large)):
                c = compile_and_cache(engine, wasm, max(3, args.rounds // 2), tmp)
                r.setdefault("compile", {})[label] = c
                print(f"compile {label} ({c['module_bytes'] // 1024} KiB): cold {c['cold_ms']:.1f} ms, "
                      f"cache hit {c['cache_hit_ms']:.2f} ms, speedup {c['speedup']:.0f}x "
                      f"(spread {c['speedup_spread'][0]:.0f}-{c['speedup_spread'][1]:.0f})")
            r["memory"] = memory(engine, 200)
            print(f"RSS per live instance: {r['memory']['rss_per_live_instance_kib']:.0f} KiB; "
                  f"peak RSS {r['memory']['peak_rss_mib']:.0f} MiB")
            results["engines"][engine] = r
    target = Path(args.json) if args.json else ROOT / "benchmarks" / "results" / (
        f"{'-'.join(engines)}-py{sys.version_info.major}.{sys.version_info.minor}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2))
    print(f"\nwritten: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
