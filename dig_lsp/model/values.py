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
from dig_lsp.text.quote import excerpt

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
    note: str = ""  # what the parameter is, when the message cannot say what is expected in a few words


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
def _errors(schema_key: int, value_json: str) -> tuple[tuple[tuple[Any, ...], str, str, str], ...]:
    """(path, message, keyword, note) of every error of a value, memoised: a workflow repeats the same
    values (``engine: presto``, ``database: x``) in hundreds of tasks, edit after edit."""
    import json

    validator = _VALIDATORS[schema_key][1]
    return tuple((tuple(error.absolute_path), *_message(error), str(error.validator))
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
            message, note = _message(error)
            yield ValueProblem(_node_at(node, path), message, str(error.validator), path_text(path), note)
        return
    for where, message, note, keyword in _errors(id(schema), value_json):
        yield ValueProblem(_node_at(node, list(where)), message, keyword, path_text(list(where)), note)


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


def _message(error: ValidationError) -> tuple[str, str]:
    """What is wrong, in our words (jsonschema's own messages quote schemas: ``... should not be valid
    under {'enum': [...]}``), and a note: the parameter's description when the message cannot say in a
    few words what is expected, or a long list of allowed values."""
    kind, wanted, instance = error.validator, error.validator_value, error.instance
    got = _describe(instance)
    description = str(error.schema.get("description", "")) if isinstance(error.schema, dict) else ""
    if kind == "type":
        return f"expected {_article(' or '.join(wanted) if isinstance(wanted, list) else str(wanted))}, got {got}", ""
    if kind == "enum" and isinstance(wanted, list):
        options = _alternatives([str(value) for value in wanted])
        if len(options) <= 40:
            return f"expected {options}, got {got}", ""
        return f"{got} is not an allowed value", f"allowed: {', '.join(str(value) for value in wanted)}"
    if kind == "const":
        return f"expected {_describe(wanted)}, got {got}", ""
    if kind == "pattern":
        expected = _pattern_name(str(wanted), description)
        if expected:
            return f"expected {expected}, got {got}", ""
        return f"{got} does not have the expected form", description
    if kind == "required" and isinstance(wanted, list) and isinstance(instance, dict):
        missing = [name for name in wanted if name not in instance]
        return f"missing {_quoted_names(missing or wanted)}", ""
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [name for name in instance if name not in known]
        return f"unknown key {_quoted_names(extra[:1])}", f"known keys: {', '.join(known)}" if known else ""
    if kind == "not" and isinstance(wanted, dict) and isinstance(wanted.get("required"), list):
        return f"{_quoted_names(wanted['required'])} cannot be used here", ""
    if kind in ("anyOf", "oneOf") and isinstance(wanted, list):
        names = [name for name in (_schema_name(sub) for sub in wanted) if name]
        if names and len(names) == len(wanted):
            return f"expected {' or '.join(names)}, got {got}", ""
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                 "exclusiveMaximum": "less than"}[str(kind)]
        return f"expected a number {bound} {wanted}, got {got}", ""
    counted = {"minItems": ("at least", "item"), "maxItems": ("at most", "item"),
               "minProperties": ("at least", "key"), "maxProperties": ("at most", "key")}
    if kind in counted and isinstance(wanted, int):
        bound, noun = counted[str(kind)]
        return f"expected {bound} {wanted} {noun}{'' if wanted == 1 else 's'}", ""
    return f"{got} is not allowed here", description


_DURATION_PATTERN = re.compile(r"\[dD\].*\[hH\].*\[mM\].*\[sS\]")
_WORDS_PATTERN = re.compile(r"\^\(((?:(?:\[[A-Za-z]{2}\])+\|?)+)\)\$")
_BACKTICKED = re.compile(r"`([^`]+)`")


def _pattern_name(pattern: str, description: str) -> str:
    """A pattern as words: a duration, a choice of words in any case, or the form its description shows."""
    if _DURATION_PATTERN.search(pattern):
        return "a duration such as 30s or 1h 30m"
    words = _WORDS_PATTERN.fullmatch(pattern)
    if words is not None:
        choices = [re.sub(r"\[([A-Za-z])[A-Za-z]\]", r"\1", word).lower() for word in words.group(1).split("|")]
        return f"{_alternatives(choices)} (any case)"
    shown = _BACKTICKED.search(description)
    return f"the form `{shown.group(1)}`" if shown and len(shown.group(1)) <= 40 else ""


def _schema_name(schema: object) -> str:
    """A sub-schema of ``anyOf`` in a few words ('' when it cannot be said briefly)."""
    if not isinstance(schema, dict):
        return ""
    if "pattern" in schema:
        return _pattern_name(str(schema["pattern"]), str(schema.get("description", "")))
    if set(schema) <= {"type", "description"} and isinstance(schema.get("type"), str):
        return _article(str(schema["type"]))
    return ""


def _alternatives(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


def _quoted_names(names: list[Any]) -> str:
    return " and ".join(repr(excerpt(str(name), 40)) for name in names)


def path_text(path: list[Any]) -> str:
    """``[0].jars`` for a path inside a value (list indexes in brackets, keys after dots)."""
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return text[1:] if text.startswith(".") else text


def _article(word: str) -> str:
    names = {"object": "a mapping", "array": "a list", "integer": "an integer", "boolean": "a boolean",
             "string": "a string", "number": "a number"}
    return " or ".join(names.get(part.strip(), part.strip()) for part in word.split(" or "))
