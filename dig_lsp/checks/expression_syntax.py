"""A `${...}` that is not a valid ES5 JavaScript expression.

## What it does
Parses the JavaScript inside every `${...}` the way digdag evaluates it — one ES5 expression
(digdag's engine runs with ECMAScript 5: no arrow functions, `let`/`const`, template literals or
other ES6 syntax) — and reports syntax errors at the exact place in the file, through quotes,
escapes and block scalars.

## Why is this bad?
The task fails when it starts: `Failed to evaluate a variable ${...}` with a `SyntaxError`. digdag
never checks templates before a task runs.

## Example
```yaml
+check:
  if>: ${td.last_results.cnt => 3}
```

## Use instead
```yaml
+check:
  if>: ${td.last_results.cnt >= 3}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import analysed_sites
from dig_lsp.diagnostics import Related, Severity

CODE = "DL501"
NAME = "expression-syntax"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    for item in analysed_sites(ctx):
        problem = item.parsed.problem
        if problem is None or item.site.raw_reason is not None:
            continue
        span = item.site.source_span(problem.start, problem.end)
        yield Finding(span, f"in ${{...}}: {problem.message}", (Related(span, problem.note),) if problem.note else (),
                      context=item.site.rendering)
