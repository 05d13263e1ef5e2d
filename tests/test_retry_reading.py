"""``_retry`` is read once, as ``RetryControl`` reads it (dig_lsp/digdag/retry.py), and the checks and
the dry run agree with that reading.

Facts: digdag-plugin-utils/src/main/java/io/digdag/util/RetryControl.java (a number or text is the
limit, read with ``config.get("_retry", int.class)``; an object reads ``limit`` (required), ``interval``
and ``max_interval`` with ``getOptional(..., int.class)``, ``interval_type`` with ``getOptional(...,
String.class)`` then ``RetryIntervalType.find`` (``equalsIgnoreCase``); anything else is ``Invalid
_retry format``); Jackson 2.9's int conversion truncates a float (digdag-client/.../config/Config.java,
dig_lsp/digdag/coerce.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.digdag.retry import NO_RETRY, Retry, equals_ignore_case, retry_control
from dig_lsp.dryrun.options import FailRule, Options
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.source import SourceFile
from tests.test_dryrun import simulate


def _read(yaml: str) -> tuple[Retry, list[str]]:
    parsed = parse(SourceFile("/wf.dig", f"_retry: {yaml}\n"))
    assert isinstance(parsed.root, Mapping)
    reading = retry_control(parsed.root)
    return reading.value, [refusal.message for refusal in reading.refusals]


READINGS = [
    ("3", Retry(3), []),
    ("'3'", Retry(3), []),
    ("' 3 '", Retry(3), []),
    ("2.5", Retry(2), []),  # Jackson truncates a float read as an int
    ("''", Retry(0), []),  # an empty text reads as 0
    ("{limit: 2, interval: 10, interval_type: EXPONENTIAL, max_interval: 60}", Retry(2, 10, "exponential", 60), []),
    ("{limit: 2, interval: null, interval_type: null, max_interval: null}", Retry(2), []),  # null is absent
    ("{limit: 2, interval: 1.5}", Retry(2, 1), []),
    ("true", NO_RETRY, ["Invalid _retry format:true"]),
    ("null", NO_RETRY, ["Invalid _retry format:null"]),
    ("[3]", NO_RETRY, ["Invalid _retry format:[3]"]),
    ("three", NO_RETRY, ["Expected integer (int) type for key '_retry' but got \"three\" (string)"]),
    ("'1_000'", NO_RETRY, ["Expected integer (int) type for key '_retry' but got \"1_000\" (string)"]),
    ("{interval: 3}", Retry(0, 3), ["Parameter 'limit' is required but not set"]),
    ("{limit: null}", NO_RETRY, ["Parameter 'limit' is required but null"]),
    ("{limit: 1, interval_type: linear}", Retry(1), ["Invalid retry_interval_type: linear"]),
    ("{limit: 1, interval_type: [a]}", Retry(1),
     ["Expected string type for key 'interval_type' but got [\"a\"] (array)"]),
    ("{limit: 1, max_interval: 1m}", Retry(1),
     ["Expected integer (int) type for key 'max_interval' but got \"1m\" (string)"]),
]


@pytest.mark.parametrize(("written", "value", "refusals"), READINGS, ids=[w for w, _, _ in READINGS])
def test_reading(written: str, value: Retry, refusals: list[str]) -> None:
    read, refused = _read(written)
    assert (read.limit, read.interval, read.interval_type, read.max_interval) == \
        (value.limit, value.interval, value.interval_type, value.max_interval)
    assert refused == refusals


def test_unread_keys_are_kept_and_not_refused() -> None:
    read, refused = _read("{limit: 1, intervel: 3}")
    assert [entry.key for entry in read.unread] == ["intervel"]
    assert refused == []


def test_equals_ignore_case_is_javas() -> None:
    """``String.equalsIgnoreCase`` compares one char at a time, upper- then lower-cased."""
    assert equals_ignore_case("Constant", "constant")
    assert equals_ignore_case("con\u017ftant", "constant")  # LATIN SMALL LETTER LONG S upper-cases to S
    assert not equals_ignore_case("constan", "constant")


def _attempts(tmp_path: Path, text: str, task: str) -> int:
    run = simulate(tmp_path, text, Options(fails=[FailRule.parse(f"+wf{task}")]))
    return next(record for record in run.tasks if record.full_name == f"+wf{task}").attempts


def test_dry_run_truncates_a_float_limit(tmp_path: Path) -> None:
    """``_retry: 2.5`` retries twice (Jackson's int conversion); the dry run used to not retry at all."""
    assert _attempts(tmp_path, "+a:\n  _retry: 2.5\n  sh>: x\n", "+a") == 3


def test_dry_run_group_retry_ignores_a_template_in_an_unread_key(tmp_path: Path) -> None:
    """RetryControl never reads other keys, so a ``${...}`` there does not disable a group's retry."""
    text = "+g:\n  _retry: {limit: 1, note: '${x}'}\n  +a:\n    sh>: x\n"
    assert _attempts(tmp_path, text, "+g+a") == 2


def test_dry_run_refused_interval_means_no_retry(tmp_path: Path) -> None:
    """``interval: 1m`` is refused (``getOptional("interval", int.class)``): the operator fails when it
    starts; the dry run used to retry with no interval."""
    assert _attempts(tmp_path, "+a:\n  _retry: {limit: 2, interval: 1m}\n  sh>: x\n", "+a") == 1


def test_dry_run_reads_an_operators_evaluated_retry(tmp_path: Path) -> None:
    """An operator's ``_retry: ${n}`` is read once evaluated (BaseOperator reads the evaluated config)."""
    text = "_export:\n  n: 2\n+a:\n  _retry: ${n}\n  sh>: x\n"
    assert _attempts(tmp_path, text, "+a") == 3
