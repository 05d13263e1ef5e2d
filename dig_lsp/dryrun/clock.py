"""Simulated seconds as wall-clock times in the workflow's time zone, and a time axis of them.

The simulator counts seconds from the session's start; people read clock times. Adding a
``timedelta`` to an aware ``datetime`` adds *wall* time in Python (across a daylight-saving change
``01:00 + 2h`` gives ``03:00``, one hour after), so an instant is found through UTC and only then
shown in the zone. Simulated times can also pass what a ``datetime`` holds (retry intervals up to
``Integer.MAX_VALUE`` seconds, long configured durations): those give ``None`` and callers fall back
to offsets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = 86400
# Tick steps a reader counts in (seconds): 1-2-5 below a minute, clock-face fractions above.
_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, DAY,
          2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 364 * DAY)


def wall_clock(origin: datetime, seconds: float) -> datetime | None:
    """The instant ``seconds`` after ``origin``, in ``origin``'s time zone (None past year 9999)."""
    try:
        return (origin.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(origin.tzinfo)
    except (OverflowError, ValueError):
        return None


def duration_text(seconds: float) -> str:
    """``1h 5m``, ``2m 30s``, ``45s``, ``3d 4h``: the two largest units, as a reader says them."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    days, rest = divmod(whole, DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    first = next(i for i, (value, _) in enumerate(parts) if value)
    shown = [f"{value}{unit}" for value, unit in parts[first:first + 2] if value]
    return " ".join(shown)


@dataclass(frozen=True)
class Tick:
    """One labelled instant of the axis; ``day`` is set on the first tick and where the date changes."""

    seconds: float
    label: str
    day: str = ""


def ticks(origin: datetime, span: float, most: int = 10) -> list[Tick]:
    """Round clock times (``08:15``, ``08:30``) between ``origin`` and ``span`` seconds later, at most
    ``most`` of them, aligned to the zone's clock rather than to the start."""
    step = next((s for s in _STEPS if span / s <= most), None)
    start = wall_clock(origin, 0)
    if step is None or start is None:
        return [Tick(s, f"+{duration_text(s)}") for s in _offsets(span, most)]
    into_day = start.hour * 3600 + start.minute * 60 + start.second + start.microsecond / 1e6
    # the first round time at or after the start: of the step within the day, else the next midnight
    first = math.ceil(into_day / step) * step - into_day if step < DAY else (DAY - into_day) % DAY
    found: list[Tick] = []
    previous_date = None
    at = first
    while at <= span + 1e-9:
        moment = wall_clock(origin, at)
        if moment is None:
            break
        label = moment.strftime("%H:%M:%S" if step < 60 else "%H:%M" if step < DAY else "%b %d")
        date = moment.date()
        day = moment.strftime("%a %b %d") if step < DAY and date != previous_date else ""
        found.append(Tick(at, label, day))
        previous_date = date
        at += step
    return found


def _offsets(span: float, most: int) -> list[float]:
    """Evenly spaced offsets when clock times cannot be shown."""
    if span <= 0:
        return [0.0]
    step = 10 ** math.floor(math.log10(span / most)) if span >= most else 1
    while span / step > most:
        step *= 2
    return [i * step for i in range(int(span // step) + 1)]
