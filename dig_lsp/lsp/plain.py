"""Our diagnostics as the JSON an LSP client receives, built from plain Python (no lsprotocol).

Why: the start-up front (:mod:`dig_lsp.lsp.front`) publishes the first document's diagnostics before
lsprotocol and pygls are imported (a third of a second). Each function is the exact JSON that
:mod:`dig_lsp.lsp.convert`'s lsprotocol objects turn into on the wire (lsprotocol leaves out what is
None); ``tests/test_lsp_front.py`` holds the two equal for the diagnostics of every check's fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dig_lsp.diagnostics import RULE_DOCS, Diagnostic, Related, Severity, rule_url
from dig_lsp.lsp.columns import SOURCE, UTF16, column_units
from dig_lsp.text.span import Position, Span

Json = dict[str, Any]
LineText = Callable[[str, int], str | None]
UriFor = Callable[[str], str]

SEVERITIES = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3, Severity.HINT: 4}  # LSP's numbers


def position(path: str, spot: Position, line_text: LineText, encoding: str = UTF16) -> Json:
    """As :func:`dig_lsp.lsp.convert.lsp_position`."""
    line = max(0, spot.line)
    text = line_text(path, line)
    column = spot.column if text is None else column_units(text, spot.column, encoding)
    return {"line": line, "character": max(0, column)}


def span_range(span: Span, line_text: LineText, encoding: str = UTF16) -> Json:
    """As :func:`dig_lsp.lsp.convert.lsp_range`."""
    return {"start": position(span.path, span.start, line_text, encoding),
            "end": position(span.path, span.end, line_text, encoding)}


def related_json(related: Related, line_text: LineText, uri_for: UriFor, encoding: str = UTF16) -> Json:
    """As :func:`dig_lsp.lsp.convert.lsp_related`."""
    location = {"uri": uri_for(related.span.path), "range": span_range(related.span, line_text, encoding)}
    return {"location": location, "message": related.message}


def diagnostic_json(diagnostic: Diagnostic, line_text: LineText, uri_for: UriFor, encoding: str = UTF16,
                    related_support: bool = True, docs_url: str = RULE_DOCS) -> Json:
    """As :func:`dig_lsp.lsp.convert.to_lsp` (the same message, notes and link)."""
    message = diagnostic.message
    related: list[Json] | None = None
    if diagnostic.related and related_support:
        related = [related_json(r, line_text, uri_for, encoding) for r in diagnostic.related]
    elif diagnostic.related:
        message += "".join(f"\n{where(r)}: {r.message}" for r in diagnostic.related)
    result: Json = {"range": span_range(diagnostic.span, line_text, encoding), "message": message,
                    "severity": SEVERITIES[diagnostic.severity], "code": diagnostic.code,
                    "codeDescription": {"href": rule_url(diagnostic.code, docs_url)}, "source": SOURCE}
    if related is not None:
        result["relatedInformation"] = related
    return result


def config_diagnostic_json(message: str, related_uri: str | None, line: int, column: int, note: str) -> Json:
    """As :func:`dig_lsp.lsp.documents.config_diagnostic` builds it (``related_uri`` None: no related
    information)."""
    start = {"line": 0, "character": 0}
    result: Json = {"range": {"start": start, "end": start}, "message": message, "severity": 1, "source": SOURCE}
    if related_uri is not None:
        spot = {"line": line, "character": column}
        result["relatedInformation"] = [{"location": {"uri": related_uri, "range": {"start": spot, "end": spot}},
                                         "message": note}]
    return result


def where(related: Related) -> str:
    """Where a related note is, for a message that carries it (the client shows no related information)."""
    return f"{related.span.path}:{related.span.start.line + 1}:{related.span.start.column + 1}"
