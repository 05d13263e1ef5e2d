"""The dry-run simulator: task tree, order, retries, timing, rendering, CLI and JSON schema."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from dig_lsp.cli.main import main
from dig_lsp.dryrun.options import Durations, FailRule, Options, StoreRule
from dig_lsp.dryrun.report import to_json
from dig_lsp.dryrun.run import dry_run
from dig_lsp.dryrun.simulate import DryRun, name_tag
from dig_lsp.model.project import load_project
from dig_lsp.text.files import DiskReader
from tests.conftest import CORPUS, ROOT

SESSION = datetime(2024, 1, 31, 0, 0, 0)


def simulate(tmp_path: Path, text: str, options: Options | None = None, name: str = "wf") -> DryRun:
    path = tmp_path / f"{name}.dig"
    path.write_text(text, encoding="utf-8")
    return run_file(str(path), options)


def run_file(path: str, options: Options | None = None) -> DryRun:
    options = options or Options()
    if options.session_time is None:
        options.session_time = SESSION
    root = os.path.dirname(path)
    project = load_project(root, [path], DiskReader())
    workflow = project.workflow(path)
    assert workflow is not None
    return dry_run(project, workflow, options)


def starts(run: DryRun) -> dict[str, float]:
    return {t.full_name: t.start for t in run.tasks if t.start is not None}


def order(run: DryRun) -> list[str]:
    return [e.task for e in run.events if e.kind == "start" and e.command is not None]


def test_sequential_children_and_full_names(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+a:\n  echo>: a\n+b:\n  +c:\n    echo>: c\n  +d:\n    echo>: d\n")
    assert starts(run) == {"+wf": 0, "+wf+a": 0, "+wf+b": 60, "+wf+b+c": 60, "+wf+b+d": 120}
    assert run.makespan == 180
    assert run.max_concurrency == 1
    assert run.state == "success"


def test_background_task_from_digdag_acceptance_tests() -> None:
    run = run_file(str(CORPUS / "digdag-tests/src/test/resources/acceptance/background_after/background_task.dig"),
                   Options(params={"outdir": "/tmp/x"}))
    times = starts(run)
    # the background task has no upstream; the following task waits for forward_task and it
    assert times["+background_task+group+background_task"] == 0
    assert times["+background_task+group+forward_task"] == 0
    assert times["+background_task+group+following_task"] == 60
    records = {t.full_name: t for t in run.tasks}
    assert sorted(records["+background_task+group+following_task"].upstream) == [
        "+background_task+group+background_task", "+background_task+group+forward_task"]
    assert records["+background_task+group+forward_task"].command.startswith("for t in 1 2 4 8 16; do test -f /tmp/x/")


@pytest.mark.parametrize("name", ["after_task.dig", "after_group.dig", "background_group.dig"])
def test_background_after_corpus_cases(name: str) -> None:
    run = run_file(str(CORPUS / "digdag-tests/src/test/resources/acceptance/background_after" / name),
                   Options(params={"outdir": "/tmp/x"}))
    assert run.state == "success"
    records = {t.full_name: t for t in run.tasks}
    for record in records.values():
        for upstream in record.upstream:
            assert records[upstream].end is not None
            assert record.start is not None
            assert records[upstream].end <= record.start


def test_parallel_limit_chunks_from_digdag_core() -> None:
    run = run_file(str(CORPUS / "digdag-core/src/test/resources/io/digdag/core/workflow/parallel_limit.dig"))
    times = starts(run)
    loops = [times[f"+parallel_limit+repeat^sub+loop-{i}"] for i in range(5)]
    # chunks of 2 with a barrier: each loop body is 3 sequential minutes (loop> itself takes no time)
    assert loops == [0, 0, 180, 180, 360]
    records = {t.full_name: t for t in run.tasks}
    assert sorted(records["+parallel_limit+repeat^sub+loop-2"].upstream) == [
        "+parallel_limit+repeat^sub+loop-0", "+parallel_limit+repeat^sub+loop-1"]
    assert records["+parallel_limit+repeat^sub+loop-0+step1"].command == "+parallel_limit+repeat^sub+loop-0+step1"
    assert run.max_concurrency == 2


def test_retry_on_group_reruns_from_start() -> None:
    run = run_file(str(CORPUS / "digdag-core/src/test/resources/io/digdag/core/workflow/retry_on_group.dig"))
    records = {t.full_name: t for t in run.tasks}
    assert records["+retry_on_group+doit"].retries == 3
    assert records["+retry_on_group+doit+task1"].attempts == 4
    assert records["+retry_on_group+doit+task3"].state == "error"
    assert records["+retry_on_group+doit+task4"].state == "skipped"
    assert run.state == "error"


def test_attempts_count_on_across_a_group_retry() -> None:
    """A group's retry copies the tasks below it (TaskControl.copyInitialTasksForRetry): each copy is the
    task's next attempt, for a group below as for an operator task, and each attempt ends once."""
    run = run_file(str(CORPUS / "digdag-core/src/test/resources/io/digdag/core/workflow/call_sub_fail_retry.dig"))
    ends = [(e.task, e.attempt) for e in run.events if e.kind == "end"]
    assert len(ends) == len(set(ends))
    group = "+call_sub_fail_retry+call_sub_fail"
    assert [e.attempt for e in run.events if e.task == group] == [1, 1, 2, 2, 3, 3]
    assert [e.attempt for e in run.events if e.task == group + "+echo"] == [1, 1, 2, 2, 3, 3]
    assert [(e.kind, e.attempt) for e in run.events if e.task == "+call_sub_fail_retry"] == [
        ("start", 1), ("retry", 1), ("start", 2), ("retry", 2), ("start", 3), ("end", 3)]


def test_exponential_retry_intervals() -> None:
    run = run_file(str(CORPUS / "digdag-core/src/test/resources/io/digdag/core/workflow/retry_exponential.dig"))
    waits = [s.end - s.start for s in run.segments if s.kind == "wait"]
    assert waits == [1, 2, 2, 2, 2, 2]  # interval 1 * 2^n capped by max_interval 2
    record = next(t for t in run.tasks if t.full_name.endswith("+fail"))
    assert any("reads the clock" in item for item in record.unevaluated)


def test_operator_retry_and_ignored_retry(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+a:\n  _retry: {limit: 2, interval: 30}\n  sh>: x\n+b:\n  _retry: 3\n  echo>: b\n",
                   Options(fails=[FailRule.parse("+a:1"), FailRule.parse("+b:1")]))
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].attempts == 2
    assert records["+wf+a"].state == "success"
    assert records["+wf+b"].attempts == 1
    assert records["+wf+b"].state == "error"
    assert any("ignores _retry" in note for note in records["+wf+b"].notes)
    assert run.makespan == 60 + 30 + 60 + 60 + 60  # the last minute: ^failure-alert (notify>), +b failed


def test_error_and_check_tasks(tmp_path: Path) -> None:
    text = ("+a:\n  sh>: a\n  _check:\n    echo>: checked\n+b:\n  fail>: boom\n  _error:\n"
            "    echo>: ${error.message}\n")
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a^check"].state == "success"
    assert records["+wf+a^check"].start == 60
    assert records["+wf+b^error"].command == "boom"
    assert records["+wf+b"].state == "error"
    assert run.state == "error"


def test_for_each_names_and_order_from_digdag_core() -> None:
    run = run_file(str(CORPUS / "digdag-core/src/test/resources/io/digdag/core/workflow/for_each_retry.dig"))
    names = [n for n in order(run) if n.startswith("+for_each_retry+test+echo^sub")]
    assert names[:3] == [f"+for_each_retry+test+echo^sub+for-0=count={i}={i}" for i in range(3)]
    records = {t.full_name: t for t in run.tasks}
    assert records["+for_each_retry+test+echo^sub+for-0=count=2=2"].command == "2"
    assert records["+for_each_retry"].retries == 2


def test_for_each_cartesian_product_keeps_key_order(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+l:\n  for_each>:\n    fruit: [apple, orange]\n    verb: [eat, throw away]\n"
                   "  _do:\n    echo>: ${verb} ${fruit}\n")
    assert [n.split("^sub")[1] for n in order(run)[1:]] == [
        "+for-0=fruit=0=apple&1=verb=0=eat", "+for-0=fruit=0=apple&1=verb=1=throw%20aw",
        "+for-0=fruit=1=orange&1=verb=0=eat", "+for-0=fruit=1=orange&1=verb=1=throw%20aw"]
    assert name_tag({"a": 1}) == "%7B%22a%22%3A1%7D"
    # the operator's end leaves the task planned (TaskStateCode: running -> planned -> success); it ends once
    ends = [(e.state, e.message) for e in run.events if e.task == "+wf+l" and e.kind == "end"]
    assert ends == [("planned", "operator done; waiting for ^sub"), ("success", None)]


def test_if_loop_for_range_td_for_each_call(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "child.dig").write_text("+c:\n  echo>: in child ${x}\n", encoding="utf-8")
    text = ("_export:\n  x: 1\n+if:\n  if>: ${x == 1}\n  _do:\n    echo>: yes\n  _else_do:\n    echo>: no\n"
            "+loop:\n  loop>: 2\n  _do:\n    echo>: ${i}\n"
            "+range:\n  for_range>:\n    from: 0\n    to: 10\n    slices: 3\n"
            "  _do:\n    echo>: ${range.from}-${range.to}\n"
            "+td:\n  td_for_each>: q.sql\n  _do:\n    echo>: ${td.each.n}\n"
            "+call:\n  call>: sub/child\n+req:\n  require>: other\n")
    run = simulate(tmp_path, text, Options(rows=[("*", [{"n": 5}, {"n": 6}])]))
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+if^sub"].command == "yes"
    assert [records[f"+wf+loop^sub+loop-{i}"].command for i in range(2)] == ["0", "1"]
    assert [r.command for n, r in records.items() if n.startswith("+wf+range^sub+range-")] == ["0-4", "4-8", "8-10"]
    assert [r.command for n, r in records.items() if n.startswith("+wf+td^sub+td-for-each-")] == ["5", "6"]
    assert records["+wf+call^sub+c"].command == "in child 1"
    assert any("waits for" in note for note in records["+wf+req"].notes)


def test_task_limit(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+l:\n  loop>: 1001\n  _do:\n    echo>: x\n")
    assert run.state == "error"
    assert any("Too many loop subtasks. Limit: 1000" in (e.message or "") for e in run.events)
    run = simulate(tmp_path, "+l:\n  loop>: 600\n  _do:\n    +a:\n      echo>: x\n", name="wf2")
    assert run.state == "error"
    assert any(e.message == "Too many tasks. Limit: 1000, Current: 2, Adding: 1201" for e in run.events)


def test_timing_known_durations_and_critical_path(tmp_path: Path) -> None:
    text = ("+prep:\n  sh>: p\n+work:\n  _parallel: true\n  +fast:\n    td>: f.sql\n  +slow:\n    sh>: s\n"
            "  +mid:\n    _after: [+fast]\n    sh>: m\n+done:\n  echo>: d\n")
    durations = Durations.from_mapping({"+wf+prep": "5m", "*slow": 600, "td>": "2m", "+mid": "1m"}, default=30)
    run = simulate(tmp_path, text, Options(durations=durations))
    assert run.makespan == 300 + 600 + 30
    assert [s.task for s in run.critical_path] == ["+wf+prep", "+wf+work+slow", "+wf+done"]
    assert run.max_concurrency == 2


def test_sla_verdict(tmp_path: Path) -> None:
    text = "sla:\n  duration: 00:02\n+a:\n  sh>: a\n+b:\n  sh>: b\n+c:\n  sh>: c\n"
    run = simulate(tmp_path, text)
    assert run.sla is not None
    assert run.sla["met"] is False
    run = simulate(tmp_path, text.replace("00:02", "00:03"), name="wf2")
    assert run.sla is not None
    assert run.sla["met"] is True


def test_times_cross_a_daylight_saving_change_as_elapsed_time(tmp_path: Path) -> None:
    """New York skips 02:00-03:00 on 2024-03-10: two hours after 01:00 EST is 04:00 EDT. Adding a
    timedelta to the zoned start moved the wall clock instead (03:00 EDT, one hour too early)."""
    text = "timezone: America/New_York\nsla:\n  duration: 02:00:00\n+a:\n  sh>: a\n"
    run = simulate(tmp_path, text, Options(session_time=datetime(2024, 3, 10, 1, 0),
                                           durations=Durations(default=2 * 3600 + 1800)))
    assert run.sla is not None
    assert run.sla["deadline"] == "2024-03-10T04:00:00-04:00"
    assert run.sla["met"] is False  # the session ends at 04:30 EDT
    document = to_json(run)
    assert document["summary"]["end_time"] == "2024-03-10T04:30:00-04:00"
    assert [e["at"] for e in document["events"] if e["task"] == "+wf+a"] == [
        "2024-03-10T01:00:00-05:00", "2024-03-10T04:30:00-04:00"]


def test_session_variables_and_rendering(tmp_path: Path) -> None:
    text = ("timezone: Asia/Tokyo\nschedule:\n  daily>: 07:00:00\n+a:\n  echo>: ${session_date} ${last_session_date}"
            " ${next_session_date_compact} ${moment(session_time).add(1, 'M').format('YYYY-MM-DD HH:mm')} $${x}"
            " ${secret:k} ${n + 1}\n+b:\n  v: ${1 + 1}\n  echo>: ${v} ${nope}\n")
    run = simulate(tmp_path, text, Options(params={"n": "3", "x": "y"}))
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].command == "2024-01-31 2024-01-30 20240201 2024-02-29 00:00 $y ${secret:k} 31"
    assert run.origin.isoformat() == "2024-01-31T07:00:00+09:00"
    assert records["+wf+b"].command == "2 ${nope}"
    assert records["+wf+b"].errors
    assert "ReferenceError" in records["+wf+b"].errors[0]


def test_store_option(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+q:\n  td>: q.sql\n+u:\n  echo>: ${td.last_results.n}\n",
                   Options(stores=[StoreRule.parse("+wf+q.td.last_results={\"n\": 3}")]))
    assert {t.full_name: t for t in run.tasks}["+wf+u"].command == "3"


STORE_ORDER = """\
+g:
  _parallel: true
  +fast:
    td>: q.sql
    _check:
      echo>: check ${td.last_results.n}
  +slow:
    +w1:
      echo>: w1
    +w2:
      echo>: w2
    +e:
      echo>: "slow ${typeof td === 'undefined' ? 'unset' : td.last_results.n}"
+after:
  echo>: after ${td.last_results.n}
+seq:
  +one:
    td>: q.sql
  +two:
    echo>: two ${td.last_results.n}
"""


def test_stored_values_follow_dependencies_not_the_clock(tmp_path: Path) -> None:
    """digdag's collectParams: a store is visible to the storing task's generated children and to
    what runs after it in dependency order; a parallel sibling never sees it, even one that starts
    after the storing task ended on the simulated clock. Later stores win."""
    stores = [StoreRule.parse("+wf+g+fast.td.last_results={\"n\": 1}"),
              StoreRule.parse("+wf+seq+one.td.last_results={\"n\": 2}")]
    run = simulate(tmp_path, STORE_ORDER, Options(stores=stores))
    commands = {t.full_name: t.command for t in run.tasks}
    starts_at = starts(run)
    assert commands["+wf+g+fast^check"] == "check 1"
    assert starts_at["+wf+g+slow+e"] > starts_at["+wf+g+fast^check"]  # +fast ended long before
    assert commands["+wf+g+slow+e"] == "slow unset"  # a parallel sibling does not see its store
    assert commands["+wf+after"] == "after 1"  # downstream of the group that holds the storing task
    assert commands["+wf+seq+two"] == "two 2"


def test_json_output_validates_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  fail>: x\n  _error:\n    echo>: e\n+b:\n  echo>: b\n", encoding="utf-8")
    schema = json.loads((ROOT / "schemas" / "dryrun.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(to_json(run_file(str(tmp_path / "wf.dig"))))
    out = tmp_path / "out.json"
    assert main(["dry-run", str(tmp_path), "--format", "json", "--output", str(out),
                 "--session-time", "2024-01-01T00:00:00"]) == 1
    Draft202012Validator(schema).validate(json.loads(out.read_text(encoding="utf-8")))
    assert main(["dry-run", str(tmp_path / "wf.dig"), "--format", "html", "-o", str(tmp_path / "g.html")]) == 1
    assert "<main class=\"chart\"" in (tmp_path / "g.html").read_text(encoding="utf-8")
    assert main(["dry-run", str(tmp_path), "wf", "--session-time", "2024-01-01T00:00:00"]) == 1
    text = capsys.readouterr().out
    assert "+0:00:00  " in text
    assert "Summary:" in text
    assert "state: error" in text
    assert main(["dry-run", str(tmp_path), "--fail", "x", "--default-duration", "nope"]) == 2


def test_nested_mappings_see_inherited_params_as_written(tmp_path: Path) -> None:
    """digdag issue #862 (reference section 5.3): inside a nested mapping, templates see that mapping's
    own earlier keys and the inherited params unevaluated; task-level keys see them evaluated."""
    text = ("_export:\n  a: 1\n  b: 2\n  d: ${a}-${b}\n"
            "+top:\n  echo>: ${d}\n"
            "+nested:\n  td>:\n    data: select '${d}' as x, '${x}' as y\n    x: 3\n")
    commands = {t.full_name: t.command for t in simulate(tmp_path, text).tasks}
    assert commands["+wf+top"] == "1-2"
    assert commands["+wf+nested"] is not None
    assert "select '${a}-${b}' as x" in commands["+wf+nested"]
    assert "'${x}' as y" in commands["+wf+nested"]  # a later key of the mapping is not visible yet
