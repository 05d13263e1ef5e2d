"""Hostile inputs, each linted by dig-lint in a subprocess under a timeout: elapsed time and peak RSS.

The large variants of what the suite holds the linter to (tests/test_pathological.py,
tests/test_backtracking.py): nesting opened by every construct YAML has, regular expressions fed
what made them backtrack, `!include` bombs, and the older limits for comparison. Each case is
written to its own temporary folder and run as `dig-lint [dry-run] PATH` under `/usr/bin/time`;
a case that passes `--timeout` is reported as TIMEOUT (and counts as a failure).

    .venv/bin/python bench/hostile.py                  # every case, a table
    .venv/bin/python bench/hostile.py --only include   # the cases whose name contains "include"
    .venv/bin/python bench/hostile.py --json

Exit code 0 when every case finished with exit 0 or 1 (findings) within the timeout, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

# Measured as installed tools run: with their bytecode caches. A shell that sets PYTHONDONTWRITEBYTECODE
# (some CI images do) would make every run compile all of dig_lsp again, a fifth of a second that
# yamllint, installed with its caches, never pays.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

BIN = Path(sys.executable).parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """A project to write (file name -> text), what to run on ``wf.dig``, and what the run must report."""

    name: str
    files: Callable[[], dict[str, str]]
    expect: str  # a text the output (standard output or error) must hold
    dry_run: bool = False
    exits: tuple[int, ...] = (0, 1)  # the exit codes that are right


@dataclass
class Outcome:
    name: str
    input_bytes: int
    exit: int | None
    seconds: float
    peak_rss_mib: float
    verdict: str


def _task(text: str = "hi") -> str:
    return f"+t:\n  echo>: {text}\n"


def _include_bomb(shape: str, levels: int = 10, times: int = 10) -> dict[str, str]:
    """wf.dig includes f1.yml ten times, f1.yml f2.yml ten times...: 10^10 nodes expanded."""
    def includes(name: str) -> list[str]:
        if shape == "values":
            return [f"v{i}: !include {name}" for i in range(times)]
        return [f"!include : {name}"] * times

    files = {f"f{level}.yml": "\n".join(includes(f"f{level + 1}.yml") if level < levels else ["x: 1"]) + "\n"
             for level in range(1, levels + 1)}
    files["wf.dig"] = "_export:\n" + "".join(f"  {line}\n" for line in includes("f1.yml")) + _task()
    return files


def _deep_includes(files: int = 12, depth: int = 900) -> dict[str, str]:
    """Each file within the nesting limit, the next one included at its bottom."""
    project = {f"f{level}.yml": "a:\n  " + "- " * depth + (f"!include f{level + 1}.yml" if level < files else "x")
               + "\n" for level in range(1, files + 1)}
    project["wf.dig"] = "_export:\n  a: !include f1.yml\n" + _task("${a}")
    return project


def _laughs() -> dict[str, str]:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]" for level in range(1, 10)]
    return {"wf.dig": "\n".join(lines) + "\n" + _task()}


ONE_MEGA = 1_000_000
CASES: tuple[Case, ...] = (
    # 1. nesting: every construct that opens a level (ruamel's C composer recursed once per level)
    Case("nesting: '- ' on one line (80 KB)", lambda: {"wf.dig": "a:\n  " + "- " * 40_000 + "x\n"}, "DL114"),
    Case("nesting: '- ' on one line (2 MB)", lambda: {"wf.dig": "a:\n  " + "- " * ONE_MEGA + "x\n"}, "DL114"),
    Case("nesting: '? ' on one line (2 MB)", lambda: {"wf.dig": "? " * ONE_MEGA + "x\n"}, "DL114"),
    Case("nesting: '? - ' on one line (2 MB)", lambda: {"wf.dig": "? " + "- ? " * (ONE_MEGA // 2) + "x\n"}, "DL114"),
    Case("nesting: brackets after quoted closers (2 MB)",
         lambda: {"wf.dig": "a: " + '[ "]", ' * 290_000 + "\n"}, "DL114"),
    Case("nesting: brackets after commented closers (2 MB)", lambda: {"wf.dig": "a:\n" + "  [ # ]\n" * 290_000},
         "DL114"),
    Case("nesting: indentation after line separators (1.4 MB)",
         lambda: {"wf.dig": "a:\u2028" + "".join(" " * i + "-\u2028" for i in range(1, 1700))}, "DL114"),
    Case("nesting: 990 nested complex keys (key text cut)", lambda: {"wf.dig": "? " * 990 + "x\n"}, "DL201"),
    Case("nesting: 60,000 quoted brackets, one real level (exact count)",
         lambda: {"wf.dig": "x: [" + ", ".join(['"[[{"'] * 20_000) + "]\n" + _task("${x}")}, "DL"),
    # 2. regular expressions fed what made them backtrack
    Case("regex: skip_delayed_by of 100,000 spaces (was n^4)",
         lambda: {"wf.dig": 'schedule:\n  daily>: 07:00:00\n  skip_delayed_by: "' + " " * 100_000 + 'x"\n' + _task()},
         "skip_delayed_by"),
    Case("regex: wait> of 100,000 spaces (schema pattern, was n^4)",
         lambda: {"wf.dig": '+w:\n  wait>: "' + " " * 100_000 + 'x"\n'}, "DL"),
    Case("regex: ${()/**/.../**/x} with 5,000 comments (was 2^n)",
         lambda: {"wf.dig": _task("${()" + "/**/" * 5_000 + "x}")}, "DL501"),
    Case("regex: moment(text, format) with 40 adjacent separators (was exponential)",
         lambda: {"wf.dig": _task("${moment('" + "-" * 80 + "', '" + "-[-]" * 40 + "-[x]YYYY').format()}")},
         "+wf+t", dry_run=True),
    Case("regex: Number() of 300,000 digits and a letter (was n^2)",
         lambda: {"wf.dig": "_export:\n  s: '" + "1" * 300_000 + "x'\n" + _task("${Number(s) + parseFloat(s)}")},
         "+wf+t", dry_run=True),
    # 3. !include
    Case("include: bomb, 10 levels x 10 value includes (10^10 nodes)", lambda: _include_bomb("values"), "DL114"),
    Case("include: bomb, 10 levels x 10 merged key includes", lambda: _include_bomb("keys"), "DL114"),
    Case("include: 12 files of 900 levels, each including the next", _deep_includes, "DL114"),
    # 5. third-party parsing, bounded by structure
    Case("sql: 25 KB query of 5,000 chained [ ] subscripts (sqlglot: minutes)",
         lambda: {"wf.dig": "+t:\n  td>:\n  database: d\n  query: SELECT a" + "[1]" * 5_000 + " FROM t\n"},
         "DL602"),
    # 7. memory: a py> module is parsed only up to 256 KiB (its syntax tree takes ~200 times the file)
    Case("python: 12 MB py> module (2.5 GB when parsed whole)",
         lambda: {"big.py": "def run():\n    pass\n" + "X = [" + "1, " * 4_000_000 + "]\n",
                  "wf.dig": "+t:\n  py>: big.run\n"}, "DL413"),
    # 9. the configuration file is input too: exit 2 with its position, no traceback
    Case("config: 100,000 nested arrays", lambda: {".dig-lint.toml": "select = " + "[" * 100_000 + "\n",
                                                    "wf.dig": _task()}, ".dig-lint.toml:1:", exits=(2,)),
    Case("config: a 1,000,000-digit integer", lambda: {".dig-lint.toml": "x = 1" + "0" * 1_000_000 + "\n",
                                                       "wf.dig": _task()}, ".dig-lint.toml:1:", exits=(2,)),
    # older limits, for comparison
    Case("aliases: billion laughs", _laughs, "DL114"),
)


def run(case: Case, timeout: float) -> Outcome:
    """Write ``case`` to a temporary folder and lint it; time and peak RSS come from /usr/bin/time."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        size = 0
        for name, text in case.files().items():
            (root / name).write_text(text, encoding="utf-8")
            size += len(text.encode("utf-8"))
        report = root / "time.txt"
        command = ["/usr/bin/time", "-f", "%e %M", "-o", str(report), str(BIN / "dig-lint"),
                   *(["dry-run"] if case.dry_run else []), str(root / "wf.dig")]
        started = time.monotonic()
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return Outcome(case.name, size, None, time.monotonic() - started, 0.0, "TIMEOUT")
        seconds, kib = report.read_text(encoding="utf-8").split()[-2:]
        ok = result.returncode in case.exits and case.expect in result.stdout + result.stderr
        verdict = "ok" if ok else f"unexpected (exit {result.returncode}): {result.stderr.strip()[-200:]}"
        return Outcome(case.name, size, result.returncode, float(seconds), int(kib) / 1024, verdict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case (default 120)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    args = parser.parse_args()
    if not (BIN / "dig-lint").exists() or not Path("/usr/bin/time").exists():
        print("needs dig-lint next to this interpreter and /usr/bin/time", file=sys.stderr)
        return 2
    outcomes = []
    for case in CASES:
        if args.only in case.name:
            outcomes.append(run(case, args.timeout))
            if not args.json:
                _print_row(outcomes[-1])
    if args.json:
        print(json.dumps([asdict(outcome) for outcome in outcomes], indent=2))
    return 0 if all(outcome.verdict == "ok" for outcome in outcomes) else 1


def _print_row(outcome: Outcome) -> None:
    print(f"{outcome.name:<72} {outcome.input_bytes / MIB:6.2f} MiB  {outcome.seconds:6.2f} s  "
          f"{outcome.peak_rss_mib:7.1f} MiB  exit {outcome.exit}  {outcome.verdict}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
