"""A key at the top level of a workflow file that digdag does not accept there.

## What it does
Reports top-level keys other than `timezone`, `_export`, `schedule`, `sla`, `_error`, `_check`, `_retry`, `_parallel` and `+task` keys, with advice for the usual causes: a parameter that belongs under `_export`, an operator written without a `+task` around it, `_secrets` (only allowed under a task or `_export`) and misspelt keys such as `_schedule`. Workflows reached through `call>` are loaded by the same rules and are checked too. A file with no task
at all (no `+task`, no operator, no `_type`) that nothing calls is taken for a parameters file (`digdag
run -P`) or a fragment that other projects `!include`: its keys are not reported.

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

import re
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.keys import TOP_LEVEL_KEYS
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Entry, Mapping
from dig_lsp.text.span import Position
from dig_lsp.text.suggest import close_matches

CODE = "DL201"
NAME = "unknown-top-level-key"
SEVERITY = Severity.ERROR

ALLOWED_KEYS = TOP_LEVEL_KEYS  # digdag/keys.py: WorkflowFile.fromConfig

_SPECIFIC_ADVICE = {
    "_secrets": "put it under a `+task` or inside `_export:`",
    "_env": "set it on each operator task that needs it",
    "_background": "it applies to a `+task` inside a group",
    "_after": "it applies to a `+task` inside a `_parallel` group",
    "_disable": "put `_disable: true` under the `+tasks` to skip",
    "_do": "it belongs to an if>, loop>, for_each>, for_range> or td_for_each> task",
    "_else_do": "it belongs to an if> task",
    "_command": "an operator runs inside a task: wrap `_type`/`_command` in a `+task:`",
    "_type": "an operator runs inside a task: wrap `_type`/`_command` in a `+task:`",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each rejected top-level key once, even when several workflows include it."""
    seen: set[tuple[str, Position]] = set()
    for workflow in ctx.workflows:
        top = workflow.root.value
        if not isinstance(top, Mapping) or _parameters_only(workflow, top):
            continue
        for entry in top.entries:
            if entry.key.startswith("+") or entry.key in ALLOWED_KEYS:
                continue
            where = (entry.key_span.path, entry.key_span.start)
            if where in seen:
                continue
            seen.add(where)
            allowed = Related(entry.key_span, f"the top level accepts {', '.join(ALLOWED_KEYS)} and +tasks")
            yield Finding(entry.key_span, f"unknown top-level key {entry.key!r}; {_advice(entry)}", (allowed,))


_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # no `+task`, no `op>`, no complex key


def _parameters_only(workflow: Workflow, top: Mapping) -> bool:
    """Whether the file holds parameters and nothing a workflow runs (no `+task`, no operator, no `_type`)
    and nothing calls it: a parameters file (`digdag run -P params.dig`) or a fragment other projects
    `!include`, not a workflow, so its keys are no mistake. As a workflow it would run nothing."""
    return not workflow.is_called and all(_PARAMETER_NAME.fullmatch(entry.key) and entry.key != "_type"
                                          for entry in top.entries)


def _advice(entry: Entry) -> str:
    """The most likely intent behind the key, most specific first."""
    key = entry.key
    if key in _SPECIFIC_ADVICE:
        return _SPECIFIC_ADVICE[key]
    if key.endswith(">"):
        return f"an operator runs inside a task (`+step:` with `{key}` under it)"
    close = close_matches(key, ALLOWED_KEYS, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]!r}?"
    if _looks_like_task(entry):
        return f"did you mean '+{key}'? (task names start with '+')"
    weak = close_matches(key, ALLOWED_KEYS, n=1, cutoff=0.6)
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
