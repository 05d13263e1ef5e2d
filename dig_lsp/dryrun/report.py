"""Dry-run output: a text log, JSON (``schemas/dryrun.json``) and the HTML timeline (:mod:`.timeline`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from dig_lsp.dryrun.clock import wall_clock
from dig_lsp.dryrun.simulate import DryRun
from dig_lsp.dryrun.timeline import to_html, tree_order

FORMATS = ("text", "json", "html")


def clock(seconds: float) -> str:
    """``+H:MM:SS`` on the simulated clock."""
    whole = round(seconds)
    return f"+{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _at(run: DryRun, seconds: float) -> str:
    """The wall-clock time of a simulated instant (found through UTC: see :mod:`dig_lsp.dryrun.clock`);
    simulated times can pass what a datetime holds (retry intervals up to Integer.MAX_VALUE seconds,
    long configured durations)."""
    moment = wall_clock(run.origin, seconds)
    if moment is None:
        return f"{run.origin.isoformat()} + {seconds:.0f} s (after the year 9999)"
    return moment.isoformat()


def to_json(run: DryRun, show_rendered: bool = False) -> dict[str, Any]:
    """The JSON document (validated against ``schemas/dryrun.json`` in the tests); ``show_rendered``
    adds each task's evaluated parameters and rendered files (``rendered``)."""
    document: dict[str, Any] = {
        "workflow": run.workflow,
        "path": run.path,
        "timezone": run.timezone,
        "start_time": run.origin.isoformat(),
        "session": run.session,
        "state": run.state,
        "tasks": [{
            "full_name": t.full_name, "name": t.name, "parent": t.parent, "depth": t.depth, "kind": t.kind,
            "operator": t.operator, "upstream": t.upstream, "state": t.state, "start": t.start, "end": t.end,
            "attempts": t.attempts, "retries": t.retries, "command": t.command, "rendered_completely": t.complete,
            "templates": t.templates, "unevaluated": t.unevaluated, "errors": t.errors, "notes": t.notes,
        } for t in run.tasks],
        "events": [{
            "time": e.time, "at": _at(run, e.time), "task": e.task, "kind": e.kind, "state": e.state,
            "attempt": e.attempt, "command": e.command, "message": e.message,
        } for e in run.events],
        "summary": {
            "makespan": run.makespan,
            "end_time": _at(run, run.makespan),
            "critical_path": [{"task": s.task, "kind": s.kind, "attempt": s.attempt, "start": s.start, "end": s.end,
                               "duration": s.end - s.start} for s in run.critical_path],
            "max_concurrency": run.max_concurrency,
            "retries": run.retries,
            "tasks": len(run.tasks),
            "templates": run.templates,
            "unevaluated_templates": run.unevaluated,
            "sla": run.sla,
            "problems": [*(f"digdag refuses the workflow: {reason}" for reason in run.refused), *run.problems],
        },
    }
    if show_rendered:
        for task, record in zip(document["tasks"], run.tasks, strict=True):
            task["rendered"] = {"params": record.params, "files": [{
                "parameter": f.parameter, "path": f.path, "text": f.text, "templates": f.templates,
                "unevaluated": f.unevaluated, "errors": f.errors, "problem": f.problem,
            } for f in record.files]}
    return document


def to_text(run: DryRun, show_rendered: bool = False) -> str:
    """Session header, the simulated log, the summary, then (``show_rendered``) what each operator
    task runs with."""
    lines = [f"Dry run of workflow {run.workflow} ({run.path})",
             f"  timezone: {run.timezone}",
             f"  session_time: {run.session.get('session_time')}",
             f"  starts at: {run.origin.isoformat()}", ""]
    if run.refused:
        lines += ["digdag refuses this workflow before any task runs (WorkflowCompiler):"]
        lines += [f"  {reason}" for reason in run.refused]
        lines += ["", "Summary:", f"  state: {run.state} (not simulated)"]
        lines += [f"  problem: {p}" for p in run.problems]
        return "\n".join(lines) + "\n"
    records = {t.full_name: t for t in run.tasks}
    for event in run.events:
        record = records.get(event.task)
        indent = "  " * (record.depth if record else 0)
        head = f"{clock(event.time)}  {indent}{event.task}  {event.kind} ({event.state}, attempt {event.attempt})"
        if event.command is not None:
            head += f": {record.operator if record else ''}> {event.command}"
        if event.message:
            head += f"  -- {event.message}"
        lines.append(head)
        if event.kind == "start" and record is not None and event.command is not None:
            lines.extend(f"{' ' * 10}{indent}  unevaluated {item}" for item in record.unevaluated)
            lines.extend(f"{' ' * 10}{indent}  would fail at run time: {item}" for item in record.errors)
            lines.extend(f"{' ' * 10}{indent}  note: {item}" for item in record.notes)
    skipped = [t.full_name for t in run.tasks if t.state == "skipped"]
    lines += ["", "Summary:",
              f"  state: {run.state}",
              f"  tasks: {len(run.tasks)}"
              + (f" ({len(skipped)} never started: {', '.join(skipped)})" if skipped else ""),
              f"  makespan: {clock(run.makespan)} (ends {_at(run, run.makespan)})",
              f"  max concurrency: {run.max_concurrency}",
              f"  retries: {run.retries}",
              f"  templates: {run.templates} ({run.unevaluated} not evaluated)",
              "  critical path:"]
    lines += [f"    {clock(s.start)} .. {clock(s.end)}  {s.task}" + (" (retry interval)" if s.kind == "wait" else "")
              for s in run.critical_path]
    if run.sla is not None:
        verdict = "met" if run.sla["met"] else "MISSED"
        lines.append(f"  sla ({run.sla['option']} {run.sla['value']}): deadline {run.sla['deadline']}: {verdict}")
    lines += [f"  problem: {p}" for p in run.problems]
    if show_rendered:
        lines += ["", *rendered_lines(run)]
    return "\n".join(lines) + "\n"


def rendered_lines(run: DryRun) -> list[str]:
    """Each operator task that started, in tree order: its evaluated parameters and rendered files."""
    lines = ["Rendered (what each operator task runs with in this session; its latest attempt):"]
    for task in tree_order(run.tasks):
        if task.kind != "operator" or task.attempts == 0:
            continue
        lines.append(f"  {task.full_name}")
        for key, value in task.params.items():
            lines.extend(_value_lines(key, value, "    "))
        for item in task.unevaluated:
            lines.append(f"    not evaluated: {item}")
        for item in task.errors:
            lines.append(f"    would fail at run time: {item}")
        for rendered in task.files:
            if rendered.text is None:
                lines.append(f"    {rendered.path} ({rendered.parameter}): {rendered.problem}")
                continue
            lines.append(f"    {rendered.path} ({rendered.parameter}), rendered:")
            lines.extend(f"      | {line}" for line in rendered.text.splitlines() or [""])
            lines.extend(f"      not evaluated: {item}" for item in rendered.unevaluated)
            lines.extend(f"      would fail at run time: {item} (in {rendered.path})" for item in rendered.errors)
    return lines


def _value_lines(key: str, value: object, indent: str) -> list[str]:
    """``key: value``; a string of several lines as a block below the key, other values as JSON."""
    if isinstance(value, str) and "\n" in value:
        return [f"{indent}{key}:", *(f"{indent}  | {line}" for line in value.splitlines())]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return [f"{indent}{key}: {text}"]


def render(run: DryRun, kind: str, show_rendered: bool = False) -> str:
    """The report in one of :data:`FORMATS` (the HTML timeline always shows what each task runs with)."""
    if kind == "json":
        return json.dumps(to_json(run, show_rendered), indent=2, ensure_ascii=False, default=_default) + "\n"
    if kind == "html":
        return to_html(run)
    return to_text(run, show_rendered)


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
