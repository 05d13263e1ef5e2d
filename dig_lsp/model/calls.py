"""Which workflows run inside their callers, and in which order their contexts are known.

digdag runs a ``call>``ed workflow as the generated subtask (``^sub``) of the calling task
(``digdag-core/.../agent/CallOperatorFactory.java``: ``subtaskConfig(def)``), and a generated
subtask sees the parameters its ancestors export and store
(``digdag-core/.../workflow/WorkflowExecutor.java``, ``collectParams``). So a workflow that
other workflows of the project call is evaluated with its callers' parameters.

A top-level workflow is a workflow of its own too (``digdag run`` can start it), but one
that another workflow calls and that has no ``schedule:`` is, in practice, a piece of its
callers: its names come from them, and analysing it as if it ran alone reports every
caller-provided name as undefined. It is analysed in its callers' context; a workflow with a
``schedule:`` runs alone on that schedule and keeps its own context.
"""

from __future__ import annotations

from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Workflow


def is_scheduled(workflow: Workflow) -> bool:
    """Whether the workflow has a top-level ``schedule`` (so last/next session variables exist)."""
    return workflow.schedule is not None


def caller_workflows(project: ProjectModel, workflow: Workflow) -> list[Workflow]:
    """The other workflows whose tasks ``call>`` this one (a workflow calling itself is not counted)."""
    seen: dict[str, Workflow] = {}
    for caller, _ in project.callers.get(workflow.path, []):
        if caller.path != workflow.path:
            seen.setdefault(caller.path, caller)
    return list(seen.values())


def runs_in_callers(project: ProjectModel, workflow: Workflow) -> bool:
    """Whether ``workflow`` is analysed with its callers' parameters rather than on its own."""
    if workflow.is_called:
        return True  # reached only through call>: it never runs alone
    return bool(caller_workflows(project, workflow)) and not is_scheduled(workflow)


def callers_first(project: ProjectModel) -> list[Workflow]:
    """The project's workflows, each after the workflows that call it (call cycles broken where met),
    otherwise in load order: a called workflow's context is built from its callers' scopes."""
    ordered: list[Workflow] = []
    placed: set[str] = set()
    visiting: set[str] = set()
    for start in project.workflows:
        stack: list[tuple[Workflow, bool]] = [(start, False)]
        while stack:
            workflow, expanded = stack.pop()
            if workflow.path in placed:
                continue
            if expanded:
                visiting.discard(workflow.path)
                placed.add(workflow.path)
                ordered.append(workflow)
                continue
            if workflow.path in visiting:
                continue  # a call cycle: the workflow is placed when its first visit ends
            visiting.add(workflow.path)
            stack.append((workflow, True))
            if runs_in_callers(project, workflow):
                stack.extend((caller, False) for caller in reversed(caller_workflows(project, workflow))
                             if caller.path not in placed)
    return ordered


def call_families(project: ProjectModel) -> dict[str, tuple[str, ...]]:
    """For each workflow path, the workflows linked to it by ``call>`` edges either way (itself first):
    the workflows that run together in one session."""
    linked: dict[str, set[str]] = {wf.path: set() for wf in project.workflows}
    for target, users in project.callers.items():
        for caller, _ in users:
            linked.setdefault(target, set()).add(caller.path)
            linked.setdefault(caller.path, set()).add(target)
    families: dict[str, tuple[str, ...]] = {}
    for start in linked:
        if start in families:
            continue
        members, pending = [start], [start]
        seen = {start}
        while pending:
            for other in sorted(linked[pending.pop()] - seen):
                seen.add(other)
                members.append(other)
                pending.append(other)
        for member in members:
            families[member] = (member, *(m for m in members if m != member))
    return families
