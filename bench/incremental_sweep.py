"""Long-budget check of the incremental analysis: many random edits, each compared with a full one.

Runs the sessions of ``tests/test_incremental.py`` (one workflow edited again and again, every
incremental result compared with a full analysis of the same text) over more seeds and every
spliceable workflow of the shared corpus, then prints how many edits there were, how many were
analysed incrementally, and why the others were not (from ``dig_lsp.incremental``'s debug log).
Exit code 1 on the first difference (with the file and text), 0 otherwise.

    .venv/bin/python bench/incremental_sweep.py --seeds 10
"""

from __future__ import annotations

import argparse
import collections
import logging
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dig_lsp.config import Settings
from dig_lsp.model.targets import plan
from dig_lsp.syntax.loader import parse
from dig_lsp.text.source import SourceFile
from tests.test_incremental import CORPUS, _generated, _session


class _Reasons(logging.Handler):
    """Counts the debug lines saying why an analysis was not incremental."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("checking the whole project"):
            self.counts[record.getMessage()] += 1


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
    reasons = _Reasons()
    logger = logging.getLogger("dig_lsp.incremental")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(reasons)
    found = sorted(CORPUS.rglob("*.dig")) if CORPUS.is_dir() else []
    workflows = [path for path in found if parse(SourceFile(str(path), path.read_text(encoding="utf-8"))).spliceable]
    generated = _generated_project()
    incremental = total = 0
    for seed in range(args.seeds):
        rng = random.Random(seed)
        settings = Settings(profile="treasure-data") if seed % 3 == 2 else Settings()
        cases = [(path, args.edits) for path in rng.sample(workflows, min(args.files, len(workflows)))]
        for path, edits in [*cases, (generated, 150)]:
            text = _generated() if path == generated else path.read_text(encoding="utf-8")
            try:
                incremental += _session(plan([str(path)])[0], settings, str(path), text, rng, edits)
            except AssertionError as error:
                print(f"DIFFERENCE (seed {seed}) in {path}: {error}", file=sys.stderr)
                return 1
            total += edits
    print(f"{total} edits, {incremental} analysed incrementally, all equal to full analyses")
    for reason, count in reasons.counts.most_common():
        print(f"{count:6d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
