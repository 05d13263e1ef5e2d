"""CPU time of the same dig-lint command run from several source trees, in interleaved rounds.

Why: a speed-up is only worth keeping when it is measurable and changes no output. This runs
``python -m dig_lsp.cli.main ARGS`` with ``PYTHONPATH`` set to each tree (a copy of ``dig_lsp/`` and
``schemas/``, e.g. ``git archive COMMIT dig_lsp schemas | tar -x -C DIR``), one tree after the other in
every round (a busy moment of the shared machine hits them all), and prints each tree's CPU time
(user + system of the process and the children it waited for, from ``os.wait4``) as min / median / max,
its peak RSS, and whether its output is byte-identical to the first tree's.

Usage::

    python bench/compare_trees.py --tree before=/tmp/a --tree after=/tmp/b --rounds 5 \\
        -- --no-cache --format json ../shared/corpus

Exit code 0; 1 when some tree's output differs from the first tree's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence


def _run(tree: str, args: Sequence[str]) -> tuple[float, float, bytes]:
    """One run from ``tree``: CPU seconds, peak RSS in MiB (wait4's, which also counts this script's memory
    at spawn: compare it between trees only) and the output."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = tree
    with tempfile.TemporaryFile() as out:
        # -P: the current folder (a checkout holds dig_lsp/ too) must not come before PYTHONPATH
        process = subprocess.Popen([sys.executable, "-P", "-m", "dig_lsp.cli.main", *args], stdout=out,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Interleaved CPU comparison of dig-lint source trees.")
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then dig-lint's arguments")
    options = parser.parse_args(argv)
    trees = [tuple(item.split("=", 1)) for item in options.tree]
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    for _name, path in trees:  # untimed: compile each tree's bytecode
        _run(path, args)
    cpu: dict[str, list[float]] = {name: [] for name, _ in trees}
    peak: dict[str, list[float]] = {name: [] for name, _ in trees}
    outputs: dict[str, bytes] = {}
    for _ in range(options.rounds):
        for name, path in trees:
            seconds, megabytes, output = _run(path, args)
            cpu[name].append(seconds)
            peak[name].append(megabytes)
            outputs.setdefault(name, output)
    first = outputs[trees[0][0]]
    differs = False
    print(f"{'tree':<12}{'CPU min':>9}{'median':>9}{'max':>9}{'peak MB':>9}  output")
    for name, _path in trees:
        same = outputs[name] == first
        differs |= not same
        print(f"{name:<12}{min(cpu[name]):>9.2f}{statistics.median(cpu[name]):>9.2f}{max(cpu[name]):>9.2f}"
              f"{max(peak[name]):>9.1f}  {'same' if same else 'DIFFERS'}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
