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
