"""Start-up: how long an editor or a shell waits before the tools first answer.

Why: what people meet first is start-up. An editor probes ``dig-lsp --version``, then waits for the
first diagnostics of the file it opened; a shell prompt with a completion or a pre-commit hook runs
``dig-lint --version``. Measured in interleaved rounds (each round runs every command once, so a busy
moment of the shared machine hits them all), with the interpreter's own start as the floor:

* ``floor``: ``python -c pass`` (what any Python tool pays);
* ``dig-lint --version`` and ``dig-lsp --version``;
* ``spawn -> initialize``: from starting ``python -m dig_lsp.lsp.server`` to the answer to
  ``initialize`` (given by the start-up front, ``dig_lsp.lsp.front``, before anything heavy is
  imported);
* ``spawn -> diagnostics``: from starting the server to the first ``publishDiagnostics`` of a
  generated 300-line workflow (``initialize``, ``initialized`` and ``didOpen`` sent at once). The
  front imports the analysis core, analyses and publishes; pygls and lsprotocol are imported after;
* ``spawn -> documentSymbol``: another server, the same messages and a ``documentSymbol`` request sent
  with them (as VS Code asks for symbols, code lenses and tokens at once): when the first request is
  answered (after pygls's import).

``--tree NAME=PATH`` (repeatable) also times the two spawn measures with the server from a source tree
(``git archive COMMIT dig_lsp schemas | tar -x -C PATH``, as ``compare_trees.py`` takes them), in the
same rounds: how a change to start-up is compared before/after.

Targets (PASS/FAIL, on the median): the ``--version`` commands under 0.3 s, spawn -> diagnostics
under 0.5 s (issue 20; issue 17 asked for 1 s). ``python -X importtime`` shows where the time goes:
``python -X importtime -c "import dig_lsp.lsp.server" 2>&1 | sort -t'|' -k2 -n | tail``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lsp import write_project  # bench/ is not a package: found through sys.path
from lsp_wire import frame, read_message

# Measured as installed tools run: with their bytecode caches. A shell that sets PYTHONDONTWRITEBYTECODE
# (some CI images do) would make every run compile all of dig_lsp again, a fifth of a second that
# yamllint, installed with its caches, never pays.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

BIN = Path(sys.executable).parent
TARGETS = {"dig-lint --version": 0.3, "dig-lsp --version": 0.3, "spawn -> diagnostics": 0.5}


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def spawn_to_diagnostics(workflow: Path, tree: str | None = None, symbols: bool = False) -> tuple[float, float]:
    """Seconds from starting the server to its answer to ``initialize``, and to the first diagnostics of
    ``workflow`` (with ``symbols``: to the answer to a ``documentSymbol`` request sent with ``didOpen``,
    as VS Code sends its first requests); the server from source ``tree`` (a copy of ``dig_lsp/`` and
    ``schemas/``, as ``compare_trees.py`` takes them) when given, else the installed one."""
    command, env = [sys.executable, "-m", "dig_lsp.lsp.server"], None
    if tree is not None:  # -P: the current folder must not come before PYTHONPATH
        command, env = [sys.executable, "-P", "-m", "dig_lsp.lsp.server"], {**os.environ, "PYTHONPATH": tree}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=workflow.parent, env=env)
    assert process.stdin is not None
    assert process.stdout is not None
    uri = workflow.as_uri()
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": os.getpid(), "rootUri": workflow.parent.as_uri(), "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dig", "version": 1, "text": workflow.read_text(encoding="utf-8")}}},
    ]
    if symbols:
        messages.append({"jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
                         "params": {"textDocument": {"uri": uri}}})
    process.stdin.write(b"".join(frame(message) for message in messages))
    process.stdin.flush()
    answered = float("nan")
    try:
        while (message := read_message(process.stdout)) is not None:
            if message.get("id") == 1 and "method" not in message:
                answered = time.perf_counter() - started
            if symbols and message.get("id") == 2 and "method" not in message:
                return answered, time.perf_counter() - started
            if (not symbols and message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri):
                return answered, time.perf_counter() - started
            if "id" in message and "method" in message:  # a request from the server: answer it
                process.stdin.write(frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
                process.stdin.flush()
        raise RuntimeError("the server ended before answering")
    finally:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                        help="also time the server from this source tree, in the same rounds (repeatable)")
    args = parser.parse_args()
    trees: list[tuple[str, str | None]] = [("", None), *(_named(item) for item in args.tree)]
    with tempfile.TemporaryDirectory() as folder:
        workflow = write_project(Path(folder), 300)
        commands = {
            "floor (python -c pass)": lambda: _timed([sys.executable, "-c", "pass"]),
            "dig-lint --version": lambda: _timed([str(BIN / "dig-lint"), "--version"]),
            "dig-lsp --version": lambda: _timed([str(BIN / "dig-lsp"), "--version"]),
        }
        spawned = [(suffix, tree) for name, tree in trees for suffix in [f" [{name}]" if name else ""]]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for suffix, _tree in spawned:
            times.update({f"spawn -> {what}{suffix}": [] for what in ("initialize", "diagnostics", "documentSymbol")})
        for _suffix, tree in spawned:  # untimed: compile each tree's bytecode
            spawn_to_diagnostics(workflow, tree)
        for _ in range(args.rounds):
            for name, measure in commands.items():
                times[name].append(measure())
            for suffix, tree in spawned:
                answered, published = spawn_to_diagnostics(workflow, tree)
                times[f"spawn -> initialize{suffix}"].append(answered)
                times[f"spawn -> diagnostics{suffix}"].append(published)
                times[f"spawn -> documentSymbol{suffix}"].append(spawn_to_diagnostics(workflow, tree, symbols=True)[1])
    rows = {name: {"min": min(values), "median": statistics.median(values), "max": max(values)}
            for name, values in times.items()}
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(26, *(len(name) for name in rows))
    print(f"{'measure':<{width}} {'min':>8} {'median':>8} {'max':>8}  target")
    for name, row in rows.items():
        target = TARGETS.get(name.split(" [")[0])
        verdict = "" if target is None else f"< {target:g} s {'PASS' if row['median'] < target else 'FAIL'}"
        print(f"{name:<{width}} {row['min']:8.3f} {row['median']:8.3f} {row['max']:8.3f}  {verdict}")
    return 0


def _named(item: str) -> tuple[str, str]:
    name, _, path = item.partition("=")
    if not name or not path:
        raise SystemExit(f"--tree wants NAME=PATH, got {item!r}")
    return name, path


if __name__ == "__main__":
    sys.exit(main())
