"""A suppression comment that suppresses nothing.

## What it does
Reports `# dig-lint: disable=...` comments that silenced no diagnostic, and codes in them
that are not dig-lint codes.

## Why is this bad?
A stale suppression hides the next real mistake on that line, and a misspelt code
suppresses nothing while looking as if it did.

## Example
<!-- test: select=all -->
```yaml
+step:
  echo>: hello  # dig-lint: disable=DL202
```

## Use instead
<!-- test: select=all -->
```yaml
+step:
  echo>: hello
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dig_lsp.checks.base import Finding
from dig_lsp.diagnostics import Diagnostic, Severity
from dig_lsp.syntax.suppressions import Suppression

CODE = "DL901"
NAME = "unused-suppression"
SEVERITY = Severity.WARNING


def post_check(
    diagnostics: list[Diagnostic],
    suppressions: dict[str, list[Suppression]],
    code_state: Callable[[str], str],
) -> tuple[list[Diagnostic], list[Finding]]:
    """Drop suppressed diagnostics; report suppressions (or codes in them) that matched nothing.

    ``code_state(code)`` is "enabled", "disabled" or "unknown": a suppression naming a rule
    that is switched off is not reported, as it may matter under another configuration.
    """
    used: set[tuple[int, str]] = set()
    kept = []
    for diagnostic in diagnostics:
        match = _matching(suppressions.get(diagnostic.path, ()), diagnostic)
        if match is None:
            kept.append(diagnostic)
        else:
            used.add((id(match), diagnostic.code))
    findings = []
    for entries in suppressions.values():
        for suppression in entries:
            findings.extend(_unused(suppression, used, code_state))
    return kept, findings


def _matching(entries: Iterable[Suppression], diagnostic: Diagnostic) -> Suppression | None:
    for suppression in entries:
        if suppression.line is not None and suppression.line != diagnostic.span.start.line:
            continue
        if not suppression.codes or diagnostic.code in suppression.codes:
            return suppression
    return None


def _unused(suppression: Suppression, used: set[tuple[int, str]],
            code_state: Callable[[str], str]) -> list[Finding]:
    if not suppression.codes:
        if not any(key == id(suppression) for key, _ in used):
            return [Finding(suppression.span, "this suppression comment suppresses nothing")]
        return []
    findings = []
    for code in suppression.codes:
        state = code_state(code)
        if state == "unknown":
            findings.append(Finding(suppression.span, f"unknown code {code!r} in suppression comment"))
        elif state == "enabled" and (id(suppression), code) not in used:
            findings.append(Finding(suppression.span, f"suppression of {code} suppresses nothing here"))
    return findings
