"""A file reference that leaves the project.

## What it does
Reports file parameters (SQL files, mail bodies, yml configs, scripts, `rb>` requires) that are
absolute or climb out of the project directory (`../shared/query.sql`). Such files are not read.
A name that stays in the project as written and leaves it through a symbolic link is `DL115`'s.

## Why is this bad?
digdag refuses them (`Workspace.getPath`: a file must stay inside the project), and they are not
part of what `digdag push` uploads anyway.

## Example
```yaml
+load:
  td>: ../common/queries/load.sql
```

## Use instead
```yaml
+load:
  td>: queries/load.sql
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.diagnostics import Severity
from dig_lsp.text.quote import excerpt

CODE = "DL408"
NAME = "referenced-file-outside-project"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    for op, ref in task_file_references(ctx):
        if not ref.inside and not ref.linked_out:  # through a link: DL115
            yield Finding(ref.span, f"{op.spec.name}> '{excerpt(ref.written, 40)}' is outside the project directory")
