"""``JSON`` (ES5.1 15.12): ``stringify`` within the memory budget, ``parse`` by Python's JSON reader."""

from __future__ import annotations

import json
import math
from typing import Any

from dig_lsp.dryrun.js import date as jsdate
from dig_lsp.dryrun.js.budget import charge, fits, memory_budget
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.dryrun.js.moment import Moment
from dig_lsp.dryrun.js.number import number_to_string
from dig_lsp.dryrun.js.values import (
    HOLE,
    UNDEFINED,
    JsFunction,
    Native,
    arg,
    from_python,
    least_size,
    to_number,
    to_string,
)


def stringify(value: Any, indent: str = "", current: str = "") -> str | None:
    """``JSON.stringify`` (``None`` for values it skips: undefined and functions), within the memory budget
    (refused at once when even its least possible length is over it, as for :func:`join`)."""
    with memory_budget():
        fits(least_size(value, True, {}))
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
        charge(sum(len(item) + len(separator) for item in items))
        if not items:
            return "[]"
        return "[\n" + inner + separator.join(items) + "\n" + current + "]" if indent else "[" + ",".join(items) + "]"
    pairs = []
    for key, item in value.items():
        text = _stringify(item, indent, inner)
        if text is not None:
            charge(len(key) + len(text) + len(separator) + 4)
            pairs.append(json.dumps(key, ensure_ascii=False) + (": " if indent else ":") + text)
    if not pairs:
        return "{}"
    return "{\n" + inner + separator.join(pairs) + "\n" + current + "}" if indent else "{" + ",".join(pairs) + "}"


def parse_json(args: list[Any]) -> Any:
    text = to_string(arg(args, 0))
    charge(len(text))  # what it builds is no bigger than its text
    try:
        return from_python(json.loads(text))
    except ValueError as error:
        raise JsError("SyntaxError", f"JSON.parse: {error}") from None


def stringify_json(args: list[Any]) -> Any:
    if len(args) > 1 and args[1] is not None and args[1] is not UNDEFINED:
        raise Unevaluable("JSON.stringify with a replacer is not supported by the dry run")
    space = arg(args, 2)
    indent = " " * int(min(to_number(space), 10)) if isinstance(space, float | int) else (
        space[:10] if isinstance(space, str) else "")
    text = stringify(arg(args, 0), indent)
    return UNDEFINED if text is None else text
