"""Time the analysis of one large generated workflow (default 50 MB of simple tasks).

The suite only tests a 5 MB file with few tasks; analysis time grows with the number of tasks,
so the many-task case is measured here: elapsed seconds, peak RSS and the diagnostics' codes.

    .venv/bin/python bench/big_file.py --megabytes 50
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.targets import Unit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    args = parser.parse_args()
    line = "  echo>: " + "x" * 80 + "\n"
    tasks = args.megabytes * 1_000_000 // (len(line) + 10)
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "big.dig")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(f"+t{i}:\n{line}" for i in range(tasks))
        started = time.monotonic()
        found = analyse(Unit(root, (path,)), Settings()).diagnostics
        elapsed = time.monotonic() - started
        size = os.path.getsize(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{size / 1e6:.1f} MB, {tasks} tasks: {elapsed:.1f}s, peak RSS {peak} MiB, "
          f"{len(found)} diagnostics {sorted({d.code for d in found})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
