"""A `_retry` value digdag cannot read.

## What it does
Reports `_retry` values that are not an integer, a numeric string, or a mapping `{limit: N, interval: SECONDS, interval_type: constant|exponential, max_interval: SECONDS}` with `limit` set; an `interval_type` other than `constant` or `exponential` (any case); non-integer `limit`, `interval` and `max_interval`; and unknown keys in the mapping (with a did-you-mean), which digdag silently ignores. Values containing `${...}` are left alone (on operator tasks they are evaluated first; on groups DL216 reports them), as are tasks whose operator ignores `_retry` (DL216) and disabled tasks.

## Why is this bad?
On operator tasks that retry (sh>, py>, td>, http>, call>, ...) the task fails as soon as it starts (`Invalid _retry format:<json>`, `Invalid retry_interval_type: x`, `Parameter 'limit' is required but not set`, `Expected integer (int) type for key ...`). On a group (and on if>/loop>/for_each>/for_range> tasks, whose retry works like a group's) digdag logs `Ignore retry parameter because of invalid retry configuration` and never retries: the workflow fails on the first error even though a retry was written.

## Example
```yaml
+load:
  _retry:
    limit: 3
    interval_type: exponentail
    intervel: 30
  td>: queries/load.sql
```

## Use instead
```yaml
+load:
  _retry:
    limit: 3
    interval_type: exponential
    interval: 30
  td>: queries/load.sql
```
"""

# Facts: digdag-plugin-utils/src/main/java/io/digdag/util/RetryControl.java (a number or text node is
# read with get("_retry", int.class); an object needs `limit` (int, required) and optionally reads
# `interval` and `max_interval` (int) and `interval_type` (string, RetryIntervalType.find:
# equalsIgnoreCase against constant/exponential, else "Invalid retry_interval_type: x"); other keys are
# never read; any other node, null included, throws "Invalid _retry format:<json>").
# digdag-plugin-utils/src/main/java/io/digdag/util/BaseOperator.java calls it when an operator starts
# (an error fails the task); digdag-core/.../workflow/WorkflowExecutor.java checkRetry calls it on the
# stored (raw) config of a task whose children failed and, on a ConfigException, logs "Ignore retry
# parameter because of invalid retry configuration" and does not retry. Conversions: see
# invalid_parallel.py (Jackson 2.9).

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import as_int, has_template, is_null, json_sample, scalar_text
from dig_lsp.model.catalog import catalog
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import close_matches

CODE = "DL212"
NAME = "invalid-retry"
SEVERITY = Severity.ERROR

RETRY_KEYS = ("limit", "interval", "interval_type", "max_interval")
INTERVAL_TYPES = ("constant", "exponential")
# Operators not built on BaseOperator that generate children: only the group-style retry reads `_retry`.
_GROUP_LIKE_OPERATORS = frozenset({"if", "loop", "for_each", "for_range"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check `_retry` on every enabled task whose retry digdag reads."""
    seen: set[tuple[str, int]] = set()
    for _, task in ctx.tasks():
        entry = None if task.disabled else task.entry("_retry")
        if entry is None or (task.operator is not None and task.operator.name in catalog().retry_ignoring_operators):
            continue
        for problem in _problems(entry.value):
            if (where := (problem.span.path, problem.span.start_offset)) not in seen:
                seen.add(where)
                note = _consequence(task) if problem.fatal else problem.note
                yield Finding(problem.span, problem.message, (Related(problem.span, note),) if note else ())


def _consequence(task: Task) -> str:
    if task.is_group or (task.operator is not None and task.operator.name in _GROUP_LIKE_OPERATORS):
        return "on this task digdag ignores the whole `_retry` and never retries"
    return "the task fails when it starts"


@dataclass(frozen=True, slots=True)
class _Problem:
    """One mistake; ``fatal`` when RetryControl throws on it (unknown keys are only ignored)."""

    span: Span
    message: str
    fatal: bool = True
    note: str = ""  # for a problem that is not fatal


def _problems(node: Node) -> Iterator[_Problem]:
    """(where, what) for each problem, in the order RetryControl would meet them."""
    if isinstance(node, Mapping):
        yield from _mapping_problems(node)
    elif isinstance(node, Scalar) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
        if not has_template(node) and as_int(node) is None:
            yield _Problem(node.span, _out_of_range("`_retry`", node) or
                           f"`_retry` must be a number of retries or a mapping with `limit`, not {_shown(node)}")
    else:
        yield _Problem(node.span, f"`_retry` must be a number of retries or a mapping with `limit`, not {_shown(node)}")


def _mapping_problems(node: Mapping) -> Iterator[_Problem]:
    if node.entry("limit") is None:
        yield _Problem(node.span, "`_retry` mapping has no `limit`; write `limit: N`")
    for entry in node.entries:
        if entry.key in ("limit", "interval", "max_interval"):
            yield from _int_problems(entry.key, entry.value, required=entry.key == "limit")
        elif entry.key == "interval_type":
            yield from _interval_type_problems(entry.value)
        else:
            yield _unknown_key_problem(entry)


def _int_problems(key: str, value: Node, required: bool) -> Iterator[_Problem]:
    if is_null(value):
        if required:
            yield _Problem(value.span, "`limit` of `_retry` is empty; set an integer")
    elif not has_template(value) and as_int(value) is None:
        unit = "" if key == "limit" else " (seconds)"
        yield _Problem(value.span, _out_of_range(f"`{key}` of `_retry`", value) or
                       f"`{key}` of `_retry` must be an integer{unit}, not {_shown(value)}")


def _out_of_range(label: str, node: Node) -> str | None:
    """Why an integer is refused: digdag reads a 32-bit int."""
    if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return f"{label} is {excerpt(str(node.value), 40)}, out of the 32-bit integer range"
    return None


def _shown(node: Node) -> str:
    return excerpt(json_sample(node), 40)


def _interval_type_problems(value: Node) -> Iterator[_Problem]:
    if is_null(value) or has_template(value):
        return
    if not isinstance(value, Scalar):
        yield _Problem(value.span, f"`interval_type` of `_retry` must be constant or exponential, not {_shown(value)}")
        return
    text = scalar_text(value)
    if text.lower() not in INTERVAL_TYPES:
        close = close_matches(text.lower(), INTERVAL_TYPES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        yield _Problem(value.span, f"`interval_type` must be constant or exponential, not {excerpt(text, 40)!r}{hint}")


def _unknown_key_problem(entry: Entry) -> _Problem:
    close = close_matches(entry.key, RETRY_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "digdag ignores it"
    return _Problem(entry.key_span, f"unknown key {excerpt(entry.key, 40)!r} in `_retry`; {hint}", fatal=False,
                    note=f"`_retry` reads only {', '.join(RETRY_KEYS)}; digdag ignores other keys")
