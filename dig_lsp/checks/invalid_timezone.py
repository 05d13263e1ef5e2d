"""A `timezone:` that is not a Java time-zone id.

## What it does
Checks `timezone:` at the top of every workflow file and on every group task: it must be what `java.time.ZoneId.of` accepts — a tz database region (`Asia/Tokyo`, `America/Los_Angeles`, `UTC`), `Z`, an offset (`+09:00`, `-0530`, `+9`) or `UTC`/`GMT`/`UT` followed by an offset (`UTC+9`, `GMT-03:30`). Names are case-sensitive; a did-you-mean is offered for near misses (`Asia/Tokio` → `Asia/Tokyo`). `${...}` is never evaluated there. Abbreviations such as `JST` or `PST` are not ids. A region is looked up in the tz database installed with dig-lint, which may be newer or older than the JVM's. On nested groups digdag accepts and ignores `timezone`, which is reported all the same, as it cannot mean what was intended.

## Why is this bad?
digdag parses the top-level `timezone` when it loads the workflow (`Unknown time zone name: <id>`), so `check`, `run` and `push` fail; in a file reached through `call>` the calling task fails.

## Example
```yaml
timezone: Asia/Tokio
```

## Use instead
```yaml
timezone: Asia/Tokyo
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java (fromConfig:
# getOptional("timezone", ZoneId.class), default UTC), digdag-client/.../api/JacksonTimeModule.java
# (ZoneIdDeserializer: ZoneId.of, "Unknown time zone name: <v>"; as a Jackson
# FromStringDeserializer it trims the text and reads an empty one as absent),
# WorkflowCompiler.GROUPING_TASK_CONFIG_KEYS (groups accept `timezone`; nothing reads it there).
# ZoneId.of rules (JDK java.time.ZoneId/ZoneOffset): see dig_lsp.model.schedule.parse_zone_id.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.model.schedule import ScheduleError, java_text, parse_zone_id, region_ids
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Entry, Scalar, kind_name, to_json_text
from dig_lsp.text.quote import excerpt
from dig_lsp.text.suggest import close_matches

CODE = "DL305"
NAME = "invalid-timezone"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check the ``timezone`` of every workflow's top level and of every group task."""
    for _, task in ctx.tasks():
        if task.disabled or (not task.is_group and task.role is not TaskRole.ROOT):
            continue
        entry = task.entry("timezone")
        if entry is not None:
            yield from _check_entry(ctx, task, entry)


def _check_entry(ctx: CheckContext, task: Task, entry: Entry) -> Iterator[Finding]:
    node = entry.value
    nested = task.role is not TaskRole.ROOT
    where = ((Related(node.span, "digdag ignores `timezone` on nested groups, so it has no effect here"),)
             if nested else ())
    if not isinstance(node, Scalar):
        yield Finding(node.span, f"`timezone` must be a time-zone id such as `Asia/Tokyo` or `+09:00`, not "
                                 f"{kind_name(node)} {excerpt(to_json_text(node), 40)}", where)
        return
    if node.value is None:
        return
    try:
        text = java_text(node.value)
    except ScheduleError:
        return
    if text is None or not text.strip():
        return  # Jackson reads an empty id as absent: the default, UTC
    if "${" in text:
        yield Finding(node.span, f"'{excerpt(text, 40)}' is not a time-zone id: `${{...}}` is not evaluated in "
                                 "`timezone`", where)
        return
    try:
        parse_zone_id(text)
    except ScheduleError as error:
        why = ": an offset is at most 18 hours" if "out of range" in str(error) else ""
        hint = _suggestion(text.strip()) or ("" if why else "; use a region such as `Asia/Tokyo` or an offset such "
                                                            "as `+09:00`")
        yield Finding(node.span, f"'{excerpt(text.strip(), 40)}' is not a time-zone id{why}{hint}",
                      where, fix=_fix(ctx, node, text.strip()))


def _fix(ctx: CheckContext, node: Scalar, zone_id: str) -> Fix | None:
    """Replace the id with the best suggestion: safe for a case-only difference, else unsafe."""
    regions = sorted(region_ids())
    same_case = [region for region in regions if region.lower() == zone_id.lower()]
    close = same_case or close_matches(zone_id, regions, n=2, cutoff=0.75)
    source = ctx.project.files.source(node.span.path)
    written = source.slice(node.span) if source is not None else ""
    at = written.find(zone_id)
    if not close or source is None or at < 0:
        return None
    start = source.at(node.span.start) + at
    # a case-only difference names one zone for sure (Java's ids are case-sensitive): the meaning is kept
    safe = Applicability.SAFE if len(same_case) == 1 else Applicability.UNSAFE
    return Fix(f"Replace '{zone_id}' with '{close[0]}'", (TextEdit(source.span(start, start + len(zone_id)), close[0]),),
               safe)


def _suggestion(zone_id: str) -> str:
    """A did-you-mean among region ids: a case-only difference first, then close spellings."""
    regions = sorted(region_ids())
    same_case = [region for region in regions if region.lower() == zone_id.lower()]
    close = same_case or close_matches(zone_id, regions, n=2, cutoff=0.75)
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"`{region}`" for region in close) + "?"
