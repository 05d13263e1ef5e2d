"""Parsing of ``schedule:``, ``sla:`` and ``timezone`` values, as digdag parses them.

Pure helpers (no checks, no syntax nodes): the linter reports what they reject, and the
dry-run simulator uses :func:`build_schedule` and :func:`next_session_times` to compute
session times. Every rule below was read from digdag's source (commit e3234701):

* ``digdag-standards/.../scheduler/{Hourly,Daily,Weekly,Monthly,MinutesInterval,Cron,
  SecondsInterval}SchedulerFactory.java``, ``CronScheduler.java``, ``ScheduleConfigHelper.java``
* ``digdag-core/.../schedule/SchedulerManager.java`` and ``ScheduleExecutor.java``
  (``BUILT_IN_SCHEDULE_PARAMS``)
* ``digdag-core/.../workflow/SlaCalculator.java``; ``digdag-plugin-utils/.../util/Durations.java``
* ``digdag-client/.../api/JacksonTimeModule.java`` (``timezone`` goes through ``ZoneId.of``)
* cron4j 2.2.5 ``SchedulingPattern`` / ``Predictor`` (the library digdag's cron scheduler uses).

Values arrive as digdag's YAML types them; Java reads string options through Jackson, so
an int ``7`` is read as the text ``"7"`` (see :func:`java_text`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from dig_lsp.digdag.coerce import java_integer
from dig_lsp.text.quote import excerpt

SCHEDULE_TYPES = ("hourly", "daily", "weekly", "monthly", "minutes_interval", "cron", "seconds_interval")
# ScheduleExecutor.BUILT_IN_SCHEDULE_PARAMS: always counted as used by SchedulerManager.
BUILT_IN_SCHEDULE_PARAMS = ("skip_on_overtime", "skip_delayed_by", "start", "end")
# Types whose value may be given as ``at:`` instead (``getOptional("_command").or(get("at"))``).
AT_TYPES = frozenset({"hourly", "daily", "weekly", "monthly"})
# Types that read ``delay`` (seconds, a Java long).
DELAY_TYPES = frozenset({"minutes_interval", "cron", "seconds_interval"})
# SecondsIntervalSchedulerFactory never reads ``start``/``end``.
START_END_TYPES = frozenset(SCHEDULE_TYPES) - {"seconds_interval"}

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


class ScheduleError(ValueError):
    """A value digdag rejects; the message follows digdag's where it has a fixed text."""


# --- Java primitives -------------------------------------------------------------------------


def java_text(value: object) -> str | None:
    """The string Jackson gives for ``get(key, String.class)``: scalars become text, null is absent.

    Objects and arrays cannot be read as a string (``Expected string type``): ScheduleError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ScheduleError(f"Expected string type but got {type(value).__name__}")


def java_parse_int(text: str) -> int | None:
    """``Integer.parseInt``: optional sign, decimal digits, 32-bit range; None when it throws."""
    if not re.fullmatch(r"[+-]?\d+", text):
        return None
    return java_integer(text, _INT_MIN, _INT_MAX)


def java_split(text: str, separator: str, limit: int = 0) -> list[str]:
    """``String.split`` on a literal one-character separator, trailing empty strings dropped (limit 0)."""
    if limit > 0:
        return text.split(separator, limit - 1)
    parts = text.split(separator)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _wrap_int(number: int) -> int:
    """Java ``int`` arithmetic overflow (``hour * 3600 + ...`` is computed as int)."""
    return (number - _INT_MIN) % 2**32 + _INT_MIN


def java_long(value: object) -> int | None:
    """Jackson's ``long`` from a JSON value: ints, floats (truncated) and numeric strings (trimmed)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if _LONG_MIN <= value <= _LONG_MAX else None
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else None
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        return java_integer(value.strip(), _LONG_MIN, _LONG_MAX)
    return None


def java_int(value: object) -> int | None:
    """Jackson's ``int`` from a JSON value (see :func:`java_long`), 32-bit range."""
    number = java_long(value)
    return number if number is not None and _INT_MIN <= number <= _INT_MAX else None


def java_boolean(value: object) -> bool | None:
    """Jackson 2.9's ``boolean``: true/false, the strings "true"/"false", ints (0 is false)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip() in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return value.strip().lower() == "true"
    return None


# --- at / HH:MM:SS values --------------------------------------------------------------------


def _fields(text: str, count: int, message: str) -> list[int]:
    parts = java_split(text, ":")
    if len(parts) != count:
        raise ScheduleError(message)
    numbers = [java_parse_int(part) for part in parts]
    if any(number is None for number in numbers):
        raise ScheduleError(message)
    return [number for number in numbers if number is not None]


def parse_hourly_at(text: str) -> int:
    """``hourly>: MM:SS`` → delay seconds after each hour. No range check (``75:00`` is legal)."""
    minute, second = _fields(text, 2, f"hourly>: scheduler requires mm:ss format: {excerpt(text)}")
    return _wrap_int(minute * 60 + second)


def parse_daily_at(text: str, kind: str = "daily>") -> int:
    """``HH:MM:SS`` → delay seconds after midnight (``DailySchedulerFactory.parseAt``)."""
    hour, minute, second = _fields(text, 3, f"{kind} scheduler requires hh:mm:ss format: {excerpt(text)}")
    return _wrap_int(hour * 3600 + minute * 60 + second)


def parse_weekly_at(text: str) -> tuple[str, int]:
    """``DAY,HH:MM:SS`` → (cron4j day-of-week field, delay seconds), in digdag's order of checks."""
    message = f"weekly>: scheduler requires day,hh:mm:ss format: {excerpt(text)}"
    parts = java_split(text, ",", 2)
    if len(parts) != 2:
        raise ScheduleError(message)
    day, time = parts[0].strip(), parts[1].strip()
    number = java_parse_int(day)
    if number is not None and number < 0:
        raise ScheduleError(f"weekly>: invalid day: {excerpt(day)}")  # cron4j would read -1 as 1
    delay = parse_daily_at(time, "weekly>")
    try:
        parse_cron4j(f"0 0 * * {day}")
    except ScheduleError:
        raise ScheduleError(message) from None
    return day, delay


def parse_monthly_at(text: str) -> tuple[int, int]:
    """``D,HH:MM:SS`` → (day of month, delay seconds). Neither part is trimmed by digdag."""
    message = f"monthly>: scheduler requires day,hh:mm:ss format: {excerpt(text)}"
    parts = java_split(text, ",", 2)
    if len(parts) != 2:
        raise ScheduleError(message)
    day = java_parse_int(parts[0])
    if day is None:
        raise ScheduleError(message)
    delay = parse_daily_at(parts[1], "monthly>")
    parse_cron4j(f"0 0 {day} * *")  # CronScheduler's SchedulingPattern rejects days outside 1..31
    return day, delay


# --- cron4j patterns -------------------------------------------------------------------------
#
# Verified from cron4j 2.2.5 SchedulingPattern/Predictor (facts, not code):
# * `|` separates alternative patterns (empty pieces skipped); a time matches if any matches.
# * each pattern is exactly 5 fields split on spaces/tabs: minute 0-59, hour 0-23,
#   day-of-month 1-31 or `L` (last day), month 1-12 or jan..dec, day-of-week 0-7 (7 = 0) or
#   sun..sat; aliases are case-insensitive; numbers go through Integer.parseInt (a `+` is fine).
# * a field is `*`, or a comma list (empty items skipped) of `range[/step]`; `range` is `*`,
#   `v` or `a-b` (StringTokenizer on `-`, so `-5` reads as `5`); `a > b` wraps around; the step
#   keeps every step-th value of the range's list (step >= 1).
# * unlike Vixie cron, ALL five fields must match (day-of-month AND day-of-week).
# * Predictor.nextMatchingTime() truncates the start to the minute and returns the first
#   matching minute strictly after it, evaluated in the scheduler's time zone.

_CRON_FIELDS = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("days of month", 1, 31, ()),
    ("months", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("days of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
LAST_DAY_OF_MONTH = 32  # cron4j's value for `L`


@dataclass(frozen=True, slots=True)
class CronField:
    """One field of a cron4j pattern: ``values`` in cron4j order, or every value for ``*``."""

    values: tuple[int, ...]
    any: bool = False


@dataclass(frozen=True, slots=True)
class CronPattern:
    """A parsed cron4j pattern: one tuple of five fields per ``|`` alternative."""

    text: str
    alternatives: tuple[tuple[CronField, ...], ...]


def _tokens(text: str, delimiters: str) -> list[str]:
    """``java.util.StringTokenizer``: pieces between delimiter characters, empty ones skipped."""
    return [piece for piece in re.split("[" + re.escape(delimiters) + "]", text) if piece]


def _cron_value(text: str, index: int) -> int:
    _, low, high, aliases = _CRON_FIELDS[index]
    if index == 2 and text.lower() == "l":
        return LAST_DAY_OF_MONTH
    number = java_parse_int(text)
    if number is not None and low <= number <= high:
        return number % 7 if index == 4 else number
    if text.lower() in aliases:
        return aliases.index(text.lower()) + (1 if index == 3 else 0)
    raise ScheduleError(f'invalid value "{excerpt(text)}"' + (", value out of range" if number is not None else ""))


def _cron_range(text: str, index: int) -> list[int]:
    _, low, high, _ = _CRON_FIELDS[index]
    if text == "*":
        return list(range(low, high + 1))
    bounds = _tokens(text, "-")
    if not 1 <= len(bounds) <= 2:
        raise ScheduleError("syntax error")
    first = _cron_value(bounds[0], index)
    if len(bounds) == 1:
        return [first]
    last = _cron_value(bounds[1], index)
    if first <= last:
        return list(range(first, last + 1))
    return list(range(first, high + 1)) + list(range(low, last + 1))


def _cron_element(text: str, index: int) -> list[int]:
    parts = _tokens(text, "/")
    if not 1 <= len(parts) <= 2:
        raise ScheduleError(f'invalid element "{excerpt(text)}", syntax error')
    values = _cron_range(parts[0], index)
    if len(parts) == 1:
        return values
    step = java_parse_int(parts[1])
    if step is None or step < 1:
        raise ScheduleError(f'invalid element "{excerpt(text)}", invalid divisor "{excerpt(parts[1])}"')
    return values[::step]


def _cron_field(text: str, index: int) -> CronField:
    _, low, high, _ = _CRON_FIELDS[index]
    if text == "*":
        return CronField(tuple(range(low, high + 1)), any=True)
    values: list[int] = []
    for element in _tokens(text, ","):
        for value in _cron_element(element, index):
            if value not in values:
                values.append(value)
    if not values:
        raise ScheduleError(f'invalid field "{excerpt(text)}"')
    return CronField(tuple(values))


def parse_cron4j(text: str) -> CronPattern:
    """Validate and parse a cron4j pattern (``SchedulingPattern``), raising ScheduleError."""
    patterns = _tokens(text, "|")
    if not patterns:
        raise ScheduleError(f'invalid pattern: "{excerpt(text)}"')
    alternatives = []
    for pattern in patterns:
        fields = _tokens(pattern, " \t")
        if len(fields) != 5:
            raise ScheduleError(f'invalid pattern: "{excerpt(pattern)}" '
                                f"(cron4j needs exactly 5 fields, found {len(fields)})")
        parsed = []
        for index, field_text in enumerate(fields):
            try:
                parsed.append(_cron_field(field_text, index))
            except ScheduleError as error:
                raise ScheduleError(
                    f'invalid pattern "{pattern}". Error parsing {_CRON_FIELDS[index][0]} field: {error}'
                ) from None
        alternatives.append(tuple(parsed))
    return CronPattern(text, tuple(alternatives))


def _croniter_field(field: CronField, index: int) -> str:
    if field.any:
        return "*"
    values = sorted(set(field.values))
    return ",".join("L" if index == 2 and value == LAST_DAY_OF_MONTH else str(value) for value in values)


def croniter_expressions(pattern: CronPattern) -> list[str]:
    """Standard 5-field expressions (one per alternative) croniter reads with ``day_or=False``.

    Explicit value lists avoid the syntax where cron4j and croniter differ (wrap-around
    ranges, steps past the field's range, aliases, ``7``); ``day_or=False`` gives cron4j's
    day-of-month AND day-of-week rule.
    """
    return [" ".join(_croniter_field(field, index) for index, field in enumerate(alt))
            for alt in pattern.alternatives]


# --- durations, dates, SLA times, zones ------------------------------------------------------

_DURATION_UNITS = "dhms"
# Java's `\s` and `\d` (no UNICODE_CHARACTER_CLASS): runs of one class, matched where they start.
_JAVA_SPACES = re.compile(r"[ \t\n\x0b\f\r]*")
_DIGITS = re.compile(r"[0-9]*")


def parse_duration(text: str) -> timedelta:
    """``Durations.parseDuration``: ``[Nd][Nh][Nm][Ns]`` in order, at least one part."""
    parts = _duration_parts(text)
    if not parts:
        raise ScheduleError(f"Invalid duration: {excerpt(text)!r} (expected e.g. 30s, 10m, 1h 30m, 2d)")
    numbers = [java_integer(parts.get(unit, "0"), 0, _LONG_MAX) for unit in _DURATION_UNITS]
    if None in numbers:
        raise ScheduleError(f"Invalid duration: {excerpt(text)!r} (too long)")
    days, hours, minutes, seconds = (number or 0 for number in numbers)
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total > _LONG_MAX or days > 999_999_999:
        raise ScheduleError(f"Invalid duration: {excerpt(text)!r} (too long)")
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _duration_parts(text: str) -> dict[str, str] | None:
    """The digits before each unit, or None unless Durations.PATTERN matches ``text``.

    That pattern (``\\s*(?:(\\d+)\\s*d)?\\s*(?:(\\d+)\\s*h)?...\\s*``, case-insensitive) backtracks
    n^4 over spaces that lead to no duration, so ``text`` is scanned once, left to right: parts of
    digits, spaces and a unit letter, in the order d, h, m, s, with spaces anywhere between them.
    """
    parts: dict[str, str] = {}
    units = _DURATION_UNITS
    index = _end_of(_JAVA_SPACES, text, 0)
    while index < len(text):
        digits_end = _end_of(_DIGITS, text, index)
        unit_at = _end_of(_JAVA_SPACES, text, digits_end)
        unit = text[unit_at:unit_at + 1].lower()
        if digits_end == index or not unit or unit not in units:
            return None
        parts[unit] = text[index:digits_end]
        units = units[units.index(unit) + 1:]
        index = _end_of(_JAVA_SPACES, text, unit_at + 1)
    return parts


def _end_of(run: re.Pattern[str], text: str, start: int) -> int:
    """Where the run of ``run``'s characters that starts at ``start`` ends."""
    match = run.match(text, start)
    return match.end() if match is not None else start


_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_schedule_date(text: str) -> date:
    """``uuuu-MM-dd`` with ResolverStyle.STRICT (``ScheduleConfigHelper``): real calendar dates.

    Java also takes signed years of 5+ digits (``+10000-01-01``); Python's ``date`` cannot
    hold them, so only 4-digit years are accepted here.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        raise ScheduleError(f"{excerpt(text)!r} is not a YYYY-MM-DD date")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ScheduleError(f"{excerpt(text)!r} is not a calendar date") from None


def parse_sla_time(text: str, option: str = "time") -> tuple[int, int, int]:
    """``SlaCalculator``: ``HH:MM`` or ``HH:MM:SS`` of Java ints, no range check."""
    parts = java_split(text, ":")
    numbers = [java_parse_int(part) for part in parts]
    if len(parts) not in (2, 3) or any(number is None for number in numbers):
        raise ScheduleError(f"SLA {option} option needs to be HH:MM or HH:MM:SS format: {excerpt(text)}")
    values = [number for number in numbers if number is not None] + [0]
    return values[0], values[1], values[2]


_REGION = re.compile(r"[A-Za-z][A-Za-z0-9~/._+-]+")
_NOT_JAVA_ZONES = frozenset({"Factory", "localtime", "posixrules"})


@functools.cache
def region_ids() -> frozenset[str]:
    """Region ids known to Python's tz database, minus files Java's tzdb does not carry.

    zoneinfo is imported here and in :func:`parse_zone_id`, when a region id is first looked up: its
    import (with sysconfig, to find the tz path) is 3-4 ms of a one-file run, and ``UTC``, offsets and
    files without a time zone need none of it."""
    import zoneinfo

    return frozenset(zoneinfo.available_timezones()) - _NOT_JAVA_ZONES


def _zone_offset(text: str, whole: str) -> timezone:
    """``ZoneOffset.of``: ``+h``, ``+hh``, ``+hh:mm``, ``+hhmm``, ``+hh:mm:ss``, ``+hhmmss``, max 18h."""
    message = f"Invalid ID for ZoneOffset: {excerpt(whole)}"
    if len(text) < 2 or text[0] not in "+-" or not re.fullmatch(r"[0-9:]+", text[1:]):
        raise ScheduleError(message)
    body = text[1:]
    layouts = {1: ("h",), 2: ("hh",), 4: ("hh", "mm"), 5: ("hh", ":mm"), 6: ("hh", "mm", "ss"),
               8: ("hh", ":mm", ":ss")}
    layout = layouts.get(len(body))
    if layout is None:
        raise ScheduleError(message)
    numbers, position = [], 0
    for piece in layout:
        if piece.startswith(":"):
            if body[position] != ":":
                raise ScheduleError(message)
            position += 1
        digits = body[position:position + len(piece.lstrip(":"))]
        if not digits.isdigit():
            raise ScheduleError(message)
        numbers.append(int(digits))
        position += len(digits)
    hours, minutes, seconds = ([*numbers, 0, 0])[:3]
    total = hours * 3600 + minutes * 60 + seconds
    if hours > 18 or minutes > 59 or seconds > 59 or total > 18 * 3600:
        raise ScheduleError(f"Zone offset out of range: {excerpt(whole)}")
    return timezone(timedelta(seconds=-total if text[0] == "-" else total))


def parse_zone_id(text: str) -> tzinfo:
    """``java.time.ZoneId.of`` (after Jackson trims the text), as a Python tzinfo.

    Offsets (``Z``, ``+09:00``, ``UTC+9``, ``GMT-03:30``, ``UT+1``) and ``UTC``/``GMT``/``UT``
    follow ``ZoneId.of``; region ids must be known to the tz database installed here, which
    can be newer or older than the JVM's (a region only one of them knows is the risk).
    """
    zone_id = text.strip()
    if len(zone_id) <= 1 or zone_id[0] in "+-":
        if zone_id == "Z":
            return UTC
        return _zone_offset(zone_id, zone_id)
    for prefix in ("UTC", "GMT", "UT"):
        if zone_id.startswith(prefix):
            rest = zone_id[len(prefix):]
            if rest == "":
                return UTC
            if rest[0] in "+-":
                return _zone_offset(rest, zone_id)
            break
    if not _REGION.fullmatch(zone_id):
        raise ScheduleError(f"Invalid ID for region-based ZoneId, invalid format: {excerpt(zone_id)}")
    if zone_id not in region_ids():
        raise ScheduleError(f"Unknown time-zone ID: {excerpt(zone_id)}")
    import zoneinfo  # see region_ids

    return zoneinfo.ZoneInfo(zone_id)


# --- whole schedules and their session times -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedSchedule:
    """A schedule as digdag's scheduler factories build it.

    ``cron`` is the cron4j pattern whose matches are session times (None for
    ``seconds_interval``, which counts ``interval_seconds`` from the Unix epoch); the task
    runs ``delay`` seconds after each session time (``hourly>: 30:00`` has session times on
    the hour and runs at half past). ``end`` is inclusive of its day.
    """

    type: str
    command: str | int | None
    cron: CronPattern | None
    interval_seconds: int | None
    delay: int
    start: date | None
    end: date | None
    skip_on_overtime: bool
    skip_delayed_by: timedelta | None


def _command_text(type_name: str, command: object, params: Mapping[str, object]) -> str:
    text = java_text(command)
    if text is None and type_name in AT_TYPES:
        text = java_text(params.get("at"))
    if text is None:
        raise ScheduleError(f"Parameter '{'at' if type_name in AT_TYPES else '_command'}' is required but not set")
    return text


def _cron_and_delay(type_name: str, command: object, params: Mapping[str, object]) -> tuple[CronPattern, int]:
    if type_name == "hourly":
        return parse_cron4j("0 * * * *"), parse_hourly_at(_command_text(type_name, command, params))
    if type_name == "daily":
        return parse_cron4j("0 0 * * *"), parse_daily_at(_command_text(type_name, command, params))
    if type_name == "weekly":
        day, delay = parse_weekly_at(_command_text(type_name, command, params))
        return parse_cron4j(f"0 0 * * {day}"), delay
    if type_name == "monthly":
        month_day, delay = parse_monthly_at(_command_text(type_name, command, params))
        return parse_cron4j(f"0 0 {month_day} * *"), delay
    delay = parse_delay(params.get("delay"))
    if type_name == "minutes_interval":
        return parse_cron4j(f"*/{parse_interval(command)} * * * *"), delay
    return parse_cron4j(_command_text(type_name, command, params)), delay


def parse_delay(value: object) -> int:
    """``config.get("delay", long.class, 0L)``."""
    if value is None:
        return 0
    delay = java_long(value)
    if delay is None:
        raise ScheduleError(f"delay must be an integer number of seconds, not {excerpt(repr(value))}")
    return delay


def parse_interval(value: object) -> int:
    """``config.get("_command", int.class)`` of the interval types."""
    interval = java_int(value)
    if interval is None:
        raise ScheduleError(f"the interval must be an integer, not {excerpt(repr(value))}")
    return interval


def build_schedule(type_name: str, command: object, params: Mapping[str, object]) -> ParsedSchedule:
    """Build a schedule from its type, its ``type>`` value and its other keys, or raise ScheduleError.

    ``params`` holds plain values (``delay``, ``at``, ``start``, ``end``, ``skip_*``).
    """
    if type_name not in SCHEDULE_TYPES:
        raise ScheduleError(f"Unknown scheduler type: {excerpt(type_name)}")
    if type_name == "seconds_interval":
        interval = parse_interval(command)
        if interval <= 0:
            raise ScheduleError(f"seconds_interval> must be a positive number of seconds, not {interval}")
        cron, delay, start, end = None, parse_delay(params.get("delay")), None, None
    else:
        cron, delay = _cron_and_delay(type_name, command, params)
        interval = None
        start, end = _start_end(params)
    skip_on_overtime = java_boolean(params.get("skip_on_overtime", False))
    if skip_on_overtime is None:
        raise ScheduleError("skip_on_overtime must be true or false")
    skip = java_text(params.get("skip_delayed_by"))
    return ParsedSchedule(
        type_name, command if isinstance(command, (str, int)) else None, cron, interval, delay,
        start, end, skip_on_overtime, None if skip is None else parse_duration(skip),
    )


def _start_end(params: Mapping[str, object]) -> tuple[date | None, date | None]:
    texts = [java_text(params.get(key)) for key in ("start", "end")]
    start, end = (None if text is None else parse_schedule_date(text) for text in texts)
    if start is not None and end is not None and end < start:
        raise ScheduleError("The schedule of end is earlier than start")
    return start, end


@dataclass(frozen=True, slots=True)
class SessionTime:
    """One scheduled session: its ``session_time`` and when digdag starts it."""

    session_time: datetime
    run_time: datetime


def _day_start(day: date, zone: tzinfo) -> datetime:
    # ZonedDateTime.of(day.atStartOfDay(), zone): a local time in a DST gap keeps the earlier
    # offset (moved forward by the gap), which is what fold=0 gives here.
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _next_match(pattern: CronPattern, after: datetime, zone: tzinfo) -> datetime:
    """Predictor.nextMatchingTime: first matching minute strictly after ``after``'s minute."""
    # imported here: only session times need it (the dry run, the editor's schedule hints), and it is a
    # third of a one-file lint's imports (dateutil, pytz...): the checks read schedules without it
    from croniter import croniter

    local = after.astimezone(zone).replace(second=0, microsecond=0)
    candidates: list[datetime] = [croniter(expression, local, day_or=False).get_next(datetime)
                                  for expression in croniter_expressions(pattern)]
    return min(candidates).astimezone(UTC)


_SCHEDULE_END = datetime(9999, 1, 1, tzinfo=UTC)  # BaseScheduler.SCHEDULE_END


def _next_cron(schedule: ParsedSchedule, pattern: CronPattern, last: datetime, zone: tzinfo) -> datetime:
    """CronScheduler.nextWithStartEnd."""
    found = _next_match(pattern, last, zone)
    run = found + timedelta(seconds=schedule.delay)
    if schedule.end is not None and _day_start(schedule.end + timedelta(days=1), zone) <= run:
        return _SCHEDULE_END
    if schedule.start is not None and _day_start(schedule.start, zone) > run:
        return _next_match(pattern, _day_start(schedule.start, zone) - timedelta(seconds=1), zone)
    return found


def _next_session(schedule: ParsedSchedule, last: datetime, zone: tzinfo) -> datetime:
    if schedule.cron is None:
        interval = schedule.interval_seconds or 1
        epoch = int(last.timestamp() // 1)
        return datetime.fromtimestamp(epoch - epoch % interval + interval, UTC)
    return _next_cron(schedule, schedule.cron, last, zone)


def next_session_times(schedule: ParsedSchedule, zone: tzinfo, now: datetime, count: int) -> list[SessionTime]:
    """The first ``count`` sessions digdag would schedule when the workflow is pushed at ``now``.

    Mirrors ``getFirstScheduleTime`` (the first session whose run time is not before ``now``,
    truncated to seconds) then ``nextScheduleTime``; stops at ``end``. Times are in ``zone``.
    Known gap: around DST transitions cron4j's calendar arithmetic and croniter's may pick
    different instants for local times that do not exist or occur twice.
    """
    now = now.astimezone(UTC)
    truncated = now.replace(microsecond=0)
    if schedule.cron is None:
        last = truncated - timedelta(seconds=1) if truncated == now else truncated
    else:
        last = (truncated - timedelta(seconds=1) if truncated == now else truncated) - timedelta(seconds=schedule.delay)
    sessions: list[SessionTime] = []
    while len(sessions) < count:
        found = _next_session(schedule, last, zone)
        if found >= _SCHEDULE_END:
            break
        run = found + timedelta(seconds=schedule.delay)
        sessions.append(SessionTime(found.astimezone(zone), run.astimezone(zone)))
        last = found
    return sessions
