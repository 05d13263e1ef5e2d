"""What is at a position of a file: the task, the key chain and the node under the cursor.

The editor features (hover, completion, definitions) all start here. It works on the same
:class:`~dig_lsp.model.project.ProjectModel` the checks use; nothing here knows about LSP.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.text.span import Span


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


def _inside(span: Span, path: str, offset: int) -> bool:
    return span.path == path and span.start_offset <= offset <= span.end_offset


def _task_contains(task: Task, path: str, offset: int) -> bool:
    return _inside(task.config.span, path, offset) or _inside(task.key_span, path, offset)


def _innermost_task(workflow: Workflow, path: str, offset: int) -> Task | None:
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
            if _task_contains(task, path, offset):
                if best is None or task.full_name.startswith(best.full_name):
                    best = task
            elif config_here and key_here:
                continue
        stack.extend(reversed((*task.children, *task.specials)))
    return best


def _descend(node: Node, path: str, offset: int, chain: list[Entry]) -> tuple[bool, Node | None]:
    """Follow entries down to the innermost one containing ``offset``; returns (on_key, node)."""
    if isinstance(node, Mapping):
        # keys first: a nested mapping's span ends where the next key starts, so that key's first
        # character is also "inside" the value above it
        for entry in node.entries:
            if not entry.key.startswith("+") and _inside(entry.key_span, path, offset):
                chain.append(entry)
                return True, entry.value
        for entry in node.entries:
            if entry.key.startswith("+"):
                continue  # a subtask: the innermost-task search handles it
            if _inside(entry.value.span, path, offset) and entry.value.span.end_offset > entry.value.span.start_offset:
                chain.append(entry)
                return _descend(entry.value, path, offset, chain)
        return False, node
    if isinstance(node, Sequence):
        for item in node.items:
            if _inside(item.span, path, offset):
                return _descend(item, path, offset, chain)
        return False, node
    return False, node


def locate(project: ProjectModel, path: str, offset: int) -> Location | None:
    """The location at ``offset`` (code points) of ``path``, or None outside every task."""
    for workflow in project.workflows:
        task = _innermost_task(workflow, path, offset)
        if task is None:
            continue
        chain: list[Entry] = []
        on_key, node = _descend(task.config, path, offset, chain)
        if isinstance(node, Scalar) and not _inside(node.span, path, offset) and not on_key:
            node = None
        return Location(workflow, task, tuple(chain), on_key, node)
    return None
