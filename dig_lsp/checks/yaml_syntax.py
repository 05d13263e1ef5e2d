"""YAML that cannot be parsed.

## What it does
Reports text that is not valid YAML: tab indentation, stray control characters, bad indentation, unclosed quotes, a value starting with `[`, `*` or `&` that YAML reads as a list, alias or anchor.

## Why is this bad?
digdag cannot load the file at all, so `digdag check`, `push` and every run of *every* workflow in the project fail with `Validating project failed`.

## Example
```yaml
+hello:
  echo>: [${name}] started
```

## Use instead
```yaml
+hello:
  echo>: "[${name}] started"
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL101"
NAME = "yaml-syntax"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.YAML_SYNTAX)
