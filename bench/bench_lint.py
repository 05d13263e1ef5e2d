"""Time dig-lint against yamllint on the shared digdag corpus.

Why: dig-lint promises to be about as cheap as a plain YAML linter, so that it can run in
editors and pre-commit hooks without anyone noticing. This script measures that promise in one
run and prints PASS/FAIL against the targets:

* warm run (result cache filled)  <= 1.0 x yamllint
* cold run (``--no-cache``)        <= 3.0 x yamllint

Three commands are timed (wall clock, median of ``--repeat`` runs, each run a fresh subprocess):

(a) ``dig-lint --no-cache --format json CORPUS``
(b) ``dig-lint --format json CORPUS`` with ``DIG_LINT_CACHE_DIR`` set to a fresh, empty
    directory: the first run fills the cache and is not measured; the second (warm) run is.
(c) ``yamllint -f parsable FILE...`` over the same ``.dig`` files (yamllint exits 1 when it
    finds problems; that is expected and ignored).

Executables are taken from the directory of the running interpreter (``sys.executable``), so
``.venv/bin/python bench/bench_lint.py`` benchmarks the tools installed in that virtualenv.
Exit code: 0, or 2 when a tool or the corpus is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Measured as installed tools run: with their bytecode caches. A shell that sets PYTHONDONTWRITEBYTECODE
# (some CI images do) would make every run compile all of dig_lsp again, a fifth of a second that
# yamllint, installed with its caches, never pays.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "digdag"

WARM_TARGET = 1.0
COLD_TARGET = 3.0

# dig-lint: 0 = no findings, 1 = findings. yamllint: 0 = clean, 1 = errors, 2 = warnings only
# (with -s). Anything else means the tool failed and its timing is meaningless.
DIG_LINT_OK_CODES = frozenset({0, 1})
YAMLLINT_OK_CODES = frozenset({0, 1, 2})

MAX_SHOWN_ARGS = 8

EXIT_OK = 0
EXIT_MISSING = 2


class MissingToolError(Exception):
    """A required executable or input directory does not exist."""


@dataclass
class Measurement:
    """Wall-clock times of one command over all repetitions."""

    label: str
    command: list[str]
    seconds: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median of the measured runs (robust against one slow outlier)."""
        return statistics.median(self.seconds)

    def summary(self) -> dict[str, object]:
        """Machine-readable form, including the derived statistics."""
        data = asdict(self)
        if len(self.command) > MAX_SHOWN_ARGS:
            # yamllint gets every file name; listing them all adds nothing to the report.
            hidden = len(self.command) - MAX_SHOWN_ARGS
            data["command"] = [*self.command[:MAX_SHOWN_ARGS], f"<{hidden} more arguments>"]
        data["median"] = self.median
        data["min"] = min(self.seconds)
        data["max"] = max(self.seconds)
        return data


@dataclass
class Verdict:
    """One ratio compared with its target."""

    name: str
    ratio: float
    target: float

    @property
    def passed(self) -> bool:
        """True when the measured ratio is within the target."""
        return self.ratio <= self.target

    def summary(self) -> dict[str, object]:
        """Machine-readable form."""
        return {"name": self.name, "ratio": self.ratio, "target": self.target, "passed": self.passed}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the numbers quoted in bench/README.md."""
    parser = argparse.ArgumentParser(description="Benchmark dig-lint (cold and warm) against yamllint.")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS,
        help=f"directory of .dig files to lint (default: {DEFAULT_CORPUS})",
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per command (default: 5)")
    parser.add_argument("--json", action="store_true", help="print results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def find_tool(name: str) -> Path:
    """Locate ``name`` next to the running interpreter.

    ``sys.executable`` is deliberately not resolved: in a virtualenv it is a symlink whose
    target lives outside the venv, and the scripts are next to the link, not the target.
    """
    bin_dir = Path(sys.executable).parent
    for candidate in (bin_dir / name, bin_dir / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MissingToolError(
        f"'{name}' not found in {bin_dir} (the bin/ directory of {sys.executable}); "
        f"install it into that environment or run this script with the interpreter that has it"
    )


def find_dig_files(corpus: Path) -> list[Path]:
    """All ``.dig`` files below ``corpus``, sorted so that every run sees the same order."""
    if not corpus.is_dir():
        raise MissingToolError(f"corpus directory {corpus} does not exist (use --corpus PATH)")
    files = sorted(path for path in corpus.rglob("*.dig") if path.is_file())
    if not files:
        raise MissingToolError(f"no .dig files found under {corpus}")
    return files


def run_timed(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[float, int, bytes]:
    """Run one command to completion; return wall-clock seconds, exit code and stdout.

    Output is captured (not shown) for every tool alike, so the cost of writing it is
    measured the same way for all of them.
    """
    start = time.perf_counter()
    completed = subprocess.run(list(command), cwd=cwd, env=dict(env), capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, completed.returncode, completed.stdout


def record(measurement: Measurement, seconds: float, code: int, ok_codes: frozenset[int]) -> None:
    """Store one timing and note an unexpected exit code (the tool crashed or was misused)."""
    measurement.seconds.append(seconds)
    measurement.exit_codes.append(code)
    if code not in ok_codes:
        measurement.problems.append(f"run {len(measurement.seconds)} exited with code {code}")


def parse_findings(stdout: bytes) -> object:
    """Decode dig-lint's JSON output; ``None`` when it is not JSON (reported as a problem)."""
    try:
        return json.loads(stdout)
    except ValueError:
        return None


def bench_cold(dig_lint: Path, corpus: Path, repeat: int, base_env: Mapping[str, str]) -> tuple[Measurement, object]:
    """(a) dig-lint without the cache; also returns the findings for the warm-run comparison."""
    command = [str(dig_lint), "--no-cache", "--format", "json", str(corpus)]
    measurement = Measurement("dig-lint cold (--no-cache)", command)
    findings: object = None
    with tempfile.TemporaryDirectory(prefix="dig-lint-bench-") as cache_dir:
        # A private cache dir guarantees the user's cache is untouched even if --no-cache leaks.
        env = {**base_env, "DIG_LINT_CACHE_DIR": cache_dir}
        for _ in range(repeat):
            seconds, code, stdout = run_timed(command, corpus, env)
            record(measurement, seconds, code, DIG_LINT_OK_CODES)
            findings = parse_findings(stdout)
    if findings is None:
        measurement.problems.append("output is not valid JSON")
    return measurement, findings


def bench_warm(
    dig_lint: Path, corpus: Path, repeat: int, base_env: Mapping[str, str], cold_findings: object
) -> Measurement:
    """(b) dig-lint with a cache: per repetition, fill a fresh cache, then time the second run."""
    command = [str(dig_lint), "--format", "json", str(corpus)]
    measurement = Measurement("dig-lint warm (cache filled)", command)
    stdout = b""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="dig-lint-bench-") as cache_dir:
            env = {**base_env, "DIG_LINT_CACHE_DIR": cache_dir}
            _fill_seconds, fill_code, _ = run_timed(command, corpus, env)
            if fill_code not in DIG_LINT_OK_CODES:
                measurement.problems.append(f"cache-filling run exited with code {fill_code}")
            seconds, code, stdout = run_timed(command, corpus, env)
            record(measurement, seconds, code, DIG_LINT_OK_CODES)
            if not any(Path(cache_dir).iterdir()):
                measurement.problems.append("the cache directory stayed empty: the cache is not used")
    # A cache that returns different findings would make the warm number meaningless.
    if parse_findings(stdout) != cold_findings:
        measurement.problems.append("warm-run findings differ from the cold run's")
    return measurement


def bench_yamllint(yamllint: Path, corpus: Path, files: Sequence[Path], repeat: int,
                   base_env: Mapping[str, str]) -> Measurement:
    """(c) yamllint over the same files, named relative to the corpus to keep the command short."""
    relative = [str(path.relative_to(corpus)) for path in files]
    command = [str(yamllint), "-f", "parsable", *relative]
    measurement = Measurement("yamllint -f parsable", command)
    for _ in range(repeat):
        seconds, code, _stdout = run_timed(command, corpus, base_env)
        record(measurement, seconds, code, YAMLLINT_OK_CODES)
    return measurement


def ratio(numerator: float, denominator: float) -> float:
    """Safe division: an (impossible in practice) zero baseline gives infinity, i.e. FAIL."""
    return numerator / denominator if denominator > 0 else float("inf")


def render_table(corpus: Path, file_count: int, repeat: int,
                 measurements: Sequence[Measurement], verdicts: Sequence[Verdict]) -> str:
    """Human-readable report."""
    lines = [
        f"corpus: {corpus} ({file_count} .dig files), {repeat} measured run(s) per command",
        "",
        f"{'command':<32}{'median s':>10}{'min s':>10}{'max s':>10}",
    ]
    for item in measurements:
        lines.append(
            f"{item.label:<32}{item.median:>10.3f}{min(item.seconds):>10.3f}{max(item.seconds):>10.3f}"
        )
    lines += ["", f"{'ratio':<32}{'value':>10}{'target':>10}{'result':>10}"]
    for verdict in verdicts:
        result = "PASS" if verdict.passed else "FAIL"
        lines.append(f"{verdict.name:<32}{verdict.ratio:>9.2f}x{'<= ' + f'{verdict.target:.1f}x':>10}{result:>10}")
    problems = [f"{item.label}: {problem}" for item in measurements for problem in item.problems]
    if problems:
        lines += ["", "problems (timings below may be meaningless):", *(f"  - {p}" for p in problems)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run all three benchmarks and report; see the module docstring for the exit codes."""
    args = parse_args(argv)
    corpus = args.corpus.resolve()
    try:
        dig_lint = find_tool("dig-lint")
        yamllint = find_tool("yamllint")
        files = find_dig_files(corpus)
    except MissingToolError as error:
        print(f"bench_lint: {error}", file=sys.stderr)
        return EXIT_MISSING

    base_env = {key: value for key, value in os.environ.items() if key != "DIG_LINT_CACHE_DIR"}
    base_env["NO_COLOR"] = "1"
    cold, cold_findings = bench_cold(dig_lint, corpus, args.repeat, base_env)
    warm = bench_warm(dig_lint, corpus, args.repeat, base_env, cold_findings)
    yaml = bench_yamllint(yamllint, corpus, files, args.repeat, base_env)
    verdicts = [
        Verdict("warm / yamllint", ratio(warm.median, yaml.median), WARM_TARGET),
        Verdict("cold / yamllint", ratio(cold.median, yaml.median), COLD_TARGET),
    ]
    measurements = [cold, warm, yaml]

    if args.json:
        report = {
            "corpus": str(corpus),
            "files": len(files),
            "repeat": args.repeat,
            "python": sys.executable,
            "measurements": {"cold": cold.summary(), "warm": warm.summary(), "yamllint": yaml.summary()},
            "verdicts": [verdict.summary() for verdict in verdicts],
        }
        print(json.dumps(report, indent=2))
    else:
        print(render_table(corpus, len(files), args.repeat, measurements, verdicts))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
