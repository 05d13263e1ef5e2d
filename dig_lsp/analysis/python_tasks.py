"""Each `py>` task's target, resolved once per analysis (:attr:`dig_lsp.analysis.facts.Facts.python_tasks`).

Resolving a target reads and parses its module (``model/python_targets.py``); DL412 (the arguments) and
DL413 (a module too large to analyse) both need it, so it is done once for every task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.project import ProjectModel
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


def python_tasks(project: ProjectModel, operator_tasks: Iterable[tuple[Workflow, OperatorTask]]) -> list[PythonTask]:
    """Every enabled `py>` task with a literal command (no `${...}`), its target resolved."""
    reader = project.files.reader
    found = []
    for workflow, op in operator_tasks:
        command = op.command
        if op.spec.name != "py" or not isinstance(command, Scalar) or not isinstance(command.value, str):
            continue
        if "${" in command.value:
            continue
        workdir = project.workdirs.get(workflow.path, project.root)
        found.append(PythonTask(workflow, op, command, command.value,
                                resolve(command.value.strip(), workdir, reader)))
    return found
