"""An `_after` that is not a list of earlier sibling tasks.

## What it does
Under a parallel group (`_parallel: true` or `{limit: N}`), reports an `_after` that is not a list, and each item of it that is not the key of a sibling written *above* the task, `+` included (`_after: [+a, +b]`). Suggests the closest earlier sibling. Disabled tasks are skipped (a disabled sibling can still be named).

## Why is this bad?
digdag refuses to compile the workflow (`Dependency task '+x' does not exist`, or `Expected array type for key '_after' ...` for a single name), so `digdag check`, `push` and `run` fail before anything runs. Names are matched exactly, only against siblings above, and the value is never `${...}`-evaluated.

## Example
```yaml
+prepare:
  _parallel: true
  +a:
    sh>: ./a.sh
  +b:
    _after: a
    sh>: ./b.sh
```

## Use instead
```yaml
+prepare:
  _parallel: true
  +a:
    sh>: ./a.sh
  +b:
    _after: [+a]
    sh>: ./b.sh
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java
# (parseSubtaskWithParallel: `getListOrEmpty("_after", String.class)` on the raw config (null is an
# empty list; any other non-array fails the conversion with "Expected array type ..."); each name is
# looked up in the map of siblings already processed, in file order, so only earlier siblings, the
# task itself excluded, can be named: "Dependency task '<name>' does not exist"). Items are converted
# with Jackson's String deserializer, so numbers and booleans become their text and never match a
# `+name`; objects and arrays fail the conversion. Test resources:
# digdag-tests/src/test/resources/acceptance/background_after/. The readings are the model's
# (task.parallel, child.after: dig_lsp/digdag/directives.py); this check words them.

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import json_sample
from dig_lsp.digdag.directives import AfterName
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Node, Scalar, Sequence
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position
from dig_lsp.text.suggest import close_matches

CODE = "DL210"
NAME = "invalid-after"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check `_after` of the children of every enabled parallel group."""
    seen: set[tuple[str, Position]] = set()
    for _, parent in ctx.tasks():
        if parent.disabled or not parent.is_group or parent.parallel.refusals or not parent.parallel.value.parallel:
            continue
        for finding in _group_findings(parent):
            if (where := (finding.span.path, finding.span.start)) not in seen:
                seen.add(where)
                yield finding


def _group_findings(parent: Task) -> Iterator[Finding]:
    """Walk the children in order, as the compiler does, knowing which siblings came before."""
    names = [child.name for child in parent.children]
    for index, child in enumerate(parent.children):
        yield from _after_findings(child, names[:index], names[index:])


def _after_findings(child: Task, before: list[str], rest: list[str]) -> Iterator[Finding]:
    """Judge the reading: a value that is not a list, else each item in written order (an item that is not
    text is refused; a name must be an earlier sibling's)."""
    reading = child.after
    if reading.node is not None and not isinstance(reading.node, Sequence):
        if reading.refusals:  # not null
            yield Finding(reading.node.span, _not_list_message(reading.node, before))
        return
    found = [Finding(refusal.span, f"`_after` items must be sibling task names like '+a', not "
                                   f"{excerpt(json_sample(refusal.node), 40)}")
             for refusal in reading.refusals if refusal.node is not None]
    found.extend(finding for item in reading.value if (finding := _item_problem(item, child, before, rest)))
    yield from sorted(found, key=lambda finding: finding.span.start)


def _not_list_message(value: Node, before: list[str]) -> str:
    hint = "; write a list such as `_after: [+a, +b]`"
    if isinstance(value, Scalar) and isinstance(value.value, str):
        name = value.value if value.value in before else f"+{value.value}"
        hint = f"; write `_after: [{name}]`" if name in before else hint
    return f"`_after` must be a list of sibling task names, not {excerpt(json_sample(value), 40)}{hint}"


def _item_problem(item: AfterName, child: Task, before: list[str], rest: list[str]) -> Finding | None:
    """A name as text: a number or boolean reads as its text, which never names a `+task`."""
    name = item.name
    if name in before:
        return None
    shown = repr(excerpt(name, 40))
    if name == child.name:
        return Finding(item.span, f"{child.name} cannot wait for itself")
    if name in rest:
        return Finding(item.span, f"{name} is written after {child.name}; `_after` names only the siblings above it")
    if "${" in name:
        return Finding(item.span, f"{shown} is not evaluated: `_after` is read when the workflow is compiled")
    if f"+{name}" in before:
        return Finding(item.span, f"no sibling task {shown}; did you mean '+{name}'? (task names include the '+')")
    close = close_matches(name, before, n=1, cutoff=0.6)
    if close:
        return Finding(item.span, f"no earlier sibling task {shown}; did you mean {close[0]!r}?")
    if not before:
        return Finding(item.span, f"no earlier sibling task {shown}; {child.name} is the first task of its group")
    return Finding(item.span, f"no earlier sibling task {shown}",
                   (Related(item.span, f"the tasks above {child.name}: {', '.join(before)}"),))
