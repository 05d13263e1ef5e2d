"""model/order.py: the links between a group's children, as digdag's WorkflowCompiler makes them
(``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``, ``Context.collect`` and
``parseSubtaskWithParallel``; ``digdag-plugin-utils/.../util/ParallelControl.java``), and the scopes that
follow them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.model.order import GroupOrder, fold_awaited, task_order
from dig_lsp.model.project import load_project
from dig_lsp.model.scope import Scope, Timing, build_scopes
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.text.files import DiskReader


def _workflow(tmp_path: Path, text: str) -> Workflow:
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    project = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    workflow = project.workflow(str(tmp_path / "wf.dig"))
    assert workflow is not None
    return workflow


def _group(tmp_path: Path, text: str, name: str = "+g") -> tuple[Task, GroupOrder]:
    workflow = _workflow(tmp_path, text)
    group = next(task for task in workflow.root.children if task.name == name)
    return group, task_order(group)


def _upstream(group: Task, order: GroupOrder) -> dict[str, list[str]]:
    return {child.name: [group.children[i].name for i in up] for child, up in zip(group.children, order.upstream,
                                                                                  strict=True)}


def _awaited(group: Task, order: GroupOrder) -> dict[str, list[str]]:
    names = [child.name for child in group.children]
    nothing: tuple[str, ...] = ()
    found = fold_awaited(order, nothing, lambda done, index: (*done, names[index]))
    return {name: list(awaited) for name, awaited in zip(names, found, strict=True)}


# ------------------------------------------------------------------------------ the links


def test_sequential_children_and_background_ones(tmp_path: Path) -> None:
    """beforeList: a _background child waits for nothing; the next other child waits for the previous other
    child and every background child since."""
    group, order = _group(tmp_path, "+g:\n  +a:\n    echo>: a\n  +b:\n    _background: true\n    echo>: b\n"
                                    "  +c:\n    _background: true\n    echo>: c\n  +d:\n    echo>: d\n"
                                    "  +e:\n    echo>: e\n")
    assert not order.parallel.parallel
    assert _upstream(group, order) == {"+a": [], "+b": [], "+c": [], "+d": ["+a", "+b", "+c"], "+e": ["+d"]}
    assert order.background == (False, True, True, False, False)
    assert _awaited(group, order) == {"+a": [], "+b": [], "+c": [], "+d": ["+a", "+b", "+c"],
                                      "+e": ["+a", "+b", "+c", "+d"]}
    assert order.refusals == ()


def test_parallel_children_wait_only_for_their_after_names(tmp_path: Path) -> None:
    """parseSubtaskWithParallel: `_after` names earlier siblings; the waits add up through siblings
    (TaskTree.walkUpstreamSiblings at run time)."""
    group, order = _group(tmp_path, "+g:\n  _parallel: true\n  +a:\n    echo>: a\n  +b:\n    _after: [+a]\n"
                                    "    echo>: b\n  +c:\n    _after: [+b]\n    echo>: c\n  +d:\n    echo>: d\n")
    assert _upstream(group, order) == {"+a": [], "+b": ["+a"], "+c": ["+b"], "+d": []}
    assert _awaited(group, order) == {"+a": [], "+b": ["+a"], "+c": ["+a", "+b"], "+d": []}


def test_a_limit_cuts_the_children_into_chunks_after_their_after_links(tmp_path: Path) -> None:
    """Lists.partition(subtasks, limit): each child of a chunk waits for every child of the previous one,
    added after its `_after` links (each sibling once here: digdag may add one twice, to the same effect)."""
    group, order = _group(tmp_path, "+g:\n  _parallel: {limit: 2}\n  +a:\n    echo>: a\n  +b:\n    echo>: b\n"
                                    "  +c:\n    _after: [+a, +b]\n    echo>: c\n  +d:\n    _after: [+c, +c]\n"
                                    "    echo>: d\n  +e:\n    _after: [+a]\n    echo>: e\n")
    assert order.parallel.limit == 2
    assert _upstream(group, order) == {"+a": [], "+b": [], "+c": ["+a", "+b"], "+d": ["+c", "+a", "+b"],
                                       "+e": ["+a", "+c", "+d"]}
    assert _awaited(group, order)["+e"] == ["+a", "+b", "+c", "+d"]


@pytest.mark.parametrize(("parallel", "limit"), [
    ('"2"', 2),  # Config.get("limit", int.class): a text of digits reads as the int
    ("2.7", 2),  # a float is truncated
    ("0", 0),  # getParallelLimit() > 0 is false: no chunks
    ("-3", 0),
])
def test_the_limit_is_read_as_an_int(tmp_path: Path, parallel: str, limit: int) -> None:
    _, order = _group(tmp_path, f"+g:\n  _parallel: {{limit: {parallel}}}\n  +a:\n    echo>: a\n")
    assert order.parallel.parallel
    assert order.parallel.limit == limit


def test_what_digdag_refuses(tmp_path: Path) -> None:
    """The ConfigExceptions of the links, in digdag's words and checking order."""
    _, order = _group(tmp_path, "+g:\n  +a:\n    _after: [+x]\n    _background: maybe\n    echo>: a\n")
    assert [r.message for r in order.refusals] == [
        'Setting "_after" option is invalid if its parent task doesn\'t have "_parallel: true" option',
        "Expected 'true' or 'false' for key '_background' but got \"maybe\" (string)"]
    _, order = _group(tmp_path, "+g:\n  _parallel: true\n  +a:\n    _background: true\n    _after: [+b, {}, +a]\n"
                                "    echo>: a\n  +b:\n    echo>: b\n")
    assert [r.message for r in order.refusals] == [
        'Setting "_background: true" option is invalid (unnecessary) if its parent task has "_parallel: true" option',
        "Dependency task '+b' does not exist",
        "Expected string type for key '_after' but got {} (object)",
        "Dependency task '+a' does not exist"]
    assert order.upstream == ((), ())
    _, order = _group(tmp_path, "+g:\n  _parallel: {limit: x}\n  +a:\n    _after: [+b]\n    echo>: a\n")
    assert [r.message for r in order.refusals] == [  # ParallelControl throws first: nothing else is read
        "Expected integer (int) type for key 'limit' but got \"x\" (string)"]
    assert not order.parallel.parallel


# ------------------------------------------------------------------------------ scopes follow the links


STORE = "td>:\n{indent}query: SELECT 1 AS cnt\n{indent}store_last_results: true\n"


def _scopes(tmp_path: Path, text: str) -> dict[str, Scope]:
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    index = build_scopes(model)
    found = {}
    for workflow in model.workflows:
        for task in workflow.tasks():
            scope = index.scope(task)
            assert scope is not None
            found[task.full_name] = scope
    return found


def test_a_task_sees_the_stores_of_what_its_after_tasks_waited_for(tmp_path: Path) -> None:
    """`_after: [+b]` where +b has `_after: [+a]`: +a has finished when +c starts (it was taken for a
    parallel sibling's store before)."""
    text = ("+g:\n  _parallel: true\n  +a:\n    " + STORE.format(indent="    ") +
            "  +b:\n    _after: [+a]\n    echo>: b\n  +c:\n    _after: [+b]\n    echo>: ${td.last_results.cnt}\n")
    scopes = _scopes(tmp_path, text)
    assert "td.last_results" in scopes["+wf+g+c"].variables


def test_an_after_name_digdag_does_not_find_awaits_nothing(tmp_path: Path) -> None:
    """`_after` naming a later sibling is refused (Dependency task ... does not exist): no link."""
    text = ("+g:\n  _parallel: true\n  +c:\n    _after: [+a]\n    echo>: c\n  +a:\n    " + STORE.format(indent="    "))
    scopes = _scopes(tmp_path, text)
    scope = scopes["+wf+g+c"]
    assert "td.last_results" not in scope.variables
    assert scope.unreliable["td.last_results"].timing is Timing.PARALLEL


def test_a_limit_written_as_text_makes_chunks_for_the_scopes_too(tmp_path: Path) -> None:
    """`_parallel: {limit: "1"}` reads as 1 (Config.get("limit", int.class)): the next chunk waits."""
    text = "+g:\n  _parallel: {limit: \"1\"}\n  +a:\n    " + STORE.format(indent="    ") + "  +b:\n    echo>: b\n"
    assert "td.last_results" in _scopes(tmp_path, text)["+wf+g+b"].variables
