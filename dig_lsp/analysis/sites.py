"""Every ``${...}`` of a project, with what digdag does with it and which names it may use.

digdag evaluates templates only in string values, never in keys (reference §5.2, §5.3):

* an operator task's own values are evaluated when it starts, in key order: a value sees the
  task's scope plus the keys written *before* it in the same mapping (inside a nested mapping,
  only that mapping's earlier keys);
* ``_export`` values are stored raw and evaluated in each task that uses them -- checked here
  in the scope of the task that exports them;
* ``_do``/``_else_do``/``_error``/``_check`` bodies are tasks of their own, evaluated when they run;
* some values are read raw and never evaluated: ``schedule``, ``sla``, the top-level ``timezone``, a group's
  ``_parallel`` and ``_retry``, ``_background``, ``_after``, ``_disable`` (and ``!include`` names).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import islice

from dig_lsp.diagnostics import Related
from dig_lsp.embedded.scalar_map import value_offsets
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole, Workflow
from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence
from dig_lsp.syntax.templates import Template, find_templates
from dig_lsp.text import limits
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span

# Keys read raw on every task, and on group tasks only (reference §5.3).
RAW_ALWAYS = {"_background": "`_background` is read when the workflow is compiled",
              "_after": "`_after` is read when the workflow is compiled",
              "_disable": "`_disable` is read when the workflow is compiled",
              "timezone": "`timezone` is read when the workflow is loaded",
              "schedule": "`schedule` is read by the scheduler as written",
              "sla": "`sla` is read when the attempt starts, as written"}
RENDERED_KINDS = frozenset({"sql", "mail-body", "yml", "json-or-yml"})
RAW_ON_GROUPS = {"_parallel": "a group's `_parallel` is read when the workflow is compiled",
                 "_retry": "a group's `_retry` is read from the workflow as written when a child fails"}


class EarlierKeys(AbstractSet[str]):
    """The keys of a mapping written before one of its values (visible to that value's templates).

    Shares the mapping's key list between all of its values: a frozenset per value made a mapping
    of n templated values cost n*n/2.
    """

    def __init__(self, keys: tuple[str, ...], first_index: dict[str, int], count: int) -> None:
        self._keys = keys
        self._first = first_index
        self._count = count

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._first.get(name, self._count) < self._count

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys[: self._count])

    def __len__(self) -> int:
        return self._count


class LaterKeys(AbstractSet[str]):
    """The task's keys written after the top-level key a value is under (not evaluated yet when it is;
    ``ConfigEvalEngine.evalObjectRecursive`` evaluates a task's keys in order)."""

    def __init__(self, first_index: dict[str, int], own_index: int) -> None:
        self._first = first_index
        self._own = own_index

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._first.get(name, -1) > self._own

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._first if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_NO_NAMES: frozenset[str] = frozenset()


def _earlier_keys(keys: list[str]) -> tuple[tuple[str, ...], dict[str, int]]:
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    return tuple(keys), first


@dataclass(frozen=True)
class Site:
    """One template: where it is, the task it belongs to, and how digdag treats it."""

    workflow: Workflow
    task: Task
    key: str  # the task-level key it is under (`sh>`, `_export`, `query`...)
    node: Scalar | None  # None for a template inside a file the operator renders
    template: Template
    span: Span  # the whole `${...}` in the source file
    expression_offsets: tuple[int, ...]  # source offset of each expression character (+ end)
    local_names: AbstractSet[str]  # earlier keys of the same mapping, visible to this value
    raw_reason: str | None  # why the template is never evaluated, when it is not
    source: SourceFile
    later_names: AbstractSet[str] = _NO_NAMES  # keys written after it in the same task: not visible yet
    rendered_file: str | None = None  # the file's path relative to the project, for templated files
    # namespaces whose members the operator merges in as defaults when it renders the file (td> renders
    # its query with ``config.mergeDefault(config.getNestedOrGetEmpty("td"))``: ``${database}`` is td.database)
    defaults: tuple[str, ...] = ()

    @property
    def rendering(self) -> Related | None:
        """For a template inside a rendered file, the task that renders it (as related information)."""
        return Related(self.task.key_span, f"rendered by {self.task.full_name}") if self.rendered_file else None

    def source_span(self, start: int, end: int) -> Span:
        """The source span of ``expression[start:end]`` (expression indexes, end exclusive)."""
        offsets = self.expression_offsets
        last_index = len(offsets) - 1
        first = offsets[min(max(start, 0), last_index)]
        if end > start and end - 1 < last_index:
            last = offsets[end - 1] + 1
        else:
            last = offsets[min(max(end, start), last_index)]
        return self.source.span(first, max(first, last))


def project_sites(project: ProjectModel) -> tuple[Site, ...]:
    """The template sites of the project, found once per loaded project (checks, hover and
    definitions share them): the first ``MAX_TEMPLATES``, plus the next one when there are more
    (where the resource-limit check reports that the rest are not analysed)."""
    return project.memo("template-sites",
                        lambda: tuple(islice(SiteFinder(project).sites(), limits.MAX_TEMPLATES + 1)))


@dataclass
class SiteFinder:
    """Walks a project's tasks and yields every template site."""

    project: ProjectModel
    _task_keys: dict[str, int] = field(default_factory=dict)  # the task's keys, by first position

    def sites(self) -> Iterator[Site]:
        """Template sites of every workflow, task by task, in file order."""
        for workflow in self.project.workflows:
            for task in workflow.tasks():
                yield from self.task_sites(workflow, task)

    def task_sites(self, workflow: Workflow, task: Task) -> Iterator[Site]:
        """Template sites of one task: its own values, then the files its operator renders."""
        if not task.disabled:
            yield from self._task_sites(workflow, task)
            yield from self._file_sites(workflow, task)

    def _file_sites(self, workflow: Workflow, task: Task) -> Iterator[Site]:
        """Templates in files the operator renders (SQL, mail bodies, yml), in this task's scope: the
        file is rendered with the task's evaluated parameters, so all of its own keys are visible."""
        op = operator_task(task)
        if op is None:
            return
        root = self.project.root
        workdir = self.project.workdirs.get(workflow.path, root)
        own = frozenset(task.config.keys())
        for ref in file_references(op, workdir, root):
            if ref.kind not in RENDERED_KINDS or not ref.inside:
                continue
            source = self.project.files.source(ref.path)
            if source is None or "${" not in source.text:
                continue
            templates, _ = find_templates(source.text)
            shown = os.path.relpath(ref.path, root)
            for template in templates:
                expression = tuple(range(template.expression_start, template.end))
                yield Site(workflow, task, ref.parameter, None, template, source.span(template.start, template.end),
                           expression, own, None, source, frozenset(), shown, op.spec.namespaces)

    def _task_sites(self, workflow: Workflow, task: Task) -> Iterator[Site]:
        self._task_keys = {}
        if not task.is_group:
            for index, name in enumerate(task.config.keys()):
                self._task_keys.setdefault(name, index)
        # the parameters written before a value are visible to it (subtasks are not parameters)
        keys, first = _earlier_keys([entry.key for entry in task.config.entries
                                     if not entry.key.startswith("+") and entry.key not in SPECIAL_SUBTASKS])
        seen = 0
        for entry in task.config.entries:
            key = entry.key
            if key.startswith("+") or key in SPECIAL_SUBTASKS:
                continue
            raw = RAW_ALWAYS.get(key)
            if key == "timezone" and task.role is not TaskRole.ROOT and not task.is_group:
                raw = None  # only the workflow's own is read at load (WorkflowFile); a task's is a parameter
            if raw is None and task.is_group:
                raw = RAW_ON_GROUPS.get(key)
            if raw is None and task.is_group and key != "_export":
                seen += 1
                continue  # other group keys are errors of their own (invalid-group-key)
            if key == "schedule" and task.role is not TaskRole.ROOT:
                raw = "`schedule` is only read on the top level, as written"
            local: AbstractSet[str] = _NO_NAMES if key == "_export" else EarlierKeys(keys, first, seen)
            value = entry.value
            if key == "sla" and isinstance(value, Mapping):
                # only the SLA options are read raw; its `+tasks` run later as the `^sla` group
                value = Mapping(tuple(e for e in value.entries if not e.key.startswith("+")), value.span)
            yield from self._value_sites(workflow, task, key, value, local, raw)
            seen += 1

    def _value_sites(self, workflow: Workflow, task: Task, key: str, node: Node, local: AbstractSet[str],
                     raw: str | None) -> Iterator[Site]:
        if isinstance(node, Scalar):
            if isinstance(node.value, str) and "${" in node.value:
                yield from self._scalar_sites(workflow, task, key, node, local, raw)
        elif isinstance(node, Sequence):
            for item in node.items:
                yield from self._value_sites(workflow, task, key, item, local, raw)
        else:
            yield from self._mapping_sites(workflow, task, key, node, raw)

    def _mapping_sites(self, workflow: Workflow, task: Task, key: str, node: Mapping,
                       raw: str | None) -> Iterator[Site]:
        keys, first = _earlier_keys([entry.key for entry in node.entries])
        for number, entry in enumerate(node.entries):
            local: AbstractSet[str] = _NO_NAMES if key == "_export" else EarlierKeys(keys, first, number)
            yield from self._value_sites(workflow, task, key, entry.value, local, raw)

    def _scalar_sites(self, workflow: Workflow, task: Task, key: str, node: Scalar, local: AbstractSet[str],
                      raw: str | None) -> Iterator[Site]:
        source = self.project.files.source(node.span.path)
        if source is None or not isinstance(node.value, str):
            return
        templates, _ = find_templates(node.value)
        if not templates:
            return
        offsets = value_offsets(node, source)
        for template in templates:
            start = offsets[template.start]
            end = offsets[min(template.end - 1, len(offsets) - 1)] + 1
            closing = offsets[min(template.end - 1, len(offsets) - 1)]
            expression = (*offsets[template.expression_start: template.end - 1], closing)
            later = LaterKeys(self._task_keys, self._task_keys.get(key, len(self._task_keys)))
            yield Site(workflow, task, key, node, template, source.span(start, end), expression, local, raw,
                       source, later)
