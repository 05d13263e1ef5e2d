"""A parameter value of the wrong type or not among the allowed values.

## What it does
Checks each parameter written on an operator task (and the value after `op>:`) against its schema
in `schemas/operators/`: type, allowed values, format and nested structure. digdag's coercions are
accepted (`"10"` for an integer, `"true"` for a boolean, a number where text is expected); values
containing `${...}` are evaluated at run time and not checked here.

## Why is this bad?
digdag fails when the task runs, e.g. `Unknown 'engine:' option` or `Expected 'true' or 'false'
for key 'store_last_results' but got "yess" (string)`.

## Example
```yaml
+count:
  td>: queries/count.sql
  engine: prestoo
  store_last_results: yess
```

## Use instead
```yaml
+count:
  td>: queries/count.sql
  engine: presto
  store_last_results: true
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import operator_tasks, suggest
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.catalog import OperatorSpec, catalog
from dig_lsp.model.values import ValueProblem, validate_value
from dig_lsp.syntax.nodes import Mapping, Node, Scalar
from dig_lsp.text.quote import excerpt

CODE = "DL405"
NAME = "invalid-parameter-value"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    for _, op in operator_tasks(ctx):
        values = [(entry.key, entry.value) for entry in op.own_parameters() if entry.key in op.spec.parameters]
        if op.command is not None:
            values.insert(0, ("_command", op.command))
        for name, node in values:
            parameter = op.spec.parameters.get(name)
            if parameter is None or not ctx.reports_inside(node):
                continue  # a problem is placed at the value or inside it
            for problem in validate_value(node, parameter.schema):
                inner = problem.path if problem.path.startswith("[") else f".{problem.path}" if problem.path else ""
                shown = (f"`{op.operator_key}` value{inner}" if name == "_command" else
                         f"{op.spec.name}> '{name}{inner}'")
                hint = ""
                enum = parameter.schema.get("enum")
                if problem.keyword == "enum" and isinstance(problem.node, Scalar) and isinstance(enum, list):
                    hint = suggest(str(problem.node.value), [str(v) for v in enum])
                yield Finding(problem.node.span, f"{shown}: {problem.message}{hint}", _note(problem))
    yield from _namespace_defaults(ctx)
    yield from _for_each_text_values(ctx)


def _for_each_text_values(ctx: CheckContext) -> Iterator[Finding]:
    """``for_each>: {fruit: apple}``: a string value is read as JSON text of a list
    (``ForEachOperatorFactory``: ``map.parseList(key, JsonNode.class)``; ``Config.parseList`` parses a
    text value with Jackson's ``readTree`` and reads a list from it), so ``apple`` fails the task."""
    for _, op in operator_tasks(ctx):
        if op.spec.name != "for_each" or not isinstance(op.command, Mapping):
            continue
        for entry in op.command.entries:
            node = entry.value
            if not isinstance(node, Scalar) or not isinstance(node.value, str) or "${" in node.value:
                continue
            try:
                parsed = json.loads(node.value)
            except ValueError:
                parsed = _NOT_JSON
            if parsed is _NOT_JSON or isinstance(parsed, dict):
                yield Finding(node.span, f"for_each> '{entry.key}': {excerpt(node.raw, 40)!r} is not a JSON array; "
                              f"write [{excerpt(node.value, 40)}] for one value",
                              (Related(node.span, "a text value is read as JSON, and for_each> needs a list"),))


_NOT_JSON = object()


def _namespace_defaults(ctx: CheckContext) -> Iterator[Finding]:
    """``_export: {td: {engine: prestoo}}``: an operator reads its namespace as defaults for its own
    parameters (``TdOperatorFactory``: ``request.getConfig().mergeDefault(request.getConfig()
    .getNestedOrGetEmpty("td"))``), so a constant there is validated for every operator below the
    export that reads it.

    Which operators below the export take a default is looked up only for a value some reader of the
    namespace refuses. Why: the workflow's root is in every focused analysis (:mod:`dig_lsp.incremental`)
    and usually exports namespace defaults; listing the operators of every task below it after each
    keystroke took 0.18 s of a 2.8 s edit of a 30,000-line workflow (profiled), to find nothing wrong."""
    for workflow, task in ctx.tasks():
        export = task.export.value
        if not export.entries:
            continue
        below: list[tuple[str, Mapping]] | None = None
        for entry in export.entries:
            if not isinstance(entry.value, Mapping):
                continue
            for default in entry.value.entries:
                if not ctx.reports(default.value.span.path):
                    continue  # a problem is placed at the value
                refusals = list(_refusals(entry.key, default.key, default.value))
                if not refusals:
                    continue
                if below is None:  # the tasks below, as the workflow lists them when the task is its root
                    tasks = workflow.all_tasks if task is workflow.root else tuple(task.walk())
                    below = [(op.name, child.config) for child in tasks if (op := child.operator) is not None]
                # the operators below that take this default (a task setting the key itself does not)
                used = {name for name, config in below if config.entry(default.key) is None}
                for spec, finding in refusals:
                    if spec.name in used:
                        yield finding
                        break


def _refusals(namespace: str, key: str, node: Node) -> Iterator[tuple[OperatorSpec, Finding]]:
    """The operators reading ``namespace`` that refuse ``node`` as their default for ``key``, in the catalog's
    order, each with the finding that names it: one finding per value is reported, naming the first of
    them that an operator below the export is."""
    if not isinstance(node, Scalar) or (isinstance(node.value, str) and "${" in node.value):
        return
    for spec in catalog():
        parameter = spec.parameters.get(key) if namespace in spec.namespaces else None
        if parameter is None:
            continue
        for problem in validate_value(node, parameter.schema):
            hint = ""
            enum = parameter.schema.get("enum")
            if problem.keyword == "enum" and isinstance(enum, list):
                hint = suggest(str(node.value), [str(v) for v in enum])
            yield spec, Finding(problem.node.span, f"{spec.name}> '{key}' (from `_export: {namespace}:`): "
                                f"{problem.message}{hint}", _note(problem))
            break  # the first problem of each operator


def _note(problem: ValueProblem) -> tuple[Related, ...]:
    return (Related(problem.node.span, problem.note),) if problem.note else ()
