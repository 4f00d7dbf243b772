"""Compile-time checks (ABI.md §2.1): raised by ``Runtime.compile``, never put in an Outcome."""

from __future__ import annotations

import pytest

from calimero_runtime import (
    CompilationError,
    CompileError,
    ModuleSizeLimitExceeded,
    ModuleValidationError,
    VMLimits,
)
from tests.conftest import wat

MINIMAL = '(module (memory (export "memory") 1) (func (export "run")))'


def _leb5(value: int) -> bytes:
    """u32 LEB128 padded to 5 bytes (valid wasm, lets us hit any exact size)."""
    out = bytearray()
    for _ in range(4):
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value & 0x7F)
    return bytes(out)


def pad_to(wasm: bytes, total: int) -> bytes:
    """Append one custom section so that the module is exactly ``total`` bytes."""
    name = b"pad"
    added = total - len(wasm)
    size = added - 1 - 5  # section id byte, 5-byte size
    payload = size - 1 - len(name)  # 1-byte name length
    assert payload >= 0, "target smaller than the module"
    out = wasm + b"\x00" + _leb5(size) + bytes([len(name)]) + name + b"\xab" * payload
    assert len(out) == total
    return out


# -- step 1: size --------------------------------------------------------------------------------


def test_module_of_exactly_max_size_compiles_and_runs(make_runtime, ctx):
    limit = 64 * 1024
    rt = make_runtime(limits=VMLimits(max_module_size=limit))
    wasm = pad_to(wat(MINIMAL), limit)
    module = rt.compile(wasm)
    from calimero_runtime import InMemoryStorage

    out = module.run("run", context=ctx, storage=InMemoryStorage())
    assert out.ok, out.error


def test_module_one_byte_over_max_size_is_refused(make_runtime):
    limit = 64 * 1024
    rt = make_runtime(limits=VMLimits(max_module_size=limit))
    wasm = pad_to(wat(MINIMAL), limit + 1)
    with pytest.raises(ModuleSizeLimitExceeded) as info:
        rt.compile(wasm)
    err = info.value
    assert isinstance(err, CompileError)
    assert err.type == "ModuleSizeLimitExceeded"
    assert err.details == {"size": limit + 1, "max": limit}
    assert str(limit + 1) in str(err) and str(limit) in str(err)


def test_default_module_size_limit_is_20_mib(rt):
    limit = 20 * 1024 * 1024
    assert rt.limits.max_module_size == limit
    with pytest.raises(ModuleSizeLimitExceeded) as info:
        rt.compile(pad_to(wat(MINIMAL), limit + 1))
    assert info.value.details == {"size": limit + 1, "max": limit}


def test_size_is_checked_before_the_bytes_are_parsed(make_runtime):
    rt = make_runtime(limits=VMLimits(max_module_size=100))
    with pytest.raises(ModuleSizeLimitExceeded):
        rt.compile(b"\xff" * 101)  # garbage, but too big first
    with pytest.raises(CompilationError):
        rt.compile(b"\xff" * 100)


# -- step 2: bytes must be wasm ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"this is not wasm at all", id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00asm", id="magic-only"),
        pytest.param(b"\x00asm\x02\x00\x00\x00", id="bad-version"),
    ],
)
def test_invalid_bytes_are_a_compilation_error(rt, blob):
    with pytest.raises(CompilationError) as info:
        rt.compile(blob)
    assert isinstance(info.value, CompileError)
    assert info.value.type == "CompilationError"


def test_truncated_module_is_a_compilation_error(rt):
    wasm = wat(MINIMAL)
    rt.compile(wasm)  # the whole module is fine
    for cut in (len(wasm) - 1, len(wasm) // 2, 9):
        with pytest.raises(CompilationError):
            rt.compile(wasm[:cut])


def test_invalid_function_body_is_a_compilation_error(rt):
    # (func (result i32)) with an empty body fails validation (type mismatch), built by hand.
    wasm = bytes.fromhex(
        "0061736d01000000"  # header
        "010501600001 7f".replace(" ", "")  # type: () -> i32
        + "03020100"  # func section: 1 func of type 0
        + "0503010001"  # memory: 1 page
        + "070a01066d656d6f72790200"  # export "memory" memory 0
        + "0a040102000b"  # code: body with no value
    )
    with pytest.raises(CompilationError):
        rt.compile(wasm)


# -- steps 3-5: structure -------------------------------------------------------------------------


def _validation_error(rt, source: str) -> ModuleValidationError:
    with pytest.raises(ModuleValidationError) as info:
        rt.compile(wat(source))
    assert isinstance(info.value, CompileError)
    assert info.value.type == "ModuleValidationError"
    assert info.value.details.get("reason")
    return info.value


def test_imported_memory_is_refused(rt):
    err = _validation_error(rt, '(module (import "env" "memory" (memory 1)) (export "memory" (memory 0)))')
    assert "memory" in str(err)


def test_imported_memory_from_any_module_is_refused(rt):
    _validation_error(rt, '(module (import "js" "mem" (memory 1)) (export "memory" (memory 0)))')


def test_exported_start_function_is_refused(rt):
    err = _validation_error(rt, '(module (memory (export "memory") 1) (func (export "_start")))')
    assert "_start" in str(err)


def test_start_exported_as_a_global_is_allowed(rt):
    rt.compile(wat('(module (memory (export "memory") 1) (global (export "_start") i32 (i32.const 0)))'))


def test_missing_memory_export_is_refused(rt):
    _validation_error(rt, '(module (memory 1) (func (export "run")))')


def test_memory_exported_under_another_name_is_refused(rt):
    _validation_error(rt, '(module (memory (export "mem") 1) (func (export "run")))')


def test_function_named_memory_is_not_a_memory(rt):
    _validation_error(rt, '(module (memory (export "mem") 1) (func (export "memory")))')


def test_no_memory_at_all_is_refused(rt):
    _validation_error(rt, '(module (func (export "run")))')


def test_valid_module_compiles_and_lists_methods(rt):
    module = rt.compile(
        wat(
            '(module (memory (export "memory") 1) (func (export "b")) (func (export "a"))'
            ' (func (export "with_param") (param i32)) (global (export "g") i32 (i32.const 1)))'
        )
    )
    assert module.methods == ["a", "b"]


def test_other_imports_are_not_refused_at_compile(rt):
    """Tables, globals and foreign functions compile; they fail at link (test_methods)."""
    rt.compile(
        wat(
            '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))'
            ' (import "env" "tbl" (table 1 funcref)) (import "env" "g" (global i32))'
            ' (memory (export "memory") 1))'
        )
    )


def test_compile_errors_are_calimero_errors():
    from calimero_runtime import CalimeroError

    for cls in (ModuleSizeLimitExceeded, CompilationError, ModuleValidationError):
        assert issubclass(cls, CompileError)
        assert issubclass(cls, CalimeroError)
