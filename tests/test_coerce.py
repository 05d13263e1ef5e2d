"""One truth table for what digdag reads as a boolean, and every reader of a boolean agrees with it.

digdag reads booleans with ``Config.get(key, boolean.class)`` (digdag-client/.../config/Config.java), a
Jackson 2.9 conversion: a YAML boolean; an integer (0 is false); a string trimmed as Java's
``String.trim`` does, then ``true``/``True``/``false``/``False``, with ``""`` and ``"null"`` read as false.
``_disable`` and ``_background`` are read that way by WorkflowCompiler (``config.get("_disable",
boolean.class, false)``), ``store_last_results`` by TdOperatorFactory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.model.workflow import build_workflow
from dig_lsp.syntax.loader import parse
from dig_lsp.text.source import SourceFile
from tests.conftest import lint_text

# (YAML as written, what digdag reads: True, False, or None for "fails")
TRUTH = [
    ("true", True), ("True", True), ("false", False), ("False", False),
    ("'true'", True), ("' True '", True), ("'false'", False),
    ("1", True), ("0", False), ("2", True),
    ("''", False), ("'null'", False),
    ("TRUE", None), ("yes", None), ("on", None), ("'t'", None), ("1.5", None),
]


def _value(yaml: str) -> object:
    parsed = parse(SourceFile("/wf.dig", f"k: {yaml}\n"))
    assert parsed.root is not None
    node = parsed.root.get("k")
    return getattr(node, "value", None)


@pytest.mark.parametrize(("written", "expected"), TRUTH, ids=[w for w, _ in TRUTH])
def test_the_truth_table(written: str, expected: bool | None) -> None:
    assert boolean_value(_value(written)) is expected


@pytest.mark.parametrize(("written", "expected"), TRUTH, ids=[w for w, _ in TRUTH])
def test_disable_reads_the_truth_table(written: str, expected: bool | None) -> None:
    parsed = parse(SourceFile("/wf.dig", f"+a:\n  _disable: {written}\n  echo>: hi\n"))
    assert parsed.root is not None
    workflow = build_workflow("wf", "/wf.dig", parsed.root, parsed.source.span(0, 0))
    assert workflow.root.children[0].disabled is (expected is True)


@pytest.mark.parametrize(("written", "expected"), TRUTH, ids=[w for w, _ in TRUTH])
def test_background_reads_the_truth_table(tmp_path: Path, written: str, expected: bool | None) -> None:
    """A `_background` task starts with no upstream (reference 6.2), so a task written above it may run
    at the same time: what it stores is reported as possibly unfinished, not as stored later."""
    text = ("+b:\n  echo>: ${td.last_results.n}\n+a:\n  _background: " + written
            + "\n  td>:\n  query: SELECT 1 AS n\n  database: d\n  store_last_results: true\n")
    messages = [d.message for d in lint_text(tmp_path, text) if d.code == "DL503"]
    assert len(messages) == 1
    assert ("_background task" in messages[0]) is (expected is True)


@pytest.mark.parametrize(("written", "expected"), TRUTH, ids=[w for w, _ in TRUTH])
def test_store_last_results_reads_the_truth_table(tmp_path: Path, written: str, expected: bool | None) -> None:
    """td.last_results exists after a td> task only when store_last_results reads as true."""
    text = ("+a:\n  td>:\n  query: SELECT 1 AS n\n  database: d\n  store_last_results: " + written
            + "\n+b:\n  echo>: ${td.last_results.n}\n")
    found = [d.code for d in lint_text(tmp_path, text) if d.code == "DL502"]
    assert found == ([] if expected is True else ["DL502"])
