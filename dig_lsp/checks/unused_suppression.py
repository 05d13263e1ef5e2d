"""A suppression comment that suppresses nothing.

## What it does
Reports `# dig-lint: disable=...` comments that silenced no diagnostic, and codes in them
that are not dig-lint codes. The fix deletes the comment (its whole line when it stands alone), or
only the code when others in the list are used: safe for a code that suppresses nothing, unsafe for an
unknown code (it may be one of a newer dig-lint).

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
from dig_lsp.diagnostics import Applicability, Diagnostic, Fix, Severity, TextEdit
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
            fix = _removal(suppression, None, Applicability.SAFE)
            return [Finding(suppression.span, "this suppression comment suppresses nothing", fix=fix)]
        return []
    states = [code_state(code) for code in suppression.codes]
    reported = [state == "unknown" or (state == "enabled" and (id(suppression), code) not in used)
                for code, state in zip(suppression.codes, states, strict=True)]
    # Removing a code that suppresses nothing changes no result: safe. An unknown code may be one of a
    # newer dig-lint, or a misspelling whose meant code is now reported: unsafe.
    whole = Applicability.UNSAFE if "unknown" in states else Applicability.SAFE
    findings = []
    for index, (code, state) in enumerate(zip(suppression.codes, states, strict=True)):
        if not reported[index]:
            continue
        applicability = Applicability.UNSAFE if state == "unknown" else Applicability.SAFE
        fix = _removal(suppression, None, whole) if all(reported) else _removal(suppression, index, applicability)
        message = (f"unknown code {code!r} in suppression comment" if state == "unknown"
                   else f"suppression of {code} suppresses nothing here")
        findings.append(Finding(suppression.span, message, fix=fix))
    return findings


def _removal(suppression: Suppression, index: int | None, applicability: Applicability) -> Fix | None:
    """Delete the whole comment (``index`` None) or one code of it."""
    if index is None:
        if suppression.removal is None:
            return None
        return Fix("Remove the unused suppression comment", (TextEdit(suppression.removal, ""),), applicability)
    if index >= len(suppression.code_removals):
        return None
    code = suppression.codes[index]
    return Fix(f"Remove {code} from the suppression comment", (TextEdit(suppression.code_removals[index], ""),),
               applicability)
