"""Rendering a query's ``${...}`` templates into plain SQL that a parser can check.

digdag renders SQL files and inline queries with the same template engine as every other
value (reference §5.2, §5.3, ``util/Workspace.templateCommand``): each ``${...}`` is replaced
by its value, and ``$$`` in literal text becomes ``$``. Statically, a template's value is known
only when it is a constant (an ``_export``ed string or number, a task's own constant key) or a
built-in with a fixed format (``session_date`` is always ``yyyy-MM-dd``, reference §3). Any
other template gets a placeholder chosen by where it sits, so that the text around it can still
be parsed: plain text inside a string literal or comment, identifier characters when it is glued
to a name (``daily_${date}``), otherwise a bare identifier (or a number, on a second try).

Every character of the rendered text maps back to an index of the original text, so parser
positions point at what the user wrote.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from dig_lsp.syntax.templates import Template, find_templates

IDENTIFIER_PLACEHOLDER = "dl_tpl"
NUMBER_PLACEHOLDER = "1"
TEXT_PLACEHOLDER = "x"
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

# Values of built-ins for a fixed example session (2024-01-01 00:00:00 UTC), in the formats
# core/agent/RuntimeParams.java gives them (reference §3); they only need the right shape.
_TIME_VALUES = {"time": "2024-01-01T00:00:00+00:00", "date": "2024-01-01", "date_compact": "20240101",
                "local_time": "2024-01-01 00:00:00", "tz_offset": "+0000", "unixtime": "1704067200"}
BUILTIN_VALUES: dict[str, str] = {
    **{f"{prefix}_{suffix}": value for prefix in ("session", "last_session", "next_session",
                                                   "last_executed_session")
       for suffix, value in _TIME_VALUES.items()},
    "timezone": "UTC", "project_id": "1", "session_id": "1", "attempt_id": "1",
    "session_uuid": "3c9a1f2e-0000-4000-8000-000000000000", "task_name": "+workflow+task",
}


class Context(enum.Enum):
    """Where a template sits in the SQL text."""

    STRING = "string"  # inside a quoted literal or identifier
    COMMENT = "comment"
    NAME = "name"  # glued to identifier characters
    EXPRESSION = "expression"


@dataclass(frozen=True)
class RenderedTemplate:
    """One template in the rendered text: its range there, in the original, and what replaced it."""

    template: Template
    start: int  # rendered text index
    end: int
    context: Context
    known: bool  # replaced by its real value


@dataclass(frozen=True)
class Rendered:
    """The rendered SQL, the original index of every rendered character (plus one for the end)."""

    text: str
    origin: tuple[int, ...]
    templates: tuple[RenderedTemplate, ...]
    unclosed: bool

    def unknown(self) -> list[RenderedTemplate]:
        """Templates replaced by placeholders that could stand for SQL text."""
        return [t for t in self.templates if not t.known and t.context in (Context.NAME, Context.EXPRESSION)]

    def template_at(self, start: int, end: int) -> RenderedTemplate | None:
        """An unknown template overlapping rendered ``[start, end)`` (touching counts)."""
        for item in self.unknown():
            if item.start <= end and start <= item.end:
                return item
        return None


Resolve = Callable[[str], "str | None"]


def _contexts(text: str, templates: list[Template]) -> list[Context]:
    """Scan the SQL outside templates for quotes and comments; classify each template."""
    found: list[Context] = []
    state = ""  # "", "'", '"', "`", "--", "/*"
    position = 0
    for template in templates:
        state, _ = scan_sql(text, position, template.start, state)
        if state in QUOTES:
            found.append(Context.STRING)
        elif state:
            found.append(Context.COMMENT)
        else:
            before = text[template.start - 1] if template.start > 0 else ""
            after = text[template.end] if template.end < len(text) else ""
            glued = before in _NAME_CHARS or before == "." or after in _NAME_CHARS
            found.append(Context.NAME if glued else Context.EXPRESSION)
        position = template.end
    return found


QUOTES = ("'", '"', "`")


_CODE_MARK = re.compile(r"--|/\*|['\"`]")  # what changes the state outside quotes and comments


def scan_sql(text: str, start: int, end: int, state: str = "", opened: int = -1) -> tuple[str, int]:
    """The lexical state after ``text[start:end]``, starting in ``state``: ``''`` (code), a quote
    character (inside a string or quoted name; a doubled quote stays inside), ``'--'`` or ``'/*'``
    (inside a comment); and the offset where the open quote started (``opened`` when none did).

    It jumps from one character that can change the state to the next (it read every character); a
    two-character mark (``--``, ``/*``, ``*/``, a doubled quote) may start at the last character of the
    range and end just after it."""
    index = start
    while index < end:
        if state in QUOTES:
            close = text.find(state, index, end)
            if close < 0:
                break
            if text[close + 1:close + 2] == state:
                index = close + 2
            else:
                state, index = "", close + 1
        elif state == "--":
            newline = text.find("\n", index, end)
            if newline < 0:
                break
            state, index = "", newline + 1
        elif state == "/*":
            close = text.find("*/", index, end + 1)
            if close < 0:
                break
            state, index = "", close + 2
        else:
            mark = _CODE_MARK.search(text, index, end + 1)
            if mark is None or mark.start() >= end:
                break
            if mark.group() in ("--", "/*"):
                state, index = mark.group(), mark.start() + 2
            else:
                state, opened, index = mark.group(), mark.start(), mark.start() + 1
    return state, opened


class Placeholder(enum.Enum):
    """What an unknown template between SQL tokens stands for: a name, or a number on a second try."""

    IDENTIFIER = IDENTIFIER_PLACEHOLDER
    NUMBER = NUMBER_PLACEHOLDER


def _placeholder(context: Context, kind: Placeholder, empty: bool) -> str:
    if context in (Context.STRING, Context.COMMENT):
        return TEXT_PLACEHOLDER
    if context is Context.NAME:
        return "x"
    return "" if empty else kind.value


def render(text: str, resolve: Resolve, placeholder: Placeholder = Placeholder.IDENTIFIER,
           empty: frozenset[int] = frozenset()) -> Rendered:
    """``text`` with every template replaced by its value (``resolve``) or a placeholder; the unknown
    templates starting at the offsets in ``empty`` render as nothing (a template may stand for an
    optional keyword: ``SELECT ${distinct} col`` with ``''`` or ``'DISTINCT'``)."""
    templates, unclosed = find_templates(text)
    contexts = _contexts(text, templates)
    parts: list[str] = []
    origin: list[int] = []
    rendered: list[RenderedTemplate] = []
    length = 0
    position = 0

    def literal(start: int, end: int) -> None:
        """Copy ``text[start:end]`` by slices, ``$$`` as ``$`` (the text between two ``$$`` at once: the
        copy character by character was most of rendering)."""
        nonlocal length
        index = start
        while index < end:
            dollars = text.find("$$", index, end)
            stop = end if dollars < 0 else dollars + 1  # the first `$` of a `$$` is kept
            parts.append(text[index:stop])
            origin.extend(range(index, stop))
            length += stop - index
            index = end if dollars < 0 else dollars + 2

    for template, context in zip(templates, contexts, strict=True):
        literal(position, template.start)
        value = resolve(template.expression)
        known = value is not None
        replacement = value if value is not None else _placeholder(context, placeholder, template.start in empty)
        begin = length
        parts.append(replacement)
        origin.extend([template.start] * len(replacement))
        length += len(replacement)
        rendered.append(RenderedTemplate(template, begin, length, context, known))
        position = template.end
    literal(position, len(text))
    origin.append(len(text))
    return Rendered("".join(parts), tuple(origin), tuple(rendered), unclosed is not None)
