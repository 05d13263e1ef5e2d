"""`_after` on a task whose parent group does not run its children in parallel.

## What it does
Reports the `_after` key of a `+task` whose parent group has no `_parallel`, or `_parallel: false`. Any `_after`, even an empty one, counts. Disabled tasks, and parents whose own `_parallel` is invalid (DL211), are skipped.

## Why is this bad?
digdag refuses to compile the workflow (`Setting "_after" option is invalid if its parent task doesn't have "_parallel: true" option`), so `digdag check`, `push` and `run` fail before anything runs. In a sequential group every task already waits for the tasks above it.

## Example
```yaml
+prepare:
  +a:
    sh>: ./a.sh
  +b:
    _after: [+a]
    sh>: ./b.sh
```

## Use instead
```yaml
+prepare:
  _parallel: true
  +a:
    sh>: ./a.sh
  +b:
    _after: [+a]
    sh>: ./b.sh
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java (Context.collect:
# when the group's ParallelControl is not parallel, a child whose config `has("_after")` (any value,
# null included) throws this message; only `+children` of group tasks are checked, and a
# `_disable: true` child is replaced by an empty config). The readings are the model's (task.parallel,
# child.after: dig_lsp/digdag/directives.py).
# Corpus: digdag-tests/src/test/resources/acceptance/background_after/after_without_parallel.dig.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.workflow import Task
from dig_lsp.text.span import Position

CODE = "DL209"
NAME = "after-without-parallel"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report `_after` under every enabled, sequential group."""
    seen: set[tuple[str, Position]] = set()
    for _, parent in ctx.tasks():
        if parent.disabled or not parent.is_group or parent.parallel.refusals or parent.parallel.value.parallel:
            continue
        for child in parent.children:
            key = child.after.key
            if key is not None and (where := (key.path, key.start)) not in seen:
                seen.add(where)
                yield Finding(key, _message(parent), _related(parent))


def _message(parent: Task) -> str:
    state = "has `_parallel: false`" if parent.parallel.key is not None else "has no `_parallel`"
    return f"`_after` needs `_parallel: true` on the parent, and {parent.label} {state}"


def _related(parent: Task) -> tuple[Related, ...]:
    span = parent.parallel.key if parent.parallel.key is not None else parent.key_span
    return (Related(span, f"parent task {parent.label}"),)
