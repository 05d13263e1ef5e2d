"""A directive that does nothing where it is written.

## What it does
Reports `_env` on operators that do not read it (only `sh>`, `py>`, `rb>` and `embulk>` pass an
environment on), `_do` / `_else_do` / `_parallel` on operators that generate no subtasks (`_do` is
read by `if>`, `loop>`, `for_each>`, `for_range>`, `td_for_each>`; `_else_do` by `if>` only;
`_parallel` by the loop operators), and `_check` on a group task, which digdag never runs. The
operators that accept each directive are listed in `x-dig-accepts` of `schemas/operators/`.

## Why is this bad?
The workflow runs without what was written: the environment variable is not set, the `_do` body
never runs, the `_check` is never performed.

## Example
```yaml
+report:
  td>: queries/report.sql
  _do:
    +notify:
      echo>: done
```

## Use instead
```yaml
+report:
  td>: queries/report.sql
+notify:
  echo>: done
```
"""

# Facts: `_env` is read by util/CommandOperators (sh, py, rb, embulk) through OperatorManager.callExecutor
# (reference §2); `_do`/`_else_do`/`_parallel` by the If/Loop/ForEach/ForRange/TdForEach factories;
# `_check` is only added after an operator task succeeds (WorkflowExecutor.addCheckTasksIfAny).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.catalog import catalog
from dig_lsp.model.workflow import Task
from dig_lsp.text.span import Span

CODE = "DL409"
NAME = "directive-without-effect"
SEVERITY = Severity.WARNING

_OPERATOR_DIRECTIVES = ("_env", "_do", "_else_do", "_parallel")


def check(ctx: CheckContext) -> Iterator[Finding]:
    for _, task in ctx.tasks():
        if task.disabled:
            continue
        use = task.operator
        if use is None:
            key = task.check.key
            if key is not None and task.role.value != "root":
                yield Finding(key, f"`_check` on group {task.full_name} never runs; move it to the "
                              "group's last task", (Related(key, "digdag runs `_check` only after an "
                                                    "operator task succeeds"),))
            continue
        spec = catalog().operator(use.name)
        if spec is None:
            continue
        for directive in _OPERATOR_DIRECTIVES:
            key = _written(task, directive)
            if key is not None and directive not in spec.accepts:
                users = sorted(f"{s.name}>" for s in catalog() if directive in s.accepts)
                yield Finding(key, f"`{directive}` has no effect on {spec.name}>",
                              (Related(key, f"only {', '.join(users)} read it" if users else
                                       "no built-in operator reads it"),))


def _written(task: Task, directive: str) -> Span | None:
    """Where the task writes ``directive``: the key of its reading (``_env``, ``_parallel``), or of the
    ``_do``/``_else_do`` param the loop and if operators read."""
    if directive == "_env":
        return task.env.key
    if directive == "_parallel":
        return task.parallel.key
    entry = task.entry(directive)
    return None if entry is None else entry.key_span
