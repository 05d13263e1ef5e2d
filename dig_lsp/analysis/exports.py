"""What ``_export`` makes visible to each task: the mappings in force, outermost first.

digdag merges every ancestor's ``_export`` (and the task's own) into the params a task
sees; operators then read plain keys (``database``) and namespace defaults
(``td: {database: ...}`` through ``params.mergeDefault(params.<ns>)``). A ``call>``ed
workflow runs inside its caller, so it also sees the caller's exports at the call site.
This index is built once per project and answers "could this parameter come from
``_export``?" for the parameter checks. (Variables and stored values are the scope
model's business, not this one's.)

The chains below each top-level task are worked out when a task below it is first asked about.
Why: after a keystroke the checks ask only about the edited top-level task (:mod:`dig_lsp.incremental`),
and walking every task of a 30,000-line workflow (12,000 tasks) for its chain was about a tenth of
the keystroke's time (0.26 s of 2.8 s per edit, profiled). Asking about every task (a full analysis)
works out every chain, as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from dig_lsp.model.calls import callers_first, runs_in_callers
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Mapping

_NO_CHAIN = ExportChain(())

# a top-level task whose chains are not worked out yet, and its workflow root's chain
_Deferred = tuple[Task, ExportChain]


@dataclass
class ExportIndex:
    """Export chains for every task of a project (below a top-level task, worked out on first use)."""

    chains: dict[int, ExportChain] = field(default_factory=dict)
    deferred: dict[int, _Deferred] = field(default_factory=dict)  # top-level task id -> what its walk needs
    _unlocated: list[Workflow] = field(default_factory=list, repr=False)  # workflows not in _top_of yet
    _top_of: dict[int, int] = field(default_factory=dict, repr=False)  # task id -> its top-level task
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def chain(self, task: Task) -> ExportChain:
        """The chain of ``task`` (empty when the task is unknown to the index)."""
        found = self.known(task)
        return _NO_CHAIN if found is None else found

    def known(self, task: Task) -> ExportChain | None:
        """The chain of ``task``, None when the task is unknown to the index."""
        found = self.chains.get(id(task))
        if found is None and self.deferred:
            with self._lock:  # the language server asks from more than one thread
                found = self.chains.get(id(task)) or self._walk_deferred(task)
        return found

    def add_workflow(self, workflow: Workflow, inherited: tuple[Mapping, ...], open_ended: bool) -> None:
        """The chain of the workflow's root, and its top-level tasks' walks kept for later."""
        root = workflow.root
        chain = _chain(root, ExportChain(inherited, open_ended))
        self.chains[id(root)] = chain
        for top in (*root.children, *root.specials):
            self.deferred[id(top)] = (top, chain)
        self._unlocated.append(workflow)

    def _walk_deferred(self, task: Task) -> ExportChain | None:
        for workflow in self._unlocated:
            self._top_of.update(workflow.top_level_of)
        self._unlocated.clear()
        found = self.deferred.pop(self._top_of.get(id(task), 0), None)
        if found is not None:
            _walk(*found, self.chains)
        return self.chains.get(id(task))


def _own_export(task: Task) -> tuple[Mapping, ...]:
    """The object the task's ``_export`` reading holds when one is written (:attr:`Task.export`: absent, null
    or refused reads as an empty object, which exports nothing and is left out: a ``call>``ed workflow whose
    callers write no ``_export`` object is open-ended, see :func:`build_export_index`)."""
    if task.config.entry("_export") is None:
        return ()  # nothing to read: Task.export would make an empty mapping for each such task
    reading = task.export
    return (reading.value,) if reading.value is reading.node else ()


def _chain(task: Task, inherited: ExportChain) -> ExportChain:
    """The chain of ``task`` below a task (or callers) whose chain is ``inherited``: that very chain when
    the task adds nothing to it (most tasks: one object shared, not one made for each)."""
    own = _own_export(task)
    # keys of the task or of its `_export` that cannot be known (an `!include` that cannot be read, YAML
    # that does not parse): any parameter may be set there, for the task and the tasks below it
    open_ended = inherited.open_ended or task.config.unresolved is not None or any(m.unresolved for m in own)
    if not own and open_ended == inherited.open_ended:
        return inherited
    return ExportChain(inherited.mappings + own, open_ended)


def _walk(task: Task, inherited: ExportChain, chains: dict[int, ExportChain]) -> None:
    chain = chains[id(task)] = _chain(task, inherited)
    for child in (*task.children, *task.specials):
        _walk(child, chain, chains)


def build_export_index(project: ProjectModel) -> ExportIndex:
    """Chains for every workflow, callers first (a workflow run by callers inherits their chains at the call)."""
    index = ExportIndex()
    for workflow in callers_first(project):
        if not runs_in_callers(project, workflow):
            index.add_workflow(workflow, (), False)
            continue
        inherited: tuple[Mapping, ...] = ()
        for _, caller_task in project.callers.get(workflow.path, []):
            chain = index.known(caller_task)
            if chain is not None:
                inherited += chain.mappings
        index.add_workflow(workflow, inherited, not inherited)
    return index
