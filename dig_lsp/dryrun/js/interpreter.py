"""A small ES5 interpreter for ``${...}`` templates, sandboxed by construction.

digdag evaluates each template as ES5 JavaScript (GraalJS with ``js.ecmascript-version=5``,
reference section 5.1) inside ``with(this){...}`` so that task params are bare names, with
Moment.js 2.21.0 loaded as the global ``moment`` and the workflow timezone as the JS timezone.
The generated code is ``(__t=(EXPR))==null?'':(typeof __t=="string"?__t:JSON.stringify(__t))``
(``digdag-core/src/main/resources/io/digdag/core/agent/digdag.js``), which :func:`template_text`
mirrors.

The interpreter walks pyjsparser's ESTree AST. Nothing reaches the host: identifiers resolve
only to the given params and to the built-ins defined here, member access is a lookup in our
own value types (never ``getattr``), and every step counts against a step budget and a wall
clock budget, every string, array and object built against a memory budget, and every nested
function call against a recursion depth (:class:`Exhausted` says which ran out: digdag's engine
has none of these limits, ``GraalJsEngine`` builds its context without resource limits).

What it does not implement (regular expressions, the clock, ``eval``, ``new`` of anything but ``Date``,
``Array`` and ``Object``, unknown methods) and what ES5.1 leaves to the implementation (``Date`` strings
other than ISO, radix strings of fractions) raise :class:`Unevaluable` with the reason: the dry run shows
such a template unevaluated instead of guessing. Numbers follow ``jsnumber`` (ToString, ``toFixed``,
``Math``), dates ``jsdate`` (in the workflow's time zone, as digdag's engine) and URIs ``jsuri``.
JavaScript errors that digdag would also raise (``ReferenceError`` for an undefined name, ``TypeError``
for a field of ``undefined``, ``RangeError``, ``URIError``) raise :class:`JsError`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from pyjsparser import JsSyntaxError, PyJsParser

from dig_lsp.dryrun.js import date as jsdate
from dig_lsp.dryrun.js import number as jsnumber
from dig_lsp.dryrun.js import uri as jsuri
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import Exhausted, JsError, Unevaluable
from dig_lsp.dryrun.js.moment import Moment, MomentError, moment_call, moment_method
from dig_lsp.dryrun.js.number import number_to_string
from dig_lsp.embedded.js import parse_expression
from dig_lsp.text.limits import recursion_headroom

MAX_STEPS = 200_000
MAX_SECONDS = 1.0
MAX_LENGTH = 20_000
MAX_MEMORY = 2_000_000
"""Characters of strings plus elements of arrays and objects one ``${...}`` may build (about 100 MB of
Python objects at worst; a real template builds a few thousand)."""
MAX_CALL_DEPTH = 200
"""Nested function calls one ``${...}`` may make (each takes about ten Python frames)."""
NO_LIMIT_IN_DIGDAG = "digdag's engine sets no such limit (GraalJsEngine builds its context without resource limits)"


__all__ = ["UNDEFINED", "Exhausted", "JsError", "Unevaluable", "evaluate", "evaluate_text", "from_python",
           "number_to_string", "template_text", "to_number", "to_string"]


class _Undefined:
    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


class _Hole:
    """An array index that was never given a value (``Array(3)``, ``a[5] = 1`` past the end): read as
    undefined, but skipped by ``map``, ``forEach``, ``filter``... (ES5.1 15.4.4.15-21 test HasProperty)."""

    def __repr__(self) -> str:
        return "<hole>"


HOLE = _Hole()


@dataclass
class JsFunction:
    """A function written in the template (``function(x){ return x * 5 }``)."""

    params: list[str]
    body: dict[str, Any]
    closure: list[dict[str, Any]]
    is_expression: bool = False


@dataclass
class Native:
    """A built-in function: ``call(this, args)``."""

    name: str
    call: Callable[[Any, list[Any]], Any]
    members: dict[str, Any] = field(default_factory=dict)
    construct: Callable[[list[Any]], Any] | None = None
    """What ``new`` makes of it (None: ``new`` is not supported)."""


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class _Memory:
    """What one evaluation may still build, in characters and array/object elements."""

    def __init__(self, units: int) -> None:
        self.left = units
        self.total = units

    def charge(self, units: int) -> None:
        """Count ``units`` about to be built; raise before building past the budget."""
        self.left -= units
        if self.left < 0:
            raise Exhausted(f"not evaluated: exceeds the dry run's memory budget ({self.total:,} characters and "
                            f"array elements built inside ${{...}}); {NO_LIMIT_IN_DIGDAG}")


# The budget of the evaluation under way. A context variable, not a parameter, because the value
# conversions that build the most (ToString of arrays, JSON.stringify) are plain functions called
# from everywhere; a repeated array inside an array doubles their output at each level.
_MEMORY: ContextVar[_Memory | None] = ContextVar("dryrun_memory", default=None)


def _charge(units: int) -> None:
    memory = _MEMORY.get()
    if memory is not None:
        memory.charge(units)


@contextmanager
def memory_budget(units: int = MAX_MEMORY) -> Iterator[None]:
    """Run under a memory budget (the one already running, if any)."""
    if _MEMORY.get() is not None:
        yield
        return
    token = _MEMORY.set(_Memory(units))
    try:
        yield
    finally:
        _MEMORY.reset(token)


def _charged(value: Any) -> Any:
    """Charge a newly built value (a string's characters, a list's elements and its strings)."""
    if isinstance(value, str):
        _charge(len(value))
    elif isinstance(value, list):
        _charge(len(value) + sum(len(item) for item in value if isinstance(item, str)))
    return value


# ------------------------------------------------------------------------------ conversions


def from_python(value: object) -> Any:
    """A JSON-like Python value as the JS value digdag passes in (numbers become doubles)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {str(k): from_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [from_python(v) for v in value]
    return str(value)


def to_python(value: Any) -> object:
    """A JS value as plain JSON-like Python data (integral numbers become ints)."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if value is UNDEFINED or value is HOLE:
        return None
    if isinstance(value, Moment):
        return value.iso_string()
    if isinstance(value, JsDate):
        return value.time  # what moment(date) reads: its time value
    return value


def to_string(value: Any) -> str:
    """ECMA-262 ToString."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_to_string(float(value))
    if isinstance(value, list):
        return _join(value, ",")
    if isinstance(value, Moment):
        return value.format("ddd MMM DD YYYY HH:mm:ss [GMT]ZZ")
    if isinstance(value, JsDate):  # ToPrimitive's hint String: Date.prototype.toString
        if math.isnan(value.time):
            return "Invalid Date"  # GraalJS JSDate.INVALID_DATE_STRING
        raise jsdate.not_specified("toString")
    if isinstance(value, JsFunction | Native):
        return "function () { [code] }"
    return "[object Object]"


# `\d+(?:\.\d*)?`, not `\d+\.?\d*`: two adjacent digit runs split n ways (quadratic in fullmatch).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def to_number(value: Any) -> float:
    """ECMA-262 ToNumber."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return float(int(text, 16))
        if text in ("Infinity", "+Infinity", "-Infinity"):
            return -math.inf if text.startswith("-") else math.inf
        return float(text) if _NUMBER.fullmatch(text) else math.nan
    if isinstance(value, Moment):
        return float(value.epoch_millis())
    if isinstance(value, JsDate):  # ToPrimitive's hint Number: valueOf
        return value.time
    return to_number(to_string(value))


def truthy(value: Any) -> bool:
    """ECMA-262 ToBoolean."""
    if value is None or value is UNDEFINED:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def type_of(value: Any) -> str:
    """The ``typeof`` operator."""
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float | int):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsFunction | Native):
        return "function"
    return "object"


def _join(items: list[Any], separator: str) -> str:
    """``Array.prototype.join``: refused at once when even its least possible length is over the budget
    (an array repeated inside an array doubles the text at each level: 60 levels are 2^60 characters),
    else every part is charged before the result is built."""
    _fits(_least_size(items, False, {}))
    return _join_parts(items, separator)


def _join_parts(items: list[Any], separator: str) -> str:
    parts = ["" if v is None or v is UNDEFINED or v is HOLE else _join_parts(v, ",") if isinstance(v, list)
             else to_string(v) for v in items]
    _charge(sum(len(part) for part in parts) + len(separator) * max(len(parts) - 1, 0))
    return separator.join(parts)


def _fits(units: int) -> None:
    """Raise if ``units`` are more than the budget has left (nothing is charged)."""
    memory = _MEMORY.get()
    if memory is not None and units > memory.left:
        memory.charge(units)


def _least_size(value: Any, as_json: bool, seen: dict[int, int]) -> int:
    """A lower bound of the length of ``value``'s ToString (or JSON.stringify) text, each array and object
    measured once (``seen``): linear in the values that exist, however often they are repeated."""
    if isinstance(value, list | dict):
        if id(value) not in seen:
            seen[id(value)] = 0  # a cycle adds nothing
            items = value if isinstance(value, list) else list(value.values())
            if isinstance(value, dict) and not as_json:
                seen[id(value)] = len("[object Object]")
            else:
                seen[id(value)] = sum(_least_size(item, as_json, seen) for item in items) + max(len(items) - 1, 0)
        return seen[id(value)]
    if isinstance(value, str):
        return len(value)
    if value is None or value is UNDEFINED or value is HOLE:
        return 4 if as_json and value is not UNDEFINED else 0
    return 1


def stringify(value: Any, indent: str = "", current: str = "") -> str | None:
    """``JSON.stringify`` (``None`` for values it skips: undefined and functions), within the memory budget
    (refused at once when even its least possible length is over it, as for :func:`_join`)."""
    with memory_budget():
        _fits(_least_size(value, True, {}))
        return _stringify(value, indent, current)


def _stringify(value: Any, indent: str = "", current: str = "") -> str | None:
    if value is None or value is HOLE:
        return "null"
    if value is UNDEFINED or isinstance(value, JsFunction | Native):
        return None
    if isinstance(value, JsDate):  # 15.9.5.44 toJSON: null for an invalid date, else toISOString
        return "null" if not math.isfinite(value.time) else json.dumps(jsdate.iso_string(value.time))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_to_string(float(value)) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Moment):
        return json.dumps(value.iso_string())
    inner = current + indent
    separator = ",\n" + inner if indent else ","
    if isinstance(value, list):
        items = [_stringify(v, indent, inner) or "null" for v in value]
        _charge(sum(len(item) + len(separator) for item in items))
        if not items:
            return "[]"
        return "[\n" + inner + separator.join(items) + "\n" + current + "]" if indent else "[" + ",".join(items) + "]"
    pairs = []
    for key, item in value.items():
        text = _stringify(item, indent, inner)
        if text is not None:
            _charge(len(key) + len(text) + len(separator) + 4)
            pairs.append(json.dumps(key, ensure_ascii=False) + (": " if indent else ":") + text)
    if not pairs:
        return "{}"
    return "{\n" + inner + separator.join(pairs) + "\n" + current + "}" if indent else "{" + ",".join(pairs) + "}"


def template_text(value: Any) -> str:
    """What one ``${...}`` contributes to the string (``digdag.js``)."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    return stringify(value) or ""


def evaluate_text(expression: str, params: dict[str, Any], zone: tzinfo, max_steps: int = MAX_STEPS,
                  max_seconds: float = MAX_SECONDS, max_memory: int = MAX_MEMORY) -> str:
    """:func:`template_text` of :func:`evaluate`, both under one memory budget."""
    with memory_budget(max_memory):
        value = evaluate(expression, params, zone, max_steps, max_seconds)
        try:
            return template_text(value)
        except RecursionError:
            raise Exhausted("not evaluated: the value nests too deeply (exceeds the recursion depth of the dry "
                            "run's evaluator)") from None


# ------------------------------------------------------------------------------ the interpreter


class Interpreter:
    """Evaluates one expression against params; create one per template."""

    def __init__(self, params: dict[str, Any], zone: tzinfo, max_steps: int = MAX_STEPS,
                 max_seconds: float = MAX_SECONDS) -> None:
        self.params = params
        self.zone = zone
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self.steps_left = max_steps
        self.deadline = time.monotonic() + max_seconds
        self.calls = 0
        self.globals = _globals(self)

    def tick(self) -> None:
        """Count one step; stop when a budget is spent."""
        self.steps_left -= 1
        if self.steps_left < 0:
            raise Exhausted(f"not evaluated: exceeds the dry run's step budget (too many steps: over "
                            f"{self.max_steps:,}); {NO_LIMIT_IN_DIGDAG}, so it would run to its end, or forever")
        if self.steps_left % 256 == 0 and time.monotonic() > self.deadline:
            raise Exhausted(f"not evaluated: exceeds the dry run's time budget ({self.max_seconds:g} s; the "
                            f"expression took too long); {NO_LIMIT_IN_DIGDAG}")

    # --- names

    def lookup(self, name: str, scopes: list[dict[str, Any]]) -> Any:
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        if name in self.params:
            return self.params[name]
        if name in self.globals:
            return self.globals[name]
        raise JsError("ReferenceError", f'"{name}" is not defined')

    def assign_name(self, name: str, value: Any, scopes: list[dict[str, Any]]) -> None:
        for scope in reversed(scopes):
            if name in scope:
                scope[name] = value
                return
        if name in self.params:
            self.params[name] = value
            return
        raise Unevaluable(f"assignment to the global {name!r}")

    # --- statements

    def run_function(self, function: JsFunction, this: Any, args: list[Any]) -> Any:
        if self.calls >= MAX_CALL_DEPTH:
            raise Exhausted(f"not evaluated: exceeds the dry run's recursion depth ({MAX_CALL_DEPTH} nested "
                            f"function calls)")
        self.calls += 1
        try:
            return self._run_function(function, this, args)
        finally:
            self.calls -= 1

    def _run_function(self, function: JsFunction, this: Any, args: list[Any]) -> Any:
        scope: dict[str, Any] = {"this": this, "arguments": list(args)}
        for index, name in enumerate(function.params):
            scope[name] = args[index] if index < len(args) else UNDEFINED
        scopes = [*function.closure, scope]
        if function.is_expression:
            return self.expr(function.body, scopes)
        body = function.body.get("body", [])
        self.declare(body, scopes)
        try:
            self.statements(body, scopes)
        except _Return as result:
            return result.value
        return UNDEFINED

    def declare(self, body: list[dict[str, Any]], scopes: list[dict[str, Any]]) -> None:
        """ES5.1 10.5 declaration binding instantiation: the function declarations of a body (step 5) and its
        ``var`` names (step 8, undefined unless already bound), before any statement runs."""
        scope = scopes[-1]
        pending = list(body)
        while pending:
            self.tick()
            node = pending.pop()
            kind = node.get("type")
            if kind == "FunctionDeclaration":
                scope[node["id"]["name"]] = JsFunction([p["name"] for p in node["params"]], node["body"], scopes)
            elif kind == "VariableDeclaration":
                for declarator in node["declarations"]:
                    scope.setdefault(declarator["id"]["name"], UNDEFINED)
            elif kind == "BlockStatement":
                pending.extend(node["body"])
            elif kind == "IfStatement":
                pending.extend(n for n in (node["consequent"], node.get("alternate")) if n is not None)
            elif kind == "ForStatement":
                pending.extend(n for n in (node.get("init"), node["body"]) if n is not None)

    def statements(self, body: list[dict[str, Any]], scopes: list[dict[str, Any]]) -> None:
        for statement in body:
            self.statement(statement, scopes)

    def statement(self, node: dict[str, Any], scopes: list[dict[str, Any]]) -> None:
        self.tick()
        kind = node.get("type")
        if kind == "ExpressionStatement":
            self.expr(node["expression"], scopes)
        elif kind == "ReturnStatement":
            raise _Return(UNDEFINED if node.get("argument") is None else self.expr(node["argument"], scopes))
        elif kind == "VariableDeclaration":
            for declarator in node["declarations"]:  # 12.2: the name is bound on entry; only an initialiser assigns
                init = declarator.get("init")
                if init is not None:
                    scopes[-1][declarator["id"]["name"]] = self.expr(init, scopes)
        elif kind == "IfStatement":
            if truthy(self.expr(node["test"], scopes)):
                self.statement(node["consequent"], scopes)
            elif node.get("alternate") is not None:
                self.statement(node["alternate"], scopes)
        elif kind == "BlockStatement":
            self.statements(node["body"], scopes)
        elif kind == "ForStatement":
            self.for_loop(node, scopes)
        elif kind in ("EmptyStatement", "FunctionDeclaration"):  # a declaration is bound on entry (declare)
            return
        else:
            raise Unevaluable(f"statement {kind} is not supported by the dry run")

    def for_loop(self, node: dict[str, Any], scopes: list[dict[str, Any]]) -> None:
        init = node.get("init")
        if init is not None:
            if init.get("type") == "VariableDeclaration":
                self.statement(init, scopes)
            else:
                self.expr(init, scopes)
        while node.get("test") is None or truthy(self.expr(node["test"], scopes)):
            self.statement(node["body"], scopes)
            if node.get("update") is not None:
                self.expr(node["update"], scopes)

    # --- expressions

    def expr(self, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
        self.tick()
        kind = node.get("type")
        handler = _EXPRESSIONS.get(str(kind))
        if handler is None:
            raise Unevaluable(f"{kind} is not supported by the dry run")
        return handler(self, node, scopes)

    def call(self, function: Any, this: Any, args: list[Any]) -> Any:
        """Call a JS function value."""
        if isinstance(function, JsFunction):
            return self.run_function(function, this, args)
        if isinstance(function, Native):
            return function.call(this, args)
        raise JsError("TypeError", f"{to_string(function)} is not a function")

    def get_member(self, target: Any, key: Any) -> Any:
        """``target[key]`` over our own value types."""
        if target is None or target is UNDEFINED:
            raise JsError("TypeError", f"Cannot read property \"{to_string(key)}\" from {to_string(target)}")
        name = to_string(key)
        if isinstance(target, dict):
            if name in target:
                return target[name]
            return _object_method(self, target, name)
        if isinstance(target, list):
            return _array_member(self, target, name)
        if isinstance(target, str):
            return _string_member(self, target, name)
        if isinstance(target, Native):
            if name in target.members:
                return target.members[name]
            return _function_member(self, target, name)
        if isinstance(target, JsFunction):
            return _function_member(self, target, name)
        if isinstance(target, Moment):
            return Native(name, lambda this, args: self.moment_method(this, name, args))
        if isinstance(target, JsDate):
            return _date_member(self, name)
        if isinstance(target, float | int | bool):
            return _primitive_member(self, target, name)
        return UNDEFINED

    def moment_method(self, this: Any, name: str, args: list[Any]) -> Any:
        if not isinstance(this, Moment):
            raise JsError("TypeError", f"{name} called on a non-moment")
        if name == "toDate":  # moment 2.21.0: new Date(this.valueOf())
            return JsDate(float(this.epoch_millis()))
        try:
            return _charged(moment_method(this, name, [to_python(a) if not isinstance(a, Moment) else a
                                                       for a in args], self.tick))
        except MomentError as error:
            raise Unevaluable(str(error)) from None


# --- expression handlers


def _literal(_: Interpreter, node: dict[str, Any], __: list[dict[str, Any]]) -> Any:
    if node.get("regex") is not None:
        raise Unevaluable("regular expressions are not supported by the dry run")
    value = node.get("value")
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _identifier(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    name = node["name"]
    if name == "undefined" and not any("undefined" in s for s in scopes):
        return UNDEFINED
    return interp.lookup(name, scopes)


def _this(interp: Interpreter, _: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    for scope in reversed(scopes):
        if "this" in scope:
            return scope["this"]
    return interp.params


def _array(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    _charge(len(node["elements"]))
    return [HOLE if e is None else interp.expr(e, scopes) for e in node["elements"]]  # 11.1.4: an elision is a hole


def _object(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    result: dict[str, Any] = {}
    _charge(len(node["properties"]))
    for prop in node["properties"]:
        if prop.get("kind") != "init":
            raise Unevaluable("getters and setters are not supported by the dry run")
        key = prop["key"]
        name = key["name"] if key["type"] == "Identifier" else to_string(_literal(interp, key, scopes))
        result[name] = interp.expr(prop["value"], scopes)
    return result


def _function(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    """A function expression; a named one sees its own name (ECMA-262 5.1 section 13: the closure's
    scope gets a binding of the Identifier to the function), so it can call itself."""
    own: dict[str, Any] = {}
    function = JsFunction([p["name"] for p in node["params"]], node["body"], [*scopes, own] if node.get("id") else
                          list(scopes), node["body"].get("type") != "BlockStatement")
    if node.get("id"):
        own[node["id"]["name"]] = function
    return function


def _member_key(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    if node.get("computed"):
        return interp.expr(node["property"], scopes)
    return node["property"]["name"]


def _member(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    target = interp.expr(node["object"], scopes)
    return interp.get_member(target, _member_key(interp, node, scopes))


def _call(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    callee = node["callee"]
    this: Any = UNDEFINED
    if callee.get("type") == "MemberExpression":
        this = interp.expr(callee["object"], scopes)
        function = interp.get_member(this, _member_key(interp, callee, scopes))
    else:
        function = interp.expr(callee, scopes)
    args = [interp.expr(a, scopes) for a in node["arguments"]]
    if function is UNDEFINED and callee.get("type") == "MemberExpression" and not isinstance(this, dict):
        name = to_string(_member_key(interp, callee, scopes))
        raise Unevaluable(f"method {name!r} of {type_of(this)} values is not supported by the dry run")
    return interp.call(function, this, args)


def _conditional(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    branch = "consequent" if truthy(interp.expr(node["test"], scopes)) else "alternate"
    return interp.expr(node[branch], scopes)


def _logical(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    left = interp.expr(node["left"], scopes)
    if node["operator"] == "&&":
        return interp.expr(node["right"], scopes) if truthy(left) else left
    return left if truthy(left) else interp.expr(node["right"], scopes)


def _sequence(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    result: Any = UNDEFINED
    for expression in node["expressions"]:
        result = interp.expr(expression, scopes)
    return result


def _unary(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    operator = node["operator"]
    argument = node["argument"]
    if operator == "typeof":
        if argument.get("type") == "Identifier":
            try:
                return type_of(interp.expr(argument, scopes))
            except JsError:
                return "undefined"
        return type_of(interp.expr(argument, scopes))
    if operator == "delete":
        raise Unevaluable("delete is not supported by the dry run")
    value = interp.expr(argument, scopes)
    if operator == "!":
        return not truthy(value)
    if operator == "-":
        return -to_number(value)
    if operator == "+":
        return to_number(value)
    if operator == "~":
        return float(~_int32(to_number(value)))
    if operator == "void":
        return UNDEFINED
    raise Unevaluable(f"operator {operator} is not supported by the dry run")


def _int32(number: float) -> int:
    if not math.isfinite(number):
        return 0
    value = int(number) & 0xFFFFFFFF
    return value - 0x100000000 if value >= 0x80000000 else value


def _primitive(value: Any, hint_number: bool = False) -> Any:
    """ES5.1 9.1 ToPrimitive: a Date with no hint is a String (8.12.8), every other object a Number first
    (``valueOf``: only a moment's gives a primitive)."""
    if isinstance(value, JsDate):
        return value.time if hint_number else to_string(value)
    if isinstance(value, list | dict | Moment | JsFunction | Native):
        return to_number(value) if isinstance(value, Moment) else to_string(value)
    return value


def _add(left: Any, right: Any) -> Any:
    left, right = _primitive(left), _primitive(right)
    if isinstance(left, str) or isinstance(right, str):
        first, second = to_string(left), to_string(right)
        _charge(len(first) + len(second))
        return first + second
    return to_number(left) + to_number(right)


def _divide(left: float, right: float) -> float:
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1, right)
    return left / right


def _modulo(left: float, right: float) -> float:
    if right == 0 or math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    if math.isinf(right):
        return left
    return math.fmod(left, right)


def strict_equals(left: Any, right: Any) -> bool:
    """``===``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, float | int) and isinstance(right, float | int):
        return float(left) == float(right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if left is None or left is UNDEFINED or right is None or right is UNDEFINED:
        return left is right
    return left is right


def loose_equals(left: Any, right: Any) -> bool:
    """``==`` (ECMA-262 11.9.3)."""
    if type_of(left) == type_of(right) and (left is None) == (right is None):
        return strict_equals(left, right)
    if (left is None or left is UNDEFINED) and (right is None or right is UNDEFINED):
        return True
    if left is None or left is UNDEFINED or right is None or right is UNDEFINED:
        return False
    if isinstance(left, bool):
        return loose_equals(to_number(left), right)
    if isinstance(right, bool):
        return loose_equals(left, to_number(right))
    if isinstance(left, float | int) and isinstance(right, str):
        return float(left) == to_number(right)
    if isinstance(left, str) and isinstance(right, float | int):
        return to_number(left) == float(right)
    if isinstance(left, list | dict | Moment | JsDate):
        return loose_equals(_primitive(left), right)
    if isinstance(right, list | dict | Moment | JsDate):
        return loose_equals(left, _primitive(right))
    return False


def _compare(left: Any, right: Any, operator: str) -> bool:
    left, right = _primitive(left, True), _primitive(right, True)
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left
        b: Any = right
    else:
        a, b = to_number(left), to_number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    results: dict[str, bool] = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}
    return results[operator]


def binary(operator: str, left: Any, right: Any) -> Any:
    """Every ES5 binary operator except ``in``/``instanceof``."""
    if operator == "+":
        return _add(left, right)
    if operator in ("==", "!="):
        return loose_equals(left, right) == (operator == "==")
    if operator in ("===", "!=="):
        return strict_equals(left, right) == (operator == "===")
    if operator in ("<", ">", "<=", ">="):
        return _compare(left, right, operator)
    a, b = to_number(left), to_number(right)
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator == "/":
        return _divide(a, b)
    if operator == "%":
        return _modulo(a, b)
    bits: dict[str, Callable[[int, int], int]] = {
        "&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y,
        "<<": lambda x, y: _int32(x << (y & 31)), ">>": lambda x, y: x >> (y & 31)}
    if operator in bits:
        return float(_int32(bits[operator](_int32(a), _int32(b) & 0xFFFFFFFF)))
    if operator == ">>>":
        return float((_int32(a) & 0xFFFFFFFF) >> (_int32(b) & 31))
    raise Unevaluable(f"operator {operator} is not supported by the dry run")


def _binary(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    left = interp.expr(node["left"], scopes)
    right = interp.expr(node["right"], scopes)
    operator = node["operator"]
    if operator == "in":
        if isinstance(right, dict):
            return to_string(left) in right
        if isinstance(right, list):
            index = to_number(left)
            return (index == int(index) and 0 <= index < len(right) and right[int(index)] is not HOLE
                    if math.isfinite(index) else False)
        raise JsError("TypeError", "invalid 'in' operand")
    if operator == "instanceof":
        return _instance_of(interp, left, right)
    return binary(operator, left, right)


def _store(interp: Interpreter, target: dict[str, Any], value: Any, scopes: list[dict[str, Any]]) -> None:
    if target.get("type") == "Identifier":
        interp.assign_name(target["name"], value, scopes)
        return
    if target.get("type") == "MemberExpression":
        holder = interp.expr(target["object"], scopes)
        key = _member_key(interp, target, scopes)
        if isinstance(holder, dict):
            holder[to_string(key)] = value
            return
        if isinstance(holder, list):
            index = to_number(key)
            if math.isfinite(index) and index == int(index) and 0 <= index < 100_000:
                _charge(max(int(index) + 1 - len(holder), 0))
                holder.extend([HOLE] * (int(index) + 1 - len(holder)))
                holder[int(index)] = value
                return
    raise Unevaluable("this assignment is not supported by the dry run")


def _assignment(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    operator = node["operator"]
    value = interp.expr(node["right"], scopes)
    if operator != "=":
        value = binary(operator[:-1], interp.expr(node["left"], scopes), value)
    _store(interp, node["left"], value, scopes)
    return value


def _update(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    old = to_number(interp.expr(node["argument"], scopes))
    new = old + 1 if node["operator"] == "++" else old - 1
    _store(interp, node["argument"], new, scopes)
    return new if node.get("prefix") else old


def _new(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    """11.2.2 ``new``: of ``Date``, ``Array`` and ``Object``; a TypeError for what is no function."""
    constructor = interp.expr(node["callee"], scopes)
    args = [interp.expr(a, scopes) for a in node.get("arguments", [])]
    if isinstance(constructor, Native) and constructor.construct is not None:
        return constructor.construct(args)
    if isinstance(constructor, JsFunction | Native):
        name = f"{constructor.name}(...)" if isinstance(constructor, Native) else "with a function of the template"
        raise Unevaluable(f"new {name} is not supported by the dry run")
    raise JsError("TypeError", f"{to_string(constructor)} is not a constructor")


def _instance_of(interp: Interpreter, value: Any, constructor: Any) -> bool:
    """11.8.6 ``instanceof`` for the constructors the dry run knows."""
    if not isinstance(constructor, JsFunction | Native):
        raise JsError("TypeError", "invalid 'instanceof' operand")
    if not isinstance(value, list | dict | JsDate | Moment | JsFunction | Native):
        return False  # 15.3.5.3 step 1: a primitive is no instance
    if isinstance(constructor, JsFunction):
        return False  # only new makes instances of a template's function, and the dry run has no such new
    kinds: dict[str, Callable[[Any], bool]] = {
        "Date": lambda v: isinstance(v, JsDate), "Array": lambda v: isinstance(v, list), "Object": lambda v: True,
    }
    check = kinds.get(constructor.name)
    if check is None or interp.globals.get(constructor.name) is not constructor:
        raise Unevaluable(f"instanceof {constructor.name} is not supported by the dry run")
    return check(value)


_EXPRESSIONS: dict[str, Callable[[Interpreter, dict[str, Any], list[dict[str, Any]]], Any]] = {
    "Literal": _literal, "Identifier": _identifier, "ThisExpression": _this, "ArrayExpression": _array,
    "ObjectExpression": _object, "FunctionExpression": _function, "MemberExpression": _member,
    "CallExpression": _call, "ConditionalExpression": _conditional, "LogicalExpression": _logical,
    "SequenceExpression": _sequence, "UnaryExpression": _unary, "BinaryExpression": _binary,
    "AssignmentExpression": _assignment, "UpdateExpression": _update, "NewExpression": _new,
}


# ------------------------------------------------------------------------------ built-in members


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


def _index(value: Any, length: int, default: int) -> int:
    if value is UNDEFINED:
        return default
    number = to_number(value)
    if math.isnan(number):
        return 0
    whole = int(number) if math.isfinite(number) else (length if number > 0 else -length)
    return max(0, length + whole) if whole < 0 else min(whole, length)


def _string_member(interp: Interpreter, text: str, name: str) -> Any:
    if name == "length":
        return float(len(text))
    if re.fullmatch(r"\d+", name):
        return text[int(name)] if int(name) < len(text) else UNDEFINED
    methods: dict[str, Callable[[list[Any]], Any]] = {
        "toUpperCase": lambda a: text.upper(),
        "toLowerCase": lambda a: text.lower(),
        "trim": lambda a: text.strip(" \t\n\r\v\f\u00a0\ufeff"),
        "charAt": lambda a: text[int(to_number(_arg(a, 0)) or 0)] if 0 <= (to_number(_arg(a, 0)) or 0) < len(text)
        else "",
        "charCodeAt": lambda a: float(ord(text[int(to_number(_arg(a, 0)) or 0)]))
        if 0 <= (to_number(_arg(a, 0)) or 0) < len(text) else math.nan,
        "indexOf": lambda a: float(text.find(to_string(_arg(a, 0)), _index(_arg(a, 1), len(text), 0))),
        "lastIndexOf": lambda a: float(text.rfind(to_string(_arg(a, 0)))),
        "slice": lambda a: text[_index(_arg(a, 0), len(text), 0):_index(_arg(a, 1), len(text), len(text))],
        "substring": lambda a: _substring(text, a),
        "substr": lambda a: _substr(text, a),
        "split": lambda a: _split(text, a),
        "replace": lambda a: _replace(interp, text, a),
        "concat": lambda a: _concat_text(text, a),
        "repeat": lambda a: _repeat(text, a),
        "toString": lambda a: text,
        "valueOf": lambda a: text,
    }
    method = methods.get(name)
    if method is None:
        return UNDEFINED
    bound = method
    return Native(name, lambda this, args: _charged(bound(args)))


def _repeat(text: str, args: list[Any]) -> str:
    """``repeat`` is no ES5 method (GraalJS installs it from ES2015 on, digdag runs version 5): what digdag
    reaches is ``java.lang.String.repeat(int)``, through the host access its GraalJS context allows for String
    methods (``GraalJsEngine``: "Need interoperability for String methods (e.g. replaceAll)"; Java 11 and later,
    where digdag uses GraalJS). Counts Java would refuse are not evaluated; a result over the memory budget is
    refused before it is built."""
    count = to_number(_arg(args, 0))
    if not (math.isfinite(count) and count == int(count) and 0 <= count < 2 ** 31):
        raise Unevaluable("not evaluated: String.repeat with a count that is not a non-negative Java int")
    _fits(len(text) * int(count))  # refused before it is built; charged as every string method's result
    return text * int(count)


def _concat_text(text: str, args: list[Any]) -> str:
    parts = [to_string(x) for x in args]
    _charge(len(text) + sum(len(part) for part in parts))
    return text + "".join(parts)


def _substring(text: str, args: list[Any]) -> str:
    def clamp(value: Any, default: int) -> int:
        if value is UNDEFINED:
            return default
        number = to_number(value)
        return 0 if math.isnan(number) else int(min(max(number, 0), len(text)))
    start, end = clamp(_arg(args, 0), 0), clamp(_arg(args, 1), len(text))
    return text[min(start, end):max(start, end)]


def _substr(text: str, args: list[Any]) -> str:
    start = _index(_arg(args, 0), len(text), 0)
    length = len(text) - start if _arg(args, 1) is UNDEFINED else int(max(to_number(_arg(args, 1)), 0))
    return text[start:start + length]


def _split(text: str, args: list[Any]) -> list[Any]:
    separator = _arg(args, 0)
    if separator is UNDEFINED:
        return [text]
    if not isinstance(separator, str):
        raise Unevaluable("split with a non-string separator is not supported by the dry run")
    _charge(len(text) + 1)  # at most one part per character, charged before they are built
    parts: list[Any] = list(text) if separator == "" else list(text.split(separator))
    limit = _arg(args, 1)
    return parts if limit is UNDEFINED else parts[: int(to_number(limit))]


def _replace(interp: Interpreter, text: str, args: list[Any]) -> str:
    pattern, replacement = _arg(args, 0), _arg(args, 1)
    if not isinstance(pattern, str):
        raise Unevaluable("replace with a regular expression is not supported by the dry run")
    position = text.find(pattern)
    if position < 0:
        return text
    if isinstance(replacement, JsFunction | Native):
        new = to_string(interp.call(replacement, UNDEFINED, [pattern, float(position), text]))
    else:
        new = to_string(replacement)
        if "$" in new:
            raise Unevaluable("replace patterns with $ are not supported by the dry run")
    return text[:position] + new + text[position + len(pattern):]


def _callback(interp: Interpreter, args: list[Any]) -> Any:
    function = _arg(args, 0)
    if not isinstance(function, JsFunction | Native):
        raise JsError("TypeError", f"{to_string(function)} is not a function")
    return function


def _sort(interp: Interpreter, items: list[Any], args: list[Any]) -> list[Any]:
    """15.4.4.11: undefined values after the others and holes after them, the comparator (or the order of
    ToString) for the rest."""
    import functools

    compare = _arg(args, 0)
    present = [v for v in items if v is not UNDEFINED and v is not HOLE]
    if compare is UNDEFINED:
        present.sort(key=to_string)
    else:
        def order(a: Any, b: Any) -> int:
            result = to_number(interp.call(compare, UNDEFINED, [a, b]))
            return -1 if result < 0 else (1 if result > 0 else 0)
        present.sort(key=functools.cmp_to_key(order))
    undefined = sum(1 for v in items if v is UNDEFINED)
    items[:] = present + [UNDEFINED] * undefined + [HOLE] * (len(items) - len(present) - undefined)
    return items


def _read(value: Any) -> Any:
    """An array element as a program sees it (a hole reads as undefined)."""
    return UNDEFINED if value is HOLE else value


def _array_member(interp: Interpreter, items: list[Any], name: str) -> Any:
    if name == "length":
        return float(len(items))
    if re.fullmatch(r"\d+", name):
        return _read(items[int(name)]) if int(name) < len(items) else UNDEFINED

    def present(args: list[Any]) -> Iterator[tuple[int, Any, Any]]:
        """(index, element, callback result) for each element present when it is visited; the length is the
        one at the start (15.4.4.16-20 step 3), an element removed meanwhile is not visited."""
        function = _callback(interp, args)
        this = _arg(args, 1)
        for i in range(len(items)):
            if i < len(items) and items[i] is not HOLE:
                yield i, items[i], interp.call(function, this, [items[i], float(i), items])

    def map_items(args: list[Any]) -> list[Any]:
        result: list[Any] = [HOLE] * len(items)  # 15.4.4.19: holes stay holes
        for i, _, value in present(args):
            result[i] = value
        return result

    def reduce(args: list[Any]) -> Any:
        function = _callback(interp, args)
        indexes = [i for i, v in enumerate(items) if v is not HOLE]
        if len(args) > 1:
            accumulator = args[1]
        elif indexes:
            accumulator = items[indexes.pop(0)]
        else:
            raise JsError("TypeError", "Reduce of empty array with no initial value")
        for i in indexes:
            if i < len(items) and items[i] is not HOLE:
                accumulator = interp.call(function, UNDEFINED, [accumulator, items[i], float(i), items])
        return accumulator

    methods: dict[str, Callable[[list[Any]], Any]] = {
        "join": lambda a: _join(items, "," if _arg(a, 0) is UNDEFINED else to_string(a[0])),
        "toString": lambda a: to_string(items),
        "concat": lambda a: _concat_items(items, a),
        "slice": lambda a: items[_index(_arg(a, 0), len(items), 0):_index(_arg(a, 1), len(items), len(items))],
        "indexOf": lambda a: float(next((i for i, v in enumerate(items) if strict_equals(v, _arg(a, 0))), -1)),
        "map": map_items,
        "forEach": lambda a: (list(present(a)), UNDEFINED)[1],
        "filter": lambda a: [v for _, v, keep in present(a) if truthy(keep)],
        "some": lambda a: any(truthy(keep) for _, _, keep in present(a)),
        "every": lambda a: all(truthy(keep) for _, _, keep in present(a)),
        "reduce": reduce,
        "push": lambda a: _push(items, a),
        "pop": lambda a: _read(items.pop()) if items else UNDEFINED,
        "shift": lambda a: _read(items.pop(0)) if items else UNDEFINED,
        "reverse": lambda a: _reverse(items),
        "sort": lambda a: _sort(interp, items, a),
    }
    method = methods.get(name)
    if method is None:
        return UNDEFINED
    bound = method
    return Native(name, lambda this, args: _charged_array(items, bound(args)))


def _charged_array(items: list[Any], result: Any) -> Any:
    """Charge what an array method built: a new array (not the one it changed in place)."""
    if isinstance(result, list) and result is not items:
        _charge(len(result))
    return result


def _concat_items(items: list[Any], args: list[Any]) -> list[Any]:
    _charge(len(items) + sum(len(arg) if isinstance(arg, list) else 1 for arg in args))
    return items + [x for arg in args for x in (arg if isinstance(arg, list) else [arg])]


def _push(items: list[Any], values: list[Any]) -> float:
    _charge(len(values))
    items.extend(values)
    return float(len(items))


def _reverse(items: list[Any]) -> list[Any]:
    items.reverse()
    return items


def _date_member(interp: Interpreter, name: str) -> Any:
    """A Date.prototype method (ES5.1 15.9.5); each throws a TypeError on anything but a Date."""
    def this_date(this: Any) -> JsDate:
        if not isinstance(this, JsDate):
            raise JsError("TypeError", "this is not a Date object.")
        return this

    if name == "toJSON":  # 15.9.5.44, generic: null for a non-finite Number, else this.toISOString()
        def to_json(this: Any, args: list[Any]) -> Any:
            value = _primitive(this, True)
            if isinstance(value, float | int) and not isinstance(value, bool) and not math.isfinite(value):
                return None
            method = interp.get_member(this, "toISOString")
            if not isinstance(method, JsFunction | Native):
                raise JsError("TypeError", "toISOString is not a function")
            return interp.call(method, this, [])
        return Native(name, to_json)
    if name in jsdate.IMPLEMENTATION_DEPENDENT:
        def unspecified(this: Any, args: list[Any]) -> Any:
            if math.isnan(this_date(this).time):
                return "Invalid Date"
            raise jsdate.not_specified(name)
        return Native(name, unspecified)
    if name in jsdate.METHODS:
        return Native(name, lambda this, args: jsdate.call_method(this_date(this), name, [to_number(a) for a in args],
                                                                  interp.zone))
    return UNDEFINED


def _object_method(interp: Interpreter, target: dict[str, Any], name: str) -> Any:
    if name == "hasOwnProperty":
        return Native(name, lambda this, args: to_string(_arg(args, 0)) in target)
    if name == "toString":
        return Native(name, lambda this, args: "[object Object]")
    return UNDEFINED


def _primitive_member(interp: Interpreter, value: Any, name: str) -> Any:
    """Boolean.prototype (15.6.4) and Number.prototype (15.7.4) methods."""
    if name == "valueOf":
        return Native(name, lambda this, args: value)
    if isinstance(value, bool):
        return Native(name, lambda this, args: to_string(value)) if name == "toString" else UNDEFINED
    number = float(value)
    methods: dict[str, Callable[[list[Any]], Any]] = {
        "toString": lambda a: number_to_string(number) if _arg(a, 0) is UNDEFINED else jsnumber.to_radix_string(
            number, to_number(a[0])),
        "toFixed": lambda a: jsnumber.to_fixed(number, to_number(_arg(a, 0))),
        "toExponential": lambda a: jsnumber.to_exponential(number, to_number(_arg(a, 0)), _arg(a, 0) is UNDEFINED),
        "toPrecision": lambda a: number_to_string(number) if _arg(a, 0) is UNDEFINED else jsnumber.to_precision(
            number, to_number(a[0])),
        "toLocaleString": lambda a: _not_specified("Number.prototype.toLocaleString() formats by the host's locale "
                                                   "(implementation-dependent, ES5.1 15.7.4.3)"),
    }
    method = methods.get(name)
    if method is None:
        return UNDEFINED
    bound = method
    return Native(name, lambda this, args: bound(args))


def _not_specified(reason: str) -> Any:
    raise Unevaluable(f"not evaluated: {reason}")


def _function_member(interp: Interpreter, function: Any, name: str) -> Any:
    if name == "call":
        return Native(name, lambda this, args: interp.call(this, _arg(args, 0), args[1:]))
    if name == "apply":
        return Native(name, lambda this, args: interp.call(
            this, _arg(args, 0), [_read(v) for v in args[1]] if len(args) > 1 and isinstance(args[1], list) else []))
    return UNDEFINED


def _class_of(value: Any) -> str:
    if value is None:
        return "[object Null]"
    if value is UNDEFINED:
        return "[object Undefined]"
    kinds = {"string": "String", "number": "Number", "boolean": "Boolean", "function": "Function"}
    if isinstance(value, list):
        return "[object Array]"
    if isinstance(value, Moment):
        return "[object Object]"
    if isinstance(value, JsDate):
        return "[object Date]"
    return f"[object {kinds.get(type_of(value), 'Object')}]"


def _parse_int(args: list[Any]) -> float:
    text = to_string(_arg(args, 0)).strip()
    radix = 10 if _arg(args, 1) is UNDEFINED else int(to_number(args[1]))
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if radix in (0, 16) and text[:2].lower() == "0x":
        text, radix = text[2:], 16
    radix = radix or 10
    if not 2 <= radix <= 36:
        return math.nan
    digits = ""
    for char in text:
        if char.isascii() and char.isalnum() and int(char, 36) < radix:
            digits += char
        else:
            break
    return sign * float(int(digits, radix)) if digits else math.nan


def _parse_float(args: list[Any]) -> float:
    text = to_string(_arg(args, 0)).strip()
    if text.lstrip("+-").startswith("Infinity"):
        return -math.inf if text.startswith("-") else math.inf
    match = _NUMBER.match(text)
    return float(match.group(0)) if match else math.nan


def _json_parse(args: list[Any]) -> Any:
    text = to_string(_arg(args, 0))
    _charge(len(text))  # what it builds is no bigger than its text
    try:
        return from_python(json.loads(text))
    except ValueError as error:
        raise JsError("SyntaxError", f"JSON.parse: {error}") from None


def _json_stringify(args: list[Any]) -> Any:
    if len(args) > 1 and args[1] is not None and args[1] is not UNDEFINED:
        raise Unevaluable("JSON.stringify with a replacer is not supported by the dry run")
    space = _arg(args, 2)
    indent = " " * int(min(to_number(space), 10)) if isinstance(space, float | int) else (
        space[:10] if isinstance(space, str) else "")
    text = stringify(_arg(args, 0), indent)
    return UNDEFINED if text is None else text


def _math(name: str, function: Callable[..., float], arity: int = 1) -> Native:
    """A Math function of ``arity`` Numbers (missing arguments are undefined, so NaN)."""
    def call(this: Any, args: list[Any]) -> Any:
        numbers = [to_number(a) for a in args]
        return float(function(*(numbers + [math.nan] * arity)[:arity]))
    return Native(name, call)


def _min_max(name: str) -> Native:
    return Native(name, lambda this, args: jsnumber.js_min_max([to_number(a) for a in args], name == "max"))


def _clock(what: str) -> Native:
    def call(this: Any, args: list[Any]) -> Any:
        raise Unevaluable(f"not evaluated: {what} reads the clock when digdag runs the task (a different value at "
                          f"each run)")
    return Native(what.split("(")[0], call)


def _random(this: Any, args: list[Any]) -> Any:
    raise Unevaluable("not evaluated: Math.random() gives a different value at each run")


def _string_function(name: str, function: Callable[[str], str]) -> Native:
    """A global function of one string (ToString of its argument, 'undefined' when missing)."""
    def call(this: Any, args: list[Any]) -> Any:
        text = to_string(_arg(args, 0))
        _fits(len(text))  # none of them makes a shorter string, at most twelve times longer
        return _charged(function(text))
    return Native(name, call)


def _new_array(this: Any, args: list[Any]) -> list[Any]:
    """``Array(...)`` and ``new Array(...)`` (15.4.1, 15.4.2): one Number is a length (of holes)."""
    if len(args) == 1 and isinstance(args[0], float | int) and not isinstance(args[0], bool):
        length = float(args[0])
        if not (math.isfinite(length) and length == int(length) and 0 <= length < 2 ** 32):
            raise JsError("RangeError", "Invalid array length")
        _charge(int(length))
        return [HOLE] * int(length)
    _charge(len(args))
    return list(args)


def _date_value(interp: Interpreter, args: list[Any]) -> float:
    """The time value of ``new Date(...)`` (15.9.3)."""
    if not args:
        raise Unevaluable("not evaluated: new Date() reads the clock when digdag runs the task (a different value "
                          "at each run)")
    if len(args) > 1:
        return jsdate.from_fields([to_number(a) for a in args], interp.zone)
    value = args[0]
    if isinstance(value, JsDate):
        # ES5.1 15.9.3.2 reads the Date's toString() (implementation-dependent, whole seconds) back with parse;
        # later editions copy the time value. Both agree on whole seconds.
        if math.isfinite(value.time) and value.time % 1000:
            raise Unevaluable("not evaluated: new Date(date) of a date with milliseconds: ES5.1 goes through the "
                              "implementation-dependent toString() (15.9.3.2), later editions copy the time value")
        return value.time
    primitive = _primitive(value)
    if isinstance(primitive, str):
        return jsdate.parse(primitive)
    return jsdate.time_clip(to_number(primitive))


def _date_global(interp: Interpreter) -> Native:
    return Native("Date", _clock("Date()").call, {
        "UTC": Native("UTC", lambda this, args: jsdate.from_fields([to_number(a) for a in args], None)),
        "parse": Native("parse", lambda this, args: jsdate.parse(to_string(_arg(args, 0)))),
        "now": _clock("Date.now()"),
    }, construct=lambda args: JsDate(_date_value(interp, args)))


def _globals(interp: Interpreter) -> dict[str, Any]:
    maths: dict[str, Any] = {name: _math(name, function) for name, function in jsnumber.UNARY.items()}
    maths.update({
        "atan2": _math("atan2", math.atan2, 2), "pow": _math("pow", jsnumber.js_pow, 2),
        "max": _min_max("max"), "min": _min_max("min"), "random": Native("random", _random), **jsnumber.CONSTANTS,
    })
    object_prototype = {"toString": Native("toString", lambda this, args: _class_of(this))}
    array = Native("Array", _new_array, {
        "isArray": Native("isArray", lambda this, args: isinstance(_arg(args, 0), list)),
    }, construct=lambda args: _new_array(UNDEFINED, args))
    return {
        "NaN": math.nan, "Infinity": math.inf,
        "parseInt": Native("parseInt", lambda this, args: _parse_int(args)),
        "parseFloat": Native("parseFloat", lambda this, args: _parse_float(args)),
        "isNaN": Native("isNaN", lambda this, args: math.isnan(to_number(_arg(args, 0)))),
        "isFinite": Native("isFinite", lambda this, args: math.isfinite(to_number(_arg(args, 0)))),
        "encodeURIComponent": _string_function("encodeURIComponent",
                                               lambda text: jsuri.encode(text, jsuri.URI_UNESCAPED)),
        "encodeURI": _string_function("encodeURI", lambda text: jsuri.encode(text, jsuri.URI_UNESCAPED_OR_RESERVED)),
        "decodeURIComponent": _string_function("decodeURIComponent", lambda text: jsuri.decode(text, frozenset())),
        "decodeURI": _string_function("decodeURI", lambda text: jsuri.decode(text, jsuri.URI_RESERVED_WITH_HASH)),
        "escape": _string_function("escape", jsuri.escape),
        "unescape": _string_function("unescape", jsuri.unescape),
        "String": Native("String", lambda this, args: to_string(args[0]) if args else ""),
        "Number": Native("Number", lambda this, args: to_number(args[0]) if args else 0.0, {
            "MAX_VALUE": 1.7976931348623157e308, "MIN_VALUE": 5e-324, "NaN": math.nan,
            "NEGATIVE_INFINITY": -math.inf, "POSITIVE_INFINITY": math.inf,
        }),
        "Boolean": Native("Boolean", lambda this, args: truthy(_arg(args, 0))),
        "Math": maths,
        "JSON": {"parse": Native("parse", lambda this, args: _json_parse(args)),
                 "stringify": Native("stringify", lambda this, args: _json_stringify(args))},
        "Object": Native("Object", lambda this, args: _new_object(args), {
            "keys": Native("keys", lambda this, args: _keys(_arg(args, 0))),
            "prototype": object_prototype,
        }, construct=_new_object),
        "Array": array,
        "Date": _date_global(interp),
        "moment": _moment_global(interp),
    }


def _new_object(args: list[Any]) -> Any:
    """``Object(value)`` and ``new Object(value)`` (15.2.1.1, 15.2.2.1): a new object for null and undefined."""
    value = _arg(args, 0)
    return {} if value is None or value is UNDEFINED else value


def _keys(value: Any) -> list[Any]:
    if isinstance(value, list | str):
        _charge(len(value))
    if isinstance(value, dict):
        return list(value.keys())
    if isinstance(value, list):
        return [str(i) for i, item in enumerate(value) if item is not HOLE]
    if isinstance(value, str):
        return [str(i) for i in range(len(value))]
    raise JsError("TypeError", f"{to_string(value)} is not an object")


def _moment_global(interp: Interpreter) -> Native:
    def create(utc: bool) -> Callable[[Any, list[Any]], Any]:
        def call(this: Any, args: list[Any]) -> Any:
            try:
                return moment_call([a if isinstance(a, Moment) else to_python(a) for a in args], interp.zone, utc)
            except MomentError as error:
                raise Unevaluable(str(error)) from None
        return call

    def unix(this: Any, args: list[Any]) -> Any:
        seconds = to_number(_arg(args, 0))
        if not math.isfinite(seconds):
            raise Unevaluable("moment.unix() of a non-number")
        stamp = datetime.fromtimestamp(0, UTC) + timedelta(seconds=seconds)
        return Moment(stamp.astimezone(interp.zone), interp.zone, False)

    return Native("moment", create(False), {"utc": Native("utc", create(True)), "unix": Native("unix", unix)})


# ------------------------------------------------------------------------------ entry points


_PARSE_CACHE: dict[str, dict[str, Any] | str] = {}


def _expression_of(program: dict[str, Any]) -> dict[str, Any] | str:
    """The one expression of a parsed ``(text)``, or why there is not one (as a SyntaxError message)."""
    body = program.get("body", [])
    return body[0]["expression"] if len(body) == 1 else "a template holds one expression"


def parse(expression: str) -> dict[str, Any]:
    """The expression's AST (cached), or raise :class:`JsError` for a syntax error.

    The tree is the one the checks and the editor already parsed (:func:`dig_lsp.embedded.js.parse_expression`,
    one cache for all three). A text that parse rejects is parsed here again only for this interpreter's
    message, in digdag's own wrapping: ``digdag.js`` writes ``((__t=(`` *text* ``))==null?...`` on one line,
    so a trailing ``// comment`` swallows the closing parentheses and ``new Function`` throws a SyntaxError
    (the task fails); it is not evaluated as if the comment ended before them.
    """
    checked = parse_expression(expression) if len(expression) <= MAX_LENGTH else None
    shared = checked.tree if checked is not None else None
    cached = _expression_of(shared) if shared is not None else _PARSE_CACHE.get(expression)
    if cached is None:
        if len(expression) > MAX_LENGTH:
            raise Unevaluable(f"the expression is longer than {MAX_LENGTH} characters")
        try:
            cached = _expression_of(PyJsParser().parse("(" + expression + ")"))
        except JsSyntaxError as error:
            # the linter's message says what is wrong in the user's words; the parser's names its tokens
            problem = checked.problem if checked is not None else None
            cached = f"SyntaxError: {problem.message if problem is not None else error}"
        except RecursionError:
            raise Unevaluable("the expression nests too deeply") from None
        except Exception as error:  # pyjsparser's own crashes on odd input
            cached = f"SyntaxError: {type(error).__name__}"
        if len(_PARSE_CACHE) > 10_000:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[expression] = cached
    if isinstance(cached, str):
        raise JsError("SyntaxError", cached.removeprefix("SyntaxError: "))
    return cached


def evaluate(expression: str, params: dict[str, Any], zone: tzinfo, max_steps: int = MAX_STEPS,
             max_seconds: float = MAX_SECONDS) -> Any:
    """Evaluate one ``${...}`` body; ``params`` are JS values (see :func:`from_python`)."""
    tree = parse(expression)
    interp = Interpreter(params, zone, max_steps, max_seconds)
    try:
        with memory_budget(), recursion_headroom():  # room for MAX_CALL_DEPTH nested calls
            return interp.expr(tree, [])
    except RecursionError:
        raise Exhausted("not evaluated: the expression nests too deeply (exceeds the recursion depth of the "
                        "dry run's evaluator)") from None
    except MemoryError:
        raise Exhausted(f"not evaluated: exceeds the memory of the dry run; {NO_LIMIT_IN_DIGDAG}") from None
    except (OverflowError, ValueError, IndexError, KeyError, TypeError) as error:
        raise Unevaluable(f"the dry run could not compute this ({type(error).__name__})") from None
