"""A key in `schedule:` that digdag's scheduler does not use.

## What it does
Reports keys of a top-level `schedule:` other than its `type>:` key and `skip_on_overtime`, `skip_delayed_by`, `start`, `end`, with a did-you-mean (`skip_on_over_time` → `skip_on_overtime`). This includes `at` and `delay`: the scheduler reads them, but digdag's unused-key check runs before it does, so they are reported like any misspelt key; and `_command` next to `_type`. `start`/`end` on `seconds_interval>` are reported too: digdag accepts them silently but that scheduler never reads them, so they limit nothing. A second `x>` key is DL301's.

## Why is this bad?
`digdag push` (the server answers 400) and `digdag scheduler` reject the project with `Parameter 'k' is not used at schedule. > Did you mean '[k2]'?`; `digdag check` and `run` only log it, so the mistake survives local testing.

## Example
```yaml
schedule:
  minutes_interval>: 30
  skip_on_over_time: true
```

## Use instead
```yaml
schedule:
  minutes_interval>: 30
  skip_on_overtime: true
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/schedule/SchedulerManager.java (getScheduler):
# the keys counted as used are those touched before `factory.newScheduler` runs: `_type` (via
# has), the first `x>` key (read) and `_type`/`_command` (set) when there is no `_type`, plus
# ScheduleExecutor.BUILT_IN_SCHEDULE_PARAMS (skip_on_overtime, skip_delayed_by, start, end).
# `at` and `delay` are only read afterwards by the factories (e.g. CronSchedulerFactory), so
# they stay in the unused set; with throwUnusedKeys (ProjectControl.updateSchedules: push and
# `digdag scheduler`) that throws UnusedConfigException, otherwise it is logged.
# SecondsIntervalSchedulerFactory never reads start/end. Suggestions: EditDistance.suggest
# against the used keys. Test: acceptance/SchedulerIT.java + acceptance/scheduler/invalid.dig.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.schedule_support import schedule_mappings
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.schedule import BUILT_IN_SCHEDULE_PARAMS
from dig_lsp.model.schedule_shape import ScheduleShape
from dig_lsp.syntax.nodes import Entry
from dig_lsp.text.quote import excerpt
from dig_lsp.text.suggest import close_matches

CODE = "DL303"
NAME = "unused-schedule-key"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report keys of top-level schedules that digdag counts as unused."""
    for shape in schedule_mappings(ctx):
        for entry in sorted([*shape.rejected_keys(), *shape.ignored_keys()], key=lambda e: e.key_span.start):
            message, note = _message(shape, entry)
            yield Finding(entry.key_span, message, (Related(entry.key_span, note),) if note else ())


def _message(shape: ScheduleShape, entry: Entry) -> tuple[str, str]:
    """The message and a note (empty when there is none)."""
    key = entry.key
    type_key = f"{shape.type_name}>"
    if key in ("start", "end"):
        return (f"`{key}` is ignored by `seconds_interval>`, so the schedule is not limited",
                "only the other schedule types read `start` and `end`")
    base = f"unused schedule key {excerpt(key, 40)!r}"
    checked_first = "digdag checks for unused keys before the scheduler reads it, so `push` rejects it"
    if key == "at":
        return f"{base}; write the time as the value: `{type_key}: ...`", checked_first
    if key == "delay":
        if shape.type_name in ("minutes_interval", "cron", "seconds_interval"):
            return base, checked_first
        return f"{base}; `{type_key}` takes its time of day from its value", checked_first
    if key == "timezone":
        return f"{base}; `timezone:` belongs at the top level of the workflow", checked_first
    if key == "_command":
        return f"{base}; write `{type_key}: <value>` instead of `_type`/`_command`", checked_first
    candidates = [name for name in BUILT_IN_SCHEDULE_PARAMS
                  if shape.type_name != "seconds_interval" or name not in ("start", "end")]
    close = close_matches(key, candidates, n=1, cutoff=0.6)
    accepted = f"`{type_key}` accepts " + ", ".join(f"`{name}`" for name in candidates)
    if close:
        return f"{base}; did you mean {close[0]!r}?", ""
    return base, accepted
