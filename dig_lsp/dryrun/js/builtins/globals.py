"""The global object's names (ES5.1 15.1): values, functions (``parseInt``, the URI functions...), constructors,
``Math`` and ``JSON``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dig_lsp.dryrun.js import number as jsnumber
from dig_lsp.dryrun.js import uri as jsuri
from dig_lsp.dryrun.js.budget import charged, fits
from dig_lsp.dryrun.js.builtins.arrays import new_array
from dig_lsp.dryrun.js.builtins.dates import date_global
from dig_lsp.dryrun.js.builtins.moments import moment_global
from dig_lsp.dryrun.js.builtins.objects import class_of, keys, new_object
from dig_lsp.dryrun.js.errors import Unevaluable
from dig_lsp.dryrun.js.json import parse_json, stringify_json
from dig_lsp.dryrun.js.values import NUMBER, UNDEFINED, Native, Runtime, arg, to_number, to_string, truthy


def _math(name: str, function: Callable[..., float], arity: int = 1) -> Native:
    """A Math function of ``arity`` Numbers (missing arguments are undefined, so NaN)."""
    def call(this: Any, args: list[Any]) -> Any:
        numbers = [to_number(a) for a in args]
        return float(function(*(numbers + [math.nan] * arity)[:arity]))
    return Native(name, call)


def _min_max(name: str) -> Native:
    return Native(name, lambda this, args: jsnumber.js_min_max([to_number(a) for a in args], name == "max"))


def _random(this: Any, args: list[Any]) -> Any:
    raise Unevaluable("not evaluated: Math.random() gives a different value at each run")


def _parse_int(args: list[Any]) -> float:
    text = to_string(arg(args, 0)).strip()
    radix = 10 if arg(args, 1) is UNDEFINED else int(to_number(args[1]))
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
    text = to_string(arg(args, 0)).strip()
    if text.lstrip("+-").startswith("Infinity"):
        return -math.inf if text.startswith("-") else math.inf
    match = NUMBER.match(text)
    return float(match.group(0)) if match else math.nan


def _string_function(name: str, function: Callable[[str], str]) -> Native:
    """A global function of one string (ToString of its argument, 'undefined' when missing)."""
    def call(this: Any, args: list[Any]) -> Any:
        text = to_string(arg(args, 0))
        fits(len(text))  # none of them makes a shorter string, at most twelve times longer
        return charged(function(text))
    return Native(name, call)


def global_names(interp: Runtime) -> dict[str, Any]:
    maths: dict[str, Any] = {name: _math(name, function) for name, function in jsnumber.UNARY.items()}
    maths.update({
        "atan2": _math("atan2", math.atan2, 2), "pow": _math("pow", jsnumber.js_pow, 2),
        "max": _min_max("max"), "min": _min_max("min"), "random": Native("random", _random), **jsnumber.CONSTANTS,
    })
    object_prototype = {"toString": Native("toString", lambda this, args: class_of(this))}
    array = Native("Array", new_array, {
        "isArray": Native("isArray", lambda this, args: isinstance(arg(args, 0), list)),
    }, construct=lambda args: new_array(UNDEFINED, args))
    return {
        "NaN": math.nan, "Infinity": math.inf,
        "parseInt": Native("parseInt", lambda this, args: _parse_int(args)),
        "parseFloat": Native("parseFloat", lambda this, args: _parse_float(args)),
        "isNaN": Native("isNaN", lambda this, args: math.isnan(to_number(arg(args, 0)))),
        "isFinite": Native("isFinite", lambda this, args: math.isfinite(to_number(arg(args, 0)))),
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
        "Boolean": Native("Boolean", lambda this, args: truthy(arg(args, 0))),
        "Math": maths,
        "JSON": {"parse": Native("parse", lambda this, args: parse_json(args)),
                 "stringify": Native("stringify", lambda this, args: stringify_json(args))},
        "Object": Native("Object", lambda this, args: new_object(args), {
            "keys": Native("keys", lambda this, args: keys(arg(args, 0))),
            "prototype": object_prototype,
        }, construct=new_object),
        "Array": array,
        "Date": date_global(interp),
        "moment": moment_global(interp),
    }
