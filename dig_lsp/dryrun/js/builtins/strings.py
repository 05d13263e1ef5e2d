"""``String.prototype`` methods (ES5.1 15.5.4), and Java's ``repeat`` that digdag's engine reaches."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from dig_lsp.dryrun.js.budget import charge, charged, fits
from dig_lsp.dryrun.js.errors import Unevaluable
from dig_lsp.dryrun.js.values import UNDEFINED, JsFunction, Native, Runtime, arg, relative_index, to_number, to_string


def string_member(interp: Runtime, text: str, name: str) -> Any:
    if name == "length":
        return float(len(text))
    if re.fullmatch(r"\d+", name):
        return text[int(name)] if int(name) < len(text) else UNDEFINED
    methods: dict[str, Callable[[list[Any]], Any]] = {
        "toUpperCase": lambda a: text.upper(),
        "toLowerCase": lambda a: text.lower(),
        "trim": lambda a: text.strip(" \t\n\r\v\f\u00a0\ufeff"),
        "charAt": lambda a: text[int(to_number(arg(a, 0)) or 0)] if 0 <= (to_number(arg(a, 0)) or 0) < len(text)
        else "",
        "charCodeAt": lambda a: float(ord(text[int(to_number(arg(a, 0)) or 0)]))
        if 0 <= (to_number(arg(a, 0)) or 0) < len(text) else math.nan,
        "indexOf": lambda a: float(text.find(to_string(arg(a, 0)), relative_index(arg(a, 1), len(text), 0))),
        "lastIndexOf": lambda a: float(text.rfind(to_string(arg(a, 0)))),
        "slice": lambda a: text[relative_index(arg(a, 0), len(text), 0):
                                relative_index(arg(a, 1), len(text), len(text))],
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
    return Native(name, lambda this, args: charged(bound(args)))


def _repeat(text: str, args: list[Any]) -> str:
    """``repeat`` is no ES5 method (GraalJS installs it from ES2015 on, digdag runs version 5): what digdag
    reaches is ``java.lang.String.repeat(int)``, through the host access its GraalJS context allows for String
    methods (``GraalJsEngine``: "Need interoperability for String methods (e.g. replaceAll)"; Java 11 and later,
    where digdag uses GraalJS). Counts Java would refuse are not evaluated; a result over the memory budget is
    refused before it is built."""
    count = to_number(arg(args, 0))
    if not (math.isfinite(count) and count == int(count) and 0 <= count < 2 ** 31):
        raise Unevaluable("not evaluated: String.repeat with a count that is not a non-negative Java int")
    fits(len(text) * int(count))  # refused before it is built; charged as every string method's result
    return text * int(count)


def _concat_text(text: str, args: list[Any]) -> str:
    parts = [to_string(x) for x in args]
    charge(len(text) + sum(len(part) for part in parts))
    return text + "".join(parts)


def _substring(text: str, args: list[Any]) -> str:
    def clamp(value: Any, default: int) -> int:
        if value is UNDEFINED:
            return default
        number = to_number(value)
        return 0 if math.isnan(number) else int(min(max(number, 0), len(text)))
    start, end = clamp(arg(args, 0), 0), clamp(arg(args, 1), len(text))
    return text[min(start, end):max(start, end)]


def _substr(text: str, args: list[Any]) -> str:
    start = relative_index(arg(args, 0), len(text), 0)
    length = len(text) - start if arg(args, 1) is UNDEFINED else int(max(to_number(arg(args, 1)), 0))
    return text[start:start + length]


def _split(text: str, args: list[Any]) -> list[Any]:
    separator = arg(args, 0)
    if separator is UNDEFINED:
        return [text]
    if not isinstance(separator, str):
        raise Unevaluable("split with a non-string separator is not supported by the dry run")
    charge(len(text) + 1)  # at most one part per character, charged before they are built
    parts: list[Any] = list(text) if separator == "" else list(text.split(separator))
    limit = arg(args, 1)
    return parts if limit is UNDEFINED else parts[: int(to_number(limit))]


def _replace(interp: Runtime, text: str, args: list[Any]) -> str:
    pattern, replacement = arg(args, 0), arg(args, 1)
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
