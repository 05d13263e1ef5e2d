"""`_background: true` under a parallel parent, or a `_background` that is not a boolean.

## What it does
Reports `_background: true` on a `+task` whose parent group has `_parallel: true` or `_parallel: {limit: N}`, and `_background` values digdag cannot read as a boolean (anything but `true`/`false`, their `True`/`False` spellings, or an integer), including `${...}`, which is never evaluated there. Disabled tasks, and parents whose own `_parallel` is invalid (DL211), are skipped.

## Why is this bad?
digdag refuses to compile the workflow (`Setting "_background: true" option is invalid (unnecessary) if its parent task has "_parallel: true" option`, or `Expected 'true' or 'false' for key '_background' ...`), so `digdag check`, `push` and `run` fail before anything runs. In a parallel group every child already starts without waiting for its siblings.

## Example
```yaml
+prepare:
  _parallel: true
  +a:
    sh>: ./a.sh
  +b:
    _background: true
    sh>: ./b.sh
```

## Use instead
```yaml
+prepare:
  _parallel: true
  +a:
    sh>: ./a.sh
  +b:
    sh>: ./b.sh
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java (Context.collect
# reads each child's raw `_background` with Config.get("_background", boolean.class, false) in both
# the sequential branch and parseSubtaskWithParallel, which throws the "(unnecessary)" message; the
# parent's ParallelControl is read first). Only `+children` of group tasks are read; a `_disable: true`
# child is replaced by an empty config. Conversions: see invalid_parallel.py. The readings are the
# model's (task.parallel, child.background: dig_lsp/digdag/directives.py).
# Corpus: digdag-tests/src/test/resources/acceptance/background_after/background_with_parallel.dig.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import has_template, json_sample
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Node
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL208"
NAME = "background-under-parallel"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check `_background` of every enabled child of every enabled group."""
    seen: set[tuple[str, Position]] = set()
    for _, parent in ctx.tasks():
        if parent.disabled or not parent.is_group:
            continue
        parallel = parent.parallel.value.parallel and not parent.parallel.refusals
        for child in parent.children:
            finding = _finding(parent, parallel, child)
            if finding is not None and (where := (finding.span.path, finding.span.start)) not in seen:
                seen.add(where)
                yield finding


def _finding(parent: Task, parallel: bool, child: Task) -> Finding | None:
    reading = child.background
    for refusal in reading.refusals:
        if refusal.node is not None:
            return Finding(refusal.node.span, _type_message(refusal.node))
    if reading.value and parallel and reading.key is not None:
        return Finding(reading.key, _parallel_message(parent, child), _related(parent))
    return None


def _type_message(value: Node) -> str:
    why = "; `${...}` is not evaluated here" if has_template(value) else ""
    return f"`_background` must be true or false, not {excerpt(json_sample(value), 40)}{why}"


def _parallel_message(parent: Task, child: Task) -> str:
    return f"`_background: true` on {child.label} is not allowed under the parallel group {parent.label}; remove it"


def _related(parent: Task) -> tuple[Related, ...]:
    key = parent.parallel.key
    return () if key is None else (Related(key, f"`_parallel` of {parent.label}"),)
