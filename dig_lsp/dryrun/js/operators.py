"""ES5.1's operators on values (section 11): ``+``, the equalities, the relational, arithmetic and bitwise ones."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dig_lsp.dryrun.js.budget import charge
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import Unevaluable
from dig_lsp.dryrun.js.moment import Moment
from dig_lsp.dryrun.js.values import UNDEFINED, to_number, to_primitive, to_string, type_of


def int32(number: float) -> int:
    if not math.isfinite(number):
        return 0
    value = int(number) & 0xFFFFFFFF
    return value - 0x100000000 if value >= 0x80000000 else value


def _add(left: Any, right: Any) -> Any:
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) or isinstance(right, str):
        first, second = to_string(left), to_string(right)
        charge(len(first) + len(second))
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
        return loose_equals(to_primitive(left), right)
    if isinstance(right, list | dict | Moment | JsDate):
        return loose_equals(left, to_primitive(right))
    return False


def _compare(left: Any, right: Any, operator: str) -> bool:
    left, right = to_primitive(left, True), to_primitive(right, True)
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
        "<<": lambda x, y: int32(x << (y & 31)), ">>": lambda x, y: x >> (y & 31)}
    if operator in bits:
        return float(int32(bits[operator](int32(a), int32(b) & 0xFFFFFFFF)))
    if operator == ">>>":
        return float((int32(a) & 0xFFFFFFFF) >> (int32(b) & 31))
    raise Unevaluable(f"operator {operator} is not supported by the dry run")
