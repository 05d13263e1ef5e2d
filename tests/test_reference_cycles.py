"""An analysis leaves no reference cycles behind: what it made is freed as soon as it is let go.

The language server replaces a document's analysis on every keystroke. When the project model was part
of a cycle (the scope index it memoises held contexts holding the project; the YAML composer held itself),
each replaced analysis waited for the cyclic collector: a few hundred thousand objects per keystroke, a
half-second full collection now and then, and a resident size that grew to match
(``bench/bench_lsp.py --session``). The project here exercises the model's parts (exports, ``!include``,
``call>``, ``py>`` stores, ``td>`` with a query file, templates); the first analysis warms up what is made
once per process (imports, libraries' caches), then every later analysis must leave nothing for the collector.
SQL parse trees (ANTLR's and sqlglot's nodes point at their parents) are cycles of those libraries; the
query here is one the fast path settles without either.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dig_lsp.lsp.documents import DocumentAnalyser, OpenDocument

FILES = {
    "wf.dig": ("timezone: UTC\n_export:\n  td:\n    database: db\n  greeting: hi\n"
               "+store:\n  py>: tasks.store_it\n"
               "+called:\n  call>: sub.dig\n"
               "+part: !include parts/part.dig\n"
               "+query:\n  td>: queries/q.sql\n  create_table: t_${session_date_compact}\n"
               "+show:\n  echo>: ${greeting} ${stored_value} ${moment(session_time).format('YYYY')}\n"
               "+group:\n  +inner:\n    sh>: echo ${session_date}\n"),
    "sub.dig": "+sub:\n  echo>: ${greeting}\n",
    "parts/part.dig": "echo>: from the part ${greeting}\n",
    "tasks.py": "import digdag\n\ndef store_it():\n    digdag.env.store({'stored_value': 1})\n",
    "queries/q.sql": "SELECT 1\n",
}


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _garbage_after(run: Callable[..., None], *args: object) -> Counter[str]:
    """The types of what the cyclic collector finds after ``run(*args)``."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run(*args)
        gc.collect()
        return Counter(f"{type(item).__module__}.{type(item).__qualname__}" for item in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


def test_replaced_analyses_leave_no_cycles(tmp_path: Path, collector_off: None) -> None:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = str(tmp_path / "wf.dig")
    analyser = DocumentAnalyser()
    text = FILES["wf.dig"]

    def analyse(version: int, edited: str) -> None:
        documents = {path: OpenDocument((tmp_path / "wf.dig").as_uri(), path, version, edited)}
        analysis = analyser.analyse_document(path, documents)
        assert analysis.publications[0].version == version

    analyse(1, text)  # warms up: imports, schemas, libraries' caches
    for version in range(2, 6):  # each keystroke replaces the previous analysis (incrementally)
        edited = text.replace("t_${session_date_compact}", f"t{version}_${{session_date_compact}}")
        assert _garbage_after(analyse, version, edited) == Counter()
    # a whole new load of the project (the incremental path declines a change of the top-level keys)
    assert _garbage_after(analyse, 9, text.replace("timezone: UTC", "timezone: Asia/Tokyo")) == Counter()
