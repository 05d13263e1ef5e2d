"""A long editing session against the stdio server: random edits, requests, then a consistency check.

Drives ``dig-lsp`` over stdio with N random edits (insertions, deletions, pastes of whole
corpus files, out-of-order version numbers) interleaved with completion and hover at random
positions (also past the end). Checks that the server answers every request and stays alive,
that its final diagnostics equal a fresh ``dig_lsp.engine.analyse`` of the final text, and
reports the server's peak RSS.

    .venv/bin/python bench/edit_session.py --edits 10000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsp_wire import frame, read_message  # bench/ is not a package: found through sys.path

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import OverlayReader

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "digdag"
START = "timezone: UTC\n_export:\n  x: 1\n+a:\n  echo>: ${x}\n+b:\n  sh>: run.sh\n"
SNIPPETS = ["+t:\n  echo>: hi\n", "${", "}", "  ", "\n", "td>: q.sql\n", "_parallel: true\n", "${session_date}",
            "[", "{a: 1}", "!include : x.yml\n", "é", "😀", "\t", "call>: wf\n", "  _retry: 3\n"]
TIMEOUT = 60.0


@dataclass
class Result:
    edits: int = 0
    requests: int = 0
    answered: int = 0
    errors: int = 0
    peak_rss_kib: int = 0
    seconds: float = 0.0
    final_matches: bool = False
    problems: list[str] = field(default_factory=list)


class Server:
    """The stdio server with a reader thread sorting responses from notifications."""

    def __init__(self, cwd: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "dig_lsp.lsp.server"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd)
        self.responses: dict[int, dict[str, Any]] = {}
        self.published: dict[str, dict[str, Any]] = {}
        self.condition = threading.Condition()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while (message := read_message(stream)) is not None:
            with self.condition:
                if message.get("method") == "textDocument/publishDiagnostics":
                    self.published[message["params"]["uri"]] = message["params"]
                elif "id" in message and "method" not in message:
                    self.responses[message["id"]] = message
                self.condition.notify_all()

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(frame(message))
        self.process.stdin.flush()

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def wait(self, ident: int) -> dict[str, Any] | None:
        deadline = time.monotonic() + TIMEOUT
        with self.condition:
            while ident not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return None
                self.condition.wait(left)
            return self.responses.pop(ident)

    def rss_kib(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0


def _units(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _position(rng: random.Random, text: str) -> dict[str, int]:
    """A UTF-16 position on a character boundary, sometimes past the end of its line or the text."""
    lines = text.split("\n")
    line = rng.randrange(len(lines) + 3)
    content = lines[line] if line < len(lines) else ""
    column = rng.randrange(len(content) + 5)
    extra = max(0, column - len(content))
    return {"line": line, "character": _units(content[:column]) + extra}


def _offset(text: str, position: dict[str, int]) -> int:
    """The offset a (UTF-16) position names, clamped as LSP requires."""
    lines = text.split("\n")
    if position["line"] >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[:position["line"]])
    units = 0
    for index, char in enumerate(lines[position["line"]]):
        if units >= position["character"]:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(lines[position["line"]])


def _snippet(rng: random.Random, pastes: list[Path]) -> str:
    if pastes and rng.random() < 0.02:
        return rng.choice(pastes).read_text(encoding="utf-8", errors="replace")
    return rng.choice(SNIPPETS)


def run_session(edits: int, seed: int = 0, request_every: int = 5, out_of_order: float = 0.05) -> Result:
    """Run one session; every outcome is in the returned Result (problems empty means success)."""
    rng = random.Random(seed)
    pastes = sorted(CORPUS.rglob("*.dig"))[:50] if CORPUS.is_dir() else []
    result = Result()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "wf.dig")
        Path(path).write_text(START, encoding="utf-8")
        uri = Path(path).as_uri()
        server = Server(root)
        try:
            ident = server.request("initialize", {"processId": None, "rootUri": Path(root).as_uri(),
                                                  "capabilities": {}})
            if server.wait(ident) is None:
                result.problems.append("no answer to initialize")
                return result
            server.send({"method": "initialized", "params": {}})
            text = START
            version = 1
            server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "dig", "version": version, "text": text}}})
            pending: list[int] = []
            for step in range(edits):
                text, version = _edit(rng, server, uri, text, version, pastes, out_of_order)
                result.edits += 1
                if step % request_every == 0:
                    method = rng.choice(["textDocument/completion", "textDocument/hover"])
                    pending.append(server.request(method, {"textDocument": {"uri": uri},
                                                           "position": _position(rng, text)}))
                    result.requests += 1
                if len(pending) >= 20:
                    _collect(server, pending, result)
            _collect(server, pending, result)
            _final_check(server, uri, path, root, text, result)
            result.peak_rss_kib = server.rss_kib()
            if server.process.poll() is not None:
                result.problems.append(f"the server died with code {server.process.returncode}")
        finally:
            server.process.kill()
            server.process.wait()
            for stream in (server.process.stdin, server.process.stdout):
                if stream is not None:
                    stream.close()
    result.seconds = time.monotonic() - started
    return result


def _edit(rng: random.Random, server: Server, uri: str, text: str, version: int,
          pastes: list[Path], out_of_order: float) -> tuple[str, int]:
    kind = rng.random()
    version += 1
    sent_version = version
    if rng.random() < out_of_order:
        sent_version = rng.randrange(1, version + 1)  # out of order: an older or repeated number
    if kind < 0.02:
        text = _snippet(rng, pastes) if pastes else START
        changes: list[dict[str, Any]] = [{"text": text}]
    else:
        start = _position(rng, text)
        end = start if kind < 0.6 else _position(rng, text)
        a, b = sorted((_offset(text, start), _offset(text, end)))
        if _offset(text, start) > _offset(text, end):
            start, end = end, start
        inserted = _snippet(rng, pastes) if kind < 0.8 else ""
        text = text[:a] + inserted + text[b:]
        changes = [{"range": {"start": start, "end": end}, "text": inserted}]
    server.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": sent_version}, "contentChanges": changes}})
    return text, version


def _collect(server: Server, pending: list[int], result: Result) -> None:
    for ident in pending:
        response = server.wait(ident)
        if response is None:
            result.problems.append(f"request {ident} was not answered")
        else:
            result.answered += 1
            if "error" in response:
                result.errors += 1
                result.problems.append(f"request {ident} failed: {response['error']}")
    pending.clear()


def _final_check(server: Server, uri: str, path: str, root: str, text: str, result: Result) -> None:
    """Mark the end with an empty edit (a known version), so the server analyses the text it built
    incrementally, and compare its diagnostics with a fresh analysis of the client's text."""
    final_version = 10_000_000
    empty = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    server.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": final_version}, "contentChanges": [{"range": empty, "text": ""}]}})
    deadline = time.monotonic() + TIMEOUT
    with server.condition:
        while server.published.get(uri, {}).get("version") != final_version and time.monotonic() < deadline:
            server.condition.wait(1.0)
        published = server.published.get(uri)
    if published is None or published.get("version") != final_version:
        result.problems.append("no diagnostics for the final version")
        return
    fresh = analyse(Unit(root, (path,)), Settings(), OverlayReader({path: text.encode("utf-8")})).diagnostics
    expected = sorted((d.code, d.span.start.line) for d in fresh if d.path == path)
    got = sorted((str(d.get("code")), d["range"]["start"]["line"]) for d in published["diagnostics"])
    result.final_matches = expected == got
    if not result.final_matches:
        result.problems.append(f"final diagnostics differ: server {got[:10]} fresh {expected[:10]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-of-order", type=float, default=0.05,
                        help="share of edits sent with an older version number (default 0.05)")
    args = parser.parse_args()
    result = run_session(args.edits, args.seed, out_of_order=args.out_of_order)
    print(f"edits {result.edits}, requests {result.requests} ({result.answered} answered, {result.errors} errors), "
          f"final diagnostics match: {result.final_matches}, peak RSS {result.peak_rss_kib / 1024:.0f} MiB, "
          f"{result.seconds:.1f}s")
    for problem in result.problems[:20]:
        print("  problem:", problem)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
