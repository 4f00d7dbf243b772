"""wasmer engine backend: wasmer-python 1.1 (wasmer 2.1 engine, Cranelift). CPython 3.10 only.

wasmer-python has no fuel, no interruption, no stack or memory configuration, and reports guest
traps as a bare ``RuntimeError`` whose text names the trap. What this backend does about each:

* ``max_memory_pages`` (capability ``memory_limit``): the module's memory section is rewritten at
  compile time so that its declared maximum is ``min(declared, max_memory_pages)``; wasm
  ``memory.grow`` past it then returns -1, as on wasmtime with ``Store.set_limits``. A module whose
  *initial* memory exceeds the cap is refused at instantiation (``EngineLinkError``).
* ``max_gas``: not metered (``gas_used()`` is None); an endless loop runs until the process is
  killed (the GIL is held during wasm execution, so not even a signal handler runs).
* ``max_stack_size``: not honoured. Wasm runs on the calling thread's native stack (8 MiB on the
  main thread: ~500k trivial frames); exhausting it is a clean ``StackOverflow`` trap.
  wasmer unwinds a stack overflow with ``longjmp``; when it happens inside a *host* function that
  would jump over live Python frames and corrupt the interpreter's thread state. So each host
  function is guarded: called with less than :data:`HOST_STACK_HEADROOM` bytes of native stack
  left, it refuses and the call ends with ``StackOverflow`` (the same outcome, the state intact).
  A stack overflow costs time proportional to depth x compiled modules alive in the process
  (while collecting the backtrace, libgcc < 13 searches its registered-frame list linearly):
  ~0.3 s with a few modules on the 8 MiB main thread, ~15 s with ~300.
* Threads: wasmer ``Module``/``Instance``/``Function``/``Memory`` objects are bound to the thread
  that created them. A module is recompiled (or deserialized) once for each thread that uses it.
* Signals: wasmer installs its SIGSEGV/SIGILL/SIGFPE/SIGBUS handlers when the first Store is made.
  A handler installed over them later (``faulthandler.enable()``, as pytest does at start-up) turns
  every guest trap into a process crash: enable faulthandler before creating a wasmer runtime.
* Serialization (capability ``serialization``): ``serialize``/``deserialize`` for the core's module
  cache, which checksums every entry first (wasmer segfaults on a corrupted blob).
"""

from __future__ import annotations

import ctypes
import functools
import mmap
import platform
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from calimero_runtime.engine import (
    Capability,
    EngineConfig,
    EngineLinkError,
    EngineRecord,
    EngineTrap,
    ExportSpec,
    HostImport,
    ImportSpec,
    describe_extern,
)
from calimero_runtime.errors import CompilationError
from calimero_runtime.memory import GuestMemory
from calimero_runtime.plugins import hookimpl

MAX_PAGES = 65536  # wasm32
HOST_STACK_HEADROOM = 256 << 10
"""Native stack a host function needs; a host call with less left ends the call as StackOverflow."""

CAPABILITIES = frozenset({Capability.MEMORY_LIMIT, Capability.SERIALIZATION})


def availability() -> tuple[bool, str]:
    try:
        import wasmer  # noqa: F401
        import wasmer_compiler_cranelift  # noqa: F401
    except Exception as exc:  # the PyPI stub for 3.11+ raises ImportError on import
        return False, (
            f"the 'wasmer' package (1.1.0) needs CPython 3.10; this is "
            f"{sys.version_info.major}.{sys.version_info.minor} ({type(exc).__name__}: {exc}). "
            "Install with: python3.10 -m pip install 'calimero-runtime[wasmer]'"
        )
    return True, ""


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("wasmer")
    except Exception:
        return ""


# -- traps ----------------------------------------------------------------------------------------

TRAP_KINDS: dict[str, str] = {  # wasmer-vm 2.1 TrapCode messages
    "call stack exhausted": "StackOverflow",
    "out of bounds memory access": "MemoryOutOfBounds",
    "out of bounds": "MemoryOutOfBounds",  # data/elem segment or bulk memory/table op out of bounds
    "undefined element: out of bounds table access": "MemoryOutOfBounds",  # as the node reports it
    "misaligned heap": "HeapMisaligned",
    "uninitialized element": "IndirectCallToNull",
    "indirect call type mismatch": "BadSignature",
    "integer overflow": "IllegalArithmetic",
    "integer divide by zero": "IllegalArithmetic",
    "invalid conversion to integer": "IllegalArithmetic",
    "unreachable": "Unreachable",
    "unaligned atomic access": "UnalignedAtomic",
}
_PREFIX = "RuntimeError: "


def _first_line(exc: BaseException) -> str:
    # A stack-overflow message carries one backtrace line per frame (megabytes): look at line one only.
    text = str(exc)
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    return line[len(_PREFIX):] if line.startswith(_PREFIX) else line


def is_engine_error(exc: BaseException) -> bool:
    """Whether ``exc`` was made by wasmer (a trap, a link failure) rather than raised by a host
    function. wasmer reports both as bare ``RuntimeError``; a host function's exception propagates
    as the same object, its traceback still running through the host function's frames, while
    wasmer's is created at the call site (traps also start with ``RuntimeError: ``)."""
    if type(exc) is not RuntimeError:
        return False
    tb = exc.__traceback__
    return tb is None or tb.tb_next is None


def classify_trap(exc: BaseException) -> EngineTrap:
    message = _first_line(exc)
    kind = TRAP_KINDS.get(message)
    if kind is None:
        lowered = message.lower()
        kind = next((k for m, k in TRAP_KINDS.items() if lowered.startswith(m)), "Indeterminate")
    return EngineTrap(kind, message)


class _NativeStackExhausted(Exception):
    """Raised by the host-function guard; becomes a StackOverflow trap."""


# -- native stack guard -----------------------------------------------------------------------------

_STACK_POINTER_CODE = {
    "x86_64": bytes.fromhex("4889e0c3"),  # mov rax, rsp; ret
    "amd64": bytes.fromhex("4889e0c3"),
    "aarch64": bytes.fromhex("e0030091c0035fd6"),  # mov x0, sp; ret
    "arm64": bytes.fromhex("e0030091c0035fd6"),
}


def _make_stack_pointer() -> Callable[[], int] | None:
    """A ~150 ns function returning the native stack pointer, or None where it cannot be built."""
    code = _STACK_POINTER_CODE.get(platform.machine().lower())
    if code is None or not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        page.write(code)
        address = ctypes.addressof(ctypes.c_char.from_buffer(page))
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        if libc.mprotect(address, mmap.PAGESIZE, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
            return None
        reader = ctypes.PYFUNCTYPE(ctypes.c_uint64)(address)  # no GIL release: ~65 ns
        reader._page = page  # type: ignore[attr-defined]  # keep the mapping alive with the function
        value, bounds = reader(), _thread_stack_bounds()  # sanity check: it must point into our stack
        if bounds is None or not bounds[0] < value <= bounds[1]:
            return None
        return reader
    except Exception:
        return None


def _thread_stack_bounds() -> tuple[int, int] | None:
    """(lowest, highest) address of the calling thread's stack (glibc ``pthread_getattr_np``)."""
    try:
        libc = ctypes.CDLL(None)
        attr = ctypes.create_string_buffer(256)  # pthread_attr_t is 56 (x86_64) / 64 (aarch64) bytes
        libc.pthread_self.restype = ctypes.c_ulong
        libc.pthread_getattr_np.argtypes = [ctypes.c_ulong, ctypes.c_void_p]
        if libc.pthread_getattr_np(libc.pthread_self(), attr) != 0:
            return None
        try:
            base, size = ctypes.c_void_p(), ctypes.c_size_t()
            if libc.pthread_attr_getstack(attr, ctypes.byref(base), ctypes.byref(size)) != 0 or not base.value:
                return None
            return base.value, base.value + size.value
        finally:
            libc.pthread_attr_destroy(attr)
    except Exception:
        return None


_stack_pointer: list[Callable[[], int] | None] = []  # built on first use
_stack_limits = threading.local()


def _host_stack_floor() -> tuple[Callable[[], int], int] | None:
    """The stack-pointer reader and the lowest stack pointer at which this thread may enter a host
    function; None when the guard is unavailable here."""
    if not _stack_pointer:
        _stack_pointer.append(_make_stack_pointer())
    sp = _stack_pointer[0]
    if sp is None:
        return None
    floor = getattr(_stack_limits, "floor", None)
    if floor is None:
        bounds = _thread_stack_bounds()
        if bounds is None:
            floor = 0
        else:
            low, high = bounds
            floor = low + min(HOST_STACK_HEADROOM, (high - low) // 4)
        _stack_limits.floor = floor
    return (sp, floor) if floor else None


# -- host entry points ------------------------------------------------------------------------------
#
# wasmer keeps the registered callables inside opaque (pyo3) objects that the garbage collector cannot
# see into. A callable holding the call's VMLogic would make every reference cycle through it (the
# VMLogic keeps its HostError, whose traceback keeps the frames...) uncollectable. So the callables
# hold only the unbound host function, and the VMLogic is read from a thread-local set around every
# entry into wasm.

_CURRENT = threading.local()


def _entry(raw: Callable[..., int | None], *args: int) -> int | None:
    return raw(_CURRENT.logic, *args)


def _guarded_entry(sp: Callable[[], int], floor: int, raw: Callable[..., int | None], *args: int) -> int | None:
    if sp() < floor:
        raise _NativeStackExhausted
    return raw(_CURRENT.logic, *args)


def _guarded_call(sp: Callable[[], int], floor: int, func: Callable[..., int | None], *args: int) -> int | None:
    if sp() < floor:
        raise _NativeStackExhausted
    return func(*args)


def _host_callable(h: HostImport, guard: tuple[Callable[[], int], int] | None) -> Callable[..., int | None]:
    # partials, not closures: wasmer.Function wraps a partial ~0.5 us faster than a function
    if h.raw is not None:
        return functools.partial(_entry, h.raw) if guard is None else functools.partial(_guarded_entry, *guard, h.raw)
    return h.func if guard is None else functools.partial(_guarded_call, *guard, h.func)


# -- the memory section: cap the declared maximum ---------------------------------------------------


def _leb_u(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("LEB128 too long")


def _leb_enc(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def cap_memory_maximum(wasm: bytes, cap: int) -> bytes:
    """``wasm`` with every defined memory's maximum lowered to ``cap`` pages (added if absent).

    Memories whose minimum already exceeds ``cap`` are left as they are (instantiation refuses
    them). Returns ``wasm`` itself when nothing changes or the binary cannot be parsed (the compiler
    then reports what is wrong with it).
    """
    if cap >= MAX_PAGES or wasm[:8] != b"\0asm\x01\0\0\0":
        return wasm
    try:
        pos = 8
        while pos < len(wasm):
            section_id = wasm[pos]
            size, body = _leb_u(wasm, pos + 1)
            end = body + size
            if section_id != 5:
                pos = end
                continue
            count, p = _leb_u(wasm, body)
            entries = bytearray(_leb_enc(count))
            changed = False
            for _ in range(count):
                flags, p = _leb_u(wasm, p)
                if flags & ~1:  # shared or 64-bit memory: not ours to touch (wasmer rejects both)
                    return wasm
                minimum, p = _leb_u(wasm, p)
                maximum = None
                if flags & 1:
                    maximum, p = _leb_u(wasm, p)
                if minimum <= cap and (maximum is None or maximum > cap):
                    maximum, changed = cap, True
                entries += _leb_enc(0 if maximum is None else 1) + _leb_enc(minimum)
                if maximum is not None:
                    entries += _leb_enc(maximum)
            if p != end:
                return wasm
            if not changed:
                return wasm
            return wasm[:pos] + bytes([5]) + _leb_enc(len(entries)) + bytes(entries) + wasm[end:]
    except (IndexError, ValueError):
        return wasm
    return wasm


# -- engine objects ---------------------------------------------------------------------------------


def _valtypes() -> dict[Any, str]:
    from wasmer import Type

    return {Type.I32: "i32", Type.I64: "i64", Type.F32: "f32", Type.F64: "f64", Type.V128: "v128",
            Type.EXTERN_REF: "externref", Type.FUNC_REF: "funcref"}


def _describe(ty: object, names: dict[Any, str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    import wasmer

    kinds = ((wasmer.FunctionType, "func"), (wasmer.MemoryType, "memory"), (wasmer.TableType, "table"),
             (wasmer.GlobalType, "global"))
    return describe_extern(ty, kinds, lambda t: names.get(t, str(t)))


class WasmerMemory(GuestMemory):
    """The exported memory through a cached writable ``memoryview``. A cached view keeps its old
    length after ``memory.grow`` (the base address stays put), so ``_n`` is refreshed on a miss."""

    __slots__ = ("_memory", "_n", "_view")

    def __init__(self, memory: Any) -> None:
        self._memory = memory
        self._view = memoryview(b"")
        self._n = 0
        self._refresh()

    def _refresh(self) -> int:
        view = memoryview(self._memory.buffer)
        self._view, self._n = view, view.nbytes
        return self._n

    def _read(self, ptr: int, length: int) -> bytes:
        return self._view[ptr : ptr + length].tobytes()

    def _write(self, ptr: int, data: bytes) -> None:
        self._view[ptr : ptr + len(data)] = data


class WasmerInstance:
    def __init__(self, instance: Any, logic: Any) -> None:
        import wasmer

        self._exports = instance.exports
        self._instance = instance
        self._logic = logic
        try:
            memory = self._exports.memory
        except LookupError:
            memory = None
        self.memory: GuestMemory | None = WasmerMemory(memory) if isinstance(memory, wasmer.Memory) else None

    def call(self, name: str) -> None:
        func = getattr(self._exports, name)
        previous = getattr(_CURRENT, "logic", None)
        _CURRENT.logic = self._logic
        try:
            func()
        except _NativeStackExhausted:
            raise EngineTrap("StackOverflow", "call stack exhausted") from None
        except RuntimeError as exc:
            if not is_engine_error(exc):
                raise  # a host function's own RuntimeError: propagate as-is
            raise classify_trap(exc) from None
        finally:
            _CURRENT.logic = previous

    def gas_used(self) -> int | None:
        return None


class WasmerModule:
    """A compiled module. ``source`` re-creates it on another thread: ``("wasm", bytes)`` (as
    compiled, memory maximum capped) or ``("blob", bytes)`` (our own verified serialization)."""

    def __init__(self, backend: WasmerBackend, module: Any, source: tuple[str, bytes],
                 specs: tuple[Any, Any] | None = None) -> None:
        self._backend = backend
        self._source = source
        self._local = threading.local()  # wasmer objects are bound to the thread that created them
        self._local.module = module
        self._module = module  # the creating thread's, for serialize()
        if specs is not None:  # recorded with a cache entry: no need to list them through wasmer
            self.imports, self.exports = specs
        else:
            names = _valtypes()
            self.imports = tuple(ImportSpec(i.module, i.name or "", *_describe(i.type, names)) for i in module.imports)
            self.exports = tuple(ExportSpec(e.name, *_describe(e.type, names)) for e in module.exports)

    @functools.cached_property
    def _too_large(self) -> int | None:
        """The initial size of a memory over the page cap, if any (checked at the first instantiation)."""
        import wasmer

        module = self._thread_module()  # wasmer objects are bound to their thread
        memories = [e.type for e in module.exports if isinstance(e.type, wasmer.MemoryType)]
        memories += [i.type for i in module.imports if isinstance(i.type, wasmer.MemoryType)]
        cap = self._backend.config.limits.max_memory_pages
        return next((m.minimum for m in memories if m.minimum > cap), None)

    def _thread_module(self) -> Any:
        module = getattr(self._local, "module", None)
        if module is None:
            import wasmer

            kind, data = self._source
            store = self._backend.store
            module = wasmer.Module(store, data) if kind == "wasm" else wasmer.Module.deserialize(store, data)
            self._local.module = module
        return module

    def instantiate(self, imports: Sequence[HostImport]) -> WasmerInstance:
        import wasmer

        if self._too_large is not None:
            raise EngineLinkError(f"memory minimum size of {self._too_large} pages exceeds memory limits")
        backend = self._backend
        store = backend.store
        guard = _host_stack_floor()
        logic = imports[0].logic if imports else None
        import_object = wasmer.ImportObject()
        namespaces: dict[str, dict[str, Any]] = {}
        for h in imports:
            func = wasmer.Function(store, _host_callable(h, guard), backend.functype(h.params, h.results))
            namespaces.setdefault(h.module, {})[h.name] = func
        for module_name, entries in namespaces.items():
            import_object.register(module_name, entries)
        previous = getattr(_CURRENT, "logic", None)
        _CURRENT.logic = logic  # the start function may call host functions
        try:
            instance = wasmer.Instance(self._thread_module(), import_object)
        except _NativeStackExhausted:
            raise EngineTrap("StackOverflow", "call stack exhausted") from None
        except RuntimeError as exc:
            if not is_engine_error(exc):
                raise  # raised by a host function called from the start function
            if not str(exc).startswith(_PREFIX):  # a link or resource failure, not a trap
                raise EngineLinkError(_first_line(exc)) from None
            raise classify_trap(exc) from None
        finally:
            _CURRENT.logic = previous
        return WasmerInstance(instance, logic)


class WasmerBackend:
    """wasmer-python's Universal engine with Cranelift. ``serialize``/``deserialize`` feed the core's
    module cache, which verifies every entry's checksum first: wasmer crashes on a corrupted blob."""

    name = "wasmer"

    def __init__(self, config: EngineConfig) -> None:
        import wasmer
        from wasmer_compiler_cranelift import Compiler

        self.config = config
        self.version: str = _package_version() or str(getattr(wasmer, "__version__", ""))
        self.store = wasmer.Store(wasmer.engine.Universal(Compiler))
        self._functypes: dict[tuple[tuple[str, ...], tuple[str, ...]], Any] = {}

    def functype(self, params: tuple[str, ...], results: tuple[str, ...]) -> Any:
        key = (params, results)
        ty = self._functypes.get(key)
        if ty is None:
            from wasmer import FunctionType, Type

            vt = {"i32": Type.I32, "i64": Type.I64, "f32": Type.F32, "f64": Type.F64}
            ty = self._functypes[key] = FunctionType([vt[p] for p in params], [vt[r] for r in results])
        return ty

    def fingerprint(self) -> str:
        """Everything besides the version that changes the compiled module (module-cache key): the
        memory cap is written into the module's memory section."""
        cap = min(self.config.limits.max_memory_pages, MAX_PAGES)
        return f"universal;cranelift;engine=2.1;memory_cap={cap};{platform.machine()}"

    def serialize(self, module: WasmerModule) -> bytes:
        return bytes(module._module.serialize())

    def deserialize(self, payload: bytes, specs: tuple[Any, Any] | None = None) -> WasmerModule:
        """``specs``: the (imports, exports) recorded when the entry was made, to skip listing them."""
        import wasmer

        payload = bytes(payload)
        if not payload.startswith(b"\0wasmer-universal"):
            raise ValueError("not a serialized wasmer-universal module")
        try:
            module = wasmer.Module.deserialize(self.store, payload)
        except RuntimeError as exc:
            raise ValueError(f"cannot load serialized module: {_first_line(exc)}") from None
        return WasmerModule(self, module, ("blob", payload), specs)

    def compile(self, wasm: bytes) -> WasmerModule:
        import wasmer

        wasm = bytes(wasm)
        try:
            if wasm[:4] != b"\0asm":  # WAT text, as wasmtime also accepts: assemble it so it can be capped
                wasm = bytes(wasmer.wat2wasm(wasm.decode("utf-8")))
            wasm = cap_memory_maximum(wasm, self.config.limits.max_memory_pages)
            module = wasmer.Module(self.store, wasm)
        except (RuntimeError, ValueError) as exc:  # ValueError: undecodable text
            message = " ".join(str(exc).removeprefix(_PREFIX).split())
            raise CompilationError(f"invalid wasm module: {message}") from None
        return WasmerModule(self, module, ("wasm", wasm))


@hookimpl
def calimero_register_engines(register: Callable[[EngineRecord], None]) -> None:
    ok, reason = availability()
    register(
        EngineRecord(
            name="wasmer",
            factory=WasmerBackend,
            capabilities=CAPABILITIES,
            version=_package_version() if ok else "",
            available=ok,
            unavailable_reason=reason,
            description="wasmer-python 1.1 (wasmer 2.1 engine, Cranelift); not metered, no stack limit",
        )
    )
