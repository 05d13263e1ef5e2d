"""Shared plumbing for the operator checks (not a check itself: it is not registered)."""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.exports import ExportIndex
from dig_lsp.checks.base import CheckContext
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.text.suggest import close_matches


def export_index(ctx: CheckContext) -> ExportIndex:
    """The project's export index, built once per loaded project (:attr:`Facts.export_index
    <dig_lsp.analysis.facts.Facts.export_index>`)."""
    return ctx.facts.export_index


def operator_tasks(ctx: CheckContext) -> Iterator[tuple[Workflow, OperatorTask]]:
    """Every enabled task whose operator is in the catalog (listed once per analysis: :attr:`Facts.operator_tasks
    <dig_lsp.analysis.facts.Facts.operator_tasks>`)."""
    return iter(ctx.facts.operator_tasks)


def closest_name(word: str, candidates: list[str]) -> str | None:
    """The candidate ``word`` most likely misspells (and does not contradict), or None: what
    :func:`suggest` names, for the checks that offer it as a fix too."""
    matches = close_matches(word, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(word: str, candidates: list[str]) -> str:
    """``; did you mean 'x'?`` for the closest candidate, or ''."""
    close = closest_name(word, candidates)
    return f"; did you mean {close!r}?" if close else ""


def label(task: Task) -> str:
    """How messages name a task: its full digdag name."""
    return task.full_name
