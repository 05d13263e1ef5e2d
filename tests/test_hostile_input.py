"""Hostile input: what a pull request (or a shared CI cache) can plant, and what it must not achieve.

The linter runs in CI on untrusted pull requests and in editors on any folder. One test per class of
attack: reading (and printing) files outside the project, hanging on FIFOs and devices, a poisoned
result cache, and output that injects commands into CI logs. A case that could hang runs in a
subprocess with a timeout, so a regression fails the test instead of hanging pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.project import load_project
from dig_lsp.model.scope import build_scopes
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


