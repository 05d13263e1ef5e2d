"""Long-budget check of the incremental analysis: many random edits, each compared with a full one.

Runs the sessions of ``tests/test_incremental.py`` (one file edited again and again, every
incremental result compared with a full analysis of the same text) over more seeds: every
spliceable workflow of the shared corpus, a generated project, and a generated project with
``!include`` (edits in the workflow, and in the files it includes inside tasks). Prints, per kind
of session, how many edits there were, how many were analysed incrementally, and why the others
were not (``dig_lsp.incremental.Fallback``). Exit code 1 on the first difference (with the file
and text), 0 otherwise.

    .venv/bin/python bench/incremental_sweep.py --seeds 10
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dig_lsp.config import Settings
from dig_lsp.model.targets import Unit, plan
from dig_lsp.syntax.loader import parse
from dig_lsp.text.source import SourceFile
from tests.test_incremental import BROKE_THE_YAML, CORPUS, Reasons, _generated, _session, include_project


def _generated_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="dig-lsp-sweep-"))
    (root / "queries").mkdir()
    for number in range(3):
        (root / "queries" / f"q{number}.sql").write_text(f"SELECT {number} AS n FROM t\n", encoding="utf-8")
    (root / "other.dig").write_text("+o:\n  echo>: ${x}\n", encoding="utf-8")
    (root / "wf.dig").write_text(_generated(), encoding="utf-8")
    return root / "wf.dig"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=4, help="random seeds, each a pass over the files (default 4)")
    parser.add_argument("--files", type=int, default=40, help="corpus workflows per seed (default 40)")
    parser.add_argument("--edits", type=int, default=20, help="edits per corpus workflow (default 20)")
    args = parser.parse_args()
    found = sorted(CORPUS.rglob("*.dig")) if CORPUS.is_dir() else []
    workflows = [path for path in found if parse(SourceFile(str(path), path.read_text(encoding="utf-8"))).spliceable]
    generated = _generated_project()
    with_includes = include_project(Path(tempfile.mkdtemp(prefix="dig-lsp-sweep-includes-")))
    include_unit = plan([str(with_includes)])[0]
    included = [with_includes.parent / "tasks" / "t0.yml", with_includes.parent / "tasks" / "t1.yml"]
    totals: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    reasons: dict[str, Reasons] = collections.defaultdict(collections.Counter)
    for seed in range(args.seeds):
        rng = random.Random(seed)
        settings = Settings(profile="treasure-data") if seed % 3 == 2 else Settings()
        cases: list[tuple[str, Path, Unit, int]] = [
            ("corpus workflows", path, plan([str(path)])[0], args.edits)
            for path in rng.sample(workflows, min(args.files, len(workflows)))]
        cases += [("generated workflow", generated, plan([str(generated)])[0], 150),
                  ("workflow with !include", with_includes, include_unit, 150),
                  *(("file included in tasks", path, include_unit, 75) for path in included)]
        for kind, path, unit, edits in cases:
            text = path.read_text(encoding="utf-8")
            try:
                totals[kind][1] += _session(unit, settings, str(path), text, rng, edits, reasons[kind])
            except AssertionError as error:
                print(f"DIFFERENCE (seed {seed}) in {path}: {error}", file=sys.stderr)
                return 1
            totals[kind][0] += edits
    for kind, (edits, incremental) in totals.items():
        valid = edits - reasons[kind][BROKE_THE_YAML]
        share = 100 * incremental / max(1, valid)
        print(f"{kind}: {edits} edits, {valid} leaving the YAML valid, {incremental} analysed incrementally "
              f"({share:.0f}% of those), all equal to full analyses")
        for reason, count in reasons[kind].most_common():
            print(f"  {count:6d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
