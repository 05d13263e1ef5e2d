"""What ``_export`` makes visible to each task: the mappings in force, outermost first.

digdag merges every ancestor's ``_export`` (and the task's own) into the params a task
sees; operators then read plain keys (``database``) and namespace defaults
(``td: {database: ...}`` through ``params.mergeDefault(params.<ns>)``). A ``call>``ed
workflow runs inside its caller, so it also sees the caller's exports at the call site.
This index is built once per project and answers "could this parameter come from
``_export``?" for the parameter checks. (Variables and stored values are the scope
model's business, not this one's.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dig_lsp.model.calls import callers_first, runs_in_callers
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Mapping


@dataclass
class ExportIndex:
    """Export chains for every task of a project."""

    chains: dict[int, ExportChain] = field(default_factory=dict)

    def chain(self, task: Task) -> ExportChain:
        """The chain of ``task`` (empty when the task is unknown to the index)."""
        return self.chains.get(id(task), ExportChain(()))


def _own_export(task: Task) -> tuple[Mapping, ...]:
    """The object the task's ``_export`` reading holds when one is written (:attr:`Task.export`: absent, null
    or refused reads as an empty object, which exports nothing and is left out: a ``call>``ed workflow whose
    callers write no ``_export`` object is open-ended, see :func:`build_export_index`)."""
    reading = task.export
    return (reading.value,) if reading.value is reading.node else ()


def _walk(task: Task, inherited: tuple[Mapping, ...], open_ended: bool, index: ExportIndex) -> None:
    own = _own_export(task)
    mappings = inherited + own
    # keys of the task or of its `_export` that cannot be known (an `!include` that cannot be read, YAML
    # that does not parse): any parameter may be set there, for the task and the tasks below it
    open_ended = open_ended or task.config.unresolved is not None or any(m.unresolved for m in own)
    index.chains[id(task)] = ExportChain(mappings, open_ended)
    for child in (*task.children, *task.specials):
        _walk(child, mappings, open_ended, index)


def build_export_index(project: ProjectModel) -> ExportIndex:
    """Chains for every workflow, callers first (a workflow run by callers inherits their chains at the call)."""
    index = ExportIndex()
    for workflow in callers_first(project):
        if not runs_in_callers(project, workflow):
            _walk(workflow.root, (), False, index)
            continue
        inherited: tuple[Mapping, ...] = ()
        for _, caller_task in project.callers.get(workflow.path, []):
            chain = index.chains.get(id(caller_task))
            if chain is not None:
                inherited += chain.mappings
        _walk(workflow.root, inherited, not inherited, index)
    return index
