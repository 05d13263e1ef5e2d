"""Document symbols: the task tree written in one file (an outline of ``+tasks``).

Tasks come from the same :class:`~dig_lsp.model.workflow.Workflow` trees the checks use, so
``_error``/``_check``/``_do``/``_else_do`` subtasks appear as digdag compiles them. A file
reached through ``!include`` shows the tasks whose keys are written in it; a task whose key
is in another file is skipped and its children are lifted to the nearest shown ancestor.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span


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
    seen: set[int] = set()
    found: list[TaskSymbol] = []
    for root in roots:
        found.extend(_symbols(root, source, seen))
    return found


def _symbols(task: Task, source: SourceFile, seen: set[int]) -> list[TaskSymbol]:
    """Symbols of ``task``'s subtasks written in ``source`` (each key once, whatever includes it twice)."""
    found: list[TaskSymbol] = []
    for child in (*task.children, *task.specials):
        below = _symbols(child, source, seen)
        key = child.key_span
        if key.path != source.path or child.role is TaskRole.ROOT or key.start_offset in seen:
            found.extend(below)
            continue
        seen.add(key.start_offset)
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
    end = key.end_offset
    if value.path == key.path and value.end_offset > end:
        end = value.end_offset
        text = source.text
        while end > key.end_offset and text[end - 1: end].isspace():
            end -= 1
    return source.span(key.start_offset, end)
