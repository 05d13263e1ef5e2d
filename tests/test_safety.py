"""Nothing from a project is ever executed, and nothing outside the project is ever read.

A linter and a language server run on whatever a repository holds, often before anyone has
reviewed it; so a planted ``py>`` module, package ``__init__.py``, ``rb>`` file, ``sh>`` script or
templated ``.sql`` must stay inert, and paths written in the project (``!include``, ``call>``,
operator file references, symlinks) must never make us read files outside the project root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.targets import Unit, plan
from dig_lsp.text.files import DiskReader
from tests.conftest import editor_client

BIN = Path(sys.executable).parent

WORKFLOW = """timezone: UTC
_export:
  td:
    database: db
+py:
  py>: tasks.mod.run
+pkg:
  py>: pkg.Runner.run
+rb:
  rb>: Runner.run
  require: runner
+sh:
  sh>: scripts/run.sh
+sql:
  td>: queries/q.sql
+ev:
  echo>: ${(function(){ return 1 })()}
"""


def _marker_code(marker: Path, what: str) -> str:
    return f"open({str(marker / what)!r}, 'w').write('ran')\n"


def plant(root: Path, marker: Path) -> None:
    """A project whose every executable file would leave a file in ``marker`` if it ran."""
    marker.mkdir(exist_ok=True)
    (root / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    (root / "tasks").mkdir()
    (root / "tasks" / "__init__.py").write_text(_marker_code(marker, "tasks-init"), encoding="utf-8")
    (root / "tasks" / "mod.py").write_text(_marker_code(marker, "py-module") + "def run():\n    pass\n",
                                           encoding="utf-8")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text(
        _marker_code(marker, "pkg-init") + "class Runner:\n    def run(self):\n        pass\n", encoding="utf-8")
    (root / "runner.rb").write_text(f"File.write({str(marker / 'rb')!r}, 'ran')\nclass Runner\n  def run; end\nend\n",
                                    encoding="utf-8")
    (root / "scripts").mkdir()
    script = root / "scripts" / "run.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker / 'sh'}\n", encoding="utf-8")
    script.chmod(0o755)
    (root / "queries").mkdir()
    (root / "queries" / "q.sql").write_text(
        "SELECT ${(function(){ require('child_process').execSync('touch " + str(marker / "sql") + "') })()}\n",
        encoding="utf-8")


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """(project root, marker directory outside the project)."""
    root = tmp_path / "project"
    root.mkdir()
    marker = tmp_path / "markers"
    plant(root, marker)
    return root, marker


def _nothing_ran(marker: Path) -> None:
    assert sorted(os.listdir(marker)) == []


def _no_bytecode(root: Path) -> None:
    """Importing would also have left ``__pycache__`` folders behind."""
    assert not list(root.rglob("__pycache__"))


def test_the_cli_executes_nothing(planted: tuple[Path, Path]) -> None:
    root, marker = planted
    result = subprocess.run([str(BIN / "dig-lint"), "--no-cache", "--format", "json", str(root)],
                            capture_output=True, text=True, timeout=60, cwd=root, check=False)
    assert result.returncode in (0, 1), result.stderr
    assert '"code"' in result.stdout  # it did analyse: the planted project has findings (e.g. ${...} use)
    _nothing_ran(marker)
    _no_bytecode(root)


def test_the_dry_run_executes_nothing(planted: tuple[Path, Path]) -> None:
    root, marker = planted
    result = subprocess.run([str(BIN / "dig-lint"), "dry-run", "--format", "json", str(root / "wf.dig")],
                            capture_output=True, text=True, timeout=60, cwd=root, check=False)
    assert result.returncode in (0, 1), result.stderr
    assert "+wf+sql" in result.stdout
    _nothing_ran(marker)
    _no_bytecode(root)


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"], client_factory=editor_client)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A VS Code-like client session."""
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


def _every_position(text: str) -> list[types.Position]:
    positions = []
    for line, content in enumerate(text.splitlines()):
        positions.extend(types.Position(line, column) for column in range(0, len(content) + 1, 3))
    return positions


@pytest.mark.asyncio
async def test_the_language_server_executes_nothing(client: LanguageClient, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    marker = tmp_path / "markers"
    plant(root, marker)
    uris = {}
    for path in [root / "wf.dig", root / "queries" / "q.sql", root / "tasks" / "mod.py"]:
        uri = path.as_uri()
        uris[path.name] = uri
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id=path.suffix.lstrip("."), version=1, text=path.read_text(encoding="utf-8"))))
    document = types.TextDocumentIdentifier(uri=uris["wf.dig"])
    whole = types.Range(start=types.Position(0, 0), end=types.Position(30, 0))
    for position in _every_position(WORKFLOW):
        await client.text_document_hover_async(types.HoverParams(text_document=document, position=position))
        await client.text_document_definition_async(types.DefinitionParams(text_document=document,
                                                                           position=position))
    for position in _every_position(WORKFLOW)[::5]:
        await client.text_document_completion_async(types.CompletionParams(text_document=document,
                                                                           position=position))
    await client.text_document_code_action_async(types.CodeActionParams(
        text_document=document, range=whole, context=types.CodeActionContext(diagnostics=[])))
    _nothing_ran(marker)
    _no_bytecode(root)


# ------------------------------------------------------------------------------- never outside


class SpyReader(DiskReader):
    """The disk reader, recording every path it is asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def read(self, path: str) -> bytes | None:
        self.asked.append(path)
        return super().read(path)


def _escape_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose files point out of it every way digdag syntax allows; plus the outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yml").write_text("stolen: true\n", encoding="utf-8")
    (outside / "secret.dig").write_text("+stolen:\n  echo>: stolen\n", encoding="utf-8")
    (outside / "secret.sql").write_text("SELECT ${stolen}\n", encoding="utf-8")
    root = tmp_path / "project"
    (root / "sub").mkdir(parents=True)
    (root / "link.yml").symlink_to(outside / "secret.yml")
    (root / "link.sql").symlink_to(outside / "secret.sql")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "loop_a.yml").symlink_to(root / "loop_b.yml")
    (root / "loop_b.yml").symlink_to(root / "loop_a.yml")
    (root / "wf.dig").write_text(f"""timezone: UTC
!include : ../outside/secret.yml
+abs:
  !include : {outside / 'secret.yml'}
+link:
  !include : link.yml
+linkdir:
  !include : linkdir/secret.yml
+loop:
  !include : loop_a.yml
+cycle:
  !include : cycle_a.yml
+call_out:
  call>: ../outside/secret
+call_abs:
  call>: {outside / 'secret'}
+call_link:
  call>: linkdir/secret
+call_cycle:
  call>: sub/callee
+td_up:
  td>: ../../etc/passwd
  database: d
+td_abs:
  td>: /etc/passwd
  database: d
+td_link:
  td>: link.sql
  database: d
+sh_out:
  sh>: ../outside/run.sh
""", encoding="utf-8")
    (root / "cycle_a.yml").write_text("!include : cycle_b.yml\n", encoding="utf-8")
    (root / "cycle_b.yml").write_text("+x:\n  !include : cycle_a.yml\n", encoding="utf-8")
    (root / "sub" / "callee.dig").write_text("+back:\n  call>: ../wf\n", encoding="utf-8")
    return root, outside


def _inside(path: str, root: Path) -> bool:
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    return real == top or real.startswith(top + os.sep)


def test_paths_out_of_the_project_are_diagnosed_not_read(tmp_path: Path) -> None:
    root, _ = _escape_project(tmp_path)
    spy = SpyReader()
    unit = Unit(str(root), (str(root / "wf.dig"),))
    diagnostics = analyse(unit, Settings(), spy).diagnostics
    assert spy.asked, "the spy must see the workflow itself being read"
    escaped = [p for p in spy.asked if not _inside(p, root)]
    assert escaped == []
    assert not [d for d in diagnostics if d.code == "DL000"]
    lines = {d.span.start.line + 1 for d in diagnostics if d.path == str(root / "wf.dig")}
    # every way out is reported on its own line: include (2, 4, 6, 8), the symlink loop (10),
    # call> (14, 16, 18) and file references (22, 25, 28, 31)
    assert {2, 4, 6, 8, 10, 14, 16, 18, 22, 25, 28, 31} <= lines
    assert "stolen" not in "".join(d.message for d in diagnostics)


def test_include_and_call_cycles_terminate(tmp_path: Path) -> None:
    root, _ = _escape_project(tmp_path)
    for unit in plan([str(root)]):
        found = analyse(unit, Settings(), SpyReader()).diagnostics
        assert not [d for d in found if d.code == "DL000"]
    codes = {d.code for d in analyse(Unit(str(root), (str(root / "wf.dig"),)), Settings()).diagnostics}
    assert "DL109" in codes  # include-cycle


def test_the_cli_reads_nothing_outside(tmp_path: Path) -> None:
    """The CLI end to end (planning included) on the escaping project, under strace-free checks:
    the outside files carry marker names, and no diagnostic or output quotes their content."""
    root, _ = _escape_project(tmp_path)
    result = subprocess.run([str(BIN / "dig-lint"), "--no-cache", "--format", "json", str(root)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1, result.stderr
    assert "stolen" not in result.stdout
    assert "DL000" not in result.stdout


def test_special_files_do_not_block_planning(tmp_path: Path) -> None:
    """A FIFO named by `!include` used to block the planner's text scan forever."""
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "pipe.yml")
    (tmp_path / "wf.dig").write_text("!include : sub/pipe.yml\n+t:\n  echo>: hi\n", encoding="utf-8")
    (tmp_path / "sub" / "x.dig").write_text("+t:\n  echo>: hi\n", encoding="utf-8")
    (tmp_path / "stdin.dig").write_text("!include : /dev/stdin\n+t:\n  echo>: hi\n", encoding="utf-8")
    result = subprocess.run([str(BIN / "dig-lint"), "--no-cache", str(tmp_path)], capture_output=True, text=True,
                            timeout=30, stdin=subprocess.PIPE, check=False)
    assert result.returncode == 1
    assert "DL108" in result.stdout
    assert "'sub/pipe.yml' is a named pipe (FIFO), not a regular file" in result.stdout


def test_unread_files_say_why(tmp_path: Path) -> None:
    """A directory, a FIFO and a missing file named by tasks are each reported for what they are."""
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "dir.sql").mkdir()
    os.mkfifo(tmp_path / "queries" / "pipe.sql")
    text = ("+a:\n  td>: queries/dir.sql\n  database: d\n+b:\n  td>: queries/pipe.sql\n  database: d\n"
            "+c:\n  td>: queries/none.sql\n  database: d\n+d:\n  call>: sub\n")
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    (tmp_path / "sub.dig").mkdir()
    found = {d.span.start.line: d.message for d in analyse(Unit(str(tmp_path), (str(tmp_path / "wf.dig"),)),
                                                            Settings(), DiskReader()).diagnostics
             if d.code in ("DL407", "DL112")}
    assert "is a directory, not a file" in found[1]
    assert "is a named pipe (FIFO), not a regular file" in found[4]
    assert "does not exist" in found[7]
    assert "is a directory, not a file" in found[10]
