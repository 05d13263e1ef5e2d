"""How digdag reads a value: Jackson's conversions of the configuration tree, each rule once.

digdag reads parameters with ``Config.get(key, type)`` (``digdag-client/src/main/java/io/digdag/client/
config/Config.java``): Jackson 2.9 conversions with default features (``build.gradle`` jacksonVersion).
A string is trimmed as Java's ``String.trim`` does; then ``"true"``/``"True"``/``"false"``/``"False"``
are booleans and ``""`` or ``"null"`` read as false (0 for int); an integer reads as a boolean (0 is
false); a float reads as an int by truncation. Messages mirror ``Config.propagateConvertException``
and ``Config.typeNameOf``.
"""

from __future__ import annotations

import json
import math
import re

from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence, to_python

BOOLEAN_TYPE = "'true' or 'false'"  # Config.typeNameOf(boolean.class)
INT_TYPE = "integer (int) type"
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_DIGITS = 19  # Long.MAX_VALUE has 19 digits


def has_template(node: Node) -> bool:
    """A string holding `${`: digdag's template engine would evaluate it, if the value is evaluated."""
    return isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value


def java_trim(text: str) -> str:
    """Java's String.trim: strips every character up to U+0020 from both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def as_boolean(node: Node) -> bool | None:
    """What Jackson makes of a non-null node read as a boolean, or None if it refuses."""
    return boolean_value(node.value) if isinstance(node, Scalar) else None


def boolean_value(value: object) -> bool | None:
    """The one truth table of ``Config.get(key, boolean.class)``: a YAML boolean; an integer (0 is false);
    a string trimmed as Java does, then ``true``/``True``/``false``/``False``, with ``""`` and ``"null"``
    read as false; anything else (``yes``, ``TRUE``, a float) is refused. Every reader of a boolean
    directive or parameter (``_disable``, ``_background``, ``_parallel``, ``store_last_results``...) uses it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = java_trim(value)
        if text in ("true", "True"):
            return True
        if text in ("false", "False", "", "null"):
            return False
    return None


def java_integer(text: str, low: int, high: int) -> int | None:
    """``text`` (an optional sign and decimal digits) as Java parses it into [low, high], None when it
    overflows. A long number is out of range before int() sees it: Python refuses more than 4,300 digits
    (a ValueError that stopped the whole run) and converts in quadratic time."""
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > _LONG_DIGITS:
        return None
    value = int(sign + digits)
    return value if low <= value <= high else None


def as_int(node: Node) -> int | None:
    """What Jackson makes of a non-null node read as an `int`, or None if it refuses."""
    if not isinstance(node, Scalar):
        return None
    value = node.value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if _INT_MIN <= value <= _INT_MAX else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        text = java_trim(value)
        if text in ("", "null"):
            return 0
        if _INT_TEXT.fullmatch(text):
            return java_integer(text, _INT_MIN, _INT_MAX)
    return None


def is_null(node: Node) -> bool:
    """A YAML null (`key:` with nothing after it, `~`, `null`)."""
    return isinstance(node, Scalar) and node.value is None


def json_sample(node: Node) -> str:
    """The node as digdag prints it in messages (Config.jsonSample: JSON cut at 100 characters)."""
    text = json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) < 100 else text[:97] + "..."


def json_type(node: Node) -> str:
    """Config.typeNameOf(JsonNode): the JSON type word digdag's conversion messages use."""
    if isinstance(node, Mapping):
        return "object"
    if isinstance(node, Sequence):
        return "array"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else "string"


def expected(type_name: str, key: str, node: Node) -> str:
    """digdag's conversion error text (Config.propagateConvertException)."""
    return f"Expected {type_name} for key '{key}' but got {json_sample(node)} ({json_type(node)})"


def scalar_text(item: Scalar) -> str:
    """The string Jackson makes of a scalar read as text (``null``, ``true``/``false``, numbers as printed)."""
    value = item.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)
