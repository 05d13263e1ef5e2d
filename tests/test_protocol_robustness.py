"""The stdio server answers bad requests with protocol errors, stays up, and exits when its client goes.

Driven with raw JSON-RPC frames (not a client library) so requests a well-behaved client would
never send -- unknown methods, malformed params, positions past the end -- can be sent as is.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from lsp_wire import frame, read_message  # bench/ is not a package: found through sys.path

TIMEOUT = 20.0


class RawClient:
    """A JSON-RPC client over the server's stdin/stdout (``options`` go to the server's command line)."""

    def __init__(self, cwd: Path, *options: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "dig_lsp.lsp.server", *options],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd=cwd)
        self.next_id = 0
        self.notifications: list[dict[str, Any]] = []  # messages received but not waited for (yet)

    def send(self, message: dict[str, Any]) -> None:
        self.write(frame(message))

    def write(self, data: bytes) -> None:
        """Bytes as they are: frames with whatever headers a test wants."""
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        message = read_message(self.process.stdout)
        if message is None:
            raise EOFError("the server closed its output")
        return message

    def start_request(self, method: str, params: Any) -> int:
        """Send a request without waiting for its response; its id."""
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def request(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request and return its response (notifications met on the way are kept)."""
        return self.response(self.start_request(method, params))

    def response(self, ident: int | str | None) -> dict[str, Any]:
        """The response with ``ident`` (None: an error answering a message whose id was unreadable)."""
        return self.wait_for(lambda message: message.get("id", "absent") == ident and "method" not in message)

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first message, kept or new, that is ``wanted`` (the others are kept)."""
        for index, message in enumerate(self.notifications):
            if wanted(message):
                return self.notifications.pop(index)
        watchdog = threading.Timer(TIMEOUT, self.process.kill)  # an unanswered request fails, not hangs
        watchdog.start()
        try:
            while True:
                message = self.receive()
                if wanted(message):
                    return message
                self.notifications.append(message)
        finally:
            watchdog.cancel()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def initialize(self, root: Path) -> None:
        response = self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        assert "result" in response
        self.notify("initialized", {})

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def raw(tmp_path: Path) -> Any:
    client = RawClient(tmp_path)
    client.initialize(tmp_path)
    yield client
    client.close()


def _open(client: RawClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dig", "version": version,
                                                            "text": text}})
    return uri


def _alive(client: RawClient) -> None:
    response = client.request("workspace/symbol", {"query": ""})
    assert "result" in response or "error" in response
    assert client.process.poll() is None


def test_unknown_methods_are_method_not_found(raw: RawClient) -> None:
    response = raw.request("dig/noSuchMethod", {"x": 1})
    assert response["error"]["code"] == -32601
    raw.notify("dig/noSuchNotification", {})
    raw.notify("$/noSuchOptionalNotification", {})
    _alive(raw)


BAD_PARAMS = [None, 42, "text", [], {}, {"textDocument": 7},
              {"textDocument": {"uri": "file:///x.dig"}, "position": {"line": "a"}},
              {"textDocument": {"uri": "file:///x.dig"}, "position": {"line": -1, "character": -5}}]


def test_bad_params_are_protocol_errors(raw: RawClient) -> None:
    for params in BAD_PARAMS:
        response = raw.request("textDocument/hover", params)
        if "error" in response:
            assert response["error"]["code"] in (-32602, -32600, -32603)
        else:
            assert response["result"] is None
        raw.notify("textDocument/didOpen", params)
        raw.notify("textDocument/didChange", params)
        _alive(raw)


METHODS = ["textDocument/hover", "textDocument/definition", "textDocument/completion",
           "textDocument/references", "textDocument/documentSymbol", "textDocument/codeAction"]


def _params(method: str, uri: str, position: dict[str, int]) -> dict[str, Any]:
    params: dict[str, Any] = {"textDocument": {"uri": uri}}
    if method == "textDocument/codeAction":
        params.update(range={"start": position, "end": position}, context={"diagnostics": []})
    elif method != "textDocument/documentSymbol":
        params["position"] = position
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    return params


def test_requests_for_unopened_documents(raw: RawClient, tmp_path: Path) -> None:
    uri = (tmp_path / "never-opened.dig").as_uri()
    for method in METHODS:
        response = raw.request(method, _params(method, uri, {"line": 3, "character": 4}))
        assert "error" not in response, (method, response)
        result = response.get("result")
        assert not (result.get("items") if isinstance(result, dict) else result)
    _alive(raw)


def test_positions_past_the_end(raw: RawClient, tmp_path: Path) -> None:
    uri = _open(raw, tmp_path / "wf.dig", "+a:\n  echo>: ${x}\n")
    for line, character in [(0, 10_000), (500, 0), (500, 500), (2**31 - 1, 2**31 - 1)]:
        for method in METHODS:
            response = raw.request(method, _params(method, uri, {"line": line, "character": character}))
            assert "error" not in response, (method, line, character, response)
    _alive(raw)


def test_edits_past_the_end_and_stale_versions(raw: RawClient, tmp_path: Path) -> None:
    uri = _open(raw, tmp_path / "wf.dig", "+a:\n  echo>: hi\n", version=5)
    far = {"start": {"line": 99, "character": 99}, "end": {"line": 120, "character": 0}}
    raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6},
                                          "contentChanges": [{"range": far, "text": "+b:\n  echo>: ${y}\n"}]})
    raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                          "contentChanges": [{"text": "+c:\n  echo>: old\n"}]})
    raw.notify("textDocument/didChange", {"textDocument": {"uri": (tmp_path / "unopened.dig").as_uri(),
                                                           "version": 1}, "contentChanges": [{"text": "x"}]})
    response = raw.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 1, "character": 4}})
    assert "error" not in response
    _alive(raw)


def test_garbage_frames_do_not_kill_the_server(raw: RawClient) -> None:
    assert raw.process.stdin is not None
    body = b"{this is not json"
    raw.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    body = b'{"jsonrpc": "2.0", "id": "x"}'
    raw.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    raw.process.stdin.flush()
    _alive(raw)


def _exits_within(client: RawClient, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code = client.process.poll()
        if code is not None:
            return code
        time.sleep(0.05)
    raise AssertionError(f"the server was still running {seconds}s after its client went away")


def test_a_vanished_client_ends_the_server(tmp_path: Path) -> None:
    client = RawClient(tmp_path)
    try:
        client.initialize(tmp_path)
        _open(client, tmp_path / "wf.dig", "+a:\n  echo>: ${x}\n")
        assert client.process.stdin is not None
        assert client.process.stdout is not None
        client.process.stdin.close()
        client.process.stdout.close()
        assert _exits_within(client, 10.0) == 1  # gone without `shutdown`
    finally:
        client.close()


def test_exit_without_shutdown_ends_the_server(tmp_path: Path) -> None:
    client = RawClient(tmp_path)
    try:
        client.initialize(tmp_path)
        client.notify("exit", None)
        assert _exits_within(client, 10.0) == 1  # the LSP spec: 1 without `shutdown`
    finally:
        client.close()


def test_shutdown_then_exit_ends_the_server_with_0(tmp_path: Path) -> None:
    client = RawClient(tmp_path)
    try:
        client.initialize(tmp_path)
        assert client.request("shutdown", None).get("result", "missing") is None
        client.notify("exit", None)
        assert _exits_within(client, 10.0) == 0
    finally:
        client.close()


def _edit_session() -> Any:
    spec = importlib.util.spec_from_file_location("edit_session", Path(__file__).resolve().parent.parent / "bench"
                                                  / "edit_session.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("edit_session", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 2])
def test_a_300_edit_session_in_order(seed: int) -> None:
    result = _edit_session().run_session(300, seed=seed, out_of_order=0.0)
    assert result.problems == []
    assert result.edits == 300
    assert result.answered == result.requests == 60
    assert result.final_matches


@pytest.mark.parametrize("seed", [0, 1])
def test_a_300_edit_session_with_out_of_order_versions(seed: int) -> None:
    """Reused and reordered version numbers, edits past the end of lines and of the document: the
    server stays up, answers everything, and its final diagnostics are those of a fresh analysis
    of the client's text. (Seed 1 used to differ: pygls placed an edit past the end of the last
    line one character early, so the server's text was not the client's.)"""
    result = _edit_session().run_session(300, seed=seed)
    assert result.problems == []
    assert result.answered == result.requests == 60
    assert result.final_matches


def test_a_10000_edit_session() -> None:
    """The issue's long session: 10,000 random edits (inserts, deletes, whole-file pastes, reused and
    reordered versions, positions past the end) with 2,000 completion/hover requests at random places.
    The server answers all of them, its final diagnostics equal a fresh analysis of the client's text,
    and its memory stays flat (about 150 MiB peak; the parse cache keeps two versions per file)."""
    result = _edit_session().run_session(10_000, seed=3)
    assert result.problems == []
    assert result.edits == 10_000
    assert result.answered == result.requests == 2_000
    assert result.final_matches
    assert result.peak_rss_kib < 400 * 1024
