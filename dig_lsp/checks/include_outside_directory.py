"""An `!include` that leaves the including file's directory.

## What it does
Reports include names that are absolute or climb out of the directory of the file that contains them (digdag's rule). A name that stays inside as written and leaves the project through a symbolic link is `DL115`'s.

## Why is this bad?
digdag refuses them with `File name must not include ..: <name>`: an include can only reach the including file's directory and its subdirectories.

## Example
```yaml
# in sub/wf_part.dig
_export:
  !include : ../config.yml
```

## Use instead
```yaml
# move config.yml under sub/, or include it from the top-level workflow
_export:
  !include : config.yml
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL109"
NAME = "include-outside-directory"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.INCLUDE_OUTSIDE)
