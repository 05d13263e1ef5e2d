"""The one diagnostic type every layer above the checks speaks.

Diagnostics are plain frozen data so they can be cached, sent to another process,
printed in any format and turned into LSP objects without knowing who produced them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dig_lsp.text.span import Position, Span


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= threshold`` answers "does this fail the run?"."""

    HINT = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name (case-insensitive); raises ValueError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; use error, warning, info or hint") from None


class Applicability(enum.Enum):
    """How safe it is to apply a fix without a human looking (ruff's levels)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text of ``span`` with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A suggested change, as data the CLI and the editor both read."""

    title: str
    edits: tuple[TextEdit, ...]
    applicability: Applicability = Applicability.SAFE

    def applies(self, unsafe: bool = False) -> bool:
        """Whether ``--fix`` applies it (with ``--unsafe-fixes`` when ``unsafe``); display-only never."""
        if not self.edits:
            return False
        return self.applicability is Applicability.SAFE or (unsafe and self.applicability is Applicability.UNSAFE)


def edits_overlap(a: TextEdit, b: TextEdit) -> bool:
    """Edits of one file that share text, or insert at the same place (their order would be a guess)."""
    if a.span.path != b.span.path:
        return False
    return (a.span.start_offset < b.span.end_offset and b.span.start_offset < a.span.end_offset) or \
        a.span.start_offset == b.span.start_offset


def disjoint_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes, in order, that overlap none kept before them (nor themselves): what can be applied at
    once. The others wait for a new analysis of the changed text (``--fix`` does that in passes)."""
    kept: list[Fix] = []
    taken: list[TextEdit] = []
    for fix in fixes:
        if fits_beside(fix.edits, taken):
            kept.append(fix)
            taken.extend(fix.edits)
    return kept


def fits_beside(edits: Iterable[TextEdit], taken: Iterable[TextEdit]) -> bool:
    """Whether ``edits`` overlap none of ``taken`` nor each other."""
    seen = list(taken)
    for edit in edits:
        if any(edits_overlap(edit, other) for other in seen):
            return False
        seen.append(edit)
    return True


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains the diagnostic (the first definition of a duplicate...)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: what rule, how bad, what was found, and exactly where."""

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fix: Fix | None = None

    @property
    def path(self) -> str:
        """The file the diagnostic is in."""
        return self.span.path

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Stable order: file, position, code, message."""
        return (self.span.path, self.span.start.line, self.span.start.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (used by the cache and by worker processes)."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "span": _span_dict(self.span),
            "related": [{"span": _span_dict(r.span), "message": r.message} for r in self.related],
            "fix": None if self.fix is None else {
                "title": self.fix.title,
                "applicability": self.fix.applicability.value,
                "edits": [{"span": _span_dict(e.span), "new_text": e.new_text} for e in self.fix.edits],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        """Inverse of :meth:`to_dict`."""
        fix_data = data.get("fix")
        fix = None
        if fix_data is not None:
            fix = Fix(
                fix_data["title"],
                tuple(TextEdit(_span_from(e["span"]), e["new_text"]) for e in fix_data["edits"]),
                Applicability(fix_data["applicability"]),
            )
        return cls(
            data["code"],
            data["name"],
            Severity.parse(data["severity"]),
            data["message"],
            _span_from(data["span"]),
            tuple(Related(_span_from(r["span"]), r["message"]) for r in data["related"]),
            fix,
        )


def _span_dict(span: Span) -> list[Any]:
    return [span.path, span.start_offset, span.end_offset, span.start.line, span.start.column,
            span.end.line, span.end.column]


def _span_from(data: list[Any]) -> Span:
    path, start, end, sl, sc, el, ec = data
    return Span(path, start, end, Position(sl, sc), Position(el, ec))
