"""The top-level tasks an edit moved: copies of the previous load's tasks, made of the same text further
down (or up) the edited file.

Why: an edit inside one top-level entry re-reads only that entry (:mod:`dig_lsp.syntax.splice`). When the
edit adds or removes lines, the entries after it are copies of the old ones with their lines moved, so the
model has new ``Task`` objects for them (an edit within a line keeps them as the very same objects: spans
hold lines and columns, and nothing after the edit moved). What the analysis found about those tasks (what
they store, how many templates they hold) is the same but for positions, so the passes that keep their
findings across loads (:mod:`dig_lsp.analysis.scope`, :mod:`dig_lsp.analysis.site_order`) take them over with
the spans moved instead of working them out again. :mod:`dig_lsp.incremental` says which tasks are such copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dig_lsp.model.workflow import Task
from dig_lsp.text.span import Span

if TYPE_CHECKING:
    from dig_lsp.syntax.splice import EntryEdit  # annotations only: the language server's re-reads


@dataclass(frozen=True)
class MovedTasks:
    """Top-level tasks of a new load (by id) and the earlier load's task each is a moved copy of, and the
    edit of ``path`` that moved them."""

    tasks: Mapping[int, Task]
    path: str
    edit: EntryEdit

    def before(self, task: Task) -> Task | None:
        """The earlier load's task ``task`` is a moved copy of, if it is one."""
        found = self.tasks.get(id(task))
        return found if found is not None and found is not task else None

    def span(self, span: Span) -> Span:
        """A span of the earlier load as it lies now."""
        return self.edit.moved(span) if span.path == self.path else span
