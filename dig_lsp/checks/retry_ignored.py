"""A `_retry` that digdag ignores.

## What it does
Reports `_retry` on `echo>`, `fail>`, `wait>`, `notify>` and `s3_wait>` tasks, whose operators never retry, and `${...}` inside the `_retry` of a group task (or the top level), where it is never evaluated. Disabled tasks are skipped. `_retry` on `if>`, `loop>`, `for_each>` and `for_range>` tasks is not reported: it reruns their generated subtasks when those fail.

## Why is this bad?
The workflow runs, but without the retries that were written. The five operators above never read `_retry` (when such a task succeeds digdag even logs `Parameter '_retry' is not used at task ...`). A group reads its `_retry` from the raw workflow text when a child fails, so `${...}` makes the value invalid: digdag logs `Ignore retry parameter because of invalid retry configuration` and fails the group without retrying.

## Example
```yaml
+ingest:
  _retry: ${retries}
  +fetch:
    sh>: ./fetch.sh
  +notify:
    _retry: 3
    notify>: fetched
```

## Use instead
```yaml
+ingest:
  _retry: 3
  +fetch:
    sh>: ./fetch.sh
  +notify:
    notify>: fetched
```
"""

# Facts: digdag-plugin-utils/src/main/java/io/digdag/util/BaseOperator.java is the only operator-side
# reader of `_retry` (RetryControl.prepare in run()); the Echo, Fail, Wait, Notify and S3Wait operators
# (digdag-standards/.../operator/*OperatorFactory.java, aws/S3WaitOperatorFactory.java) implement
# Operator directly and generate no subtasks. digdag-core/.../workflow/WorkflowExecutor.java checkRetry
# reads the stored, unevaluated task config (TaskConfig of the compiled workflow) when a child fails and
# logs "Ignore retry parameter because of invalid retry configuration" on a ConfigException; a `${...}`
# fails the integer conversion (RetryControl: get int) or RetryIntervalType.find. If/Loop/ForEach/
# ForRange also implement Operator directly, but their failing generated children trigger that group
# retry: digdag-core/src/test/.../WorkflowExecutorTest.java ifOperatorFailRetryOnlySub, forEachRetry.
# The "is not used" log: digdag-core/.../agent/OperatorManager.java (warnUnusedKeys, after success only).
# The reading itself is dig_lsp/digdag/retry.py's (task.retry): a `${...}` it refuses is one reported here.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import json_sample
from dig_lsp.digdag.directives import Reading
from dig_lsp.digdag.retry import Retry
from dig_lsp.model.catalog import catalog
from dig_lsp.model.workflow import OperatorUse, Task
from dig_lsp.syntax.nodes import Node
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL216"
NAME = "retry-ignored"
SEVERITY = Severity.WARNING

def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report ignored `_retry` on operator tasks and templated `_retry` on groups."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        for finding in _findings(task):
            if (where := (finding.span.path, finding.span.start)) not in seen:
                seen.add(where)
                yield finding


def _findings(task: Task) -> Iterator[Finding]:
    reading = task.retry
    if reading.key is None:
        return
    operator = task.operator
    if operator is not None:
        if operator.name in catalog().retry_ignoring_operators:
            yield Finding(reading.key, _operator_message(operator))
        return
    for node in _templates(reading):
        yield Finding(node.span, _template_message(node),
                      (Related(node.span, "when a child fails, digdag ignores this `_retry` and does not retry"),))


def _templates(reading: Reading[Retry]) -> Iterator[Node]:
    """The values RetryControl refuses because they hold `${...}` (read as written, never evaluated)."""
    for refusal in reading.refusals:
        if refusal.templated and refusal.node is not None:
            yield refusal.node
def _operator_message(operator: OperatorUse) -> str:
    return f"{operator.name}> never retries, so `_retry` has no effect; set `_retry` on a group around the task"


def _template_message(node: Node) -> str:
    return f"`_retry` of a group task must be written out: {excerpt(json_sample(node), 40)} is not evaluated there"
