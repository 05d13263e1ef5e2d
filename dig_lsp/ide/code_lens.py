"""Code lenses over a workflow's first line: when it next runs, and a dry run of it.

The next run comes from the top-level ``schedule:`` read the way the hover and the schedule checks
read it (:func:`dig_lsp.model.schedule_shape.read_schedule`), in the workflow's ``timezone`` (UTC when absent,
reference section 4.3); the session's *run* time is shown, which differs from the session time
for ``daily>``/``weekly>``/``monthly>`` (session at midnight) and for a ``_delay``. The dry run
itself is :func:`dig_lsp.dryrun.run.dry_run` with default options, reported as the CLI's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dig_lsp.ide.hover import describe_schedule, workflow_zone
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.schedule import ScheduleError, next_session_times
from dig_lsp.model.schedule_shape import read_schedule
from dig_lsp.text.span import Span

if TYPE_CHECKING:  # imported for its type only: the dry run itself is imported when one runs
    from dig_lsp.dryrun.simulate import DryRun

DRY_RUN_COMMAND = "dig-lsp.server.dryRun"  # not the VS Code extension's own "dig-lsp.dryRun"
"""The command a dry-run lens carries; the server executes it (``workspace/executeCommand``)."""


@dataclass(frozen=True)
class Lens:
    """A lens: where it sits, its title and, when clicking runs something, the command and its file."""

    span: Span
    title: str
    command: str | None = None
    path: str | None = None


def code_lenses(project: ProjectModel, path: str, now: datetime | None = None) -> list[Lens]:
    """The lenses of ``path`` when it is a loaded workflow (none for included files)."""
    workflow = project.workflow(path)
    source = project.files.source(path)
    if workflow is None or source is None:
        return []
    line = source.line_span(0)
    lenses: list[Lens] = []
    schedule_title = next_run_title(project, path, now or datetime.now(UTC))
    if schedule_title is not None:
        lenses.append(Lens(line, schedule_title))
    lenses.append(Lens(line, "Dry run", DRY_RUN_COMMAND, path))
    return lenses


def next_run_title(project: ProjectModel, path: str, now: datetime) -> str | None:
    """``Next run: 2024-05-02 07:00:00+09:00 (every day at 07:00:00...)``; None without a schedule."""
    workflow = project.workflow(path)
    mapping = workflow.schedule if workflow is not None else None
    if workflow is None or mapping is None:
        return None
    try:
        schedule = read_schedule(mapping)  # the reading the hover and the schedule checks share
    except ScheduleError as error:
        return f"Schedule not valid: {error}"
    zone, zone_text, _ = workflow_zone(workflow.root)
    try:
        sessions = next_session_times(schedule, zone, now, 1)
    except (ValueError, OverflowError) as error:  # croniter's errors are ValueErrors
        return f"Next run cannot be computed: {error}"
    if not sessions:
        return "No further runs (the schedule has ended)"
    run = sessions[0].run_time.isoformat(sep=" ")
    return f"Next run: {run} ({describe_schedule(schedule)}, in {zone_text})"


def dry_run_report(project: ProjectModel, path: str, now: datetime | None = None) -> str | None:
    """The dry run of the workflow in ``path`` as the CLI's text report (None when it is no workflow)."""
    reports = dry_run_reports(project, path, now)
    return None if reports is None else reports.text


@dataclass(frozen=True)
class DryRunReports:
    """A dry run as the editor shows it: the CLI's text report, the HTML timeline, and one line to say
    how it ended."""

    text: str
    html: str
    summary: str


def dry_run_reports(project: ProjectModel, path: str, now: datetime | None = None) -> DryRunReports | None:
    """The dry run of the workflow in ``path`` in every form the editor shows (None when it is no workflow)."""
    workflow = project.workflow(path)
    if workflow is None:
        return None
    # the simulator and its JavaScript interpreter, imported when a dry run is asked for (it runs in a
    # child process of the server): the server's start-up does not pay for them
    from dig_lsp.dryrun.options import Options
    from dig_lsp.dryrun.report import render, to_text
    from dig_lsp.dryrun.run import dry_run

    run = dry_run(project, workflow, Options(), now)
    return DryRunReports(to_text(run), render(run, "html"), _summary(run))


def _summary(run: DryRun) -> str:
    from dig_lsp.dryrun.clock import duration_text

    if run.refused:
        return f"Dry run of {run.workflow}: digdag refuses the workflow before any task runs"
    return (f"Dry run of {run.workflow}: {run.state} after {duration_text(run.makespan)} (simulated), "
            f"{len(run.tasks)} tasks")
