"""What a check is, and what it is given.

A check is a module with ``CODE``, ``NAME``, ``SEVERITY``, a docstring that is its docs
page (What it does / Why is this bad? / Example / Use instead) and a ``check(ctx)``
generator of :class:`Finding`. The engine adds code, name and severity. Optionally a
``prefetch(contexts)``: work shared by the analyses of a batch of projects, done once for all of
them before their checks run (see ``engine.prefetch``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any, TypeVar, cast

from dig_lsp.analysis.facts import Facts
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, Fix, Related, Severity
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.targets import reported
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Mapping, Node, Sequence
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.text.span import Position, Span

T = TypeVar("T")
_CODE = re.compile(r"^DL\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_TEST_NOTE = re.compile(r"^<!-- test: [^\n]*-->\n", re.M)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check found; the engine turns it into a Diagnostic."""

    span: Span
    message: str
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    # the context the finding was made in, when one place is checked in several (a SQL file rendered
    # by several tasks): findings at one span in several contexts become one diagnostic, with every
    # context as related information
    context: Related | None = None


@dataclass(frozen=True)
class CheckContext:
    """The loaded project and the settings the checks run under.

    ``focus``: when set, the tasks the checks report on (one edited top-level task and everything below
    it, for the language server's incremental analysis); everything else of the project is still
    there to be looked up. Checks walk tasks through :meth:`tasks` (or the lists of :attr:`facts` built from it),
    so they need not know about the focus; what they report about the whole project is computed as
    usual, and the incremental analysis compares it before and after the edit.

    ``report``: the paths whose diagnostics the analysis keeps (the unit's, :attr:`Unit.report
    <dig_lsp.model.targets.Unit.report>`; None: all). ``dig-lint FILE`` loads the whole project but shows one
    file, so a check may skip work whose findings could only land elsewhere (:meth:`reports`); the result
    must stay exactly the full analysis filtered by the unit (``tests/test_report_filter.py``).
    """

    project: ProjectModel
    settings: Settings
    focus: tuple[tuple[Workflow, Task], ...] | None = None
    report: tuple[str, ...] | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _reported: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def facts(self) -> Facts:
        """What follows from the project for this analysis (scopes, exports, operator tasks, template sites...),
        each computed once on first use: the typed facts every check may read."""
        return Facts(self.project, self.settings.runtime_params, self.focus, self.report)

    def reports(self, path: str) -> bool:
        """Whether a finding whose span is in ``path`` is kept (see ``report``): where it is not, the
        work that could only find it may be skipped."""
        known = self._reported.get(path)
        if known is None:
            known = self._reported[path] = reported(self.report, path)
        return known

    def reports_keys(self, task: Task) -> bool:
        """Whether a finding at one of the task's own keys may be kept (:meth:`reports`)."""
        return self.report is None or any(self.reports(entry.key_span.path) for entry in task.config.entries)

    def reports_inside(self, node: Node) -> bool:
        """Whether a finding at ``node`` or at a node inside it may be kept: :meth:`reports` for each
        (a value may hold nodes of an ``!include``d file)."""
        if self.report is None:
            return True
        todo, seen = [node], set()
        while todo:
            current = todo.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if self.reports(current.span.path):
                return True
            if isinstance(current, Mapping):
                todo.extend(entry.value for entry in current.entries)
            elif isinstance(current, Sequence):
                todo.extend(current.items)
        return False

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """A value computed once per analysis and shared by the checks that need it, for what one topic's
        checks conclude (facts about the project belong in :attr:`facts`)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return cast(T, self._memo[key])

    @property
    def workflows(self) -> list[Workflow]:
        """Every loaded workflow: top-level ones and ``call>`` targets."""
        return self.project.workflows

    def tasks(self) -> Iterator[tuple[Workflow, Task]]:
        """Every task of every workflow (of the focus, when there is one), with its workflow."""
        return self.facts.tasks()

    def problems(self, kind: str) -> Iterator[SyntaxProblem]:
        """Loading problems of one kind (each reported once even if several workflows share a file)."""
        seen: set[tuple[str, Position, str]] = set()
        for problem in self.project.problems:
            key = (problem.span.path, problem.span.start, problem.message)
            if problem.kind == kind and key not in seen:
                seen.add(key)
                yield problem


CheckFunction = Callable[[CheckContext], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered check with its metadata and documentation."""

    code: str
    name: str
    severity: Severity
    doc: str
    check: CheckFunction | None  # None for rules applied after all checks (suppressions)
    # for such a rule: what the engine calls with every diagnostic and the suppression comments
    post_check: Callable[..., tuple[list[Diagnostic], list[Finding]]] | None = None
    # optional: work the check's analyses share, done once for several analyses before their checks run
    # (the CLI's batches: ShellCheck started once for the scripts of many projects); see engine.prefetch
    prefetch: Callable[[list[CheckContext]], None] | None = None

    @property
    def help(self) -> str:
        """The docs as users read them: without the ``<!-- test: ... -->`` lines that tell the docs tests
        how to run the examples (``tests/test_docs.py``)."""
        return _TEST_NOTE.sub("", self.doc).strip()

    @property
    def summary(self) -> str:
        """The first line of the docs."""
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Read a check module's metadata, rejecting malformed ones early."""
        code, name = module.CODE, module.NAME
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"{module.__name__}: bad code {code!r} or name {name!r}")
        return cls(code, name, module.SEVERITY, module.__doc__ or "", getattr(module, "check", None),
                   getattr(module, "post_check", None), getattr(module, "prefetch", None))


def findings_from_problems(kind: str) -> CheckFunction:
    """A check body that reports loading problems of one kind (the loader found them)."""

    def check(ctx: CheckContext) -> Iterator[Finding]:
        for problem in ctx.problems(kind):
            related = tuple(Related(span, message) for span, message in problem.related)
            yield Finding(problem.span, problem.message, related)

    return check
