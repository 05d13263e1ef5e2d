"""The language server's own input cannot break it (issue 19, class 8), over its real stdio.

Each test sends what a broken or hostile client could: frames with wrong ``Content-Length``
headers, bodies that are no JSON-RPC, requests outside the lifecycle, ``exit`` during a long
analysis, documents with Unicode line separators, a dry run that would run for minutes. The
server must answer as JSON-RPC and LSP say, keep reading the frames that follow, and exit when told.
A hang fails a test (the client's watchdog kills the server), it never hangs pytest.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from dig_lsp.lsp.framing import MAX_BODY_BYTES, Frame, FrameParser
from dig_lsp.lsp.positions import ClampingPositionCodec, LspTextDocument, lsp_lines
from tests.test_protocol_robustness import RawClient, _exits_within, _open

PROBE = {"jsonrpc": "2.0", "id": 900, "method": "dig/noSuchMethod", "params": {"text": "a probe"}}
PROBE_BODY = json.dumps(PROBE).encode()


def _header(length: object) -> bytes:
    return b"Content-Length: " + str(length).encode() + b"\r\n\r\n"


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawClient]:
    client = RawClient(tmp_path)
    client.initialize(tmp_path)
    yield client
    client.close()


def _answers(client: RawClient) -> None:
    """The server reads and answers the next frame (twice: it stays in step)."""
    for _ in range(2):
        assert client.request("dig/noSuchMethod", {})["error"]["code"] == -32601
    assert client.process.poll() is None


# ------------------------------------------------------------------------------- line counting


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_move_edits(raw: RawClient, tmp_path: Path, separator: str) -> None:
    """LSP lines end at \\n, \\r\\n and \\r only: an edit on line 2 lands on `+b:`, not elsewhere."""
    uri = (tmp_path / "wf.dig").as_uri()
    text = f'+a:\n  echo>: "x{separator}y"\n+b:\n  echo>: z\n'
    raw.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dig", "version": 1,
                                                         "text": text}})
    edit = {"range": {"start": {"line": 2, "character": 1}, "end": {"line": 2, "character": 2}}, "text": "c"}
    raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [edit]})
    symbols = raw.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    assert [symbol["name"] for symbol in symbols] == ["+a", "+c"]


def test_lsp_lines_end_only_at_lsp_line_breaks() -> None:
    text = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\r\nj\rk\nl"
    assert lsp_lines(text) == ("a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\r\n", "j\r", "k\n", "l")
    assert lsp_lines("") == ()
    assert lsp_lines("\n\n") == ("\n", "\n")


def test_an_incremental_edit_splits_only_its_lines_and_gives_the_text_a_whole_split_gives() -> None:
    """The document applies an edit to the lines it touches; the text and lines must be those of applying
    it to the whole document as pygls does (on LSP lines), whatever the line breaks: a CR and an LF that
    meet across the edit make one break, a line separator none. Random edits, seeded."""
    rng = random.Random(20)
    pieces = ["a", "b", "\n", "\r", "\r\n", "é", "😋", " ", "\u2028", "x\ny"]
    codec = ClampingPositionCodec(encoding=types.PositionEncodingKind.Utf16)
    for _ in range(3000):
        document = LspTextDocument("file:///wf.dig", source="".join(rng.choices(pieces, k=rng.randint(0, 12))),
                                   position_codec=codec)
        for _ in range(4):
            count = len(document.lines) + 1
            start = types.Position(rng.randint(0, count), rng.randint(0, 6))
            end = types.Position(rng.randint(start.line, count), rng.randint(0, 6))
            if end.line == start.line:
                end = types.Position(end.line, max(end.character, start.character))
            change = types.TextDocumentContentChangePartial(types.Range(start, end),
                                                            "".join(rng.choices(pieces, k=rng.randint(0, 3))))
            whole = LspTextDocument("file:///wf.dig", source=document.source, position_codec=codec)
            TextDocument._apply_incremental_change(whole, change)  # pygls: every line written out again
            document.apply_change(change)
            assert document.source == whole.source, change
            assert tuple(document.lines) == lsp_lines(document.source)


# ------------------------------------------------------------------------------- framing

WRONG_FRAMES: dict[str, bytes] = {
    "too short": _header(len(PROBE_BODY) - 7) + PROBE_BODY,
    "too long": _header(len(PROBE_BODY) + 40) + PROBE_BODY,
    "too long by a few bytes": _header(len(PROBE_BODY) + 3) + PROBE_BODY,
    "not a number": b"Content-Length: ten\r\n\r\n" + PROBE_BODY,
    "negative": _header(-len(PROBE_BODY)) + PROBE_BODY,
    "10^14": _header(10**14) + PROBE_BODY,
    "a 5,000-digit number": _header("9" * 5000) + PROBE_BODY,
    "no Content-Length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + PROBE_BODY,
    "junk": b"\x00\xffGET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"z" * 100_000,
    "a header that never ends": b"Content-Length: 12" + b" " * 10_000,
    "a bad header whose body quotes a header": b"Content-Length: x\r\n\r\n"
                                                + json.dumps({"text": "Content-Length: 3"}).encode(),
}


@pytest.mark.parametrize("name", list(WRONG_FRAMES))
def test_a_wrong_content_length_costs_one_frame_at_most(raw: RawClient, name: str) -> None:
    """The server resynchronises on the next header and answers the frames after it."""
    raw.write(WRONG_FRAMES[name])
    _answers(raw)
    answered = [message for message in raw.notifications if message.get("id") == 900]
    if name.startswith("too long"):  # the body before the next header was the whole message
        assert [message["error"]["code"] for message in answered] == [-32601]
    else:
        assert answered == []
    if name == "too short":
        assert raw.notifications[0]["error"]["code"] == -32700


def _bodies(chunks: list[bytes]) -> list[bytes]:
    parser = FrameParser()
    return [event.body for chunk in chunks for event in parser.feed(chunk) if isinstance(event, Frame)]


def test_frames_read_the_same_however_the_bytes_arrive() -> None:
    """Every wrong frame followed by a good one, read at once and one byte at a time: the same bodies,
    and the good frame after each wrong one is among them."""
    good = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}).encode()
    stream = b"".join(wrong + _header(len(good)) + good for wrong in WRONG_FRAMES.values())
    at_once = _bodies([stream])
    assert at_once == _bodies([stream[index:index + 1] for index in range(len(stream))])
    assert at_once.count(good) == len(WRONG_FRAMES)


def test_the_header_patterns_and_the_parser_are_linear_on_hostile_bytes() -> None:
    """As tests/test_backtracking.py does for the package's text patterns: 50,000-byte runs of what
    the header patterns repeat, searched and matched, and fed to a parser. A hang fails, in a subprocess."""
    code = textwrap.dedent("""
        import re
        from dig_lsp.lsp.framing import FrameParser, _Grammar
        patterns = [value for value in vars(_Grammar).values() if isinstance(value, re.Pattern)]
        units = [b" ", b"\\t", b"0", b"\\r", b"\\n", b"\\r\\n", b":", b"a:", b"a: b\\r\\n", b"c", b"content-length",
                 b"Content-Length:", b"Content-Length: 1\\r\\n", b"Content-Length: 1\\r\\n\\r\\n"]
        for unit in units:
            body = unit * (50_000 // len(unit))
            for data in (body + b"\\x00", b"a" + body + b"\\x00", b"1" + body):
                for pattern in patterns:
                    pattern.search(data)
                    pattern.fullmatch(data)
                FrameParser().feed(data)
        print(len(patterns))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout) == 6


def _peak_memory_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)


def test_an_oversized_frame_is_skipped_without_being_kept(raw: RawClient) -> None:
    """A real body over the bound is read through and dropped (no answer), never held in memory."""
    before = _peak_memory_kib(raw.process.pid)
    padding = "x" * (MAX_BODY_BYTES + 1)
    body = json.dumps({**PROBE, "params": {"text": padding}}).encode()
    raw.write(_header(len(body)) + body)
    _answers(raw)
    assert [message for message in raw.notifications if message.get("id") == 900] == []
    after = _peak_memory_kib(raw.process.pid)
    if before is not None and after is not None:
        assert after - before < 32 * 1024, (before, after)


# ------------------------------------------------------------------------------- JSON-RPC errors

BAD_BODIES: list[tuple[bytes, int, int | None]] = [
    (b"{this is not json", -32700, None),
    (PROBE_BODY[:-5], -32700, None),
    (b"", -32700, None),
    (b'{"jsonrpc": "2.0", "id": 1, "method": "\xff\xfe"}', -32700, None),
    (b"[" * 100_000 + b"]" * 100_000, -32700, None),
    (b'{"jsonrpc": "2.0", "id": ' + b"7" * 5000 + b', "method": "x"}', -32700, None),
    (b"[]", -32600, None),
    (b"[" + PROBE_BODY + b"]", -32600, None),
    (b"42", -32600, None),
    (b'"text"', -32600, None),
    (b"null", -32600, None),
    (b'{"id": 5, "method": "workspace/symbol", "params": {"query": ""}}', -32600, 5),
    (b'{"jsonrpc": "1.0", "id": 6, "method": "workspace/symbol", "params": {"query": ""}}', -32600, 6),
    (b'{"jsonrpc": "2.0", "id": 7, "method": 42}', -32600, 7),
    (b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "workspace/symbol"}', -32600, None),
    (b'{"jsonrpc": "2.0", "id": true, "method": "workspace/symbol"}', -32600, None),
    (b'{"jsonrpc": "2.0", "id": 1.5, "method": "workspace/symbol"}', -32600, None),
    (b'{"jsonrpc": "2.0", "id": "x"}', -32600, None),
    (b'{"jsonrpc": "2.0", "id": 8, "result": 1, "error": {"code": 1, "message": "both"}}', -32600, None),
]


def test_malformed_messages_get_parse_and_invalid_request_errors(raw: RawClient) -> None:
    for body, code, ident in BAD_BODIES:
        raw.write(_header(len(body)) + body)
        response = raw.response(ident)
        assert "result" not in response, body[:80]
        assert response["error"]["code"] == code, body[:80]
    assert raw.notifications == []
    _answers(raw)


# ------------------------------------------------------------------------------- lifecycle

HOVER = {"textDocument": {"uri": "file:///nowhere/wf.dig"}, "position": {"line": 0, "character": 0}}


def _error_code(response: dict[str, Any]) -> int | None:
    error = response.get("error")
    return error.get("code") if isinstance(error, dict) else None


def test_requests_outside_the_lifecycle_are_refused(tmp_path: Path) -> None:
    """-32002 before `initialize` (notifications dropped), -32600 for a second `initialize` and
    for anything but `exit` after `shutdown`."""
    client = RawClient(tmp_path)
    try:
        assert _error_code(client.request("textDocument/hover", HOVER)) == -32002
        assert _error_code(client.request("workspace/symbol", {"query": ""})) == -32002
        client.notify("textDocument/didOpen", {"textDocument": {"uri": (tmp_path / "wf.dig").as_uri(),
                                                                "languageId": "dig", "version": 1, "text": "x"}})
        client.initialize(tmp_path)
        assert _error_code(client.request("initialize", {"processId": None, "capabilities": {}})) == -32600
        assert "result" in client.request("textDocument/hover", HOVER)
        assert client.request("shutdown", None).get("result", "missing") is None
        for method, params in [("textDocument/hover", HOVER), ("workspace/symbol", {"query": ""}),
                               ("dig/noSuchMethod", {}), ("shutdown", None)]:
            assert _error_code(client.request(method, params)) == -32600, method
        client.notify("textDocument/didChange", {"textDocument": {"uri": (tmp_path / "wf.dig").as_uri(),
                                                                  "version": 2}, "contentChanges": []})
        client.notify("exit", None)
        assert _exits_within(client, 10.0) == 0
        assert [message for message in client.notifications if "id" in message] == []
    finally:
        client.close()


# ------------------------------------------------------------------------------- exit at once


@pytest.fixture
def slow_project(tmp_path: Path) -> Path:
    """A project whose analysis takes tens of seconds: a workflow just under the 2 MiB parsed."""
    parts, size, index = [], 0, 0
    while size < 2 * 1024 * 1024 - 1024:
        part = f"+t{index}:\n  sh>: echo ${{a{index}}} ${{moment(session_time).format('YYYY')}}\n"
        parts.append(part)
        size += len(part)
        index += 1
    (tmp_path / "big.dig").write_text("".join(parts), encoding="utf-8")
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n", encoding="utf-8")
    return tmp_path


def _analysing(project: Path) -> RawClient:
    """A server busy analysing the slow project (its unit includes big.dig)."""
    client = RawClient(project)
    client.initialize(project)
    path = project / "wf.dig"
    client.notify("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": "dig",
                                                            "version": 1, "text": path.read_text()}})
    for _ in range(2):  # round trips: the event loop has handed the analysis to its worker
        client.request("dig/noSuchMethod", {})
    return client


def test_exit_does_not_wait_for_a_running_analysis(slow_project: Path) -> None:
    client = _analysing(slow_project)
    try:
        client.notify("exit", None)
        assert _exits_within(client, 10.0) == 1
    finally:
        client.close()


def test_a_closed_input_does_not_wait_for_a_running_analysis(slow_project: Path) -> None:
    client = _analysing(slow_project)
    try:
        assert client.process.stdin is not None
        client.process.stdin.close()
        assert _exits_within(client, 10.0) == 1
    finally:
        client.close()


# ------------------------------------------------------------------------------- the dry run

DRY_RUN = "dig-lsp.server.dryRun"


@pytest.fixture
def slow_dry_run(tmp_path: Path) -> Path:
    """A workflow whose dry run takes minutes: 500 expressions, each stopped by its own budget only."""
    path = tmp_path / "wf.dig"
    expression = "${(function(){for(var i=0;i<1e9;i++){}})()}"
    path.write_text("".join(f"+t{index}:\n  echo>: {expression}\n" for index in range(500)), encoding="utf-8")
    return path


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc; empty where there is none)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()
        except OSError:
            continue
        if fields and int(fields[1]) == pid:
            found.append(int(entry.parent.name))
    return found


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_dry_run_runs_off_the_event_loop_and_can_be_cancelled(raw: RawClient, slow_dry_run: Path) -> None:
    ident = raw.start_request("workspace/executeCommand", {"command": DRY_RUN,
                                                           "arguments": [slow_dry_run.as_uri()]})
    _answers(raw)  # while the dry run runs
    raw.notify("$/cancelRequest", {"id": ident})
    assert raw.response(ident)["error"]["code"] == -32800
    if os.path.isdir("/proc"):
        assert _until(lambda: _children(raw.process.pid) == []), "the dry run's process was not stopped"
    _answers(raw)


def test_a_dry_run_is_bounded_in_total(tmp_path: Path, slow_dry_run: Path) -> None:
    client = RawClient(tmp_path, "--dry-run-seconds", "3")
    try:
        client.initialize(tmp_path)
        response = client.request("workspace/executeCommand", {"command": DRY_RUN,
                                                               "arguments": [slow_dry_run.as_uri()]})
        assert "dry run stopped" in response["result"]
        if os.path.isdir("/proc"):
            assert _until(lambda: _children(client.process.pid) == [])
        _answers(client)
    finally:
        client.close()


def test_exit_stops_a_running_dry_run(raw: RawClient, slow_dry_run: Path) -> None:
    raw.start_request("workspace/executeCommand", {"command": DRY_RUN, "arguments": [slow_dry_run.as_uri()]})
    _answers(raw)
    children = _children(raw.process.pid) if os.path.isdir("/proc") else []
    raw.notify("exit", None)
    assert _exits_within(raw, 10.0) == 1
    for child in children:
        assert _until(lambda child=child: not Path(f"/proc/{child}").exists() or _zombie(child)), child


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


# ------------------------------------------------------------------------------- hostile documents


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    (line,) = [row for row in status.splitlines() if row.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def _published(client: RawClient, uri: str) -> list[dict[str, Any]]:
    message = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                              and m["params"]["uri"] == uri)
    diagnostics: list[dict[str, Any]] = message["params"]["diagnostics"]
    return diagnostics


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_the_server_survives_every_hostile_document(tmp_path: Path) -> None:
    """Every large hostile input of ``bench/hostile.py`` (nesting, backtracking patterns, include bombs,
    aliases), opened as a document: each gets its limit's diagnostic, the server keeps answering and
    publishing for an ordinary document, and once they are closed its memory is back near its baseline."""
    from hostile import CASES  # bench/ is on sys.path (tests.test_protocol_robustness puts it there)

    client = RawClient(tmp_path)
    try:
        client.initialize(tmp_path)
        ordinary = tmp_path / "ordinary"
        ordinary.mkdir()
        text = "timezone: UTC\n+a:\n  echo>: a\n  sh>: b\n"
        uri = _open(client, ordinary / "wf.dig", text)
        assert [d["code"] for d in _published(client, uri)] == ["DL205"]
        baseline = _rss_mib(client.process.pid)
        for number, case in enumerate(c for c in CASES if not c.dry_run):
            folder = tmp_path / f"case{number}"
            folder.mkdir()
            files = case.files()
            for name, content in files.items():
                (folder / name).write_text(content, encoding="utf-8")
            hostile = _open(client, folder / "wf.dig", files["wf.dig"])
            shown = " ".join(f"{d.get('code')} {d['message']}" for d in _published(client, hostile))
            assert case.expect in shown, case.name
            client.notify("textDocument/didClose", {"textDocument": {"uri": hostile}})
            _answers(client)
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"text": text.replace("echo>: a", "echo>: c")}]})
        assert [d["code"] for d in _published(client, uri)] == ["DL205"]
        grown = _rss_mib(client.process.pid) - baseline
        assert grown < 50, f"{grown:.0f} MiB more than the {baseline:.0f} MiB before the hostile documents"
    finally:
        client.close()
