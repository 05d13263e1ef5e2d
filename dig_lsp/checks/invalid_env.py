"""An `_env` digdag cannot use: not a mapping, a bad variable name, a non-scalar value, or inside `_export`.

## What it does
On operator tasks, reports an `_env` that is not a mapping, variable names that do not match `[a-zA-Z_][a-zA-Z_0-9]*`, and values that are empty, lists or mappings. Anywhere, reports `_env` written inside `_export`, where it has no effect. (`_env` set directly on a group is DL202's; the top level is DL201's.) Disabled tasks are skipped.

## Why is this bad?
The task fails when it starts: `Parameter '_env' must be an object`, `Parameter 'X' is required but null`, `Expected string type for key 'X' ...`, or, in `sh>`, `py>`, `rb>` and `embulk>`, `Invalid _env key name: x`. `_env` is only read from the task's own keys, so under `_export` it is silently ignored and the variables are never set.

## Example
```yaml
_export:
  _env:
    REGION: us-east-1
+run:
  sh>: ./run.sh
  _env:
    api-key: ${secret:api.key}
```

## Use instead
```yaml
+run:
  sh>: ./run.sh
  _env:
    REGION: us-east-1
    API_KEY: ${secret:api.key}
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/agent/OperatorManager.java (callExecutor builds the
# variables from `mergedRequest.getLocalConfig().getNestedOrGetEmpty("_env")`: the task's own keys only,
# never `_export`; null is empty, any other non-object throws "Parameter '_env' must be an object");
# digdag-core/.../agent/GrantedPrivilegedVariables.java (build: every value is read with
# get(key, String.class): null is "required but null", objects and arrays fail the conversion, other
# scalars become text); digdag-plugin-utils/.../util/CommandOperators.java (collectEnvironmentVariables,
# used by sh/py/rb/embulk: VALID_ENV_KEY, "Invalid _env key name: <name>"). The reading is the model's
# (task.env: dig_lsp/digdag/env.py; task.export); this check words its refusals.

from __future__ import annotations

import re
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import is_null, json_sample
from dig_lsp.digdag.directives import Refusal
from dig_lsp.digdag.env import VALID_ENV_KEY
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL213"
NAME = "invalid-env"
SEVERITY = Severity.ERROR

_ENV_NAME = VALID_ENV_KEY


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check own `_env` of operator tasks and `_env` under any `_export`."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        if task.disabled:
            continue
        for finding in (*_exported_env(task), *_own_env(task)):
            if (where := (finding.span.path, finding.span.start)) not in seen:
                seen.add(where)
                yield finding


def _exported_env(task: Task) -> Iterator[Finding]:
    entry = task.export.value.entry("_env")
    if entry is not None:
        yield Finding(entry.key_span, "`_env` inside `_export` is never used; set `_env` on each operator task instead")


def _own_env(task: Task) -> Iterator[Finding]:
    reading = task.env
    if reading.key is None or task.is_group or task.role is TaskRole.ROOT:
        return
    if reading.node is not None and not isinstance(reading.node, Mapping):
        if reading.refusals:  # not null
            yield Finding(reading.node.span, f"`_env` must be a mapping of variable names to values, not "
                                             f"{excerpt(json_sample(reading.node), 40)}")
        return
    for refusal in reading.refusals:
        yield _variable_finding(refusal)


def _variable_finding(refusal: Refusal) -> Finding:
    """A refused name (no node) or value of one variable."""
    name, value = refusal.key, refusal.node
    if value is None:
        return Finding(refusal.span, f"{excerpt(name, 40)!r} is not a valid environment variable name"
                                     f"{_name_hint(name)}",
                       (Related(refusal.span, "a name has letters, digits and '_', and does not start with a digit"),))
    if is_null(value):
        return Finding(value.span, f"`_env` variable {excerpt(name, 40)!r} has no value; write a string "
                                   "(\"\" for empty)")
    return Finding(value.span, f"`_env` variable {excerpt(name, 40)!r} must be a string, not "
                               f"{excerpt(json_sample(value), 40)}")


def _name_hint(key: str) -> str:
    """A valid spelling of the name: other characters become '_', and a leading digit gets one."""
    suggestion = re.sub(r"[^a-zA-Z_0-9]", "_", key)
    suggestion = suggestion if _ENV_NAME.fullmatch(suggestion) else f"_{suggestion}"
    return f"; did you mean {excerpt(suggestion, 40)!r}?" if key else ""
