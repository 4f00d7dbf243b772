"""State commitment (ABI.md §3.10)."""

from __future__ import annotations

from calimero_runtime.abi import Buffer, Region, Span
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic
from calimero_runtime.memory import invalid_memory_access

group = HostFunctionGroup("state", "commit of the root hash and artifact")


@group.function("commit", Region(), Buffer(limit="max_artifact_size", error="ArtifactSizeOverflow"))
def commit(logic: VMLogic, root: Span, artifact: bytes) -> None:
    """Set ``root_hash`` (32 bytes) and ``artifact``; allowed once per call."""
    if logic.committed:
        raise invalid_memory_access()
    logic.root_hash = logic.read_exact(root, 32)
    logic.artifact = artifact
    logic.committed = True


calimero_register_host_functions = group.hookimpl()
