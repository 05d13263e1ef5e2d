"""A `${...}` that reads a member a known structure does not have.

## What it does
Reports member accesses into values whose shape is known from the files — `_export` mappings
(`${td.databse}` when `_export: td: {database: ...}`) and the documented stored values of
operators (`${td.last_job.idd}`; `td.last_job` has `id` and `num_records`) — with a
did-you-mean. Members of stored result rows (`td.last_results.<column>`) are not checked. A value
stored only with a flag, read alone where its parent is set (`${td.last_results}` after a `td>` task
without `store_last_results: true`), is reported here too: it renders as an empty string (read
further, the task fails: `DL502`).

## Why is this bad?
An unknown member evaluates to an empty string, so a query or path silently loses a part; one
level deeper it is a `TypeError` and the task fails.

## Example
```yaml
_export:
  td:
    database: analytics
+show:
  echo>: ${td.databse}
```

## Use instead
```yaml
+show:
  echo>: ${td.database}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.resolve import Outcome
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import conditional_message, renders_empty, resolved_references
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.text.quote import excerpt

CODE = "DL504"
NAME = "unknown-member"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    for resolved in resolved_references(ctx):
        item, reference, resolution = resolved.item, resolved.reference, resolved.resolution
        site = item.site
        if renders_empty(reference, resolution):
            span = site.source_span(reference.start, reference.end)
            yield Finding(span, f"{conditional_message(reference, resolution)}, so it evaluates to an empty string",
                          (Related(span, resolution.detail),), context=site.rendering)
            continue
        if resolution.outcome is not Outcome.UNKNOWN_MEMBER:
            continue
        known = ".".join(resolution.known)
        missing = reference.path[len(resolution.known)]
        deeper = len(reference.path) > len(resolution.known) + 1
        effect = "reading further fails with a TypeError" if deeper else "it evaluates to an empty string"
        span = site.source_span(reference.start, reference.end)
        notes = [Related(span, effect)]
        if resolution.detail and not resolution.suggestion:
            notes.append(Related(span, f"'{known}' has {resolution.detail}"))
        hint = f"; did you mean '{resolution.suggestion}'?" if resolution.suggestion else ""
        yield Finding(span, f"'{excerpt(known, 40)}' has no member '{excerpt(missing, 40)}'{hint}", tuple(notes),
                      context=site.rendering)
