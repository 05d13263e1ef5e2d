"""Typing plain scalars exactly as digdag does.

digdag composes YAML with SnakeYAML and a custom resolver
(``digdag-core/.../config/YamlTagResolver.java``): only ``true``/``false`` (any first-letter
case) are booleans, sexagesimal forms like ``10:00:00`` stay strings, the timestamp
resolver is removed, and floats written with a leading ``0`` (``0.5``) stay strings.
The regular expressions below are those of that file and of SnakeYAML 1.23's resolver.
"""

from __future__ import annotations

import re

from dig_lsp.syntax.nodes import ScalarValue

# YamlTagResolver.FLOAT_EXCEPTING_ZERO_START
_FLOAT = re.compile(
    r"^([-+]?(\.[0-9]+|[1-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
# YamlTagResolver.INT_EXCEPTING_COLON
_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*)$"
)
_BOOL = re.compile(r"^(?:[Tt]rue|[Ff]alse)$")
# SnakeYAML Resolver.NULL (an empty plain scalar is null too)
_NULL = re.compile(r"^(?:~|null|Null|NULL| )$")


def resolve_plain(text: str) -> ScalarValue:
    """The value of a plain (unquoted) scalar under digdag's typing rules."""
    if text == "" or _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text[0] in "Tt"
    if _INT.match(text):
        return _parse_int(text)
    if _FLOAT.match(text):
        return _parse_float(text)
    return text


def _parse_int(text: str) -> int | str:
    """SnakeYAML's ConstructYamlInt: sign, underscores, 0b / 0x / leading-0 octal."""
    body = text.replace("_", "")
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    try:
        if body.startswith("0b"):
            return sign * int(body[2:], 2)
        if body.startswith("0x"):
            return sign * int(body[2:], 16)
        if len(body) > 1 and body.startswith("0"):
            return sign * int(body[1:], 8)
        return sign * int(body)
    except ValueError:
        return text  # e.g. "0_" or "-0x_": the regex admits what int() cannot read


def _parse_float(text: str) -> float | str:
    """SnakeYAML's ConstructYamlFloat, including ``1:30.5`` sexagesimal and ``.inf``."""
    body = text.replace("_", "").lower()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == ".inf":
        return sign * float("inf")
    if body == ".nan":
        return float("nan")
    try:
        if ":" in body:
            value = 0.0
            for part in body.split(":"):
                value = value * 60 + float(part)
            return sign * value
        return sign * float(body)
    except ValueError:
        return text
