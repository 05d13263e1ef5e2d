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
# with the rest of the config, so a templated string stays a string.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.digdag.coerce import is_null, json_sample
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Mapping, Node, Scalar
from dig_lsp.text.quote import excerpt

CODE = "DL215"
NAME = "invalid-secrets"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check every `_secrets` a task carries or exports."""
    seen: set[tuple[str, int]] = set()
    for _, task in ctx.tasks():
        if task.disabled:
            continue
        for value in _secrets_values(task):
            for finding in _value_findings(value):
                if (where := (finding.span.path, finding.span.start_offset)) not in seen:
                    seen.add(where)
                    yield finding


def _secrets_values(task: Task) -> Iterator[Node]:
    if task.role is not TaskRole.ROOT and (own := task.config.get("_secrets")) is not None:
        yield own
    export = task.config.get("_export")
    if isinstance(export, Mapping) and (exported := export.get("_secrets")) is not None:
        yield exported


def _value_findings(value: Node) -> Iterator[Finding]:
    if isinstance(value, Mapping):
        yield from _leaf_findings(value)
    elif not is_null(value):
        yield Finding(value.span, f"`_secrets` must be a mapping of secret keys, not {excerpt(json_sample(value), 40)}")


def _leaf_findings(mapping: Mapping) -> Iterator[Finding]:
    for entry in mapping.entries:
        value = entry.value
        if isinstance(value, Mapping):
            yield from _leaf_findings(value)
        elif not _legal_leaf(value):
            yield Finding(value.span, f"`_secrets` entry {excerpt(entry.key, 40)!r} must be true, a secret key "
                                      f"(a string) or a mapping, not {excerpt(json_sample(value), 40)}")


def _legal_leaf(value: Node) -> bool:
    return isinstance(value, Scalar) and (isinstance(value.value, str) or value.value is True)
