"""Where each workflow root's and top-level task's ``${...}`` templates start in the project's order.

Why: only the project's first ``MAX_TEMPLATES`` templates are checked (:mod:`dig_lsp.text.limits`), in the
order :meth:`~dig_lsp.analysis.sites.SiteFinder.sites` finds them (workflow by workflow, task by task
depth first, a task's values before the files it renders), and the template after them is where the
resource-limit check reports the cut. So whether a template of an edited task is checked depends on how
many come before it in the whole project; an analysis of the edited task alone
(:mod:`dig_lsp.incremental`) reads it here. Counting every template of a 30,000-line workflow again after
each keystroke would cost what the focused analysis saves, so the counts of top-level tasks an edit left
as they were (the same objects, rendering the same file texts) are taken over from the previous load.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dig_lsp.analysis.sites import RENDERED_KINDS, SiteFinder
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.text.source import SourceFile

if TYPE_CHECKING:
    from dig_lsp.analysis.moved import MovedTasks  # annotations only: the language server's re-reads

_KEY = "site-order"


@dataclass(frozen=True, eq=False)
class _TopCount:
    """How many templates one top-level task and everything below it hold, and the files it renders
    (path and text when counted: a template in them counts too)."""

    task: Task
    workdir: str
    count: int
    rendered: tuple[tuple[str, SourceFile | None], ...]


@dataclass(frozen=True, eq=False)
class SiteOrder:
    """The project's template count, and where each root's and top-level task's templates start."""

    total: int
    # id(task) of a workflow root or top-level task -> index of its first template; empty when the project
    # is known to be under the limit (see counted): then no place matters, every template is checked
    starts: dict[int, int]
    tops: dict[int, _TopCount]  # kept for the next load (see site_order)

    def start(self, task: Task) -> int | None:
        """The index of the first template of ``task`` (a root or top-level task) in the project's order."""
        return self.starts.get(id(task))

    def count(self, task: Task) -> int | None:
        """How many templates a top-level task and everything below it hold."""
        found = self.tops.get(id(task))
        return None if found is None or found.task is not task else found.count


def site_order(project: ProjectModel, earlier: SiteOrder | None = None, moved: MovedTasks | None = None) -> SiteOrder:
    """The project's :class:`SiteOrder`, worked out once per loaded project.

    ``earlier``: the order of a previous load of the same project, whose counts are taken over for the
    top-level tasks that are the very same objects, or copies of them an edit ``moved``, when the files
    they render hold the same texts. The result is the same without them."""
    return project.memo(_KEY, lambda: build_site_order(project, earlier, moved))


def counted(project: ProjectModel, total: int) -> None:
    """Record that the project has ``total`` templates, when that is known to be no more than the limit
    (``MAX_TEMPLATES``): every template is checked, so an analysis focused on some tasks needs no places
    and they are not worked out (unless they were already)."""
    project.memo(_KEY, lambda: SiteOrder(total, {}, {}))


def known_order(project: ProjectModel) -> SiteOrder | None:
    """The project's order if it was worked out already (else None: nothing is computed)."""
    found = project.derived.get(_KEY)
    return found if isinstance(found, SiteOrder) else None


def build_site_order(project: ProjectModel, earlier: SiteOrder | None = None,
                     moved: MovedTasks | None = None) -> SiteOrder:
    """:func:`site_order`, not kept on the project."""
    finder = SiteFinder(project)
    kept = earlier.tops if earlier is not None else {}
    starts: dict[int, int] = {}
    tops: dict[int, _TopCount] = {}
    total = 0
    for workflow in project.workflows:
        root = workflow.root
        workdir = project.workdirs.get(workflow.path, project.root)
        starts[id(root)] = total
        total += sum(1 for _ in finder.task_sites(workflow, root))
        for top in (*root.children, *root.specials):
            starts[id(top)] = total
            before = (moved.before(top) if moved is not None else None) or top
            record = kept.get(id(before))
            if record is None or record.task is not before or record.workdir != workdir or \
                    not all(_same_text(project.files.source(path), text) for path, text in record.rendered):
                record = _count(project, finder, workflow, top, workdir)
            elif before is not top:
                record = _TopCount(top, workdir, record.count, record.rendered)
            tops[id(top)] = record
            total += record.count
    return SiteOrder(total, starts, tops)


def _same_text(now: SourceFile | None, then: SourceFile | None) -> bool:
    return now is then or (now is not None and then is not None and now.text == then.text)


def _count(project: ProjectModel, finder: SiteFinder, workflow: Workflow, top: Task, workdir: str) -> _TopCount:
    count = 0
    for task in top.walk():
        count += sum(1 for _ in finder.task_sites(workflow, task))
    return _TopCount(top, workdir, count, tuple(_rendered(project, top, workdir)))


def _rendered(project: ProjectModel, top: Task, workdir: str) -> Iterator[tuple[str, SourceFile | None]]:
    """The files the tasks below ``top`` render, as ``SiteFinder`` looks for their templates."""
    for task in top.walk():
        op = operator_task(task) if not task.disabled else None
        if op is None:
            continue
        for ref in file_references(op, workdir, project.root):
            if ref.kind in RENDERED_KINDS and ref.inside:
                yield ref.path, project.files.source(ref.path)
