"""How digdag reads parameter values, and validating them against catalog schemas.

digdag binds parameters with Jackson 2.9 coercions: a string holding a number is an
integer, ``"true"``/``"false"`` are booleans, scalars are accepted where a string is
expected. Values containing ``${...}`` are evaluated at run time, so they are not
type-checked. The validator below applies those rules on top of JSON Schema 2020-12.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.syntax.nodes import Mapping, Node, Sequence, to_python
from dig_lsp.text.quote import MAX_QUOTED_CHARS, excerpt

_INTEGER = re.compile(r"^[-+]?\d+$")
# `\d+(?:\.\d*)?`, not `\d+\.?\d*`: two adjacent digit runs split n ways, and a long number followed by
# anything else was quadratic.
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


def is_template(value: object) -> bool:
    """Whether a value is a string that digdag will evaluate (it contains ``${``)."""
    return isinstance(value, str) and "${" in value


def _is_integer(_: object, value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return True
    return isinstance(value, str) and (bool(_INTEGER.match(value.strip())) or is_template(value))


def _is_number(_: object, value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (
        isinstance(value, str) and (bool(_NUMBER.match(value.strip())) or is_template(value)))


def _is_boolean(_: object, value: object) -> bool:
    return boolean_value(value) is not None or is_template(value)


def _is_string(_: object, value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _is_object(_: object, value: object) -> bool:
    return isinstance(value, dict) or is_template(value)


def _is_array(_: object, value: object) -> bool:
    return isinstance(value, list) or is_template(value)


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many({
    "integer": _is_integer, "number": _is_number, "boolean": _is_boolean, "string": _is_string,
    "object": _is_object, "array": _is_array,
})


def _skip_templates(keyword: str) -> Any:
    original = Draft202012Validator.VALIDATORS[keyword]

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if is_template(instance):
            return iter(())
        if keyword in ("enum", "pattern") and isinstance(instance, bool):
            instance = "true" if instance else "false"  # Jackson's text of a boolean
        elif keyword in ("enum", "pattern") and isinstance(instance, int | float):
            instance = str(instance)  # Jackson reads a number as its text where a string is expected
        return original(validator, value, instance, schema)

    return check


DigdagValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    # A `${...}` string passes as any type, so every keyword that would inspect it as a number, a
    # mapping or a list must let it through too.
    validators={k: _skip_templates(k) for k in (
        "enum", "pattern", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format",
        "minLength", "maxLength", "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
        "unevaluatedProperties", "items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems",
        "unevaluatedItems",
    )},
    type_checker=_TYPES,
)


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    import json

    return DigdagValidator(json.loads(schema_json))


@dataclass(frozen=True)
class ValueProblem:
    """A value that does not fit its schema, and the node to report it at."""

    node: Node
    message: str
    keyword: str
    path: str  # where inside the value (``[0].jars``), '' for the value itself


# The catalog's schemas live as long as the process: validators are found by the schema object's
# identity (the schema is kept in the entry so the identity cannot be reused).
_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator_for(schema: dict[str, Any]) -> Any:
    entry = _VALIDATORS.get(id(schema))
    if entry is None or entry[0] is not schema:
        import json

        entry = (schema, _validator(json.dumps(schema, sort_keys=True)))
        if len(_VALIDATORS) > 4096:
            _VALIDATORS.clear()
            _errors.cache_clear()
        _VALIDATORS[id(schema)] = entry
    return entry[1]


@lru_cache(maxsize=8192)
def _errors(schema_key: int, value_json: str) -> tuple[tuple[tuple[Any, ...], str, str], ...]:
    """(path, message, keyword) of every error of a value, memoised: a workflow repeats the same
    values (``engine: presto``, ``database: x``) in hundreds of tasks, edit after edit."""
    import json

    validator = _VALIDATORS[schema_key][1]
    return tuple((tuple(error.absolute_path), _message(error), str(error.validator))
                 for error in validator.iter_errors(json.loads(value_json)))


def validate_value(node: Node, schema: dict[str, Any]) -> Iterator[ValueProblem]:
    """Validate one parameter's value (a node) against its property schema."""
    import json

    _validator_for(schema)
    try:
        value_json = json.dumps(to_python(node), sort_keys=False)
    except (TypeError, ValueError):  # not JSON-representable (cannot come from YAML): validate directly
        for error in _validator_for(schema).iter_errors(to_python(node)):
            path = list(error.absolute_path)
            yield ValueProblem(_node_at(node, path), _message(error), str(error.validator), path_text(path))
        return
    for where, message, keyword in _errors(id(schema), value_json):
        yield ValueProblem(_node_at(node, list(where)), message, keyword, path_text(list(where)))


def _node_at(node: Node, path: list[Any]) -> Node:
    """The node an error path points to (as deep as the tree allows)."""
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str):
            child = node.get(step)
        elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node.items):
            child = node.items[step]
        else:
            child = None
        if child is None:
            break
        node = child
    return node


def _describe(value: object) -> str:
    """A value as a message names it: strings and numbers as a short excerpt, containers by kind."""
    if isinstance(value, str):
        return repr(excerpt(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return excerpt(str(value))


def _message(error: ValidationError) -> str:
    kind = error.validator
    prefix = ""
    if kind == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{prefix}expected {_article(str(wanted))}, got {_describe(error.instance)}"
    if kind == "enum":
        allowed = error.validator_value
        options = ", ".join(str(v) for v in allowed) if isinstance(allowed, list) else str(allowed)
        return f"{prefix}{_describe(error.instance)} is not one of: {options}"
    if kind == "pattern":
        return f"{prefix}{_describe(error.instance)} does not have the expected format"
    return f"{prefix}{_shortened(error)}"


def _shortened(error: ValidationError) -> str:
    """jsonschema's own message, but a long instance (which it quotes whole, as in `... is not valid under
    any of the given schemas`) named the way :func:`_describe` names it."""
    whole = repr(error.instance)
    if len(whole) <= MAX_QUOTED_CHARS:
        return error.message
    return error.message.replace(whole, _describe(error.instance))


def path_text(path: list[Any]) -> str:
    """``[0].jars`` for a path inside a value (list indexes in brackets, keys after dots)."""
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return text[1:] if text.startswith(".") else text


def _article(word: str) -> str:
    names = {"object": "a mapping", "array": "a list", "integer": "an integer", "boolean": "a boolean",
             "string": "a string", "number": "a number"}
    return " or ".join(names.get(part.strip(), part.strip()) for part in word.split(" or "))
