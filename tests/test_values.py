"""The quick path of value validation agrees with jsonschema wherever it answers.

``dig_lsp.model.values._valid`` judges a parameter's value under the catalog's common keywords without
importing jsonschema (a third of a one-file lint's imports); it answers None when jsonschema must judge.
Its True skips jsonschema entirely, its False picks the branch of an ``if``: both must be exactly
:func:`digdag_validator`'s verdict. Checked here on every parameter schema of the catalog with every value
the corpus gives a key of that name, the schema's own examples and values, and values of every kind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dig_lsp.model.catalog import catalog
from dig_lsp.model.values import _valid, digdag_validator
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Mapping, Node, Sequence, to_python
from dig_lsp.text.source import SourceFile
from tests.conftest import shared_path

KINDS: tuple[Any, ...] = (
    None, True, False, 0, 1, -3, 2.0, 1.5, "", "abc", "1", "-2", "1.5", "true", "False", "yes", "${x}", "a ${x}",
    "30s", "1h 30m", "presto", "hive", "UTC", "daily>", [], ["a"], [1, "b"], ["${x}"], [{"a": 1}], {}, {"a": 1},
    {"image": "python:3"}, {"image": 3}, {"image": "x", "extra": 1}, {"name": "x", "value": "${y}"},
)


def _entries(node: Node | None) -> Iterator[tuple[str, Node]]:
    if isinstance(node, Mapping):
        for entry in node.entries:
            yield entry.key, entry.value
            yield from _entries(entry.value)
    elif isinstance(node, Sequence):
        for item in node.items:
            yield from _entries(item)


@pytest.fixture(scope="module")
def corpus_values() -> dict[str, list[Any]]:
    """Every value the corpus writes under each key (a parameter's values, and look-alikes)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(shared_path("corpus").rglob("*.dig")):
        parsed = parse(SourceFile.from_bytes(str(path), path.read_bytes()))
        for key, node in _entries(parsed.root):
            value = to_python(node)
            found.setdefault(key, {}).setdefault(repr(value), value)
    return {key: list(values.values()) for key, values in found.items()}


def _samples(schema: Any, corpus: list[Any]) -> Iterator[Any]:
    yield from KINDS
    yield from corpus
    if isinstance(schema, dict):
        yield from schema.get("examples", [])
        yield from schema.get("enum", [])
        for key in ("default", "const"):
            if key in schema:
                yield schema[key]
        for name, sub in schema.get("properties", {}).items():  # one property at a time, of every kind
            for value in itertools.chain(KINDS, _samples(sub, [])):
                yield {name: value}
        if isinstance(schema.get("items"), dict):
            yield [value for value in _samples(schema["items"], []) if value is not None][:5]


def _schemas() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for spec in catalog():
        for name, parameter in spec.parameters.items():
            yield spec.name, name, parameter.schema


def test_the_quick_path_agrees_with_jsonschema(corpus_values: dict[str, list[Any]]) -> None:
    answered = asked = 0
    for operator, name, schema in _schemas():
        validator = digdag_validator()(schema)
        for value in _samples(schema, corpus_values.get(name, [])):
            verdict = _valid(schema, value)
            asked += 1
            if verdict is not None:
                answered += 1
                assert verdict == validator.is_valid(value), (operator, name, value)
    # the point of it: most values are judged without jsonschema
    assert answered > asked * 0.8, (answered, asked)


def test_the_corpus_values_are_judged_quickly(corpus_values: dict[str, list[Any]]) -> None:
    """Every value the corpus gives a parameter, valid under its schema, is answered by the quick path (a
    one-file lint of a correct workflow need not import jsonschema)."""
    slow = []
    for operator, name, schema in _schemas():
        validator = digdag_validator()(schema)
        for value in corpus_values.get(name, []):
            if validator.is_valid(value) and _valid(schema, value) is not True:
                slow.append((operator, name, value))
    assert not slow, slow[:10]


@pytest.mark.parametrize(("schema", "value", "verdict"), [
    ({"type": "integer"}, "12", True), ({"type": "integer"}, "1.5", False), ({"type": "boolean"}, "yes", False),
    ({"enum": ["a", "true"]}, True, True), ({"enum": ["1"]}, 1, True), ({"pattern": "^[0-9]+s$"}, "${t}", True),
    ({"type": "object", "required": ["image"]}, {"docker": "d"}, False),
    ({"if": {"type": "string"}, "else": {"required": ["image"]}}, "python:3", True),
    ({"if": {"type": "string"}, "else": {"required": ["image"]}}, {}, False),
    ({"additionalProperties": False, "properties": {"a": True}}, {"a": 1, "b": 2}, False),
    ({"minItems": 2}, [1], False), ({"minItems": 2}, "${x}", True),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1}, False),
    ({"anyOf": [{"type": "boolean"}, {"pattern": "^on$"}]}, "on", True),
    ({"not": {"required": ["a"]}}, {"a": 1}, False),
    ({"uniqueItems": True}, [1], None), ({"minimum": 1}, 2, None), ({"type": "date"}, "x", None),
])
def test_verdicts(schema: dict[str, Any], value: Any, verdict: bool | None) -> None:
    assert _valid(schema, value) is verdict
    if verdict is not None:
        assert digdag_validator()(schema).is_valid(value) is verdict


def test_a_corpus_is_there() -> None:
    assert Path(shared_path("corpus")).is_dir()
