"""Logs, events and cross-context calls (ABI.md §3.3)."""

from __future__ import annotations

from calimero_runtime.abi import Buffer, EventParam, Region, Span, XCallParam, check_limit, decode_utf8
from calimero_runtime.errors import HostError
from calimero_runtime.hostfn import HostFunctionGroup
from calimero_runtime.logic import VMLogic
from calimero_runtime.outcome import Event, XCall

group = HostFunctionGroup("events", "logs, events and cross-context calls")


@group.function("log_utf8", Buffer())
def log_utf8(logic: VMLogic, message: bytes) -> None:
    """Append a UTF-8 line to the logs (never truncated). Check order (ABI.md §3.3): BadUTF8,
    LogsOverflow, LogLengthOverflow."""
    text = decode_utf8(message)
    if len(logic.logs) >= logic.limits.max_logs:
        raise HostError("LogsOverflow")
    check_limit(logic, len(message), "max_log_size", "LogLengthOverflow")
    logic.logs.append(text)


def _append_event(logic: VMLogic, event: tuple[bytes, bytes], handler: Span | None) -> None:
    if len(logic.events) >= logic.limits.max_events:
        raise HostError("EventsOverflow")
    kind, data = event
    kind_text = decode_utf8(kind)
    name = None
    if handler is not None:  # after the event's own checks (ABI.md §3.3), size before reading
        check_limit(logic, handler.len, "max_method_name_length", "EventHandlerSizeOverflow")
        name = decode_utf8(logic.memory.read(handler.ptr, handler.len))
    logic.events.append(Event(kind_text, data, name))


@group.function("emit", EventParam())
def emit(logic: VMLogic, event: tuple[bytes, bytes]) -> None:
    """Append an event without a handler."""
    _append_event(logic, event, None)


@group.function("emit_with_handler", EventParam(), Region(optional=True))
def emit_with_handler(logic: VMLogic, event: tuple[bytes, bytes], handler: Span | None) -> None:
    """Append an event whose receivers run method ``handler`` (descriptor 0 = no handler)."""
    _append_event(logic, event, handler)


@group.function("xcall", XCallParam())
def xcall(logic: VMLogic, call: tuple[Span, bytes, bytes]) -> None:
    """Queue a call of ``function`` on another context, run by the node after this call succeeds."""
    if len(logic.xcalls) >= logic.limits.max_xcalls:
        raise HostError("XCallsOverflow")
    context, function, params = call
    context_id = logic.read_exact(context, 32)
    logic.xcalls.append(XCall(context_id, decode_utf8(function), params))


calimero_register_host_functions = group.hookimpl()
