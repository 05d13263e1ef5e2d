"""Input too large or too deeply nested to analyse safely.

## What it does
Reports YAML aliases that expand to more than 500,000 nodes, nesting deeper than 1,000 levels (counted from every construct that opens one: indentation, `- `, `? ` and `: ` on one line, brackets) and YAML files over 2 MiB (the rest of that file is not analysed), `!include`s that bring in more than 500,000 nodes in all (an included file counts at every include of it) or nest deeper than 1,000 levels with what includes them (reported at the include in the workflow; that include is not read), and projects with more than 10,000 `${...}` templates (those past the limit are not checked).

## Why is this bad?
Such files are either hostile ("billion laughs") or broken; digdag itself would exhaust memory or stack on them.

## Example
<!-- test: skip: the example elides the levels that pass the limit -->
```yaml
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a]
# ... nine more levels
```

## Use instead
```yaml
_export:
  items: [x, y, z]
```
"""

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding, findings_from_problems
from dig_lsp.checks.expression_support import unanalysed_sites
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds
from dig_lsp.text import limits

CODE = "DL114"
NAME = "resource-limit"
SEVERITY = Severity.ERROR

_loading_limits = findings_from_problems(kinds.RESOURCE_LIMIT)


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from _loading_limits(ctx)
    skipped = unanalysed_sites(ctx)
    if skipped:
        yield Finding(skipped[0].span, f"the project has more than {limits.MAX_TEMPLATES:,} ${{...}} templates; "
                      "this one and those after it are not checked")
