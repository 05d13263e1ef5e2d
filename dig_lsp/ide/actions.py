"""Code actions: the checks' own fixes, and "disable this code on this line" comments.

Fixes come from :attr:`Diagnostic.fix`, the same data the CLI prints, so the editor never
invents a repair of its own. The suppression comment follows ``dig_lsp.syntax.suppressions``:
``value  # dig-lint: disable=DL202`` silences DL202 on that line; a line that already has such
a comment gets the code added to it. Only the first comment of a line counts there, so a new
comment goes in front of an existing unrelated one, and a line whose end lies inside a
multi-line scalar (where ``#`` would be text, or would cut a plain scalar short) gets no action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dig_lsp.diagnostics import Applicability, Diagnostic, TextEdit, disjoint_fixes
from dig_lsp.syntax.nodes import Mapping, Node, Scalar
from dig_lsp.syntax.nodes import Sequence as SequenceNode
from dig_lsp.syntax.suppressions import Suppression, parse_suppressions
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position

QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.dig-lint"
_CODES = re.compile(r"disable\s*=\s*(?P<codes>[^#]*)")


@dataclass(frozen=True)
class Action:
    """One quick fix: a title, the edits, and the diagnostic it answers."""

    title: str
    edits: tuple[TextEdit, ...]
    diagnostics: tuple[Diagnostic, ...]  # what it resolves
    preferred: bool = False
    kind: str = QUICKFIX


def overlaps(diagnostic: Diagnostic, path: str, start: Position, end: Position) -> bool:
    """Whether the diagnostic touches ``[start, end]`` of ``path`` (an empty range at a cursor too)."""
    span = diagnostic.span
    return span.path == path and span.start <= end and span.end >= start


def code_actions(diagnostics: Iterable[Diagnostic], source: SourceFile, root: Node | None, start: int,
                 end: int) -> list[Action]:
    """Actions for the diagnostics of ``source`` overlapping ``[start, end]`` (code-point offsets)."""
    first, last = source.position(start), source.position(end)
    wanted = [d for d in diagnostics if overlaps(d, source.path, first, last)]
    actions = [action for d in wanted if (action := fix_action(d)) is not None]
    comments = _Comments(source, root)
    seen: set[tuple[str, int]] = set()
    for diagnostic in wanted:
        where = (diagnostic.code, diagnostic.span.start.line)
        if where in seen:
            continue
        seen.add(where)
        edit = comments.disable_edit(diagnostic.code, diagnostic.span.start.line)
        if edit is not None:
            actions.append(Action(f"Disable {diagnostic.code} for this line", (edit,), (diagnostic,)))
    return actions


def fix_action(diagnostic: Diagnostic) -> Action | None:
    """The check's own fix, unless it is only meant to be shown; preferred (what an editor applies on
    its own, e.g. VS Code's auto-fix) only when it is safe."""
    fix = diagnostic.fix
    if fix is None or not fix.edits or fix.applicability is Applicability.DISPLAY_ONLY:
        return None
    return Action(fix.title, fix.edits, (diagnostic,), preferred=fix.applicability is Applicability.SAFE)


def fix_all_action(diagnostics: Iterable[Diagnostic], path: str) -> Action | None:
    """``source.fixAll.dig-lint``: every safe fix of the document ``path`` that edits only it, as one
    action (what ``--fix`` applies in its first pass; fixes overlapping one taken wait for the next
    request, on the new text). None when there is none."""
    safe = [d for d in diagnostics
            if d.path == path and d.fix is not None and d.fix.applies(False) and all(e.span.path == path
                                                                                   for e in d.fix.edits)]
    fixes = disjoint_fixes(d.fix for d in safe if d.fix is not None)
    if not fixes:
        return None
    kept = {id(fix) for fix in fixes}
    resolved = tuple(d for d in safe if id(d.fix) in kept)
    edits = tuple(edit for fix in fixes for edit in fix.edits)
    return Action("Fix all safe dig-lint problems", edits, resolved, kind=FIX_ALL)


def _scalar_spans(root: Node | None, source: SourceFile) -> Iterator[tuple[int, int]]:
    """The offsets of every scalar below ``root``, a parse of ``source`` (so every node is in that file)."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Scalar):
            yield source.offsets(node.span)
        elif isinstance(node, SequenceNode):
            stack.extend(node.items)
        elif isinstance(node, Mapping):
            stack.extend(entry.value for entry in node.entries)


class _Comments:
    """Where comments are on each line, and the suppressions already written."""

    def __init__(self, source: SourceFile, root: Node | None) -> None:
        self.source = source
        self.scalars = [(start, end) for start, end in _scalar_spans(root, source) if end > start]
        self.suppressions = parse_suppressions(source, root)

    def _in_scalar(self, offset: int, strict_end: bool) -> bool:
        return any(start < offset < end or (not strict_end and start <= offset < end) for start, end in self.scalars)

    def _first_comment(self, line: int) -> int | None:
        text = self.source.line_text(line)
        base = self.source.offset(Position(line, 0))
        for index, char in enumerate(text):
            if char == "#" and (index == 0 or text[index - 1] in " \t") and not self._in_scalar(base + index, False):
                return base + index
        return None

    def _line_suppression(self, line: int) -> Suppression | None:
        for suppression in self.suppressions:
            if suppression.line == line and suppression.span.start.line == line:
                return suppression
        return None

    def disable_edit(self, code: str, line: int) -> TextEdit | None:
        """The edit that silences ``code`` on ``line``, or None when no comment can do it there."""
        if line >= self.source.line_count:
            return None
        line_end = self.source.line_end(line)
        if self._in_scalar(line_end, True):
            return None
        existing = self._line_suppression(line)
        if existing is not None:
            return self._merge(existing, code)
        comment = self._first_comment(line)
        if comment is None:
            return TextEdit(self.source.span(line_end, line_end), f"  # dig-lint: disable={code}")
        if "dig-lint" in self.source.text[comment:line_end]:
            return None  # a disable-file or malformed directive: do not bury it behind ours
        return TextEdit(self.source.span(comment, comment), f"# dig-lint: disable={code}  ")

    def _merge(self, existing: Suppression, code: str) -> TextEdit | None:
        if not existing.codes or code in existing.codes:
            return None  # already silenced: the diagnostic would not be here
        start, end = self.source.offsets(existing.span)
        match = _CODES.search(self.source.text[start:end])
        if match is None:
            return None
        codes = match.group("codes")
        at = start + match.start("codes") + len(codes.rstrip())
        return TextEdit(self.source.span(at, at), f",{code}")

