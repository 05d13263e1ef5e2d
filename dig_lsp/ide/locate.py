"""What is at a position of a file: the task, the key chain and the node under the cursor.

The editor features (hover, completion, definitions) all start here. It works on the same
:class:`~dig_lsp.model.project.ProjectModel` the checks use; nothing here knows about LSP.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.text.span import Position, Span


@dataclass(frozen=True)
class Location:
    """The innermost task containing the position, and the entries from its config to the cursor.

    ``entries`` is the chain of mapping entries from the task's own config down to the innermost
    entry whose key or value contains the position; ``on_key`` says whether the position is on
    that entry's key. ``node`` is the innermost node containing the position (a value, or the
    task's config mapping when the cursor is between keys).
    """

    workflow: Workflow
    task: Task
    entries: tuple[Entry, ...]
    on_key: bool
    node: Node | None

    @property
    def entry(self) -> Entry | None:
        """The innermost entry, if the cursor is on one."""
        return self.entries[-1] if self.entries else None

    @property
    def top_key(self) -> str | None:
        """The task-level key the cursor is under (`td>`, `_export`, `query`...)."""
        return self.entries[0].key if self.entries else None


def cursor(project: ProjectModel, path: str, offset: int) -> Position | None:
    """The position of the code-point ``offset`` of ``path``, which spans are compared with (spans hold
    positions, not offsets). None when the file cannot be read or the offset lies outside its text: no
    span holds such an offset (a position would be clamped onto the text's end)."""
    source = project.files.source(path)
    if source is None or not 0 <= offset <= len(source.text):
        return None
    return source.position(offset)


def contains(span: Span, path: str, here: Position) -> bool:
    """Whether ``span`` holds the position ``here`` of ``path`` (its ends included: a cursor right after a
    word is on it)."""
    return span.path == path and span.start <= here <= span.end


def _task_contains(task: Task, path: str, here: Position) -> bool:
    return contains(task.config.span, path, here) or contains(task.key_span, path, here)


def _innermost_task(workflow: Workflow, path: str, here: Position) -> Task | None:
    """The deepest task containing the position (the first in file order among equals).

    The tasks are visited root first, depth first, as :meth:`Workflow.tasks` lists them, but a task written
    wholly in ``path`` that does not contain the position is not entered: what lies below it in ``path`` lies
    inside it, and what lies in other files (``!include``) holds nothing of ``path`` (an include of a file
    that includes it is refused). Visiting every task cost 40 ms a hover in a 30,000-line workflow."""
    best: Task | None = None
    stack = [workflow.root]
    while stack:
        task = stack.pop()
        config_here, key_here = task.config.span.path == path, task.key_span.path == path
        if config_here or key_here:
            if _task_contains(task, path, here):
                if best is None or task.full_name.startswith(best.full_name):
                    best = task
            elif config_here and key_here:
                continue
        stack.extend(reversed((*task.children, *task.specials)))
    return best


def _descend(node: Node, path: str, here: Position, chain: list[Entry]) -> tuple[bool, Node | None]:
    """Follow entries down to the innermost one containing ``here``; returns (on_key, node)."""
    if isinstance(node, Mapping):
        # keys first: a nested mapping's span ends where the next key starts, so that key's first
        # character is also "inside" the value above it
        for entry in node.entries:
            if not entry.key.startswith("+") and contains(entry.key_span, path, here):
                chain.append(entry)
                return True, entry.value
        for entry in node.entries:
            if entry.key.startswith("+"):
                continue  # a subtask: the innermost-task search handles it
            if contains(entry.value.span, path, here) and entry.value.span.end > entry.value.span.start:
                chain.append(entry)
                return _descend(entry.value, path, here, chain)
        return False, node
    if isinstance(node, Sequence):
        for item in node.items:
            if contains(item.span, path, here):
                return _descend(item, path, here, chain)
        return False, node
    return False, node


def locate(project: ProjectModel, path: str, offset: int) -> Location | None:
    """The location at ``offset`` (code points) of ``path``, or None outside every task."""
    here = cursor(project, path, offset)
    return None if here is None else locate_at(project, path, here)


def locate_at(project: ProjectModel, path: str, here: Position) -> Location | None:
    """The location at ``here`` (a :func:`cursor` position) of ``path``, or None outside every task."""
    for workflow in project.workflows:
        task = _innermost_task(workflow, path, here)
        if task is None:
            continue
        chain: list[Entry] = []
        on_key, node = _descend(task.config, path, here, chain)
        if isinstance(node, Scalar) and not contains(node.span, path, here) and not on_key:
            node = None
        return Location(workflow, task, tuple(chain), on_key, node)
    return None
