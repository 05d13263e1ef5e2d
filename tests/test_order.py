"""model/order.py: the links between a group's children, as digdag's WorkflowCompiler makes them
(``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``, ``Context.collect`` and
``parseSubtaskWithParallel``; ``digdag-plugin-utils/.../util/ParallelControl.java``), and the scopes and
the dry run that both follow them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dig_lsp.analysis.scope import Scope, Timing, build_scopes
from dig_lsp.dryrun.options import Options
from dig_lsp.model.order import GroupOrder, fold_awaited, task_order
from dig_lsp.model.project import load_project
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.text.files import DiskReader
from tests.conftest import CORPUS
from tests.test_dryrun import run_file, simulate


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


# ------------------------------------------------------------------------------ the dry run follows the links


def test_background_is_read_as_digdag_reads_a_boolean(tmp_path: Path) -> None:
    """get("_background", boolean.class, false) (digdag/coerce.py's truth table): `1` and `" true "` are true;
    the dry run read only `true`/`"true"` before."""
    run = simulate(tmp_path, "+a:\n  echo>: a\n+b:\n  _background: 1\n  echo>: b\n+c:\n  echo>: c\n"
                             "+d:\n  _background: \" true \"\n  echo>: d\n+e:\n  echo>: e\n")
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+b"].upstream == []
    assert records["+wf+d"].upstream == []
    assert records["+wf+c"].upstream == ["+wf+a", "+wf+b"]
    assert records["+wf+e"].upstream == ["+wf+c", "+wf+d"]
    assert records["+wf+b"].start == 0.0


def test_disable_is_read_as_digdag_reads_a_boolean(tmp_path: Path) -> None:
    """get("_disable", boolean.class, false): `1` disables the task (as the checks read it); `TRUE` is no
    boolean to Jackson, so digdag refuses the workflow (the dry run skipped the task before)."""
    run = simulate(tmp_path, "+a:\n  _disable: 1\n  echo>: a\n+b:\n  echo>: b\n")
    records = {t.full_name: t for t in run.tasks}
    assert (records["+wf+a"].kind, records["+wf+a"].attempts) == ("group", 0)
    run = simulate(tmp_path, "+a:\n  _disable: TRUE\n  echo>: a\n+b:\n  echo>: b\n", name="wf2")
    assert run.state == "error"
    assert [reason.split(": ", 1)[1] for reason in run.refused] == [
        "Expected 'true' or 'false' for key '_disable' but got \"TRUE\" (string)"]


def test_parallel_text_is_trimmed(tmp_path: Path) -> None:
    """ParallelControl: a text `_parallel` is read with get(boolean.class): Java's trim, then true/True."""
    run = simulate(tmp_path, "+g:\n  _parallel: \" true \"\n  +a:\n    echo>: a\n  +b:\n    echo>: b\n")
    assert {t.full_name: t.upstream for t in run.tasks}["+wf+g+b"] == []


def test_a_float_limit_is_truncated(tmp_path: Path) -> None:
    """`limit: 2.7` reads as 2 (Jackson truncates a float read as an int); it ran unlimited before."""
    run = simulate(tmp_path, "+g:\n  _parallel: {limit: 2.7}\n  +a:\n    echo>: a\n  +b:\n    echo>: b\n"
                             "  +c:\n    echo>: c\n")
    assert {t.full_name: t.upstream for t in run.tasks}["+wf+g+c"] == ["+wf+g+a", "+wf+g+b"]
    assert run.makespan == 120.0


def test_a_loop_whose_limit_is_no_int_fails(tmp_path: Path) -> None:
    """LoopOperatorFactory calls ParallelControl.of(params), whose get("limit", int.class) throws: the loop
    task fails with a configuration error (its children ran unlimited before)."""
    run = simulate(tmp_path, "+l:\n  loop>: 3\n  _parallel:\n    limit: abc\n  _do:\n    echo>: ${i}\n")
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+l"].state == "error"
    assert not any(name.startswith("+wf+l^sub") for name in records)
    assert any("Configuration error at task +wf+l: Expected integer (int) type for key 'limit'" in (e.message or "")
               for e in run.events)


def test_a_type_key_makes_an_operator_task(tmp_path: Path) -> None:
    """WorkflowCompiler.collect: `config.has("_type")` makes a task node; OperatorManager reads
    get("_type", String.class), so `_type: 123` runs operator "123" (an empty group before)."""
    run = simulate(tmp_path, "+a:\n  _type: 123\n+b:\n  echo>: b\n")
    record = {t.full_name: t for t in run.tasks}["+wf+a"]
    assert (record.kind, record.operator, record.attempts) == ("operator", "123", 1)


def test_a_call_written_as_a_list_of_mappings_runs_its_workflow(tmp_path: Path) -> None:
    """getNestedOrderedOrGetEmpty merges `+c: [{call>: sub}, {...}]`; the call runs sub.dig as ^sub."""
    (tmp_path / "sub.dig").write_text("+p:\n  echo>: p\n", encoding="utf-8")
    run = simulate(tmp_path, "+c:\n  - call>: sub\n  - {}\n")
    assert "+wf+c^sub+p" in {t.full_name for t in run.tasks}


BACKGROUND_AFTER = CORPUS / "digdag-tests/src/test/resources/acceptance/background_after"
CASES = [BACKGROUND_AFTER / name for name in ("background_task.dig", "background_group.dig", "after_task.dig",
                                              "after_group.dig")]


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.name)
def test_the_dry_run_links_the_tasks_as_the_model_orders_them(corpus: Path, path: Path) -> None:
    """Agreement by construction: every written group's links in the dry run are model/order.py's."""
    run = run_file(str(path), Options(params={"outdir": "/tmp/x"}))
    upstream = {t.full_name: t.upstream for t in run.tasks}
    project = load_project(os.path.dirname(path), [str(path)], DiskReader())
    workflow = project.workflow(str(path))
    assert workflow is not None
    checked = 0
    groups = [workflow.root]
    while groups:  # the written groups (their `_do`, `_error`... run under other names)
        task = groups.pop()
        groups.extend(task.children)
        order = task_order(task)
        for child, links in zip(task.children, order.upstream, strict=True):
            assert upstream[child.full_name] == [task.children[i].full_name for i in links], child.full_name
            checked += 1
    assert checked >= 3
