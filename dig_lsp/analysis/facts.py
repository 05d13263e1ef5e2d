"""The facts of one analysis: what the checks and the editor features read about a loaded project, each
computed on first use and then kept for the rest of the analysis.

Before this object, each fact was a ``ctx.shared(key, build)`` entry of a ``checks/*_support`` module
(untyped, keyed by strings) or a direct call of the pass that builds it; the editor features called the
passes themselves. Now there is one typed place: :class:`Facts`, which :class:`~dig_lsp.checks.base.
CheckContext` builds once per analysis (``ctx.facts``) and the editor features build for their request.

What lives here is what follows from the project for everyone — scopes, ``_export`` chains, the operator
tasks, the files they name and the modules ``py>`` tasks run, the ``${...}`` template sites with their
parse and scope, and their references resolved — not what one check concludes. Project-wide passes
(scopes, export index, template sites) stay memoised on the project
(:meth:`~dig_lsp.model.project.ProjectModel.memo`), so a ``Facts`` is cheap to build again for the same
project; lists that depend on the focus (the tasks an incremental analysis reports on) are built here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from dig_lsp.analysis.exports import ExportIndex, build_export_index
from dig_lsp.analysis.file_references import task_file_references
from dig_lsp.analysis.python_tasks import PythonTask, python_tasks
from dig_lsp.analysis.resolve import Resolution, resolve_at
from dig_lsp.analysis.scope import Scope, ScopeIndex, project_scopes
from dig_lsp.analysis.sites import Site, SiteFinder, project_sites
from dig_lsp.embedded.js import ParsedExpression, Reference, parse_expression
from dig_lsp.model.files import FileReference
from dig_lsp.model.operators import OperatorTask, operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.targets import reported
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.text import limits

SHELL_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class AnalysedSite:
    """A template with its parse and the scope of the task it belongs to."""

    site: Site
    parsed: ParsedExpression
    scope: Scope | None

    @property
    def is_shell_style(self) -> bool:
        """``${HOME}`` in a ``sh>`` command: meant for the shell, evaluated as JavaScript."""
        expression = self.site.template.expression.strip()
        return (self.site.key == "sh>" and bool(expression) and not expression[0].isdigit()
                and set(expression) <= SHELL_NAME_CHARS)


@dataclass(frozen=True)
class ResolvedReference:
    """One variable reference of an evaluated template, resolved once for every check that needs it."""

    item: AnalysedSite
    reference: Reference
    resolution: Resolution


@dataclass(frozen=True, eq=False)
class Facts:
    """The facts of ``project`` analysed with ``runtime_params`` (``focus``: see :meth:`tasks`).

    Frozen, and every fact is a ``cached_property``: built on first read, the same object afterwards.
    """

    project: ProjectModel
    runtime_params: tuple[str, ...] = ()
    # the tasks an incremental analysis reports on (an edited top-level task, everything below it and its
    # workflow's root); None: every task of the project
    focus: tuple[tuple[Workflow, Task], ...] | None = None
    # the paths whose findings the analysis keeps (a unit's report, :meth:`CheckContext.reports
    # <dig_lsp.checks.base.CheckContext.reports>`); None: every path. Only :attr:`analysed_sites` honours it
    report: tuple[str, ...] | None = None

    def tasks(self) -> Iterator[tuple[Workflow, Task]]:
        """Every task of every workflow (of the focus, when there is one), with its workflow."""
        if self.focus is not None:
            yield from self.focus
            return
        for workflow in self.project.workflows:
            for task in workflow.tasks():
                yield workflow, task

    @cached_property
    def scopes(self) -> ScopeIndex:
        """Every task's scope (memoised on the project per runtime parameters)."""
        return project_scopes(self.project, self.runtime_params)

    @cached_property
    def export_index(self) -> ExportIndex:
        """The ``_export`` chain of every task (memoised on the project)."""
        return self.project.memo("export-index", lambda: build_export_index(self.project))

    @cached_property
    def operator_tasks(self) -> tuple[tuple[Workflow, OperatorTask], ...]:
        """Every enabled task (of :meth:`tasks`) whose operator is in the catalog."""
        return tuple((workflow, found) for workflow, task in self.tasks() if (found := operator_task(task)) is not None)

    @cached_property
    def template_sites(self) -> tuple[Site, ...]:
        """The template sites to report on: the project's (up to ``MAX_TEMPLATES`` + 1), or with a focus, those
        of the focused tasks."""
        if self.focus is None:
            return project_sites(self.project)
        return tuple(site for site, _ in self._focused_sites)

    @cached_property
    def _focused_sites(self) -> tuple[tuple[Site, int], ...]:
        """With a focus, its tasks' template sites, each with its index in the project's order
        (:mod:`dig_lsp.analysis.site_order`): whether it is among the first ``MAX_TEMPLATES`` depends on
        the whole project. The focus lists each workflow root and top-level task before the tasks below
        it, depth first, as the project's order does."""
        from dig_lsp.analysis.site_order import site_order  # a focus is the language server's: see over_template_limit

        order = site_order(self.project)
        finder = SiteFinder(self.project)
        found = []
        index = 0
        for workflow, task in self.tasks():
            start = order.start(task)
            if start is not None:
                index = start
            for site in finder.task_sites(workflow, task):
                found.append((site, index))
                index += 1
        return tuple(found)

    @property
    def unanalysed_sites(self) -> tuple[Site, ...]:
        """The template right after the first ``MAX_TEMPLATES`` of the project (found, not parsed or checked,
        where the cut is reported), when there is one (of the focus, with a focus)."""
        limit = limits.MAX_TEMPLATES
        if self.focus is None:
            return self.template_sites[limit:]
        return tuple(site for site, index in self._focused_sites if index == limit)

    @property
    def over_template_limit(self) -> bool:
        """Whether the project has more templates than the first ``MAX_TEMPLATES`` that are checked."""
        if self.focus is None:
            return len(self.template_sites) > limits.MAX_TEMPLATES
        # imported only with a focus (an incremental analysis): a command-line run has none and spares itself
        # site_order, moved and splice (with their dataclasses, 2-4 ms of a one-file run's start)
        from dig_lsp.analysis.site_order import site_order

        return site_order(self.project).total > limits.MAX_TEMPLATES

    @cached_property
    def analysed_sites(self) -> tuple[AnalysedSite, ...]:
        """Every evaluated template (of the first ``MAX_TEMPLATES``) in a reported file, parsed, with its task's
        scope.

        Only those in :attr:`report`'s files: a check of a site reports at the site (in its file), and
        the scope of a task in a file ``dig-lint FILE`` does not show (a ``td_for_each>`` parsing its
        query for the columns) is not worked out for nothing."""
        index = self.scopes
        limit = limits.MAX_TEMPLATES
        sites = self.template_sites[:limit] if self.focus is None else \
            tuple(site for site, place in self._focused_sites if place < limit)
        return tuple(AnalysedSite(site, parse_expression(site.template.expression), index.scope(site.task))
                     for site in sites if reported(self.report, site.source.path))

    @cached_property
    def resolved_references(self) -> tuple[ResolvedReference, ...]:
        """References of every evaluated, parseable template with a scope, each resolved once."""
        found = []
        for item in self.analysed_sites:
            site = item.site
            if item.scope is None or site.raw_reason is not None or item.parsed.problem is not None:
                continue
            for reference in item.parsed.references:
                if reference.name in item.parsed.guarded:
                    continue  # tested with `typeof` in the same expression: the author guards it
                found.append(ResolvedReference(item, reference, resolve_at(site, reference, item.scope)))
        return tuple(found)

    @cached_property
    def task_file_references(self) -> tuple[tuple[OperatorTask, FileReference], ...]:
        """Every file an operator task (of :meth:`tasks`) names, templated names expanded where their values
        are known (:mod:`dig_lsp.analysis.file_references`)."""
        return tuple(task_file_references(self.project, self.scopes, self.operator_tasks))

    @cached_property
    def _file_references_by_task(self) -> dict[int, tuple[FileReference, ...]]:
        by_task: dict[int, list[FileReference]] = {}
        for op, ref in self.task_file_references:
            by_task.setdefault(id(op.task), []).append(ref)
        return {task: tuple(refs) for task, refs in by_task.items()}

    def file_references_of(self, op: OperatorTask) -> tuple[FileReference, ...]:
        """The file references of one operator task (see :attr:`task_file_references`)."""
        return self._file_references_by_task.get(id(op.task), ())

    @cached_property
    def python_tasks(self) -> tuple[PythonTask, ...]:
        """Every enabled ``py>`` task (of :meth:`tasks`) with a literal command, its target resolved (reading
        and parsing the module: :mod:`dig_lsp.analysis.python_tasks`)."""
        return tuple(python_tasks(self.project, self.operator_tasks))
