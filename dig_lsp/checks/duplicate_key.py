"""The same key twice in one mapping.

## What it does
Reports every repeated key in every mapping (digdag's `StrictSafeConstructor`), with a pointer to the first one. Several `!include :` keys in one mapping are legal and not reported.

## Why is this bad?
digdag rejects the whole file with `Duplicated keys: [...]`; with other YAML tools the second value silently wins, so two tasks with the same name lose one of them.

## Example
```yaml
+load:
  td>: queries/a.sql
+load:
  td>: queries/b.sql
```

## Use instead
```yaml
+load_a:
  td>: queries/a.sql
+load_b:
  td>: queries/b.sql
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL102"
NAME = "duplicate-key"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.DUPLICATE_KEY)
