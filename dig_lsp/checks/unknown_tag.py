"""A YAML tag digdag has no constructor for.

## What it does
Reports application tags other than `!include` (`!foo`, `!ref`, `!Sub`...).

## Why is this bad?
digdag fails to load the file with `could not determine a constructor for the tag !foo`.

## Example
```yaml
_export:
  table: !ref my_table
```

## Use instead
```yaml
_export:
  table: my_table
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL103"
NAME = "unknown-yaml-tag"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.UNKNOWN_TAG)
