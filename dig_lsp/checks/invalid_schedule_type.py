"""A `schedule:` without exactly one known scheduler type.

## What it does
Reports, on a workflow's top-level `schedule:`, a value that is not a mapping, a mapping with no `type>:` key (`Schedule config requires 'type>: at' parameter`), an unknown type (`Unknown scheduler type: x`, with a did-you-mean among `hourly>`, `daily>`, `weekly>`, `monthly>`, `minutes_interval>`, `cron>`, `seconds_interval>`), and every `x>` key after the first (digdag only uses the first and reports the others as `Parameter 'x>' is not used at schedule.`). `schedule:` on nested groups and in files only reached through `call>` is ignored by digdag and not checked.

## Why is this bad?
`digdag push` and `digdag scheduler` reject the project, so the workflow is never scheduled; `digdag check` and `run` fail on the missing or unknown type.

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

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.model.schedule import SCHEDULE_TYPES, ScheduleError, java_text
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, kind_name, to_json_text
from dig_lsp.text.quote import excerpt

CODE = "DL301"
NAME = "invalid-schedule-type"
SEVERITY = Severity.ERROR


@dataclass(frozen=True)
class ScheduleShape:
    """How digdag's SchedulerManager reads a schedule mapping: its type and its command.

    ``type_entry`` is the ``_type`` entry or the first ``x>`` entry; ``command`` the value
    of that ``x>`` key (or of ``_command`` with ``_type``); ``extra_operators`` the other
    ``x>`` keys, which digdag never uses.
    """

    mapping: Mapping
    type_entry: Entry | None
    type_name: str | None
    command: Node | None
    extra_operators: tuple[Entry, ...]

    @property
    def known(self) -> bool:
        """True when the type is one digdag has a scheduler for."""
        return self.type_name in SCHEDULE_TYPES

    @property
    def uses_type_key(self) -> bool:
        """True for the ``_type:``/``_command:`` spelling."""
        return self.type_entry is not None and self.type_entry.key == "_type"


def unique_entries(mapping: Mapping) -> list[Entry]:
    """Entries with duplicated keys reduced to the last one (digdag rejects duplicates anyway)."""
    last = {entry.key: entry for entry in mapping.entries}
    return [entry for entry in mapping.entries if last[entry.key] is entry]


def schedule_shape(mapping: Mapping) -> ScheduleShape:
    """Find the type the way ``SchedulerManager.getScheduler`` does."""
    entries = unique_entries(mapping)
    operators = tuple(entry for entry in entries if entry.key.endswith(">"))
    type_entry = mapping.entry("_type")
    if type_entry is not None:
        name = _type_text(type_entry.value)
        return ScheduleShape(mapping, type_entry, name, mapping.get("_command"), operators)
    if not operators:
        return ScheduleShape(mapping, None, None, None, ())
    first = operators[0]
    return ScheduleShape(mapping, first, first.key[:-1], first.value, operators[1:])


def _type_text(node: Node) -> str | None:
    if not isinstance(node, Scalar):
        return None
    try:
        return java_text(node.value)
    except ScheduleError:
        return None


def root_schedules(ctx: CheckContext) -> Iterator[tuple[Workflow, Entry]]:
    """The top-level ``schedule`` entry of each workflow digdag schedules.

    Files only reached through ``call>`` are not workflows of their own: their top-level
    ``schedule`` becomes a key of a nested group, which digdag accepts and ignores.
    """
    for workflow in ctx.workflows:
        if workflow.is_called or workflow.root.disabled:
            continue
        entry = workflow.root.entry("schedule")
        if entry is not None:
            yield workflow, entry


def schedule_mappings(ctx: CheckContext) -> Iterator[ScheduleShape]:
    """The shape of every top-level schedule that is a mapping with a known type."""
    for _, entry in root_schedules(ctx):
        if isinstance(entry.value, Mapping):
            shape = schedule_shape(entry.value)
            if shape.known:
                yield shape


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report schedules whose type digdag cannot determine or does not know."""
    for _, entry in root_schedules(ctx):
        yield from _check_schedule(entry)


def _check_schedule(entry: Entry) -> Iterator[Finding]:
    value = entry.value
    if isinstance(value, Scalar) and value.value is None:
        return
    if not isinstance(value, Mapping):
        yield Finding(value.span, f"`schedule` must be a mapping with one `type>:` key "
                                  f"(e.g. `daily>: 07:00:00`), not {kind_name(value)} {excerpt(to_json_text(value))}")
        return
    shape = schedule_shape(value)
    if shape.type_entry is None:
        yield Finding(entry.key_span, "`schedule` has no `type>:` key; add one of "
                      + ", ".join(f"`{name}>`" for name in SCHEDULE_TYPES)
                      + f" (digdag: `Schedule config requires 'type>: at' parameter: {excerpt(to_json_text(value))}`)")
        return
    if not shape.known:
        yield _unknown_type(shape)
    for extra in shape.extra_operators:
        used = f"`{shape.type_entry.key}: {shape.type_name}`" if shape.uses_type_key else f"`{shape.type_entry.key}`"
        yield Finding(extra.key_span, f"Parameter '{extra.key}' is not used at schedule: a schedule has exactly "
                                      f"one type and digdag uses {used}; remove this key")


def _unknown_type(shape: ScheduleShape) -> Finding:
    entry = shape.type_entry
    assert entry is not None
    span = entry.value.span if shape.uses_type_key else entry.key_span
    name = shape.type_name if shape.type_name is not None else to_json_text(entry.value)
    close = difflib.get_close_matches(name, SCHEDULE_TYPES, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}>`?" if close else "; known types: " + ", ".join(
        f"`{known}>`" for known in SCHEDULE_TYPES)
    return Finding(span, f"Unknown scheduler type: {excerpt(name)}{hint}")
