"""Entry point: simulate one workflow of a loaded project and summarise the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from dig_lsp.dryrun.clock import wall_clock
from dig_lsp.dryrun.compile import workflow_errors
from dig_lsp.dryrun.options import Options
from dig_lsp.dryrun.render import session_variables
from dig_lsp.dryrun.simulate import DryRun, Simulator, critical_path, max_concurrency
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.schedule import (
    ParsedSchedule,
    ScheduleError,
    next_session_times,
    parse_sla_time,
    parse_zone_id,
)
from dig_lsp.model.schedule_shape import read_schedule
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Mapping, Scalar
from dig_lsp.text.limits import recursion_headroom


def workflow_zone(workflow: Workflow) -> tuple[tzinfo, str, list[str]]:
    """The workflow's ``timezone`` (default UTC, reference section 4.3)."""
    node = workflow.root.config.get("timezone")
    if isinstance(node, Scalar) and isinstance(node.value, str):
        try:
            return parse_zone_id(node.value), node.value.strip(), []
        except ScheduleError as error:
            return UTC, "UTC", [f"timezone: {error}; UTC is used"]
    return UTC, "UTC", []


def workflow_schedule(workflow: Workflow) -> tuple[ParsedSchedule | None, list[str]]:
    """The top-level ``schedule:``, when it is valid (reference section 4.1), read the one way the checks,
    the hover and the code lens read it (:func:`dig_lsp.model.schedule_shape.read_schedule`)."""
    node = workflow.schedule
    if node is None:
        return None, []
    try:
        return read_schedule(node), []
    except ScheduleError as error:
        return None, [f"schedule: {error}; the schedule is ignored"]


def _session_time(options: Options, schedule: ParsedSchedule | None, zone: tzinfo, now: datetime) -> datetime:
    if options.session_time is not None:
        given = options.session_time
        return (given if given.tzinfo is not None else given.replace(tzinfo=zone)).astimezone(zone)
    if schedule is not None:
        sessions = next_session_times(schedule, zone, now, 1)
        if sessions:
            return sessions[0].session_time
    return now.astimezone(zone).replace(microsecond=0)


def _sla(workflow: Workflow, origin: datetime, end: datetime,
         zone: tzinfo) -> tuple[dict[str, object] | None, list[str]]:
    """``SlaCalculator``: ``time`` = that wall-clock time on the run's day (+1 day if passed), ``duration``."""
    node = workflow.root.config.get("sla")
    if not isinstance(node, Mapping):
        return None, []
    time_node, duration_node = node.get("time"), node.get("duration")
    if (time_node is None) == (duration_node is None):
        return None, ["sla: SLA must be specified using either the 'time' or 'duration' option"]
    option = "time" if time_node is not None else "duration"
    value = time_node if time_node is not None else duration_node
    text = str(value.value) if isinstance(value, Scalar) else ""
    try:
        hour, minute, second = parse_sla_time(text, option)
    except ScheduleError as error:
        return None, [f"sla: {error}"]
    if option == "duration":  # an elapsed time: added to the instant, not to the wall clock
        deadline = origin.astimezone(UTC) + timedelta(hours=hour, minutes=minute, seconds=second)
    else:
        local = origin.astimezone(zone)
        deadline = (local.replace(hour=0, minute=0, second=0, tzinfo=None) + timedelta(
            hours=hour, minutes=minute, seconds=second)).replace(tzinfo=zone).astimezone(UTC)
        if deadline < origin:
            deadline += timedelta(days=1)
    alert, fail = node.get("alert"), node.get("fail")
    return {
        "option": option,
        "value": text,
        "deadline": deadline.astimezone(zone).isoformat(),
        "met": end <= deadline,
        "alert": not (isinstance(alert, Scalar) and alert.value in (False, "false")),
        "fail": isinstance(fail, Scalar) and fail.value in (True, "true"),
    }, []


def _end(origin: datetime, makespan: float) -> datetime:
    """When the session ends; past what a datetime holds, the latest one (only an SLA verdict reads it).
    Through UTC: an aware datetime plus a timedelta adds wall time (wrong across a daylight-saving change)."""
    return wall_clock(origin, makespan) or datetime.max.replace(tzinfo=UTC)


def dry_run(project: ProjectModel, workflow: Workflow, options: Options, now: datetime | None = None) -> DryRun:
    """Simulate one session of ``workflow``; a workflow digdag refuses to compile is not simulated."""
    zone, zone_name, problems = workflow_zone(workflow)
    schedule, schedule_problems = workflow_schedule(workflow)
    problems += schedule_problems
    session_time = _session_time(options, schedule, zone, now or datetime.now(UTC))
    origin = session_time + timedelta(seconds=schedule.delay if schedule is not None else 0)
    session = session_variables(workflow.name, session_time, zone, zone_name, schedule)
    refused = [str(error) for error in workflow_errors(workflow)]
    if refused:
        return DryRun(
            workflow=workflow.name, path=workflow.path, timezone=zone_name, origin=origin.astimezone(zone),
            session=session, tasks=[], events=[], segments=[], state="error", makespan=0.0, critical_path=[],
            max_concurrency=0, retries=0, sla=None, problems=problems, refused=refused,
        )
    simulator = Simulator(project, workflow, options, zone, zone_name, session, origin)
    with recursion_headroom():  # the JavaScript evaluator recurses up to its own depth limit
        simulator.run()
    records = list(simulator.records.values())
    root = simulator.records[f"+{workflow.name}"]
    makespan = max([s.end for s in simulator.segments] + [root.end or 0.0])
    state = root.state if not simulator.problems or root.state == "error" else "error"
    if any(p.startswith("Too many tasks") for p in simulator.problems):
        state = "error"
    sla, sla_problems = _sla(workflow, origin, _end(origin, makespan), zone)
    return DryRun(
        workflow=workflow.name, path=workflow.path, timezone=zone_name, origin=origin.astimezone(zone),
        session=session, tasks=records, events=simulator.events, segments=simulator.segments, state=state,
        makespan=makespan, critical_path=critical_path(simulator.segments),
        max_concurrency=max_concurrency(simulator.segments), retries=sum(r.retries for r in records),
        sla=sla, problems=problems + sla_problems + simulator.problems,
        unmatched_fails=[rule.text for rule in options.fails if not simulator.fail_matched(rule)],
    )
