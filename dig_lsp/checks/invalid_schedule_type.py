"""A `schedule:` without exactly one known scheduler type.

## What it does
Reports, on a workflow's top-level `schedule:`, a value that is not a mapping, a mapping with no `type>:` key (`Schedule config requires 'type>: at' parameter`), an unknown type (`Unknown scheduler type: x`, with a did-you-mean among `hourly>`, `daily>`, `weekly>`, `monthly>`, `minutes_interval>`, `cron>`, `seconds_interval>`), and every `x>` key after the first (digdag only uses the first and reports the others as `Parameter 'x>' is not used at schedule.`). `schedule:` on nested groups and in files only reached through `call>` is ignored by digdag and not checked.

## Why is this bad?
`digdag push` and `digdag scheduler` reject the project, so the workflow is never scheduled; `digdag check` and `run` fail on the missing or unknown type (`Schedule config requires 'type>: at' parameter: {...}`, `Unknown scheduler type: x`, or `Parameter 'x>' is not used at schedule` for a second type).

## Example
```yaml
schedule:
  dayly>: 07:00:00
```

## Use instead
```yaml
schedule:
  daily>: 07:00:00
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/schedule/SchedulerManager.java (getScheduler:
# `_type` wins, else the first key ending in `>`; none → "Schedule config requires 'type>: at'
# parameter: <json>"; unknown → "Unknown scheduler type: <t>"; every key not touched before the
# factory runs is "not used at schedule", fatal for ProjectControl.updateSchedules, i.e. push and
# `digdag scheduler`), digdag-standards/.../scheduler/SchedulerModule.java (the seven types).
# Tests: digdag-tests/src/test/java/acceptance/SchedulerIT.java with acceptance/scheduler/
# unknown_type.dig and invalid_op.dig. A null `schedule:` means "no schedule" (getOptional).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.schedule_support import root_schedules
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.schedule import SCHEDULE_TYPES
from dig_lsp.model.schedule_shape import ScheduleShape, schedule_shape
from dig_lsp.syntax.nodes import Entry, Mapping, Scalar, kind_name, to_json_text
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import close_matches

CODE = "DL301"
NAME = "invalid-schedule-type"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report schedules whose type digdag cannot determine or does not know."""
    for _, entry in root_schedules(ctx):
        yield from _check_schedule(entry)


def _check_schedule(entry: Entry) -> Iterator[Finding]:
    value = entry.value
    if isinstance(value, Scalar) and value.value is None:
        return
    if not isinstance(value, Mapping):
        yield Finding(value.span, f"`schedule` must be a mapping such as `daily>: 07:00:00`, not {kind_name(value)} "
                                  f"{excerpt(to_json_text(value), 40)}")
        return
    shape = schedule_shape(value)
    if shape.type_entry is None:
        yield Finding(entry.key_span, "`schedule` has no schedule type such as `daily>:`", (_known_types(entry.key_span),))
        return
    if not shape.known:
        yield _unknown_type(shape)
    for extra in shape.extra_operators:
        used = f"`{shape.type_entry.key}: {shape.type_name}`" if shape.uses_type_key else f"`{shape.type_entry.key}`"
        yield Finding(extra.key_span, f"second schedule type {excerpt(extra.key, 40)!r}; digdag uses {used}, "
                                      "so remove this key")


def _unknown_type(shape: ScheduleShape) -> Finding:
    entry = shape.type_entry
    assert entry is not None
    span = entry.value.span if shape.uses_type_key else entry.key_span
    name = shape.type_name if shape.type_name is not None else to_json_text(entry.value)
    close = close_matches(name, SCHEDULE_TYPES, n=1, cutoff=0.6)
    if close:
        return Finding(span, f"unknown schedule type {excerpt(name, 40)!r}; did you mean `{close[0]}>`?")
    return Finding(span, f"unknown schedule type {excerpt(name, 40)!r}", (_known_types(span),))


def _known_types(span: Span) -> Related:
    return Related(span, "the schedule types are " + ", ".join(f"`{name}>`" for name in SCHEDULE_TYPES))
