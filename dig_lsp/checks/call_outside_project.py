"""A `call>` that points outside the project.

## What it does
Reports `call>` targets that are absolute or climb out of the project directory.

## Why is this bad?
digdag refuses paths outside the project (`File name must not include ..`); the file is not part of the uploaded project anyway.

## Example
```yaml
+sub:
  call>: ../other_project/load.dig
```

## Use instead
```yaml
+sub:
  require>: load
  project_name: other_project
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.model import project

CODE = "DL113"
NAME = "call-outside-project"
SEVERITY = Severity.ERROR

check = findings_from_problems(project.CALL_OUTSIDE)
