"""Linting one file equals the full analysis filtered to it, for every ``.dig`` of a corpus.

``dig-lint FILE`` loads FILE's whole project and reports FILE only; the checks skip the work whose
findings could only land in other files (``CheckContext.reports``). This runs, for every ``.dig`` under the
given folders, ``dig-lint --no-cache --format json FILE`` twice from the same source tree: as is, and with
the checks given no report (every check works on the whole project, the engine filters at the end, as
before the report was pushed down), and compares the outputs byte for byte. ``tests/test_report_filter.py``
is the short form (some projects, in-process).

Usage::

    python bench/report_filter.py [--tree DIR] [--jobs 2] [FOLDER ...]   # default: ../shared/corpus

Prints the number of files compared and every file whose outputs differ; exit code 1 when one does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the command line with the checks given no report: ``analyse_model`` run as ``reported_only=False``
_FULL = ("import sys\n"
         "from dig_lsp import engine\n"
         "_analyse_model = engine.analyse_model\n"
         "engine.analyse_model = lambda model, unit, settings, reported_only=False: "
         "_analyse_model(model, unit, settings, False)\n"
         "from dig_lsp.cli.main import main\n"
         "sys.exit(main(sys.argv[1:]))\n")
_AS_IS = "import sys\nfrom dig_lsp.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"


def _lint(tree: str, program: str, path: str) -> tuple[int, bytes]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = tree
    done = subprocess.run([sys.executable, "-P", "-c", program, "--no-cache", "--format", "json", path],
                          capture_output=True, env=env, stdin=subprocess.DEVNULL, check=False, timeout=600)
    return done.returncode, done.stdout + done.stderr


def _compare(tree: str, path: str) -> str | None:
    """None when both runs print the same; else what differs, in a line."""
    as_is, full = _lint(tree, _AS_IS, path), _lint(tree, _FULL, path)
    if as_is == full:
        return None
    return f"{path}: exit {as_is[0]} vs {full[0]}, {len(as_is[1])} vs {len(full[1])} bytes"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="dig-lint FILE vs the full analysis, for every .dig.")
    parser.add_argument("folders", nargs="*", default=[str(ROOT.parent / "shared" / "corpus")])
    parser.add_argument("--tree", default=str(ROOT), help="source tree to run (holds dig_lsp/ and schemas/)")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args(argv)
    files = sorted(str(path) for folder in options.folders for path in Path(folder).rglob("*.dig"))
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        differences = [found for found in pool.map(lambda path: _compare(options.tree, path), files) if found]
    for line in differences:
        print(line)
    print(f"{len(files)} files compared, {len(differences)} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
