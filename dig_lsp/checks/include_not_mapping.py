"""An included file that is not a YAML mapping.

## What it does
Reports `!include` targets whose top level is a list, a scalar, or empty.

## Why is this bad?
digdag can only merge or insert a mapping; anything else fails to load the including workflow.

## Example
```yaml
_export:
  !include : tables.yml
# file: tables.yml
- a
- b
```

## Use instead
```yaml
_export:
  !include : tables.yml
# file: tables.yml
tables: [a, b]
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL111"
NAME = "include-not-mapping"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.INCLUDE_NOT_MAPPING)
