"""What a one-file lint imports: what its file needs, not what the rest of its project would.

``dig-lint FILE`` (pre-commit's command) pays its imports before any work, and most of them are there for
work a small file does not need: judging SQL (sqlglot, Trino's ANTLR parser), jsonschema's messages for a
value that does not fit, ShellCheck's process, croniter's session times, the dry run and the language
server. Each is imported when needed; this pins that a file without SQL, shell or invalid values in a
project that has them all imports none of them, and that linting the whole project does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dig_lsp.embedded import shell

HEAVY = ("sqlglot", "antlr4", "trino_query_parser", "jsonschema", "croniter", "subprocess", "dig_lsp.dryrun",
         "dig_lsp.lsp", "dig_lsp.ide", "pygls", "lsprotocol",
         # the SQL checks name their kinds from embedded.sql_kinds; embedded.sql (its renderer, Trino's token and
         # grammar tables, the Treasure Data catalogs) only judges a query; rapidfuzz only for two-edit likenesses
         "dig_lsp.embedded.sql", "rapidfuzz",
         # standard modules needed only sometimes: a configuration file, a logged failure, a check's crash, a
         # region time-zone id (UTC is none)
         "tomllib", "logging", "traceback", "zoneinfo",
         # what the language server's re-reads and focused analyses use
         "dig_lsp.incremental", "dig_lsp.syntax.splice", "dig_lsp.analysis.moved", "dig_lsp.analysis.site_order")
PROJECT = {
    # the linted file: templates, an undefined variable, parameters of every kind (valid)
    "wf.dig": ("timezone: UTC\n_export:\n  n: 3\n+a:\n  echo>: ${n} ${missing}\n"
               "+b:\n  py>: tasks.run\n  docker:\n    image: python:3\n  _retry: 2\n"
               "+c:\n  call>: other.dig\n"),
    # the rest of the project: a schedule, queries (Presto, broken; Hive; td_for_each> columns), a shell
    # command, a value that does not fit
    "other.dig": ("timezone: UTC\nschedule:\n  daily>: 07:00:00\n+q:\n  td>: q.sql\n  engine: prestoo\n"
                  "+h:\n  td>: h.sql\n  engine: hive\n"
                  "+loop:\n  td_for_each>: q.sql\n  _do:\n    echo>: ${td.each.a}\n"
                  "+s:\n  sh>: echo 'unclosed\n"),
    "q.sql": "SELECT a FROM t WHERE\n",
    "h.sql": "SELECT a FROM t\n",
    "tasks.py": "def run():\n    pass\n",
}
_SCRIPT = ("import sys\nfrom dig_lsp.cli.main import main\n"
           "code = main(['--no-cache', '--format', 'json', sys.argv[1]])\n"
           f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))\n")


def _imported(path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(path)], capture_output=True, text=True, check=False,
                          cwd=path if path.is_dir() else path.parent, timeout=300)
    assert not done.stderr, done.stderr
    return done.stdout.splitlines()[-1]


def test_a_file_without_sql_imports_only_what_it_needs(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert _imported(tmp_path / "wf.dig") == "0 []"  # DL508 for ${missing} is an info
    whole = _imported(tmp_path)
    expected = {"sqlglot", "antlr4", "jsonschema", "dig_lsp.embedded.sql"}
    if shell.shellcheck_binary() is not None:
        expected.add("subprocess")
    assert all(f"'{name}'" in whole for name in expected), whole


def test_a_pool_parent_loads_before_forking_what_every_worker_needs() -> None:
    """Forked workers share what their parent loaded; each would otherwise import jsonschema, rapidfuzz,
    sqlglot and Trino's parser for itself (``runner._share_with_workers``)."""
    script = ("import sys\nfrom dig_lsp import runner\nrunner._share_with_workers()\n"
              "print(sorted(m for m in ('jsonschema', 'rapidfuzz', 'sqlglot.dialects.hive', 'antlr4', "
              "'dig_lsp_trino_sql_base_parser', 'zoneinfo') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=300)
    assert not done.stderr, done.stderr
    assert done.stdout.strip() == ("['antlr4', 'dig_lsp_trino_sql_base_parser', 'jsonschema', 'rapidfuzz', "
                                   "'sqlglot.dialects.hive', 'zoneinfo']")
