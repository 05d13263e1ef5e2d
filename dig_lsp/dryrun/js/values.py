"""JavaScript values as the interpreter holds them, and ES5.1's conversions between them (section 9).

Primitives are Python's (``None`` is null, :data:`UNDEFINED` undefined; every Number is a ``float``, an
``int`` reads as one), arrays are lists (:data:`HOLE` marks an index never given a value), objects are
dicts, functions :class:`JsFunction` (written in the template) or :class:`Native` (built in), dates
:class:`~dig_lsp.dryrun.js.date.JsDate` and moments :class:`~dig_lsp.dryrun.js.moment.Moment`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Protocol

from dig_lsp.dryrun.js import date as jsdate
from dig_lsp.dryrun.js.budget import charge, fits
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.moment import Moment
from dig_lsp.dryrun.js.number import number_to_string


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


class Runtime(Protocol):
    """What a built-in needs of the interpreter that runs it (the built-ins do not import the interpreter)."""

    zone: tzinfo
    globals: dict[str, Any]

    def tick(self) -> None:
        """Count one step against the step and time budgets."""

    def call(self, function: Any, this: Any, args: list[Any]) -> Any:
        """Call a JS function value."""

    def get_member(self, target: Any, key: Any) -> Any:
        """``target[key]``."""


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
        return join(value, ",")
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
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


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
        return float(text) if NUMBER.fullmatch(text) else math.nan
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


def join(items: list[Any], separator: str) -> str:
    """``Array.prototype.join``: refused at once when even its least possible length is over the budget
    (an array repeated inside an array doubles the text at each level: 60 levels are 2^60 characters),
    else every part is charged before the result is built."""
    fits(least_size(items, False, {}))
    return _join_parts(items, separator)


def _join_parts(items: list[Any], separator: str) -> str:
    parts = ["" if v is None or v is UNDEFINED or v is HOLE else _join_parts(v, ",") if isinstance(v, list)
             else to_string(v) for v in items]
    charge(sum(len(part) for part in parts) + len(separator) * max(len(parts) - 1, 0))
    return separator.join(parts)


def least_size(value: Any, as_json: bool, seen: dict[int, int]) -> int:
    """A lower bound of the length of ``value``'s ToString (or JSON.stringify) text, each array and object
    measured once (``seen``): linear in the values that exist, however often they are repeated."""
    if isinstance(value, list | dict):
        if id(value) not in seen:
            seen[id(value)] = 0  # a cycle adds nothing
            items = value if isinstance(value, list) else list(value.values())
            if isinstance(value, dict) and not as_json:
                seen[id(value)] = len("[object Object]")
            else:
                seen[id(value)] = sum(least_size(item, as_json, seen) for item in items) + max(len(items) - 1, 0)
        return seen[id(value)]
    if isinstance(value, str):
        return len(value)
    if value is None or value is UNDEFINED or value is HOLE:
        return 4 if as_json and value is not UNDEFINED else 0
    return 1


def to_primitive(value: Any, hint_number: bool = False) -> Any:
    """ES5.1 9.1 ToPrimitive: a Date with no hint is a String (8.12.8), every other object a Number first
    (``valueOf``: only a moment's gives a primitive)."""
    if isinstance(value, JsDate):
        return value.time if hint_number else to_string(value)
    if isinstance(value, list | dict | Moment | JsFunction | Native):
        return to_number(value) if isinstance(value, Moment) else to_string(value)
    return value


def arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


def read(value: Any) -> Any:
    """An array element as a program sees it (a hole reads as undefined)."""
    return UNDEFINED if value is HOLE else value


def relative_index(value: Any, length: int, default: int) -> int:
    if value is UNDEFINED:
        return default
    number = to_number(value)
    if math.isnan(number):
        return 0
    whole = int(number) if math.isfinite(number) else (length if number > 0 else -length)
    return max(0, length + whole) if whole < 0 else min(whole, length)
