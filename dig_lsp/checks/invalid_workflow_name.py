r"""A workflow file whose name digdag does not accept as a workflow name.

## What it does
Checks the name of each top-level `*.dig` file (without `.dig`) the way digdag's `ModelValidator.checkWorkflowName` does: not empty, not starting with a digit, first character not one of `+ ^ @ / \ : * ? " < > |`, not ending in `.dig` (as in `daily.dig.dig`), at most 255 characters. The diagnostic is placed at the start of the file.

## Why is this bad?
digdag refuses to load the project (`Validating project failed` ... `name must not start with a numeric digit (0-9)`), so `digdag check`, `push` and every run of every workflow in the project fail.

## Example
```yaml
# file: 2nd_stage.dig
+load:
  td>: queries/load.sql
```

## Use instead
```yaml
# file: stage2.dig
+load:
  td>: queries/load.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/repository/ModelValidator.java
# (checkWorkflowName = checkProjectName: checkNotEmpty, FIRST_NUMBER_CHAR, RESTRICTED_SYMBOL_CHAR
# anchored at the first character, endsWith(".dig"), checkMaxLength 255 in UTF-16 units), called
# from core/archive/WorkflowFile.check; the name is the file name without `.dig`
# (ProjectArchive.resourceNameToWorkflowName).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.text.quote import excerpt

CODE = "DL204"
NAME = "invalid-workflow-name"
SEVERITY = Severity.ERROR

MAX_LENGTH = 255
_RESTRICTED_FIRST = set('+^@/\\:*?"<>|')


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each top-level workflow whose file name breaks digdag's name rules."""
    for workflow in ctx.workflows:
        if workflow.is_called:
            continue
        problems = name_problems(workflow.name)
        source = ctx.project.files.source(workflow.path)
        if not problems or source is None:
            continue
        yield Finding(
            source.span(0, 0),
            f"workflow name {excerpt(workflow.name)!r} " + "; ".join(problems) + "; rename the file",
        )


def name_problems(name: str) -> list[str]:
    """digdag's objections to a workflow name, in its order."""
    problems = []
    if not name:
        problems.append("must not be blank")
    elif name[0].isascii() and name[0].isdigit():
        problems.append("must not start with a digit")
    if name[:1] in _RESTRICTED_FIRST:
        problems.append(f"must not start with {name[0]!r}")
    if name.endswith(".dig"):
        problems.append("must not end with .dig")
    length = len(name.encode("utf-16-le")) // 2
    if length > MAX_LENGTH:
        problems.append(f"has {length} characters, more than {MAX_LENGTH}")
    return problems
