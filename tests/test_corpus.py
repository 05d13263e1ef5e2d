"""digdag's own .dig files: every `valid` one lints without errors, every decidable `invalid` one is flagged.

MANIFEST.tsv (in ../shared/corpus/digdag) says which is which and why. The invalid files listed in
NOT_YET_DECIDABLE fail only at run time, through facts later analyses provide (operator
parameters, ${...} expressions); they are listed so the test fails loudly once they are caught.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dig_lsp.diagnostics import Diagnostic, Severity
from tests.conftest import lint_paths

NOT_YET_DECIDABLE = {
    # ${td.last_results.cnt => 3}: an ES6 arrow inside ${...} (needs the expression checks)
    "digdag-tests/src/test/resources/acceptance/config_eval_engine/invalid1.dig",
    # _parallel: ${parallel} where _export sets parallel: tru (needs variable values)
    "digdag-tests/src/test/resources/acceptance/parallel/invalid_parallel_variable_loop.dig",
    # ${key1} is never defined (_secrets grants do not create variables; needs scope analysis)
    "digdag-tests/src/test/resources/acceptance/secrets/invalid_secret_use.dig",
    # wait> with blocking: true and poll_interval (needs the operator parameter catalog)
    "digdag-tests/src/test/resources/acceptance/wait/wait_invalid_config.dig",
}


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str], dict[str, list[Diagnostic]]]:
    corpus = request.getfixturevalue("corpus")
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        manifest = {row["path"]: row["expectation"] for row in csv.DictReader(handle, delimiter="\t")}
    found: dict[str, list[Diagnostic]] = {}
    for diagnostic in lint_paths([corpus]):
        relative = Path(diagnostic.path).relative_to(corpus).as_posix()
        found.setdefault(relative, []).append(diagnostic)
    return corpus, manifest, found


def test_valid_files_have_no_errors(results) -> None:  # type: ignore[no-untyped-def]
    _, manifest, found = results
    errors = [f"{path}:{d.span.start.line + 1}: {d.code} {d.message}"
              for path, expectation in manifest.items() if expectation == "valid"
              for d in found.get(path, []) if d.severity >= Severity.ERROR]
    assert errors == []


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
    (_ACC + "require/parent_another_project.dig", 4, "DL101"),
    (_ACC + "schedule/invalid_schedule.dig", 4, "DL302"),
    (_ACC + "scheduler/invalid.dig", 5, "DL303"),
    (_ACC + "scheduler/invalid_op.dig", 5, "DL301"),
    (_ACC + "scheduler/unknown_type.dig", 4, "DL301"),
    *[(_ACC + f"sla/time_{name}.dig", 4, "DL304") for name in (
        "alert_default", "alert_disabled", "alert_enabled", "custom", "fail_default", "fail_disabled",
        "fail_enabled")],
]


@pytest.mark.parametrize(("path", "line", "code"), EXPECTED_AT, ids=[p.rsplit("/", 1)[-1] for p, _, _ in EXPECTED_AT])
def test_invalid_files_are_flagged_at_the_offending_line(results, path: str, line: int, code: str) -> None:  # type: ignore[no-untyped-def]
    _, _, found = results
    assert [(d.span.start.line + 1, d.code) for d in found.get(path, []) if d.severity >= Severity.ERROR] == [
        (line, code)]
