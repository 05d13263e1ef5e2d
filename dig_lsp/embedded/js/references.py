"""The free-variable references of a parsed ``${...}``: names that resolve through digdag's ``with(this)`` to
params (or to :data:`~dig_lsp.embedded.js.globals.JS_GLOBALS`), each with its static member chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dig_lsp.embedded.js.parse import PUNCTUATOR, ParserRun, children, identifiers


@dataclass(frozen=True)
class Reference:
    """A use of a free variable and the static member chain read from it (``a.b["c"]`` -> a, b, c)."""

    name: str
    path: tuple[str, ...]
    start: int
    end: int


def _hoisted_names(body: Any) -> set[str]:
    """Names a function body declares with ``var`` or function declarations (hoisted to its top)."""
    names: set[str] = set()
    stack: list[Any] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "FunctionDeclaration":
                names.update(_binding_names(node.get("id")))
                continue
            if kind == "FunctionExpression":
                continue
            if kind == "VariableDeclarator":
                names.update(_binding_names(node.get("id")))
        stack.extend(children(node))
    return names


def _binding_names(target: Any) -> set[str]:
    return {ident["name"] for ident in identifiers(target) if isinstance(ident.get("name"), str)}


def _static_key(member: dict[str, Any]) -> str | None:
    """The property name of ``a.b`` / ``a["b"]`` / ``a[0]``, or None for a computed expression."""
    prop = member.get("property")
    if not isinstance(prop, dict):
        return None
    if not member.get("computed"):
        name = prop.get("name")
        return name if isinstance(name, str) else None
    if prop.get("type") != "Literal" or "regex" in prop:
        return None
    value = prop.get("value")
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, float | int):
        return None
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    return None


class ReferenceCollector:
    """Walks the tree with a stack of scopes and collects free-variable references."""

    def __init__(self, run: ParserRun, locations: dict[int, int]) -> None:
        self.run = run
        self.locations = locations
        self.scopes: list[set[str]] = [set()]
        self.references: list[Reference] = []
        self.typeof_tested: set[str] = set()  # free names read through `typeof`

    def is_free(self, name: str) -> bool:
        return name != "arguments" and not any(name in scope for scope in self.scopes)

    def statement(self, node: Any) -> None:
        """Visit any node (statement or expression)."""
        if isinstance(node, list):
            for item in node:
                self.statement(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is not None:
            handler(self, node)
        else:
            for child in children(node):
                self.statement(child)

    def identifier(self, node: dict[str, Any]) -> None:
        self.chain(node, [])

    def member(self, node: dict[str, Any]) -> None:
        steps: list[dict[str, Any]] = []
        base: Any = node
        while isinstance(base, dict) and base.get("type") == "MemberExpression":
            steps.append(base)
            base = base.get("object")
        steps.reverse()
        if isinstance(base, dict) and base.get("type") == "Identifier":
            self.chain(base, steps)
        else:
            self.statement(base)
        for step in steps:
            if step.get("computed"):
                self.statement(step.get("property"))

    def chain(self, base: dict[str, Any], steps: list[dict[str, Any]]) -> None:
        """Record ``base`` (if free) with the static part of the member chain ``steps``."""
        name = base.get("name")
        if not isinstance(name, str) or not self.is_free(name):
            return
        path = [name]
        for step in steps:
            key = _static_key(step)
            if key is None:
                break
            path.append(key)
        start, end = self.chain_span(base, len(path) - 1)
        self.references.append(Reference(name, tuple(path), start, end))

    def chain_span(self, base: dict[str, Any], steps: int) -> tuple[int, int]:
        """Text span from the base name over ``steps`` tokens-level ``.name`` / ``[literal]`` accesses."""
        index = self.locations.get(id(base))
        if index is None:
            return 0, len(self.run.text)
        consumed = self.run.parser.consumed
        start, end = self.run.span(consumed[index])
        position = index + 1
        for _ in range(steps):
            window = consumed[position:position + 3]
            if len(window) >= 2 and window[0].value == "." and window[0].kind == PUNCTUATOR:
                end, position = self.run.span(window[1])[1], position + 2
            elif len(window) == 3 and window[0].value == "[" and window[2].value == "]":
                end, position = self.run.span(window[2])[1], position + 3
            else:
                break
        return start, end

    def function(self, node: dict[str, Any]) -> None:
        own_name = _binding_names(node.get("id")) if node.get("type") == "FunctionExpression" else set()
        scope = own_name | _binding_names(node.get("params")) | _hoisted_names(node.get("body"))
        self.scopes.append(scope)
        try:
            self.statement(node.get("defaults"))
            self.statement(node.get("body"))
        finally:
            self.scopes.pop()

    def catch(self, node: dict[str, Any]) -> None:
        self.scopes.append(_binding_names(node.get("param")))
        try:
            self.statement(node.get("body"))
        finally:
            self.scopes.pop()

    def property(self, node: dict[str, Any]) -> None:
        if node.get("computed") or node.get("shorthand"):
            self.statement(node.get("key"))
        if not node.get("shorthand"):
            self.statement(node.get("value"))

    def assignment(self, node: dict[str, Any]) -> None:
        """``x = v`` creates a global in sloppy ES5 (no ReferenceError): only ``x`` is not a read."""
        left = node.get("left")
        if node.get("operator") == "=" and isinstance(left, dict):
            if left.get("type") == "MemberExpression":
                self.statement(left.get("object"))
                if left.get("computed"):
                    self.statement(left.get("property"))
            elif left.get("type") != "Identifier":
                self.statement(left)
        else:
            self.statement(left)
        self.statement(node.get("right"))

    def unary(self, node: dict[str, Any]) -> None:
        """``typeof x`` never throws for an undefined ``x``: that is the ES5 way to test for one."""
        argument = node.get("argument")
        if node.get("operator") == "typeof" and isinstance(argument, dict) and argument.get("type") == "Identifier":
            if self.is_free(str(argument.get("name"))):
                self.typeof_tested.add(str(argument.get("name")))
            return
        self.statement(argument)

    def declarator(self, node: dict[str, Any]) -> None:
        self.statement(node.get("init"))

    def for_in(self, node: dict[str, Any]) -> None:
        left = node.get("left")
        if not (isinstance(left, dict) and left.get("type") == "Identifier"):
            self.statement(left)
        self.statement(node.get("right"))
        self.statement(node.get("body"))

    def labelled(self, node: dict[str, Any]) -> None:
        self.statement(node.get("body"))

    def skip(self, node: dict[str, Any]) -> None:
        """Break/continue labels and ``this`` refer to no variable."""


_HANDLERS: dict[str, Any] = {
    "Identifier": ReferenceCollector.identifier,
    "MemberExpression": ReferenceCollector.member,
    "FunctionExpression": ReferenceCollector.function,
    "FunctionDeclaration": ReferenceCollector.function,
    "CatchClause": ReferenceCollector.catch,
    "Property": ReferenceCollector.property,
    "AssignmentExpression": ReferenceCollector.assignment,
    "UnaryExpression": ReferenceCollector.unary,
    "VariableDeclarator": ReferenceCollector.declarator,
    "ForInStatement": ReferenceCollector.for_in,
    "LabeledStatement": ReferenceCollector.labelled,
    "BreakStatement": ReferenceCollector.skip,
    "ContinueStatement": ReferenceCollector.skip,
    "ThisExpression": ReferenceCollector.skip,
}
