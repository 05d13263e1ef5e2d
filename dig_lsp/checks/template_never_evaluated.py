"""A `${...}` where digdag never evaluates templates.

## What it does
Reports `${...}` where digdag never evaluates it: in `!include` file names, in keys (templates
are only evaluated in string values) and in `_disable`. A `+task` name with `${...}` is DL203's
(digdag rejects its `$`), so it is reported once, there. Other values digdag reads as written have
checks of their own that explain a `${...}` there: `schedule` (DL302), `sla` (DL304), `timezone`
(DL305), a group's `_parallel` (DL211) and `_retry` (DL216), `_background` (DL208), `_after` (DL210).

## Why is this bad?
The text stays literally `${...}`: `!include : ${env}.yml` looks for a file named `${env}.yml`,
a key `${name}:` is the literal key `${name}`.

## Example
```yaml
_export:
  !include : config/${env}.yml
```

## Use instead
```yaml
_export:
  !include : config/production.yml
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import analysed_sites
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Sequence
from dig_lsp.syntax.templates import find_templates
from dig_lsp.text.quote import excerpt

CODE = "DL505"
NAME = "template-never-evaluated"
SEVERITY = Severity.ERROR

# Raw keys whose own checks do not already explain a `${...}` in them.
_NOT_COVERED_ELSEWHERE = frozenset({"_disable"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    for item in analysed_sites(ctx):
        reason = item.site.raw_reason
        if reason is not None and item.site.key in _NOT_COVERED_ELSEWHERE:
            yield Finding(item.site.span, f"{reason}, so '${{{excerpt(item.site.template.expression, 40)}}}' stays "
                          "literal text")
    for ref in ctx.project.includes:
        if find_templates(ref.name)[0]:
            yield Finding(ref.span, f"!include '{excerpt(ref.name, 40)}' is looked up as written: `${{...}}` is not "
                          "evaluated there")
    seen: set[int] = set()
    for _, task in ctx.tasks():
        # a subtask's keys are walked as its own task's, not again from its parent (a disabled
        # subtask's are: it has no config of its own)
        below = {id(child.value) for child in (*task.children, *task.specials)
                 if not child.disabled and child.config is child.value}
        for entry in task.config.entries:
            yield from _key(entry)
            if id(entry.value) not in below:
                yield from _keys(entry.value, seen)


def _key(entry: Entry) -> Iterator[Finding]:
    if entry.key.startswith("+"):
        return  # a task name: DL203 reports its '$' and says why
    if find_templates(entry.key)[0]:  # `${secret:...}` in keys is the operator's business
        yield Finding(entry.key_span, f"key '{excerpt(entry.key, 40)}': `${{...}}` is not evaluated in keys, only in "
                      "values")


def _keys(node: Node, seen: set[int]) -> Iterator[Finding]:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Mapping):
        for entry in node.entries:
            yield from _key(entry)
            yield from _keys(entry.value, seen)
    elif isinstance(node, Sequence):
        for item in node.items:
            yield from _keys(item, seen)
