"""A workflow file whose top level is not a mapping.

## What it does
Reports empty workflow files and files whose top level is a list or a scalar.

## Why is this bad?
digdag loads every top-level `.dig` file of a project and fails with `Expected object to load Config but got ...`, which breaks every workflow of the project.

## Example
```yaml
- +step1:
    echo>: hello
```

## Use instead
```yaml
+step1:
  echo>: hello
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL104"
NAME = "root-not-mapping"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.NOT_A_MAPPING)
