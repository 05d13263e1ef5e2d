"""An `!include` whose file does not exist.

## What it does
Reports `!include` names that do not resolve to a readable file, and `!include` keys without a file name.

## Why is this bad?
digdag fails to load the including workflow (a `FileNotFoundException`), so the whole project fails to upload or run.

## Example
```yaml
_export:
  !include : config/setting.yml
```

## Use instead
```yaml
_export:
  !include : config/settings.yml
# file: config/settings.yml
database: analytics
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL108"
NAME = "include-not-found"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.INCLUDE_NOT_FOUND)
