"""A schedule time with hours, minutes or seconds out of range.

## What it does
Reports `hourly>`, `daily>`, `weekly>` and `monthly>` times whose fields are out of the clock's
range: hours of 24 or more, minutes or seconds of 60 or more, or negative values
(`daily>: 25:00:00`, `hourly>: 75:00`).

## Why is this bad?
digdag does not range-check these fields: it adds them up as a delay after the period starts
(reference §4.1), so `daily>: 25:00:00` runs every day at 01:00 of the *next* day, and the
session time no longer matches the day the run is for. It is almost always a typo.

## Example
```yaml
schedule:
  daily>: 25:00:00
```

## Use instead
```yaml
schedule:
  daily>: 01:00:00
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.schedule_support import schedule_mappings
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.schedule import java_parse_int, java_split
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text.quote import excerpt

CODE = "DL306"
NAME = "schedule-time-out-of-range"
SEVERITY = Severity.WARNING

# The clock part of each type's value, and the limit of each field.
_LIMITS = {"hourly": (60, 60), "daily": (24, 60, 60), "weekly": (24, 60, 60), "monthly": (24, 60, 60)}
_NAMES = ("hours", "minutes", "seconds")


def _clock(type_name: str, text: str) -> str:
    return java_split(text, ",", 2)[-1].strip() if type_name in ("weekly", "monthly") else text


def check(ctx: CheckContext) -> Iterator[Finding]:
    for shape in schedule_mappings(ctx):
        limits = _LIMITS.get(shape.type_name or "")
        node = shape.command
        if limits is None or not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue
        parts = java_split(_clock(shape.type_name or "", node.value), ":")
        numbers = [java_parse_int(part) for part in parts]
        if len(numbers) != len(limits) or any(n is None for n in numbers):
            continue  # a format error: DL302's business
        names = _NAMES[-len(limits):]
        for name, number, limit in zip(names, numbers, limits, strict=True):
            assert number is not None
            if not 0 <= number < limit:
                yield Finding(node.span, f"{shape.type_name}> {name} {number} in '{excerpt(str(node.value), 40)}' is "
                              f"out of range 0-{limit - 1}",
                              (Related(node.span, "digdag adds it up as a delay instead of rejecting it"),))
                break
