"""A group task (one without an operator) with a key digdag does not allow on groups.

## What it does
Reports keys of group tasks other than `timezone`, `schedule`, `sla`, `_parallel`, `_background`, `_after`, `_error`, `_check`, `_retry`, `_export`, `_secrets` and `+task` keys, at each key, with a did-you-mean (`parallel` → `_parallel`). Plain parameters get the advice to move them under `_export`. Groups written as `_error`, `_check`, `_do` or `_else_do` follow the same rule; disabled tasks are skipped. The top level of a file is DL201's job.

## Why is this bad?
digdag refuses to compile the workflow (`<task> contains invalid keys: 'k' (did you mean [_k]?)`), so `digdag check`, `push` and `run` fail before anything runs. A parameter set directly on a group is not inherited by its tasks.

## Example
```yaml
+daily:
  parallel: true
  database: analytics
  +a:
    td>: queries/a.sql
  +b:
    td>: queries/b.sql
```

## Use instead
```yaml
+daily:
  _parallel: true
  _export:
    database: analytics
  +a:
    td>: queries/a.sql
  +b:
    td>: queries/b.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java
# (GROUPING_TASK_CONFIG_KEYS; Context.collect returns early for `_disable: true`, so any other
# `_disable` value is an ordinary key and is rejected; `_error` groups are compiled through
# validateSpecialSubtasks, `_do`/`_else_do`/`_check` groups by the same compiler at run time).
# Test fixture: digdag-core/src/test/resources/io/digdag/core/workflow/unused_keys_in_group.dig.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.fix_support import key_rename_fix
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity
from dig_lsp.digdag.keys import GROUPING_KEYS
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Entry, Mapping
from dig_lsp.text.span import Position
from dig_lsp.text.suggest import close_matches

CODE = "DL202"
NAME = "invalid-group-key"
SEVERITY = Severity.ERROR

GROUP_KEYS = GROUPING_KEYS  # digdag/keys.py: WorkflowCompiler.GROUPING_TASK_CONFIG_KEYS

_SPECIFIC_ADVICE = {
    "_env": "it is not inherited: set it on each operator task",
    "_do": "it needs an if>, loop>, for_each>, for_range> or td_for_each> operator",
    "_else_do": "it needs an if> operator",
    "_command": "it needs an operator (`_type:`)",
    "_disable": "only `_disable: true` is allowed (it skips the task)",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each bad key of each enabled, non-root group once."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        if task.role in (TaskRole.ROOT, TaskRole.SLA) or task.disabled or not task.is_group:  # sla: DL304
            continue
        for entry in task.config.entries:
            if entry.key.startswith("+") or entry.key in GROUP_KEYS:
                continue
            where = (entry.key_span.path, entry.key_span.start)
            if where not in seen:
                seen.add(where)
                yield Finding(entry.key_span, _message(task, entry), (_allowed_note(entry),), _fix(ctx, entry))


def _message(task: Task, entry: Entry) -> str:
    return f"group {task.full_name} cannot have key {entry.key!r}; {_advice(entry)}"


def _allowed_note(entry: Entry) -> Related:
    return Related(entry.key_span, f"a group (a task without an operator) accepts {', '.join(GROUP_KEYS)} and +tasks")


def _fix(ctx: CheckContext, entry: Entry) -> Fix | None:
    """The rename `_advice` suggests, as an (unsafe: it is a guess) fix."""
    key = entry.key
    if key in _SPECIFIC_ADVICE:
        return None
    close = close_matches(key, GROUP_KEYS, n=1, cutoff=0.8)
    if close:
        return key_rename_fix(ctx, entry.key_span, key, close[0], Applicability.UNSAFE)
    if _looks_like_task(entry):
        return key_rename_fix(ctx, entry.key_span, key, f"+{key}", Applicability.UNSAFE)
    weak = close_matches(key, GROUP_KEYS, n=1, cutoff=0.6)
    return key_rename_fix(ctx, entry.key_span, key, weak[0], Applicability.UNSAFE) if weak else None


def _advice(entry: Entry) -> str:
    """The most likely intent behind the key, most specific first."""
    key = entry.key
    if key in _SPECIFIC_ADVICE:
        return _SPECIFIC_ADVICE[key]
    close = close_matches(key, GROUP_KEYS, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]!r}?"
    if _looks_like_task(entry):
        return f"did you mean '+{key}'? (task names start with '+')"
    weak = close_matches(key, GROUP_KEYS, n=1, cutoff=0.6)
    if weak:
        return f"did you mean {weak[0]!r}? (a parameter goes under `_export:`)"
    return "put parameters under `_export:`"


def _looks_like_task(entry: Entry) -> bool:
    """A mapping holding an operator or subtasks is a task that lost its '+'."""
    value = entry.value
    if entry.key.startswith("_") or not isinstance(value, Mapping):
        return False
    keys = [inner.key for inner in value.entries]
    return any(key.endswith(">") or key.startswith("+") or key == "_type" for key in keys)
