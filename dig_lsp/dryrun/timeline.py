"""The dry run as a self-contained HTML timeline (``dig-lint dry-run --format html``).

One row per task in tree order, groups (and operator tasks that generate children) as native
``<details>`` that fold; each operator attempt and retry interval is a bar on an axis of clock times in
the workflow's time zone; the SLA deadline is a vertical line; a click shows what the task runs with.

Everything from the project is hostile text (task names, commands, SQL): it reaches the page only
through :func:`html.escape` or as JSON inside a data block whose ``<``, ``>`` and ``&`` are written as
``\\u003c``-style escapes (no ``</script>`` can close it), and the page's script writes it with
``textContent`` only. A Content-Security-Policy allows no network at all and only the page's own
script (by its hash), so even a mistake in escaping could neither run code nor fetch anything.

The page stays small for digdag's 1,000 tasks per attempt: a row is a few hundred bytes, long texts
(commands, rendered SQL) are stored once however many tasks share them, each is cut at
:data:`MAX_TEXT_CHARS`, and all of them together at :data:`MAX_TEXTS_CHARS`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dig_lsp.dryrun.clock import Tick, duration_text, ticks, wall_clock
from dig_lsp.dryrun.simulate import DryRun, Segment, TaskRecord
from dig_lsp.dryrun.timeline_assets import SCRIPT, STYLE

MAX_TEXT_CHARS = 20_000
"""One command, parameter list or rendered file shown in the details panel (the text report has them whole)."""
MAX_TEXTS_CHARS = 4_000_000
"""All such texts of one page: past this, the rest are replaced by a pointer to ``--show-rendered``."""
HOVER_CHARS = 300
"""A command shown on hover is cut here (the details panel has it whole)."""
FOLDED_ABOVE = 100
"""A group holding more tasks than this starts folded (the root never does)."""
HEADROOM = 0.04
"""Room after the last instant shown, so its tick label, the SLA flag and a duration label fit."""
LABEL_ROOM = 6.0
"""Percent of the lane a duration label needs beside a bar."""
SLA_REACH = 4.0
"""The axis stretches to an SLA deadline up to this many times the session's length; a later one is
shown as an arrow at the right edge, so the bars stay readable."""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(value: object) -> str:
    """JSON that is inert inside ``<script type="application/json">`` whatever strings it holds."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


@dataclass
class _Texts:
    """Long texts stored once (a loop's thousand tasks often run the same command) and bounded."""

    items: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    used: int = 0

    def add(self, text: str) -> int:
        if text in self.index:
            return self.index[text]
        shown = text
        if len(shown) > MAX_TEXT_CHARS:
            shown = shown[:MAX_TEXT_CHARS] + f"\n... (cut at {MAX_TEXT_CHARS:,} characters; " \
                                             "the whole text: --format text --show-rendered)"
        if self.used + len(shown) > MAX_TEXTS_CHARS:
            shown = "(not included: this page's room for texts is used up; see --format text --show-rendered)"
        self.used += len(shown)
        self.index[text] = len(self.items)
        self.items.append(shown)
        return self.index[text]


@dataclass
class _Scale:
    """Simulated seconds to a percentage of the lane's width."""

    span: float

    def x(self, seconds: float) -> float:
        return 100.0 * seconds / self.span


@dataclass
class _Page:
    run: DryRun
    scale: _Scale
    critical: set[tuple[str, int, str]]
    segments: dict[str, list[Segment]]
    children: dict[str, int]
    texts: _Texts = field(default_factory=_Texts)
    data: list[dict[str, object]] = field(default_factory=list)

    def at(self, seconds: float) -> str:
        """``08:15:00`` (with the date when it is not the start's), or ``start + 3d 4h`` past year 9999."""
        moment, start = wall_clock(self.run.origin, seconds), wall_clock(self.run.origin, 0)
        if moment is None or start is None:
            return f"start + {duration_text(seconds)}"
        clock = moment.strftime("%H:%M:%S")
        return clock if moment.date() == start.date() else f"{moment.strftime('%a %b %d')} {clock}"


def sla_seconds(run: DryRun) -> float | None:
    """The SLA deadline on the simulated clock."""
    if run.sla is None:
        return None
    try:
        deadline = datetime.fromisoformat(str(run.sla["deadline"]))
    except ValueError:
        return None
    return (deadline.astimezone(UTC) - run.origin.astimezone(UTC)).total_seconds()


def to_html(run: DryRun) -> str:
    """The whole page."""
    deadline = sla_seconds(run)
    end = max(run.makespan, 1.0)
    if deadline is not None and run.makespan < deadline <= max(run.makespan, 60.0) * SLA_REACH:
        end = deadline
    span = end * (1 + HEADROOM)
    page = _Page(run, _Scale(span), {(s.task, s.attempt, s.kind) for s in run.critical_path},
                 _segments_by_task(run.segments), _descendants(run.tasks))
    body = _REFUSED if run.refused else _chart(page, deadline)
    data = _script_json({"tasks": page.data, "texts": page.texts.items})
    script = SCRIPT
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>Dry run: {_escape(run.workflow)}</title>\n<style>{STYLE}</style></head>\n<body>\n"
        f"{_header(run)}\n{body}\n"
        "<aside id=\"panel\" class=\"panel\" hidden aria-label=\"task details\"><button type=\"button\" "
        "id=\"panel-close\" aria-label=\"close\">\u00d7</button><div id=\"panel-body\"></div></aside>\n"
        f"<script type=\"application/json\" id=\"dryrun-data\">{data}</script>\n"
        f"<script>{script}</script>\n</body></html>\n"
    )


def _segments_by_task(segments: list[Segment]) -> dict[str, list[Segment]]:
    found: dict[str, list[Segment]] = {}
    for segment in segments:
        found.setdefault(segment.task, []).append(segment)
    return found


def _descendants(tasks: list[TaskRecord]) -> dict[str, int]:
    """How many tasks lie below each task (a task with any is drawn as a group that folds)."""
    parents = {task.full_name: task.parent for task in tasks}
    counts: dict[str, int] = {}
    for task in tasks:
        parent = task.parent
        while parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
            parent = parents.get(parent)
    return counts


# ------------------------------------------------------------------------------ header


def _header(run: DryRun) -> str:
    start = wall_clock(run.origin, 0)
    end = wall_clock(run.origin, run.makespan)
    verdict = {"success": "succeeded", "error": "failed"}.get(run.state, run.state)
    facts = [
        ("session", str(run.session.get("session_time", ""))),
        ("time zone", run.timezone),
        ("starts", start.strftime("%a %Y-%m-%d %H:%M:%S") if start else run.origin.isoformat()),
        ("ends", end.strftime("%a %Y-%m-%d %H:%M:%S") if end else f"start + {duration_text(run.makespan)}"),
        ("takes", duration_text(run.makespan)),
        ("tasks", str(len(run.tasks))),
        ("at most in parallel", str(run.max_concurrency)),
        ("retries", str(run.retries)),
    ]
    if run.sla is not None:
        met = "met" if run.sla["met"] else "missed"
        facts.append(("SLA", f"{run.sla['option']} {run.sla['value']}: {met} (deadline {run.sla['deadline']})"))
    items = "".join(f"<div><dt>{_escape(k)}</dt><dd>{_escape(v)}</dd></div>" for k, v in facts)
    problems = [*(f"digdag refuses the workflow: {r}" for r in run.refused), *run.problems]
    listed = "".join(f"<li>{_escape(p)}</li>" for p in problems)
    return (f"<header><h1>{_escape(run.workflow)} <span class=\"badge {_escape(run.state)}\">{verdict}</span></h1>"
            f"<p class=\"path\">{_escape(run.path)}</p><dl class=\"facts\">{items}</dl>"
            + (f"<ul class=\"problems\">{listed}</ul>" if listed else "") + "</header>")


_REFUSED = ("<main><p>digdag refuses this workflow before any task runs, so nothing was simulated "
            "(the reasons are listed above).</p></main>")


def tree_order(tasks: list[TaskRecord]) -> list[TaskRecord]:
    """Tasks parent-first, children in creation order (generated tasks are created late, but belong
    under the task that generated them, not at the end of the timeline)."""
    index = {task.full_name: position for position, task in enumerate(tasks)}
    keys: dict[str, tuple[int, ...]] = {}

    def key(name: str) -> tuple[int, ...]:
        if name not in keys:
            cuts = [i for i, char in enumerate(name) if char in "+^" and i > 0 and name[:i] in index]
            keys[name] = (key(name[:cuts[-1]]) if cuts else ()) + (index[name],)
        return keys[name]

    return sorted(tasks, key=lambda task: key(task.full_name))


# ------------------------------------------------------------------------------ chart


LEGEND = (
    ("bar run success", "ran"),
    ("bar run success crit", "on the critical path (the chain that decides when the session ends)"),
    ("bar run error", "failed attempt"),
    ("bar wait", "waiting to retry"),
    ("bar run success instant", "no time of its own (if>, for_each>, call>...)"),
    ("span-bar", "a group, from its first start to its last end"),
    ("sla-swatch", "SLA deadline (green when met, red when missed)"),
)


def _chart(page: _Page, deadline: float | None) -> str:
    run = page.run
    legend = "".join(f"<li><span class=\"swatch\"><span class=\"{cls}\"></span></span>{_escape(text)}</li>"
                     for cls, text in LEGEND if cls != "sla-swatch" or deadline is not None)
    rows = _rows(page)
    names = max([_name_width(page, task) for task in run.tasks] or [200])
    axis = _axis(page, ticks(run.origin, page.scale.span), deadline)
    return (
        "<div class=\"toolbar\"><button type=\"button\" data-act=\"expand\">Expand all</button>"
        "<button type=\"button\" data-act=\"collapse\">Collapse all</button>"
        "<span class=\"hint\">Click a task or a bar for its command, parameters and rendered SQL.</span></div>"
        f"<ul class=\"legend\">{legend}</ul>\n"
        f"<main class=\"chart\" style=\"--names:min(45vw,{names}px)\">\n{axis}\n<div class=\"rows\">{rows}</div>\n"
        f"{_overlay(page, deadline)}</main>"
    )


def _name_width(page: _Page, task: TaskRecord) -> int:
    """About the pixels a task's name cell takes (12px monospace, its tags), so the column fits the
    longest one; the page caps it at 45% of the window."""
    width = 24 + task.depth * 14 + 7.3 * len(task.name)
    width += 0 if task.operator is None else 14 + 6 * len(task.operator)
    width += 30 if task.retries else 0
    width += 50 if task.state in ("error", "skipped") else 0
    width += 60 if page.children.get(task.full_name) else 0
    width += 16 if _on_critical_path(page, task) else 0
    return int(min(max(width, 200), 640))


def _axis(page: _Page, marks: list[Tick], deadline: float | None) -> str:
    start = wall_clock(page.run.origin, 0)
    zone = f"<b>{_escape(start.strftime('%a %b %d'))}</b> {_escape(page.run.timezone)} " \
        f"({_escape(start.strftime('%Z %z'))})" if start else _escape(page.run.timezone)
    labels = []
    for number, tick in enumerate(marks):
        day = f"<span class=\"day\">{_escape(tick.day)}</span>" if tick.day and number else ""
        labels.append(f"<span class=\"tick\" style=\"left:{page.scale.x(tick.seconds):.4f}%\">{day}"
                      f"{_escape(tick.label)}</span>")
    flag = ""
    met = " met" if page.run.sla is not None and page.run.sla["met"] else ""
    if deadline is not None and deadline <= page.scale.span:
        flag = (f"<span class=\"sla-flag{met}\" style=\"left:{page.scale.x(deadline):.4f}%\">"
                f"SLA {_escape(page.at(deadline).removesuffix(':00'))}</span>")
    elif deadline is not None:
        flag = (f"<span class=\"sla-flag beyond{met}\">SLA {_escape(page.at(deadline))} \u2192 "
                f"{_escape(duration_text(deadline - page.run.makespan))} after the end</span>")
    return (f"<div class=\"axis\"><div class=\"name\">{zone}</div>"
            f"<div class=\"lane\">{''.join(labels)}{flag}</div></div>")


def _overlay(page: _Page, deadline: float | None) -> str:
    lines = "".join(f"<span class=\"grid-line\" style=\"left:{page.scale.x(t.seconds):.4f}%\"></span>"
                    for t in ticks(page.run.origin, page.scale.span))
    sla = ""
    if deadline is not None and deadline <= page.scale.span:
        met = "met" if page.run.sla and page.run.sla["met"] else "missed"
        sla = (f"<span class=\"sla-line {met}\" id=\"sla-line\" data-seconds=\"{deadline:.3f}\" "
               f"style=\"left:{page.scale.x(deadline):.4f}%\" title=\"SLA deadline {_escape(page.at(deadline))}: "
               f"{met}\"></span>")
    return f"<div class=\"overlay grid\" aria-hidden=\"true\">{lines}</div><div class=\"overlay marks\">{sla}</div>"


def _rows(page: _Page) -> str:
    """Rows in tree order; a task with tasks below it opens a ``<details>`` closed after its last one."""
    out: list[str] = []
    open_groups: list[int] = []  # depths of the open <details>
    for task in tree_order(page.run.tasks):
        while open_groups and open_groups[-1] >= task.depth:
            open_groups.pop()
            out.append("</details>")
        index = len(page.data)
        page.data.append(_task_data(page, task))
        below = page.children.get(task.full_name, 0)
        if below:
            folded = task.parent is not None and below > FOLDED_ABOVE
            out.append(f"<details class=\"group\"{'' if folded else ' open'}>"
                       f"<summary class=\"{_row_classes(page, task)}\" data-i=\"{index}\">"
                       f"{_name(page, task, below, summary=True)}{_lane(page, task)}</summary>")
            open_groups.append(task.depth)
        else:
            out.append(f"<div class=\"{_row_classes(page, task)}\" data-i=\"{index}\">"
                       f"{_name(page, task, 0, summary=False)}{_lane(page, task)}</div>")
    out.extend("</details>" for _ in open_groups)
    return "\n".join(out)


def _on_critical_path(page: _Page, task: TaskRecord) -> bool:
    return any((s.task, s.attempt, s.kind) in page.critical for s in page.segments.get(task.full_name, ()))


def _row_classes(page: _Page, task: TaskRecord) -> str:
    classes = ["row", task.kind, task.state]
    if _on_critical_path(page, task):
        classes.append("crit")
    return " ".join(_escape(c) for c in classes)


def _name(page: _Page, task: TaskRecord, below: int, summary: bool) -> str:
    marks = []
    if _on_critical_path(page, task):
        marks.append("<span class=\"crit-mark\" title=\"on the critical path\">\u25c6</span>")
    text = f"<span class=\"label\">{_escape(task.name)}</span>"
    if task.operator:
        marks.append(f"<span class=\"tag op\">{_escape(task.operator)}&gt;</span>")
    if task.retries:
        marks.append(f"<span class=\"tag retried\" title=\"retried {task.retries} time(s)\">"
                     f"\u21bb{task.retries}</span>")
    if task.state in ("error", "skipped"):
        marks.append(f"<span class=\"tag {task.state}\">{'failed' if task.state == 'error' else 'never ran'}</span>")
    if below:
        marks.append(f"<span class=\"tag count\">{below} below</span>")
    title = _escape(f"{task.full_name} ({task.state})")
    indent = f"style=\"--depth:{task.depth}\""
    if summary:  # the summary toggles its group: no button inside it
        return (f"<span class=\"name\" {indent} title=\"{title}\"><span class=\"twisty\"></span>{text}"
                f"{''.join(marks)}</span>")
    return f"<button type=\"button\" class=\"name\" {indent} title=\"{title}\">{text}{''.join(marks)}</button>"


def _lane(page: _Page, task: TaskRecord) -> str:
    bars = []
    segments = page.segments.get(task.full_name, [])
    for number, segment in enumerate(segments):
        bars.append(_bar(page, task, segment, last=number == len(segments) - 1))
    if not segments and task.start is not None and task.end is not None:
        left, width = page.scale.x(task.start), page.scale.x(task.end - task.start)
        title = _escape(f"{task.full_name}: {page.at(task.start)} \u2013 {page.at(task.end)} "
                        f"({duration_text(task.end - task.start)})")
        label = _label(page, task.start, task.end, duration_text(task.end - task.start))
        bars.append(f"<span class=\"span-bar {_escape(task.state)}\" data-t0=\"{task.start:.3f}\" "
                    f"data-t1=\"{task.end:.3f}\" style=\"left:{left:.4f}%;width:{width:.4f}%\" "
                    f"title=\"{title}\">{label}</span>")
    return f"<span class=\"lane\">{''.join(bars)}</span>"


def _bar(page: _Page, task: TaskRecord, segment: Segment, last: bool) -> str:
    duration = segment.end - segment.start
    classes = ["bar", segment.kind, segment.state]
    if (segment.task, segment.attempt, segment.kind) in page.critical:
        classes.append("crit")
    if duration <= 0:
        classes.append("instant")
    what = "waiting to retry" if segment.kind == "wait" else f"attempt {segment.attempt}"
    outcome = "" if segment.kind == "wait" else (" failed" if segment.state == "error" else " succeeded")
    title = f"{task.full_name}, {what}{outcome}: {page.at(segment.start)} \u2013 {page.at(segment.end)} " \
            f"({duration_text(duration)})"
    if segment.message:
        title += f"\n{segment.message}"
    if task.command is not None and segment.kind != "wait":
        command = task.command if len(task.command) <= HOVER_CHARS else task.command[:HOVER_CHARS] + "\u2026"
        title += f"\n{task.operator}> {command}"
    if "crit" in classes:
        title += "\non the critical path"
    label = _label(page, segment.start, segment.end, duration_text(duration)) if last and duration > 0 else ""
    style = f"left:{page.scale.x(segment.start):.4f}%" + ("" if duration <= 0 else
                                                          f";width:{page.scale.x(duration):.4f}%")
    return (f"<span class=\"{' '.join(classes)}\" data-t0=\"{segment.start:.3f}\" data-t1=\"{segment.end:.3f}\" "
            f"style=\"{style}\" title=\"{_escape(title)}\">{label}</span>")


def _label(page: _Page, start: float, end: float, text: str) -> str:
    """A duration beside a bar: after its end; near the right edge before its start, or inside its
    right end when it starts near the left edge too (a long bar)."""
    side = ""
    if page.scale.x(end) > 100 - LABEL_ROOM:
        side = " before" if page.scale.x(start) > LABEL_ROOM else " inside"
    return f"<span class=\"dur{side}\">{_escape(text)}</span>"


# ------------------------------------------------------------------------------ details panel data


def _task_data(page: _Page, task: TaskRecord) -> dict[str, object]:
    """What the details panel shows of one task (texts by index into the page's text table)."""
    texts = page.texts
    params = "\n".join(_param_line(k, v) for k, v in task.params.items())
    files = [{"path": f.path, "parameter": f.parameter,
              "text": None if f.text is None else texts.add(f.text), "problem": f.problem,
              "unevaluated": f.unevaluated, "errors": f.errors} for f in task.files]
    segments = [{"what": "waiting to retry" if s.kind == "wait" else f"attempt {s.attempt}",
                 "state": "" if s.kind == "wait" else s.state,
                 "from": page.at(s.start), "to": page.at(s.end), "takes": duration_text(s.end - s.start),
                 "critical": (s.task, s.attempt, s.kind) in page.critical, "message": s.message}
                for s in page.segments.get(task.full_name, [])]
    return {
        "name": task.full_name, "operator": task.operator, "state": task.state, "kind": task.kind,
        "from": None if task.start is None else page.at(task.start),
        "to": None if task.end is None else page.at(task.end),
        "takes": None if task.start is None or task.end is None else duration_text(task.end - task.start),
        "attempts": task.attempts, "retries": task.retries,
        "command": None if task.command is None else texts.add(task.command),
        "params": texts.add(params) if params else None, "files": files, "segments": segments,
        "upstream": task.upstream, "unevaluated": task.unevaluated, "errors": task.errors, "notes": task.notes,
    }


def _param_line(key: str, value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return f"{key}: {text}"
