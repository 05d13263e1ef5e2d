"""Every ``${...}`` of a project, with what digdag does with it and which names it may use.

digdag evaluates templates only in string values, never in keys (reference §5.2, §5.3):

* an operator task's own values are evaluated when it starts, in key order: a value sees the
  task's scope plus the keys written *before* it in the same mapping (inside a nested mapping,
  only that mapping's earlier keys);
* ``_export`` values are stored raw and evaluated in each task that uses them -- checked here
  in the scope of the task that exports them;
* ``_do``/``_else_do``/``_error``/``_check`` bodies are tasks of their own, evaluated when they run;
* some values are read raw and never evaluated: ``schedule``, ``sla``, ``timezone``, a group's
  ``_parallel`` and ``_retry``, ``_background``, ``_after``, ``_disable`` (and ``!include`` names).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.embedded.scalar_map import value_offsets
from dig_lsp.embedded.templates import Template, find_templates
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole, Workflow
from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span

# Keys read raw on every task, and on group tasks only (reference §5.3).
RAW_ALWAYS = {"_background": "`_background` is read when the workflow is compiled",
              "_after": "`_after` is read when the workflow is compiled",
              "_disable": "`_disable` is read when the workflow is compiled",
              "timezone": "`timezone` is read when the workflow is loaded",
              "schedule": "`schedule` is read by the scheduler as written",
              "sla": "`sla` is read when the attempt starts, as written"}
RAW_ON_GROUPS = {"_parallel": "a group's `_parallel` is read when the workflow is compiled",
                 "_retry": "a group's `_retry` is read from the workflow as written when a child fails"}


@dataclass(frozen=True)
class Site:
    """One template: where it is, the task it belongs to, and how digdag treats it."""

    workflow: Workflow
    task: Task
    key: str  # the task-level key it is under (`sh>`, `_export`, `query`...)
    node: Scalar
    template: Template
    span: Span  # the whole `${...}` in the source file
    expression_offsets: tuple[int, ...]  # source offset of each expression character (+ end)
    local_names: frozenset[str]  # earlier keys of the same mapping, visible to this value
    raw_reason: str | None  # why the template is never evaluated, when it is not
    source: SourceFile
    later_names: frozenset[str] = frozenset()  # keys written after it in the same task: not visible yet

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


@dataclass
class SiteFinder:
    """Walks a project's tasks and yields every template site."""

    project: ProjectModel
    _later: frozenset[str] = frozenset()

    def sites(self) -> Iterator[Site]:
        """Template sites of every workflow, task by task, in file order."""
        for workflow in self.project.workflows:
            for task in workflow.tasks():
                if not task.disabled:
                    yield from self._task_sites(workflow, task)

    def _task_sites(self, workflow: Workflow, task: Task) -> Iterator[Site]:
        seen: list[str] = []
        self._later = frozenset(task.config.keys()) if not task.is_group else frozenset()
        for entry in task.config.entries:
            key = entry.key
            if key.startswith("+") or key in SPECIAL_SUBTASKS:
                continue
            raw = RAW_ALWAYS.get(key)
            if raw is None and task.is_group:
                raw = RAW_ON_GROUPS.get(key)
            if raw is None and task.is_group and key != "_export":
                seen.append(key)
                continue  # other group keys are errors of their own (invalid-group-key)
            if key == "schedule" and task.role is not TaskRole.ROOT:
                raw = "`schedule` is only read on the top level, as written"
            local = frozenset() if key == "_export" else frozenset(seen)
            value = entry.value
            if key == "sla" and isinstance(value, Mapping):
                # only the SLA options are read raw; its `+tasks` run later as the `^sla` group
                value = Mapping(tuple(e for e in value.entries if not e.key.startswith("+")), value.span)
            yield from self._value_sites(workflow, task, key, value, local, raw)
            seen.append(key)

    def _value_sites(self, workflow: Workflow, task: Task, key: str, node: Node, local: frozenset[str],
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
        earlier: list[str] = []
        for entry in node.entries:
            local = frozenset() if key == "_export" else frozenset(earlier)
            yield from self._value_sites(workflow, task, key, entry.value, local, raw)
            earlier.append(entry.key)

    def _scalar_sites(self, workflow: Workflow, task: Task, key: str, node: Scalar, local: frozenset[str],
                      raw: str | None) -> Iterator[Site]:
        source = self.project.files.source(node.span.path)
        if source is None or not isinstance(node.value, str):
            return
        templates, _ = find_templates(node.value)
        if not templates:
            return
        offsets = value_offsets(node, source.text)
        for template in templates:
            start = offsets[template.start]
            end = offsets[min(template.end - 1, len(offsets) - 1)] + 1
            closing = offsets[min(template.end - 1, len(offsets) - 1)]
            expression = (*offsets[template.expression_start: template.end - 1], closing)
            later = self._later - local - {key}
            yield Site(workflow, task, key, node, template, source.span(start, end), expression, local, raw,
                       source, later)
