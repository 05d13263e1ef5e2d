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

from dig_lsp.dryrun.js import JsError, Unevaluable, evaluate_text, from_python
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
    # digdag's message for the first error (GraalJsEngine: "Failed to evaluate a variable <the whole
    # string> (<the JavaScript error>)"): evaluation stops there and the task fails
    failure: str | None = None

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
            out.append(evaluate_text(template.expression, params, zone))
        except Unevaluable as reason:
            result.unevaluated.append(f"${{{template.expression}}}: {reason}")
            out.append(value[template.start:template.end])
        except JsError as error:
            result.errors.append(f"${{{template.expression}}}: {error}")
            result.failure = result.failure or f"Failed to evaluate a variable {value} ({error})"
            out.append(value[template.start:template.end])
    end = len(value) if unclosed is None else unclosed.start
    out.append(_literal(value[position:end]))
    if unclosed is not None:
        out.append(_literal(value[unclosed.start:]))
    result.text = "".join(out)
    return result


def render_config(config: dict[str, object], params: dict[str, object], zone: tzinfo,
                  own: frozenset[str] = frozenset()) -> tuple[dict[str, object], Rendered]:
    """Every string of a task's merged config, evaluated as digdag's ``ConfigEvalEngine.eval`` does.

    ``config`` is what ``OperatorManager.evalConfig`` builds (the task request's params, the runtime
    params, then the task's own keys merged in) and ``params`` the same before the own keys. Keys are
    evaluated in order, inherited ``_export`` values included: each consuming task renders them again
    (reference section 5.3), so ``table: t_${session_date_compact}`` is rendered wherever it is used.
    A string sees ``params`` as written plus the keys already evaluated *in its own mapping*
    (``Context.evalValue``): inside a nested mapping inherited params stay unevaluated (issue #862);
    ``_do``/``_else_do`` are never evaluated (``NO_EVALUATE_PARAMETERS``). ``own``: the task's own
    top-level keys; a template in any other key is reported as inherited.
    """
    summary = Rendered("")
    built = _Evaluation(params, zone, summary, own).mapping(config, "")
    return built, summary


@dataclass
class _Evaluation:
    """One ``ConfigEvalEngine.Context``: ``evalObjectRecursive``, ``evalArrayRecursive``, ``evalValue``."""

    params: dict[str, object]
    zone: tzinfo
    summary: Rendered
    own: frozenset[str]

    def mapping(self, value: dict[str, object], top: str) -> dict[str, object]:
        built: dict[str, object] = {}
        for key, item in value.items():
            where = top or key
            if key in ("_do", "_else_do"):
                built[key] = item
            elif isinstance(item, dict):
                built[key] = self.mapping(item, where)
            elif isinstance(item, list):
                built[key] = self.array(built, item, where)
            elif isinstance(item, str):
                built[key] = self.value(built, item, where)
            else:
                built[key] = item
        return built

    def array(self, local: dict[str, object], items: list[object], where: str) -> list[object]:
        built: list[object] = []
        for item in items:
            if isinstance(item, dict):
                built.append(self.mapping(item, where))
            elif isinstance(item, list):
                built.append(self.array(local, item, where))
            elif isinstance(item, str):
                built.append(self.value(local, item, where))
            else:
                built.append(item)
        return built

    def value(self, local: dict[str, object], code: str, where: str) -> str:
        if "$" not in code:  # ConfigEvalEngine.isInvokeTemplateRequired
            return code
        scope = from_python(self.params)  # a fresh copy for each template, as digdag passes JSON
        scope.update(from_python(local))
        rendered = render_string(code, scope, self.zone)
        self.summary.templates += rendered.templates
        origin = "" if where in self.own else f" (in inherited '{where}')"
        self.summary.unevaluated.extend(item + origin for item in rendered.unevaluated)
        self.summary.errors.extend(item + origin for item in rendered.errors)
        self.summary.failure = self.summary.failure or rendered.failure
        return rendered.text


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
