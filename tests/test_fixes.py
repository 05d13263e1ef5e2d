"""The checks' fixes: what they change, and how safe each is said to be (ruff's levels).

A fix is safe only when the meaning is known to be kept; a rename offered from spelling alone is
unsafe; a did-you-mean never proposes a contradicting word (tests/test_suggest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Applicability, Diagnostic
from tests.conftest import FIXTURES, apply_edits, lint_paths, lint_text


def _apply(text: str, diagnostic: Diagnostic) -> str:
    assert diagnostic.fix is not None
    return apply_edits(text, [(edit.span, edit.new_text) for edit in diagnostic.fix.edits])


def _only(tmp_path: Path, text: str, code: str, files: dict[str, str] | None = None) -> Diagnostic:
    (diagnostic,) = lint_text(tmp_path, text, settings=Settings(select=(code,)), files=files)
    return diagnostic


# ------------------------------------------------------------------------------------- DL901 (safe)


@pytest.mark.parametrize(("text", "fixed"), [
    ("+a:\n  echo>: hi  # dig-lint: disable=DL202\n", "+a:\n  echo>: hi\n"),
    ("+a:\n  # dig-lint: disable=DL202\n  echo>: hi\n", "+a:\n  echo>: hi\n"),  # its whole line
    ("+a:\n  echo>: hi  # dig-lint: disable=DL202  # why\n", "+a:\n  echo>: hi  # why\n"),  # another comment stays
    ("+a:\r\n  echo>: hi  # dig-lint: disable\r\n", "+a:\r\n  echo>: hi\r\n"),
    ("# dig-lint: disable-file=DL202\n+a:\n  echo>: hi\n", "+a:\n  echo>: hi\n"),
    ("+a:\n  echo>: hi  # dig-lint: disable=DL202", "+a:\n  echo>: hi"),  # no final line break
])
def test_an_unused_suppression_is_removed_safely(tmp_path: Path, text: str, fixed: str) -> None:
    (diagnostic,) = lint_text(tmp_path, text)  # every check: a suppression of a disabled one is not reported
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability is Applicability.SAFE
    assert _apply(text, diagnostic) == fixed


@pytest.mark.parametrize(("text", "fixed"), [
    ("_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL202,DL102\n",
     "_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL102\n"),
    ("_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL102, DL202\n",
     "_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL102\n"),
    ("_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL203, DL102, DL202\n",
     "_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL102\n"),
])
def test_only_the_unused_code_is_removed(tmp_path: Path, text: str, fixed: str) -> None:
    found = [d for d in lint_text(tmp_path, text) if d.code == "DL901"]
    assert found
    assert all(d.fix is not None and d.fix.applicability is Applicability.SAFE for d in found)
    edits = [(e.span, e.new_text) for d in found for e in (d.fix.edits if d.fix else ())]
    assert apply_edits(text, edits) == fixed  # the codes' edits do not overlap: all of them apply at once


def test_an_unknown_code_is_removed_only_unsafely(tmp_path: Path) -> None:
    text = "+a:\n  echo>: hi  # dig-lint: disable=DL2O2\n"
    (diagnostic,) = lint_text(tmp_path, text)
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability is Applicability.UNSAFE
    assert _apply(text, diagnostic) == "+a:\n  echo>: hi\n"


# -------------------------------------------------------------------------------- DL407, DL412 (unsafe)


def test_missing_files_get_a_did_you_mean_fix() -> None:
    project = FIXTURES / "checks" / "DL407"
    found = {d.span.start.line + 1: d for d in lint_paths([project], Settings(select=("DL407",)))
             if d.path.endswith("wf.dig")}
    text = (project / "wf.dig").read_text(encoding="utf-8")
    expected = {53: "queries/extract.sql", 55: "queries/extract.sql", 57: "./queries/extract.sql"}
    for line, instead in expected.items():
        diagnostic = found[line]
        assert diagnostic.message.endswith(f"; did you mean '{instead}'?")
        assert diagnostic.fix is not None
        assert diagnostic.fix.applicability is Applicability.UNSAFE
        assert instead in _apply(text, diagnostic).splitlines()[line - 1]
    for line in (4, 59, 61):  # lod (ok.sql is two edits away), step1 (step2), delete_users (create_users)
        assert found[line].fix is None
        assert "did you mean" not in found[line].message


def test_a_missing_file_never_suggests_one_outside_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "extract.sql").write_text("SELECT 1\n", encoding="utf-8")
    project.mkdir()
    (project / "wf.dig").write_text("+a:\n  td>: queries/extrct.sql\n", encoding="utf-8")
    (project / "queries").mkdir()
    (project / "queries" / "extract.sql").symlink_to(tmp_path / "queries" / "extract.sql")
    (found,) = lint_paths([project], Settings(select=("DL407",)))
    assert found.fix is None


def test_python_targets_get_a_did_you_mean_fix() -> None:
    project = FIXTURES / "checks" / "DL412"
    found = {d.span.start.line + 1: d for d in lint_paths([project], Settings(select=("DL412",)))}
    text = (project / "wf.dig").read_text(encoding="utf-8")
    assert found[26].message.endswith("did you mean 'plain'?")
    assert "py>: scripts.report.plain\n" in _apply(text, found[26])
    assert found[28].message.endswith("did you mean 'Report.run'?")
    assert 'py>: "scripts.report.Report.run"\n' in _apply(text, found[28])
    assert found[24].message.endswith("did you mean 'limit'?")
    assert "  limit: 5\n" in _apply(text, found[24])
    for line in (24, 26, 28):
        fix = found[line].fix
        assert fix is not None
        assert fix.applicability is Applicability.UNSAFE
    assert found[30].fix is None  # create_report is no slip of delete_report
    assert found[16].fix is None  # nothing near 'nothere'


# ------------------------------------------------------------------------------------ DL506, DL305


def test_shell_style_fix_is_not_offered_when_a_name_character_follows(tmp_path: Path) -> None:
    diagnostic = _only(tmp_path, "+a:\n  sh>: cp ${BACKUP_DIR}x /tmp\n", "DL506")
    assert diagnostic.fix is None
    diagnostic = _only(tmp_path, "+a:\n  sh>: cp ${BACKUP_DIR}/x /tmp\n", "DL506")
    assert diagnostic.fix is not None
    assert _apply("+a:\n  sh>: cp ${BACKUP_DIR}/x /tmp\n", diagnostic) == "+a:\n  sh>: cp $BACKUP_DIR/x /tmp\n"


def test_time_zone_case_fix_is_safe_and_a_spelling_fix_is_not(tmp_path: Path) -> None:
    safe = _only(tmp_path, "timezone: asia/tokyo\n+a:\n  echo>: x\n", "DL305")
    unsafe = _only(tmp_path, "timezone: Asia/Tokio\n+a:\n  echo>: x\n", "DL305")
    assert safe.fix is not None
    assert safe.fix.applicability is Applicability.SAFE
    assert unsafe.fix is not None
    assert unsafe.fix.applicability is Applicability.UNSAFE


def test_every_similarity_rename_is_unsafe(tmp_path: Path) -> None:
    """Renames offered from spelling alone (operators, parameters, group keys, variables) change what
    runs: never safe."""
    cases = [("+a:\n  ecko>: hi\n", "DL401"), ("+a:\n  td>: q.sql\n  engin: hive\n", "DL402"),
             ("+g:\n  _exprot: {a: 1}\n  +c:\n    echo>: x\n", "DL202"),
             ("_export:\n  greeting: x\n+a:\n  echo>: ${greetin}\n", "DL502")]
    for index, (text, code) in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        diagnostic = _only(folder, text, code, {"q.sql": "SELECT 1\n"})
        assert diagnostic.fix is not None
        assert diagnostic.fix.applicability is Applicability.UNSAFE, code
