"""Messages people read: one sentence that names the value and what is expected, short, in our words.

digdag's own error text, lists of allowed values and explanations go into notes (``related``) or the
rule's page; text from a library (jsonschema, the YAML, JavaScript and SQL parsers, Java's or Python's
time-zone and date errors) never reaches a message. Lengths are measured over every check fixture
(``tests/fixtures/checks/*/expected.txt``: what each check says on its bad cases) and, when they are
present, over the public corpora beside the repository (``bench/findings_report.py --messages``).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.model.catalog import catalog
from dig_lsp.model.values import validate_value
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text.source import SourceFile
from tests.conftest import FIXTURES, ROOT, lint_paths

# Words that only a library writes: a message holding one passed a library's text through.
RAW_LIBRARY_TEXT = re.compile("|".join(re.escape(words) for words in (
    "should not be valid under", "is not valid under any of", "is a required property",
    "Additional properties are not allowed", "was unexpected", "does not match '^",  # jsonschema
    "while parsing", "while scanning", "did not find expected", "could not find expected",
    "cannot start any token", "mapping values are not allowed",  # the YAML parser
    "Unknown time-zone ID", "Invalid ID for", "Zone offset out of range", "out of range for month",  # zones, dates
    "<Token", "TokenType.", "Required keyword:", "Invalid expression / Unexpected",  # the SQL parser
    "Unexpected token", "Line 1:", "is not supported by ECMA",  # the JavaScript parser
    "Traceback", "Error:",
)))
CORPORA = [ROOT.parent / "shared" / "corpus" / "digdag", ROOT.parent / "shared" / "corpus" / "treasure-boxes"]


def _fixture_messages() -> list[str]:
    messages = []
    for expected in sorted((FIXTURES / "checks").glob("*/expected.txt")):
        for line in expected.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                messages.append(line.split(" ", 2)[2])  # path:line:col: CODE message
    return messages


def test_the_median_fixture_message_is_under_100_characters() -> None:
    lengths = [len(message) for message in _fixture_messages()]
    assert len(lengths) > 200
    assert statistics.median(lengths) < 100, f"median {statistics.median(lengths)}"


def test_no_fixture_message_passes_library_text_through() -> None:
    raw = [message for message in _fixture_messages() if RAW_LIBRARY_TEXT.search(message)]
    assert raw == []


def test_fixture_messages_are_one_sentence() -> None:
    """No second sentence (a '. ' followed by a capital letter, or a closing '.')."""
    long_winded = [m for m in _fixture_messages() if re.search(r"(?<!e\.g)\.\s+[A-Z]", m) or m.endswith(".")]
    assert long_winded == []


@pytest.mark.parametrize("corpus", CORPORA, ids=[path.name for path in CORPORA])
def test_corpus_messages_are_short_and_in_our_words(corpus: Path) -> None:
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is not there")
    diagnostics = lint_paths([corpus], Settings())
    messages = [d.message for d in diagnostics]
    assert messages
    assert statistics.median(len(message) for message in messages) < 100
    assert [m for m in messages if RAW_LIBRARY_TEXT.search(m)] == []


# ------------------------------------------------------------------------------------------------
# The sentences that replace a library's words, one by one.

def _yaml_problem(text: str) -> tuple[str, list[str]]:
    problem = parse(SourceFile.from_bytes("/p/wf.dig", text.encode("utf-8"))).problems[0]
    return problem.message, [message for _, message in problem.related]


@pytest.mark.parametrize(("text", "message"), [
    ("+a:\n\techo>: x\n", "a tab character here; YAML indentation must use spaces"),
    ("+a:\n  echo>: [${x}] y\n", "a value starting with '[' is a YAML list; quote the whole value if it is text"),
    ("+a:\n  echo>: [x\n+b:\n  echo>: y\n", "the list opened with '[' is not closed with ']'"),
    ("+a:\n  echo>: x\n    sh>: y\n",
     "this line is indented more than 'echo>' above, so it continues its value; indent it like that key"),
    ("+a:\n  echo>: a: b\n", "': ' cannot appear in a plain value; quote the value"),
    ("+a:\n  echo>: x\n  - y\n", "a '-' list item cannot stand among the keys of a mapping"),
    ("+a:\n  echo>: @x\n", "'@' cannot start a plain YAML value; quote the value"),
    ("+a:\n  echo>: *\n", "a value starting with '*' is a YAML alias; quote it if it is text"),
    ('+a:\n  echo>: "a\\qb"\n', "unknown escape in a double-quoted value; write '\\\\' for a backslash, or use "
                                "single quotes"),
])
def test_yaml_errors_are_said_in_our_words(text: str, message: str) -> None:
    found, notes = _yaml_problem(text)
    assert found == message
    assert not any(RAW_LIBRARY_TEXT.search(note) for note in notes)


def test_where_a_yaml_list_started_is_a_note() -> None:
    assert _yaml_problem("+a:\n  echo>: [x\n+b:\n  echo>: y\n")[1] == ["the list opened here"]


def _value_problems(schema: dict[str, object], value: object) -> list[tuple[str, str]]:
    import json

    node = Scalar(value, json.dumps(value), None, SourceFile.from_bytes("/p/x", b"x").span(0, 1))
    if isinstance(value, (dict, list)):
        from dig_lsp.syntax.loader import parse as parse_yaml

        text = f"v: {json.dumps(value)}\n"
        parsed = parse_yaml(SourceFile.from_bytes("/p/wf.dig", text.encode("utf-8")))
        assert parsed.root is not None
        entry = parsed.root.entry("v")  # type: ignore[union-attr]
        assert entry is not None
        node = entry.value  # type: ignore[assignment]
    return [(problem.message, problem.note) for problem in validate_value(node, schema)]


@pytest.mark.parametrize(("schema", "value", "message"), [
    ({"type": "boolean"}, "yess", "expected a boolean, got 'yess'"),
    ({"enum": ["presto", "hive"]}, "prestoo", "expected presto or hive, got 'prestoo'"),
    ({"type": "string", "pattern": r"^\s*(\d+\s*[dD]\s*)?(\d+\s*[hH]\s*)?(\d+\s*[mM]\s*)?(\d+\s*[sS]\s*)?$"}, "10x",
     "expected a duration such as 30s or 1h 30m, got '10x'"),
    ({"type": "string", "pattern": "^([tT][eE][xX][tT]|[jJ][sS][oO][nN])$"}, "xml", "expected text or json (any case), "
                                                                                    "got 'xml'"),
    ({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": "^([Oo][Nn]|[Oo][Ff][Ff])$"}]}, "maybe",
     "expected a boolean or on or off (any case), got 'maybe'"),
    ({"type": "boolean", "not": {"enum": ["false"]}}, "false", "'false' is not allowed here"),
    ({"type": "object", "required": ["from", "to"]}, {"from": 1}, "missing 'to'"),
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, "unknown key 'b'"),
    ({"type": "object", "not": {"required": ["slices"]}}, {"slices": 2}, "'slices' cannot be used here"),
    ({"type": "array", "minItems": 1}, [], "expected at least 1 item"),
    ({"type": "integer", "minimum": 1}, 0, "expected a number at least 1, got 0"),
    ({"type": "object", "anyOf": [{"required": ["step"]}, {"required": ["slices"]}]}, {"from": 0},
     "missing 'step' or 'slices'"),
])
def test_parameter_values_are_said_in_our_words(schema: dict[str, object], value: object, message: str) -> None:
    (found, note), *_ = _value_problems(schema, value)
    assert found == message
    assert not RAW_LIBRARY_TEXT.search(found + note)


def test_a_long_list_of_allowed_values_goes_into_a_note() -> None:
    values = [f"value_{index}" for index in range(12)]
    ((message, note),) = _value_problems({"enum": values}, "other")
    assert message == "'other' is not an allowed value"
    assert note == "allowed: " + ", ".join(values)


def test_a_form_without_words_of_ours_names_the_description_in_a_note() -> None:
    ((message, note),) = _value_problems({"type": "string", "pattern": "^s3://", "description": "where to write"}, "x")
    assert message == "'x' does not have the expected form"
    assert note == "where to write"


def test_a_value_that_must_be_left_empty_says_where_the_values_go() -> None:
    """``param_set>`` saves the task's own keys (ParamSetOperatorFactory: ``request.getLocalConfig()``), so the
    keys written under it are a mapping where digdag reads text: the note says to write them beside it."""
    schema = catalog().operator("param_set").parameters["_command"].schema  # type: ignore[union-attr]
    ((message, note),) = _value_problems(schema, {"last_run": "done"})
    assert message == "expected no value, got a mapping"
    assert note.startswith("Leave empty, and write the keys to save beside `param_set>:` on the task")


def test_notes_carry_what_left_the_message(tmp_path: Path) -> None:
    """The allowed keys, digdag's consequence and the operator's parameters are still there, as notes."""
    (tmp_path / "wf.dig").write_text(
        "database: x\n+g:\n  foo: 1\n  +a:\n    echo>: a\n+t:\n  td>: q.sql\n  apikey: k\n"
        "+r:\n  _retry: {limit: 3, intervel: 3}\n  sh>: x\n", encoding="utf-8")
    (tmp_path / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    found = {d.code: d for d in lint_paths([tmp_path], Settings())}
    assert "the top level accepts timezone, _export" in found["DL201"].related[0].message
    assert "a group (a task without an operator) accepts" in found["DL202"].related[0].message
    assert found["DL402"].related[0].message.startswith("td> reads ")
    assert "`_retry` reads only limit, interval" in found["DL212"].related[0].message
