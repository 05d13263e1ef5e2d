"""A file the project names through a symbolic link that leads out of the project.

## What it does
Reports an `!include`, a `call>` target or a file parameter (SQL file, script, mail body...) whose name
stays inside the project but passes through a symbolic link to a folder outside it
(`shared -> ../../shared`). The linter reads nothing outside the project, so what such a file holds is
not checked, and what it would define (exported names, tasks) is unknown to the other checks.

## Why is this bad?
It may well be fine: digdag checks these names as written and does not resolve links (`!include`:
`YamlConfigLoader`; operator files: `Workspace.getPath`), so `digdag run` reads through the link, and
`digdag push --copy-outgoing-symlinks` uploads a copy of the target (`Archiver`). Without that option
`digdag push` refuses the project ("Invalid symbolic link"). Whether the project is pushed with it
cannot be known from the files.

## Example
<!-- test: skip: the example needs a symbolic link (tests/fixtures/checks/DL115 has one) -->
```yaml
# shared -> ../../shared, a folder several projects link in
_export:
  !include : shared/env.yml
```

## Use instead
```yaml
# push with `digdag push --copy-outgoing-symlinks`, or keep a copy of the file in the project
_export:
  !include : config/env.yml
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds
from dig_lsp.text.files import LINKED_OUT_WORDS
from dig_lsp.text.quote import excerpt

CODE = "DL115"
NAME = "linked-out-of-project"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    for problem in ctx.problems(kinds.LINKED_OUT):
        yield Finding(problem.span, problem.message)
    for op, ref in task_file_references(ctx):
        if ref.linked_out:
            yield Finding(ref.span, f"{op.spec.name}> '{excerpt(ref.written, 40)}' {LINKED_OUT_WORDS}")
