"""The YAML loader: digdag's scalar typing, positions, duplicate keys, bad input."""

from __future__ import annotations

import re

import pytest

from dig_lsp.syntax import problems as kinds
from dig_lsp.syntax.loader import _NON_PRINTABLE, parse
from dig_lsp.syntax.nodes import Mapping, Scalar, Sequence
from dig_lsp.text.limits import MAX_NESTING
from dig_lsp.text.source import SourceFile


def _parse(text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse(SourceFile.from_bytes("t.dig", data))


def _value(text: str) -> object:
    root = _parse(f"k: {text}\n").root
    assert isinstance(root, Mapping)
    node = root.get("k")
    assert isinstance(node, Scalar)
    return node.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00:00", "10:00:00"), ("07:00", "07:00"), ("yes", "yes"), ("on", "on"), ("No", "No"),
        ("TRUE", "TRUE"), ("true", True), ("False", False), ("2016-01-01", "2016-01-01"),
        ("2016-01-01 00:00:00", "2016-01-01 00:00:00"), ("0.5", "0.5"), ("01.5", "01.5"), ("1.5", 1.5),
        (".5", 0.5), ("1e3", 1000.0), ("-1.5", -1.5), ("010", 8), ("0x1F", 31), ("0b101", 5),
        ("1_000", 1000), ("42", 42), ("null", None), ("~", None), ("", None), ("'10'", "10"),
        ('"true"', "true"), ("1:30.5", 90.5),
    ],
)
def test_scalars_are_typed_as_digdag_types_them(text: str, expected: object) -> None:
    assert _value(text) == expected
    assert type(_value(text)) is type(expected)


def test_spans_are_exact_with_non_ascii_and_crlf() -> None:
    root = _parse("名前: 値\r\n+task:\r\n  echo>: こんにちは\r\n").root
    assert isinstance(root, Mapping)
    entry = root.entry("+task")
    assert entry is not None
    assert (entry.key_span.start.line, entry.key_span.start.column) == (1, 0)
    task = entry.value
    assert isinstance(task, Mapping)
    echo = task.get("echo>")
    assert isinstance(echo, Scalar)
    assert echo.value == "こんにちは"
    assert (echo.span.start.line, echo.span.start.column, echo.span.end.column) == (2, 9, 14)


def test_every_duplicate_key_in_every_mapping_is_reported() -> None:
    parsed = _parse("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n  c: 3\n!include : x.yml\n!include : y.yml\n")
    duplicates = [p for p in parsed.problems if p.kind == kinds.DUPLICATE_KEY]
    assert sorted((p.span.start.line, p.span.start.column) for p in duplicates) == [(1, 0), (4, 2), (5, 2)]
    assert all(p.related for p in duplicates)


def test_quoted_and_plain_keys_with_the_same_text_are_duplicates() -> None:
    parsed = _parse("a: 1\n'a': 2\n")
    assert [p.kind for p in parsed.problems] == [kinds.DUPLICATE_KEY]


def test_merge_keys_are_applied_and_explicit_keys_win() -> None:
    root = _parse("base: &b {x: 1, y: 2}\nt:\n  <<: *b\n  y: 3\n").root
    assert isinstance(root, Mapping)
    t = root.get("t")
    assert isinstance(t, Mapping)
    assert t.keys() == ["x", "y"]
    y = t.get("y")
    assert isinstance(y, Scalar)
    assert y.value == 3


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("a:\n\tb: 1\n", kinds.YAML_SYNTAX, 1),
        ("a: b\x01c\n", kinds.YAML_SYNTAX, 0),
        ("a:\n  b: 1\n c: 2\n", kinds.YAML_SYNTAX, 2),
        ("a: 'abc\nb: 2\n", kinds.YAML_SYNTAX, 0),  # at the quote left open, not at the end of the file
        ("a: [${x}] text\n", kinds.YAML_SYNTAX, 0),
        ("a: ******\n", kinds.YAML_SYNTAX, 0),
        ("a: 1\n---\nb: 2\n", kinds.MULTIPLE_DOCUMENTS, 1),
        ("", kinds.NOT_A_MAPPING, 0),
        ("- a\n- b\n", kinds.NOT_A_MAPPING, 0),
        ("just text\n", kinds.NOT_A_MAPPING, 0),
        ("a: !foo 1\n", kinds.UNKNOWN_TAG, 0),
    ],
)
def test_bad_input_gives_a_positioned_problem(text: str, kind: str, line: int) -> None:
    parsed = _parse(text)
    found = [(p.kind, p.span.start.line) for p in parsed.problems]
    assert (kind, line) in found


def test_hints_for_common_yaml_mistakes() -> None:
    assert "tab" in _parse("a:\n\tb: 1\n").problems[0].message
    assert "quote" in _parse("a: [${x}] text\n").problems[0].message
    assert "alias" in _parse("a: ******\n").problems[0].message


def test_non_utf8_bytes_are_reported_and_the_rest_is_read() -> None:
    parsed = _parse(b"a: ok\nb: \x82\xa0\nc: 3\n")
    assert [p.kind for p in parsed.problems] == [kinds.ENCODING]
    assert parsed.problems[0].span.start.line == 1
    assert isinstance(parsed.root, Mapping)
    assert parsed.root.keys() == ["a", "b", "c"]


def test_bom_is_reported_and_stripped() -> None:
    parsed = _parse("\ufeff+a:\n  echo>: x\n")
    assert [p.kind for p in parsed.problems] == [kinds.BYTE_ORDER_MARK]
    assert isinstance(parsed.root, Mapping)
    assert parsed.root.keys() == ["+a"]


def test_alias_bombs_are_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    parsed = _parse("\n".join(lines) + "\n")
    assert kinds.RESOURCE_LIMIT in [p.kind for p in parsed.problems]


def test_deep_nesting_is_refused_without_crashing() -> None:
    depth = 100_000
    parsed = _parse("a: " + "[" * depth + "]" * depth + "\n")
    assert [p.kind for p in parsed.problems] == [kinds.RESOURCE_LIMIT]
    assert parsed.root is None


def test_sequences_keep_item_spans() -> None:
    root = _parse("a:\n  - x\n  - {b: 1}\n").root
    assert isinstance(root, Mapping)
    items = root.get("a")
    assert isinstance(items, Sequence)
    assert [i.span.start.line for i in items.items] == [1, 2]


def _shape(node: object) -> object:
    """A ruamel node as plain data: kind, tag, value, style and every mark's index/line/column."""
    marks = tuple((m.index, m.line, m.column) for m in (node.start_mark, node.end_mark))  # type: ignore[attr-defined]
    value = node.value  # type: ignore[attr-defined]
    if isinstance(value, list):
        value = [tuple(_shape(part) for part in item) if isinstance(item, tuple) else _shape(item) for item in value]
    return type(node).__name__, str(node.tag), value, getattr(node, "style", None), marks  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", [
    "a: 1\nb: [x, {c: 'd'}]\n", "a: &x {b: 1}\nc: *x\nd: {<<: *x, e: 2}\n", "%YAML 1.1\n---\na: 0o7\n",
    "---\na: 1\n---\nb: 2\n...\n", "k: !include f.dig\n!include : g\n", "", "# only a comment\n",
    "a: |\n  text\n  more\nb: >-\n  folded\n", "? [a, b]\n: c\n",
])
def test_composing_without_ruamels_yaml_object_gives_its_nodes(text: str) -> None:
    # the loader drives libyaml's composer itself (no YAML() per file: it listed ruamel's folder for
    # plug-ins each time); the nodes must be the ones YAML(typ="safe").compose_all gives
    from ruamel.yaml import YAML

    from dig_lsp.syntax.loader import _PlainResolver, compose_documents

    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _PlainResolver
    expected = [None if doc is None else _shape(doc) for doc in yaml.compose_all(text)]
    assert [None if doc is None else _shape(doc) for doc in compose_documents(text)] == expected


@pytest.mark.parametrize("text", ["a: 'unterminated\n", "a: b: c\n", "\ta: 1\n", "a: [1, 2\n", "*nowhere\n"])
def test_composing_fails_as_ruamel_does(text: str) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from dig_lsp.syntax.loader import _PlainResolver, compose_documents

    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _PlainResolver
    with pytest.raises(YAMLError) as theirs:
        list(yaml.compose_all(text))
    with pytest.raises(type(theirs.value)) as ours:
        compose_documents(text)
    assert str(ours.value) == str(theirs.value)


def test_parsing_makes_no_ruamel_yaml_object(monkeypatch: pytest.MonkeyPatch) -> None:
    from ruamel.yaml import main

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("YAML() was built")

    monkeypatch.setattr(main.YAML, "__init__", refuse)
    assert isinstance(_parse("a: [1, 2]\nb: {c: d}\n").root, Mapping)
    # many brackets in a string: the nesting is counted on the parser's events before composing
    parsed = _parse("a: '" + "[" * (MAX_NESTING + 1) + "'\n")
    assert isinstance(parsed.root, Mapping)
    assert not parsed.problems



def test_non_printable_is_the_complement_of_yaml_printable_set() -> None:
    """The loader's short list of non-printable ranges (cheaper to compile) finds exactly the characters
    outside YAML 1.1's printable set as SnakeYAML writes it, over every code point."""
    printable = re.compile("[\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    every = "".join(map(chr, range(0x110000)))
    outside = [index for index, char in enumerate(every) if not printable.match(char)]
    assert [found.start() for found in _NON_PRINTABLE.finditer(every)] == outside
