"""The example kvstore app (examples/kvstore, see its README) end to end, on every storage plugin."""

from __future__ import annotations

import json

import pytest

from calimero_runtime import Event, VMContext


def _j(**fields) -> bytes:
    return json.dumps(fields).encode()


@pytest.fixture
def app(rt, example_wasm, backend, ctx):
    module = rt.compile(example_wasm)
    shared = backend.shared(ctx.context_id)

    def call(method, input=b"", *, context=ctx):
        return module.run(method, input=input, context=context, storage=backend.shared(context.context_id))

    call.module = module
    call.shared = shared
    return call


def _ok(out):
    assert out.ok, out.error
    return None if out.returns is None else json.loads(out.returns)


def test_exports(app):
    assert app.module.methods == ["get", "get_or_err", "init", "len", "noop", "remove", "set", "set_then_fail"]


def test_init(app):
    out = app("init")
    assert _ok(out) is None
    assert out.logs == ("kvstore initialized",)
    assert out.root_hash is not None and len(out.root_hash) == 32
    assert out.artifact  # never empty
    assert dict(out.storage_delta) == {b"__kv_initialized": b"1"}
    assert app.shared.get(b"__kv_initialized") == b"1"


def test_reinit_is_refused_with_a_located_panic(app):
    _ok(app("init"))
    before = list(app.shared.items())
    out = app("init")
    assert not out.ok
    err = out.error
    assert (err.type, err.kind, err.context) == ("HostError", "Panic", "Guest")
    assert err.details["message"] == "already initialized"
    assert err.message == f"guest panicked: already initialized at {err.location}"
    assert err.location is not None
    assert err.location.file == "kvstore.c"
    assert err.location.line > 0
    assert err.location.column == 1
    assert "already initialized" in str(err)
    assert err.to_json()["data"]["data"]["location"]["file"] == "kvstore.c"
    assert out.storage_delta == {}
    assert list(app.shared.items()) == before


def test_set_get_remove_len(app):
    _ok(app("init"))
    assert _ok(app("len")) == 0
    assert _ok(app("get", _j(key="a"))) is None

    out = app("set", _j(key="a", value="1"))
    assert _ok(out) is None
    assert out.events == (Event("Inserted", b"a"),)
    assert out.logs == ("set a",)
    assert out.root_hash is not None and out.artifact == b"set:a"
    assert out.storage_delta[b"kv:a"] == b"1"

    out = app("set", _j(key="a", value="2"))
    assert _ok(out) == "1"
    assert out.events == (Event("Updated", b"a"),)

    _ok(app("set", _j(key="b", value="x")))
    assert _ok(app("get", _j(key="a"))) == "2"
    assert _ok(app("len")) == 2

    out = app("get", _j(key="a"))
    assert out.storage_delta == {} and out.root_hash is None and out.events == () and out.logs == ()

    out = app("remove", _j(key="a"))
    assert _ok(out) == "2"
    assert out.events == (Event("Removed", b"a"),)
    assert out.logs == ("remove a",)
    assert out.storage_delta[b"kv:a"] is None
    assert _ok(app("len")) == 1
    assert app.shared.get(b"kv:a") is None

    out = app("remove", _j(key="a"))  # absent: no event, still logs
    assert _ok(out) is None
    assert out.events == ()
    assert out.logs == ("remove a",)
    assert _ok(app("len")) == 1


def test_storage_layout(app):
    _ok(app("init"))
    _ok(app("set", _j(key="k", value="v")))
    assert list(app.shared.items()) == [(b"__kv_initialized", b"1"), (b"__kv_len", b"1"), (b"kv:k", b"v")]


def test_get_or_err(app):
    _ok(app("set", _j(key="here", value="yes")))
    assert _ok(app("get_or_err", _j(key="here"))) == "yes"
    out = app("get_or_err", _j(key="missing"))
    assert not out.ok
    assert out.error.type == "ExecutionError"
    assert out.returns is None
    assert json.loads(out.error.data) == {"error": "key not found", "key": "missing"}


def test_set_then_fail_leaves_storage_unchanged(app):
    _ok(app("init"))
    _ok(app("set", _j(key="q", value="old")))
    before = list(app.shared.items())
    out = app("set_then_fail", _j(key="q", value="new"))
    assert out.error.type == "ExecutionError"
    assert json.loads(out.error.data) == "forced failure"
    assert out.returns is None
    assert out.storage_delta == {}
    assert out.events == (Event("Updated", b"q"),)  # reported, but the node drops them with the writes
    assert list(app.shared.items()) == before
    assert _ok(app("get", _j(key="q"))) == "old"
    # a new key likewise
    out = app("set_then_fail", _j(key="fresh", value="1"))
    assert not out.ok
    assert _ok(app("get", _j(key="fresh"))) is None
    assert _ok(app("len")) == 1


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"", b"{", b'{"key": 1}', b'{"key":"a","value":2}', b'["key"]', b'{"key":"a"} trailing',
     b'{"key":"\\ud800","value":"x"}', b'{"key":"\xff","value":"x"}'],
    ids=["text", "empty", "open-brace", "non-string-key", "non-string-value", "array", "trailing",
         "lone-surrogate", "bad-utf8"],
)
def test_bad_input_panics_with_location(app, payload):
    before = list(app.shared.items())
    out = app("set", payload)
    assert not out.ok
    assert (out.error.type, out.error.kind, out.error.context) == ("HostError", "Panic", "Guest")
    assert "invalid input" in out.error.message
    assert out.error.location.file == "kvstore.c"
    assert out.error.location.line > 0
    assert list(app.shared.items()) == before


def test_set_requires_a_value(app):
    out = app("set", _j(key="a"))
    assert out.error.kind == "Panic" and "invalid input" in out.error.message


@pytest.mark.parametrize(
    ("key", "value"),
    [("ключ", "значение"), ("😀", "🎉 party"), ("日本語", "テキスト"), ('q"uo\\te', "line\nbreak\ttab"),
     ("nul\u0000inside", "\u0001\u001f"), ("mixed é ß ∑", "Ω" * 1000)],
)
def test_unicode_round_trip(app, key, value):
    out = app("set", _j(key=key, value=value))
    assert _ok(out) is None
    assert out.events == (Event("Inserted", key.encode()),)
    assert out.logs == (f"set {key}",)
    assert app.shared.get(b"kv:" + key.encode()) == value.encode()
    assert _ok(app("get", _j(key=key))) == value
    assert _ok(app("get", json.dumps({"key": key}, ensure_ascii=False).encode())) == value
    assert _ok(app("remove", _j(key=key))) == value


def test_escaped_surrogate_pair_input(app):
    out = app("set", b'{"key":"\\ud83d\\ude00","value":"ok"}')
    assert _ok(out) is None
    assert app.shared.get("kv:😀".encode()) == b"ok"


def test_contexts_are_independent(app, ctx):
    other = VMContext(context_id=b"\x99" * 32, executor_public_key=b"\x07" * 32)
    _ok(app("init"))
    _ok(app("init", context=other))  # not initialised there yet
    _ok(app("set", _j(key="k", value="here")))
    assert _ok(app("get", _j(key="k"), context=other)) is None
    assert _ok(app("len", context=other)) == 0


def test_large_value(app):
    value = "v" * (2 << 20)
    _ok(app("set", _j(key="big", value=value)))
    assert _ok(app("get", _j(key="big"))) == value


def test_noop(app):
    out = app("noop")
    assert out.ok and out.returns is None and out.logs == () and out.storage_delta == {}
