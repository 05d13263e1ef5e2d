"""The top-level schedules the schedule checks look at (not a check itself: it is not registered)."""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext
from dig_lsp.model.schedule_shape import ScheduleShape, schedule_shape
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Entry


def root_schedules(ctx: CheckContext) -> Iterator[tuple[Workflow, Entry]]:
    """The top-level ``schedule`` entry of each workflow digdag schedules.

    Files only reached through ``call>`` are not workflows of their own: their top-level
    ``schedule`` becomes a key of a nested group, which digdag accepts and ignores.
    """
    for workflow in ctx.workflows:
        if workflow.is_called or workflow.root.disabled:
            continue
        entry = workflow.root.entry("schedule")
        if entry is not None:
            yield workflow, entry


def schedule_mappings(ctx: CheckContext) -> Iterator[ScheduleShape]:
    """The shape of every top-level schedule that is a mapping with a known type."""
    for workflow, _ in root_schedules(ctx):
        if workflow.schedule is not None:
            shape = schedule_shape(workflow.schedule)
            if shape.known:
                yield shape
