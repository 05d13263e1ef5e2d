"""How digdag reads parameter values, and validating them against catalog schemas.

digdag binds parameters with Jackson 2.9 coercions: a string holding a number is an
integer, ``"true"``/``"false"`` are booleans, scalars are accepted where a string is
expected. Values containing ``${...}`` are evaluated at run time, so they are not
type-checked. The validator below applies those rules on top of JSON Schema 2020-12.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.syntax.nodes import Mapping, Node, Sequence, to_python
from dig_lsp.text.quote import excerpt

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

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


# what the type keyword accepts (the type checker of :func:`digdag_validator`, and the quick path's)
_TYPES: dict[str, Callable[[object, object], bool]] = {
    "integer": _is_integer, "number": _is_number, "boolean": _is_boolean, "string": _is_string, "object": _is_object,
    "array": _is_array, "null": lambda _, value: value is None}
# A `${...}` string passes as any type, so every keyword that would inspect it as a number, a mapping or a
# list must let it through too.
_SKIP_TEMPLATES = (
    "enum", "pattern", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format",
    "minLength", "maxLength", "properties", "required", "additionalProperties", "patternProperties",
    "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
    "unevaluatedProperties", "items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems",
    "unevaluatedItems",
)


def _as_text(keyword: str, instance: Any) -> Any:
    """What ``enum`` and ``pattern`` compare: Jackson reads a boolean or a number as its text where a
    string is expected."""
    if keyword in ("enum", "pattern") and isinstance(instance, bool):
        return "true" if instance else "false"
    if keyword in ("enum", "pattern") and isinstance(instance, int | float):
        return str(instance)
    return instance


def _skip_templates(keyword: str) -> Any:
    from jsonschema import Draft202012Validator

    original = Draft202012Validator.VALIDATORS[keyword]

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if is_template(instance):
            return iter(())
        return original(validator, value, _as_text(keyword, instance), schema)

    return check


@lru_cache(maxsize=1)
def digdag_validator() -> Any:
    """The JSON Schema 2020-12 validator class with digdag's readings (Jackson's coercions, ``${...}``
    passing as anything). Built on first use: jsonschema is a third of the imports of a lint that finds
    every value valid (:func:`_surely_valid` answers those)."""
    from jsonschema import Draft202012Validator, validators

    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {name: check for name, check in _TYPES.items() if name != "null"})
    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, validators={k: _skip_templates(k) for k in _SKIP_TEMPLATES}, type_checker=types)


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    import json

    return digdag_validator()(json.loads(schema_json))


@dataclass(frozen=True)
class ValueProblem:
    """A value that does not fit its schema, and the node to report it at."""

    node: Node
    message: str
    keyword: str
    path: str  # where inside the value (``[0].jars``), '' for the value itself
    note: str = ""  # what the parameter is, when the message cannot say what is expected in a few words


# The catalog's schemas live as long as the process: they are found by the schema object's identity (the
# schema is kept in the entry so the identity cannot be reused), with their validator once one is needed.
_SCHEMAS: dict[int, dict[str, Any]] = {}
_VALIDATORS: dict[int, Any] = {}


def _remember(schema: dict[str, Any]) -> int:
    if _SCHEMAS.get(id(schema)) is not schema:
        if len(_SCHEMAS) > 4096:
            _SCHEMAS.clear()
            _VALIDATORS.clear()
            _errors.cache_clear()
        _SCHEMAS[id(schema)] = schema
        _VALIDATORS.pop(id(schema), None)
    return id(schema)


def _validator_for(schema: dict[str, Any]) -> Any:
    key = _remember(schema)
    validator = _VALIDATORS.get(key)
    if validator is None:
        import json

        validator = _VALIDATORS[key] = _validator(json.dumps(schema, sort_keys=True))
    return validator


@lru_cache(maxsize=8192)
def _errors(schema_key: int, value_json: str) -> tuple[tuple[tuple[Any, ...], str, str, str], ...]:
    """(path, message, keyword, note) of every error of a value, memoised: a workflow repeats the same
    values (``engine: presto``, ``database: x``) in hundreds of tasks, edit after edit."""
    import json

    schema = _SCHEMAS[schema_key]
    value = json.loads(value_json)
    if _valid(schema, value) is True:
        return ()
    return tuple((tuple(error.absolute_path), *_message(error), str(error.validator))
                 for error in _validator_for(schema).iter_errors(value))


def validate_value(node: Node, schema: dict[str, Any]) -> Iterator[ValueProblem]:
    """Validate one parameter's value (a node) against its property schema."""
    import json

    try:
        value_json = json.dumps(to_python(node), sort_keys=False)
    except (TypeError, ValueError):  # not JSON-representable (cannot come from YAML): validate directly
        for error in _validator_for(schema).iter_errors(to_python(node)):
            path = list(error.absolute_path)
            message, note = _message(error)
            yield ValueProblem(_node_at(node, path), message, str(error.validator), path_text(path), note)
        return
    for where, message, note, keyword in _errors(_remember(schema), value_json):
        yield ValueProblem(_node_at(node, list(where)), message, keyword, path_text(list(where)), note)


# --------------------------------------------------------------------------- the quick path

# keywords that do not constrain a value (jsonschema ignores unknown keywords, such as our `x-dig-...`)
_ANNOTATIONS = frozenset({"description", "default", "title", "examples", "deprecated", "$comment", "$schema",
                          "readOnly", "writeOnly"})


def _valid(schema: Any, value: Any) -> bool | None:
    """Whether ``value`` satisfies ``schema`` as :func:`digdag_validator` judges it, for the keywords the
    catalog uses (``type``, ``enum``, ``const``, ``pattern``, ``if``/``then``/``else``, ``anyOf``, ``allOf``,
    ``not``, and the keywords of mappings and lists but ``patternProperties`` and ``prefixItems``), each read
    as jsonschema 4's ``_keywords.py`` does with the changes above; None when another keyword or a case not
    covered here decides (jsonschema judges then). ``tests/test_values.py`` holds it to jsonschema's
    verdicts on every parameter of the catalog."""
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict):
        return None
    verdict = True
    for keyword, wanted in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword in ("then", "else"):
            continue
        if keyword in _SKIP_TEMPLATES and is_template(value):
            continue
        found = _keyword(keyword, wanted, value, schema)
        if found is None:
            return None
        verdict = verdict and found
    return verdict


def _keyword(keyword: str, wanted: Any, value: Any, schema: dict[str, Any]) -> bool | None:
    if keyword == "type":
        names = wanted if isinstance(wanted, list) else [wanted]
        if not all(isinstance(name, str) and name in _TYPES for name in names):
            return None
        return any(_TYPES[name](None, value) for name in names)
    if keyword in ("enum", "const"):
        value = _as_text(keyword, value)
        options = wanted if keyword == "const" else wanted if isinstance(wanted, list) else None
        if options is None or not isinstance(value, str):
            return None
        if keyword == "const":
            return isinstance(wanted, str) and wanted == value
        return any(isinstance(option, str) and option == value for option in options)
    if keyword == "pattern":
        value = _as_text(keyword, value)
        if not isinstance(wanted, str):
            return None
        return not isinstance(value, str) or re.search(wanted, value) is not None
    if keyword == "if":
        condition = _valid(wanted, value)
        branch = "then" if condition else "else"
        return None if condition is None else _valid(schema[branch], value) if branch in schema else True
    if keyword in ("anyOf", "allOf") and isinstance(wanted, list):
        verdicts = [_valid(sub, value) for sub in wanted]
        if keyword == "allOf":
            return _all(iter(verdicts))
        return True if True in verdicts else None if None in verdicts else False
    if keyword == "not":
        verdict = _valid(wanted, value)
        return None if verdict is None else not verdict
    if keyword in _MAPPING_KEYWORDS:  # they pass anything but a mapping
        return _in_mapping(keyword, wanted, value, schema) if isinstance(value, dict) else True
    if keyword in _LIST_KEYWORDS:  # they pass anything but a list
        return _in_list(keyword, wanted, value, schema) if isinstance(value, list) else True
    return None


_MAPPING_KEYWORDS = frozenset({"properties", "required", "additionalProperties", "propertyNames", "minProperties",
                               "maxProperties"})
_LIST_KEYWORDS = frozenset({"items", "minItems", "maxItems"})


def _in_mapping(keyword: str, wanted: Any, value: dict[str, Any], schema: dict[str, Any]) -> bool | None:
    if keyword == "properties" and isinstance(wanted, dict):
        return _all(_valid(sub, value[name]) for name, sub in wanted.items() if name in value)
    if keyword == "required" and isinstance(wanted, list):
        return all(name in value for name in wanted)
    if keyword == "additionalProperties" and "patternProperties" not in schema:
        extras = [name for name in value if name not in schema.get("properties", {})]
        if isinstance(wanted, dict):
            return _all(_valid(wanted, value[name]) for name in extras)
        return None if not isinstance(wanted, bool) else wanted or not extras
    if keyword == "propertyNames":
        return _all(_valid(wanted, name) for name in value)
    if keyword in ("minProperties", "maxProperties") and type(wanted) is int:
        return len(value) >= wanted if keyword == "minProperties" else len(value) <= wanted
    return None


def _in_list(keyword: str, wanted: Any, value: list[Any], schema: dict[str, Any]) -> bool | None:
    if keyword == "items" and "prefixItems" not in schema and isinstance(wanted, dict):
        return _all(_valid(wanted, item) for item in value)
    if keyword in ("minItems", "maxItems") and type(wanted) is int:
        return len(value) >= wanted if keyword == "minItems" else len(value) <= wanted
    return None


def _all(verdicts: Iterator[bool | None]) -> bool | None:
    """True when every verdict is, None when one is unknown (and none is False), False when one is."""
    result: bool | None = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


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
        # "expected no value" says nothing of what to write instead: the description of a value that must
        # be left empty says where the values go (param_set>: the keys beside it, not under it)
        note = description if wanted == "null" else ""
        return f"expected {_article(' or '.join(wanted) if isinstance(wanted, list) else str(wanted))}, got {got}", note
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
        return f"missing {_quoted_names(missing or wanted)}", description  # a `then` says what the keys are for
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [name for name in instance if name not in known]
        return f"unknown key {_quoted_names(extra[:1])}", f"known keys: {', '.join(known)}" if known else ""
    if kind == "not" and isinstance(wanted, dict) and isinstance(wanted.get("required"), list):
        return f"{_quoted_names(wanted['required'])} cannot be used here", description
    if kind in ("anyOf", "oneOf") and isinstance(wanted, list) and wanted and \
            all(isinstance(sub, dict) and list(sub) == ["required"] and len(sub["required"]) == 1 for sub in wanted):
        # {anyOf: [{required: [step]}, {required: [slices]}]}: one of several keys is missing (for_range>)
        return f"missing {' or '.join(repr(excerpt(str(sub['required'][0]), 40)) for sub in wanted)}", description
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
             "string": "a string", "number": "a number", "null": "no value"}
    return " or ".join(names.get(part.strip(), part.strip()) for part in word.split(" or "))
