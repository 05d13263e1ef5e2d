"""Fixes several checks offer (not a check itself: it is not registered)."""

from __future__ import annotations

from dig_lsp.checks.base import CheckContext
from dig_lsp.diagnostics import Applicability, Fix, TextEdit
from dig_lsp.text.span import Span


def key_rename_fix(ctx: CheckContext, span: Span, old: str, new: str, applicability: Applicability) -> Fix | None:
    """Replace ``old`` inside the key written at ``span`` (quotes kept); None if it is not written plainly."""
    source = ctx.project.files.source(span.path)
    written = source.slice(span) if source is not None else ""
    at = written.find(old)
    if source is None or at < 0:
        return None
    start = source.at(span.start) + at
    return Fix(f"Rename {old!r} to {new!r}", (TextEdit(source.span(start, start + len(old)), new),), applicability)
