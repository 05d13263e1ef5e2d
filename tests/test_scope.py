"""The scope model: what each task sees, and why a stored value is or is not reliable."""

from __future__ import annotations

from pathlib import Path

from dig_lsp.analysis.scope import Origin, Scope, Timing, build_scopes
from dig_lsp.model.project import load_project
from dig_lsp.text.files import DiskReader


def _scopes(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> dict[str, Scope]:
    for relative, content in (files or {}).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    (tmp_path / "wf.dig").write_text(text)
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    index = build_scopes(model, ("declared",))
    found = {}
    for workflow in model.workflows:
        for task in workflow.tasks():
            scope = index.scope(task)
            assert scope is not None
            found[task.full_name] = scope
    return found


STORE = "  td>:\n  query: SELECT 1 AS cnt\n  store_last_results: true\n"


def test_exports_builtins_and_runtime_params(tmp_path: Path) -> None:
    scopes = _scopes(tmp_path, "_export:\n  td:\n    database: a\n+t:\n  echo>: x\n")
    scope = scopes["+wf+t"]
    assert scope.variables["td.database"].origin is Origin.EXPORT
    assert scope.is_namespace(("td",))
    assert scope.variables["session_time"].origin is Origin.BUILTIN
    assert scope.variables["declared"].origin is Origin.RUNTIME
    assert "last_session_time" not in scope.variables


def test_schedule_adds_last_and_next_session(tmp_path: Path) -> None:
    scopes = _scopes(tmp_path, "schedule:\n  daily>: 07:00:00\n+t:\n  echo>: x\n")
    assert "next_session_date" in scopes["+wf+t"].variables


def test_sequential_stores_are_visible_later_and_not_earlier(tmp_path: Path) -> None:
    scopes = _scopes(tmp_path, f"+before:\n  echo>: x\n+count:\n{STORE}+after:\n  echo>: x\n")
    assert "td.last_results" in scopes["+wf+after"].variables
    assert scopes["+wf+before"].unreliable["td.last_results"].timing is Timing.LATER
    assert "td.last_job_id" not in scopes["+wf+count"].variables


def test_conditional_store_needs_its_flag(tmp_path: Path) -> None:
    scopes = _scopes(tmp_path, "+count:\n  td>:\n  query: SELECT 1\n+after:\n  echo>: x\n")
    assert "td.last_job_id" in scopes["+wf+after"].variables
    assert "td.last_results" not in scopes["+wf+after"].variables


def test_parallel_siblings_limit_chunks_and_after(tmp_path: Path) -> None:
    text = ("+p:\n  _parallel: true\n  +count:\n" + STORE.replace("  ", "    ", 3) +
            "  +sibling:\n    echo>: x\n  +waits:\n    _after: [+count]\n    echo>: x\n"
            "+chunks:\n  _parallel: {limit: 1}\n  +a:\n" + STORE.replace("  ", "    ", 3) + "  +b:\n    echo>: x\n")
    scopes = _scopes(tmp_path, text)
    assert scopes["+wf+p+sibling"].unreliable["td.last_results"].timing is Timing.PARALLEL
    assert "td.last_results" in scopes["+wf+p+waits"].variables
    assert "td.last_results" in scopes["+wf+chunks+b"].variables


def test_background_task_does_not_wait_for_earlier_siblings(tmp_path: Path) -> None:
    text = ("+g:\n  +count:\n" + STORE.replace("  ", "    ", 3) +
            "  +bg:\n    _background: true\n    echo>: x\n  +next:\n    echo>: x\n")
    scopes = _scopes(tmp_path, text)
    assert scopes["+wf+g+bg"].unreliable["td.last_results"].timing is Timing.NOT_AWAITED
    assert "td.last_results" in scopes["+wf+g+next"].variables


def test_stores_of_a_background_task_are_awaited_by_the_next_task(tmp_path: Path) -> None:
    text = ("+h:\n  +first:\n    echo>: x\n  +bgstore:\n    _background: true\n" + STORE.replace("  ", "    ", 3) +
            "  +last:\n    echo>: x\n")
    scopes = _scopes(tmp_path, text)
    assert scopes["+wf+h+first"].unreliable["td.last_results"].timing is Timing.BACKGROUND
    assert "td.last_results" in scopes["+wf+h+last"].variables


def test_loop_error_and_check_scopes(tmp_path: Path) -> None:
    text = ("+loop:\n  for_each>:\n    region: [us, eu]\n  _do:\n    +in:\n      echo>: x\n"
            "+range:\n  for_range>: {from: 0, to: 10, step: 5}\n  _do:\n    +in:\n      echo>: x\n"
            "+fails:\n  echo>: x\n  _error:\n    +e:\n      echo>: x\n")
    scopes = _scopes(tmp_path, text)
    assert scopes["+wf+loop^sub+in"].variables["region"].origin is Origin.LOOP
    assert "range.index" in scopes["+wf+range^sub+in"].variables
    assert "error.message" in scopes["+wf+fails^error+e"].variables


def test_py_and_rb_stores_are_read_statically(tmp_path: Path) -> None:
    text = ("+py:\n  py>: tasks.store_it\n+rb:\n  rb>: Store.run\n  require: tasks/store\n"
            "+after:\n  echo>: x\n")
    files = {"tasks/__init__.py": "import digdag\ndef store_it():\n    digdag.env.store({'from_py': 1}, other=2)\n",
             "tasks/store.rb": "class Store\n  def run\n    Digdag.env.store(from_rb: 1)\n  end\nend\n"}
    scope = _scopes(tmp_path, text, files)["+wf+after"]
    assert {"from_py", "other", "from_rb"} <= set(scope.variables)
    assert scope.open_world is None


def test_non_literal_py_store_opens_the_world(tmp_path: Path) -> None:
    files = {"tasks/__init__.py": "import digdag\ndef s(d):\n    digdag.env.store(d)\n"}
    scopes = _scopes(tmp_path, "+py:\n  py>: tasks.s\n+after:\n  echo>: x\n", files)
    assert scopes["+wf+after"].open_world == "+wf+py"


def test_td_for_each_columns_come_from_the_query(tmp_path: Path) -> None:
    text = ("+each:\n  td_for_each>:\n    data: SELECT region, COUNT(1) AS cnt FROM t\n"
            "  _do:\n    +in:\n      echo>: x\n")
    scope = _scopes(tmp_path, text)["+wf+each^sub+in"]
    assert {"td.each.region", "td.each.cnt"} <= set(scope.variables)


def test_called_workflows_see_the_callers_scope(tmp_path: Path) -> None:
    files = {"sub/child.dig": "+c:\n  echo>: x\n"}
    scopes = _scopes(tmp_path, "+t:\n  _export:\n    from_caller: 1\n  call>: sub/child\n", files)
    assert "from_caller" in scopes["+child+c"].variables
