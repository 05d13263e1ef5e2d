"""Shared plumbing for the operator checks (not a check itself: it is not registered)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.analysis.exports import ExportIndex
from dig_lsp.checks.base import CheckContext
from dig_lsp.model.catalog import catalog
from dig_lsp.model.operators import HOSTED_OPERATORS, OperatorTask, plugin_declared
from dig_lsp.model.workflow import OperatorUse, Task, Workflow
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


@dataclass(frozen=True)
class UnknownOperator:
    """A task whose operator is neither built in nor provided by a plugin the files declare."""

    task: Task
    use: OperatorUse
    hint: str  # ``; did you mean 'x'?`` for a near miss of a built-in operator, or ''


def unknown_operators(ctx: CheckContext) -> tuple[UnknownOperator, ...]:
    """The operators no file provides (DL401 reports the near misses of built-in ones, and every one on
    Treasure Workflow; DL414 the rest, which a system plugin of the server may provide), found once per
    analysis for both. Skipped: names listed in the ``plugin-operators`` setting, templated names, and
    tasks that declare plugins (:func:`~dig_lsp.model.operators.plugin_declared`) or whose exports are not
    all known and may."""
    return ctx.shared("unknown_operators", lambda: tuple(_unknown_operators(ctx)))


def _unknown_operators(ctx: CheckContext) -> Iterator[UnknownOperator]:
    known = [spec.name for spec in catalog()]
    listed = set(ctx.settings.plugin_operators)
    index = export_index(ctx)
    for _, task in ctx.tasks():
        use = task.operator
        if use is None or task.disabled or not use.name or "${" in use.name:
            continue
        if catalog().operator(use.name) is not None or use.name in listed or use.name in HOSTED_OPERATORS:
            continue
        chain = index.chain(task)
        if plugin_declared(chain, task.config):
            continue
        hint = suggest(use.name, known)
        if chain.open_ended and not hint:
            continue  # exports not all known (unknown callers, unread YAML) may declare a plugin
        yield UnknownOperator(task, use, hint)
