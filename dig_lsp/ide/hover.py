"""Hover: Markdown about what is under the cursor, from the catalog, the scope model and the schedule.

* ``${var}``: what the variable is (origin and detail from the scope model), where it is
  defined and, for ``_export``, the value written there;
* operator keys: the operator's description and a table of its parameters;
* parameter keys (and their values): type, default, allowed values, secrets and namespace defaults;
* directive, top-level and group keys: their schema's description (nested keys too);
* ``schedule:``: the schedule in words and the next five sessions in the workflow's time zone;
* ``timezone:``: the zone's current UTC offset.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from dig_lsp.analysis.resolve import Outcome
from dig_lsp.embedded.js import JS_GLOBALS
from dig_lsp.ide.definition import ReferenceAt, reference_at
from dig_lsp.ide.locate import Location, contains, cursor, locate_at
from dig_lsp.model.catalog import OperatorSpec, Parameter, catalog
from dig_lsp.model.operators import DIRECTIVES
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.schedule import ParsedSchedule, ScheduleError, next_session_times, parse_zone_id
from dig_lsp.model.schedule_shape import read_schedule
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, to_json_text
from dig_lsp.text.span import Position, Span

SESSIONS_SHOWN = 5
_VALUE_LIMIT = 200


@dataclass(frozen=True)
class HoverResult:
    """Markdown to show, and the range of text it is about."""

    markdown: str
    span: Span


def hover(project: ProjectModel, path: str, offset: int, runtime_params: tuple[str, ...] = (),
          now: datetime | None = None) -> HoverResult | None:
    """The hover at ``offset`` (code points) of ``path``, or None when there is nothing to say."""
    now = now or datetime.now(UTC)
    here = cursor(project, path, offset)
    if here is None:
        return None
    location = locate_at(project, path, here)
    at = reference_at(project, location, path, here, runtime_params)
    if at is not None:
        return HoverResult(_variable_markdown(project, at), at.span)
    if location is None:
        return None
    if not location.entries:
        return _task_hover(location, path, here)
    top = location.entries[0]
    span = location.entries[-1].key_span if location.on_key else (
        location.node.span if location.node is not None else top.key_span)
    if location.task.role is TaskRole.ROOT and top.key == "schedule":
        return _text(_schedule_markdown(location, now), span)
    if top.key == "timezone" and not isinstance(top.value, Mapping):
        return _text(_timezone_markdown(top.value, now), span)
    if top.key in {use.key for use in location.task.operators} and len(location.entries) == 1:
        spec = catalog().operator(location.task.operators[0].name) if top.key != "_type" else None
        if spec is not None:
            return _text(operator_markdown(spec), span)
    return _text(_key_markdown(location), span)


def _text(markdown: str | None, span: Span) -> HoverResult | None:
    return None if not markdown else HoverResult(markdown, span)


# ------------------------------------------------------------------------------------ variables


def _where(project: ProjectModel, span: Span) -> str:
    shown = os.path.relpath(span.path, project.root).replace(os.sep, "/")
    return f"{shown}:{span.start.line + 1}:{span.start.column + 1}"


def _clip(text: str) -> str:
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def _code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _variable_markdown(project: ProjectModel, at: ReferenceAt) -> str:
    name = ".".join(at.reference.path)
    lines = [f"**{_code('${' + name + '}')}**", ""]
    if at.site.raw_reason is not None:
        lines.append(f"Never evaluated: {at.site.raw_reason}.")
        return "\n".join(lines)
    root = at.reference.path[0]
    if at.is_local:
        lines.append(f"The key {_code(root)} written earlier in {at.site.task.full_name}.")
        return "\n".join(lines)
    if root in JS_GLOBALS and (at.scope is None or root not in at.scope.names()):
        lines.append(f"JavaScript global {_code(root)}.")
        return "\n".join(lines)
    variable = at.variable
    resolution = at.resolution
    if variable is not None:
        lines.append(f"*{variable.origin.value}* {_code(variable.name)}: {variable.detail}.")
        if variable.span is not None:
            lines.append(f"\nDefined at {_code(_where(project, variable.span))}.")
        if variable.value is not None:
            lines.append(f"\nValue: {_code(_clip(_shown_value(variable.value)))}")
    if resolution is not None and resolution.outcome is not Outcome.DEFINED:
        lines.append(f"\n{_outcome_text(name, at)}")
    elif variable is None:
        lines.append(f"{_code(name)} is not defined in {at.site.task.full_name}.")
    return "\n".join(lines)


def _shown_value(node: Node) -> str:
    if isinstance(node, Scalar):
        return node.raw if isinstance(node.value, str) else to_json_text(node)
    return to_json_text(node)


def _outcome_text(name: str, at: ReferenceAt) -> str:
    resolution = at.resolution
    assert resolution is not None
    task = at.site.task.full_name
    if resolution.outcome is Outcome.UNDEFINED:
        hint = f" Did you mean {_code(resolution.suggestion)}?" if resolution.suggestion else ""
        return f"{_code(name)} is not defined in {task}.{hint}"
    if resolution.outcome is Outcome.UNKNOWN_MEMBER:
        members = f" Known members: {resolution.detail}." if resolution.detail else ""
        return f"{_code(name)} is not a known member.{members}"
    return f"{resolution.detail}."


# ------------------------------------------------------------------------------------ operators


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema:
        return ""
    value = schema["default"]
    return _code(value if isinstance(value, str) else to_json_value(value))


def to_json_value(value: object) -> str:
    """A schema value as JSON text (``true``, ``0``, ``["a"]``)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def operator_markdown(spec: OperatorSpec) -> str:
    """The operator's description and a table of its parameters."""
    lines = [f"### {_code(spec.name + '>')} operator", "", spec.description]
    if spec.parameters:
        lines += ["", "| Parameter | Type | Default | Required | Description |", "|---|---|---|---|---|"]
        for parameter in spec.parameters.values():
            name = f"{_code(spec.name + '>')} value" if parameter.name == "_command" else _code(parameter.name)
            lines.append(f"| {name} | {_cell(parameter.type_label)} | {_cell(_default(parameter.schema))} | "
                         f"{'yes' if parameter.required else ''} | {_cell(parameter.description)} |")
    if spec.stores:
        stored = ", ".join(_code(s.name) + (f" (with {_code(s.when)})" if s.when else "") for s in spec.stores)
        lines += ["", f"Stores: {stored}"]
    return "\n".join(lines)


def parameter_markdown(spec: OperatorSpec, parameter: Parameter, namespace_default: bool = False) -> str:
    """One parameter: type, default, allowed values, secrets, namespace defaults, description."""
    title = f"{_code(spec.name + '>')} value" if parameter.name == "_command" else _code(parameter.name)
    lines = [f"**{title}**: parameter of {_code(spec.name + '>')}", ""]
    facts = [f"Type: {_code(parameter.type_label)}"]
    if "default" in parameter.schema:
        facts.append(f"Default: {_default(parameter.schema)}")
    facts.append("Required" if parameter.required else "Optional")
    lines.append(" · ".join(facts))
    enum = parameter.schema.get("enum")
    if isinstance(enum, list) and enum:
        lines.append(f"\nAllowed: {', '.join(_code(str(v)) for v in enum)}")
    if parameter.secrets:
        lines.append(f"\nCan come from the secret {' or '.join(_code(s) for s in parameter.secrets)}.")
    namespaces = [ns for ns in spec.namespaces if parameter.name != "_command"]
    if namespaces and not namespace_default:
        shown = " or ".join(_code(f"_export: {{{ns}: {{{parameter.name}: ...}}}}") for ns in namespaces)
        lines.append(f"\nDefault for every task below: {shown}.")
    if namespace_default:
        lines.append(f"\nHere: the default for every {_code(spec.name + '>')} task below this `_export`.")
    if parameter.description:
        lines += ["", parameter.description]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ keys


def _task_hover(location: Location, path: str, here: Position) -> HoverResult | None:
    task = location.task
    span = task.key_span
    if not contains(span, path, here) or task.role is TaskRole.ROOT:
        return None
    if task.disabled:
        what = "disabled (`_disable: true`): digdag skips it"
    elif task.operator is not None:
        what = f"runs {_code(task.operator.key if task.operator.key != '_type' else task.operator.name + '>')}"
    else:
        what = f"a group of {len(task.children)} task(s)"
    return HoverResult(f"**{_code(task.full_name)}**: {what}", span)


def _schema_chain(schema: dict[str, Any] | None, keys: Iterable[str]) -> dict[str, Any] | None:
    """Follow ``properties`` of a schema down a chain of keys."""
    for key in keys:
        if schema is None:
            return None
        properties = schema.get("properties")
        found = properties.get(key) if isinstance(properties, dict) else None
        schema = found if isinstance(found, dict) else None
    return schema


def _schema_markdown(title: str, schema: dict[str, Any] | None) -> str | None:
    if schema is None:
        return None
    lines = [f"**{title}**", ""]
    kind = schema.get("type")
    facts = []
    if kind is not None:
        facts.append("Type: " + _code(" | ".join(kind) if isinstance(kind, list) else str(kind)))
    if "default" in schema:
        facts.append(f"Default: {_default(schema)}")
    if facts:
        lines.append(" · ".join(facts))
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        lines.append(f"\nAllowed: {', '.join(_code(str(v)) for v in enum)}")
    description = schema.get("description")
    if isinstance(description, str) and description:
        lines += ["", description]
    return "\n".join(lines) if len(lines) > 2 else None


def _key_markdown(location: Location) -> str | None:
    keys = [entry.key for entry in location.entries]
    task = location.task
    top = keys[0]
    title = _code(".".join(keys))
    if top == "_export" and len(keys) >= 2:
        return _export_markdown(location)
    if top in DIRECTIVES or top in SPECIAL_SUBTASKS:
        found = _schema_markdown(title, _schema_chain(catalog().schema(f"directives/{top}"), keys[1:]))
        if found:
            return found
    if task.role is TaskRole.ROOT or task.is_group:
        container = "workflow" if task.role is TaskRole.ROOT else "group"
        schema = catalog().schema(container)
        if len(keys) >= 2 and top in ("sla", "schedule"):
            schema = catalog().schema(top)
            keys = keys[1:]
        return _schema_markdown(title, _schema_chain(schema, keys))
    op = catalog().operator(task.operators[0].name) if task.operators else None
    if op is None:
        return None
    parameter = op.parameters.get(top)
    if parameter is None:
        return None
    if len(keys) == 1:
        return parameter_markdown(op, parameter)
    return _schema_markdown(title, _schema_chain(parameter.schema, keys[1:]))


def _export_markdown(location: Location) -> str | None:
    """A key under ``_export``: the variable it defines and, for namespaces, the parameter it defaults."""
    chain: list[Entry] = list(location.entries[1:])
    name = ".".join(entry.key for entry in chain)
    last = chain[-1]
    lines = [f"**{_code(name)}**: exported by {location.task.full_name} to itself and every task below"]
    if not isinstance(last.value, Mapping):
        lines.append(f"\nValue: {_code(_clip(_shown_value(last.value)))}")
    if len(chain) == 2:
        namespace, parameter_name = chain[0].key, chain[1].key
        users = [spec for spec in catalog()
                 if namespace in spec.namespaces and parameter_name in spec.parameters and parameter_name != "_command"]
        if users:
            first = users[0]
            shown = parameter_markdown(first, first.parameters[parameter_name], namespace_default=True)
            lines += ["", "---", "", shown]
        if len(users) > 1:
            lines.append(f"\nAlso the default for {', '.join(_code(spec.name + '>') for spec in users[1:])}.")
    elif len(chain) == 1:
        owners = sorted(f"{spec.name}>" for spec in catalog() if chain[0].key in spec.namespaces)
        if owners:
            lines.append(f"\nParameter defaults for {', '.join(_code(u) for u in owners)}.")
        else:
            plain = sorted(f"{spec.name}>" for spec in catalog() if chain[0].key in spec.parameters
                           and chain[0].key != "_command")
            if plain:
                lines.append(f"\nAlso a parameter of {', '.join(_code(u) for u in plain[:8])}"
                             f"{', ...' if len(plain) > 8 else ''}: they read it from here.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ time


def _offset_text(delta: timedelta | None) -> str:
    seconds = int(delta.total_seconds()) if delta is not None else 0
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    text = f"UTC{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def _zone_text(node: Node) -> str | None:
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        return None
    return node.value.strip() or None


def _timezone_markdown(node: Node, now: datetime) -> str | None:
    text = _zone_text(node)
    description = _schema_chain(catalog().schema("workflow"), ["timezone"])
    about = str(description.get("description", "")) if description else ""
    if text is None:
        return f"**`timezone`**\n\n{about}" if about else None
    try:
        zone = parse_zone_id(text)
    except ScheduleError as error:
        return f"**{_code(text)}** is not a time-zone id: {error}"
    local = now.astimezone(zone)
    name = local.tzname()
    shown = f" ({name})" if name and name not in (text, _offset_text(local.utcoffset())) else ""
    return f"**{_code(text)}**: currently {_code(_offset_text(local.utcoffset()))}{shown}\n\n{about}".rstrip()


def workflow_zone(root: Task) -> tuple[tzinfo, str, str | None]:
    """The workflow's time zone (UTC when absent), its id as written, and why it is unusable, if it is."""
    node = root.config.get("timezone")
    text = None if node is None else _zone_text(node)
    if text is None:
        return UTC, "UTC", None
    try:
        return parse_zone_id(text), text, None
    except ScheduleError as error:
        return UTC, text, str(error)


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def describe_schedule(schedule: ParsedSchedule) -> str:
    """The schedule in words (session times, when each session runs, and the options)."""
    command = str(schedule.command).strip() if schedule.command is not None else ""
    delay = f", running {_clock(schedule.delay)} after each session time" if schedule.delay else ""
    words = {
        "hourly": f"every hour (session time on the hour{', runs at ' + command + ' past it' if command else ''})",
        "daily": f"every day at {command} (session time at midnight)",
        "weekly": f"every week on {command.split(',')[0]} at {command.split(',', 1)[-1]} "
                  "(session time at midnight)",
        "monthly": f"every month on day {command.split(',')[0]} at {command.split(',', 1)[-1]} "
                   "(session time at midnight)",
        "minutes_interval": f"every {command} minutes{delay}",
        "seconds_interval": f"every {command} seconds (counted from the Unix epoch){delay}",
        "cron": f"when the cron pattern {_code(command)} matches{delay}",
    }
    text = words.get(schedule.type, schedule.type)
    if schedule.start is not None:
        text += f"; from {schedule.start.isoformat()}"
    if schedule.end is not None:
        text += f"; until {schedule.end.isoformat()}"
    if schedule.skip_on_overtime:
        text += "; skipped while the previous session is still running"
    if schedule.skip_delayed_by is not None:
        text += f"; skipped when delayed by {schedule.skip_delayed_by}"
    return text


def _schedule_markdown(location: Location, now: datetime) -> str:
    keys = [entry.key for entry in location.entries]
    parts: list[str] = []
    if location.on_key and len(keys) >= 2:
        found = _schema_markdown(_code(keys[-1]), _schema_chain(catalog().schema("schedule"), keys[1:]))
        if found:
            parts += [found, "", "---", ""]
    mapping = location.entries[0].value
    if not isinstance(mapping, Mapping):
        return "\n".join([*parts, "**Schedule**: must be a mapping such as `daily>: 07:00:00`"])
    zone, zone_text, zone_problem = workflow_zone(location.workflow.root)
    try:
        schedule = read_schedule(mapping)
    except ScheduleError as error:
        return "\n".join([*parts, f"**Schedule**: not valid ({error})"])
    parts.append(f"**Schedule**: {describe_schedule(schedule)}, in {_code(zone_text)}")
    if zone_problem is not None:
        parts.append(f"\n{_code(zone_text)} is not a time-zone id ({zone_problem}); times below are in UTC.")
    try:
        sessions = next_session_times(schedule, zone, now, SESSIONS_SHOWN)
    except (ValueError, OverflowError) as error:  # croniter's errors are ValueErrors
        return "\n".join([*parts, f"\nNext sessions cannot be computed: {error}"])
    if sessions:
        parts += ["", f"Next {len(sessions)} sessions (if pushed now):", ""]
        for session in sessions:
            line = f"- {session.session_time.isoformat(sep=' ')}"
            if session.run_time != session.session_time:
                line += f" (runs at {session.run_time.isoformat(sep=' ')})"
            parts.append(line)
    else:
        parts.append("\nNo further sessions (the schedule has ended).")
    return "\n".join(parts)


