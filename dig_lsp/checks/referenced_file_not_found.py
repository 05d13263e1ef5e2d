"""A file named by a task that does not exist.

## What it does
Resolves files named by operator parameters (from `x-dig-file` in `schemas/operators/`): SQL files
of `td>`, `td_wait>`, `td_for_each>`, `pg>`, `redshift>`, `bq>`; `mail>` bodies; `embulk>` and
`td_load>` yml; `py>` modules (`tasks.MyWorkflow.step` -> `tasks/MyWorkflow.py` or
`tasks/__init__.py`); `rb>` `require`; a relative script at the start of a `sh>` command
(`tasks/run.sh`, `bash scripts/x.sh`). Paths resolve against the task's working directory: the
project root, or the called file's folder inside a `call>`ed workflow — never an `!include`d
file's folder. Names containing `${...}` are checked when every template is an `_export`ed
constant. (`call>` targets are `DL112`.) A path with one sure near miss in the project
(`queries/extrct.sql` beside `queries/extract.sql`: a name one edit away, or two from eight letters
on, with the same extension and numbers; a folder name too) gets a did-you-mean and an unsafe fix.

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
import re
import sys
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_name_support import existing_instead, written_at
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.text.files import unreadable_reason
from dig_lsp.text.quote import ELLIPSIS, excerpt

# a value that is SQL text rather than a file name: a statement's first word (after `--` comments), then more
_INLINE_SQL = re.compile(r"\s*(?:--[^\n]*\n\s*)*(select|with|insert|create|delete|update|drop|alter|merge|show|"
                         r"describe)\s+\S", re.IGNORECASE)

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
            message = (f"py> module for '{excerpt(ref.written, 40)}' is not in the project; install it where the "
                       "task runs")
            yield Finding(ref.span, message, (Related(ref.span, f"looked for '{excerpt(shown)}' and the other "
                                                                "candidates; without the module the task fails with "
                                                                "ImportError"),))
            continue
        message = f"{op.spec.name}> {_what(ref.kind)} '{excerpt(shown)}' {unreadable_reason(ref.path)}"
        if "://" in ref.written:  # normalised, `https://x` would read `https:/x`
            yield Finding(ref.span, f"{op.spec.name}> {_what(ref.kind)} '{excerpt(ref.written)}' "
                          f"{unreadable_reason(ref.path)}: it names a file of the project, not a URL")
            continue
        if ref.kind == "sql" and ref.parameter == "_command" and "query" in op.spec.parameters and \
                _INLINE_SQL.match(ref.written):
            # `td>: SELECT ...`: Workspace.templateCommand reads the value after `td>` as a file name
            first = ref.written.strip().splitlines()[0] + (ELLIPSIS if "\n" in ref.written.strip() else "")
            yield Finding(ref.span, f"{op.spec.name}> {_what(ref.kind)} '{excerpt(first)}' does not exist: the value "
                          f"after `{op.operator_key}` names a file; SQL text goes in `query:`")
            continue
        written = written_at(ctx, ref.span, ref.written)
        instead = existing_instead(ctx, ref.written, ref.workdir) if written is not None else None
        if written is None or instead is None:
            yield Finding(ref.span, message)
            continue
        fix = Fix(f"Replace '{excerpt(ref.written)}' with '{excerpt(instead)}'", (TextEdit(written, instead),),
                  Applicability.UNSAFE)
        yield Finding(ref.span, f"{message}; did you mean '{excerpt(instead)}'?", fix=fix)


def _what(kind: str) -> str:
    return {"sql": "SQL file", "mail-body": "mail body file", "yml": "config file", "json-or-yml": "file",
            "ruby-file": "Ruby file", "script": "script", "dig": "workflow file"}.get(kind, "file")
