"""A task definition that is not a mapping.

## What it does
Reports `+task:` values that are empty, a scalar, or a list with an item that is not a mapping, and `_error:`, `_check:`, `_do:` or `_else_do:` values that are not mappings (`_check` only on operator tasks, `_do`/`_else_do` only on the operators that read them: if>, loop>, for_each>, for_range>, td_for_each>). Lists of mappings are fine for `+task` (digdag merges them); an empty `_error:`/`_check:` is fine (it means "none").

## Why is this bad?
digdag cannot turn the value into a task: `Parameter '+x' must be an object or array of objects`, `Expected object but got ...` or `Parameter '_error' must be an object`. For `+task` and `_error` the workflow fails to compile (`digdag check`, `push`, `run`); for `_check`, `_do` and `_else_do` the task fails at run time.

## Example
```yaml
+cleanup:
+notify: echo>:done
_error: notify failure
```

## Use instead
```yaml
+cleanup:
  sh>: ./cleanup.sh
+notify:
  echo>: done
_error:
  echo>: notify failure
```
"""

# Facts: digdag-client/src/main/java/io/digdag/client/config/Config.java
# (getNestedOrderedOrGetEmpty: objects, or arrays whose items are all objects, else "Parameter
# '<k>' must be an object or array of objects" / "Expected object but got <json>"; a YAML null is
# a NullNode, so `+x:` fails too; getNestedOrGetEmpty: null means empty, other non-objects
# "Parameter '<k>' must be an object"; getNested: anything but an object fails).
# Users: workflow/WorkflowCompiler.Context.collect reads every `+` key (before the `_disable`
# test) and `_error`; workflow/TaskConfig.getCheckConfig (WorkflowExecutor.addCheckTasksIfAny,
# reached only from taskSucceeded, i.e. operator tasks) and getErrorConfig; std/operator/
# IfOperatorFactory (`_do`, `_else_do` with getNestedOrGetEmpty), LoopOperatorFactory,
# ForEachOperatorFactory, ForRangeOperatorFactory, td/TdForEachOperatorFactory (`_do`, getNested).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence, kind_name, to_json_text
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL207"
NAME = "task-not-mapping"
SEVERITY = Severity.ERROR

# `_do`/`_else_do` -> (the operators that read it, those of them that refuse null). Operator params, read
# by the operator when it runs; `_error` and `_check` are read as the task's readings (`task.error`,
# `task.check`: getNestedOrGetEmpty, null is "none").
_DO_REQUIRED = frozenset({"loop", "for_each", "for_range", "td_for_each"})
_OPERATOR_SUBTASKS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "_do": (frozenset({"if"}) | _DO_REQUIRED, _DO_REQUIRED),
    "_else_do": (frozenset({"if"}), frozenset()),
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each task value digdag cannot read as a task definition, once."""
    includes = {(ref.span.path, ref.span.start) for ref in ctx.project.includes}
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        for finding in (*_subtask_findings(task, includes), *_special_findings(task, includes)):
            where = (finding.span.path, finding.span.start)
            if where not in seen:
                seen.add(where)
                yield finding


def _own_entries(task: Task) -> list[Entry]:
    """The entries as written; a disabled task's model config is emptied, but digdag still reads its `+` keys."""
    if not task.disabled:
        return list(task.config.entries)
    if isinstance(task.value, Mapping):
        return list(task.value.entries)
    if isinstance(task.value, Sequence):
        return [entry for item in task.value.items if isinstance(item, Mapping) for entry in item.entries]
    return []


def _is_include(value: Node, includes: set[tuple[str, Position]]) -> bool:
    """An `!include` that could not be loaded is left as a null; DL109-DL111 report it."""
    return (value.span.path, value.span.start) in includes


def _subtask_findings(task: Task, includes: set[tuple[str, Position]]) -> Iterator[Finding]:
    for entry in _own_entries(task):
        if not entry.key.startswith("+") or _is_include(entry.value, includes):
            continue
        value = entry.value
        if isinstance(value, Scalar) and value.value is None:
            yield Finding(entry.key_span, f"task {excerpt(entry.key)!r} is empty; give it an operator such as "
                          "`echo>:` or `+subtasks`")
        elif isinstance(value, Scalar):
            yield Finding(value.span, _scalar_message(entry.key, value))
        elif isinstance(value, Sequence):
            yield from _item_findings(entry.key, value, includes)


def _scalar_message(key: str, value: Scalar) -> str:
    found = f"task {excerpt(key)!r} is the {kind_name(value)} {excerpt(to_json_text(value))}, not a mapping"
    if isinstance(value.value, str) and ">:" in value.value:
        return f"{found}; put a space after ':' (`x>: value`)"
    return f"{found} of the task's keys"


def _item_findings(key: str, value: Sequence, includes: set[tuple[str, Position]]) -> Iterator[Finding]:
    for item in value.items:
        if not isinstance(item, Mapping) and not _is_include(item, includes):
            yield Finding(item.span, f"item {excerpt(to_json_text(item))} of task {excerpt(key)!r} is not a mapping; "
                          "a task written as a list lists mappings")


def _special_findings(task: Task, includes: set[tuple[str, Position]]) -> Iterator[Finding]:
    if task.disabled:
        return
    operator = task.operator.name if task.operator is not None else None
    # only operator tasks read `_check` (WorkflowExecutor.taskSucceeded)
    for reading in (task.error, task.check) if operator is not None else (task.error,):
        for refusal in reading.refusals:
            if refusal.node is not None and not _is_include(refusal.node, includes):
                yield Finding(refusal.span, _not_a_task(refusal.key, _the(refusal.node)))
    for entry in task.config.entries:
        rule = _OPERATOR_SUBTASKS.get(entry.key)
        if rule is None or _is_include(entry.value, includes):
            continue
        readers, null_rejected = rule
        if operator in readers:
            finding = _operator_subtask_finding(entry, entry.value, operator in null_rejected)
            if finding is not None:
                yield finding


def _operator_subtask_finding(entry: Entry, value: Node, null_rejected: bool) -> Finding | None:
    if isinstance(value, Mapping):
        return None
    is_null = isinstance(value, Scalar) and value.value is None
    if is_null and not null_rejected:
        return None
    return Finding(entry.key_span if is_null else value.span,
                   _not_a_task(entry.key, "empty (null)" if is_null else _the(value)))


def _the(value: Node) -> str:
    return f"the {kind_name(value)} {excerpt(to_json_text(value))}"


def _not_a_task(key: str, found: str) -> str:
    return f"{key!r} is {found}, not a task (a mapping with an operator or +subtasks)"
