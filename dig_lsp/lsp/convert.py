"""Our diagnostics as LSP diagnostics: pure functions, no server state.

Spans carry 0-based lines and *code-point* columns; LSP counts columns in the position
encoding negotiated at initialisation (UTF-16 code units unless the client offered
another). Converting needs the text of the line, so callers pass a ``line_text`` lookup. The columns are
counted in :mod:`dig_lsp.lsp.columns` (re-exported here), which the start-up front shares.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from dig_lsp.diagnostics import RULE_DOCS, Diagnostic, Related, Severity, rule_url
from dig_lsp.lsp.columns import SOURCE, UTF8, UTF16, UTF32, code_point_column, column_units
from dig_lsp.lsp.plain import where
from dig_lsp.text.span import Position, Span

__all__ = ["SOURCE", "UTF8", "UTF16", "UTF32", "code_point_column", "column_units", "lsp_position", "lsp_range",
           "lsp_related", "lsp_severity", "to_lsp"]

LineText = Callable[[str, int], str | None]
"""``(path, line) -> text of that 0-based line`` (without its line break), None if unknown."""

UriFor = Callable[[str], str]
"""``path -> URI`` (open documents must keep the exact URI the client sent)."""

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def lsp_severity(severity: Severity) -> types.DiagnosticSeverity:
    """Our four severities map one-to-one onto LSP's."""
    return _SEVERITIES[severity]


def lsp_position(path: str, position: Position, line_text: LineText, encoding: str = UTF16) -> types.Position:
    """One position; without the line's text the code-point column is the best guess."""
    line = max(0, position.line)
    text = line_text(path, line)
    column = position.column if text is None else column_units(text, position.column, encoding)
    return types.Position(line=line, character=max(0, column))


def lsp_range(span: Span, line_text: LineText, encoding: str = UTF16) -> types.Range:
    """A span's start and end, each converted on its own line."""
    return types.Range(
        start=lsp_position(span.path, span.start, line_text, encoding),
        end=lsp_position(span.path, span.end, line_text, encoding),
    )


def lsp_related(related: Related, line_text: LineText, uri_for: UriFor,
                encoding: str = UTF16) -> types.DiagnosticRelatedInformation:
    """A related location (often in another file, e.g. the first of two duplicate keys)."""
    location = types.Location(uri=uri_for(related.span.path), range=lsp_range(related.span, line_text, encoding))
    return types.DiagnosticRelatedInformation(location=location, message=related.message)


def to_lsp(diagnostic: Diagnostic, line_text: LineText, uri_for: UriFor, encoding: str = UTF16,
           related_support: bool = True, docs_url: str = RULE_DOCS) -> types.Diagnostic:
    """The LSP form of one diagnostic.

    ``code_description`` links the rule's page (``docs_url``: the base, see
    :data:`~dig_lsp.diagnostics.RULE_DOCS`). When the client cannot show related information, the
    notes are appended to the message so they are not lost.
    """
    message = diagnostic.message
    related: list[types.DiagnosticRelatedInformation] | None = None
    if diagnostic.related and related_support:
        related = [lsp_related(r, line_text, uri_for, encoding) for r in diagnostic.related]
    elif diagnostic.related:
        message += "".join(f"\n{where(r)}: {r.message}" for r in diagnostic.related)
    return types.Diagnostic(
        range=lsp_range(diagnostic.span, line_text, encoding),
        message=message,
        severity=lsp_severity(diagnostic.severity),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule_url(diagnostic.code, docs_url)),
        source=SOURCE,
        related_information=related,
    )

