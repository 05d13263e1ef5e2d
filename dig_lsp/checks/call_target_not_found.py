"""A `call>` of a workflow file that does not exist.

## What it does
Resolves `call>` targets as digdag does (`.dig` appended when missing, relative to the calling workflow's working directory) and reports those that do not exist. Targets containing `${...}` are not checked.

## Why is this bad?
The calling task fails at run time with a `FileNotFoundException`, usually at night when the schedule reaches it. It is a warning rather than an error because some projects generate or copy workflow files before `digdag push`; the default `--fail-on warning` still fails CI.

## Example
```yaml
+sub:
  call>: subworkflows/lod
```

## Use instead
```yaml
+sub:
  call>: subworkflows/load
# file: subworkflows/load.dig
+load:
  echo>: loading
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.model import project

CODE = "DL112"
NAME = "call-target-not-found"
SEVERITY = Severity.WARNING

check = findings_from_problems(project.CALL_NOT_FOUND)
