"""Every ``dig-lint dry-run`` command line in the README's shell blocks runs as written.

The lines are read from the README (a changed example is tested as changed), split as a shell would,
and run from a copy of the repository's ``examples/`` beside the working directory, so the paths are
the ones written and an output file lands in a temporary folder. Each simulated session must succeed
(exit 0): an example that fails, or that names a task or file that is not there, is a broken example.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from dig_lsp.cli.main import main
from tests.conftest import ROOT


def readme_dry_runs() -> list[str]:
    """The ``dig-lint dry-run`` lines of fenced ``sh`` blocks in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:sh|bash|console)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("dig-lint dry-run ")]


COMMANDS = readme_dry_runs()


def test_the_readme_has_dry_run_examples() -> None:
    assert len(COMMANDS) >= 2
    assert any("--format html" in command for command in COMMANDS)
    assert any("--show-rendered" in command for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_dry_run_runs_as_written(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)
    assert words[:2] == ["dig-lint", "dry-run"]
    assert main(words[1:]) == 0, capsys.readouterr().err
    if "-o" in words:
        written = tmp_path / words[words.index("-o") + 1]
        assert written.stat().st_size > 1000
    else:
        output = capsys.readouterr().out
        assert "state: success" in output
        if "--show-rendered" in words:
            assert "rendered:" in output
