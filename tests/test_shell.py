"""ShellCheck on sh> commands and scripts (DL701/DL702): placeholders, positions, when it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.embedded import shell
from tests.conftest import lint_paths

pytestmark = pytest.mark.skipif(shell.shellcheck_binary() is None, reason="ShellCheck is not installed")


def test_templates_become_words_of_their_length() -> None:
    text = "cp ${src}/a.csv '${dst + \"/x\"}'\nrm ${\n}"
    placed = shell.with_placeholders(text)
    assert len(placed) == len(text)
    assert placed == "cp xxxxxx/a.csv 'xxxxxxxxxxxxx'\nrm xx\nx"


def test_positions_count_a_tab_as_one_column() -> None:
    (found,) = shell.check([shell.Script("s", "\tif true; then\n\t\techo \"a\n\tfi\n", "sh")])["s"]
    assert found.code == 1073
    assert "\tif true; then\n\t\techo "[found.start:] == ""  # at the quote left open


def _lint(tmp_path: Path, text: str, profile: str = "digdag") -> list[tuple[int, int, str]]:
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    found = lint_paths([tmp_path], Settings(select=("DL701", "DL702"), profile=profile))
    return [(d.span.start.line + 1, d.span.start.column + 1, d.code) for d in found]


def test_a_block_scalar_maps_back_to_its_line(tmp_path: Path) -> None:
    text = "+a:\n  sh>: |\n    echo start\n    while true; do\n      sleep 1\n"
    assert _lint(tmp_path, text) == [(4, 17, "DL701")]


def test_nothing_under_the_treasure_data_profile(tmp_path: Path) -> None:
    assert _lint(tmp_path, "+a:\n  sh>: for f in *; do echo\n", profile="treasure-data") == []


def test_the_configuration_file_cannot_choose_the_program(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the environment (the CI owner's) names ShellCheck; empty means none: DL702 says so."""
    monkeypatch.setenv(shell.SHELLCHECK_ENVIRONMENT, "")
    assert _lint(tmp_path, "+a:\n  sh>: for f in *; do echo\n") == [(2, 8, "DL702")]


def _projects(tmp_path: Path) -> list[Path]:
    """Three projects: two with a broken command (one of them twice), one with a script file."""
    texts = {"a": "+x:\n  sh>: for f in *; do echo\n+y:\n  sh>: echo ok\n",
             "b": "+x:\n  sh>: for f in *; do echo\n+z:\n  sh>: if true; then echo\n",
             "c": "+s:\n  sh>: ./run.sh\n"}
    for name, text in texts.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "wf.dig").write_text(text, encoding="utf-8")
    (tmp_path / "c" / "run.sh").write_text("#!/bin/bash\necho \"open\n", encoding="utf-8")
    return [tmp_path / name for name in texts]


def test_a_batch_of_projects_starts_shellcheck_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's batches (``runner._analyse_batch``) give each project what analysing it alone gives, with
    one ShellCheck process per dialect for all their scripts instead of one per project."""
    from dig_lsp import runner
    from dig_lsp.model.targets import plan

    projects = _projects(tmp_path)
    settings = Settings(select=("DL701", "DL702"))
    alone = [lint_paths([project], settings) for project in projects]
    shell._MEMO.clear()
    started: list[str | None] = []
    run = shell._run

    def counted(binary: str, dialect: str | None, scripts: list[shell.Script]) -> dict[str, list[shell.ShellProblem]]:
        started.append(dialect)
        return run(binary, dialect, scripts)

    monkeypatch.setattr(shell, "_run", counted)
    units = plan([str(project) for project in projects])
    outcomes = runner._analyse_batch(units, settings)
    assert [sorted(diagnostics, key=lambda d: d.sort_key()) for diagnostics, _files, _folders in outcomes] == alone
    assert [d.code for found in alone for d in found] == ["DL701", "DL701", "DL701", "DL701"]
    assert sorted(started, key=str) == [None, "sh"]  # the script by its `#!` line, the commands as /bin/sh


def test_no_shellcheck_when_its_checks_are_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dig_lsp import runner
    from dig_lsp.model.targets import plan

    shell._MEMO.clear()
    monkeypatch.setattr(shell, "_run", lambda *args: pytest.fail("ShellCheck started"))
    units = plan([str(project) for project in _projects(tmp_path)])
    outcomes = runner._analyse_batch(units, Settings(select=("DL101",)))
    assert [diagnostics for diagnostics, _files, _folders in outcomes] == [[], [], []]


def test_a_failing_prefetch_is_the_checks_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in what a batch shares must not stop the run: the checks that need it report it, as they would
    have without the batch (DL000), and the others still run."""
    from dig_lsp import runner
    from dig_lsp.checks import shell_support
    from dig_lsp.model.targets import plan

    def broken(ctx: object) -> list[object]:
        raise RuntimeError("broken")

    monkeypatch.setattr(shell_support, "shell_sites", broken)
    units = plan([str(project) for project in _projects(tmp_path)])
    outcomes = runner._analyse_batch(units, Settings(select=("DL701", "DL702", "DL407")))
    found = [sorted((d.code, d.message.split(":")[0]) for d in diagnostics) for diagnostics, _, _ in outcomes]
    internal = [("DL000", "check DL701 (shell-error) failed"), ("DL000", "check DL702 (shell-not-checked) failed")]
    assert found == [internal] * 3
