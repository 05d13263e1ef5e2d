"""Inside ``${...}``: variables in the task's scope (:mod:`dig_lsp.analysis.scope`), their members, earlier keys
of the task, JavaScript globals and Moment.js methods."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from dig_lsp.analysis.facts import Facts
from dig_lsp.analysis.scope import Scope
from dig_lsp.embedded.js import JS_GLOBALS
from dig_lsp.ide.completion.context import Context
from dig_lsp.ide.completion.frame import Frame, FrameKind
from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.model.project import ProjectModel
from dig_lsp.syntax.templates import find_templates

MOMENT_METHODS: dict[str, str] = {
    "format": "format(pattern): the time as text, e.g. format('YYYY-MM-DD')",
    "add": "add(amount, unit): a later time, e.g. add(1, 'days')",
    "subtract": "subtract(amount, unit): an earlier time, e.g. subtract(1, 'hours')",
    "startOf": "startOf(unit): the start of the unit, e.g. startOf('month')",
    "endOf": "endOf(unit): the end of the unit, e.g. endOf('month')",
    "toISOString": "toISOString(): ISO 8601 text in UTC",
    "unix": "unix(): seconds since the epoch",
    "valueOf": "valueOf(): milliseconds since the epoch",
    "isBefore": "isBefore(other, unit?): whether this time is earlier",
    "isAfter": "isAfter(other, unit?): whether this time is later",
    "diff": "diff(other, unit?): the difference (milliseconds unless a unit is given)",
    "clone": "clone(): a copy to modify",
    "utc": "utc(): the same instant in UTC mode",
}
"""Common Moment.js 2.21 methods (digdag loads ``moment.min.js``; moment-timezone's ``tz`` is not loaded)."""


_OBJECT_MEMBERS: dict[str, dict[str, str]] = {
    "Math": {name: f"Math.{name}" for name in ("abs", "ceil", "floor", "max", "min", "pow", "random", "round",
                                                 "sqrt", "PI")},
    "JSON": {"parse": "JSON.parse(text)", "stringify": "JSON.stringify(value)"},
}


_HIDDEN_GLOBALS = frozenset({"template", "print", "__t", "__p", "__j"})


# Starts only where a chain can start (not at `.moment(` inside a chain): one try per chain, not per call.
_MOMENT_CALL = re.compile(r"(?<![\w$.])moment\([^()]*\)(?:\.\w+\([^()]*\))*\.([\w$]*)$")


_MEMBER = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.([\w$]*)$")


_NAME = re.compile(r"(?<![\w$.'\"])([A-Za-z_$][\w$]*)?$")


def _open_template(prefix: str) -> int | None:
    """Index in ``prefix`` where the expression of an unclosed ``${`` starts."""
    _, unclosed = find_templates(prefix)
    if unclosed is not None:
        return unclosed.start + 2
    if prefix.endswith("${"):
        return len(prefix)
    return None


def _in_string(expression: str) -> bool:
    quote = ""
    escaped = False
    for char in expression:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
    return bool(quote)


def _variable_detail(scope: Scope, name: str) -> str:
    variable = scope.variables.get(name)
    if variable is not None:
        return f"{variable.origin.value}: {variable.detail}"
    members = sorted(n for n in scope.variables if n.startswith(name + "."))
    if members:
        return f"object: {', '.join(members[:3])}{'…' if len(members) > 3 else ''}"
    return ""


def _expression_items(expression: str, end: int, scope: Scope | None, local: Iterable[str]) -> Iterator[Item]:
    if _in_string(expression):
        return
    moment = _MOMENT_CALL.search(expression)
    if moment is not None:
        start = end - len(moment.group(1))
        for name, doc in MOMENT_METHODS.items():
            yield Item(name, ItemKind.METHOD, "Moment.js method", doc, name, start, end, f"{name}($0)", "0")
        return
    member = _MEMBER.search(expression)
    if member is not None:
        yield from _member_items(member.group(1), end - len(member.group(2)), end, scope)
        return
    word = _NAME.search(expression)
    if word is None:
        return
    start = end - len(word.group(1) or "")
    yield from _name_items(start, end, scope, local)


def _member_items(base: str, start: int, end: int, scope: Scope | None) -> Iterator[Item]:
    if base in _OBJECT_MEMBERS:
        for name, doc in _OBJECT_MEMBERS[base].items():
            yield Item(name, ItemKind.METHOD, f"{base} member", doc, name, start, end, None, "1")
        return
    if scope is None:
        return
    prefix = base + "."
    seen: set[str] = set()
    for full in sorted(scope.variables):
        if not full.startswith(prefix):
            continue
        member = full[len(prefix):].split(".")[0]
        if member in seen:
            continue
        seen.add(member)
        name = prefix + member
        variable = scope.variables.get(name)
        doc = "" if variable is None or variable.span is None else f"defined at line {variable.span.start.line + 1}"
        yield Item(member, ItemKind.MEMBER, _variable_detail(scope, name), doc, member, start, end, None, "0")


def _name_items(start: int, end: int, scope: Scope | None, local: Iterable[str]) -> Iterator[Item]:
    seen: set[str] = set()
    for name in local:
        seen.add(name)
        yield Item(name, ItemKind.VARIABLE, "earlier key of this task", "", name, start, end, None, "0")
    if scope is not None:
        for name in scope.names():
            if name in seen:
                continue
            seen.add(name)
            yield Item(name, ItemKind.VARIABLE, _variable_detail(scope, name), "", name, start, end, None, "1")
    for name in sorted(JS_GLOBALS - _HIDDEN_GLOBALS - seen):
        doc = "Moment.js 2.21 (moment-timezone is not loaded)" if name == "moment" else ""
        yield Item(name, ItemKind.FUNCTION, "JavaScript global", doc, name, start, end, None, "2")


_RAW_KEYS = frozenset({"timezone", "_after", "_background", "_disable"})


def template_items(context: Context, frame: Frame, project: ProjectModel, offset: int,
                   runtime_params: tuple[str, ...]) -> Iterator[Item] | None:
    """Items inside an unclosed ``${`` (None when the cursor is not in one)."""
    begin = max(0, context.value_start - context.line_start) if context.in_value else 0
    expression_start = _open_template(context.prefix[begin:])
    if expression_start is None:
        return None
    if frame.kind in (FrameKind.SCHEDULE, FrameKind.SLA) or (context.key in _RAW_KEYS and frame.kind == FrameKind.TASK):
        return iter(())
    expression = context.prefix[begin + expression_start:]
    scope: Scope | None = None
    if frame.task is not None:
        scope = Facts(project, runtime_params).scopes.scope(frame.task)
    local: list[str] = []
    if frame.kind == FrameKind.TASK and frame.task is not None and context.key and not frame.task.is_group:
        keys = frame.task.config.keys()
        if context.key in keys:
            local = [k for k in keys[: keys.index(context.key)] if not k.startswith(("+", "_")) and not k.endswith(">")]
    return _expression_items(expression, offset, scope, local)
