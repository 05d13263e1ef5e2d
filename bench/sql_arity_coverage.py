"""How many calls of Trino built-ins the argument-count check (DL607) examines on real projects.

Lints each folder (default: ``../shared/corpus/treasure-boxes`` beside the repository) with DL607
selected and counts, over the Presto queries of ``td>``/``td_wait>``/``td_for_each>``, the calls the
fast recogniser counted (statements it accepts), how many name a function of
``schemas/sql/trino_arity.json``, how many of those were skipped for an unknown ``${...}`` inside the
parentheses, and how many were reported. Counts are per analysed query (a file two tasks run counts
twice).

    .venv/bin/python bench/sql_arity_coverage.py [FOLDER ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dig_lsp.config import Settings  # noqa: E402
from dig_lsp.embedded import sql  # noqa: E402
from dig_lsp.embedded.trino_functions import trino_arities  # noqa: E402
from dig_lsp.engine import analyse  # noqa: E402
from dig_lsp.model.targets import plan  # noqa: E402

DEFAULT = [ROOT.parent / "shared" / "corpus" / "treasure-boxes"]


def main(folders: list[Path]) -> None:
    counts: Counter[str] = Counter()
    names: Counter[str] = Counter()
    original = sql._builtin_arity
    calls = sql._trino_calls

    def counting_calls(text: str, tokens: Any) -> Any:
        found = calls(text, tokens)
        counts["calls counted by the recogniser"] += len(found)
        return found

    def counting(query: Any, outcome: Any, index: int, paren: int, count: int) -> list[Any]:
        token = (outcome.parsed.tokens or ())[index]
        if token.text.lower() in trino_arities():
            counts["calls of a catalogued built-in"] += 1
            names[token.text.lower()] += 1
        issues = original(query, outcome, index, paren, count)
        counts["reported"] += len(issues)
        return issues

    sql._builtin_arity = counting  # type: ignore[assignment]
    sql._trino_calls = counting_calls  # type: ignore[assignment]
    settings = Settings(select=("DL607",))
    for folder in folders:
        for unit in plan([str(folder)]):
            analyse(unit, settings)
    for key, value in counts.items():
        print(f"{key}: {value}")
    print("most examined:", ", ".join(f"{name} {n}" for name, n in names.most_common(15)))


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or DEFAULT)
