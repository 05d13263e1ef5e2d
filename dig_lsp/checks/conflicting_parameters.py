"""Parameters that cannot be used together, or one that needs another.

## What it does
Reports combinations the operator rejects, from the `x-dig-exclusive`, `x-dig-requires` and
`x-dig-forbids` facts of `schemas/operators/`: `create_table` with `insert_into` or
`download_file` (`td>`, `pg>`), `result_settings` without `result_connection`, `wait>` with
`blocking: true` and `poll_interval`, `require>` with both `project_id` and `project_name`, two
forms of the same input (a SQL file and `query:`).

## Why is this bad?
digdag fails when the task runs (`poll_interval can't be specified with blocking:true`, `Both
project_id and project_name can't be set`...), or silently uses only one of the two.

## Example
```yaml
+wait:
  wait>: 10m
  blocking: true
  poll_interval: 1m
```

## Use instead
```yaml
+wait:
  wait>: 10m
  poll_interval: 1m
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import export_index, operator_tasks
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.operators import OperatorTask
from dig_lsp.syntax.nodes import Node, Scalar, to_python

CODE = "DL406"
NAME = "conflicting-parameters"
SEVERITY = Severity.ERROR


def _present(op: OperatorTask, name: str, chain: ExportChain) -> Node | None:
    node = op.given(name, chain)
    if isinstance(node, Scalar) and (node.value is None or boolean_value(node.value) is False):
        return None
    return node


def _label(op: OperatorTask, name: str) -> str:
    return f"a value after `{op.operator_key}`" if name == "_command" else f"'{name}'"


def check(ctx: CheckContext) -> Iterator[Finding]:
    index = export_index(ctx)
    for _, op in operator_tasks(ctx):
        chain = index.chain(op.task)
        yield from _exclusive(op, chain)
        yield from _requires(op, chain)
        yield from _forbids(op, chain)


def _exclusive(op: OperatorTask, chain: ExportChain) -> Iterator[Finding]:
    failing = [group for group in op.spec.one_of if group not in op.spec.first_wins]  # the rest: DL402
    for group in [*op.spec.exclusive, *failing]:
        given = [(name, node) for name in group if (node := _present(op, name, chain)) is not None]
        given.sort(key=lambda pair: (pair[1].span.path, pair[1].span.start))
        for name, node in given[1:]:
            first_name, first_node = given[0]
            yield Finding(
                node.span,
                f"{op.spec.name}> cannot take {_label(op, name)} together with {_label(op, first_name)}",
                (Related(first_node.span, f"{_label(op, first_name)} is given here"),),
            )


def _requires(op: OperatorTask, chain: ExportChain) -> Iterator[Finding]:
    for name, needed in op.spec.requires.items():
        node = _present(op, name, chain)
        if node is None:
            continue
        for other in needed:
            if _present(op, other, chain) is None:
                yield Finding(node.span, f"{op.spec.name}> {_label(op, name)} needs {_label(op, other)} as well")


def _matches(node: Node | None, expected: Any) -> bool:
    if node is None:
        return False
    value = to_python(node)
    if isinstance(expected, bool):
        return boolean_value(value) is expected
    return value == expected or str(value) == str(expected)


def _forbids(op: OperatorTask, chain: ExportChain) -> Iterator[Finding]:
    for rule in op.spec.forbids:
        condition = rule.get("if", {})
        if not isinstance(condition, dict) or not condition:
            continue
        if not all(_matches(op.given(name, chain), value) for name, value in condition.items()):
            continue
        for name in rule.get("then", []):
            node = _present(op, name, chain)
            if node is not None:
                given = " and ".join(f"`{key}: {_yaml(value)}`" for key, value in condition.items())
                yield Finding(node.span, f"{op.spec.name}> {_label(op, name)} cannot be used with {given}")


def _yaml(value: Any) -> str:
    """A condition's value as it is written in a workflow."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
