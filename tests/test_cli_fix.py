"""``dig-lint --fix``, ``--unsafe-fixes`` and ``--diff`` (as ruff: safe fixes only unless asked, passes over
overlapping edits, files outside the project and non-regular files never edited)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dig_lsp.cli import fixing
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Applicability, Diagnostic, Fix, Severity, TextEdit
from dig_lsp.model.targets import Unit
from dig_lsp.text.source import SourceFile
from tests.test_cli import _run

WORKFLOW = """\
timezone: asia/tokyo
+a:
  td>: queries/extrct.sql
  database: db
  engin: hive
+b:
  echo>: hi  # dig-lint: disable=DL202
"""
SAFE_FIXED = WORKFLOW.replace("asia/tokyo", "Asia/Tokyo").replace("  # dig-lint: disable=DL202", "")
ALL_FIXED = SAFE_FIXED.replace("extrct", "extract").replace("engin:", "engine:")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "extract.sql").write_text("SELECT 1\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def test_lint_says_what_fix_would_do(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--no-cache", "--color", "never"], project, capsys)
    assert code == 1
    assert out.rstrip().splitlines()[-1] == "2 fixable with --fix (2 more with --fix --unsafe-fixes)."
    assert "help: Rename 'engin' to 'engine' (unsafe fix)" in out
    assert "help: Replace 'asia/tokyo' with 'Asia/Tokyo'\n" in out


def test_fix_applies_only_safe_fixes_and_reports_what_remains(project: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--no-cache", "--color", "never", "--fix"], project, capsys)
    assert (project / "wf.dig").read_text(encoding="utf-8") == SAFE_FIXED
    assert code == 1  # DL407 and DL402 remain
    lines = out.rstrip().splitlines()
    assert lines[-2] == "Found 2 problems in 1 file (2 warnings)."
    assert lines[-1] == "Applied 2 fixes to 1 file. 2 more fixes available with --unsafe-fixes."
    assert "DL305" not in out
    assert "DL901" not in out


def test_unsafe_fixes_apply_the_rest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--no-cache", "--color", "never", "--fix", "--unsafe-fixes"], project, capsys)
    assert (project / "wf.dig").read_text(encoding="utf-8") == ALL_FIXED
    assert code == 0
    assert out.rstrip().splitlines()[-2:] == ["No problems found in 1 file.", "Applied 4 fixes to 1 file."]


def test_unsafe_fixes_needs_fix_or_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["--no-cache", "--unsafe-fixes"], project, capsys)
    assert code == 2
    assert "--unsafe-fixes applies only with --fix or --diff" in err
    assert _run(["--no-cache", "--diff", "--statistics"], project, capsys)[0] == 2


def test_diff_prints_the_change_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["--no-cache", "--diff"], project, capsys)
    assert code == 1
    assert (project / "wf.dig").read_text(encoding="utf-8") == WORKFLOW
    assert out.startswith("--- wf.dig\n+++ wf.dig\n@@ ")
    assert "-timezone: asia/tokyo\n+timezone: Asia/Tokyo\n" in out
    assert "-  echo>: hi  # dig-lint: disable=DL202\n+  echo>: hi\n" in out
    assert "engine" not in out
    assert err.strip() == "Would apply 2 fixes to 1 file. 2 more fixes available with --unsafe-fixes."
    code, out, _ = _run(["--no-cache", "--diff", "--unsafe-fixes"], project, capsys)
    assert "+  engine: hive\n" in out
    assert "+  td>: queries/extract.sql\n" in out


def test_diff_without_changes_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n", encoding="utf-8")
    code, out, err = _run(["--no-cache", "--diff"], tmp_path, capsys)
    assert (code, out) == (0, "")
    assert err.strip() == "No fixes to apply."


def test_fix_reads_standard_input_and_prints_the_fixed_text(project: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "wf.dig").write_text("+a:\n  echo>: on disk\n", encoding="utf-8")
    code, out, err = _run(["--no-cache", "--fix", "--stdin-filename", "wf.dig"], project, capsys, stdin=WORKFLOW,
                          monkeypatch=monkeypatch)
    assert out == SAFE_FIXED
    assert (project / "wf.dig").read_text(encoding="utf-8") == "+a:\n  echo>: on disk\n"  # nothing written
    assert code == 1
    assert "DL402" in err
    assert "Applied 2 fixes to 1 file." in err


def test_fix_with_json_keeps_standard_output_parseable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = _run(["--no-cache", "--fix", "--format", "json"], project, capsys)
    assert sorted(item["code"] for item in json.loads(out)) == ["DL402", "DL407"]
    assert "Applied 2 fixes to 1 file." in err


def test_fix_keeps_the_byte_order_mark_and_line_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "\ufefftimezone: asia/tokyo\r\n+a:\r\n  echo>: hi  # dig-lint: disable\r\n"
    (tmp_path / "wf.dig").write_bytes(text.encode("utf-8"))
    _run(["--no-cache", "--fix", "--ignore", "DL107"], tmp_path, capsys)
    assert (tmp_path / "wf.dig").read_bytes() == "\ufefftimezone: Asia/Tokyo\r\n+a:\r\n  echo>: hi\r\n".encode()


def test_fix_never_edits_a_file_that_is_not_valid_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"timezone: asia/tokyo\n+a:\n  echo>: \xff\n"
    (tmp_path / "wf.dig").write_bytes(data)
    _, out, _ = _run(["--no-cache", "--fix", "--color", "never"], tmp_path, capsys)
    assert (tmp_path / "wf.dig").read_bytes() == data
    assert "No fixes applied." in out


def test_fix_never_writes_through_a_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    target = project / "real.txt"
    target.write_text("timezone: asia/tokyo\n+a:\n  echo>: hi\n", encoding="utf-8")
    (project / "wf.dig").symlink_to(target)
    _run(["--no-cache", "--fix"], project, capsys)
    assert target.read_text(encoding="utf-8") == "timezone: asia/tokyo\n+a:\n  echo>: hi\n"


def test_fix_edits_an_included_file_of_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("_export:\n  !include : parts/a.yml\n+a:\n  echo>: hi\n", encoding="utf-8")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "a.yml").write_text("x: 1\nx: 2  # dig-lint: disable=DL102,DL202\n", encoding="utf-8")
    code, _, _ = _run(["--no-cache", "--fix"], tmp_path, capsys)
    assert (tmp_path / "parts" / "a.yml").read_text(encoding="utf-8") == "x: 1\nx: 2  # dig-lint: disable=DL102\n"
    assert code == 0


# ----------------------------------------------------------------------------------- passes, overlaps


def _fake_analysis(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the analysis by one that reads ``rule`` over the text: ``aa`` -> ``a`` at every ``aa``
    (overlapping occurrences), or ``flip``: ``x`` -> ``y`` and ``y`` -> ``x`` for ever."""

    def run_units(units: list[Unit], settings: Settings, cache: object = None, overlays: dict[str, bytes] | None = None,
                  jobs: int | None = None) -> tuple[list[list[Diagnostic]], int]:
        result = []
        for unit in units:
            path = unit.workflows[0]
            data = (overlays or {}).get(path) or Path(path).read_bytes()
            source = SourceFile(path, data.decode("utf-8"))
            found = []
            pairs = (("aa", "a"),) if rule == "aa" else (("x", "y"), ("y", "x"))
            for old, new in pairs:
                start = source.text.find(old)
                while start >= 0:
                    span = source.span(start, start + len(old))
                    fix = Fix("shorten", (TextEdit(span, new),), Applicability.SAFE)
                    found.append(Diagnostic("DL999", "fake", Severity.WARNING, "fake", span, (), fix))
                    start = source.text.find(old, start + 1)
            result.append(sorted(found, key=Diagnostic.sort_key))
        return result, 0

    monkeypatch.setattr(fixing, "run_units", run_units)


def test_overlapping_fixes_are_applied_over_several_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wf.dig"
    path.write_text("aaaaa\n", encoding="utf-8")
    _fake_analysis("aa", monkeypatch)
    outcome = fixing.fix_units([Unit(str(tmp_path), (str(path),))], Settings(), None, {}, None, False)
    assert outcome.converged
    assert [fixed.after for fixed in outcome.files] == [b"a\n"]
    assert outcome.applied == 4  # 2 in the first pass (aa|aa|a), 1, then 1
    assert outcome.diagnostics == []


def test_fixes_that_undo_each_other_stop_after_a_bounded_number_of_passes(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wf.dig"
    path.write_text("x\n", encoding="utf-8")
    _fake_analysis("flip", monkeypatch)
    outcome = fixing.fix_units([Unit(str(tmp_path), (str(path),))], Settings(), None, {}, None, False)
    assert not outcome.converged
    assert outcome.applied == fixing.MAX_PASSES


def test_fixes_outside_the_reported_files_are_not_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wf.dig"
    path.write_text("aa\n", encoding="utf-8")
    _fake_analysis("aa", monkeypatch)
    other = tmp_path / "other"
    other.mkdir()
    unit = Unit(str(tmp_path), (str(path),), (str(other),))  # reports on another folder only
    outcome = fixing.fix_units([unit], Settings(), None, {}, None, False)
    assert outcome.files == []
    assert os.path.exists(path)


# ------------------------------------------------------------------------------------- SARIF, JSON


def _diagnostic_with(applicability: Applicability, path: str = "/p/wf.dig") -> Diagnostic:
    source = SourceFile(path, "timezone: asia/tokyo\n")
    span = source.span(10, 20)
    fix = Fix("Replace", (TextEdit(span, "Asia/Tokyo"),), applicability)
    return Diagnostic("DL305", "invalid-timezone", Severity.ERROR, "bad", span, (), fix)


def test_sarif_results_carry_applicable_fixes_only() -> None:
    from dig_lsp.cli.formats import render_sarif

    def show(path: str) -> str:
        return os.path.basename(path)

    for applicability in (Applicability.SAFE, Applicability.UNSAFE):
        (result,) = json.loads(render_sarif([_diagnostic_with(applicability)], show))["runs"][0]["results"]
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": "wf.dig"}
        assert change["replacements"] == [{
            "deletedRegion": {"startLine": 1, "startColumn": 11, "endLine": 1, "endColumn": 21},
            "insertedContent": {"text": "Asia/Tokyo"}}]
        assert fix["properties"] == {"applicability": applicability.value}
    (result,) = json.loads(render_sarif([_diagnostic_with(Applicability.DISPLAY_ONLY)], show))["runs"][0]["results"]
    assert "fixes" not in result


def test_json_fix_says_its_applicability(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["--no-cache", "--format", "json"], project, capsys)
    found = {item["code"]: item["fix"]["applicability"] for item in json.loads(out) if "fix" in item}
    assert found == {"DL305": "safe", "DL901": "safe", "DL402": "unsafe", "DL407": "unsafe"}


def _edit(start: int, end: int, path: str = "/p/wf.dig") -> TextEdit:
    source = SourceFile(path, "x" * 100)
    return TextEdit(source.span(start, end), "")


@pytest.mark.parametrize(("taken", "edit", "fits"), [
    ((10, 20), (20, 25), True),  # touching
    ((10, 20), (5, 10), True),
    ((10, 20), (15, 30), False),  # sharing text
    ((10, 20), (0, 50), False),
    ((10, 20), (12, 12), False),  # an insertion inside
    ((10, 10), (10, 10), False),  # two insertions at one place: their order would be a guess
    ((10, 10), (10, 15), False),
    ((10, 10), (5, 10), True),
    ((10, 20), (30, 30), True),
])
def test_edit_space_overlaps(taken: tuple[int, int], edit: tuple[int, int], fits: bool) -> None:
    from dig_lsp.diagnostics import EditSpace, edits_overlap

    space = EditSpace()
    space.add([_edit(*taken), _edit(60, 70), _edit(0, 2)])
    assert space.fits([_edit(*edit)]) is fits
    assert edits_overlap(_edit(*taken), _edit(*edit)) is not fits
    assert space.fits([_edit(*edit, path="/p/other.dig")])
    assert not space.fits([_edit(40, 45), _edit(44, 50)])  # a fix whose own edits overlap
