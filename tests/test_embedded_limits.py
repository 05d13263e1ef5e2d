"""Embedded languages are parsed within bounds. A `py>` module larger than MAX_PYTHON_BYTES is not parsed (its
`ast` tree takes ~200x the source in
memory): what it stores and defines counts as unknown, so nothing about it is reported as a mistake."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from dig_lsp.diagnostics import Severity
from dig_lsp.text.limits import MAX_PYTHON_BYTES
from tests.conftest import lint_text

WORKFLOW = "+run:\n  py>: tasks.big.run\n+next:\n  echo>: ${row_count}\n"


def _module(size: int) -> str:
    filler = "".join(f"VALUE_{n} = {n}\n" for n in range(size // 16))
    return "import digdag\n\n\ndef run():\n    digdag.env.store({'row_count': 1})\n\n\n" + filler


def test_a_small_module_is_read(tmp_path: Path) -> None:
    found = lint_text(tmp_path, WORKFLOW, files={"tasks/big.py": _module(1024)})
    assert [d.code for d in found if d.severity >= Severity.WARNING] == []


def test_a_large_module_is_not_parsed_and_nothing_is_reported(tmp_path: Path) -> None:
    text = _module(MAX_PYTHON_BYTES + 1024)
    assert len(text.encode()) > MAX_PYTHON_BYTES
    found = lint_text(tmp_path, WORKFLOW.replace("row_count", "unknown_name"), files={"tasks/big.py": text})
    assert [d.code for d in found if d.severity >= Severity.WARNING] == []


def test_a_12_mb_module_stays_within_memory(tmp_path: Path) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "big.py").write_text(_module(12 * 1024 * 1024), encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    limit = 600 * 1024 * 1024  # it took 2.5 GB when such a module was parsed whole

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "dig_lsp.cli.main", "--no-cache", "--jobs", "1", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, preexec_fn=cap, check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]


def test_a_query_with_a_long_chain_of_subscripts_is_not_parsed(tmp_path: Path) -> None:
    """sqlglot's cost grows faster than the square of the `[...]` subscripts: bounded by structure."""
    query = "SELECT a" + "[1]" * 5000 + " FROM t\n"
    found = lint_text(tmp_path, "+q:\n  td>: q.sql\n  database: d\n", files={"q.sql": query})
    assert [(d.code, "subscripts" in d.message) for d in found if d.code.startswith("DL6")] == [("DL602", True)]


def test_sql_messages_show_what_the_user_wrote_not_parser_tokens(tmp_path: Path) -> None:
    text = ('+q:\n  td>:\n  database: d\n  query: "SELECT * FROM ###td.table###"\n'
            "+r:\n  td>:\n  database: d\n  query: SELECT * FROM\n")
    messages = [d.message for d in lint_text(tmp_path, text) if d.code == "DL601"]
    assert messages == ["SQL syntax error (Presto): unexpected character '#': it has no meaning in Trino's SQL",
                        "SQL syntax error (Presto): the query ends too early: expected a name"]


def test_a_presto_statement_nested_too_deep_is_not_judged(tmp_path: Path) -> None:
    """ANTLR's cost explodes with nesting (3,000 levels of '(' took over a minute): past 100 levels the
    statement is not judged, and says so."""
    query = "SELECT " + "(" * 3000 + "1" + ")" * 2999 + " FROM t\n"
    found = lint_text(tmp_path, "+q:\n  td>: q.sql\n  database: d\n", files={"q.sql": query})
    assert [(d.code, "levels deep" in d.message) for d in found if d.code.startswith("DL6")] == [("DL602", True)]
