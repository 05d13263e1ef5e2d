"""The tree-walking interpreter: ES5 statements and expressions over pyjsparser's ESTree AST.

Nothing reaches the host: identifiers resolve only to the given params and to the built-ins
(:mod:`dig_lsp.dryrun.js.builtins`), member access is a lookup in our own value types (never ``getattr``), and
every step counts against the step and clock budgets, every nested function call against the recursion
depth (:mod:`dig_lsp.dryrun.js.budget`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from dig_lsp.dryrun.js.budget import MAX_CALL_DEPTH, MAX_SECONDS, MAX_STEPS, NO_LIMIT_IN_DIGDAG, charge, memory_budget
from dig_lsp.dryrun.js.builtins.arrays import array_member
from dig_lsp.dryrun.js.builtins.dates import date_member
from dig_lsp.dryrun.js.builtins.globals import global_names
from dig_lsp.dryrun.js.builtins.moments import moment_member
from dig_lsp.dryrun.js.builtins.objects import function_member, object_method, primitive_member
from dig_lsp.dryrun.js.builtins.strings import string_member
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import Exhausted, JsError, Unevaluable
from dig_lsp.dryrun.js.moment import Moment
from dig_lsp.dryrun.js.operators import binary, int32
from dig_lsp.dryrun.js.parse import parse
from dig_lsp.dryrun.js.values import HOLE, UNDEFINED, JsFunction, Native, to_number, to_string, truthy, type_of
from dig_lsp.text.limits import recursion_headroom


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


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
        self.globals = global_names(self)

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
            return object_method(self, target, name)
        if isinstance(target, list):
            return array_member(self, target, name)
        if isinstance(target, str):
            return string_member(self, target, name)
        if isinstance(target, Native):
            if name in target.members:
                return target.members[name]
            return function_member(self, target, name)
        if isinstance(target, JsFunction):
            return function_member(self, target, name)
        if isinstance(target, Moment):
            return moment_member(self, name)
        if isinstance(target, JsDate):
            return date_member(self, name)
        if isinstance(target, float | int | bool):
            return primitive_member(self, target, name)
        return UNDEFINED


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
    charge(len(node["elements"]))
    return [HOLE if e is None else interp.expr(e, scopes) for e in node["elements"]]  # 11.1.4: an elision is a hole


def _object(interp: Interpreter, node: dict[str, Any], scopes: list[dict[str, Any]]) -> Any:
    result: dict[str, Any] = {}
    charge(len(node["properties"]))
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
        return float(~int32(to_number(value)))
    if operator == "void":
        return UNDEFINED
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
                charge(max(int(index) + 1 - len(holder), 0))
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
