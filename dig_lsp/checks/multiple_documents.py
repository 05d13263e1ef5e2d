"""More than one YAML document in a file.

## What it does
Reports a `---` that starts a second document.

## Why is this bad?
digdag reads exactly one document per file and rejects the stream (`expected a single document in the stream`).

## Example
```yaml
+a:
  echo>: a
---
+b:
  echo>: b
```

## Use instead
```yaml
+a:
  echo>: a
+b:
  echo>: b
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL105"
NAME = "multiple-documents"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.MULTIPLE_DOCUMENTS)
