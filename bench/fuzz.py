"""Long-budget fuzzing of the analysis: generated projects and mutated corpus files.

Runs the properties of ``tests/test_fuzz_projects.py`` (no exception, no DL000, ranges inside
documents, same result twice) with many more examples, counts inputs and prints what failed.

    .venv/bin/python bench/fuzz.py --examples 5000
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_fuzz_projects import EDITS, Project, check_project, corpus_case, corpus_files, projects


def _run(name: str, examples: int, strategy: st.SearchStrategy[Project]) -> tuple[int, int, list[str]]:
    counts = {"inputs": 0, "diagnostics": 0}
    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def body(files: Project) -> None:
        counts["inputs"] += 1
        try:
            counts["diagnostics"] += check_project(files)
        except Exception:
            failures.append(f"{name}: {files!r:.300}\n{traceback.format_exc(limit=3)}")
            raise

    try:
        body()
    except Exception as error:  # hypothesis re-raises the shrunk failure
        failures.append(f"{name} (shrunk): {type(error).__name__}: {error}")
    return counts["inputs"], counts["diagnostics"], failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per strategy (default 2000)")
    args = parser.parse_args()
    strategies: dict[str, st.SearchStrategy[Project]] = {"generated": projects()}
    if corpus_files():
        strategies["mutated-corpus"] = st.builds(corpus_case, st.integers(0, 10_000), EDITS)
    failed = False
    for name, strategy in strategies.items():
        started = time.monotonic()
        inputs, diagnostics, failures = _run(name, args.examples, strategy)
        elapsed = time.monotonic() - started
        print(f"{name}: {inputs} inputs, {diagnostics} diagnostics, {len(failures)} failures, {elapsed:.1f}s")
        for failure in failures[:5]:
            print("  " + failure.replace("\n", "\n  "))
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
