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

# Facts: digdag-plugin-utils/src/main/java/io/digdag/util/RetryControl.java, read once by
# dig_lsp/digdag/retry.py (task.retry): this check only words the reading's refusals and unread keys.
# digdag-plugin-utils/src/main/java/io/digdag/util/BaseOperator.java calls it when an operator starts
# (an error fails the task); digdag-core/.../workflow/WorkflowExecutor.java checkRetry calls it on the
# stored (raw) config of a task whose children failed and, on a ConfigException, logs "Ignore retry
# parameter because of invalid retry configuration" and does not retry. A refused `${...}` is left to
# the evaluation (operators) or to DL216 (groups).

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import is_null, json_sample, scalar_text
from dig_lsp.digdag.directives import Reading, Refusal
from dig_lsp.digdag.retry import INTERVAL_TYPES, RETRY_KEYS, Retry
from dig_lsp.model.catalog import catalog
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Entry, Node, Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position, Span
from dig_lsp.text.suggest import close_matches

CODE = "DL212"
NAME = "invalid-retry"
SEVERITY = Severity.ERROR

# Operators not built on BaseOperator that generate children: only the group-style retry reads `_retry`.
_GROUP_LIKE_OPERATORS = frozenset({"if", "loop", "for_each", "for_range"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check `_retry` on every enabled task whose retry digdag reads."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        if task.retry.key is None or (task.operator is not None
                                      and task.operator.name in catalog().retry_ignoring_operators):
            continue
        for problem in _problems(task.retry):
            if (where := (problem.span.path, problem.span.start)) not in seen:
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


def _problems(reading: Reading[Retry]) -> Iterator[_Problem]:
    """Each refusal of the reading (but those of a `${...}`), then each key RetryControl never reads."""
    for refusal in reading.refusals:
        if not refusal.templated:
            yield _Problem(refusal.span, _message(refusal))
    for entry in reading.value.unread:
        yield _unknown_key_problem(entry)


def _message(refusal: Refusal) -> str:
    """The refusal in this check's words (digdag's own text names Java types and quotes JSON)."""
    node = refusal.node
    if refusal.missing or node is None:
        return "`_retry` mapping has no `limit`; write `limit: N`"
    if refusal.key == "_retry":
        return _out_of_range("`_retry`", node) or \
            f"`_retry` must be a number of retries or a mapping with `limit`, not {_shown(node)}"
    if refusal.key == "interval_type":
        if not isinstance(node, Scalar):
            return f"`interval_type` of `_retry` must be constant or exponential, not {_shown(node)}"
        text = scalar_text(node)
        close = close_matches(text.lower(), INTERVAL_TYPES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"`interval_type` must be constant or exponential, not {excerpt(text, 40)!r}{hint}"
    if is_null(node):
        return "`limit` of `_retry` is empty; set an integer"
    unit = "" if refusal.key == "limit" else " (seconds)"
    return _out_of_range(f"`{refusal.key}` of `_retry`", node) or \
        f"`{refusal.key}` of `_retry` must be an integer{unit}, not {_shown(node)}"


def _out_of_range(label: str, node: Node) -> str | None:
    """Why an integer is refused: digdag reads a 32-bit int."""
    if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return f"{label} is {excerpt(str(node.value), 40)}, out of the 32-bit integer range"
    return None


def _shown(node: Node) -> str:
    return excerpt(json_sample(node), 40)


def _unknown_key_problem(entry: Entry) -> _Problem:
    close = close_matches(entry.key, RETRY_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "digdag ignores it"
    return _Problem(entry.key_span, f"unknown key {excerpt(entry.key, 40)!r} in `_retry`; {hint}", fatal=False,
                    note=f"`_retry` reads only {', '.join(RETRY_KEYS)}; digdag ignores other keys")
