"""Rendering ``${...}`` in string values, and digdag's built-in session variables.

Template scanning follows ``digdag.js`` through :func:`dig_lsp.syntax.templates.find_templates`
(``$$`` is ``$`` in literal text, ``${secret:...}``-style templates are left to the operator, an
unclosed ``${`` keeps the rest as text). Session variables follow reference section 3
(``core/agent/RuntimeParams.java``: ``*_time`` = ``yyyy-MM-dd'T'HH:mm:ssxxx``, ``*_date``,
``*_date_compact``, ``*_local_time``, ``*_tz_offset`` = ``xx``, ``*_unixtime``, in the workflow
time zone; ``last_session_*``/``next_session_*`` only with a schedule,
``last_executed_session_*`` always, empty except ``_tz_offset`` (the offset at the epoch)).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from dig_lsp.dryrun.evaluate import JsError, Unevaluable, evaluate, from_python, template_text
from dig_lsp.model.schedule import ParsedSchedule, next_session_times
from dig_lsp.syntax.templates import find_templates


@dataclass
class Rendered:
    """One string value after rendering.

    ``text`` is the value as digdag would produce it, with every template that could not be
    evaluated kept verbatim; ``complete`` says whether all templates were evaluated.
    """

    text: str
    templates: int = 0
    unevaluated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every template evaluated without error."""
        return not self.unevaluated and not self.errors


def _literal(text: str) -> str:
    return text.replace("$$", "$")


def render_string(value: str, params: dict[str, Any], zone: tzinfo) -> Rendered:
    """Render ``value`` the way ``digdag.js`` does (only if it contains a ``$``)."""
    if "$" not in value:
        return Rendered(value)
    templates, unclosed = find_templates(value)
    out: list[str] = []
    result = Rendered("")
    position = 0
    for template in templates:
        out.append(_literal(value[position:template.start]))
        position = template.end
        if template.expression == "":
            continue
        result.templates += 1
        try:
            out.append(template_text(evaluate(template.expression, params, zone)))
        except Unevaluable as reason:
            result.unevaluated.append(f"${{{template.expression}}}: {reason}")
            out.append(value[template.start:template.end])
        except JsError as error:
            result.errors.append(f"${{{template.expression}}}: {error}")
            out.append(value[template.start:template.end])
    end = len(value) if unclosed is None else unclosed.start
    out.append(_literal(value[position:end]))
    if unclosed is not None:
        out.append(_literal(value[unclosed.start:]))
    result.text = "".join(out)
    return result


def render_value(value: object, params: dict[str, Any], zone: tzinfo, into: Rendered,
                 raw_params: dict[str, Any] | None = None) -> object:
    """Render every string inside a plain value; problems are collected into ``into``.

    A mapping inside the value is evaluated as digdag's ``ConfigEvalEngine.evalObjectRecursive``
    does (reference section 5.3, issue #862): its templates see only that mapping's own earlier
    keys, evaluated, and the inherited params *as written* (``raw_params``, when given: an
    ``_export``ed ``d: ${a}-${b}`` is the text ``${a}-${b}`` there).
    """
    if isinstance(value, str):
        rendered = render_string(value, params, zone)
        into.templates += rendered.templates
        into.unevaluated.extend(rendered.unevaluated)
        into.errors.extend(rendered.errors)
        return rendered.text
    if isinstance(value, dict):
        scope = dict(params if raw_params is None else raw_params)
        built: dict[str, object] = {}
        for key, item in value.items():
            built[key] = render_value(item, scope, zone, into, raw_params)
            scope[key] = from_python(built[key])
        return built
    if isinstance(value, list):
        return [render_value(item, params, zone, into, raw_params) for item in value]
    return value


# --- session variables


def _time_variables(prefix: str, moment: datetime, zone: tzinfo) -> dict[str, object]:
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return {
        f"{prefix}_time": local.strftime("%Y-%m-%dT%H:%M:%S") + offset[:3] + ":" + offset[3:],
        f"{prefix}_date": local.strftime("%Y-%m-%d"),
        f"{prefix}_date_compact": local.strftime("%Y%m%d"),
        f"{prefix}_local_time": local.strftime("%Y-%m-%d %H:%M:%S"),
        f"{prefix}_tz_offset": offset,
        f"{prefix}_unixtime": int(local.timestamp()),
    }


def _previous_session(schedule: ParsedSchedule, zone: tzinfo, session_time: datetime) -> datetime | None:
    windows = (timedelta(minutes=2), timedelta(hours=2), timedelta(days=2), timedelta(days=40), timedelta(days=400))
    for window in windows:
        start = session_time - window + timedelta(seconds=schedule.delay)
        found = next_session_times(schedule, zone, start, 200)
        earlier = [s.session_time for s in found if s.session_time < session_time]
        if earlier and len(earlier) < len(found):
            return earlier[-1]
    return None


def _next_session(schedule: ParsedSchedule, zone: tzinfo, session_time: datetime) -> datetime | None:
    after = session_time + timedelta(seconds=schedule.delay + 1)
    found = next_session_times(schedule, zone, after, 1)
    return found[0].session_time if found else None


def session_variables(workflow: str, session_time: datetime, zone: tzinfo, zone_name: str,
                      schedule: ParsedSchedule | None) -> dict[str, object]:
    """Built-in variables of the simulated session (ids are placeholders: the dry run has no server)."""
    variables: dict[str, object] = {
        "timezone": zone_name,
        "project_id": 1,
        "session_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dig-lsp:{workflow}:{session_time.isoformat()}")),
        "session_id": 1,
        "attempt_id": 1,
    }
    variables.update(_time_variables("session", session_time, zone))
    epoch = datetime.fromtimestamp(0, UTC).astimezone(zone)
    for key, value in _time_variables("last_executed_session", epoch, zone).items():
        variables[key] = value if key.endswith("_tz_offset") else ""
    if schedule is not None:
        previous = _previous_session(schedule, zone, session_time)
        following = _next_session(schedule, zone, session_time)
        if previous is not None:
            variables.update(_time_variables("last_session", previous, zone))
        if following is not None:
            variables.update(_time_variables("next_session", following, zone))
    return variables


def js_params(params: dict[str, object]) -> dict[str, Any]:
    """Plain params as the JS values the interpreter reads."""
    return {key: from_python(value) for key, value in params.items()}
