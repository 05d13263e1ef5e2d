"""A shell-style `${VAR}` in a `sh>` command, which digdag evaluates as JavaScript.

## What it does
Reports `${NAME}` (upper-case letters, digits and `_`) in a `sh>` command when `NAME` is not a
digdag variable, and offers to rewrite it as `$NAME`, which digdag leaves for the shell.

## Why is this bad?
digdag evaluates every `${...}` in the command before the shell sees it (reference §5.2), so
`${HOME}` is a JavaScript name lookup: the task fails with `ReferenceError: HOME is not defined`.

## Example
```yaml
+backup:
  sh>: cp data.csv ${BACKUP_DIR}/data.csv
```

## Use instead
```yaml
+backup:
  sh>: cp data.csv $BACKUP_DIR/data.csv
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.resolve import Outcome, resolve_at
from dig_lsp.analysis.sites import Site
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import analysed_sites
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit

CODE = "DL506"
NAME = "shell-style-variable"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    for item in analysed_sites(ctx):
        site = item.site
        if not item.is_shell_style or item.scope is None or site.raw_reason is not None:
            continue
        name = site.template.expression.strip()
        if any(resolve_at(site, r, item.scope).outcome in (Outcome.DEFINED, Outcome.OPEN_WORLD)
               for r in item.parsed.references):
            continue  # a digdag variable, or one that a task may store under a name the files do not show
        yield Finding(site.span, f"'${{{name}}}' is a digdag template, not a shell variable; write '${name}' for "
                      "the shell's", (Related(site.span, f"digdag evaluates it as JavaScript, and '{name}' is not a "
                                                          "digdag variable"),), _fix(site, name))


def _fix(site: Site, name: str) -> Fix | None:
    """``${NAME}`` -> ``$NAME`` (unsafe: the name may also be a misspelt digdag variable). None when a
    name character follows (``${DIR}x`` would become ``$DIRx``, another variable), or when the
    template is not written as is in the file (escapes in a quoted scalar)."""
    start, end = site.source.offsets(site.span)
    text = site.source.text
    if text[start:end] != f"${{{name}}}":
        return None
    following = text[end:end + 1]
    if following.isalnum() or following == "_":
        return None
    return Fix(f"Replace '${{{name}}}' with '${name}'", (TextEdit(site.span, f"${name}"),), Applicability.UNSAFE)
