"""A task with more than one `operator>:` key.

## What it does
Reports the second and later `x>:` keys of a task (`sh>:` and `py>:` together, say), pointing back at the first. `_type:` together with one `x>:` key is not reported, as digdag accepts it. Tasks inside `_error`, `_check`, `_do` and `_else_do` are checked too; disabled tasks are not.

## Why is this bad?
digdag refuses to compile the workflow with `A task can't have more than one operator`, so `digdag check`, `push` and `run` fail before anything runs (for `_check`, `_do` and `_else_do` bodies, the parent task fails at run time instead).

## Example
```yaml
+prepare:
  sh>: ./download.sh
  py>: tasks.prepare
```

## Use instead
```yaml
+download:
  sh>: ./download.sh
+prepare:
  py>: tasks.prepare
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java
# (Context.collect counts keys ending in '>' after removing `+` keys and throws "A task can't
# have more than one operator: <config>"; `_type` is not counted; validateSpecialSubtasks
# compiles `_error` eagerly). Tests: digdag-core/src/test/resources/io/digdag/core/workflow/
# multiple_operators.dig, invalid_error_task.dig; digdag-tests .../acceptance/error_task/.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.workflow import OperatorUse, Task, TaskRole
from dig_lsp.text.span import Position

CODE = "DL205"
NAME = "multiple-operators"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report every operator key after a task's first one."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        if task.disabled or task.role is TaskRole.ROOT:
            continue  # operators at the top level are DL201's (WorkflowFile rejects them first)
        operators = _arrow_operators(task)
        for later in operators[1:]:
            where = (later.key_span.path, later.key_span.start)
            if where not in seen:
                seen.add(where)
                yield _finding(task, operators[0], later)


def _arrow_operators(task: Task) -> list[OperatorUse]:
    """The task's distinct `x>` keys in order (a key written twice is a duplicate-key error instead)."""
    found: list[OperatorUse] = []
    for use in task.operators:
        if use.key.endswith(">") and all(use.key != other.key for other in found):
            found.append(use)
    return found


def _finding(task: Task, first: OperatorUse, later: OperatorUse) -> Finding:
    message = (f"task {task.full_name} has a second operator {later.key!r} after {first.key!r}; "
               "split it into one task per operator")
    return Finding(later.key_span, message, (Related(first.key_span, f"first operator {first.key!r}"),))
