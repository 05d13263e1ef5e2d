"""Files that include each other.

## What it does
Reports an `!include` that leads back to a file already being included.

## Why is this bad?
digdag would recurse until the stack overflows; the project cannot be loaded.

## Example
```yaml
_export:
  !include : a.yml
# file: a.yml
!include : b.yml
# file: b.yml
!include : a.yml
```

## Use instead
```yaml
_export:
  !include : a.yml
# file: a.yml
!include : b.yml
# file: b.yml
database: analytics   # shared settings in one file that includes nothing back
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL110"
NAME = "include-cycle"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.INCLUDE_CYCLE)
