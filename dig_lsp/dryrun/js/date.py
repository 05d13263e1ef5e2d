"""``Date`` as ES5.1 section 15.9 defines it, on time values (milliseconds since 1970 UTC, NaN when invalid).

Local time is the workflow's time zone: digdag builds its GraalJS context with
``.timeZone(getWorkflowZoneId(params))`` (``GraalJsEngine.createContextSupplier``; ``NashornJsEngine`` passes
``-timezone=`` the same way), so ``new Date(2024, 0, 31).getTime()`` and ``getHours()`` depend on the
workflow's ``timezone:``, never on the JVM's default zone. The offset at an instant is the zone's
real one at that instant (tz data, as ICU gives GraalJS), not ES5.1's "current daylight saving algorithm"
(15.9.1.8); a local time that does not exist or exists twice reads with the offset before the
transition (Python's ``fold=0``, as ES2015's UTC(t) specifies).

``Date.parse`` and ``new Date(string)`` read the format of 15.9.1.15 (``YYYY-MM-DDTHH:mm:ss.sssZ`` and its
shorter forms); with no offset the time is UTC ("the value of an absent time zone offset is Z": ES5.1,
which GraalJS keeps in ``js.nashorn-compat`` mode, ``DateParser.isUTCDefaultTimezone``). Any other string
is read by implementation-specific heuristics (15.9.4.2) and is not evaluated. The strings of
``toString``, ``toUTCString`` and the locale methods are implementation-dependent (15.9.5.2-15.9.5.7,
15.9.5.42) and are not evaluated either; ``toISOString`` and ``toJSON`` are specified and are.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.dryrun.js.number import to_integer

MS_PER_DAY = 86_400_000
MS_PER_HOUR = 3_600_000
MS_PER_MINUTE = 60_000
MS_PER_SECOND = 1000
MAX_TIME = 8.64e15
"""15.9.1.1: time values cover exactly -100,000,000 to 100,000,000 days from 1970."""
_EPOCH = datetime(1970, 1, 1)


@dataclass
class JsDate:
    """A Date object: its [[PrimitiveValue]], the time value (mutable: the set... methods change it)."""

    time: float


# ------------------------------------------------------------------------------------- 15.9.1 time values


def day(t: float) -> float:
    """15.9.1.2 Day(t)."""
    return float(math.floor(t / MS_PER_DAY))


def time_within_day(t: float) -> float:
    """15.9.1.2 TimeWithinDay(t)."""
    return t % MS_PER_DAY


def day_from_year(year: int) -> int:
    """15.9.1.3 DayFromYear(y)."""
    return 365 * (year - 1970) + (year - 1969) // 4 - (year - 1901) // 100 + (year - 1601) // 400


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def year_from_time(t: float) -> int:
    """15.9.1.3 YearFromTime(t): the largest y with TimeFromYear(y) <= t."""
    days = int(day(t))
    year = 1970 + math.floor(days / 365.2425)
    while day_from_year(year) > days:
        year -= 1
    while day_from_year(year + 1) <= days:
        year += 1
    return year


_MONTH_STARTS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]


def _month_start(month: int, leap: bool) -> int:
    """The day within the year on which ``month`` (0-11) starts (15.9.1.4's table)."""
    return _MONTH_STARTS[month] + (1 if leap and month >= 2 else 0)


def month_from_time(t: float) -> int:
    """15.9.1.4 MonthFromTime(t)."""
    year = year_from_time(t)
    within = int(day(t)) - day_from_year(year)
    leap = _leap(year)
    month = 0
    while month < 11 and within >= _month_start(month + 1, leap):
        month += 1
    return month


def date_from_time(t: float) -> int:
    """15.9.1.5 DateFromTime(t)."""
    year = year_from_time(t)
    within = int(day(t)) - day_from_year(year)
    return within - _month_start(month_from_time(t), _leap(year)) + 1


def week_day(t: float) -> int:
    """15.9.1.6 WeekDay(t): 0 is Sunday."""
    return int((day(t) + 4) % 7)


def hour_from_time(t: float) -> int:
    """15.9.1.10 HourFromTime(t)."""
    return int(math.floor(t / MS_PER_HOUR) % 24)


def min_from_time(t: float) -> int:
    """15.9.1.10 MinFromTime(t)."""
    return int(math.floor(t / MS_PER_MINUTE) % 60)


def sec_from_time(t: float) -> int:
    """15.9.1.10 SecFromTime(t)."""
    return int(math.floor(t / MS_PER_SECOND) % 60)


def ms_from_time(t: float) -> int:
    """15.9.1.10 msFromTime(t)."""
    return int(t % MS_PER_SECOND)


def make_time(hour: float, minute: float, second: float, ms: float) -> float:
    """15.9.1.11 MakeTime."""
    if not all(math.isfinite(v) for v in (hour, minute, second, ms)):
        return math.nan
    return (to_integer(hour) * MS_PER_HOUR + to_integer(minute) * MS_PER_MINUTE + to_integer(second) * MS_PER_SECOND
            + to_integer(ms))


_MAX_YEAR = 400_000
"""Past this many years from year 0 no day can come back within TimeClip's range (273,790 years)."""


def make_day(year: float, month: float, date: float) -> float:
    """15.9.1.12 MakeDay."""
    if not all(math.isfinite(v) for v in (year, month, date)):
        return math.nan
    y, m, dt = to_integer(year), to_integer(month), to_integer(date)
    ym = y + math.floor(m / 12)
    if abs(ym) > _MAX_YEAR:
        return math.nan
    mn = int(m % 12)
    whole_year = int(ym)
    return float(day_from_year(whole_year) + _month_start(mn, _leap(whole_year))) + dt - 1


def make_date(days: float, time: float) -> float:
    """15.9.1.13 MakeDate."""
    if not math.isfinite(days) or not math.isfinite(time):
        return math.nan
    return days * MS_PER_DAY + time


def time_clip(time: float) -> float:
    """15.9.1.14 TimeClip (an integer, +0 for -0)."""
    if not math.isfinite(time) or abs(time) > MAX_TIME:
        return math.nan
    return float(int(to_integer(time)))


# ------------------------------------------------------------------------------- local time (15.9.1.7-9)


def _out_of_range(zone: tzinfo) -> Unevaluable:
    return Unevaluable(f"not evaluated: the offset of the time zone {zone} outside the years 1-9999 is not known "
                       f"to the dry run")


def _fixed_offset(zone: tzinfo) -> float | None:
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        return offset.total_seconds() * 1000
    return None


def offset_at(t: float, zone: tzinfo) -> float:
    """The zone's offset from UTC, in ms, at the time value ``t`` (LocalTZA + DaylightSavingTA(t))."""
    fixed = _fixed_offset(zone)
    if fixed is not None:
        return fixed
    try:
        moment = (_EPOCH + timedelta(milliseconds=t)).replace(tzinfo=UTC).astimezone(zone)
    except (OverflowError, ValueError):
        raise _out_of_range(zone) from None
    offset = moment.utcoffset()
    return offset.total_seconds() * 1000 if offset is not None else 0.0


def local_time(t: float, zone: tzinfo) -> float:
    """15.9.1.9 LocalTime(t)."""
    return t if math.isnan(t) else t + offset_at(t, zone)


def utc(t: float, zone: tzinfo) -> float:
    """15.9.1.9 UTC(t): the time value of the local time ``t`` (the offset before a transition in a gap or
    an overlap)."""
    if not math.isfinite(t):
        return math.nan
    fixed = _fixed_offset(zone)
    if fixed is not None:
        return t - fixed
    try:
        local = (_EPOCH + timedelta(milliseconds=t)).replace(tzinfo=zone, fold=0)
    except (OverflowError, ValueError):
        if abs(t) > MAX_TIME + 2 * MS_PER_DAY:
            return math.nan  # TimeClip would refuse it whatever the offset
        raise _out_of_range(zone) from None
    offset = local.utcoffset()
    return t - (offset.total_seconds() * 1000 if offset is not None else 0.0)


# ------------------------------------------------------------------------------------- 15.9.1.15 strings

_ISO = re.compile(
    r"(?P<year>[+-]\d{6}|\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<ms>\d{3}))?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?)?"
)


def parse(text: str) -> float:
    """15.9.4.2 ``Date.parse`` of a string in the format of 15.9.1.15 (NaN for illegal element values)."""
    match = _ISO.fullmatch(text)
    if match is None:
        raise Unevaluable(f"not evaluated: Date.parse({text!r}): only the format of ES5.1 15.9.1.15 "
                          f"(YYYY-MM-DDTHH:mm:ss.sssZ) is specified; other strings are read by "
                          f"implementation-specific heuristics (15.9.4.2)")
    fields = {name: int(value) for name, value in match.groupdict().items() if value is not None and name != "offset"}
    month, date = fields.get("month", 1), fields.get("day", 1)
    hour, minute, second, ms = (fields.get(name, 0) for name in ("hour", "minute", "second", "ms"))
    if not (1 <= month <= 12 and 1 <= date <= 31 and hour <= 24 and minute <= 59 and second <= 59):
        return math.nan
    if hour == 24 and (minute or second or ms):
        return math.nan
    offset = match.group("offset")
    minutes = 0
    if offset is not None and offset != "Z":
        hours_part, minutes_part = int(offset[1:3]), int(offset[4:6])
        if hours_part > 23 or minutes_part > 59:
            return math.nan
        minutes = (hours_part * 60 + minutes_part) * (-1 if offset[0] == "-" else 1)
    value = make_date(make_day(fields["year"], month - 1, date), make_time(hour, minute, second, ms))
    return time_clip(value - minutes * MS_PER_MINUTE)


def iso_string(t: float) -> str:
    """15.9.5.43 ``toISOString`` (years outside 0-9999 in the extended form of 15.9.1.15.1)."""
    if not math.isfinite(t):
        raise JsError("RangeError", "Invalid time value")
    year = year_from_time(t)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return (f"{year_text}-{month_from_time(t) + 1:02d}-{date_from_time(t):02d}T{hour_from_time(t):02d}:"
            f"{min_from_time(t):02d}:{sec_from_time(t):02d}.{ms_from_time(t):03d}Z")


# ------------------------------------------------------------------------------------------ constructor


def from_fields(numbers: list[float], zone: tzinfo | None) -> float:
    """``new Date(year, month[, date[, hours[, minutes[, seconds[, ms]]]]])`` (15.9.3.1, local time) or
    ``Date.UTC(...)`` (15.9.4.3, ``zone`` None).

    With fewer than two arguments ``Date.UTC`` is implementation-dependent in ES5.1; GraalJS takes month 0
    (``JSDate.executeConstructor``), as ES2017 specifies.
    """
    year = numbers[0] if numbers else math.nan
    month = numbers[1] if len(numbers) > 1 else 0.0
    rest = [*numbers[2:7], *[1.0, 0.0, 0.0, 0.0, 0.0][len(numbers[2:7]):]]
    if not math.isnan(year) and 0 <= to_integer(year) <= 99:
        year = 1900 + to_integer(year)
    final = make_date(make_day(year, month, rest[0]), make_time(rest[1], rest[2], rest[3], rest[4]))
    return time_clip(final if zone is None else utc(final, zone))


# ------------------------------------------------------------------------------------------ 15.9.5 methods

_LOCAL_GETTERS = {
    "FullYear": year_from_time, "Month": month_from_time, "Date": date_from_time, "Day": week_day,
    "Hours": hour_from_time, "Minutes": min_from_time, "Seconds": sec_from_time, "Milliseconds": ms_from_time,
}
IMPLEMENTATION_DEPENDENT = frozenset({
    "toString", "toDateString", "toTimeString", "toLocaleString", "toLocaleDateString", "toLocaleTimeString",
    "toUTCString", "toGMTString",
})
"""15.9.5.2-15.9.5.7, 15.9.5.42 and B.2.6: strings whose contents the spec leaves to the implementation."""

METHODS = frozenset({
    "getTime", "valueOf", "getTimezoneOffset", "getYear", "toISOString", "setTime", "setMilliseconds",
    "setUTCMilliseconds", "setSeconds", "setUTCSeconds", "setMinutes", "setUTCMinutes", "setHours", "setUTCHours",
    "setDate", "setUTCDate", "setMonth", "setUTCMonth", "setFullYear", "setUTCFullYear",
    *(f"get{name}" for name in _LOCAL_GETTERS), *(f"getUTC{name}" for name in _LOCAL_GETTERS),
})
"""The methods :func:`call_method` implements (``toJSON`` is the interpreter's: it calls ``toISOString``)."""


def not_specified(name: str) -> Unevaluable:
    """The reason a Date string of :data:`IMPLEMENTATION_DEPENDENT` is not evaluated."""
    return Unevaluable(f"not evaluated: Date.prototype.{name}() gives an implementation-dependent string "
                       f"(ES5.1 15.9.5); toISOString() is the specified one")


def call_method(date: JsDate, name: str, args: list[float], zone: tzinfo) -> float | str:
    """Date.prototype method ``name`` with its arguments already converted by ToNumber."""
    t = date.time
    if name in ("getTime", "valueOf"):
        return t
    if name == "toISOString":
        return iso_string(t)
    if name.startswith("get"):
        if math.isnan(t):
            return math.nan
        if name == "getTimezoneOffset":
            return (t - local_time(t, zone)) / MS_PER_MINUTE
        if name == "getYear":  # B.2.4
            return float(year_from_time(local_time(t, zone)) - 1900)
        field = name.removeprefix("getUTC").removeprefix("get")
        return float(_LOCAL_GETTERS[field](t if name.startswith("getUTC") else local_time(t, zone)))
    date.time = _set(date.time, name, args, zone)
    return date.time


def _set(time: float, name: str, args: list[float], zone: tzinfo) -> float:
    """15.9.5.27-15.9.5.41: the new time value."""
    if name == "setTime":
        return time_clip(args[0] if args else math.nan)
    in_utc = name.startswith("setUTC")
    field = name.removeprefix("setUTC").removeprefix("set")
    # 15.9.5.40/41 step 1: setFullYear of an invalid date starts from t = +0
    t = 0.0 if field == "FullYear" and math.isnan(time) else time if in_utc else local_time(time, zone)
    if math.isnan(t):
        return math.nan

    def arg(index: int, default: float) -> float:
        if index < len(args):
            return args[index]
        return math.nan if index == 0 else default

    if field in ("Milliseconds", "Seconds", "Minutes", "Hours"):
        order = ["Hours", "Minutes", "Seconds", "Milliseconds"]
        current = [float(hour_from_time(t)), float(min_from_time(t)), float(sec_from_time(t)), float(ms_from_time(t))]
        start = order.index(field)
        parts = current[:start] + [arg(i, current[start + i]) for i in range(4 - start)]
        new = make_date(day(t), make_time(*parts))
    elif field == "Date":
        new = make_date(make_day(year_from_time(t), month_from_time(t), arg(0, 0)), time_within_day(t))
    elif field == "Month":
        new = make_date(make_day(year_from_time(t), arg(0, 0), arg(1, date_from_time(t))), time_within_day(t))
    else:  # FullYear
        new = make_date(make_day(arg(0, 0), arg(1, month_from_time(t)), arg(2, date_from_time(t))),
                        time_within_day(t))
    return time_clip(new if in_utc else utc(new, zone))
