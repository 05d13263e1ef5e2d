"""The ``_export`` chains of ``dig_lsp/analysis/exports.py``: worked out below a top-level task only when one
of its tasks is asked about, and then the same chains a walk of every task gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dig_lsp.analysis.exports import build_export_index
from dig_lsp.model.calls import callers_first, runs_in_callers
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.files import DiskReader
from tests.conftest import FIXTURES

CALLER = """\
_export:
  td:
    database: db
+first:
  _export:
    table: t
  +inner:
    call>: called
  +other:
    _export: null
    echo>: x
+second:
  _export: [not, an, object]
  +deeper:
    _export:
      b: 2
    +deepest:
      sh>: echo
  _error:
    echo>: failed
"""

CALLED = """\
+called_task:
  _export:
    c: 3
  echo>: ${c}
+plain:
  echo>: plain
"""


def _reference(project: ProjectModel) -> dict[int, ExportChain]:
    """Every task's chain, by a plain walk of every task (how the index was built before it deferred)."""
    chains: dict[int, ExportChain] = {}

    def walk(task: Task, inherited: tuple[Mapping, ...], open_ended: bool) -> None:
        reading = task.export
        own = (reading.value,) if reading.value is reading.node else ()
        open_ended = open_ended or task.config.unresolved is not None or any(m.unresolved for m in own)
        chains[id(task)] = ExportChain(inherited + own, open_ended)
        for child in (*task.children, *task.specials):
            walk(child, inherited + own, open_ended)

    for workflow in callers_first(project):
        inherited: tuple[Mapping, ...] = ()
        if runs_in_callers(project, workflow):
            for _, caller in project.callers.get(workflow.path, []):
                if id(caller) in chains:
                    inherited += chains[id(caller)].mappings
            walk(workflow.root, inherited, not inherited)
        else:
            walk(workflow.root, (), False)
    return chains


def _same(found: ExportChain, expected: ExportChain) -> bool:
    return found.open_ended == expected.open_ended and len(found.mappings) == len(expected.mappings) and \
        all(a is b for a, b in zip(found.mappings, expected.mappings, strict=True))


def _projects() -> list[Path]:
    return [*sorted(p for p in (FIXTURES / "checks").iterdir() if p.is_dir()), FIXTURES.parent.parent / "examples"]


def _load(directory: Path) -> ProjectModel:
    return load_project(str(directory), [str(p) for p in sorted(directory.glob("*.dig"))], DiskReader())


def _check_every_task(project: ProjectModel, seed: int) -> int:
    tasks = [task for workflow in project.workflows for task in workflow.tasks()]
    random.Random(seed).shuffle(tasks)  # asked in any order, a top-level task's chains are worked out when needed
    expected = _reference(project)
    index = build_export_index(project)
    for task in tasks:
        assert _same(index.chain(task), expected[id(task)]), task.full_name
    return len(tasks)


def test_chains_with_callers_and_refused_exports(tmp_path: Path) -> None:
    (tmp_path / "caller.dig").write_text(CALLER, encoding="utf-8")
    (tmp_path / "called.dig").write_text(CALLED, encoding="utf-8")
    project = load_project(str(tmp_path), [str(tmp_path / "caller.dig")], DiskReader())
    assert _check_every_task(project, 0) == 11
    index = build_export_index(project)
    called = next(wf for wf in project.workflows if wf.name == "called")
    task = called.root.children[0]
    assert [sorted(m.keys()) for m in index.chain(task).mappings] == [["td"], ["table"], ["c"]]


def test_a_task_left_alone_is_not_walked(tmp_path: Path) -> None:
    (tmp_path / "caller.dig").write_text(CALLER, encoding="utf-8")
    project = load_project(str(tmp_path), [str(tmp_path / "caller.dig")], DiskReader())
    index = build_export_index(project)
    first, second = project.workflows[0].root.children
    index.chain(first.children[0])
    assert id(first.children[1]) in index.chains
    assert id(second.children[0]) not in index.chains
    assert id(second) in index.deferred
    assert index.chain(Task("+x", "+x", first.role, first.key_span, first.value, first.config, (), (), ())) == \
        ExportChain(())  # a task of another project


@pytest.mark.parametrize("directory", _projects(), ids=lambda p: p.name)
def test_chains_equal_a_walk_of_every_task(directory: Path) -> None:
    project = _load(directory)
    for seed in range(2):
        _check_every_task(project, seed)
