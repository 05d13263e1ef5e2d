"""A cold run over the whole shared corpus writes nothing to standard error (issue 20).

Why: a library's warning (sqlglot's "Falling back to parsing as a 'Command'", a deprecation, ANTLR's
ambiguity reports) on a user's terminal or in a CI log reads as a problem of their project, or of
dig-lint. The run is a real subprocess over digdag's examples and treasure-boxes together (the SQL judge,
the JavaScript parser and ShellCheck all run), with the worker processes the CLI starts; ``-W default``
also shows the warnings Python hides by default (deprecations), so none hides there either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import shared_path


def test_a_cold_run_over_the_corpus_writes_nothing_to_stderr() -> None:
    corpus = shared_path("corpus")
    env = {key: value for key, value in os.environ.items() if key not in ("DIG_LINT_SHELLCHECK", "PYTHONWARNINGS")}
    result = subprocess.run([sys.executable, "-W", "default", "-m", "dig_lsp.cli.main", "--no-cache",
                             "--format", "json", str(corpus)],
                            capture_output=True, text=True, env=env, timeout=600, check=False)
    assert result.returncode == 1, result.stderr  # findings, no failure
    assert result.stderr == ""
    assert len(json.loads(result.stdout)) > 100
