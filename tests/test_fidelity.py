"""Fidelity fixtures: realistic projects that pin how digdag gives each task its parameters.

``tests/fixtures/fidelity/<point>/clean/`` is a digdag project digdag runs without a failure, so
dig-lint must report no error and no warning there (``info`` is allowed).

Every ``tests/fixtures/fidelity/<point>/mutated*/`` is the clean project with exactly one real
mistake. Its ``expected.txt`` lists the error and warning diagnostics dig-lint must report, one
per line, ``path:line:col: CODE message`` (1-based, path relative to the copy; ``#`` starts a
comment). A line without a message (``path:line:col: CODE``) is a finding dig-lint does not make
yet: its wording is unknown, so only the place and code are compared; such cases are xfail below.

Points (facts from digdag's source, see ../shared/reference/digdag.md):

* ``callers`` -- a called workflow (in a folder, or top-level without a schedule) sees the
  caller's ``_export`` (``td.database`` deep-merged from an ``!include``, ``region``), but not what
  a sibling called workflow exports.
* ``command_file_keys`` -- a td> task key read only by the query file's ``${...}`` is used, and
  ``${database}`` in a td> file comes from ``td:`` (``params.mergeDefault(params.getNestedOrGetEmpty("td"))``).
* ``key_order`` -- a task's keys are evaluated in order: a key sees the keys above it.
* ``namespace_defaults`` -- ``_export: {td: {engine: ...}}`` is the td> task's ``engine``.
* ``open_objects`` -- td> stores ``td.last_job_id`` / ``td.last_results`` beside the exported
  ``td.database``; a missing ``!include`` is reported once, without a cascade.
* ``script_stores`` -- ``digdag.env.store({...})`` (py>) and ``Digdag.env.store(...)`` (rb>)
  define names for later tasks.
* ``every_task`` -- ``sla:`` tasks and ``for_each>`` values are analysed too.
* ``plugin`` -- a plugin operator (declared in ``_export: plugin:``) may store anything under its
  namespace: members read from it later are not reported, a near miss of a visible name still is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dig_lsp.diagnostics import Diagnostic, Severity
from dig_lsp.ide.completion import complete
from dig_lsp.ide.definition import definition
from dig_lsp.ide.hover import hover
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.text.files import DiskReader
from tests.conftest import FIXTURES, lint_paths, lint_text, short

FIDELITY = FIXTURES / "fidelity"
POINTS = sorted(p.name for p in FIDELITY.iterdir() if (p / "clean").is_dir())
MUTATED = sorted(f"{point}/{copy.name}" for point in POINTS
                 for copy in (FIDELITY / point).glob("mutated*") if copy.is_dir())
_BARE = re.compile(r"^\S+:\d+:\d+: DL\d+$")

# Clean copies on which dig-lint reports an error or warning digdag would not fail on.
CLEAN_XFAIL: dict[str, str] = {}

# Mutated copies where dig-lint misses the mistake, reports it differently, or adds a false alarm.
MUTATED_XFAIL = {
}


def _marked(ids: list[str], xfail: dict[str, str]) -> list[object]:
    return [pytest.param(i, id=i, marks=pytest.mark.xfail(strict=True, reason=xfail[i]))
            if i in xfail else pytest.param(i, id=i) for i in ids]


def _problems(directory: Path) -> list[Diagnostic]:
    return [d for d in lint_paths([directory]) if d.severity >= Severity.WARNING]


def _expected(directory: Path) -> list[str]:
    lines = (directory / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_fixture_layout() -> None:
    assert len(POINTS) == 8, POINTS
    for point in POINTS:
        copies = [c.name for c in (FIDELITY / point).iterdir() if c.is_dir()]
        assert "clean" in copies, point
        assert any(c.startswith("mutated") for c in copies), point
        for copy in copies:
            assert any((FIDELITY / point / copy).glob("*.dig")), f"{point}/{copy} has no workflow"
    for case in MUTATED:
        assert _expected(FIDELITY / case), f"{case}: expected.txt names no diagnostic"
    assert set(MUTATED_XFAIL) <= set(MUTATED)
    assert set(CLEAN_XFAIL) <= set(POINTS)


@pytest.mark.parametrize("point", _marked(POINTS, CLEAN_XFAIL))
def test_clean_copy_has_no_error_or_warning(point: str) -> None:
    directory = FIDELITY / point / "clean"
    found = [f"{short(d, directory)} {d.message}" for d in _problems(directory)]
    assert found == []


@pytest.mark.parametrize("case", _marked(MUTATED, MUTATED_XFAIL))
def test_mutated_copy_reports_the_mistake(case: str) -> None:
    directory = FIDELITY / case
    expected = _expected(directory)
    bare = {line for line in expected if _BARE.match(line)}
    found = []
    for d in _problems(directory):
        place = short(d, directory)
        found.append(place if place in bare else f"{place} {d.message}")
    assert sorted(found) == sorted(expected)


def test_td_namespace_keys_are_defined_in_the_query_file() -> None:
    """${database} in the td> query file is td.database (TdOperatorFactory merges the td: defaults)."""
    directory = FIDELITY / "command_file_keys" / "clean"
    assert [short(d, directory) for d in lint_paths([directory]) if d.code == "DL508"] == []


def test_a_file_rendered_by_several_tasks_gets_one_diagnostic_per_place(tmp_path: Path) -> None:
    """One place, one finding: the tasks that render the file are its related information."""
    text = "+a:\n  td>: queries/q.sql\n  database: d\n+b:\n  td>: queries/q.sql\n  database: d\n"
    found = lint_text(tmp_path, text, files={"queries/q.sql": "SELECT ${some_param} FROM t\n"})
    assert [(short(d, tmp_path), [r.message for r in d.related]) for d in found] == [
        ("queries/q.sql:1:10: DL508", ["list it in the runtime-params setting if that is intended; otherwise the "
                                       "task fails with a ReferenceError", "rendered by +wf+a", "rendered by +wf+b"])]


def _callers_project() -> tuple[ProjectModel, str, str]:
    root = FIDELITY / "callers" / "clean"
    paths = [str(p) for p in sorted(root.glob("*.dig"))]
    report = str(root / "report.dig")
    return load_project(str(root), paths, DiskReader()), report, (root / "report.dig").read_text(encoding="utf-8")


def test_the_editor_offers_caller_defined_names_where_the_checks_accept_them() -> None:
    """report.dig (called by main.dig, no schedule) sees main.dig's exports: completion offers them,
    hover and go-to-definition find them in the caller's included file."""
    project, report, text = _callers_project()
    inside = text.index("${region}") + 2
    labels = {item.label for item in complete(project, report, inside).items}
    assert {"region", "td", "report_table"} <= labels
    found = definition(project, report, inside + 1)
    assert [(Path(span.path).name, span.start.line + 1) for span in found] == [("params.yml", 4)]
    shown = hover(project, report, inside + 1)
    assert shown is not None
    assert "region" in shown.markdown


def test_what_a_called_workflow_stores_reaches_the_tasks_after_the_call(tmp_path: Path) -> None:
    """The called workflow runs as the call task's subtasks; WorkflowExecutor.collectParams gives a task
    the stores of every upstream task's children, so `${y}` after the call is defined, not a mistake."""
    files = {"sub/s.dig": "+s:\n  py>: tasks.st.run\n",
             "sub/tasks/st.py": "import digdag\n\n\ndef run():\n    digdag.env.store({'y': 1})\n"}
    found = lint_text(tmp_path, "+call:\n  call>: sub/s.dig\n+next:\n  echo>: ${y}\n", files=files)
    assert [short(d, tmp_path) for d in found] == []
    before = lint_text(tmp_path, "+next:\n  echo>: ${y}\n+call:\n  call>: sub/s.dig\n", files=files)
    assert [short(d, tmp_path) for d in before] == ["wf.dig:2:12: DL503"]  # stored by a task that runs later


@pytest.mark.parametrize(("text", "files"), [
    pytest.param("+a:\n  echo>: \"${typeof(a) == 'undefined' ? 'None' : a.b}\"\n", {}, id="typeof-guard"),
    pytest.param("+mail:\n  mail>: body.txt\n  subject: s\n  to: [a@example.com]\n  body: hello\n",
                 {"body.txt": "${body}\n"}, id="mail-body-key-read-by-the-body-file"),
    pytest.param("_export:\n  rb:\n    require: tasks/store\n+store:\n  rb>: Store.run\n+show:\n  echo>: ${channels}\n",
                 {"tasks/store.rb": "class Store\n  def run\n    Digdag.env.store(channels: 1)\n  end\nend\n"},
                 id="rb-require-from-namespace"),
    pytest.param("+nb:\n  ipynb>:\n  notebook: x\n", {}, id="treasure-data-ipynb"),
])
def test_patterns_seen_on_unseen_projects_are_no_false_alarms(tmp_path: Path, text: str,
                                                               files: dict[str, str]) -> None:
    """Each is what digdag runs without a failure (see the checks' comments for the source)."""
    found = [short(d, tmp_path) for d in lint_text(tmp_path, text, files=files) if d.severity >= Severity.WARNING]
    assert found == []
