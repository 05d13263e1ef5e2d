"""The start-up front (``dig_lsp.lsp.front``) says exactly what the pygls server would have said.

It answers ``initialize`` and publishes the first diagnostics before pygls and lsprotocol are imported,
so each of its answers is held here to the server's: the ``initialize`` answer for real clients'
capabilities (and variations), the params it accepts (lsprotocol must decode all of them), the JSON of
diagnostics, and, over stdio, the order and count of what the client receives.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from lsprotocol.converters import get_converter

from dig_lsp.diagnostics import Diagnostic, Related, Severity
from dig_lsp.lsp import columns, front, initialize_shape, server
from dig_lsp.lsp.convert import to_lsp
from dig_lsp.lsp.documents import config_diagnostic
from dig_lsp.lsp.plain import diagnostic_json
from dig_lsp.text.span import Position, Span
from tests import initialize_shape_gen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from lsp_wire import frame, read_message  # bench/ is not a package: found through sys.path

CONVERTER = get_converter()
CLIENTS = sorted((Path(__import__("pytest_lsp").__file__).parent / "clients").glob("*.json"))


def _client_params(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"processId": None, "rootUri": None, "capabilities": data["capabilities"],
            "clientInfo": data.get("clientInfo", {"name": path.stem})}


class _Captured:
    """pygls's writer interface, keeping what is written."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.messages.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass


def _pygls_answer(params: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the pygls server answers ``initialize`` with (its analysis core not imported)."""
    monkeypatch.setattr(server, "_import_in_background", lambda *args, **kwargs: None)
    language_server = server.create_server()
    captured = _Captured()
    language_server.protocol.set_writer(captured)
    language_server.protocol.receive(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "initialize",
                                                 "params": params}).encode())
    [answer] = captured.messages
    return answer


# Neovim 0.9 sends textDocument.callHierarchy as a list; lsprotocol lets it pass, the front does not (the
# server answers such a client after pygls is imported, as before)
REFUSED_CLIENTS = {"neovim_v0.9.1"}


def _variants() -> list[dict[str, Any]]:
    variants = [_client_params(path) for path in CLIENTS if path.stem not in REFUSED_CLIENTS]
    base = {"processId": 12, "capabilities": {}}
    for encodings in ([], ["utf-8"], ["utf-32", "utf-8"], ["utf-7", "utf-16"], ["utf-7"], ["utf-16", "utf-8"]):
        variants.append({**base, "capabilities": {"general": {"positionEncodings": encodings}}})
    for prepare in (True, False):
        variants.append({**base, "capabilities": {"textDocument": {"rename": {"prepareSupport": prepare}}}})
    for will in (True, False, None):
        variants.append({**base, "capabilities": {"textDocument": {"synchronization": {"willSave": will}}}})
        variants.append({**base, "capabilities": {"textDocument": {"synchronization": {"willSaveWaitUntil": will}}}})
    variants.append({**base, "capabilities": {"notebookDocument": {"synchronization": {}},
                                              "workspace": {"fileOperations": {"didCreate": True, "willRename": True}},
                                              "textDocument": {"synchronization": {"willSave": True}}}})
    return variants


@pytest.mark.parametrize("params", _variants(), ids=lambda params: str(params.get("clientInfo", {}).get("name")
                                                                       or json.dumps(params["capabilities"])))
def test_the_initialize_answer_is_pyglss(params: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert front.acceptable_initialize(params)
    assert _pygls_answer(params, monkeypatch) == {"id": 7, "jsonrpc": "2.0", "result": front.initialize_result(params)}


@pytest.mark.parametrize("path", CLIENTS, ids=lambda path: path.stem)
def test_the_watchers_asked_for_after_initialized_are_pyglss(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = _client_params(path)
    monkeypatch.setattr(server, "_import_in_background", lambda *args, **kwargs: None)
    language_server = server.create_server()
    captured = _Captured()
    language_server.protocol.set_writer(captured)
    for message in ({"id": 7, "method": "initialize", "params": params}, {"method": "initialized", "params": {}}):
        language_server.protocol.receive(json.dumps({"jsonrpc": "2.0", **message}).encode())
    requests = [message for message in captured.messages if message.get("method") == "client/registerCapability"]
    assert [request["params"] for request in requests] == ([front.watchers_registration()]
                                                           if front.watchers_wanted(params) else [])


def test_the_shape_table_is_the_installed_lsprotocols() -> None:
    written = Path(initialize_shape.__file__).read_text(encoding="utf-8")
    assert written == initialize_shape_gen.render(), "run: python tests/initialize_shape_gen.py"


def test_the_encoding_names_are_lsprotocols() -> None:
    kinds = (types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf32)
    assert tuple(kind.value for kind in kinds) == (columns.UTF8, columns.UTF16, columns.UTF32)


JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)


def _values(shape: tuple[Any, ...], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for ``shape``: mostly fitting ones, sometimes any JSON (so both answers are tried)."""
    kind = shape[0]
    if kind == "class" and depth < 6:
        fields = initialize_shape.CLASSES[shape[1]]
        required = {key: _values(inner, depth + 1) for key, (inner, needed) in fields.items() if needed}
        optional = {key: _values(inner, depth + 1) for key, (inner, needed) in fields.items() if not needed}
        fitting: st.SearchStrategy[Any] = st.fixed_dictionaries(required, optional=optional)
    elif kind == "union":
        fitting = st.one_of([_values(option, depth) for option in shape[1]])
    elif kind == "list":
        fitting = st.lists(_values(shape[1], depth + 1), max_size=3)
    elif kind == "enum":
        fitting = st.sampled_from(shape[1])
    else:
        fitting = {"bool": st.booleans(), "int": st.integers(-5, 2**32), "str": st.text(max_size=5),
                   "null": st.none()}.get(kind, JSON)
    return st.one_of(fitting, fitting, fitting, JSON)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_values(("class", initialize_shape.ROOT)))
def test_lsprotocol_decodes_every_initialize_the_front_accepts(params: Any) -> None:
    if front.acceptable_initialize(params):
        CONVERTER.structure(params, types.InitializeParams)  # raises if the front accepted too much


@pytest.mark.parametrize("path", CLIENTS, ids=lambda path: path.stem)
def test_real_clients_initialize_is_accepted(path: Path) -> None:
    assert front.acceptable_initialize(_client_params(path)) == (path.stem not in REFUSED_CLIENTS)


def test_initialize_the_front_refuses() -> None:
    for params in ({"processId": "1", "capabilities": {}}, {"processId": None},
                   {"processId": None, "capabilities": {"general": {"positionEncodings": "utf-8"}}},
                   {"processId": None, "capabilities": {}, "trace": "loud"}, [], None):
        assert not front.acceptable_initialize(params)


def _diagnostics() -> list[Diagnostic]:
    here = Span("/p/wf.dig", Position(1, 2), Position(1, 9))
    astral = Span("/p/wf.dig", Position(2, 1), Position(3, 0))
    other = Span("/p/other.dig", Position(0, 0), Position(0, 4))
    return [
        Diagnostic("DL101", "a-rule", Severity.ERROR, "plain", here),
        Diagnostic("DL201", "b-rule", Severity.WARNING, "with notes", astral,
                   (Related(other, "first here"), Related(here, "and here"))),
        Diagnostic("DL301", "c-rule", Severity.INFO, "info",
                   Span("/p/gone.dig", Position(5, 3), Position(5, 30))),
        Diagnostic("DL401", "d-rule", Severity.HINT, "hint", Span("/p/wf.dig", Position(-1, -2), Position(0, 0))),
    ]


@pytest.mark.parametrize("encoding", [columns.UTF8, columns.UTF16, columns.UTF32])
@pytest.mark.parametrize("related", [True, False])
def test_plain_diagnostics_are_the_lsprotocol_ones_on_the_wire(encoding: str, related: bool) -> None:
    lines = {("/p/wf.dig", 1): "  echo>: héllo", ("/p/wf.dig", 2): "a😀b😀c", ("/p/other.dig", 0): "+tä: x"}

    def line_text(path: str, line: int) -> str | None:
        return lines.get((path, line))

    def uri_for(path: str) -> str:
        return "file://" + path

    for diagnostic in _diagnostics():
        for docs in ("https://example.com/{code}.html", "https://example.com/rules/"):
            lsp = CONVERTER.unstructure(to_lsp(diagnostic, line_text, uri_for, encoding, related, docs))
            assert diagnostic_json(diagnostic, line_text, uri_for, encoding, related, docs) == lsp


def test_a_configuration_problem_as_json_is_the_lsprotocol_one_on_the_wire() -> None:
    from dig_lsp.config import ConfigError

    for problem in (ConfigError("bad select", "/p/.dig-lint.toml", 3, 5), ConfigError("unreadable", None),
                    ConfigError("bad", "/p/.dig-lint.toml")):
        for related in (True, False):
            lsp = config_diagnostic(problem, lambda path: "file://" + path, related)
            plain = config_diagnostic(problem, lambda path: "file://" + path, related, as_json=True)
            assert plain == CONVERTER.unstructure(lsp)


def test_the_front_leaves_the_callers_params_alone() -> None:
    params = _client_params(CLIENTS[0])
    kept = copy.deepcopy(params)
    front.initialize_result(params)["capabilities"]["hoverProvider"] = False
    assert params == kept
    assert front.initialize_result(params)["capabilities"]["hoverProvider"] is True


# ---------------------------------------------------------------------- over stdio, as editors talk


class _Server:
    """The real server over its pipes (``python -m dig_lsp.lsp.server``), with a debug log."""

    def __init__(self, folder: Path, grace: float | None = None) -> None:
        self.log = folder / f"server-{len(list(folder.glob('server-*.log')))}.log"  # one per server
        command = [sys.executable, "-m", "dig_lsp.lsp.server"]
        if grace is not None:  # the front waits that long for the first analysis (0: the server takes it over;
            # a long one: the front publishes, whatever the machine's load)
            command = [sys.executable, "-c", "import sys, dig_lsp.lsp.front as front; "
                       f"front.FIRST_ANALYSIS_GRACE = {grace!r}; from dig_lsp.lsp.main import main; sys.exit(main())"]
        self.process = subprocess.Popen([*command, "--log-file", str(self.log)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=folder)

    def send(self, *messages: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"".join(frame({"jsonrpc": "2.0", **message}) for message in messages))
        self.process.stdin.flush()

    def until(self, wanted: Any) -> list[dict[str, Any]]:
        """Every message received up to and with the first that is ``wanted`` (a server that does not send
        it is killed after two minutes: the test fails, it does not hang)."""
        assert self.process.stdout is not None
        received: list[dict[str, Any]] = []
        watchdog = threading.Timer(120.0, self.process.kill)
        watchdog.start()
        try:
            while (message := read_message(self.process.stdout)) is not None:
                received.append(message)
                if wanted(message):
                    return received
        finally:
            watchdog.cancel()
        raise AssertionError(f"the server ended; received {received}")

    def close(self) -> int:
        """Shut the server down as an editor does; its exit code."""
        self.send({"id": "down", "method": "shutdown"}, {"method": "exit"})
        self.until(lambda message: message.get("id") == "down")
        return self.wait()

    def wait(self) -> int:
        """Its exit code, once it ended (killed after a minute), its pipes closed."""
        try:
            return self.process.wait(timeout=60)
        finally:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()


def _initialize(root: Path, **capabilities: Any) -> dict[str, Any]:
    return {"id": 1, "method": "initialize",
            "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities}}


def _open(path: Path, text: str, version: int = 1) -> dict[str, Any]:
    return {"method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": path.as_uri(), "languageId": "dig", "version": version, "text": text}}}


def _published(message: dict[str, Any]) -> bool:
    return message.get("method") == "textDocument/publishDiagnostics"


PATIENT = 120.0  # a grace no first analysis outlasts, even on a busy machine: the front publishes
WORKFLOW = "+a:\n  echo>: hi\n  _retry: many\n+b:\n  sh>: echo ${undefined_name\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def test_the_first_diagnostics_come_before_pygls_is_imported_and_only_once(project: Path) -> None:
    workflow = project / "wf.dig"
    client = _Server(project, grace=PATIENT)
    client.send(_initialize(project), {"method": "initialized", "params": {}}, _open(workflow, WORKFLOW))
    received = client.until(_published)
    assert [message.get("id") for message in received] == [1, None]
    assert received[1]["params"]["version"] == 1
    assert received[1]["params"]["diagnostics"]
    # an edit: the next publication is the edited text's, and the first text was analysed once
    client.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": workflow.as_uri(), "version": 2},
        "contentChanges": [{"text": WORKFLOW.replace("many", "3")}]}})
    later = client.until(lambda message: _published(message) and message["params"]["version"] == 2)
    assert not [message for message in later if message.get("id") == 1 or
                (_published(message) and message["params"]["version"] == 1)]
    assert client.close() == 0
    log = client.log.read_text(encoding="utf-8")
    assert "first diagnostics published; lsprotocol not imported" in log
    assert log.count(f"analysed {workflow.as_uri()} in") == 2


def test_the_front_and_the_server_publish_the_same_diagnostics(project: Path) -> None:
    """The same document, opened first (published by the front) and opened second (by the server)."""
    second = project / "second.dig"
    second.write_text(WORKFLOW, encoding="utf-8")
    client = _Server(project)
    capabilities = {"textDocument": {"publishDiagnostics": {"relatedInformation": True}},
                    "general": {"positionEncodings": ["utf-8"]}}
    client.send(_initialize(project, **capabilities), _open(project / "wf.dig", WORKFLOW))
    first = client.until(_published)[-1]["params"]
    client.send(_open(second, WORKFLOW))
    by_server = client.until(lambda message: _published(message) and message["params"]["uri"] == second.as_uri())
    assert by_server[-1]["params"]["diagnostics"] == first["diagnostics"]
    assert client.close() == 0


def test_the_answer_to_the_watchers_request_does_not_stop_the_front(project: Path) -> None:
    workflow = project / "wf.dig"
    client = _Server(project, grace=PATIENT)
    watching = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
    client.send(_initialize(project, **watching), {"method": "initialized", "params": {}})
    *_, request = client.until(lambda message: message.get("method") == "client/registerCapability")
    assert request["params"] == front.watchers_registration()
    client.send({"id": request["id"], "result": None}, _open(workflow, WORKFLOW))
    client.until(_published)
    assert client.close() == 0
    assert "first diagnostics published; lsprotocol not imported" in client.log.read_text(encoding="utf-8")


def test_a_first_analysis_longer_than_the_grace_is_published_by_the_server(project: Path) -> None:
    workflow = project / "wf.dig"
    by_front = _Server(project)
    by_front.send(_initialize(project), _open(workflow, WORKFLOW))
    expected = by_front.until(_published)[-1]["params"]
    assert by_front.close() == 0
    client = _Server(project, grace=0.0)
    client.send(_initialize(project), {"method": "initialized", "params": {}}, _open(workflow, WORKFLOW))
    assert client.until(_published)[-1]["params"] == expected
    client.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": workflow.as_uri(), "version": 2},
        "contentChanges": [{"text": WORKFLOW.split("+b:")[0]}]}})
    edited = client.until(lambda message: _published(message) and message["params"]["version"] == 2)[-1]
    assert edited["params"]["diagnostics"] != expected["diagnostics"]
    assert client.close() == 0
    log = client.log.read_text(encoding="utf-8")
    assert "first diagnostics published" not in log  # the server did
    assert log.count(f"analysed {workflow.as_uri()} in") == 1  # the edit's (the server logs its own analyses)


def test_settings_sent_before_the_document_apply_to_its_first_diagnostics(project: Path) -> None:
    client = _Server(project)
    settings = {"settings": {"dig-lsp": {"select": ["DL0"]}}}
    client.send(_initialize(project), {"method": "initialized", "params": {}},
                {"method": "workspace/didChangeConfiguration", "params": settings}, _open(project / "wf.dig", WORKFLOW))
    selected = client.until(_published)[-1]["params"]["diagnostics"]
    assert client.close() == 0
    everything = _Server(project)
    everything.send(_initialize(project), _open(project / "wf.dig", WORKFLOW))
    all_codes = {diagnostic["code"] for diagnostic in everything.until(_published)[-1]["params"]["diagnostics"]}
    assert everything.close() == 0
    assert {diagnostic["code"] for diagnostic in selected} < all_codes


def test_a_request_before_the_document_is_answered_in_order(project: Path) -> None:
    client = _Server(project)
    client.send(_initialize(project), {"id": 2, "method": "workspace/symbol", "params": {"query": "a"}},
                _open(project / "wf.dig", WORKFLOW))
    received = client.until(_published)
    assert [message.get("id") for message in received] == [1, 2, None]
    assert client.close() == 0


def test_initialize_params_lsprotocol_refuses_are_left_to_pygls(project: Path) -> None:
    client = _Server(project)
    bad = _initialize(project)
    bad["params"]["processId"] = "x"
    client.send(bad)
    [answer] = client.until(lambda message: message.get("id") == 1)
    assert "error" in answer
    client.send(_initialize(project))  # pygls refused the first: the server is not initialised yet
    assert "result" in client.until(lambda message: message.get("id") == 1)[-1]
    assert client.close() == 0


def test_exit_before_the_document_ends_the_server_as_lsp_says(project: Path) -> None:
    client = _Server(project)
    client.send(_initialize(project), {"method": "exit"})
    assert client.wait() == 1  # exit without shutdown
