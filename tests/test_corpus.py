"""digdag's own .dig files: every `valid` one lints without errors, every decidable `invalid` one is flagged.

MANIFEST.tsv (in ../shared/corpus/digdag) says which is which and why. The invalid files listed in
NOT_YET_DECIDABLE fail only at run time, through facts later analyses provide (operator
parameters, ${...} expressions); they are listed so the test fails loudly once they are caught.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, Severity
from tests.conftest import lint_paths

# digdag-core's test suite registers these test-only operators (reference §11).
TEST_ONLY_OPERATORS = ("noop", "store")

# Findings on `valid` files (which load and compile) that are nevertheless right: each is a run-time
# failure or an ignored key, or an arrangement the test harness makes. (path, code, line, reason)
_TESTS = "digdag-tests/src/test/resources/acceptance/"
KNOWN_FINDINGS = {
    **{(_TESTS + path, "DL112", line): "CallIT copies the called files into subfolders before running"
       for path, line in (("call/nested1.dig", 5), ("call/nested2.dig", 5), ("call/parent.dig", 17),
                          ("call/parent.dig", 23))},
    (_TESTS + "docker/docker_echo_params.dig", "DL407", 6): "the test copies scripts/echo_params.py in",
    (_TESTS + "td/echo_params/echo_params.dig", "DL407", 5): "the test copies scripts/echo_params.py in",
    (_TESTS + "td/td_wait/td_wait_bad_query.dig", "DL601", 4):
        "right: TdWaitIT's bad query (`data: 'nasdaq'` is no statement) is expected to fail",
    (_TESTS + "py/config_python.dig", "DL412", 4): "the test copies scripts/echo_params.py in",
    (_TESTS + "py/config_python.dig", "DL412", 8): "the test copies scripts/echo_params.py in",
    (_TESTS + "error_server_mail/error.dig", "DL402", 12):
        "right: td> reads the API key only from the td.apikey secret (TDClientFactory)",
    (_TESTS + "redshift/load_from_s3_csv_with_role.dig", "DL402", 12):
        "right: redshift_load> reads role_arn only from secrets (BaseRedshiftLoadOperator)",
    ("examples/python_args.dig", "DL412", 26):
        "right: tasks/python_args.py defines no exported_arguments (AttributeError at run time)",
    ("examples/treasuredata.dig", "DL402", 17): "right: td_ddl> has no delete_table parameter (drop_tables)",
    ("examples/emr.dig", "DL405", 26): "right: EmrOperatorFactory reads jars with getListOrEmpty (a list)",
    ("examples/emr.dig", "DL405", 41): "right: a command step's command is read as one string",
    ("examples/emr.dig", "DL405", 43): "right: a command step's command is read as one string",
    ("examples/emr.dig", "DL405", 61): "right: a script step needs `script` (fileReference)",
    (_TESTS + "runtime_params/params1_no_sch.dig", "DL502", 16):
        "RuntimeParamsIT passes next_session_time with -p; without it the workflow has no such variable",
    (_TESTS + "runtime_params/params1_no_sch.dig", "DL502", 19):
        "RuntimeParamsIT passes last_session_time with -p; without it the workflow has no such variable",
    (_TESTS + "sla/duration_custom.dig", "DL506", 7):
        "right: the ^sla task's ${TIMEOUT_FILE} is JavaScript; SlaIT replaces it in the text before pushing",
    **{(_TESTS + path, "DL506", line): "SecretsIT passes OUTFILE with -p; in the files it is a shell-style name"
       for path, line in (("secrets/echo_secret.dig", 4), ("secrets/echo_secret_parameterized.dig", 4),
                          ("secrets/user_secret_template.dig", 2))},
}
# digdag-core's test fixtures use an `append_file` parameter of the test suite's own echo operator.
TEST_ONLY_PARAMETER = "append_file"

# Every test-backed `invalid` file is now decided from the files alone.
NOT_YET_DECIDABLE: set[str] = set()


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str], dict[str, list[Diagnostic]]]:
    corpus = request.getfixturevalue("corpus")
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        manifest = {row["path"]: row["expectation"] for row in csv.DictReader(handle, delimiter="\t")}
    found: dict[str, list[Diagnostic]] = {}
    for diagnostic in lint_paths([corpus], Settings(plugin_operators=TEST_ONLY_OPERATORS)):
        relative = Path(diagnostic.path).relative_to(corpus).as_posix()
        found.setdefault(relative, []).append(diagnostic)
    return corpus, manifest, found


def _unexplained(path: str, d: Diagnostic) -> bool:
    if (path, d.code, d.span.start.line + 1) in KNOWN_FINDINGS:
        return False
    return not (d.code == "DL402" and f"'{TEST_ONLY_PARAMETER}'" in d.message)


def test_valid_files_have_no_errors_or_warnings(results) -> None:  # type: ignore[no-untyped-def]
    _, manifest, found = results
    unexplained = [f"{path}:{d.span.start.line + 1}: {d.code} {d.message}"
                   for path, expectation in manifest.items() if expectation == "valid"
                   for d in found.get(path, []) if d.severity >= Severity.WARNING and _unexplained(path, d)]
    assert unexplained == []


def test_known_findings_are_still_found(results) -> None:  # type: ignore[no-untyped-def]
    _, _, found = results
    present = {(path, d.code, d.span.start.line + 1) for path, items in found.items() for d in items}
    assert sorted(set(KNOWN_FINDINGS) - present) == []


def test_invalid_files_are_flagged(results) -> None:  # type: ignore[no-untyped-def]
    _, manifest, found = results
    missed = sorted(path for path, expectation in manifest.items()
                    if expectation == "invalid" and path.endswith(".dig")
                    and not any(d.severity >= Severity.ERROR for d in found.get(path, [])))
    assert missed == sorted(NOT_YET_DECIDABLE)


_CORE = "digdag-core/src/test/resources/io/digdag/core/workflow/"
_ACC = "digdag-tests/src/test/resources/acceptance/"
# (file, 1-based line of the offending key or value, code): checked by hand against each file.
EXPECTED_AT = [
    (_CORE + "invalid_error_task.dig", 5, "DL205"),
    (_CORE + "multiple_operators.dig", 3, "DL205"),
    (_CORE + "parallel_variable_group.dig", 5, "DL211"),
    (_CORE + "unused_keys_in_group.dig", 2, "DL202"),
    (_ACC + "background_after/after_without_parallel.dig", 6, "DL209"),
    (_ACC + "background_after/background_with_parallel.dig", 8, "DL208"),
    (_ACC + "error_task/invalid_at_group.dig", 5, "DL205"),
    (_ACC + "error_task/invalid_at_leaf.dig", 7, "DL205"),
    (_ACC + "parallel/parallel_variable_group.dig", 5, "DL211"),
    (_ACC + "require/parent_another_project.dig", 3, "DL101"),  # the key written without its `:`
    (_ACC + "schedule/invalid_schedule.dig", 4, "DL302"),
    (_ACC + "scheduler/invalid.dig", 5, "DL303"),
    (_ACC + "scheduler/invalid_op.dig", 5, "DL301"),
    (_ACC + "scheduler/unknown_type.dig", 4, "DL301"),
    (_ACC + "wait/wait_invalid_config.dig", 4, "DL406"),
    (_ACC + "config_eval_engine/invalid1.dig", 2, "DL501"),  # the `=>`, column 30
    (_ACC + "config_eval_engine/invalid1.dig", 6, "DL502"),  # td.last_results: nothing stores it
    (_ACC + "secrets/invalid_secret_use.dig", 5, "DL502"),  # ${key1} names a _secrets grant
    (_ACC + "parallel/invalid_parallel_variable_loop.dig", 6, "DL509"),  # ${parallel} is "tru"
    *[(_ACC + f"sla/time_{name}.dig", 4, "DL304") for name in (
        "alert_default", "alert_disabled", "alert_enabled", "custom", "fail_default", "fail_disabled",
        "fail_enabled")],
]


def test_invalid_files_are_flagged_at_the_offending_lines(results) -> None:  # type: ignore[no-untyped-def]
    _, _, found = results
    expected: dict[str, list[tuple[int, str]]] = {}
    for path, line, code in EXPECTED_AT:
        expected.setdefault(path, []).append((line, code))
    actual = {path: [(d.span.start.line + 1, d.code) for d in found.get(path, []) if d.severity >= Severity.ERROR]
              for path in expected}
    assert actual == expected


def test_es6_arrow_is_reported_at_its_column(results) -> None:  # type: ignore[no-untyped-def]
    _, _, found = results
    [diagnostic] = [d for d in found[_ACC + "config_eval_engine/invalid1.dig"] if d.code == "DL501"]
    assert (diagnostic.span.start.line + 1, diagnostic.span.start.column + 1) == (2, 30)
