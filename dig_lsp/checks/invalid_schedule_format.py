"""A schedule value digdag's scheduler cannot parse.

## What it does
Checks the values of a top-level `schedule:` whose type is known: `hourly>` takes `MM:SS`, `daily>` `HH:MM:SS`, `weekly>` `DAY,HH:MM:SS` (DAY a cron4j day of week: `Sun`, `mon`, `0`-`7`, `mon-fri`), `monthly>` `D,HH:MM:SS`, `minutes_interval>` and `seconds_interval>` a positive integer, `cron>` a 5-field cron4j pattern (or the `at:` key in place of the value of the first four, with `_type:`). `delay` must be an integer (seconds), `start`/`end` real `YYYY-MM-DD` dates with `end` not before `start`, `skip_delayed_by` a duration such as `30m` or `1h 30m`, and `skip_on_overtime` `true` or `false`. Values are checked as digdag types them: `daily>: 07:00:00` is the text `07:00:00`, `minutes_interval>: 30` the number 30. Schedule values are never `${...}`-evaluated. Numbers out of their usual range (`daily>: 25:00:00`) are accepted, as digdag accepts them.

## Why is this bad?
digdag fails when it builds the scheduler (`hourly>: scheduler requires mm:ss format: 10:11:12`, `Invalid start: ...`, `The schedule of end is earlier than start`), so `digdag check`, `run` and `push` fail; a bad `skip_delayed_by` or `skip_on_overtime` makes the server's schedule loop fail for the workflow.

## Example
```yaml
schedule:
  hourly>: 10:11:12
  start: 2024-02-30
```

## Use instead
```yaml
schedule:
  hourly>: 11:12
  start: 2024-02-29
```
"""

# Facts: digdag-standards/src/main/java/io/digdag/standards/scheduler/*SchedulerFactory.java
# (formats, exact messages, `_command` or `at`, `delay` as long, minutes_interval → "*/M * * * *"
# for cron4j, which rejects a divisor below 1), ScheduleConfigHelper.java (uuuu-MM-dd STRICT,
# end inclusive, "The schedule of end is earlier than start"), SchedulerManager.java (a null
# `x>:` value fails with "Parameter 'x>' is required but null"), ScheduleExecutor.java
# (skip_on_overtime as boolean, skip_delayed_by as DurationParam), util/Durations.java.
# SecondsIntervalScheduler divides by the interval, so 0 fails and negatives run backwards.
# Test: digdag-tests/src/test/resources/acceptance/schedule/invalid_schedule.dig.

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.schedule_support import schedule_mappings
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model import schedule as model
from dig_lsp.model.schedule import ScheduleError
from dig_lsp.model.schedule_shape import ScheduleShape
from dig_lsp.syntax.nodes import Entry, Node, Scalar, to_json_text
from dig_lsp.text.quote import excerpt

CODE = "DL302"
NAME = "invalid-schedule-format"
SEVERITY = Severity.ERROR

_FORMATS = {
    "hourly": "MM:SS past the hour, e.g. 30:00",
    "daily": "HH:MM:SS, e.g. 07:00:00",
    "weekly": "DAY,HH:MM:SS, e.g. Sun,10:00:00",
    "monthly": "D,HH:MM:SS, e.g. 1,09:00:00",
    "cron": "5 cron4j fields, e.g. \"0 9 * * mon-fri\"",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check every value of every top-level schedule with a known type."""
    for shape in schedule_mappings(ctx):
        yield from _check_command(shape)
        yield from _check_options(shape)


def _text(node: Node) -> tuple[str | None, str | None]:
    """The text Java reads from a value, or (None, why not)."""
    if not isinstance(node, Scalar):
        return None, f"must be a single value, not {excerpt(to_json_text(node))}"
    try:
        return model.java_text(node.value), None
    except ScheduleError as error:
        return None, str(error)


def _quoted(node: Node) -> str:
    return f"'{excerpt(node.raw, 40)}'" if isinstance(node, Scalar) else excerpt(to_json_text(node), 40)


def _not_evaluated(node: Node) -> str:
    if isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value:
        return " (`${...}` is not evaluated here)"
    return ""


def _digdag_says(node: Node, error: object) -> tuple[Related, ...]:
    """digdag's own error, which names the field or part it could not read, as a note."""
    return (Related(node.span, f"digdag's error: {error}"),)


def _command_node(shape: ScheduleShape) -> tuple[Node | None, str]:
    """The node holding the schedule's value and how to name it; None when there is none."""
    entry = shape.type_entry
    assert entry is not None
    if not shape.uses_type_key:
        return entry.value, f"`{entry.key}`"
    if shape.command is not None and not (isinstance(shape.command, Scalar) and shape.command.value is None):
        return shape.command, "`_command`"
    at = shape.mapping.get("at")
    if shape.type_name in model.AT_TYPES and at is not None:
        return at, "`at`"
    return None, "`_command`"


def _check_command(shape: ScheduleShape) -> Iterator[Finding]:
    entry = shape.type_entry
    assert entry is not None
    assert shape.type_name is not None
    node, name = _command_node(shape)
    if node is None:
        missing = "at" if shape.type_name in model.AT_TYPES else "_command"
        yield Finding(entry.value.span, f"`_type: {shape.type_name}` needs its value in `{missing}:`")
        return
    if isinstance(node, Scalar) and node.value is None:
        expected = _FORMATS.get(shape.type_name, "a number")
        yield Finding(entry.key_span, f"{name} has no value; expected {expected}")
        return
    if shape.type_name in ("minutes_interval", "seconds_interval"):
        yield from _check_interval(shape.type_name, node, name)
        return
    text, why = _text(node)
    if text is None:
        yield Finding(node.span, f"{name} {why}; expected {_FORMATS[shape.type_name]}")
        return
    try:
        _PARSERS[shape.type_name](text)
    except ScheduleError as error:
        reason = _cron_reason(str(error)) if shape.type_name == "cron" else None
        expected = reason or f"expected {_FORMATS[shape.type_name]}"
        yield Finding(node.span, f"{_quoted(node)} is not a valid {name} value{_not_evaluated(node)}; {expected}",
                      _digdag_says(node, error))


_CRON_RANGE = re.compile(r'Error parsing (?P<field>[a-z ]+) field: invalid value "(?P<value>[^"]*)", value out of range')
_CRON_COUNT = re.compile(r"needs exactly 5 fields, found (?P<count>[0-9]+)")


def _cron_reason(error: str) -> str | None:
    """What cron4j's error says is wrong, in a few words: the field out of range, or how many fields."""
    if (match := _CRON_RANGE.search(error)) is not None:
        return f"{match['value']} is out of range for {match['field']}"
    if (match := _CRON_COUNT.search(error)) is not None:
        return f"it has {match['count']} fields, not 5 (minute hour day month weekday)"
    return None


def _parse_cron(text: str) -> object:
    return model.parse_cron4j(text)


_PARSERS: dict[str, Callable[[str], object]] = {
    "hourly": model.parse_hourly_at,
    "daily": model.parse_daily_at,
    "weekly": model.parse_weekly_at,
    "monthly": model.parse_monthly_at,
    "cron": _parse_cron,
}


def _check_interval(type_name: str, node: Node, name: str) -> Iterator[Finding]:
    value = node.value if isinstance(node, Scalar) else None
    interval = model.java_int(value) if isinstance(node, Scalar) else None
    unit = "minutes" if type_name == "minutes_interval" else "seconds"
    if interval is None:
        yield Finding(node.span, f"{name} must be a whole number of {unit}, not {_quoted(node)}"
                                 f"{_not_evaluated(node)}")
    elif interval < 1:
        why = ("digdag builds the cron4j pattern `*/" + str(interval) + " * * * *`, which has a non positive divisor"
               if type_name == "minutes_interval" else "the scheduler divides by it")
        yield Finding(node.span, f"{name} must be a positive number of {unit}, not {interval}",
                      (Related(node.span, why),))


def _option(shape: ScheduleShape, key: str) -> Entry | None:
    entry = shape.mapping.entry(key)
    if entry is None or (isinstance(entry.value, Scalar) and entry.value.value is None):
        return None
    return entry


def _check_options(shape: ScheduleShape) -> Iterator[Finding]:
    type_name = shape.type_name
    delay = _option(shape, "delay")
    if delay is not None and type_name in model.DELAY_TYPES:
        value = delay.value.value if isinstance(delay.value, Scalar) else None
        if model.java_long(value) is None:
            yield Finding(delay.value.span, f"`delay` must be a whole number of seconds, not {_quoted(delay.value)}"
                                            f"{_not_evaluated(delay.value)}")
    if type_name in model.START_END_TYPES:
        yield from _check_dates(shape)
    yield from _check_skip(shape)


def _date(entry: Entry) -> tuple[Finding | None, date | None]:
    text, why = _text(entry.value)
    if text is None:
        return Finding(entry.value.span, f"`{entry.key}` {why}; expected a YYYY-MM-DD date"), None
    try:
        return None, model.parse_schedule_date(text)
    except ScheduleError as error:
        return Finding(entry.value.span, f"`{entry.key}` {error}{_not_evaluated(entry.value)}"), None


def _check_dates(shape: ScheduleShape) -> Iterator[Finding]:
    parsed: dict[str, tuple[Entry, date]] = {}
    for key in ("start", "end"):
        entry = _option(shape, key)
        if entry is None:
            continue
        finding, value = _date(entry)
        if finding is not None:
            yield finding
        elif value is not None:
            parsed[key] = (entry, value)
    if "start" in parsed and "end" in parsed:
        (_, start), (end_entry, end) = parsed["start"], parsed["end"]
        if end < start:
            yield Finding(end_entry.value.span, f"`end` ({end}) is before `start` ({start})")


def _check_skip(shape: ScheduleShape) -> Iterator[Finding]:
    skip = _option(shape, "skip_delayed_by")
    if skip is not None:
        text, why = _text(skip.value)
        problem = why is not None
        if text is not None:
            try:
                model.parse_duration(text)
            except ScheduleError:
                problem = True
        if problem:
            yield Finding(skip.value.span, f"`skip_delayed_by` must be a duration like 30s, 10m or 1h 30m, not "
                                           f"{_quoted(skip.value)}{_not_evaluated(skip.value)}")
    overtime = _option(shape, "skip_on_overtime")
    if overtime is not None:
        value = overtime.value.value if isinstance(overtime.value, Scalar) else None
        if model.java_boolean(value) is None:
            yield Finding(overtime.value.span, f"`skip_on_overtime` must be true or false, not "
                                               f"{_quoted(overtime.value)}")
