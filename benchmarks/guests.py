"""WAT guests for the benchmarks: tight loops around one host call, and a large module to compile."""

from __future__ import annotations

import wasmtime


def le64(value: int) -> str:
    return "".join(f"\\{b:02x}" for b in value.to_bytes(8, "little"))


def buffer(ptr: int, length: int) -> str:
    return le64(ptr) + le64(length)


# Memory map: key (32 B) at 0, value (64 B) at 64, descriptors at 256.., scratch at 1024.
LAYOUT = f"""
  (memory (export "memory") 1)
  (data (i32.const 0) "{'k' * 32}")
  (data (i32.const 64) "{'v' * 64}")
  (data (i32.const 256) "{buffer(0, 32)}")
  (data (i32.const 272) "{buffer(64, 64)}")
  (data (i32.const 288) "{buffer(1024, 64)}")
  (data (i32.const 304) "{buffer(64, 48)}")
  (data (i32.const 320) "{buffer(0, 16)}")
"""

CALLS = {
    # name: (import declaration, one call expression)
    "storage_read": ('(import "env" "storage_read" (func $f (param i64 i64) (result i32)))',
                     "(drop (call $f (i64.const 256) (i64.const 1)))"),
    "storage_read_miss": ('(import "env" "storage_read" (func $f (param i64 i64) (result i32)))',
                          "(drop (call $f (i64.const 320) (i64.const 1)))"),
    "storage_write": ('(import "env" "storage_write" (func $f (param i64 i64 i64) (result i32)))',
                      "(drop (call $f (i64.const 256) (i64.const 272) (i64.const 1)))"),
    "read_register": ('(import "env" "read_register" (func $f (param i64 i64) (result i32)))',
                      "(drop (call $f (i64.const 1) (i64.const 288)))"),
    "log_utf8": ('(import "env" "log_utf8" (func $f (param i64)))', "(call $f (i64.const 304))"),
}


PROLOGUE = {
    # read_register needs register 1 to hold 64 bytes: the call's input (64 bytes) goes there first.
    "read_register": ('(import "env" "input" (func $pre (param i64)))', "(call $pre (i64.const 1))"),
}


def loop_module(name: str, iterations: int) -> bytes:
    decl, call = CALLS[name]
    pre_decl, pre_call = PROLOGUE.get(name, ("", ""))
    return wasmtime.wat2wasm(f"""(module {pre_decl} {decl} {LAYOUT}
      (func (export "loop") (local $i i32)
        {pre_call}
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
          {call}
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))))""")


EMPTY = wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "empty")))')


def large_module(functions: int = 1700) -> bytes:
    """A module of the reference app size (~280 KB) made of many small straight-line functions: cheap
    for Cranelift to compile and costly per function to deserialize, so it is the hard case for the
    cache ratio (benchmarks/app is the app-shaped one)."""
    bodies = []
    for i in range(functions):
        ops = " ".join(
            f"(local.set $x (i64.add (i64.mul (local.get $x) (i64.const {i * 7 + j + 3})) (i64.const {j})))"
            for j in range(12)
        )
        bodies.append(f"(func $f{i} (param $x i64) (result i64) {ops} "
                      f"(if (result i64) (i64.gt_u (local.get $x) (i64.const {i}))"
                      f" (then (local.get $x)) (else (i64.const {i}))))")
    exports = " ".join(f'(export "m{i}" (func $g{i}))' for i in range(0, functions, 50))
    glue = " ".join(f"(func $g{i} (drop (call $f{i} (i64.const {i}))))" for i in range(0, functions, 50))
    return wasmtime.wat2wasm(f'(module (memory (export "memory") 1) {" ".join(bodies)} {glue} {exports})')
