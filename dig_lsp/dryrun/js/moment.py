"""The Moment.js basics digdag templates use, on Python datetimes.

digdag loads Moment.js 2.21.0 (``digdag-core/src/main/resources/io/digdag/core/agent/moment.min.js``,
no moment-timezone) and runs the JS engine in the workflow timezone (reference section 5.1), so
``moment(session_time)`` is a local-mode moment in that zone. Implemented: ``moment(x)``,
``moment(x, format)``, ``moment.utc(x)``, ``moment.unix(n)``, ``add``/``subtract``,
``format`` (common tokens and the ``en`` locale's long date formats ``LT``, ``LTS``, ``L``...``LLLL`` and
``l``...``llll``), ``startOf``/``endOf``, ``utc``/``local``, ``unix``/``valueOf``,
``toISOString``, ``clone``, getters, ``isBefore``/``isAfter``/``isSame``, ``diff``. Anything else
raises :class:`MomentError` so the dry run can say it did not evaluate the template.
"""

from __future__ import annotations

import calendar
import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any


class MomentError(Exception):
    """A Moment.js feature the dry run does not implement, or a call that reads the clock."""


_UNITS = {
    "y": "year", "year": "year", "years": "year",
    "Q": "quarter", "quarter": "quarter", "quarters": "quarter",
    "M": "month", "month": "month", "months": "month",
    "w": "week", "week": "week", "weeks": "week",
    "isoWeek": "isoWeek", "isoweek": "isoWeek", "isoWeeks": "isoWeek", "W": "isoWeek",
    "d": "day", "day": "day", "days": "day", "D": "date", "date": "date", "dates": "date",
    "h": "hour", "hour": "hour", "hours": "hour",
    "m": "minute", "minute": "minute", "minutes": "minute",
    "s": "second", "second": "second", "seconds": "second",
    "ms": "millisecond", "millisecond": "millisecond", "milliseconds": "millisecond",
}


def normalize_unit(unit: object) -> str:
    """Moment's ``normalizeUnits``: exact alias first, then the lower-cased one."""
    if not isinstance(unit, str):
        raise MomentError(f"moment unit {unit!r} is not supported by the dry run")
    found = _UNITS.get(unit) or _UNITS.get(unit.lower())
    if found is None:
        raise MomentError(f"moment unit {unit!r} is not supported by the dry run")
    return found


@dataclass
class Moment:
    """A mutable moment: an aware datetime, the JS timezone, and whether it is in UTC mode."""

    dt: datetime
    zone: tzinfo
    utc: bool

    def shown(self) -> datetime:
        """The wall-clock datetime the moment displays."""
        return self.dt.astimezone(UTC if self.utc else self.zone)

    def epoch_millis(self) -> int:
        """``valueOf()``."""
        return round(self.dt.timestamp() * 1000)

    def iso_string(self) -> str:
        """``toISOString()``: always UTC with milliseconds."""
        value = self.dt.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"

    def set_local(self, naive: datetime) -> None:
        """Replace the wall-clock time, keeping the mode."""
        self.dt = naive.replace(tzinfo=UTC if self.utc else self.zone).astimezone(UTC)

    def format(self, pattern: str | None = None, tick: Callable[[], None] | None = None) -> str:
        """``format()``."""
        if pattern is None:
            pattern = "YYYY-MM-DDTHH:mm:ss[Z]" if self.utc else "YYYY-MM-DDTHH:mm:ssZ"
        return _format(self.shown(), pattern, tick)


# --- parsing

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


def _parse_iso(text: str) -> tuple[datetime, bool]:
    """A naive or aware datetime and whether the text carried an offset."""
    match = _ISO.fullmatch(text.strip())
    if match is None:
        basic = _ISO_BASIC.fullmatch(text.strip())
        if basic is None:
            raise MomentError(f"moment({text!r}): only ISO 8601 strings are parsed by the dry run")
        return datetime(int(basic[1]), int(basic[2]), int(basic[3])), False
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                         int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        raise MomentError(f"moment({text!r}) is an invalid date") from None
    if offset is not None:
        return value.replace(tzinfo=_offset(offset)), True
    return value, False


_PARSE_FIELDS = {token: (name, re.compile(regex)) for token, name, regex in (
    ("YYYY", "year", r"\d{4}"), ("YY", "year2", r"\d{2}"), ("MM", "month", r"\d{1,2}"), ("M", "month", r"\d{1,2}"),
    ("DD", "day", r"\d{1,2}"), ("D", "day", r"\d{1,2}"), ("HH", "hour", r"\d{1,2}"), ("H", "hour", r"\d{1,2}"),
    ("mm", "minute", r"\d{1,2}"), ("m", "minute", r"\d{1,2}"), ("ss", "second", r"\d{1,2}"),
    ("s", "second", r"\d{1,2}"), ("Z", "offset", r"Z|[+-]\d{2}:?\d{2}"), ("ZZ", "offset", r"Z|[+-]\d{2}:?\d{2}"),
)}
_ASCII_LETTERS = frozenset(string.ascii_letters)


def _parse_with(text: str, pattern: str) -> tuple[datetime, bool]:
    """``moment(text, format)``, read the way Moment.js reads it (``configFromStringAndFormat``).

    Token by token: each field is searched for from where the previous token ended (what lies
    before it is skipped), a literal (``-``, ``[at]``) is passed over where it is found. No
    backtracking across tokens: one regex for the whole format, with a ``\\W*`` per separator,
    was exponential in the number of adjacent separators.
    """
    fields = _parse_fields(text, pattern)
    year = int(fields["year"]) if fields.get("year") else (
        2000 + int(fields["year2"]) if fields.get("year2") and int(fields["year2"]) <= 68 else
        1900 + int(fields["year2"]) if fields.get("year2") else 1970)
    try:
        value = datetime(year, int(fields.get("month") or 1), int(fields.get("day") or 1),
                         int(fields.get("hour") or 0), int(fields.get("minute") or 0), int(fields.get("second") or 0))
    except ValueError:
        raise MomentError(f"moment({text!r}, {pattern!r}) is an invalid date") from None
    if fields.get("offset"):
        return value.replace(tzinfo=_offset(fields["offset"])), True
    return value, False


def _parse_fields(text: str, pattern: str) -> dict[str, str]:
    """The text of each field of ``pattern`` in ``text``, by name (``year``, ``month``...)."""
    fields: dict[str, str] = {}
    position = 0
    for token in _TOKENS.finditer(expand_format(pattern)):
        literal = _format_literal(token)
        if literal is not None:
            found = text.find(literal, position) if literal else -1
            position = found + len(literal) if found >= 0 else position
            continue
        name, regex = _parse_field(token.group(3))
        if name in fields:
            raise MomentError(f"moment format {pattern!r} repeats a field")
        match = regex.search(text, position)
        if match is None:
            raise MomentError(f"moment({text!r}, {pattern!r}) does not match in the dry run's parser")
        fields[name] = match.group()
        position = match.end()
    if not fields:  # Moment.js: an invalid date, which the dry run cannot carry on with
        raise MomentError(f"moment({text!r}, {pattern!r}) does not match in the dry run's parser")
    return fields


def _format_literal(token: re.Match[str]) -> str | None:
    """What a format token stands for literally (``[at]``, ``\\Y``, ``-``), or None for a field."""
    if token.group(1) is not None:
        return token.group(1)[1:-1]
    text = token.group(3)
    return text if token.group(2) is not None or text[0] not in _ASCII_LETTERS else None


def _parse_field(token: str) -> tuple[str, re.Pattern[str]]:
    field = _PARSE_FIELDS.get(token)
    if field is None:
        raise MomentError(f"moment parse token {token!r} is not supported by the dry run")
    return field


def moment_call(args: list[Any], zone: tzinfo, utc: bool) -> Moment:
    """``moment(...)`` or ``moment.utc(...)``."""
    if not args:
        raise MomentError("moment() reads the clock at run time")
    first = args[0]
    if isinstance(first, Moment):
        return Moment(first.dt, zone, utc or first.utc)
    if isinstance(first, bool) or first is None:
        raise MomentError(f"moment({first!r}) is not supported by the dry run")
    if isinstance(first, int | float):
        if not math.isfinite(first):
            raise MomentError("moment() of a non-finite number")
        return Moment(datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=first), zone, utc)
    if not isinstance(first, str):
        raise MomentError("moment() of an object or array is not supported by the dry run")
    if len(args) > 1 and isinstance(args[1], str):
        value, has_offset = _parse_with(first, args[1])
    elif len(args) > 1:
        raise MomentError("moment() with several formats is not supported by the dry run")
    else:
        value, has_offset = _parse_iso(first)
    if not has_offset:
        value = value.replace(tzinfo=UTC if utc else zone)
    return Moment(value.astimezone(UTC), zone, utc)


# --- formatting

LONG_DATE_FORMATS = {
    "LTS": "h:mm:ss A", "LT": "h:mm A", "L": "MM/DD/YYYY", "LL": "MMMM D, YYYY", "LLL": "MMMM D, YYYY h:mm A",
    "LLLL": "dddd, MMMM D, YYYY h:mm A",
}
"""The ``en`` locale's ``longDateFormat`` in the moment.min.js digdag bundles (2.21.0: ``nt={...,longDateFormat:
{LTS:"h:mm:ss A",LT:"h:mm A",L:"MM/DD/YYYY",LL:"MMMM D, YYYY",...}}``)."""
_LOCALIZED = re.compile(r"(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")


def _long_date_format(key: str) -> str | None:
    """moment's ``Locale.longDateFormat``: a lower-case key is its upper-case format with ``MMMM``, ``MM``,
    ``DD``, ``dddd`` shortened by one letter (``l`` is ``M/D/YYYY``, ``llll`` is ``ddd, MMM D, YYYY h:mm A``)."""
    if key in LONG_DATE_FORMATS:
        return LONG_DATE_FORMATS[key]
    upper = LONG_DATE_FORMATS.get(key.upper())
    if upper is None:
        return None
    return re.sub(r"MMMM|MM|DD|dddd", lambda match: match.group()[1:], upper)


def expand_format(pattern: str) -> str:
    """moment's ``expandFormat``: localized tokens replaced by their formats, at most six rounds (a bracketed
    or escaped token, which ``longDateFormat`` does not know, stays as it is)."""
    for _ in range(6):
        if _LOCALIZED.search(pattern) is None:
            break
        pattern = _LOCALIZED.sub(lambda match: _long_date_format(match.group()) or match.group(), pattern)
    return pattern


_TOKENS = re.compile(
    r"(\[[^\[]*\])|(\\)?([Hh]mm(?:ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?|Qo?|YYYYYY|YYYYY|"
    r"YYYY|YY|gg(?:ggg?)?|GG(?:GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)"
)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _ordinal(number: int) -> str:
    if 11 <= number % 100 <= 13:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _zone_text(value: datetime, separator: str) -> str:
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{separator}{minutes % 60:02d}"


def _token_texts(value: datetime) -> dict[str, str]:
    """What each supported token formats ``value`` as (``S`` to ``SSSSSSSSS`` included)."""
    hour12 = value.hour % 12 or 12
    day_of_week = (value.weekday() + 1) % 7
    simple: dict[str, str] = {
        "YYYY": f"{value.year:04d}", "YY": f"{value.year % 100:02d}",
        "M": str(value.month), "MM": f"{value.month:02d}", "MMM": _MONTHS[value.month - 1][:3],
        "MMMM": _MONTHS[value.month - 1], "Mo": _ordinal(value.month),
        "D": str(value.day), "DD": f"{value.day:02d}", "Do": _ordinal(value.day),
        "DDD": str(value.timetuple().tm_yday), "DDDD": f"{value.timetuple().tm_yday:03d}",
        "DDDo": _ordinal(value.timetuple().tm_yday), "do": _ordinal(day_of_week),
        "d": str(day_of_week), "dd": _DAYS[day_of_week][:2], "ddd": _DAYS[day_of_week][:3], "dddd": _DAYS[day_of_week],
        "E": str(value.isoweekday()), "Q": str((value.month - 1) // 3 + 1),
        "H": str(value.hour), "HH": f"{value.hour:02d}", "h": str(hour12), "hh": f"{hour12:02d}",
        "k": str(value.hour or 24), "kk": f"{value.hour or 24:02d}",
        "m": str(value.minute), "mm": f"{value.minute:02d}", "s": str(value.second), "ss": f"{value.second:02d}",
        "a": "am" if value.hour < 12 else "pm", "A": "AM" if value.hour < 12 else "PM",
        "Z": _zone_text(value, ":"), "ZZ": _zone_text(value, ""),
        "X": str(int(value.timestamp())), "x": str(round(value.timestamp() * 1000)),
        "W": str(value.isocalendar()[1]), "WW": f"{value.isocalendar()[1]:02d}",
        "GGGG": f"{value.isocalendar()[0]:04d}",
    }
    fraction = f"{value.microsecond:06d}000"
    simple.update({"S" * size: fraction[:size] for size in range(1, 10)})
    return simple


def _format(value: datetime, pattern: str, tick: Callable[[], None] | None = None) -> str:
    """``format``; ``tick`` is called for each token (the caller's step budget)."""
    out = []
    texts = _token_texts(value)
    for match in _TOKENS.finditer(expand_format(pattern)):
        if tick is not None:
            tick()
        bracket, escape, token = match.groups()
        if bracket is not None:
            out.append(bracket[1:-1])
        elif escape is not None or (len(token) == 1 and token not in "MDdEeaAHhkmsSxXZzQWw"):
            out.append(token)
        elif token in texts:
            out.append(texts[token])
        else:
            raise MomentError(f"moment format token {token!r} is not supported by the dry run")
    return "".join(out)


# --- arithmetic


def _add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def _amounts(args: list[Any]) -> list[tuple[float, str]]:
    if args and isinstance(args[0], dict):
        return [(float(v), normalize_unit(k)) for k, v in args[0].items() if isinstance(v, int | float)]
    if not args:
        return []
    amount, unit = args[0], args[1] if len(args) > 1 else "ms"
    if isinstance(amount, str) and not isinstance(unit, str | type(None)) and isinstance(unit, int | float):
        amount, unit = unit, amount  # moment's deprecated (unit, amount) order
    if isinstance(amount, str):
        try:
            amount = float(amount)
        except ValueError:
            raise MomentError(f"moment add amount {amount!r} is not a number") from None
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        raise MomentError("moment add/subtract with this argument is not supported by the dry run")
    return [(float(amount), normalize_unit(unit))]


def _shift(moment: Moment, args: list[Any], sign: int) -> Moment:
    for amount, unit in _amounts(args):
        amount *= sign
        local = moment.shown().replace(tzinfo=None)
        if unit in ("year", "quarter", "month"):
            months = round(amount) * {"year": 12, "quarter": 3, "month": 1}[unit]
            moment.set_local(_add_months(local, months))
        elif unit in ("week", "isoWeek", "day", "date"):
            moment.set_local(local + timedelta(days=round(amount) * (7 if "eek" in unit else 1)))
        else:
            seconds = {"hour": 3600, "minute": 60, "second": 1, "millisecond": 0.001}[unit]
            moment.dt = moment.dt + timedelta(seconds=amount * seconds)
    return moment


def _start_of(moment: Moment, unit: str) -> Moment:
    local = moment.shown().replace(tzinfo=None)
    if unit == "year":
        local = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit == "quarter":
        local = local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit == "month":
        local = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit in ("week", "isoWeek"):
        back = (local.weekday() + 1) % 7 if unit == "week" else local.weekday()  # locale en: weeks start on Sunday
        local = (local - timedelta(days=back)).replace(hour=0, minute=0, second=0, microsecond=0)
    elif unit in ("day", "date"):
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif unit == "hour":
        local = local.replace(minute=0, second=0, microsecond=0)
    elif unit == "minute":
        local = local.replace(second=0, microsecond=0)
    elif unit == "second":
        local = local.replace(microsecond=0)
    moment.set_local(local)
    return moment


def _end_of(moment: Moment, unit: str) -> Moment:
    if unit == "millisecond":
        return moment
    _start_of(moment, unit)
    _shift(moment, [1, unit if unit != "date" else "day"], 1)
    moment.dt = moment.dt - timedelta(milliseconds=1)
    return moment


def _other(args: list[Any], moment: Moment) -> Moment:
    if not args:
        raise MomentError("comparing with now reads the clock at run time")
    return args[0] if isinstance(args[0], Moment) else moment_call(args[:1], moment.zone, False)


def _diff(moment: Moment, args: list[Any]) -> float:
    other = _other(args, moment)
    unit = normalize_unit(args[1]) if len(args) > 1 and args[1] is not None else "millisecond"
    if unit in ("year", "quarter", "month"):
        raise MomentError("moment diff in months or years is not supported by the dry run")
    millis = moment.epoch_millis() - other.epoch_millis()
    size = {"week": 604_800_000, "isoWeek": 604_800_000, "day": 86_400_000, "date": 86_400_000,
            "hour": 3_600_000, "minute": 60_000, "second": 1000, "millisecond": 1}[unit]
    result = millis / size
    if len(args) > 2 and args[2] is True:
        return result
    return float(math.trunc(result))


def _getter(moment: Moment, name: str) -> float:
    value = moment.shown()
    return float({"year": value.year, "month": value.month - 1, "date": value.day, "day": (value.weekday() + 1) % 7,
                  "hour": value.hour, "hours": value.hour, "minute": value.minute, "minutes": value.minute,
                  "second": value.second, "seconds": value.second, "isoWeekday": value.isoweekday(),
                  "dayOfYear": value.timetuple().tm_yday,
                  "daysInMonth": calendar.monthrange(value.year, value.month)[1]}[name])


_GETTERS = frozenset({"year", "month", "date", "day", "hour", "hours", "minute", "minutes", "second", "seconds",
                      "isoWeekday", "dayOfYear", "daysInMonth"})


def moment_method(moment: Moment, name: str, args: list[Any], tick: Callable[[], None] | None = None) -> Any:
    """Call method ``name`` of a moment (arguments are plain values or moments); ``tick`` counts the steps of
    ``format``, one a token."""
    if name == "format":
        return moment.format(args[0] if args and isinstance(args[0], str) else None, tick)
    if name in ("add", "subtract"):
        return _shift(moment, args, 1 if name == "add" else -1)
    if name in ("startOf", "endOf"):
        unit = normalize_unit(args[0] if args else None)
        return _start_of(moment, unit) if name == "startOf" else _end_of(moment, unit)
    if name in ("utc", "local"):
        moment.utc = name == "utc"
        return moment
    if name == "clone":
        return Moment(moment.dt, moment.zone, moment.utc)
    if name == "unix":
        return float(math.floor(moment.dt.timestamp()))
    if name == "valueOf":
        return float(moment.epoch_millis())
    if name in ("toISOString", "toJSON"):
        return moment.iso_string()
    if name == "toString":
        return moment.format("ddd MMM DD YYYY HH:mm:ss [GMT]ZZ")
    if name == "isValid":
        return True
    if name in ("isBefore", "isAfter", "isSame"):
        other = _other(args, moment).epoch_millis()
        mine = moment.epoch_millis()
        return {"isBefore": mine < other, "isAfter": mine > other, "isSame": mine == other}[name] if len(args) < 2 \
            else _compare_by_unit(moment, _other(args, moment), normalize_unit(args[1]), name)
    if name == "diff":
        return _diff(moment, args)
    if name in _GETTERS and not args:
        return _getter(moment, name)
    raise MomentError(f"moment method {name!r} is not supported by the dry run")


def _compare_by_unit(moment: Moment, other: Moment, unit: str, name: str) -> bool:
    start = _start_of(Moment(other.dt, moment.zone, moment.utc), unit).epoch_millis()
    end = _end_of(Moment(other.dt, moment.zone, moment.utc), unit).epoch_millis()
    mine = moment.epoch_millis()
    return {"isBefore": mine < start, "isAfter": mine > end, "isSame": start <= mine <= end}[name]
