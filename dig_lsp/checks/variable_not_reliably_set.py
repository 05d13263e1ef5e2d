"""A `${...}` that uses a value which may not be stored yet when the task runs.

## What it does
Reports references to values that some task of the workflow stores, but which are not reliably
there when this task starts, and says which case it is: the storing task runs later, runs in
parallel (a sibling under `_parallel`, not named in `_after`), or runs in the background
(`_background: true`), or a `_background` task reads a value stored before it without waiting
for it. A name that may only come from something the files do not show (a `py>` whose
`digdag.env.store` keys are not literal, a `for_each>` whose keys are not written out, an
`!include` that cannot be read) cannot be judged and is not reported.

## Why is this bad?
Whether the value exists depends on timing: the workflow works in one run and fails with a
`ReferenceError` in another, or reads a stale value.

## Example
```yaml
+load:
  _parallel: true
  +count:
    td>: queries/count.sql
    store_last_results: true
  +report:
    echo>: ${td.last_results.cnt}
```

## Use instead
```yaml
+load:
  _parallel: true
  +count:
    td>: queries/count.sql
    store_last_results: true
  +report:
    _after: [+count]
    echo>: ${td.last_results.cnt}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.resolve import Outcome
from dig_lsp.analysis.scope import Timing
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import resolved_references
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.text.quote import excerpt

CODE = "DL503"
NAME = "variable-not-reliably-set"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    for resolved in resolved_references(ctx):
        item, reference, resolution = resolved.item, resolved.reference, resolved.resolution
        site = item.site
        span = site.source_span(reference.start, reference.end)
        if resolution.outcome is Outcome.UNRELIABLE:
            path = ".".join(reference.path)
            why = _WHY.get(resolution.timing, "") if resolution.timing is not None else ""
            yield Finding(span, f"'{excerpt(path, 40)}' may not be set when {site.task.full_name} runs{why}",
                          (Related(span, resolution.stored_by),) if resolution.stored_by else (),
                          context=site.rendering)


_WHY = {
    Timing.LATER: ": the task storing it runs later",
    Timing.PARALLEL: ": the task storing it runs in parallel",
    Timing.BACKGROUND: ": the _background task storing it may not have finished",
    Timing.NOT_AWAITED: ": this _background task does not wait for it",
}
