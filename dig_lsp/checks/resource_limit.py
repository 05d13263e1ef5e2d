"""Input too large or too deeply nested to analyse safely.

## What it does
Reports YAML aliases that expand to more than 500,000 nodes and nesting deeper than 1,000 levels; the rest of that file is not analysed.

## Why is this bad?
Such files are either hostile ("billion laughs") or broken; digdag itself would exhaust memory or stack on them.

## Example
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

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL114"
NAME = "resource-limit"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.RESOURCE_LIMIT)
