"""The dry run agrees with digdag: each test names the digdag source or corpus case it follows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dig_lsp.cli.main import main
from dig_lsp.dryrun.js import MAX_CALL_DEPTH, NO_LIMIT_IN_DIGDAG, Exhausted, JsError, evaluate_text
from dig_lsp.dryrun.options import Durations, FailRule, OptionError, Options
from dig_lsp.dryrun.report import render, to_json, to_text
from dig_lsp.dryrun.simulate import MAX_ATTEMPTS
from tests.conftest import CORPUS
from tests.test_dryrun import run_file, simulate

# ------------------------------------------------------------------ 1. what digdag refuses is no success

# digdag's own tests that expect WorkflowCompiler (or WorkflowFile) to refuse the file before anything runs
# (the corpus MANIFEST.tsv names each test), with the message they expect.
REFUSED = [
    ("digdag-tests/src/test/resources/acceptance/background_after/after_without_parallel.dig",
     'Setting "_after" option is invalid if its parent task doesn\'t have "_parallel: true" option'),
    ("digdag-tests/src/test/resources/acceptance/background_after/background_with_parallel.dig",
     'Setting "_background: true" option is invalid (unnecessary) if its parent task has "_parallel: true" option'),
    ("digdag-core/src/test/resources/io/digdag/core/workflow/multiple_operators.dig",
     "A task can't have more than one operator"),
    ("digdag-core/src/test/resources/io/digdag/core/workflow/invalid_error_task.dig",
     "A task can't have more than one operator"),
    ("digdag-tests/src/test/resources/acceptance/error_task/invalid_at_group.dig",
     "A task can't have more than one operator"),
    ("digdag-tests/src/test/resources/acceptance/error_task/invalid_at_leaf.dig",
     "A task can't have more than one operator"),
    ("digdag-core/src/test/resources/io/digdag/core/workflow/parallel_variable_group.dig",
     "Expected 'true' or 'false' for key '_parallel'"),
    ("digdag-tests/src/test/resources/acceptance/parallel/parallel_variable_group.dig",
     "Expected 'true' or 'false' for key '_parallel'"),
    ("digdag-core/src/test/resources/io/digdag/core/workflow/unused_keys_in_group.dig",
     "contains invalid keys: 'parallel' (did you mean [_parallel]?)"),
]


@pytest.mark.parametrize(("relative", "message"), REFUSED)
def test_workflows_digdag_refuses_are_not_simulated(corpus: Path, relative: str, message: str) -> None:
    run = run_file(str(CORPUS / relative), Options(params={"outdir": "/tmp/x"}))
    assert run.state == "error"
    assert run.tasks == []
    assert any(message in reason for reason in run.refused), run.refused
    assert any(message in problem for problem in to_json(run)["summary"]["problems"])
    assert "refuses this workflow" in to_text(run)
    assert main(["dry-run", str(CORPUS / relative), "-p", "outdir=/tmp/x"]) == 1


def test_after_may_only_name_an_earlier_sibling(tmp_path: Path) -> None:
    """WorkflowCompiler.parseSubtaskWithParallel: names are looked up among siblings already processed."""
    text = "+g:\n  _parallel: true\n  +a:\n    _after: [+b]\n    echo>: a\n  +b:\n    echo>: b\n"
    run = simulate(tmp_path, text)
    assert run.state == "error"
    assert [reason.split(": ", 1)[1] for reason in run.refused] == ["Dependency task '+b' does not exist"]
    assert run.refused[0].startswith(f"{tmp_path / 'wf.dig'}:4:")
    run = simulate(tmp_path, text.replace("_after: [+b]", "_after: [+a]"), name="wf2")
    assert run.refused  # not itself either
    run = simulate(tmp_path, "+g:\n  _parallel: true\n  +a:\n    echo>: a\n  +b:\n    _after: [+a]\n    echo>: b\n",
                   name="wf3")
    assert run.refused == []
    assert run.state == "success"


def test_a_disabled_task_is_not_compiled(tmp_path: Path) -> None:
    """WorkflowCompiler.collect: `_disable: true` replaces the task by an empty group before any check."""
    run = simulate(tmp_path, "+a:\n  _disable: true\n  echo>: a\n  sh>: b\n+b:\n  echo>: b\n")
    assert run.refused == []
    assert run.state == "success"


def test_an_expression_that_throws_fails_the_task_without_retry(tmp_path: Path) -> None:
    """OperatorManager.evalConfig turns the TemplateException ("Failed to evaluate a variable ...") into a
    ConfigException; runWithHeartbeat calls taskFailed (no retry), and _error tasks still run."""
    text = ("+a:\n  _retry: 3\n  sh>: echo ${nope}\n  _error:\n    echo>: handled\n+b:\n  echo>: never\n")
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].state == "error"
    assert records["+wf+a"].attempts == 1
    assert records["+wf+a"].retries == 0
    assert records["+wf+a^error"].attempts == 1
    assert records["+wf+b"].state == "skipped"
    assert run.state == "error"
    assert any((e.message or "").startswith("Configuration error at task +wf+a: Failed to evaluate a variable "
                                            "echo ${nope} (ReferenceError") for e in run.events)
    # The exported error.message holds the failed template, and ConfigEvalEngine.evalObjectRecursive evaluates
    # every string of the ^error task's params (TaskExecutionException.buildExceptionErrorConfig keeps the
    # message as it is): the _error task meets the same ReferenceError.
    assert records["+wf+a^error"].state == "error"
    assert any("(in inherited 'error')" in item for item in records["+wf+a^error"].errors)


def test_a_trailing_line_comment_in_an_expression_fails_the_task(tmp_path: Path) -> None:
    """digdag.js writes ``((__t=(`` *expression* ``))==null?...`` on one line, so ``// note`` hides the closing
    parentheses and ``new Function`` throws a SyntaxError: the task fails as for any template error
    (OperatorManager.evalConfig); it is not evaluated as if the comment ended before them."""
    run = simulate(tmp_path, "+a:\n  echo>: ${1 + 2 // note}\n+b:\n  echo>: next\n")
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].state == "error"
    assert records["+wf+b"].state == "skipped"
    assert any("this // comment also hides the ')'" in (e.message or "") for e in run.events)
    # with a line break (a literal block keeps it) the comment ends, and the expression is evaluated
    run = simulate(tmp_path, "+a:\n  echo>: |\n    ${1 + 2 // note\n    }\n")
    assert {t.full_name: t.state for t in run.tasks}["+wf+a"] == "success"


def test_a_query_file_whose_template_throws_fails_the_task_without_retry(tmp_path: Path) -> None:
    """TdOperatorFactory's TdOperator renders its query file in its constructor (workspace.templateCommand);
    Workspace.templateCommand makes the TemplateException a ConfigException "<message> in <file>", which
    OperatorManager.runWithHeartbeat reports with taskFailed: no retry, _error runs."""
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "q.sql").write_text("SELECT ${nothing.here} FROM t\n", encoding="utf-8")
    text = "+a:\n  td>: queries/q.sql\n  database: d\n  _retry: 2\n  _error:\n    echo>: handled\n"
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].state == "error"
    assert records["+wf+a"].retries == 0
    (message,) = [e.message for e in run.events if e.task == "+wf+a" and e.kind == "end" and e.state == "error"
                  and e.message and e.message.startswith("Configuration error")]
    assert message.endswith("is not defined in queries/q.sql (config)")
    assert "+wf+a^error" in records
    # a file whose templates all evaluate is no failure, and other operators render their files later
    (tmp_path / "queries" / "q.sql").write_text("SELECT ${session_date} FROM t\n", encoding="utf-8")
    assert simulate(tmp_path, text, name="wf2").state == "success"


@pytest.mark.parametrize("relative", [
    "digdag-tests/src/test/resources/acceptance/config_eval_engine/invalid1.dig",  # `=>` is no ES5
    "digdag-tests/src/test/resources/acceptance/secrets/invalid_secret_use.dig",  # "key1" is not defined
    "digdag-tests/src/test/resources/acceptance/parallel/invalid_parallel_variable_loop.dig",  # _parallel: tru
])
def test_attempts_digdag_fails_end_in_error(corpus: Path, relative: str) -> None:
    """The corpus cases whose tests expect the attempt to fail (MANIFEST.tsv names each test)."""
    run = run_file(str(CORPUS / relative), Options(params={"outdir": "/tmp/x"}))
    assert run.refused == []
    assert run.state == "error"


def test_generated_config_digdag_refuses_fails_the_generating_task(tmp_path: Path) -> None:
    """WorkflowExecutor.taskSucceeded compiles ^sub/^check; a ConfigException there fails the task
    ("Configuration error at task ..."), without a retry."""
    text = ("+if:\n  _retry: 2\n  if>: true\n  _do:\n    echo>: a\n    sh>: b\n"
            "+loop:\n  loop>: 2\n  _do:\n    +x:\n      _background: true\n      echo>: x\n"
            "    +y:\n      _after: [+x]\n      echo>: y\n")
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+if"].state == "error"
    assert records["+wf+if"].retries == 0
    assert "+wf+if^sub" not in records
    messages = [e.message or "" for e in run.events]
    assert any("Configuration error at task +wf+if: " in m and "more than one operator" in m for m in messages)
    # the task ends once, in error (it never shows a success first)
    assert [(e.state, (e.message or "")[:34]) for e in run.events if e.task == "+wf+if" and e.kind == "end"] == \
        [("error", "Configuration error at task +wf+if")]
    assert run.state == "error"
    run = simulate(tmp_path, text.replace("if>: true", "if>: false"), name="wf2")
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf2+if"].state == "success"  # the refused branch is not generated
    assert records["+wf2+loop"].state == "error"
    assert not any(name.startswith("+wf2+loop^sub") for name in records)  # nothing of the refused body runs
    assert any("Configuration error at task +wf2+loop: " in (e.message or "") and "_after" in (e.message or "")
               for e in run.events)


def test_if_without_branches_fails(tmp_path: Path) -> None:
    """IfOperatorFactory: both ``_do`` and ``_else_do`` empty -> "Both _do and _else_do are not specified."; one
    branch is enough, even when the condition picks the missing one (the task then just succeeds)."""
    run = simulate(tmp_path, "+a:\n  if>: true\n")
    assert run.state == "error"
    assert [e.message for e in run.events if e.task == "+wf+a" and e.kind == "end"] == [
        "Configuration error at task +wf+a: Both _do and _else_do are not specified."]
    run = simulate(tmp_path, "+a:\n  if>: true\n  _else_do:\n    echo>: no\n", name="wf2")
    assert run.state == "success"


def test_call_target_digdag_refuses_fails_the_call(tmp_path: Path) -> None:
    """CallOperatorFactory returns the file's config; the executor compiles it as ^sub."""
    (tmp_path / "child.dig").write_text("+p:\n  +a:\n    echo>: a\n  +b:\n    _after: [+a]\n    echo>: b\n",
                                        encoding="utf-8")
    run = simulate(tmp_path, "+call:\n  call>: child\n")
    assert run.refused == []
    assert {t.full_name: t.state for t in run.tasks}["+wf+call"] == "error"
    assert run.state == "error"


@pytest.mark.parametrize("text", ["+a:x", "+a:", "+a:0", "+a:-1", "+a:1.5", ":2", "+a:1:2"])
def test_malformed_fail_counts_are_usage_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(OptionError):
        FailRule.parse(text)
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: a\n", encoding="utf-8")
    assert main(["dry-run", str(tmp_path / "wf.dig"), "--fail", text]) == 2


def test_fail_patterns_must_match_an_operator_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("+g:\n  +a:\n    echo>: a\n", encoding="utf-8")
    path = str(tmp_path / "wf.dig")
    assert main(["dry-run", path, "--fail", "+nope"]) == 2
    assert "--fail '+nope' matches no operator task" in capsys.readouterr().err
    assert main(["dry-run", path, "--fail", "+g"]) == 2  # a group cannot fail by itself
    assert main(["dry-run", path, "--fail", "+a:1"]) == 1
    assert main(["dry-run", path, "--fail", "+wf+g+*"]) == 1


# ------------------------------------------------------------------ 2. _export values are templates

def test_exported_templates_render_in_each_task(tmp_path: Path) -> None:
    """ConfigEvalEngine.eval evaluates every string of the merged config (OperatorManager.evalConfig: request
    params, then RuntimeParams, then the task's keys), in key order: an exported template sees the session
    variables and is rendered again in each task that inherits it (reference section 5.3)."""
    text = ("_export:\n  table: t_${session_date_compact}\n  prefix: ${table}_x\n"
            "+g:\n  _export:\n    full: ${prefix}.${task_name}\n"
            "  +a:\n    echo>: ${table} ${full}\n")
    run = simulate(tmp_path, text, Options(session_time=datetime(2016, 1, 30)))
    commands = {t.full_name: t.command for t in run.tasks}
    assert commands["+wf+g+a"] == "t_20160130 t_20160130_x.+wf+g+a"
    assert run.state == "success"


def test_exported_mappings_merge_deeply(tmp_path: Path) -> None:
    """collectParams merges each ancestor's export with Config.merge (mergeJsonObject: nested objects merge)."""
    text = ("_export:\n  td:\n    database: db\n+g:\n  _export:\n    td:\n      table: t\n"
            "  +a:\n    echo>: ${td.database}.${td.table}\n")
    assert {t.full_name: t.command for t in simulate(tmp_path, text).tasks}["+wf+g+a"] == "db.t"


def test_generated_exports_override_the_body(tmp_path: Path) -> None:
    """LoopOperatorFactory: getNestedOrSetEmpty("_export").set("i", i) over the _do body's own _export."""
    text = "+l:\n  loop>: 2\n  _do:\n    _export:\n      i: 99\n      j: ${i}\n    echo>: ${i}-${j}\n"
    commands = [t.command for t in simulate(tmp_path, text).tasks if "+loop-" in t.full_name]
    assert commands == ["0-0", "1-1"]


def test_not_evaluated_counts_include_inherited_templates(tmp_path: Path) -> None:
    """Each task evaluates the inherited templates again, so each counts them; a template the dry run cannot
    compute is counted wherever it is evaluated, and named as inherited."""
    text = ("_export:\n  t: t_${session_date_compact}\n  now: ${moment().format()}\n"
            "+a:\n  echo>: ${t}\n+b:\n  echo>: b\n")
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert (records["+wf+a"].templates, records["+wf+b"].templates) == (3, 2)
    assert records["+wf+a"].unevaluated == [records["+wf+b"].unevaluated[0]]
    assert "(in inherited 'now')" in records["+wf+a"].unevaluated[0]
    assert (run.templates, run.unevaluated) == (5, 2)
    assert "templates: 5 (2 not evaluated)" in to_text(run)
    assert records["+wf+a"].command == "t_20240131"


# ------------------------------------------------------------------ 3. control operators take no time

def test_control_operators_take_no_time(tmp_path: Path) -> None:
    """if>/loop>/for_each>/for_range>/call> return their subtask config at once (IfOperatorFactory,
    LoopOperatorFactory, ForEachOperatorFactory, ForRangeOperatorFactory, CallOperatorFactory); require> only
    polls another session (RequireOperatorFactory). Their children's time is the time."""
    (tmp_path / "child.dig").write_text("+c:\n  echo>: c\n", encoding="utf-8")
    text = ("+if:\n  if>: true\n  _do:\n    echo>: yes\n"
            "+loop:\n  loop>: 2\n  _do:\n    echo>: ${i}\n"
            "+each:\n  for_each>:\n    k: [a]\n  _do:\n    echo>: ${k}\n"
            "+range:\n  for_range>:\n    from: 0\n    to: 2\n    step: 1\n  _do:\n    echo>: r\n"
            "+call:\n  call>: child\n+req:\n  require>: other\n+last:\n  echo>: last\n")
    run = simulate(tmp_path, text)
    times = {t.full_name: t.start for t in run.tasks}
    assert times["+wf+if^sub"] == 0
    assert (times["+wf+loop"], times["+wf+loop^sub+loop-0"], times["+wf+loop^sub+loop-1"]) == (60, 60, 120)
    assert times["+wf+each"] == 180
    assert times["+wf+range"] == 240
    assert times["+wf+call"] == times["+wf+call^sub+c"] == 360
    assert times["+wf+req"] == times["+wf+last"] == 420
    assert run.makespan == 480
    assert [s.task for s in run.critical_path if s.end > s.start][-1] == "+wf+last"


def test_configured_durations_still_apply_to_control_operators(tmp_path: Path) -> None:
    durations = Durations.from_mapping({"require>": "5m"})
    run = simulate(tmp_path, "+req:\n  require>: other\n+last:\n  echo>: last\n", Options(durations=durations))
    assert {t.full_name: t.start for t in run.tasks}["+wf+last"] == 300


# ------------------------------------------------------------------ 4. the failure alert

def test_a_failed_attempt_adds_the_failure_alert(tmp_path: Path) -> None:
    """WorkflowExecutor.setDoneFromDoneChildren: when the root group fails (after its retries),
    addAttemptFailureAlertTask adds ^failure-alert ({_type: notify, _command: "Workflow session attempt
    failed"}), then the root's _error task; neither waits for the other."""
    text = "_error:\n  echo>: root handler\n+a:\n  fail>: boom\n"
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    alert = records["+wf^failure-alert"]
    assert (alert.operator, alert.command, alert.parent) == ("notify", "Workflow session attempt failed", "+wf")
    assert alert.upstream == []
    assert records["+wf^error"].upstream == []
    assert alert.start == records["+wf^error"].start == 60
    assert list(records).index("+wf^failure-alert") < list(records).index("+wf^error")
    assert run.state == "error"
    assert "+wf^failure-alert" in to_text(run)


def test_no_failure_alert_while_the_root_retries_or_succeeds(tmp_path: Path) -> None:
    run = simulate(tmp_path, "_retry: 1\n+a:\n  fail>: boom\n")
    alerts = [e for e in run.events if e.task == "+wf^failure-alert" and e.kind == "start"]
    assert len(alerts) == 1  # after the root's one retry, not before
    assert alerts[0].time == 120
    run = simulate(tmp_path, "+a:\n  sh>: x\n  _error:\n    echo>: handled\n", name="wf2")
    assert not any("^failure-alert" in t.full_name for t in run.tasks)


def test_the_failure_alert_does_not_count_against_the_task_limit(tmp_path: Path) -> None:
    """addGeneratedSubtasksWithoutLimit."""
    run = simulate(tmp_path, "+a:\n  fail>: boom\n", Options(task_limit=2))
    assert "+wf^failure-alert" in {t.full_name for t in run.tasks}
    assert not any("Too many tasks" in p for p in run.problems)


def test_generated_tasks_past_the_limit_fail_only_the_generating_task(tmp_path: Path) -> None:
    """TaskControl.checkTaskLimit refuses the whole ^sub batch ("Current" counts the attempt's tasks, "Adding"
    the batch); WorkflowExecutor.taskSucceeded then fails the generating task without a retry, its _error
    runs, and a parallel sibling goes on."""
    text = ("_parallel: true\n+loop:\n  loop>: 3\n  _retry: 2\n  _do:\n    +a:\n      echo>: x\n"
            "  _error:\n    echo>: handled\n+sibling:\n  sh>: work\n")
    run = simulate(tmp_path, text, Options(task_limit=6))
    records = {t.full_name: t for t in run.tasks}
    assert "Too many tasks. Limit: 6, Current: 3, Adding: 7" in [e.message for e in run.events if e.task == "+wf+loop"]
    assert records["+wf+loop"].retries == 0
    assert records["+wf+loop^error"].state == "success"
    assert records["+wf+sibling"].state == "success"
    assert not any(name.startswith("+wf+loop^sub") for name in records)


def test_error_tasks_past_the_limit_are_not_added(tmp_path: Path) -> None:
    """WorkflowExecutor.taskFailed: "Failed to add error tasks because of task limit"; the task fails anyway."""
    text = "+a:\n  fail>: boom\n  _error:\n    +b:\n      echo>: one\n    +c:\n      echo>: two\n"
    run = simulate(tmp_path, text, Options(task_limit=3))
    records = {t.full_name: t for t in run.tasks}
    assert "+wf+a^error" not in records
    assert records["+wf+a"].state == "error"
    assert any("its _error tasks are not added: Too many tasks. Limit: 3, Current: 2, Adding: 3" in note
               for note in records["+wf+a"].notes)


def test_a_group_retry_copies_its_children_without_a_limit_check(tmp_path: Path) -> None:
    """copyInitialTasksForRetry stores the copies of a retried group's children without checkTaskLimit."""
    text = "+g:\n  _retry: 1\n  +a:\n    sh>: x\n  +b:\n    sh>: y\n"
    run = simulate(tmp_path, text, Options(task_limit=4, fails=(FailRule.parse("+wf+g+a:1"),)))
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+g"].retries == 1
    assert records["+wf+g"].state == "success"
    assert not any("Too many tasks" in (e.message or "") for e in run.events)


# ------------------------------------------------------------------ 5. bounds

# Budgets are the dry run's own: digdag's GraalJsEngine builds its JavaScript context without resource limits.
SMALL_STEPS = 20_000


@pytest.mark.parametrize("expression", [
    "(function(){ var s = 'ab'; for (var i = 0; i < 60; i++) { s = s + s } return s.length })()",
    "(function(){ var a = [1]; for (var i = 0; i < 60; i++) { a = [a, a] } return String(a).length })()",
    "(function(){ var a = [1]; for (var i = 0; i < 60; i++) { a = a.concat(a, a) } return a.length })()",
    "(function(){ var a = [1]; for (var i = 0; i < 60; i++) { a = [a, a] } return a })()",  # JSON of the result
])
def test_values_built_inside_templates_have_a_memory_budget(expression: str) -> None:
    """Sixty doublings are a few hundred steps: the step budget would not stop them, the memory budget does."""
    with pytest.raises(Exhausted, match="exceeds the dry run's memory budget") as caught:
        evaluate_text(expression, {}, UTC, max_steps=SMALL_STEPS)
    assert NO_LIMIT_IN_DIGDAG in str(caught.value)


def test_the_memory_budget_leaves_ordinary_values_alone() -> None:
    expression = "(function(){ var s = 'ab'; for (var i = 0; i < 10; i++) { s = s + s } return s.length })()"
    assert evaluate_text(expression, {}, UTC) == "2048"
    assert evaluate_text("[1, [2, 'x']].concat([3]).join('-')", {}, UTC) == "1-2,x-3"


def test_endless_loops_stop_at_the_step_budget() -> None:
    with pytest.raises(Exhausted, match=r"exceeds the dry run's step budget .*too many steps") as caught:
        evaluate_text("(function(){ for (;;) {} })()", {}, UTC, max_steps=SMALL_STEPS)
    assert f"{SMALL_STEPS:,}" in str(caught.value)


def test_recursion_depth_is_reported_as_such() -> None:
    """A named function expression sees its own name (ECMA-262 5.1 section 13), so it can recurse; too deep a
    recursion is the dry run's depth limit, not a ReferenceError."""
    assert evaluate_text("(function f(n){ return n > 0 ? f(n - 1) : 'done' })(10)", {}, UTC) == "done"
    with pytest.raises(Exhausted, match=rf"recursion depth \({MAX_CALL_DEPTH} nested function calls\)"):
        evaluate_text("(function f(n){ return n > 0 ? f(n - 1) : 'done' })(100000)", {}, UTC)
    assert evaluate_text(f"(function f(n){{ return n > 0 ? f(n - 1) : 'done' }})({MAX_CALL_DEPTH - 1})", {},
                         UTC) == "done"
    with pytest.raises(JsError, match="ReferenceError"):
        evaluate_text("(function(n){ return f(n) })(1)", {}, UTC)  # an anonymous one has no name to call


def test_a_budget_leaves_the_template_unevaluated_not_failed(tmp_path: Path) -> None:
    text = ("+a:\n  echo>: \"${(function(){ var s = 'ab'; for (var i = 0; i < 60; i++) { s = s + s } return s })()}\"\n"
            "+b:\n  echo>: \"${(function f(n){ return f(n + 1) })(0)}\"\n")
    run = simulate(tmp_path, text)
    records = {t.full_name: t for t in run.tasks}
    assert "exceeds the dry run's memory budget" in records["+wf+a"].unevaluated[0]
    assert f"recursion depth ({MAX_CALL_DEPTH} nested function calls)" in records["+wf+b"].unevaluated[0]
    assert records["+wf+a"].state == records["+wf+b"].state == "success"
    assert (run.templates, run.unevaluated) == (2, 2)


def test_simulated_attempts_per_task_are_capped(tmp_path: Path) -> None:
    run = simulate(tmp_path, "+a:\n  _retry: 1000000\n  sh>: x\n", Options(fails=[FailRule.parse("+a")]))
    record = next(t for t in run.tasks if t.full_name == "+wf+a")
    assert record.attempts == MAX_ATTEMPTS
    assert record.retries == MAX_ATTEMPTS - 1
    assert any("truncated" in problem and "1000000" in problem for problem in run.problems)
    assert len(run.segments) < 3 * MAX_ATTEMPTS
    assert run.state == "error"


def java_int(value: int) -> int:
    """Java's int overflow: the low 32 bits, two's complement."""
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def test_exponential_back_off_follows_javas_int_arithmetic(tmp_path: Path) -> None:
    """RetryControl.getNextRetryInterval: interval * (int) Math.pow(2, retry_count), then Math.min with
    max_interval. (int) of a double past Integer.MAX_VALUE is Integer.MAX_VALUE (JLS 5.1.3) and the product
    wraps around; retry_at = now() + interval (DatabaseSessionStoreManager), so a negative one is due at once."""
    text = "+a:\n  _retry:\n    limit: 40\n    interval: 10\n    interval_type: exponential\n  sh>: x\n"
    run = simulate(tmp_path, text, Options(fails=[FailRule.parse("+a")]))
    waits = [s.end - s.start for s in run.segments if s.kind == "wait"]
    assert waits[:3] == [10, 20, 40]
    assert waits[27] == 10 * 2**27  # 1342177280: still an int
    assert java_int(10 * 2**28) < 0
    assert waits[28] == 0
    assert waits[29] == java_int(10 * 2**29) == 1073741824
    assert waits[31:] == [0] * 9  # 10 * Integer.MAX_VALUE wraps to -10
    assert any("overflows" in note for note in next(t for t in run.tasks if t.full_name == "+wf+a").notes)
    for kind in ("text", "json", "html"):
        assert render(run, kind)
    capped = simulate(tmp_path, text.replace("interval: 10", "interval: 10\n    max_interval: 3600"),
                      Options(fails=[FailRule.parse("+a")]), name="wf2")
    waits = [s.end - s.start for s in capped.segments if s.kind == "wait"]
    assert waits[8:12] == [2560, 3600, 3600, 3600]
    assert waits[28] == 0  # Math.min(-1610612736, 3600): max_interval does not undo the overflow


def test_huge_simulated_times_are_reported_not_raised(tmp_path: Path) -> None:
    run = simulate(tmp_path, "sla:\n  duration: 01:00\n+a:\n  sh>: x\n",
                   Options(durations=Durations.from_mapping({"+a": 10**15})))
    assert run.makespan == 10**15
    for kind in ("text", "json", "html"):
        assert render(run, kind)
    assert run.sla is not None
    assert run.sla["met"] is False
