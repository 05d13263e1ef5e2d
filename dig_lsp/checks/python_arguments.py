"""A `py>` task whose parameters do not fit the Python function it calls.

## What it does
Reads the target of `py>: module.Class.method` (or `module.function`) with Python's `ast` — the
module is never imported or run — the way digdag's `py/runner.py` resolves it, then reports:
a name the module does not define (`AttributeError` at run time); a parameter written on the task
that is a near miss of an argument of the method or `__init__` the task does not give, when neither
takes `**kwargs` (py> silently drops it; other keys may be read through `digdag.env.params`); and a required argument that no parameter, `_export` or built-in variable supplies
(`TypeError: Method 'X.m' requires parameter 'k' but not set`). A value passed with `-p` can still
supply an argument, so these are warnings; and the required-argument check is skipped in workflows
where a `py>`/`rb>`/`param_get>` task written before it may store it, or whose callers cannot be read.

## Why is this bad?
The mismatch shows only when the task runs: the function fails, or runs with a default instead of
the value that was meant for it.

## Example
```yaml
+report:
  py>: scripts.report.Report.run
  target_table: daily_sales
```
```python
# file: scripts/report.py
class Report:
    def run(self, table):
        print(table)
```

## Use instead
```yaml
+report:
  py>: scripts.report.Report.run
  table: daily_sales
```
```python
# file: scripts/report.py
class Report:
    def run(self, table):
        print(table)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import export_index, operator_tasks, suggest
from dig_lsp.diagnostics import Severity
from dig_lsp.model.builtins import builtin_names
from dig_lsp.model.exports import ExportChain
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.python_targets import resolve
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Mapping, Scalar
from dig_lsp.text.quote import excerpt

CODE = "DL412"
NAME = "python-arguments"
SEVERITY = Severity.WARNING


def _visible(op: OperatorTask, chain: ExportChain, scheduled: bool) -> set[str]:
    names = {entry.key for entry in op.task.config.entries}
    for mapping in chain.mappings:
        names.update(entry.key for entry in mapping.entries)
    return names | builtin_names(scheduled)


_STORING_OPERATORS = frozenset({"py", "rb", "param_get"})


def _may_be_stored_before(workflow: Workflow, target: Task) -> bool:
    """Whether a task written before ``target`` can store variables whose names the files do not show."""
    for task in workflow.tasks():
        if task is target:
            return False
        if task.operator is not None and task.operator.name in _STORING_OPERATORS:
            return True
    return False


def check(ctx: CheckContext) -> Iterator[Finding]:
    index = export_index(ctx)
    reader = ctx.project.files.reader
    for workflow, op in operator_tasks(ctx):
        command = op.command
        if op.spec.name != "py" or not isinstance(command, Scalar) or not isinstance(command.value, str):
            continue
        if "${" in command.value:
            continue
        workdir = ctx.project.workdirs.get(workflow.path, ctx.project.root)
        target = resolve(command.value.strip(), workdir, reader)
        if target is None:
            continue  # not in the project: DL407 reports it
        if target.missing is not None:
            yield Finding(command.span, f"py> target '{excerpt(command.value)}': the module does not define "
                          f"'{excerpt(target.missing)}' (AttributeError when the task runs)")
            continue
        signature = target.signature
        if signature is None:
            continue
        arguments = [*signature.required, *signature.optional]
        if not signature.takes_all:
            given = {entry.key for entry in op.own_parameters()}
            for entry in op.own_parameters():
                if entry.key in arguments or entry.key in op.spec.parameters:
                    continue
                # only a near miss of an argument the task does not give is almost surely a mistake: any
                # other key may be read through digdag.env.params, or be a harmless leftover
                hint = suggest(entry.key, [name for name in arguments if name not in given])
                if hint:
                    yield Finding(entry.key_span, f"'{entry.key}' is not an argument of {signature.qualname} "
                                  f"(which has no **kwargs), so py> does not pass it{hint}")
        if _may_be_stored_before(workflow, op.task) or index.chain(op.task).open_ended:
            continue  # an earlier py>/rb>/param_get> may store the argument: the scope model's business
        scheduled = isinstance(workflow.root.config.get("schedule"), Mapping)
        visible = _visible(op, index.chain(op.task), scheduled)
        for name in signature.required:
            if name not in visible:
                yield Finding(command.span, f"{signature.qualname} requires argument '{name}', but no parameter, "
                              f"_export or built-in variable named '{name}' is visible here (digdag: \"Method "
                              f"'{signature.qualname}' requires parameter '{name}' but not set\")")
