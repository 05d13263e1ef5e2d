"""The facts of one analysis (``dig_lsp/analysis/facts.py``): built once, typed, and the same for the checks
(``ctx.facts`` and the ``checks/*_support`` spellings) and the editor features."""

from __future__ import annotations

from pathlib import Path

from dig_lsp.analysis.facts import Facts
from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.expression_support import analysed_sites, resolved_references, scopes, template_sites
from dig_lsp.checks.operator_support import export_index, operator_tasks
from dig_lsp.config import Settings
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.text.files import DiskReader

WORKFLOW = """\
_export:
  td:
    database: db
  table: t
+load:
  td>: queries/load.sql
+say:
  echo>: ${table} ${missing} ${td.database}
+group:
  +inner:
    sh>: echo ${session_date}
"""


def _project(tmp_path: Path) -> ProjectModel:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "load.sql").write_text("SELECT '${table}'\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())


def test_each_fact_is_built_once_and_kept(tmp_path: Path) -> None:
    facts = Facts(_project(tmp_path))
    assert facts.analysed_sites is facts.analysed_sites
    assert facts.resolved_references is facts.resolved_references
    assert facts.operator_tasks is facts.operator_tasks
    assert [op.spec.name for _, op in facts.operator_tasks] == ["td", "echo", "sh"]
    expressions = [item.site.template.expression for item in facts.analysed_sites]
    assert sorted(expressions) == ["missing", "session_date", "table", "table", "td.database"]
    assert {resolved.reference.name for resolved in facts.resolved_references} == {
        "table", "missing", "td", "session_date"}


def test_project_wide_passes_are_shared_between_analyses(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first, second = Facts(project), Facts(project)
    assert first.scopes is second.scopes
    assert first.export_index is second.export_index
    assert first.template_sites is second.template_sites
    assert first.analysed_sites is not second.analysed_sites  # per analysis


def test_the_checks_read_the_facts_of_their_context(tmp_path: Path) -> None:
    ctx = CheckContext(_project(tmp_path), Settings())
    assert ctx.facts is ctx.facts
    assert analysed_sites(ctx) is ctx.facts.analysed_sites
    assert resolved_references(ctx) is ctx.facts.resolved_references
    assert template_sites(ctx) is ctx.facts.template_sites
    assert scopes(ctx) is ctx.facts.scopes
    assert export_index(ctx) is ctx.facts.export_index
    assert list(operator_tasks(ctx)) == list(ctx.facts.operator_tasks)


def test_a_focus_narrows_the_task_lists_but_not_the_project_passes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    workflow = project.workflows[0]
    group = next(task for task in workflow.tasks() if task.name == "+group")
    focus = ((workflow, workflow.root), *((workflow, task) for task in group.walk()))
    facts = Facts(project, focus=focus)
    assert [task.name for _, task in facts.tasks()] == [workflow.root.name, "+group", "+inner"]
    assert [op.spec.name for _, op in facts.operator_tasks] == ["sh"]
    assert [item.site.template.expression for item in facts.analysed_sites] == ["session_date"]
    assert facts.scopes is Facts(project).scopes


def test_the_files_operator_tasks_name(tmp_path: Path) -> None:
    facts = Facts(_project(tmp_path))
    assert [(op.spec.name, Path(ref.path).name) for op, ref in facts.task_file_references] == [("td", "load.sql")]
    load = facts.operator_tasks[0][1]
    assert facts.file_references_of(load) == (facts.task_file_references[0][1],)
    assert facts.file_references_of(facts.operator_tasks[1][1]) == ()


def test_py_tasks_with_their_targets(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("def run(a):\n    pass\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text("+a:\n  py>: tasks.run\n  a: 1\n+b:\n  py>: ${module}.run\n", encoding="utf-8")
    project = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    facts = Facts(project)
    assert [(found.written, found.target is not None) for found in facts.python_tasks] == [("tasks.run", True)]
