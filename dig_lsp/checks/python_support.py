"""What the `py>` checks share: each `py>` task's target (not a check itself: it is not registered).

The targets are facts of the analysis (:attr:`dig_lsp.analysis.facts.Facts.python_tasks`, resolved by
:mod:`dig_lsp.analysis.python_tasks`); this module is the checks' spelling of them.
"""

from __future__ import annotations

from dig_lsp.analysis.python_tasks import PythonTask
from dig_lsp.checks.base import CheckContext


def python_tasks(ctx: CheckContext) -> tuple[PythonTask, ...]:
    """Every enabled `py>` task with a literal command (no `${...}`), its target resolved, once per analysis."""
    return ctx.facts.python_tasks
