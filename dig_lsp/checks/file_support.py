"""The file references the file, SQL and shell checks read (not a check itself: it is not registered).

They are facts of the analysis (:attr:`dig_lsp.analysis.facts.Facts.task_file_references`, built by
:mod:`dig_lsp.analysis.file_references`); this module is the checks' spelling of them.
"""

from __future__ import annotations

from dig_lsp.checks.base import CheckContext
from dig_lsp.model.files import FileReference
from dig_lsp.model.operators import OperatorTask


def task_file_references(ctx: CheckContext) -> tuple[tuple[OperatorTask, FileReference], ...]:
    """Every file an operator task names (``call>`` targets excluded: the model loads those), resolved
    against its workflow's working directory; found once per analysis for the file-reference checks."""
    return ctx.facts.task_file_references


def references_of(ctx: CheckContext, op: OperatorTask) -> tuple[FileReference, ...]:
    """The file references of one operator task (see :func:`task_file_references`)."""
    return ctx.facts.file_references_of(op)
