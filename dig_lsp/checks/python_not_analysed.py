"""A `py>` module too large to be analysed.

## What it does
Reports a `py>` task whose Python module is larger than 256 KiB. The linter reads a module's
functions and `digdag.env.store(...)` calls from its syntax tree, which takes about 200 times the
file's size in memory; larger modules are not parsed, so the task's arguments (DL412) and the
variables it stores (DL502) are not checked: every name a later task reads counts as possibly stored.

## Why is this bad?
It is not a mistake: it says what was not verified. A module of that size is usually generated code
or data; keeping the entry point in a small module that imports the rest lets it be checked.

## Example
<!-- test: skip: the example needs a module of more than 256 KiB -->
```yaml
+score:
  py>: generated.model.score
```

## Use instead
```yaml
+score:
  py>: tasks.score.run
```
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.python_support import python_tasks
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.text.limits import MAX_PYTHON_BYTES

CODE = "DL413"
NAME = "python-not-analysed"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    for found in python_tasks(ctx):
        target, command = found.target, found.command
        if target is None or target.oversized is None or target.module_path is None:
            continue
        shown = os.path.relpath(target.module_path, ctx.project.root).replace(os.sep, "/")
        yield Finding(command.span, f"py> module {shown} is {_size(target.oversized)}, too large to analyse "
                      f"(over {MAX_PYTHON_BYTES // 1024} KiB)", (Related(command.span, "its arguments and the "
                                                                         "variables it stores are not checked"),))


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MiB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KiB"
