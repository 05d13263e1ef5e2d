"""A top-level `sla:` that digdag cannot use.

## What it does
Checks a workflow's top-level `sla:`: it must be a mapping with exactly one of `time:` (wall-clock time in the workflow's time zone) or `duration:` (time since the session started), written `HH:MM` or `HH:MM:SS` with integers; `alert` and `fail` must be `true` or `false`; every other key must be a `+task` or a key a group task allows (`_error`, `_retry`, `_export`, ...), unless the `sla:` itself is written as an operator task (`sh>: ...`). `${...}` is never evaluated in `sla:`, so `time: ${deadline}` is reported. An `sla:` on a nested group is accepted and ignored by digdag and not checked.

## Why is this bad?
digdag reads the SLA when a session starts: a bad `time`/`duration` fails every attempt of the workflow (`SLA must be specified using either the 'time' or 'duration' option`, `SLA time option needs to be HH:MM or HH:MM:SS format`); a misspelt `alert`/`fail` value is only logged and the default is used; an unknown key makes the SLA's tasks fail to compile when the deadline passes, so the alert never runs.

## Example
```yaml
sla:
  time: ${deadline}
  fail: yes
```

## Use instead
```yaml
sla:
  time: "02:00"
  fail: true
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/SlaCalculator.java (time/duration via
# getOptional(String) — null means absent —, split(":"), 2 or 3 Integer.parseInt fields, exact
# messages), AttemptBuilder.buildSessionMonitors (only the workflow's top-level `sla`, read raw,
# getNestedOrGetEmpty), WorkflowExecutor.addMonitorTask/addSlaMonitorTasks (time, duration,
# alert, fail removed; alert/fail type errors only logged; the rest compiled by
# WorkflowCompiler.compileTasks as task `^sla`, so group-key rules or an operator task).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.keys import GROUPING_KEYS
from dig_lsp.model.schedule import ScheduleError, java_boolean, java_text, parse_sla_time
from dig_lsp.model.schedule_shape import unique_entries
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, kind_name, to_json_text
from dig_lsp.text.quote import excerpt
from dig_lsp.text.suggest import close_matches

CODE = "DL304"
NAME = "invalid-sla"
SEVERITY = Severity.ERROR

_GROUP_KEYS = GROUPING_KEYS  # digdag/keys.py: WorkflowCompiler.GROUPING_TASK_CONFIG_KEYS
_SLA_KEYS = ("time", "duration", "alert", "fail")


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check the top-level ``sla`` of each workflow digdag runs on its own."""
    for workflow in ctx.workflows:
        if workflow.is_called or workflow.root.disabled:
            continue
        entry = workflow.root.entry("sla")
        if entry is not None:
            yield from _check_sla(entry)


def _check_sla(entry: Entry) -> Iterator[Finding]:
    value = entry.value
    if isinstance(value, Scalar) and value.value is None:
        yield Finding(entry.key_span, "`sla` is empty; give it `time:` or `duration:`")
        return
    if not isinstance(value, Mapping):
        yield Finding(value.span, f"`sla` must be a mapping with `time:` or `duration:`, not {kind_name(value)} "
                                  f"{excerpt(to_json_text(value), 40)}")
        return
    yield from _check_deadline(entry, value)
    for flag in ("alert", "fail"):
        yield from _check_flag(value, flag)
    yield from _check_other_keys(value)


def _present(mapping: Mapping, key: str) -> Entry | None:
    entry = mapping.entry(key)
    if entry is None or (isinstance(entry.value, Scalar) and entry.value.value is None):
        return None
    return entry


def _check_deadline(sla: Entry, mapping: Mapping) -> Iterator[Finding]:
    options = [entry for entry in (_present(mapping, "time"), _present(mapping, "duration")) if entry is not None]
    if len(options) != 1:
        span = options[1].key_span if len(options) == 2 else sla.key_span
        found = "both" if options else "neither"
        yield Finding(span, f"`sla` needs exactly one of `time:` or `duration:`, found {found}")
    for option in options:
        yield from _check_time(option)


def _check_time(entry: Entry) -> Iterator[Finding]:
    node = entry.value
    message = f"`{entry.key}` must be HH:MM or HH:MM:SS"
    if not isinstance(node, Scalar):
        yield Finding(node.span, f"{message}, not {kind_name(node)} {excerpt(to_json_text(node), 40)}")
        return
    try:
        text = java_text(node.value)
        if text is not None:
            parse_sla_time(text, entry.key)
    except ScheduleError:
        evaluated = (" (`${...}` is not evaluated in `sla`)"
                     if isinstance(node.value, str) and "${" in node.value else "")
        yield Finding(node.span, f"{message}, not '{excerpt(node.raw, 40)}'{evaluated}")


def _check_flag(mapping: Mapping, key: str) -> Iterator[Finding]:
    entry = _present(mapping, key)
    if entry is None:
        return
    node = entry.value
    if not isinstance(node, Scalar) or java_boolean(node.value) is None:
        shown = node_text(node)
        default = "true" if key == "alert" else "false"
        yield Finding(node.span, f"`{key}` must be true or false, not {shown}",
                      (Related(node.span, f"digdag only logs `sla configuration error` and uses {default}"),))


def _check_other_keys(mapping: Mapping) -> Iterator[Finding]:
    entries = unique_entries(mapping)
    if any(entry.key.endswith(">") or entry.key == "_type" for entry in entries):
        return  # the rest of `sla:` is an operator task; its parameters are that operator's
    allowed = (*_SLA_KEYS, *_GROUP_KEYS)
    for entry in entries:
        if entry.key.startswith("+") or entry.key in allowed or entry.key == "_disable":
            continue
        yield Finding(entry.key_span, _unknown_key_message(entry.key), (Related(entry.key_span, _SLA_NOTE),))


_SLA_NOTE = ("besides `time`, `duration`, `alert` and `fail`, `sla:` holds a task (`+name:` tasks or group keys "
             "such as `_export`); the `^sla` task fails when the deadline passes")


def _unknown_key_message(key: str) -> str:
    close = close_matches(key, (*_SLA_KEYS, *_GROUP_KEYS), n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"`{excerpt(key, 40)}` is not an `sla` option{hint}"


def node_text(node: Node) -> str:
    """How a node is shown in messages."""
    return f"'{excerpt(node.raw, 40)}'" if isinstance(node, Scalar) else excerpt(to_json_text(node), 40)
