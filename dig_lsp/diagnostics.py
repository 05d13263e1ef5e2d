"""The one diagnostic type every layer above the checks speaks.

Diagnostics are plain frozen data so they can be cached, sent to another process,
printed in any format and turned into LSP objects without knowing who produced them.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dig_lsp.text.span import Position, Span

RULE_DOCS = "docs/rules/"
"""Where each rule's page is: ``docs/rules/<CODE>.md`` of dig-lsp's repository (generated from the checks'
docstrings by ``python -m dig_lsp.cli.docs``). dig-lsp has no published home page yet, so the default is
this path relative to the repository's root, not a URL anyone could have made up; the ``docs-url``
setting points the links at a real copy (a fork on a code host, an internal mirror)."""


def rule_url(code: str, base: str = RULE_DOCS) -> str:
    """The link to the page of rule ``code``: ``base`` with ``{code}`` replaced, else ``base/<CODE>.md``."""
    if "{code}" in base:
        return base.replace("{code}", code)
    return f"{base.rstrip('/')}/{code}.md" if base else f"{code}.md"


def is_absolute_url(link: str) -> bool:
    """Whether ``link`` starts with a scheme (``https:``): a URI, not a path relative to something."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", link) is not None


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


_BEFORE_ALL = Position(-1, -1)  # sorts before every position: a search key for "starts at or after"


def edits_overlap(a: TextEdit, b: TextEdit) -> bool:
    """Edits of one file that share text, or insert at the same place (their order would be a guess)."""
    if a.span.path != b.span.path:
        return False
    return (a.span.start < b.span.end and b.span.start < a.span.end) or a.span.start == b.span.start


def disjoint_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes, in order, that overlap none kept before them (nor themselves): what can be applied at
    once. The others wait for a new analysis of the changed text (``--fix`` does that in passes)."""
    kept: list[Fix] = []
    space = EditSpace()
    for fix in fixes:
        if space.fits(fix.edits):
            space.add(fix.edits)
            kept.append(fix)
    return kept


class EditSpace:
    """The edits taken so far, per file, sorted: whether another fix still fits is a lookup, not a scan
    of every edit taken (a file can have thousands of fixes). Taken edits never overlap each other."""

    def __init__(self) -> None:
        self._taken: dict[str, list[tuple[Position, Position]]] = {}

    def fits(self, edits: Iterable[TextEdit]) -> bool:
        """Whether ``edits`` overlap no edit taken and none of each other."""
        pending: list[TextEdit] = []
        for edit in edits:
            if self._collides(edit) or any(edits_overlap(edit, other) for other in pending):
                return False
            pending.append(edit)
        return True

    def add(self, edits: Iterable[TextEdit]) -> None:
        """Take ``edits`` (which :meth:`fits`)."""
        for edit in edits:
            bisect.insort(self._taken.setdefault(edit.span.path, []), (edit.span.start, edit.span.end))

    def _collides(self, edit: TextEdit) -> bool:
        taken = self._taken.get(edit.span.path)
        if not taken:
            return False
        start, end = edit.span.start, edit.span.end
        index = bisect.bisect_left(taken, (start, _BEFORE_ALL))  # the first taken edit starting at or after ``start``
        if index < len(taken) and (taken[index][0] == start or taken[index][0] < end):
            return True
        return index > 0 and taken[index - 1][1] > start


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
    return [span.path, span.start.line, span.start.column, span.end.line, span.end.column]


def _span_from(data: list[Any]) -> Span:
    path, start_line, start_column, end_line, end_column = data
    return Span(path, Position(start_line, start_column), Position(end_line, end_column))
