"""Logs, events and cross-context calls (ABI.md §3.3): log_utf8, emit, emit_with_handler, xcall."""

from __future__ import annotations

import pytest

from calimero_runtime import CURRENT, Event, VMLimits, XCall

from .guests import NONE, PAGE, XC, Buf, Desc, Ev, Guest, check_group, host_error, run

TARGET = b"\x42" * 32


def test_group_and_signatures(rt):
    check_group(rt, "events", ["log_utf8", "emit", "emit_with_handler", "xcall"])


# -- log_utf8 ---------------------------------------------------------------------------------------


def test_log_utf8_appends_in_order(gen, rt, ctx):
    g = Guest(gen)
    g.do("log_utf8", g.buf("first ✓".encode()))
    g.do("log_utf8", NONE)
    g.do("log_utf8", g.buf(b"third"))
    out = run(rt, g, ctx)
    assert out.ok and out.logs == ("first ✓", "", "third")


def test_logs_survive_a_failed_call(gen, rt, ctx):
    g = Guest(gen)
    g.do("log_utf8", g.buf(b"before"))
    g.trap()
    out = run(rt, g, ctx)
    assert out.error.kind == "Unreachable" and out.logs == ("before",)


def test_log_utf8_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    g.do("log_utf8", g.buf(b"ok"))
    g.do("log_utf8", g.buf(b"\xed\xa0\x80"))  # an encoded surrogate
    out = run(rt, g, ctx)
    host_error(out, "BadUTF8")
    assert out.logs == ("ok",)


def test_log_utf8_max_logs(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_logs=2))
    g = Guest(gen)
    for text in (b"a", b"b", b"c"):
        g.do("log_utf8", g.buf(text))
    out = run(rt, g, ctx)
    host_error(out, "LogsOverflow")
    assert out.logs == ("a", "b")


def test_log_utf8_max_log_size_never_truncates(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_log_size=4))
    g = Guest(gen)
    g.do("log_utf8", g.buf(b"1234"))
    g.do("log_utf8", g.buf(b"12345"))
    out = run(rt, g, ctx)
    host_error(out, "LogLengthOverflow")
    assert out.logs == ("1234",)


def test_log_utf8_size_counts_bytes_not_characters(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_log_size=4))
    g = Guest(gen)
    g.do("log_utf8", g.buf("✓✓".encode()))  # 2 characters, 6 bytes
    host_error(run(rt, g, ctx), "LogLengthOverflow")


def test_log_utf8_check_order_bad_utf8_first(gen, make_runtime, ctx):
    """ABI.md §3.3 check order: BadUTF8, then LogsOverflow, then LogLengthOverflow."""
    rt = make_runtime(limits=VMLimits(max_logs=1, max_log_size=2))
    g = Guest(gen)
    g.do("log_utf8", g.buf(b"ok"))
    g.do("log_utf8", g.buf(b"\xff\xff\xff"))  # logs full, too long and not UTF-8
    host_error(run(rt, g, ctx), "BadUTF8")


def test_log_utf8_check_order_count_before_length(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_logs=1, max_log_size=2))
    g = Guest(gen)
    g.do("log_utf8", g.buf(b"ok"))
    g.do("log_utf8", g.buf(b"too long"))
    host_error(run(rt, g, ctx), "LogsOverflow")


def test_log_utf8_bytes_are_read_before_the_size_check(gen, make_runtime, ctx):
    """The message is read (and decoded) before its length is checked: an oversized out-of-bounds
    buffer is InvalidMemoryAccess."""
    rt = make_runtime(limits=VMLimits(max_log_size=2))
    g = Guest(gen)
    g.do("log_utf8", Buf(PAGE - 2, 3))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


@pytest.mark.parametrize("ptr,length", [(PAGE - 2, 3), (2**64 - 1, 1), (16, 2**64 - 1), (PAGE + 1, 0)])
def test_log_utf8_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("log_utf8", Buf(ptr, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_log_utf8_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("log_utf8", Desc(PAGE - 15))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- emit -------------------------------------------------------------------------------------------


def _event(g: Guest, kind: bytes, data: bytes) -> Ev:
    k, d = g.buf(kind), g.buf(data)
    return Ev(k.ptr, k.len, d.ptr, d.len)


def test_emit_appends_events_without_handler(gen, rt, ctx):
    g = Guest(gen)
    g.do("emit", _event(g, b"Inserted", b"\x00\x01data"))
    g.do("emit", Ev(0, 0, 0, 0))
    out = run(rt, g, ctx)
    assert out.ok
    assert out.events == (Event("Inserted", b"\x00\x01data", None), Event("", b"", None))


def test_emit_kind_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_event_kind_size=3))
    g = Guest(gen)
    g.do("emit", _event(g, b"abc", b""))
    g.do("emit", _event(g, b"abcd", b""))
    out = run(rt, g, ctx)
    host_error(out, "EventKindSizeOverflow")
    assert [e.kind for e in out.events] == ["abc"]


def test_emit_data_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_event_data_size=3))
    g = Guest(gen)
    g.do("emit", _event(g, b"k", b"123"))
    g.do("emit", _event(g, b"k", b"1234"))
    host_error(run(rt, g, ctx), "EventDataSizeOverflow")


def test_emit_max_events(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_events=1))
    g = Guest(gen)
    g.do("emit", _event(g, b"a", b""))
    g.do("emit", _event(g, b"b", b""))
    out = run(rt, g, ctx)
    host_error(out, "EventsOverflow")
    assert [e.kind for e in out.events] == ["a"]


def test_emit_kind_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    g.do("emit", _event(g, b"\x80", b"\xff is fine in data"))
    host_error(run(rt, g, ctx), "BadUTF8")


def test_emit_check_order(gen, make_runtime, ctx):
    """§3.3 order: kind size, data size, count, kind UTF-8."""
    rt = make_runtime(limits=VMLimits(max_event_kind_size=2, max_event_data_size=2, max_events=1))

    def second(kind: bytes, data: bytes) -> str:
        g = Guest(gen)
        g.do("emit", _event(g, b"ok", b""))
        g.do("emit", _event(g, kind, data))
        out = run(rt, g, ctx)
        assert out.error is not None and out.error.type == "HostError"
        return out.error.kind

    assert second(b"\xffxx", b"xxx") == "EventKindSizeOverflow"
    assert second(b"\xff", b"xxx") == "EventDataSizeOverflow"
    assert second(b"\xff", b"") == "EventsOverflow"


def test_emit_sizes_checked_before_reading(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_event_kind_size=2, max_event_data_size=2))
    g = Guest(gen)
    g.do("emit", Ev(2**64 - 1, 3, 0, 0))
    host_error(run(rt, g, ctx), "EventKindSizeOverflow")
    g = Guest(gen)
    g.do("emit", Ev(0, 0, 2**64 - 1, 2**64 - 1))
    host_error(run(rt, g, ctx), "EventDataSizeOverflow")


@pytest.mark.parametrize("event", [Ev(PAGE - 1, 2, 0, 0), Ev(0, 0, PAGE - 1, 2), Ev(2**64 - 1, 1, 0, 0),
                                   Ev(0, 0, 2**64 - 4, 4)])
def test_emit_out_of_bounds(gen, rt, ctx, event):
    g = Guest(gen)
    g.do("emit", event)
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_emit_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("emit", Desc(PAGE - 31))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- emit_with_handler ------------------------------------------------------------------------------


def test_emit_with_handler(gen, rt, ctx):
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"K", b"D"), g.buf(b"on_event"))
    out = run(rt, g, ctx)
    assert out.ok and out.events == (Event("K", b"D", "on_event"),)


def test_emit_with_null_handler_descriptor(rt, ctx):
    """Current ABI: handler descriptor address 0 = no handler."""
    g = Guest(CURRENT)
    g.do("emit_with_handler", _event(g, b"K", b"D"), NONE)
    out = run(rt, g, ctx)
    assert out.ok and out.events == (Event("K", b"D", None),)


def test_emit_with_handler_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_method_name_length=5))
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"K", b""), g.buf(b"12345"))
    g.do("emit_with_handler", _event(g, b"K", b""), g.buf(b"123456"))
    out = run(rt, g, ctx)
    host_error(out, "EventHandlerSizeOverflow", size=6, max=5)
    assert [e.handler for e in out.events] == ["12345"]


def test_emit_with_handler_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"K", b""), g.buf(b"on_\xff"))
    host_error(run(rt, g, ctx), "BadUTF8")


def test_emit_with_handler_event_limits(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_event_kind_size=1, max_event_data_size=1, max_events=1))
    for event, kind in [((b"KK", b""), "EventKindSizeOverflow"), ((b"K", b"DD"), "EventDataSizeOverflow")]:
        g = Guest(gen)
        g.do("emit_with_handler", _event(g, *event), g.buf(b"h"))
        host_error(run(rt, g, ctx), kind)
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"a", b""), g.buf(b"h"))
    g.do("emit_with_handler", _event(g, b"b", b""), g.buf(b"h"))
    host_error(run(rt, g, ctx), "EventsOverflow")


def test_emit_with_handler_check_order(gen, make_runtime, ctx):
    """§3.3: "as emit, then handler len > max_method_name_length; handler BadUTF8" — the event's own
    checks (sizes, count, kind UTF-8) come first."""
    rt = make_runtime(limits=VMLimits(max_events=1, max_method_name_length=4))

    def second(kind: bytes, handler: bytes) -> str:
        g = Guest(gen)
        g.do("emit", _event(g, b"ok", b""))
        g.do("emit_with_handler", _event(g, kind, b""), g.buf(handler))
        out = run(rt, g, ctx)
        assert out.error is not None and out.error.type == "HostError"
        return out.error.kind

    assert second(b"k", b"much_too_long") == "EventsOverflow"
    assert second(b"k", b"\xff") == "EventsOverflow"

    def only(kind: bytes, handler: bytes) -> str:
        g = Guest(gen)
        g.do("emit_with_handler", _event(g, kind, b""), g.buf(handler))
        out = run(rt, g, ctx)
        assert out.error is not None and out.error.type == "HostError"
        return out.error.kind

    assert only(b"\xff", b"much_too_long") == "BadUTF8"
    assert only(b"k", b"\xff\xff\xff\xff\xff") == "EventHandlerSizeOverflow"


def test_emit_with_handler_size_checked_before_reading(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_method_name_length=4))
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"k", b""), Buf(2**64 - 1, 5))
    host_error(run(rt, g, ctx), "EventHandlerSizeOverflow", size=5, max=4)


@pytest.mark.parametrize("ptr,length", [(PAGE - 1, 2), (2**64 - 1, 1)])
def test_emit_with_handler_out_of_bounds(gen, rt, ctx, ptr, length):
    g = Guest(gen)
    g.do("emit_with_handler", _event(g, b"k", b""), Buf(ptr, length))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_emit_with_handler_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("emit_with_handler", _event(g, b"k", b""), Desc(PAGE - 8))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")
    g = Guest(CURRENT)
    g.do("emit_with_handler", Desc(PAGE - 16), g.buf(b"h"))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


# -- xcall ------------------------------------------------------------------------------------------


def _xcall(g: Guest, context: bytes, function: bytes, params: bytes) -> XC:
    c, f, p = g.buf(context), g.buf(function), g.buf(params)
    return XC(c.ptr, c.len, f.ptr, f.len, p.ptr, p.len)


def test_xcall_queues_calls(gen, rt, ctx):
    g = Guest(gen)
    g.do("xcall", _xcall(g, TARGET, b"on_ping", b'{"n":1}'))
    g.do("xcall", _xcall(g, bytes(32), b"", b""))
    out = run(rt, g, ctx)
    assert out.ok
    assert out.xcalls == (XCall(TARGET, "on_ping", b'{"n":1}'), XCall(bytes(32), "", b""))


def test_xcall_function_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_xcall_function_size=3))
    g = Guest(gen)
    g.do("xcall", _xcall(g, TARGET, b"abc", b""))
    g.do("xcall", _xcall(g, TARGET, b"abcd", b""))
    out = run(rt, g, ctx)
    host_error(out, "XCallFunctionSizeOverflow")
    assert len(out.xcalls) == 1


def test_xcall_params_size(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_xcall_params_size=3))
    g = Guest(gen)
    g.do("xcall", _xcall(g, TARGET, b"f", b"123"))
    g.do("xcall", _xcall(g, TARGET, b"f", b"1234"))
    host_error(run(rt, g, ctx), "XCallParamsSizeOverflow")


def test_xcall_max_xcalls(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_xcalls=2))
    g = Guest(gen)
    for _ in range(3):
        g.do("xcall", _xcall(g, TARGET, b"f", b""))
    out = run(rt, g, ctx)
    host_error(out, "XCallsOverflow")
    assert len(out.xcalls) == 2


def test_xcall_default_limit_is_eight(gen, rt, ctx):
    g = Guest(gen)
    for _ in range(9):
        g.do("xcall", _xcall(g, TARGET, b"f", b""))
    host_error(run(rt, g, ctx), "XCallsOverflow")


@pytest.mark.parametrize("size", [0, 31, 33])
def test_xcall_context_id_must_be_32_bytes(gen, rt, ctx, size):
    g = Guest(gen)
    g.do("xcall", _xcall(g, b"\x01" * size, b"f", b""))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_xcall_function_bad_utf8(gen, rt, ctx):
    g = Guest(gen)
    g.do("xcall", _xcall(g, TARGET, b"f\xc0", b"\xff"))
    host_error(run(rt, g, ctx), "BadUTF8")


def test_xcall_check_order(gen, make_runtime, ctx):
    """§3.3 order: function size, params size, count, context id length, function UTF-8."""
    rt = make_runtime(limits=VMLimits(max_xcall_function_size=2, max_xcall_params_size=2, max_xcalls=1))

    def second(context: bytes, function: bytes, params: bytes) -> str:
        g = Guest(gen)
        g.do("xcall", _xcall(g, TARGET, b"ok", b""))
        g.do("xcall", _xcall(g, context, function, params))
        out = run(rt, g, ctx)
        assert out.error is not None and out.error.type == "HostError"
        return out.error.kind

    assert second(b"x", b"\xffff", b"ppp") == "XCallFunctionSizeOverflow"
    assert second(b"x", b"\xff", b"ppp") == "XCallParamsSizeOverflow"
    assert second(b"x", b"\xff", b"") == "XCallsOverflow"

    g = Guest(gen)
    g.do("xcall", _xcall(g, b"x", b"\xff", b""))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_xcall_sizes_checked_before_reading(gen, make_runtime, ctx):
    rt = make_runtime(limits=VMLimits(max_xcall_function_size=2, max_xcall_params_size=2))
    g = Guest(gen)
    g.do("xcall", XC(0, 32, 2**64 - 1, 3, 0, 0))
    host_error(run(rt, g, ctx), "XCallFunctionSizeOverflow")
    g = Guest(gen)
    g.do("xcall", XC(0, 32, 0, 0, 2**64 - 1, 2**64 - 1))
    host_error(run(rt, g, ctx), "XCallParamsSizeOverflow")


@pytest.mark.parametrize("fields", [(PAGE - 31, 32, 0, 0, 0, 0), (2**64 - 1, 32, 0, 0, 0, 0),
                                    (0, 32, PAGE - 1, 2, 0, 0), (0, 32, 0, 0, 2**64 - 2, 3)])
def test_xcall_out_of_bounds(gen, rt, ctx, fields):
    g = Guest(gen)
    g.do("xcall", XC(*fields))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")


def test_xcall_descriptor_out_of_bounds(rt, ctx):
    g = Guest(CURRENT)
    g.do("xcall", Desc(PAGE - 47))
    host_error(run(rt, g, ctx), "InvalidMemoryAccess")

