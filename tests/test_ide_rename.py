"""Rename as pure functions (dig_lsp.ide.rename): what is renamed, and every reason to refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.ide.rename import RenameRefused, prepare_rename, rename
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.text.files import DiskReader
from dig_lsp.text.span import Span
from tests.conftest import apply_edits, offsets


def _project(tmp_path: Path, workflow: str, files: dict[str, str] | None = None) -> tuple[ProjectModel, str]:
    for name, text in {"wf.dig": workflow, **(files or {})}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = str(tmp_path / "wf.dig")
    return load_project(str(tmp_path), [path], DiskReader()), path


def _renamed(project: ProjectModel, path: str, offset: int, new: str) -> dict[str, str]:
    """Every file the rename touches, with the edits applied."""
    by_path: dict[str, list[tuple[Span, str]]] = {}
    for edit in rename(project, path, offset, new):
        by_path.setdefault(edit.span.path, []).append((edit.span, edit.new_text))
    texts: dict[str, str] = {}
    for edited, edits in by_path.items():
        source = project.files.source(edited)
        assert source is not None
        texts[edited] = apply_edits(source.text, edits)
    return {Path(path).name: text for path, text in texts.items()}


def test_a_quoted_key_and_a_yaml_single_quoted_use(tmp_path: Path) -> None:
    text = "_export:\n  \"tbl\": x\n+a:\n  echo>: '${tbl} ${ tbl }'\n"
    project, path = _project(tmp_path, text)
    target = prepare_rename(project, path, text.index("tbl"))
    assert target is not None
    assert (target.name, offsets(text, target.span)[0]) == ("tbl", text.index("tbl"))
    assert _renamed(project, path, text.index("tbl"), "table") == {"wf.dig": text.replace("tbl", "table")}


def test_a_task_name_that_needs_quotes_in_a_flow_list_gets_them(tmp_path: Path) -> None:
    text = "+g:\n  _parallel: true\n  +a:\n    echo>: a\n  +b:\n    _after: [+a]\n    echo>: b\n"
    project, path = _project(tmp_path, text)
    assert _renamed(project, path, text.index("+a:") + 1, "a,b") == {
        "wf.dig": text.replace("+a:", '"+a,b":').replace("[+a]", '["+a,b"]')}


@pytest.mark.parametrize(("workflow", "files", "needle", "reason"), [
    ("_export:\n  database: x\n+q:\n  td>: q.sql\n", {"q.sql": "SELECT 1\n"}, "database",
     "td> task +wf+q reads 'database' as its parameter"),
    ("_export:\n  limit: 3\n+p:\n  py>: tasks.run\n", {"tasks.py": "def run(limit):\n    pass\n"}, "limit",
     "py> task +wf+p passes 'limit' to its function's argument of that name"),
    ("_export:\n  out_dir: x\n+s:\n  sh>: scripts/run.sh\n", {"scripts/run.sh": "echo \"$out_dir\"\n"}, "out_dir",
     "sh> task +wf+s reads 'out_dir' as the environment variable $out_dir"),
    ("_export:\n  cfg: {a: 1}\n+e:\n  echo>: ${cfg['a']}\n", {}, "a: 1",
     "is not written as a plain dotted name"),
    ("_export:\n  _retry: 3\n", {}, "_retry", "is read by digdag itself"),
    ("+a:\n  for_each>: {x: [1]}\n  _do:\n    echo>: ${x}\n", {}, "${x}", "only _export variables and tasks"),
])
def test_unsafe_renames_are_refused(tmp_path: Path, workflow: str, files: dict[str, str], needle: str,
                                    reason: str) -> None:
    project, path = _project(tmp_path, workflow, files)
    offset = workflow.index(needle) + (2 if needle.startswith("${") else 0)
    with pytest.raises(RenameRefused, match=reason.replace("$", r"\$").replace("+", r"\+")):
        rename(project, path, offset, "renamed")


def test_a_new_name_visible_where_the_definition_is_is_refused(tmp_path: Path) -> None:
    """A later `_export` of the new name would capture the renamed uses."""
    text = "_export:\n  a: 1\n+t:\n  _export:\n    b: 2\n  echo>: ${a} ${b}\n"
    project, path = _project(tmp_path, text)
    with pytest.raises(RenameRefused, match="'b' is already defined for \\+wf\\+t"):
        rename(project, path, text.index("a: 1"), "b")


def test_a_file_rendered_in_two_contexts_that_bind_differently_is_refused(tmp_path: Path) -> None:
    text = ("_export:\n  t: x\n+a:\n  td>: q.sql\n  database: d\n"
            "+b:\n  _export:\n    t: y\n  td>: q.sql\n  database: d\n")
    project, path = _project(tmp_path, text, {"q.sql": "SELECT * FROM ${t}\n"})
    with pytest.raises(RenameRefused, match="reads this definition in one context and another one in another"):
        rename(project, path, text.index("t: x"), "table")
