"""A `py>` task whose parameters do not fit the Python function it calls.

## What it does
Reads the target of `py>: module.Class.method` (or `module.function`) with Python's `ast` — the
module is never imported or run — the way digdag's `py/runner.py` resolves it, then reports:
a name the module does not define (`AttributeError` at run time; with a did-you-mean among the
functions and classes it defines, or the class's methods, and an unsafe fix); a parameter written on the task
that is a near miss of an argument of the method or `__init__` the task does not give, when neither
takes `**kwargs` (py> silently drops it; other keys may be read through `digdag.env.params`; an unsafe
fix renames it); and a required argument that no parameter, `_export` or built-in variable supplies
(`TypeError: Method 'X.m' requires parameter 'k' but not set`). A value passed with `-p` can still
supply an argument, so these are warnings; and the required-argument check is skipped in workflows
where a `py>`/`rb>`/`param_get>` task written before it may store it, or whose callers cannot be read.

## Why is this bad?
The mismatch shows only when the task runs: the function fails (`Method 'Report.run' requires parameter
'table' but not set`, or an `AttributeError` for a function the module does not define), or runs with a
default instead of the value that was meant for it.

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
from dig_lsp.checks.fix_support import key_rename_fix
from dig_lsp.checks.operator_support import closest_name, export_index
from dig_lsp.checks.python_support import python_tasks
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.model.builtins import builtin_names
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.python_targets import Target
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.suggest import close_matches, slips

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


def _defined_instead(target: Target) -> str | None:
    """A name the module (or the class) defines that the missing one misspells: within a few edits, and
    not contradicting it (``create_report`` is never offered for ``delete_report``)."""
    if target.missing is None or target.missing_part is None:
        return None
    missing = target.missing.rsplit(".", 1)[-1]
    near = slips(missing, target.defined)
    if near:
        return near[0] if len(near) == 1 else None
    close = close_matches(missing, [name for name in target.defined if name != missing], n=1, cutoff=0.75)
    return close[0] if close else None


def _target_fix(ctx: CheckContext, command: Scalar, target: Target, close: str) -> Fix | None:
    """Replace the missing part of the dotted command with ``close`` (unsafe: another function runs), when
    the command is written as is (plain or quoted without escapes, on one line)."""
    source = ctx.project.files.source(command.span.path)
    if source is None or target.missing_part is None or not isinstance(command.value, str):
        return None
    written = source.slice(command.span)
    dotted = command.value.strip()
    if "\\" in written or "\n" in written or written.count(dotted) != 1:
        return None
    parts = dotted.split(".")
    start = source.at(command.span.start) + written.index(dotted) + sum(len(p) + 1 for p in parts[:target.missing_part])
    old = parts[target.missing_part]
    return Fix(f"Replace '{old}' with '{close}'", (TextEdit(source.span(start, start + len(old)), close),),
               Applicability.UNSAFE)


def check(ctx: CheckContext) -> Iterator[Finding]:
    index = export_index(ctx)
    for found in python_tasks(ctx):
        workflow, op, command, target = found.workflow, found.op, found.command, found.target
        if target is None:
            continue  # not in the project: DL407 reports it
        if target.missing is not None:
            close = _defined_instead(target)
            owner = target.missing.rpartition(".")[0]
            hint = f"; did you mean '{excerpt(f'{owner}.{close}' if owner else close)}'?" if close else ""
            yield Finding(command.span, f"py> target '{excerpt(found.written, 40)}': the module does not define "
                          f"'{excerpt(target.missing, 40)}'{hint}",
                          fix=_target_fix(ctx, command, target, close) if close else None)
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
                close = closest_name(entry.key, [name for name in arguments if name not in given])
                if close:
                    yield Finding(entry.key_span, f"'{excerpt(entry.key, 40)}' is not an argument of "
                                  f"{signature.qualname}, so py> does not pass it; did you mean {close!r}?",
                                  (Related(entry.key_span, f"{signature.qualname} has no **kwargs"),),
                                  key_rename_fix(ctx, entry.key_span, entry.key, close, Applicability.UNSAFE))
        if _may_be_stored_before(workflow, op.task) or index.chain(op.task).open_ended:
            continue  # an earlier py>/rb>/param_get> may store the argument: the scope model's business
        scheduled = workflow.schedule is not None
        visible = _visible(op, index.chain(op.task), scheduled)
        for name in signature.required:
            if name not in visible:
                yield Finding(command.span, f"{signature.qualname} requires argument '{name}', which nothing "
                              "sets here", (Related(command.span, f"no parameter, _export or built-in variable named "
                                                                  f"'{name}' is visible to this task"),))
