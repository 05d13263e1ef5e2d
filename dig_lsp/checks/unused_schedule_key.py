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
from dig_lsp.diagnostics import Severity
from dig_lsp.model.schedule import BUILT_IN_SCHEDULE_PARAMS
from dig_lsp.model.schedule_shape import ScheduleShape
from dig_lsp.syntax.nodes import Entry
from dig_lsp.text.suggest import close_matches

CODE = "DL303"
NAME = "unused-schedule-key"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report keys of top-level schedules that digdag counts as unused."""
    for shape in schedule_mappings(ctx):
        for entry in sorted([*shape.rejected_keys(), *shape.ignored_keys()], key=lambda e: e.key_span.start_offset):
            yield Finding(entry.key_span, _message(shape, entry))


def _message(shape: ScheduleShape, entry: Entry) -> str:
    key = entry.key
    type_key = f"{shape.type_name}>"
    if key in ("start", "end"):
        return (f"`{key}` is ignored by `seconds_interval>` (only the other schedule types read "
                f"`start`/`end`); digdag accepts it silently, so the schedule is not limited")
    base = f"Parameter '{key}' is not used at schedule"
    if key == "at":
        return (f"{base}: digdag checks for unused keys before the scheduler reads `at`, so `push` and "
                f"`digdag scheduler` reject it; write the time as the value: `{type_key}: ...`")
    if key == "delay":
        return (f"{base}: digdag checks for unused keys before the `{type_key}` scheduler reads `delay`, so "
                "`push` and `digdag scheduler` reject it"
                + ("" if shape.type_name in ("minutes_interval", "cron", "seconds_interval") else
                   f"; `{type_key}` takes its time of day from its value"))
    if key == "_command":
        return (f"{base}: with `_type`, digdag's unused-key check runs before `_command` is read; write "
                f"`{type_key}: <value>` instead of `_type`/`_command`")
    candidates = [name for name in BUILT_IN_SCHEDULE_PARAMS
                  if shape.type_name != "seconds_interval" or name not in ("start", "end")]
    close = close_matches(key, candidates, n=1, cutoff=0.6)
    hint = f". > Did you mean '[{close[0]}]'?" if close else f"; `{type_key}` accepts " + ", ".join(
        f"`{name}`" for name in candidates)
    return base + hint
