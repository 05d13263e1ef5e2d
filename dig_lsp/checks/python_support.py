"""What the `py>` checks share: each `py>` task's target, resolved once per analysis.

Resolving a target reads and parses its module (``model/python_targets.py``); DL412 (the arguments) and
DL413 (a module too large to analyse) both need it, so it is done here once for every task.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.operator_support import operator_tasks
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.python_targets import Target, resolve
from dig_lsp.model.workflow import Workflow
from dig_lsp.syntax.nodes import Scalar


@dataclass(frozen=True)
class PythonTask:
    """A `py>` task whose command is written out, and where it leads (``target`` None: not in the project)."""

    workflow: Workflow
    op: OperatorTask
    command: Scalar
    written: str  # the command's text
    target: Target | None


def python_tasks(ctx: CheckContext) -> list[PythonTask]:
    """Every enabled `py>` task with a literal command (no `${...}`), its target resolved."""

    def build() -> list[PythonTask]:
        reader = ctx.project.files.reader
        found = []
        for workflow, op in operator_tasks(ctx):
            command = op.command
            if op.spec.name != "py" or not isinstance(command, Scalar) or not isinstance(command.value, str):
                continue
            if "${" in command.value:
                continue
            workdir = ctx.project.workdirs.get(workflow.path, ctx.project.root)
            found.append(PythonTask(workflow, op, command, command.value,
                                     resolve(command.value.strip(), workdir, reader)))
        return found

    return ctx.shared("python-tasks", build)
