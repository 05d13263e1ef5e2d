"""A `_secrets` that is not a mapping, or has a leaf other than a string, `true` or a nested mapping.

## What it does
Reports a `_secrets` (on a task, or under any `_export`) that is not a mapping, and each leaf of it that is not a string (a secret key path to read instead), `true` (the deprecated grant) or a nested mapping: `false`, numbers, lists and empty values. The top level's own `_secrets` is DL201's; disabled tasks are skipped.

## Why is this bad?
Tasks that inherit it fail when they start (`Parameter '_secrets' must be an object`), or when they look up a `${secret:...}` key that reaches the bad leaf (`Illegal value in _secrets: <json>`).

## Example
```yaml
_export:
  _secrets:
    td:
      apikey: false
+load:
  td>: queries/load.sql
```

## Use instead
```yaml
_export:
  _secrets:
    td:
      apikey: td_prod.apikey
+load:
  td>: queries/load.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/agent/DefaultSecretProvider.java (remount walks the
# mapping by the dot-separated segments of the requested key: an object goes deeper, text remaps the
# key, a boolean true grants (logging a deprecation warning), anything else throws
# "Illegal value in _secrets: <json>"); digdag-core/.../agent/OperatorManager.java (callExecutor:
# `getConfig().getNestedOrGetEmpty("_secrets")` of the merged config: null is empty, any other
# non-object throws "Parameter '_secrets' must be an object"). `_secrets` values are `${...}`-evaluated
# with the rest of the config, so a templated string stays a string. The reading is the model's
# (task.secrets, task.export: dig_lsp/digdag/secrets.py); this check words its refusals.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.digdag.coerce import json_sample
from dig_lsp.digdag.directives import Reading
from dig_lsp.digdag.secrets import secret_mounts
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL215"
NAME = "invalid-secrets"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check every `_secrets` a task carries or exports."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        for reading in _readings(task):
            for finding in _findings(reading):
                if (where := (finding.span.path, finding.span.start)) not in seen:
                    seen.add(where)
                    yield finding


def _readings(task: Task) -> Iterator[Reading[Mapping]]:
    """The task's own `_secrets` (the top level's is DL201's) and the one its `_export` holds."""
    if task.role is not TaskRole.ROOT:
        yield task.secrets
    yield secret_mounts(task.export.value)


def _findings(reading: Reading[Mapping]) -> Iterator[Finding]:
    node = reading.node
    if node is not None and not isinstance(node, Mapping):
        if reading.refusals:  # not null
            yield Finding(node.span, f"`_secrets` must be a mapping of secret keys, not {excerpt(json_sample(node), 40)}")
        return
    for refusal in reading.refusals:
        if refusal.node is not None:
            yield Finding(refusal.span, f"`_secrets` entry {excerpt(refusal.key, 40)!r} must be true, a secret key "
                                        f"(a string) or a mapping, not {excerpt(json_sample(refusal.node), 40)}")
