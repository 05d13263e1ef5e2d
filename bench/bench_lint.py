"""CPU time and memory of dig-lint against yamllint and a floor, in interleaved rounds (issue 20).

Why: dig-lint promises to cost about what a plain YAML linter costs, so that it can run in CI, in
pre-commit and on every save without anyone noticing. Wall-clock time on a shared machine says more about
the neighbours than about the tool, so each command's cost is its CPU time: user + system time of the
child and of every process it waited for (worker processes, ShellCheck), from ``os.wait4``; its peak
memory is the largest resident set of any of those processes (``ru_maxrss``). Commands run in
interleaved rounds (A B C ... A B C ...), so a busy moment hits all of them, and every ratio is taken
within one round; min / median / max are over the rounds.

Commands, on each corpus (``--corpus``, default ``../shared/corpus`` beside the repository: digdag's
examples and treasure-boxes; and ``x4``, four copies of it in a temporary directory, for scaling):

* ``cold``: ``dig-lint --no-cache --format json CORPUS``;
* ``warm``: ``dig-lint --format json CORPUS`` with a private ``DIG_LINT_CACHE_DIR`` filled before the
  rounds (its output must equal the cold run's);
* ``pre-commit``: what ``.pre-commit-hooks.yaml`` runs for one changed file (``dig-lint FILE``, the entry
  with the file name; the default text format), with an empty cache dir each round: a changed file is a miss;
* ``yamllint``: ``yamllint -f parsable`` over the same ``.dig`` files (and over the one file, for
  pre-commit);
* ``floor``: ``bench/floor.py CORPUS`` (compose every ``.dig`` with ruamel.yaml as our loader does, read
  every ``.sql``/``.yml``/``.py``/``.sh`` file).

Targets (issue 20): cold <= 1x yamllint; warm <= 0.1x yamllint; pre-commit <= 1x yamllint on that file;
peak memory of a cold run <= 100 MB per process. Each is judged on the median ratio and printed as PASS or
FAIL; ratios against the floor are printed too. Executables are taken from the directory of the running
interpreter, so run it with the virtualenv's Python. Exit code 0 (even on FAIL), 2 when a tool or the
corpus is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"

COLD_TARGET = 1.0
WARM_TARGET = 0.1
PRECOMMIT_TARGET = 1.0
MEMORY_TARGET_MB = 100.0

# dig-lint: 0 = no findings, 1 = findings. yamllint: 0 = clean, 1 = errors, 2 = warnings only.
DIG_LINT_OK_CODES = frozenset({0, 1})
YAMLLINT_OK_CODES = frozenset({0, 1, 2})
FLOOR_OK_CODES = frozenset({0})
# The small file pre-commit is timed on: the smallest .dig of the corpus of at least this size, so that
# it is a real workflow and not an empty stub.
SMALL_FILE_MIN_BYTES = 300
EXIT_OK, EXIT_MISSING = 0, 2


class MissingToolError(Exception):
    """A required executable or input directory does not exist."""


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    cpu: float  # user + system seconds of the child and every process it waited for
    peak_mb: float  # largest resident set of any of those processes
    code: int
    stdout: bytes
    stderr: bytes


@dataclass
class Series:
    """The samples of one command over the rounds, and what went wrong in them."""

    label: str
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def cpu(self) -> list[float]:
        return [sample.cpu for sample in self.samples]

    @property
    def peak(self) -> list[float]:
        return [sample.peak_mb for sample in self.samples]


@dataclass(frozen=True)
class Target:
    """A per-round ratio of two series compared with a bound (None: reported, not judged)."""

    name: str
    numerator: str
    denominator: str
    bound: float | None


def stats(values: Sequence[float]) -> dict[str, float]:
    """min / median / max: the spread says how much one number can be trusted."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


# Peak memory is read from /usr/bin/time: the ru_maxrss wait4 reports for a child includes the memory of
# this script at the moment the child was spawned (Linux records the pre-exec address space's high-water
# mark, and vfork shares ours), so every tool looked at least as large as the benchmark itself.
TIME = "/usr/bin/time"


def run(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> Sample:
    """Run ``command`` to completion; CPU from ``os.wait4`` of that child, peak memory from ``time``.

    The rusage ``wait4`` returns covers the child and the descendants it waited for (Linux reports
    ``RUSAGE_BOTH`` for a reaped child), so worker pools and ShellCheck are counted. ``/usr/bin/time``
    (when present) runs the command and writes its peak RSS (``%M``, KiB: the largest of the command's
    processes); its own CPU, a millisecond, is counted with the command's.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        wrapped = [TIME, "-f", "%M", "-o", rss.name, *command] if os.access(TIME, os.X_OK) else list(command)
        process = subprocess.Popen(wrapped, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=dict(env), cwd=cwd)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        lines = rss.read().split()
        peak_kib = int(lines[-1]) if wrapped[0] == TIME and lines and lines[-1].isdigit() else usage.ru_maxrss
        # time prints "Command exited with non-zero status N" to its -o file and exits with N
        return Sample(usage.ru_utime + usage.ru_stime, peak_kib / 1024, process.returncode, out.read(), err.read())


def find_tool(name: str) -> Path:
    """``name`` next to the running interpreter (not resolved: a venv's python is a link)."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    raise MissingToolError(f"'{name}' not found in {candidate.parent}; run this script with the venv's python")


def dig_files(corpus: Path) -> list[Path]:
    """The ``.dig`` files yamllint is given, sorted so that every run sees the same order."""
    return sorted(path for path in corpus.rglob("*.dig") if path.is_file())


def small_file(corpus: Path) -> Path:
    """The pre-commit subject: the smallest ``.dig`` of at least SMALL_FILE_MIN_BYTES (name breaks ties)."""
    files = [path for path in dig_files(corpus) if path.stat().st_size >= SMALL_FILE_MIN_BYTES]
    if not files:
        raise MissingToolError(f"no .dig file of {SMALL_FILE_MIN_BYTES} bytes or more under {corpus}")
    return min(files, key=lambda path: (path.stat().st_size, str(path)))


@contextmanager
def scaled(corpus: Path, copies: int) -> Iterator[Path]:
    """``corpus`` itself (1), or a temporary directory holding ``copies`` copies of it."""
    if copies == 1:
        yield corpus
        return
    with tempfile.TemporaryDirectory(prefix="dig-lint-bench-corpus-") as temp:
        for index in range(copies):
            shutil.copytree(corpus, Path(temp) / f"copy{index + 1}", symlinks=True)
        yield Path(temp)


class Bench:
    """The commands of one corpus, their series, and the checks that their output can be trusted."""

    def __init__(self, name: str, corpus: Path, env: Mapping[str, str], temp: Path) -> None:
        self.name = name
        self.corpus = corpus
        self.env = env
        self.temp = temp
        dig_lint, yamllint = str(find_tool("dig-lint")), str(find_tool("yamllint"))
        files = [str(path.relative_to(corpus)) for path in dig_files(corpus)]
        if not files:
            raise MissingToolError(f"no .dig files under {corpus}")
        self.file_count = len(files)
        self.small = small_file(corpus)
        self.warm_cache = temp / f"{name}-warm-cache"
        self.commands: dict[str, tuple[list[str], frozenset[int]]] = {
            "cold": ([dig_lint, "--no-cache", "--format", "json", str(corpus)], DIG_LINT_OK_CODES),
            "warm": ([dig_lint, "--format", "json", str(corpus)], DIG_LINT_OK_CODES),
            "pre-commit": ([dig_lint, str(self.small)], DIG_LINT_OK_CODES),
            "yamllint": ([yamllint, "-f", "parsable", *files], YAMLLINT_OK_CODES),
            "yamllint 1 file": ([yamllint, "-f", "parsable", str(self.small)], YAMLLINT_OK_CODES),
            "floor": ([sys.executable, str(FLOOR_SCRIPT), str(corpus)], FLOOR_OK_CODES),
        }
        self.series = {label: Series(label) for label in self.commands}
        self.cold_output: bytes | None = None

    def _env(self, label: str, round_: int) -> dict[str, str]:
        if label == "warm":
            return {**self.env, "DIG_LINT_CACHE_DIR": str(self.warm_cache)}
        # cold never reads or writes a cache; pre-commit starts from an empty one every round
        return {**self.env, "DIG_LINT_CACHE_DIR": str(self.temp / f"{self.name}-{label}-{round_}")}

    def prepare(self) -> None:
        """Untimed: fill the warm cache (which also compiles the bytecode) and keep the cold output."""
        for label in ("cold", "warm", "yamllint", "floor"):
            command, _codes = self.commands[label]
            sample = run(command, self._env(label, 0), self.corpus)
            if label == "cold":
                self.cold_output = sample.stdout

    def measure(self, label: str, round_: int) -> None:
        command, codes = self.commands[label]
        sample = run(command, self._env(label, round_), self.corpus)
        series = self.series[label]
        series.samples.append(sample)
        if sample.code not in codes:
            series.problems.append(f"round {round_}: exit code {sample.code}")
        if label in ("cold", "warm", "pre-commit") and sample.stderr:
            first = sample.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            series.problems.append(f"round {round_}: wrote to stderr: {first}")
        if label == "warm" and sample.stdout != self.cold_output:
            series.problems.append(f"round {round_}: output differs from the cold run's")

    def ratios(self, numerator: str, denominator: str) -> list[float]:
        """Per-round ratios of CPU time."""
        return [a / b if b > 0 else float("inf")
                for a, b in zip(self.series[numerator].cpu, self.series[denominator].cpu, strict=True)]


TARGETS = (
    Target("cold / yamllint", "cold", "yamllint", COLD_TARGET),
    Target("warm / yamllint", "warm", "yamllint", WARM_TARGET),
    Target("pre-commit / yamllint", "pre-commit", "yamllint 1 file", PRECOMMIT_TARGET),
    Target("cold / floor", "cold", "floor", None),
    Target("warm / floor", "warm", "floor", None),
    Target("yamllint / floor", "yamllint", "floor", None),
)


def report(bench: Bench) -> dict[str, object]:
    """One corpus's results, machine-readable."""
    verdicts = []
    for target in TARGETS:
        spread = stats(bench.ratios(target.numerator, target.denominator))
        verdicts.append({"name": target.name, **spread, "target": target.bound,
                         "passed": None if target.bound is None else spread["median"] <= target.bound})
    peak = max(bench.series["cold"].peak)
    verdicts.append({"name": "cold peak MB per process", "min": min(bench.series["cold"].peak),
                     "median": statistics.median(bench.series["cold"].peak), "max": peak,
                     "target": MEMORY_TARGET_MB, "passed": peak <= MEMORY_TARGET_MB})
    return {
        "corpus": bench.name, "path": str(bench.corpus), "dig_files": bench.file_count,
        "small_file": str(bench.small),
        "cpu_seconds": {label: stats(series.cpu) for label, series in bench.series.items()},
        "peak_mb": {label: stats(series.peak) for label, series in bench.series.items()},
        "verdicts": verdicts,
        "problems": [f"{label}: {p}" for label, series in bench.series.items() for p in series.problems],
    }


def render(results: list[dict[str, object]], rounds: int) -> str:
    """The human-readable table."""
    lines = [f"{rounds} interleaved rounds; CPU = user + system of the process and the children it waited for"]
    for result in results:
        lines += ["", f"corpus {result['corpus']}: {result['path']} ({result['dig_files']} .dig files; "
                  f"pre-commit file {result['small_file']})",
                  f"{'command':<18}{'CPU min':>9}{'median':>9}{'max':>9}{'peak MB':>9}"]
        cpu = result["cpu_seconds"]
        peak = result["peak_mb"]
        assert isinstance(cpu, dict)
        assert isinstance(peak, dict)
        for label, spread in cpu.items():
            lines.append(f"{label:<18}{spread['min']:>9.3f}{spread['median']:>9.3f}{spread['max']:>9.3f}"
                         f"{peak[label]['max']:>9.1f}")
        lines.append(f"{'ratio':<28}{'min':>8}{'median':>8}{'max':>8}{'target':>9}  result")
        verdicts = result["verdicts"]
        assert isinstance(verdicts, list)
        for verdict in verdicts:
            target = "" if verdict["target"] is None else f"<= {verdict['target']:g}"
            outcome = "" if verdict["passed"] is None else ("PASS" if verdict["passed"] else "FAIL")
            lines.append(f"{verdict['name']:<28}{verdict['min']:>8.2f}{verdict['median']:>8.2f}"
                         f"{verdict['max']:>8.2f}{target:>9}  {outcome}")
        problems = result["problems"]
        assert isinstance(problems, list)
        if problems:
            lines += ["problems (the numbers above may be meaningless):", *(f"  - {p}" for p in problems)]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="CPU and memory of dig-lint against yamllint and a floor.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"directory of projects (default: {DEFAULT_CORPUS})")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default: 5; at least 5 "
                        "for numbers worth quoting)")
    parser.add_argument("--scales", default="1,4", help="comma-separated copy counts of the corpus (default: 1,4)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        args.scales = [int(part) for part in args.scales.split(",")]
    except ValueError:
        parser.error("--scales: comma-separated positive integers")
    if not args.scales or min(args.scales) < 1:
        parser.error("--scales: comma-separated positive integers")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = args.corpus.resolve()
    # Measured as installed tools run: with their bytecode caches (the shell here sets
    # PYTHONDONTWRITEBYTECODE, which would make every child compile all of dig_lsp again).
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONDONTWRITEBYTECODE", "DIG_LINT_CACHE_DIR")}
    env["NO_COLOR"] = "1"
    try:
        if not corpus.is_dir():
            raise MissingToolError(f"corpus directory {corpus} does not exist (use --corpus PATH)")
        with ExitStack() as stack:
            temp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dig-lint-bench-")))
            benches = []
            for copies in args.scales:
                bench = Bench(f"x{copies}", stack.enter_context(scaled(corpus, copies)), env, temp)
                bench.prepare()
                benches.append(bench)
            for round_ in range(1, args.rounds + 1):
                for bench in benches:
                    for label in bench.commands:
                        bench.measure(label, round_)
    except MissingToolError as error:
        print(f"bench_lint: {error}", file=sys.stderr)
        return EXIT_MISSING
    results = [report(bench) for bench in benches]
    if args.json:
        print(json.dumps({"rounds": args.rounds, "python": sys.executable, "results": results}, indent=2))
    else:
        print(render(results, args.rounds))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
