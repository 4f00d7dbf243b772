"""VMLogic: the state of one call that host functions read and write.

Registers, limit budgets, logs/events/xcalls, commit, and the storage overlays. Host-function groups
keep their own per-call state in ``extensions`` (keyed by group name) so that later groups are
additions, not edits here.
"""

from __future__ import annotations

from typing import Any

from .abi import Span
from .clock import Clock, Entropy
from .context import VMContext
from .errors import HostError
from .limits import VMLimits
from .memory import BytesMemory, GuestMemory, invalid_memory_access
from .outcome import ContextMutation, Event, XCall
from .storage import Overlay, Storage


class VMLogic:
    def __init__(
        self,
        *,
        context: VMContext,
        input: bytes,
        limits: VMLimits,
        storage: Storage,
        private_storage: Storage | None,
        clock: Clock,
        entropy: Entropy,
        node_client: Any = None,
        context_host: Any = None,
        count_host_calls: bool = False,
    ) -> None:
        self.context = context
        self.input = input
        self.limits = limits
        # the limits checked on every register or storage write, as plain attributes (fewer lookups)
        self._max_registers = limits.max_registers
        self._max_register_size = limits.max_register_size
        self._max_registers_capacity = limits.max_registers_capacity
        self._max_writes = limits.max_storage_writes
        self._max_write_bytes = limits.max_storage_write_bytes
        self.clock = clock
        self.entropy = entropy
        self.node_client = node_client
        self.context_host = context_host
        self.memory: GuestMemory = BytesMemory()  # until the instance's memory is attached
        self.storage = Overlay(storage)
        self.private = Overlay(private_storage) if private_storage is not None else None

        self.registers: dict[int, bytes] = {}
        self._register_bytes = 0
        self.logs: list[str] = []
        self.events: list[Event] = []
        self.xcalls: list[XCall] = []
        self.root_hash: bytes | None = None
        self.artifact = b""
        self.committed = False
        self.return_value: tuple[int, bytes] | None = None
        self.migration_witness: bytes | None = None
        self.writes = 0
        self.write_bytes = 0
        self.proposals: dict[bytes, bytes] = {}
        self.approvals: list[bytes] = []
        self.context_mutations: list[ContextMutation] = []
        self.host_calls: dict[str, int] | None = {} if count_host_calls else None
        self.extensions: dict[str, Any] = {}
        self.error: HostError | None = None

    # -- failure ---------------------------------------------------------------------------------

    def abort(self, error: HostError) -> HostError:
        """Record the first host error of the call; the core reports it whatever the engine says."""
        if self.error is None:
            self.error = error
        return error

    # -- registers (ABI.md §1.3) -------------------------------------------------------------------

    def set_register(self, register_id: int, data: bytes) -> None:
        registers = self.registers
        old = registers.get(register_id)
        size = len(data)
        if old is None:
            if len(registers) >= self._max_registers:
                raise invalid_memory_access()
            total = self._register_bytes + size + 8
        else:
            total = self._register_bytes - len(old) + size
        if size > self._max_register_size or total > self._max_registers_capacity:
            raise invalid_memory_access()
        registers[register_id] = data if type(data) is bytes else bytes(data)
        self._register_bytes = total

    def get_register(self, register_id: int) -> bytes:
        try:
            return self.registers[register_id]
        except KeyError:
            raise HostError("InvalidRegisterId", id=register_id) from None

    # -- guest memory helpers ----------------------------------------------------------------------

    def read_exact(self, span: Span, size: int) -> bytes:
        if span.len != size:
            raise invalid_memory_access()
        return self.memory.read(span.ptr, size)

    # -- write budget (ABI.md §3.4) ----------------------------------------------------------------

    def charge_write(self, nbytes: int) -> None:
        writes = self.writes + 1
        attempted = self.write_bytes + nbytes
        if writes > self._max_writes:
            raise HostError("StorageWriteCountExceeded", max=self._max_writes)
        if attempted > self._max_write_bytes:
            raise HostError("StorageWriteBytesExceeded", attempted=attempted, max=self._max_write_bytes)
        self.writes = writes
        self.write_bytes = attempted
