"""Document symbols: the task tree written in one file (an outline of ``+tasks``).

Tasks come from the same :class:`~dig_lsp.model.workflow.Workflow` trees the checks use, so
``_error``/``_check``/``_do``/``_else_do`` subtasks appear as digdag compiles them. A file
reached through ``!include`` shows the tasks whose keys are written in it; a task whose key
is in another file is skipped and its children are lifted to the nearest shown ancestor.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position, Span


@dataclass(frozen=True)
class TaskSymbol:
    """One task: its key as written, what it runs, and the text it spans."""

    name: str
    detail: str
    is_group: bool
    span: Span  # from the key to the end of the task's value
    selection: Span  # the key
    children: tuple[TaskSymbol, ...]


def document_symbols(project: ProjectModel, path: str) -> list[TaskSymbol]:
    """The task tree of ``path``: its workflow's, or (for an included file) the tasks written in it."""
    source = project.files.source(path)
    if source is None:
        return []
    workflow = project.workflow(path)
    roots = [workflow.root] if workflow is not None else [wf.root for wf in project.workflows]
    seen: set[Position] = set()
    found: list[TaskSymbol] = []
    for root in roots:
        found.extend(_symbols(root, source, seen))
    return found


def _symbols(task: Task, source: SourceFile, seen: set[Position]) -> list[TaskSymbol]:
    """Symbols of ``task``'s subtasks written in ``source`` (each key once, whatever includes it twice)."""
    found: list[TaskSymbol] = []
    for child in (*task.children, *task.specials):
        below = _symbols(child, source, seen)
        key = child.key_span
        if key.path != source.path or child.role is TaskRole.ROOT or key.start in seen:
            found.extend(below)
            continue
        seen.add(key.start)
        found.append(TaskSymbol(_name(child), _detail(child), child.is_group, _extent(child, source), key,
                                tuple(below)))
    return found


def _name(task: Task) -> str:
    return task.role.value if task.role not in (TaskRole.CHILD, TaskRole.ROOT) else task.name


def _detail(task: Task) -> str:
    if task.disabled:
        return "disabled"
    use = task.operator
    if use is None:
        return "group"
    return f"{use.name}>" if use.key == "_type" else use.key


def _extent(task: Task, source: SourceFile) -> Span:
    """From the key to the last non-blank character of the value (when the value is in the same file)."""
    key = task.key_span
    value = task.value.span
    start, key_end = source.offsets(key)
    end = key_end
    if value.path == key.path and value.end > key.end:
        end = source.at(value.end)
        text = source.text
        while end > key_end and text[end - 1: end].isspace():
            end -= 1
    return source.span(start, end)


# ------------------------------------------------------------------------------------ workspace symbols

MAX_WORKSPACE_SYMBOLS = 1000  # an empty query lists everything: a client shows the first ones anyway


@dataclass(frozen=True)
class WorkspaceSymbol:
    """A workflow or a task of a project, for ``workspace/symbol``: ``container`` is what holds it (the
    project folder for a workflow, the parent task's full name for a task)."""

    name: str
    kind: str  # "workflow", "group" or "task"
    span: Span
    container: str
    detail: str = ""


def workspace_symbols(projects: list[ProjectModel], query: str,
                      limit: int = MAX_WORKSPACE_SYMBOLS) -> list[WorkspaceSymbol]:
    """Every workflow and task of ``projects`` whose name (or full name) holds the query's characters in
    order, ignoring case and spaces (as editors match: ``dlo`` finds ``+daily_load``)."""
    wanted = "".join(query.lower().split())
    found: list[WorkspaceSymbol] = []
    seen: set[tuple[str, Position, str]] = set()
    for project in projects:
        for symbol in _project_symbols(project):
            where = (symbol.span.path, symbol.span.start, symbol.name)
            if where in seen or not (_matches(wanted, symbol.name) or _matches(wanted, symbol.detail)):
                continue
            seen.add(where)
            found.append(symbol)
            if len(found) >= limit:
                return found
    return found


def _project_symbols(project: ProjectModel) -> list[WorkspaceSymbol]:
    found: list[WorkspaceSymbol] = []
    folder = os.path.basename(project.root.rstrip(os.sep)) or project.root
    for workflow in project.workflows:
        start = Span(workflow.path, Position(0, 0), Position(0, 0))
        found.append(WorkspaceSymbol(workflow.name, "workflow", start, folder, workflow.name))
        for task in workflow.tasks():
            if task.role is TaskRole.ROOT:
                continue
            parent = task.full_name[: len(task.full_name) - len(_own_name(task))] or workflow.name
            found.append(WorkspaceSymbol(_name(task), "group" if task.is_group else "task", task.key_span,
                                         parent, task.full_name))
    return found


def _own_name(task: Task) -> str:
    """The last part of a task's full name (``+load`` of ``+wf+daily+load``, ``^error`` of ``+wf^error``)."""
    full = task.full_name
    cut = max(full.rfind("+"), full.rfind("^"))
    return full[cut:] if cut > 0 else full


def _matches(wanted: str, text: str) -> bool:
    """``wanted``'s characters appear in ``text`` in order (case-insensitive)."""
    if not wanted:
        return True
    characters = iter(text.lower())
    return all(char in characters for char in wanted)
