"""``Object`` (ES5.1 15.2), the methods of objects, functions (15.3.4), booleans (15.6.4) and numbers (15.7.4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dig_lsp.dryrun.js import number as jsnumber
from dig_lsp.dryrun.js.budget import charge
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.dryrun.js.moment import Moment
from dig_lsp.dryrun.js.number import number_to_string
from dig_lsp.dryrun.js.values import HOLE, UNDEFINED, Native, Runtime, arg, read, to_number, to_string, type_of


def object_method(interp: Runtime, target: dict[str, Any], name: str) -> Any:
    if name == "hasOwnProperty":
        return Native(name, lambda this, args: to_string(arg(args, 0)) in target)
    if name == "toString":
        return Native(name, lambda this, args: "[object Object]")
    return UNDEFINED


def primitive_member(interp: Runtime, value: Any, name: str) -> Any:
    """Boolean.prototype (15.6.4) and Number.prototype (15.7.4) methods."""
    if name == "valueOf":
        return Native(name, lambda this, args: value)
    if isinstance(value, bool):
        return Native(name, lambda this, args: to_string(value)) if name == "toString" else UNDEFINED
    number = float(value)
    methods: dict[str, Callable[[list[Any]], Any]] = {
        "toString": lambda a: number_to_string(number) if arg(a, 0) is UNDEFINED else jsnumber.to_radix_string(
            number, to_number(a[0])),
        "toFixed": lambda a: jsnumber.to_fixed(number, to_number(arg(a, 0))),
        "toExponential": lambda a: jsnumber.to_exponential(number, to_number(arg(a, 0)), arg(a, 0) is UNDEFINED),
        "toPrecision": lambda a: number_to_string(number) if arg(a, 0) is UNDEFINED else jsnumber.to_precision(
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


def function_member(interp: Runtime, function: Any, name: str) -> Any:
    if name == "call":
        return Native(name, lambda this, args: interp.call(this, arg(args, 0), args[1:]))
    if name == "apply":
        return Native(name, lambda this, args: interp.call(
            this, arg(args, 0), [read(v) for v in args[1]] if len(args) > 1 and isinstance(args[1], list) else []))
    return UNDEFINED


def class_of(value: Any) -> str:
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


def new_object(args: list[Any]) -> Any:
    """``Object(value)`` and ``new Object(value)`` (15.2.1.1, 15.2.2.1): a new object for null and undefined."""
    value = arg(args, 0)
    return {} if value is None or value is UNDEFINED else value


def keys(value: Any) -> list[Any]:
    if isinstance(value, list | str):
        charge(len(value))
    if isinstance(value, dict):
        return list(value.keys())
    if isinstance(value, list):
        return [str(i) for i, item in enumerate(value) if item is not HOLE]
    if isinstance(value, str):
        return [str(i) for i in range(len(value))]
    raise JsError("TypeError", f"{to_string(value)} is not an object")
