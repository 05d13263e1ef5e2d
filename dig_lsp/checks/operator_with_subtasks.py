"""An operator task that also has `+subtasks`.

## What it does
Reports each `+child` key of a task that has an operator (`x>:` or `_type:`), pointing at the operator key. Disabled tasks are not checked.

## Why is this bad?
A task either runs an operator or groups subtasks, never both: digdag refuses to compile the workflow with `A task can't have subtasks`, so `digdag check`, `push` and `run` fail before anything runs.

## Example
```yaml
+load:
  td>: queries/load.sql
  +notify:
    echo>: loaded
```

## Use instead
```yaml
+load:
  +run:
    td>: queries/load.sql
  +notify:
    echo>: loaded
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java
# (Context.collect: a config with `_type` or a key ending in '>' is an operator task, and any
# `+` key then throws "A task can't have subtasks: <config>"; `_disable: true` is handled first).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.workflow import OperatorUse, Task, TaskRole
from dig_lsp.syntax.nodes import Entry
from dig_lsp.text.span import Position

CODE = "DL206"
NAME = "operator-with-subtasks"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each subtask key of each enabled operator task."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        operator = task.operator
        if task.disabled or operator is None or task.role is TaskRole.ROOT:
            continue  # an operator at the top level is DL201's (WorkflowFile rejects it first)
        for entry in task.config.entries:
            where = (entry.key_span.path, entry.key_span.start)
            if entry.key.startswith("+") and where not in seen:
                seen.add(where)
                yield _finding(task, operator, entry)


def _finding(task: Task, operator: OperatorUse, child: Entry) -> Finding:
    message = (f"operator task {task.full_name} cannot have subtask {child.key!r}; "
               f"move {operator.key!r} into a subtask")
    return Finding(child.key_span, message, (Related(operator.key_span, f"operator {operator.key!r}"),))
