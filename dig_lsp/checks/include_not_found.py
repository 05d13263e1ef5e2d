"""An `!include` whose file does not exist.

## What it does
Reports `!include` names that do not resolve to a readable file, and `!include` keys without a file name,
with the existing file the name most likely misspells (`conifg/params.yml` for `config/params.yml`) and an
unsafe fix.

## Why is this bad?
digdag fails to load the including workflow (a `FileNotFoundException`), so the whole project fails to upload or run.

## Example
```yaml
_export:
  !include : config/setting.yml
```

## Use instead
```yaml
_export:
  !include : config/settings.yml
# file: config/settings.yml
database: analytics
```
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_name_support import existing_instead, written_at
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.syntax import problems as kinds
from dig_lsp.text.quote import excerpt

CODE = "DL108"
NAME = "include-not-found"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    names = {(ref.span.path, ref.span.start): ref.name for ref in ctx.project.includes if ref.target is None}
    for problem in ctx.problems(kinds.INCLUDE_NOT_FOUND):
        related = tuple(Related(span, message) for span, message in problem.related)
        name = names.get((problem.span.path, problem.span.start), "")
        # an include is looked up in the directory of the file that holds it (YamlConfigLoader)
        written = written_at(ctx, problem.span, name) if name.strip() else None
        instead = existing_instead(ctx, name, os.path.dirname(problem.span.path)) if written is not None else None
        if written is None or instead is None:
            yield Finding(problem.span, problem.message, related)
            continue
        fix = Fix(f"Replace '{excerpt(name)}' with '{excerpt(instead)}'", (TextEdit(written, instead),),
                  Applicability.UNSAFE)
        yield Finding(problem.span, f"{problem.message}; did you mean '{excerpt(instead)}'?", related, fix)
