"""Hostile input: what a pull request (or a shared CI cache) can plant, and what it must not achieve.

The linter runs in CI on untrusted pull requests and in editors on any folder. One test per class of
attack: reading (and printing) files outside the project, hanging on FIFOs and devices, a poisoned
result cache, and output that injects commands into CI logs. A case that could hang runs in a
subprocess with a timeout, so a regression fails the test instead of hanging pytest.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dig_lsp.analysis.scope import build_scopes
from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.project import load_project
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import DiskReader
from dig_lsp.text.quote import MAX_QUOTED_CHARS
from tests.conftest import lint_paths

BIN = Path(sys.executable).parent
SECRET = "AKIA_THE_CI_SECRET_0123456789"
FORMATS = ("text", "json", "sarif", "github")


def _dig_lint(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
              memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """``dig-lint ARGS`` in a subprocess; ``memory`` caps its address space (so reading a device dies
    quickly with a MemoryError instead of exhausting the machine)."""
    command = [str(BIN / "dig-lint"), *args]
    if memory is not None:
        limit = (f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory})); "
                 "from dig_lsp.cli.main import main; sys.exit(main())")
        command = [sys.executable, "-c", limit, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


# --------------------------------------------------------------------- 1. nothing outside is read or printed


def _secret_outside(tmp_path: Path) -> tuple[Path, Path]:
    """(project, outside folder holding a secret file, a Ruby store and a Python module)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "environ").write_text(f"GITHUB_TOKEN={SECRET}\n", encoding="utf-8")
    (outside / "store.rb").write_text("Digdag.env.store(leaked_rb: 1)\n", encoding="utf-8")
    (outside / "mod.py").write_text("def other():\n    pass\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    return project, outside


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_workflow_linked_out_of_the_project_is_neither_read_nor_printed(tmp_path: Path, fmt: str) -> None:
    """``evil.dig -> /proc/self/environ``: its text was a DL104 message and a snippet in public CI logs."""
    project, outside = _secret_outside(tmp_path)
    (project / "evil.dig").symlink_to(outside / "environ")
    (project / "wf.dig").write_text("+t:\n  echo>: hi\n", encoding="utf-8")
    result = _dig_lint("--no-cache", "--format", fmt, str(project))
    assert SECRET not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def test_paths_of_tasks_never_lead_the_analysis_out_of_the_project(tmp_path: Path) -> None:
    """``rb> require:`` was read without the inside-the-project check, through links and ``..`` alike;
    ``py>`` modules were read through a linked package folder."""
    project, outside = _secret_outside(tmp_path)
    (project / "lib").symlink_to(outside, target_is_directory=True)
    (project / "wf.dig").write_text(
        "+linked:\n  rb>: Store.run\n  require: lib/store\n"
        "+climbing:\n  rb>: Store.run\n  require: ../outside/store\n"
        f"+absolute:\n  rb>: Store.run\n  require: {outside / 'store'}\n"
        "+py:\n  py>: lib.mod.missing\n"
        "+after:\n  echo>: x\n", encoding="utf-8")
    asked: list[str] = []

    class Spy(DiskReader):
        def read(self, path: str) -> bytes | None:
            asked.append(path)
            return super().read(path)

    model = load_project(str(project), [str(project / "wf.dig")], Spy())
    after = next(task for task in model.workflows[0].tasks() if task.full_name == "+wf+after")
    scope = build_scopes(model, ()).scope(after)
    assert scope is not None
    assert "leaked_rb" not in scope.variables
    real_project = os.path.realpath(project)
    assert [p for p in asked if not os.path.realpath(p).startswith(real_project + os.sep)] == []
    found = analyse(Unit(str(project), (str(project / "wf.dig"),)), Settings(), Spy()).diagnostics
    assert not [d for d in found if "does not define" in d.message]  # mod.py outside was never parsed


def test_a_nul_in_a_written_path_is_no_crash(tmp_path: Path) -> None:
    """A double-quoted YAML value can hold ``\\0``; resolving such a path raised ValueError and the CLI died."""
    (tmp_path / "wf.dig").write_text('+a:\n  td>: "q\\0.sql"\n  database: d\n+b:\n  call>: "x\\0y"\n'
                                     '+c:\n  !include : "i\\0.yml"\n+d:\n  rb>: R.run\n  require: "r\\0"\n',
                                     encoding="utf-8")
    result = _dig_lint("--no-cache", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "DL000" not in result.stdout


LONG = "q" * 400  # a run of q's longer than any excerpt: a message quoting it whole shows more than 60

# Every place a message embeds a value: the value is LONG, so the finding must quote only an excerpt.
QUOTED_VALUES = {
    "root scalar (DL104)": (LONG + "\n", {}),
    "task scalar": (f"+t: {LONG}\n", {}),
    "task list item": (f"+t:\n  - {LONG}\n", {}),
    "_error scalar": (f"_error: {LONG}\n+t:\n  echo>: x\n", {}),
    "timezone list": (f"timezone: [{LONG}]\n+t:\n  echo>: x\n", {}),
    "timezone id": (f"timezone: {LONG}\n+t:\n  echo>: x\n", {}),
    "schedule scalar": (f"schedule: {LONG}\n+t:\n  echo>: x\n", {}),
    "schedule type": (f"schedule:\n  {LONG}>: x\n+t:\n  echo>: x\n", {}),
    "cron pattern": (f"schedule:\n  cron>: {LONG}\n+t:\n  echo>: x\n", {}),
    "daily time": (f"schedule:\n  daily>: {LONG}\n+t:\n  echo>: x\n", {}),
    "sla scalar": (f"sla: {LONG}\n+t:\n  echo>: x\n", {}),
    "sla time": (f"sla:\n  time: {LONG}\n+t:\n  echo>: x\n", {}),
    "for_each text": (f"+t:\n  for_each>:\n    k: {LONG}\n  _do:\n    echo>: x\n", {}),
    "retry interval type": (f"+t:\n  _retry:\n    limit: 2\n    interval_type: {LONG}\n  +a:\n    echo>: x\n", {}),
    "schedule date": (f"schedule:\n  daily>: 07:00:00\n  start: {LONG}\n+t:\n  echo>: x\n", {}),
    "zone offset": (f"timezone: UTC+{LONG}\n+t:\n  echo>: x\n", {}),
    "call target": (f"+t:\n  call>: {LONG}\n", {}),
    "call outside": (f"+t:\n  call>: ../{LONG}\n", {}),
    "file reference": (f"+t:\n  sh>: scripts/{LONG}.sh\n", {}),
    "file outside": (f"+t:\n  td>: ../{LONG}.sql\n  database: d\n", {}),
    "py> target": ("+t:\n  py>: tasks.mod.f" + LONG + "\n", {"tasks/__init__.py": "", "tasks/mod.py": "x = 1\n"}),
    "template": ("+t:\n  echo>: ${1 " + LONG + "}\n", {}),
    "parameter value": (f"+t:\n  td>: q.sql\n  database: d\n  engine: {LONG}\n", {"q.sql": "SELECT 1\n"}),
    "include name": (f"+t:\n  !include : {LONG}.yml\n", {}),
    "sql token": ("+t:\n  td>: q.sql\n  database: d\n", {"q.sql": f"SELECT 1 FROM t {LONG} {LONG}\n"}),
}


@pytest.mark.parametrize("case", sorted(QUOTED_VALUES))
def test_messages_quote_only_an_excerpt_of_a_value(tmp_path: Path, case: str) -> None:
    text, files = QUOTED_VALUES[case]
    for relative, content in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(content, encoding="utf-8")
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    found = lint_paths([tmp_path])
    quoting = [d for d in found if "qqqq" in d.message]
    assert quoting, f"no finding quotes the value: {[d.message for d in found]}"
    longest = max(len(run) for d in quoting for run in re.findall("q+", d.message))
    assert longest < MAX_QUOTED_CHARS, [d.message for d in quoting]



# --------------------------------------------------------------------- 2. nothing blocks, nothing reads forever

WITH_CACHE = ("--format", "json")  # the result cache is on by default: it digests every path the analysis asked for


def _cache_env(tmp_path: Path) -> dict[str, str]:
    return {"DIG_LINT_CACHE_DIR": str(tmp_path / "cache")}


@pytest.mark.parametrize("where", ["sh> script", "td> query", "rb> require", "!include", ".digdagignore"])
def test_a_fifo_in_the_project_blocks_nothing(tmp_path: Path, where: str) -> None:
    """The cache opened every path with a plain ``open()``, and ``.digdagignore`` was opened unchecked:
    a FIFO blocked the run until CI killed it."""
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    name = {"sh> script": "sub/run.sh", "td> query": "sub/q.sql", "rb> require": "sub/lib.rb",
            "!include": "sub/part.yml", ".digdagignore": ".digdagignore"}[where]
    os.mkfifo(project / name)
    (project / "wf.dig").write_text(
        "+sh:\n  sh>: sub/run.sh\n+td:\n  td>: sub/q.sql\n  database: d\n+rb:\n  rb>: Lib.run\n  require: sub/lib\n"
        "+inc:\n  !include : sub/part.yml\n+bad:\n  ehco>: x\n", encoding="utf-8")
    for _ in range(2):  # the second run reads the cache entry the first one wrote
        result = _dig_lint(*WITH_CACHE, str(project), env=_cache_env(tmp_path), timeout=60)
        assert result.returncode == 1, result.stderr
        assert "DL401" in result.stdout


@pytest.mark.parametrize("where", ["rb> require", "td> query", "!include"])
def test_a_link_to_an_endless_device_is_not_read(tmp_path: Path, where: str) -> None:
    """``lib.rb -> /dev/zero``: the cache's digest read it until memory ran out."""
    project = tmp_path / "project"
    project.mkdir()
    name = {"rb> require": "lib.rb", "td> query": "q.sql", "!include": "part.yml"}[where]
    (project / name).symlink_to("/dev/zero")
    (project / "wf.dig").write_text("+rb:\n  rb>: Lib.run\n  require: lib\n+td:\n  td>: q.sql\n  database: d\n"
                                    "+inc:\n  !include : part.yml\n+bad:\n  ehco>: x\n", encoding="utf-8")
    for _ in range(2):
        result = _dig_lint(*WITH_CACHE, str(project), env=_cache_env(tmp_path), memory=2 << 30)
        assert "MemoryError" not in result.stderr
        assert result.returncode == 1, result.stderr
        assert "DL401" in result.stdout


# --------------------------------------------------------------------- 3. the result cache is input too

def _poison(entry: Path, how: str, tmp_path: Path) -> None:
    """Replace a cache entry the way a hostile job sharing the cache directory could."""
    written = json.loads(entry.read_text(encoding="utf-8"))
    entry.unlink()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    if how == "fifo":
        os.mkfifo(entry)
    elif how == "link to /dev/zero":
        entry.symlink_to("/dev/zero")
    elif how == "link to a file":
        entry.symlink_to(victim)
    elif how == "directory":
        entry.mkdir()
    else:
        poisoned = _POISONED[how](written)
        entry.write_text(poisoned if isinstance(poisoned, str) else json.dumps(poisoned), encoding="utf-8")


_POISONED: dict[str, Callable[[Any], object]] = {
    "no files listed": lambda _entry: {"files": {}, "diagnostics": []},
    "files not a mapping": lambda _entry: {"files": [], "diagnostics": []},
    "not an object": lambda entry: [entry],
    "diagnostic not an object": lambda entry: {**entry, "diagnostics": [1]},
    "line not a number": lambda entry: {**entry, "diagnostics": [
        {**entry["diagnostics"][0], "span": [entry["diagnostics"][0]["span"][0], 0, 1, "1", 0, 0, 1]}]},
    "unhashable severity": lambda entry: {**entry, "diagnostics": [{**entry["diagnostics"][0], "severity": []}]},
    "message not text": lambda entry: {**entry, "diagnostics": [{**entry["diagnostics"][0], "message": ["x"]}]},
    "fix not an object": lambda entry: {**entry, "diagnostics": [{**entry["diagnostics"][0], "fix": "x"}]},
    "deep nesting": lambda entry: (f'{{"files": {json.dumps(entry["files"])}, "diagnostics": '
                                   + "[" * 50_000 + "]" * 50_000 + "}"),
}


@pytest.mark.parametrize("how", ["fifo", "link to /dev/zero", "link to a file", "directory", *_POISONED])
def test_a_poisoned_cache_entry_is_a_miss(tmp_path: Path, how: str) -> None:
    """A shared ``$DIG_LINT_CACHE_DIR`` entry that hangs, exhausts memory, raises or claims "no findings"
    forever is a miss: the project is analysed again (its finding is reported) and the entry rewritten."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "wf.dig").write_text("+bad:\n  ehco>: x\n", encoding="utf-8")
    env = _cache_env(tmp_path)
    first = _dig_lint(*WITH_CACHE, str(project), env=env)
    assert first.returncode == 1, first.stderr
    entries = list((tmp_path / "cache").glob("*.json"))
    assert len(entries) == 1
    _poison(entries[0], how, tmp_path)
    for _ in range(2):  # the miss, then the rewritten entry
        result = _dig_lint(*WITH_CACHE, str(project), env=env, memory=2 << 30)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1, result.stderr
        assert json.loads(result.stdout) == json.loads(first.stdout)
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "untouched\n"
    if how != "directory":  # a directory cannot be renamed over: the entry stays a miss
        assert entries[0].is_file()
        assert not entries[0].is_symlink()
    assert not list((tmp_path / "cache").glob("*.tmp"))


# --------------------------------------------------------------------- 4. output never injects commands

HOSTILE_FOLDERS = {
    "newline": "x\n::warning file=a.dig::injected",
    "carriage return": "x\r::warning file=a.dig::injected",
    "leading command": "::warning file=a.dig::injected",
    "spaces then command": "  ::warning file=a.dig::injected",
    "escape sequence": "x\x1b]0;pwned\x07y",
    "line separator": "x\u2028::warning::injected",
    "next line": "x\x85::warning::injected",
}


def _log_lines(output: str) -> list[str]:
    """Lines as the GitHub Actions runner reads them (it breaks lines at CR and LF), leading space trimmed."""
    return [line.lstrip() for line in re.split(r"\r\n|\r|\n", output)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("folder", sorted(HOSTILE_FOLDERS))
def test_paths_and_messages_cannot_inject_log_commands(tmp_path: Path, folder: str, fmt: str) -> None:
    """A folder named ``x\\n::warning ...`` printed raw in the text format added a GitHub Actions command
    to the CI log; an escape sequence in a path or message drove the terminal."""
    project = tmp_path / HOSTILE_FOLDERS[folder]
    project.mkdir()
    # a task name and a file name holding an escape sequence and a line break: messages quote both
    (project / "wf.dig").write_text('"+x\\e]0;t\\a\\n::warning::y":\n  echo>: hi\n'
                                    '+t:\n  td>: "q\\n::warning::z.sql"\n  database: d\n', encoding="utf-8")
    result = _dig_lint("--no-cache", "--format", fmt, str(tmp_path))
    assert result.returncode == 1, result.stderr
    lines = _log_lines(result.stdout.rstrip("\n"))
    commands = [line for line in lines if line.startswith("::")]
    if fmt == "github":
        assert len(commands) == len(lines) == 2  # one annotation per finding, nothing else
        assert all(re.match(r"::(error|warning) file=", line) for line in commands)
    else:
        assert commands == []
    assert "\x1b" not in result.stdout
    if fmt in ("json", "sarif"):
        assert json.loads(result.stdout)
