"""A file named by a task that does not exist.

## What it does
Resolves files named by operator parameters (from `x-dig-file` in `schemas/operators/`): SQL files
of `td>`, `td_wait>`, `td_for_each>`, `pg>`, `redshift>`, `bq>`; `mail>` bodies; `embulk>` and
`td_load>` yml; `py>` modules (`tasks.MyWorkflow.step` -> `tasks/MyWorkflow.py` or
`tasks/__init__.py`); `rb>` `require`; a relative script at the start of a `sh>` command
(`tasks/run.sh`, `bash scripts/x.sh`). Paths resolve against the task's working directory: the
project root, or the called file's folder inside a `call>`ed workflow — never an `!include`d
file's folder. Names containing `${...}` are checked when every template is an `_export`ed
constant. (`call>` targets are `DL112`.)

## Why is this bad?
The task fails when it runs (`FileNotFoundException`, `ImportError`, `No such file or directory`),
usually at night. It is a warning rather than an error because some projects generate files
before `digdag push`.

## Example
```yaml
+load:
  td>: queries/lod.sql
```

## Use instead
```yaml
+load:
  td>: queries/load.sql
```
```sql
-- file: queries/load.sql
SELECT 1
```
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.diagnostics import Severity
from dig_lsp.text.files import unreadable_reason
from dig_lsp.text.quote import excerpt

CODE = "DL407"
NAME = "referenced-file-not-found"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    for op, ref in task_file_references(ctx):
        if not ref.inside or ctx.project.files.source(ref.path) is not None:
            continue
        if ref.kind == "python-module" and ref.written.split(".")[0] in sys.stdlib_module_names:
            continue  # `tokenize.main` imports the standard library's module, not a project file
        shown = os.path.relpath(ref.path, ctx.project.root)
        if ref.kind == "python-module":
            message = (f"py> module for '{excerpt(ref.written)}' is not in the project (looked for '{excerpt(shown)}' and the "
                       f"other candidates); it fails with ImportError unless it is installed on the worker")
        else:
            message = f"{op.spec.name}> {_what(ref.kind)} '{excerpt(shown)}' {unreadable_reason(ref.path)}"
        yield Finding(ref.span, message)


def _what(kind: str) -> str:
    return {"sql": "SQL file", "mail-body": "mail body file", "yml": "config file", "json-or-yml": "file",
            "ruby-file": "Ruby file", "script": "script", "dig": "workflow file"}.get(kind, "file")
