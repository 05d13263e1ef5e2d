"""!include resolution and project loading (call> targets, discovery)."""

from __future__ import annotations

import os
from pathlib import Path

from dig_lsp.model.project import load_project
from dig_lsp.model.targets import plan
from dig_lsp.syntax import problems as kinds
from dig_lsp.syntax.nodes import Mapping, Scalar, to_python
from dig_lsp.text.files import DiskReader, OverlayReader
from tests.conftest import codes, lint_paths, lint_text


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _load(root: Path, name: str = "wf.dig"):  # type: ignore[no-untyped-def]
    return load_project(str(root), [str(root / name)], DiskReader())


def test_key_include_deep_merges_and_later_keys_replace(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": "_export:\n  td: {database: a}\n  !include : conf/x.yml\n  keep: 1\n+t:\n  echo>: hi\n",
        "conf/x.yml": "td:\n  engine: presto\nkeep: 2\nextra: 3\n",
    })
    model = _load(tmp_path)
    assert not model.problems
    export = model.workflows[0].root.config.get("_export")
    assert isinstance(export, Mapping)
    assert to_python(export) == {"td": {"database": "a", "engine": "presto"}, "keep": 1, "extra": 3}


def test_value_include_keeps_spans_in_the_included_file(tmp_path: Path) -> None:
    _write(tmp_path, {"wf.dig": "+t: !include tasks/t.dig\n", "tasks/t.dig": "\n\necho>: hello\n"})
    model = _load(tmp_path)
    task = model.workflows[0].root.children[0]
    echo = task.config.get("echo>")
    assert isinstance(echo, Scalar)
    assert echo.span.path == os.path.join(str(tmp_path), "tasks", "t.dig")
    assert echo.span.start.line == 2


def test_include_problems(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": ("_export:\n  !include : missing.yml\n  !include : ../outside.yml\n"
                   "  !include : /etc/passwd\n  !include : a.yml\n  !include : list.yml\n"),
        "a.yml": "!include : b.yml\n",
        "b.yml": "!include : a.yml\n",
        "list.yml": "- 1\n",
    })
    found = sorted((p.kind, p.span.path.rsplit("/", 1)[-1], p.span.start.line) for p in _load(tmp_path).problems)
    assert (kinds.INCLUDE_NOT_FOUND, "wf.dig", 1) in found
    assert (kinds.INCLUDE_OUTSIDE, "wf.dig", 2) in found
    assert (kinds.INCLUDE_OUTSIDE, "wf.dig", 3) in found
    assert (kinds.INCLUDE_CYCLE, "b.yml", 0) in found
    assert (kinds.INCLUDE_NOT_MAPPING, "wf.dig", 5) in found


def test_include_through_symlink_outside_project_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yml").write_text("x: 1\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.yml").symlink_to(outside / "secret.yml")
    (project / "wf.dig").write_text("_export:\n  !include : link.yml\n+t:\n  echo>: hi\n")
    model = _load(project)
    assert [p.kind for p in model.problems] == [kinds.LINKED_OUT]
    assert str(outside / "secret.yml") not in model.files.paths_read()


def test_included_file_errors_point_into_that_file(tmp_path: Path) -> None:
    found = lint_text(tmp_path, "_export:\n  !include : conf.yml\n+t:\n  echo>: x\n",
                      files={"conf.yml": "a: 1\na: 2\n"})
    assert [(d.code, os.path.basename(d.path), d.span.start.line) for d in found] == [("DL102", "conf.yml", 1)]


def test_call_targets_are_loaded_with_their_own_workdir(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": "+a:\n  call>: sub/child\n+b:\n  call>: nope.dig\n+c:\n  call>: ${dynamic}\n",
        "sub/child.dig": "+x:\n  call>: grandchild\n",
        "sub/grandchild.dig": "+y:\n  echo>: deep\n",
    })
    model = _load(tmp_path)
    names = [wf.name for wf in model.workflows]
    assert names == ["wf", "child", "grandchild"]
    assert model.workflows[1].is_called
    assert [p.kind for p in model.problems] == ["call-target-not-found"]


def test_overlays_win_over_disk(tmp_path: Path) -> None:
    _write(tmp_path, {"wf.dig": "+a:\n  echo>: disk\n"})
    path = str(tmp_path / "wf.dig")
    model = load_project(str(tmp_path), [path], OverlayReader({path: b"+b:\n  echo>: buffer\n"}))
    assert [t.name for t in model.workflows[0].root.children] == ["+b"]


def test_nested_projects_reached_by_call_are_checked_in_the_parent_context(tmp_path: Path) -> None:
    _write(tmp_path, {
        "p/wf.dig": "+a:\n  call>: sub/child.dig\n",
        "p/sub/child.dig": "+x:\n  echo>: hi\n",
        "q/other.dig": "+y:\n  echo>: hi\n",
        ".hidden/skip.dig": "+z:\n  echo>: hi\n",
    })
    units = plan([str(tmp_path)])
    roots = sorted(os.path.relpath(u.root, tmp_path) for u in units)
    assert roots == ["p", "q"]
    single = plan([str(tmp_path / "p" / "sub" / "child.dig")])
    assert [os.path.relpath(u.root, tmp_path) for u in single] == ["p"]


def test_a_parameters_file_below_a_project_is_no_workflow(tmp_path: Path) -> None:
    """digdag runs only the .dig files at the top of a project's folder (WorkflowResourceMatcher); one
    below it that nothing reaches and that holds no task is a parameters file (`digdag run -P`)."""
    _write(tmp_path, {
        "p/main.dig": "+a:\n  echo>: ${pg.host}\n",
        "p/conf/configuration.dig": "pg:\n  host: 127.0.0.1\n",
        "p/nested/project.dig": "pg: 1\n+b:\n  echo>: a task: still a workflow\n",
    })
    roots = sorted((os.path.relpath(u.root, tmp_path), len(u.workflows)) for u in plan([str(tmp_path)]))
    assert roots == [("p", 1), ("p/nested", 1)]
    single = plan([str(tmp_path / "p" / "conf" / "configuration.dig")])
    assert [(os.path.relpath(u.root, tmp_path), u.report) for u in single] == [
        ("p", (str(tmp_path / "p" / "conf" / "configuration.dig"),))]
    assert "DL201" not in codes(lint_paths([tmp_path / "p" / "conf"]))
    assert "DL201" in codes(lint_paths([tmp_path / "p" / "nested"]))


def test_digdagignore_is_honoured(tmp_path: Path) -> None:
    _write(tmp_path, {".digdagignore": "ignored.dig\n", "ignored.dig": "a: [\n", "wf.dig": "+a:\n  echo>: x\n"})
    assert codes(lint_text(tmp_path, "+a:\n  echo>: x\n")) == []
