"""Treasure Data's public examples (``../shared/corpus/treasure-boxes``) hold the linter to its word.

``../shared/corpus/TREASURE_BOXES_FINDINGS.tsv`` lists the errors and warnings there that were verified
as real mistakes against digdag's source; every other error or warning the linter reported on this
corpus was verified to be a false alarm. So:

* every error or warning the linter reports must be listed there, or in ``NEWLY_VERIFIED`` below with
  how it was verified (precision: a false alarm fails this test);
* every listed finding must still be reported, or be in ``KNOWN_MISSES`` with the reason (recall).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dig_lsp.diagnostics import Diagnostic, Severity
from tests.conftest import lint_paths, shared_path

# (path, line, code) -> how it was verified against digdag's source.
NEWLY_VERIFIED: dict[tuple[str, int, str], str] = {
    ("integration-box/postgresql/pg_example.dig", 4, "DL405"):
        "pg> reads `port` as an int from its pg: defaults (PgConnectionConfig: params.get(\"port\", int.class, "
        "5432), unless a pg.port secret is set): 'portnum' fails the task",
    ("machine-learning-box/gender_age_prediction/queries/rf/confusion_matrix.sql", 12, "DL601"):
        "the comma after the last CTE (listed at line 13, where the next SELECT is) is now reported on the "
        "comma itself, line 12: Trino's grammar has no `WITH a AS (...), SELECT`",
    ("td/dbm/export_dbm.dig", 5, "DL601"):
        "`FROM \u201cyour_table\u201d`: typographic quotes are UNRECOGNIZED tokens of Trino's lexer (SqlBase.g4 "
        "quotes names with ASCII \"), so the query as written fails in Trino",
    ("tool-box/schema-change-detection/schema-change-detection.dig", 32, "DL601"):
        "`query: sql/new_columns_log.sql` is sent as the query text (TdOperatorFactory reads `query` as SQL), which "
        "Trino's grammar rejects; the listed DL605 at this line had the right place and a misleading message",
}

# Listed findings the linter no longer reports, and why that is the intended reading.
KNOWN_MISSES: dict[tuple[str, int, str], str] = {
    ("machine-learning-box/house-price-prediction/regression-py.dig", 28, "DL504"):
        "test.dig calls regression-py.dig (and it has no schedule), so it is analysed in test.dig's context, "
        "where the caller's td.database deep-merges with the workflow's own td: {engine} "
        "(WorkflowExecutor.collectParams); the mistake only shows when it is started alone, as its README does",
    ("machine-learning-box/gender_age_prediction/queries/rf/confusion_matrix.sql", 13, "DL601"):
        "the same mistake is reported at the comma, line 12 (NEWLY_VERIFIED)",
    ("tool-box/schema-change-detection/schema-change-detection.dig", 32, "DL605"):
        "the same mistake is reported as DL601 at this line: a file name is no statement (NEWLY_VERIFIED)",
}

Key = tuple[str, int, str]


def _verified(findings_file: Path) -> set[Key]:
    with findings_file.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {(row["path"], int(row["line"]), row["code"]) for row in rows}


@pytest.fixture(scope="module")
def reported(treasure_boxes: Path) -> dict[Key, Diagnostic]:
    found: dict[Key, Diagnostic] = {}
    for diagnostic in lint_paths([treasure_boxes]):
        if diagnostic.severity >= Severity.WARNING:
            relative = Path(diagnostic.path).relative_to(treasure_boxes).as_posix()
            found.setdefault((relative, diagnostic.span.start.line + 1, diagnostic.code), diagnostic)
    return found


def test_every_error_and_warning_is_a_verified_mistake(reported: dict[Key, Diagnostic]) -> None:
    verified = _verified(shared_path("corpus/TREASURE_BOXES_FINDINGS.tsv")) | set(NEWLY_VERIFIED)
    false_alarms = [f"{path}:{line}: {code} {reported[(path, line, code)].message}"
                    for path, line, code in sorted(reported) if (path, line, code) not in verified]
    assert false_alarms == []


def test_every_verified_mistake_is_still_reported(reported: dict[Key, Diagnostic]) -> None:
    verified = _verified(shared_path("corpus/TREASURE_BOXES_FINDINGS.tsv"))
    missed = sorted(key for key in verified - set(reported) if key not in KNOWN_MISSES)
    assert missed == []
    assert not set(KNOWN_MISSES) & set(reported), "a known miss is reported again: drop it from KNOWN_MISSES"
