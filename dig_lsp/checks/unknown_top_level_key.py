"""A key at the top level of a workflow file that digdag does not accept there.

## What it does
Reports top-level keys other than `timezone`, `_export`, `schedule`, `sla`, `_error`, `_check`, `_retry`, `_parallel` and `+task` keys, with advice for the usual causes: a parameter that belongs under `_export`, an operator written without a `+task` around it, `_secrets` (only allowed under a task or `_export`) and misspelt keys such as `_schedule`. Workflows reached through `call>` are loaded by the same rules and are checked too.

## Why is this bad?
digdag rejects the whole file while loading it (`Workflow '<name>' includes unknown keys: [k]`), so `digdag check`, `push` and every run of every workflow in the project fail; for a `call>` target the calling task fails at run time.

## Example
```yaml
database: analytics
sh>: ./prepare.sh
+load:
  td>: queries/load.sql
```

## Use instead
```yaml
_export:
  database: analytics
+prepare:
  sh>: ./prepare.sh
+load:
  td>: queries/load.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java (fromConfig keeps
# `timezone`, `_export`, TOP_LEVEL_CONFIG and `+` keys and throws "Workflow '<name>' includes
# unknown keys: [...]" for the rest); ProjectArchiveLoader.loadWorkflowFile, used for call>
# targets too (CallOperatorFactory), names the workflow by its project-relative path.

from __future__ import annotations

import os
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Entry, Mapping
from dig_lsp.text.suggest import close_matches

CODE = "DL201"
NAME = "unknown-top-level-key"
SEVERITY = Severity.ERROR

ALLOWED_KEYS = ("timezone", "_export", "schedule", "sla", "_error", "_check", "_retry", "_parallel")

_SPECIFIC_ADVICE = {
    "_secrets": "`_secrets` is not allowed at the top level; put it under a `+task` or inside `_export:`",
    "_env": "`_env` only works as an operator task's own key; set it on each task that needs it",
    "_background": "`_background` only applies to a `+task` inside a group; move it to that task",
    "_after": "`_after` only applies to a `+task` inside a `_parallel` group; move it to that task",
    "_disable": "a whole workflow cannot be disabled; put `_disable: true` under the `+tasks` to skip",
    "_do": "`_do` belongs to an if>, loop>, for_each>, for_range> or td_for_each> task",
    "_else_do": "`_else_do` belongs to an if> task",
    "_command": "an operator cannot run at the top level; wrap `_type`/`_command` in a `+task:`",
    "_type": "an operator cannot run at the top level; wrap `_type`/`_command` in a `+task:`",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each rejected top-level key once, even when several workflows include it."""
    seen: set[tuple[str, int]] = set()
    for workflow in ctx.workflows:
        top = workflow.root.value
        if not isinstance(top, Mapping):
            continue
        name = _digdag_name(ctx, workflow)
        for entry in top.entries:
            if entry.key.startswith("+") or entry.key in ALLOWED_KEYS:
                continue
            where = (entry.key_span.path, entry.key_span.start_offset)
            if where in seen:
                continue
            seen.add(where)
            yield Finding(entry.key_span, _message(name, entry))


def _digdag_name(ctx: CheckContext, workflow: Workflow) -> str:
    """The name digdag puts in its message: the file name, or the project-relative path for call>."""
    if not workflow.is_called:
        return workflow.name
    relative = os.path.relpath(workflow.path, ctx.project.root).replace(os.sep, "/")
    return relative[: -len(".dig")] if relative.endswith(".dig") else relative


def _message(workflow_name: str, entry: Entry) -> str:
    key = entry.key
    return (f"unknown top-level key {key!r}: digdag rejects the file with \"Workflow '{workflow_name}' "
            f"includes unknown keys: [{key}]\" (the top level accepts only {', '.join(ALLOWED_KEYS)} and "
            f"+tasks). {_sentence(_advice(entry))}")



def _sentence(text: str) -> str:
    """Advice as a sentence of its own: capitalised and closed."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?")) else text + "."
def _advice(entry: Entry) -> str:
    """The most likely intent behind the key, most specific first."""
    key = entry.key
    if key in _SPECIFIC_ADVICE:
        return _SPECIFIC_ADVICE[key]
    if key.endswith(">"):
        return f"an operator cannot run at the top level; wrap it in a task (`+step:` with `{key}` under it)"
    close = close_matches(key, ALLOWED_KEYS, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]!r}?"
    if _looks_like_task(entry):
        return f"did you mean '+{key}'? Task names start with '+'"
    weak = close_matches(key, ALLOWED_KEYS, n=1, cutoff=0.6)
    if weak:
        return f"did you mean {weak[0]!r}? If {key!r} is a parameter, put it under `_export:`"
    return f"parameters belong under `_export:` (e.g. `_export: {{{key}: ...}}`)"


def _looks_like_task(entry: Entry) -> bool:
    """A mapping holding an operator or subtasks is a task that lost its '+'."""
    value = entry.value
    if entry.key.startswith("_") or not isinstance(value, Mapping):
        return False
    keys = [inner.key for inner in value.entries]
    return any(key.endswith(">") or key.startswith("+") or key == "_type" for key in keys)
