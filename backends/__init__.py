"""Built-in engine backends: ``wasmtime`` and ``wasmer``."""
