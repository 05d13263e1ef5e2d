"""The dry-run simulator: digdag's task tree executed on a simulated clock.

Nothing is executed: operators are replaced by a duration (``Options.durations``) and a
success or a failure (``fail>`` always fails; ``--fail`` injects failures). The structure and the
order follow digdag (reference section 6, ``core/workflow/WorkflowCompiler.java``,
``WorkflowExecutor.java``):

* the tasks are the project model's (``model/workflow.py``: names, operators, disabled tasks, ``_do``,
  ``_check`` and ``_error`` bodies), run under the names digdag gives them; a task written once may run
  many times (a loop's ``_do``). Siblings wait for one another as ``model/order.py`` links them
  (``_background``, ``_parallel``, ``_parallel: {limit: N}``, ``_after``), which the scopes follow too;
  the groups a loop generates are linked by the same rules with the loop's evaluated ``_parallel``;
* ``_retry`` (``util/RetryControl.java``): an operator task that honours it (catalog
  ``retry_ignored``) reruns after ``interval`` (``exponential``: ``interval * 2^retry_count``
  in Java ``int`` arithmetic, then capped by ``max_interval``: :func:`retry_interval`; at most
  :data:`MAX_ATTEMPTS` attempts are simulated); a group -- or an operator task whose generated
  children failed -- is reset and rerun from its start; a group's ``_retry`` is read raw, so a ``${...}`` there
  disables it;
* after a failure (and its retries) ``_error`` runs as the child ``^error`` with ``error``
  exported, and the task stays failed; after an operator task succeeds its generated children
  (``^sub``) run, then ``_check`` (``^check``);
* ``if>``, ``loop>``, ``for_each>``, ``for_range>``, ``td_for_each>`` and ``call>`` generate
  their children the way their operator factories do (names ``+loop-<i>``,
  ``+for-<i>=<key>=<j>=<value>``, ``+range-from=<a>&to=<b>``, ``+td-for-each-<i>``); ``require>``
  is shown as a wait, ``py>``/``rb>`` subtasks are opaque; these control operators take no
  simulated time of their own (:data:`CONTROL_OPERATORS`);
* when the attempt fails, the root gets ``^failure-alert`` (a ``notify>`` task) next to its
  ``^error`` task (``WorkflowExecutor.addAttemptFailureAlertTask``);
* an attempt holds at most ``task_limit`` tasks (``TaskControl.checkTaskLimit``): initial tasks past it
  refuse the attempt; a generated batch (``^sub``, ``^check``) past it fails only its generating task,
  without a retry; ``^error`` tasks past it are not added; ``^failure-alert``, ``^sla`` and a group
  retry's copies are added unchecked but count (:meth:`Simulator._batch`).

Params (reference section 3 precedence): ``-p``/``-P`` < ancestors' ``_export`` < stored values
< the task's own ``_export`` < built-in variables < the task's own keys, which are rendered in
key order (earlier keys visible to later ones, section 5.3); inside a nested mapping only its own
earlier keys are visible and inherited params are seen as written (digdag issue #862). Stored values come only from
``--store``; like digdag (``WorkflowExecutor.collectParams``, reference section 8.8) they are
visible in dependency order: to the storing task's generated children (``_check`` reads
``td.last_results``), to the siblings downstream of it or of one of its ancestors, and to their
descendants -- never to a parallel sibling, however early it ended on the simulated clock.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from dig_lsp.digdag.directives import Parallel, Reading, evaluated_parallel
from dig_lsp.digdag.retry import Retry, retry_control
from dig_lsp.dryrun.compile import file_errors, task_errors
from dig_lsp.dryrun.options import FailRule, Options, matches
from dig_lsp.dryrun.render import Rendered, render_config
from dig_lsp.dryrun.rendered import RenderedFile, rendered_files, shown_params
from dig_lsp.model.catalog import catalog
from dig_lsp.model.order import GroupOrder, Sibling, as_sibling, group_order, task_order
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.schedule import ScheduleError, parse_duration
from dig_lsp.model.workflow import Task, TaskRole, Workflow, build_workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Scalar, Sequence, from_python, to_python
from dig_lsp.text.span import Position, Span

RUN, WAIT = "run", "wait"

# Operators that only generate subtasks or wait for another session: their runTask returns the
# subtask config at once (std/operator/IfOperatorFactory, LoopOperatorFactory, ForEachOperatorFactory,
# ForRangeOperatorFactory; core/agent/CallOperatorFactory), or polls until another session is done
# (core/agent/RequireOperatorFactory: TaskExecutionException.ofNextPolling). Their children's time
# is the time; a require>'s wait is unknown, so it is zero unless --durations gives one.
CONTROL_OPERATORS = frozenset({"if", "loop", "for_each", "for_range", "call", "require"})

MAX_ATTEMPTS = 100
"""Attempts of one task the dry run simulates; a ``_retry`` limit past them is reported as truncated."""
INT_MAX = 2**31 - 1  # Java's Integer.MAX_VALUE


@dataclass
class Segment:
    """A stretch of simulated time: an operator attempt running, or a retry interval."""

    id: int
    task: str
    kind: str
    attempt: int
    start: float
    end: float
    cause: int | None
    state: str = "success"
    message: str = ""


@dataclass
class TaskRecord:
    """What the report shows for one task (one full name, across group retries)."""

    full_name: str
    name: str
    parent: str | None
    depth: int
    kind: str
    operator: str | None
    upstream: list[str] = field(default_factory=list)
    state: str = "blocked"
    start: float | None = None
    end: float | None = None
    attempts: int = 0
    retries: int = 0
    command: str | None = None
    complete: bool = True
    templates: int = 0
    unevaluated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what the operator would run with (its latest attempt): own keys and namespace, evaluated
    params: dict[str, object] = field(default_factory=dict)
    files: list[RenderedFile] = field(default_factory=list)  # only with Options.render_files


@dataclass
class Event:
    """One line of the simulated log."""

    time: float
    task: str
    kind: str  # start, end, retry
    state: str
    attempt: int
    command: str | None = None
    message: str | None = None


@dataclass
class DryRun:
    """The outcome of one simulated session."""

    workflow: str
    path: str
    timezone: str
    origin: datetime
    session: dict[str, object]
    tasks: list[TaskRecord]
    events: list[Event]
    segments: list[Segment]
    state: str
    makespan: float
    critical_path: list[Segment]
    max_concurrency: int
    retries: int
    sla: dict[str, object] | None
    problems: list[str]
    refused: list[str] = field(default_factory=list)  # why digdag would not start the workflow at all
    unmatched_fails: list[str] = field(default_factory=list)  # --fail arguments that match no operator task

    @property
    def templates(self) -> int:
        """``${...}`` templates met in operator tasks."""
        return sum(t.templates for t in self.tasks)

    @property
    def unevaluated(self) -> int:
        """Templates left unevaluated (not computable, or a JavaScript error)."""
        return sum(len(t.unevaluated) + len(t.errors) for t in self.tasks)


_T = TypeVar("_T")
_NOWHERE = Span("", Position(0, 0), Position(0, 0))


class TooManyTasks(Exception):
    """The attempt would hold more tasks than digdag allows."""


def _non_empty(task: Task | None) -> bool:
    """Whether a ``_do``/``_else_do`` task has any key (digdag's ``Config.isEmpty`` on the branch)."""
    return task is not None and bool(task.config.entries)


class _GenerateError(Exception):
    """A loop operator's configuration error: the task fails (``Configuration error at task ...``)."""


class _CompileFailure(_GenerateError):
    """A generated config digdag's compiler refuses: the task fails without retrying
    (``WorkflowExecutor.taskSucceeded`` catches the ConfigException and calls ``taskFailed``)."""


class _LimitExceeded(_CompileFailure):
    """Generated tasks (``^sub``, ``^check``) that would pass the attempt's task limit: ``TaskControl
    .checkTaskLimit`` throws for the whole batch, and ``WorkflowExecutor.taskSucceeded`` fails only the
    generating task, without a retry (its ``_error`` still runs, when that fits)."""


# ------------------------------------------------------------------------------ runtime tree


@dataclass(eq=False)
class _Node:
    name: str
    full_name: str
    parent: _Node | None
    task: Task | None  # the model's task it runs (None: a loop's generated ^sub group)
    depth: int
    exports: dict[str, object] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)
    upstream: list[_Node] = field(default_factory=list)
    state: str = "blocked"
    failing: bool = False
    generated: bool = False
    retry_count: int = 0
    own_failures: int = 0
    rendered: dict[str, object] = field(default_factory=dict)
    stores: dict[str, object] = field(default_factory=dict)  # what `--store` says this task stored
    stored_at: tuple[float, int] | None = None  # (simulated time, order) its stores were made
    seq: int = 0  # creation order, as digdag's task ids (TaskTree sorts siblings by id)

    @property
    def config(self) -> Mapping | None:
        return None if self.task is None else self.task.config

    @property
    def operator(self) -> tuple[str, str] | None:
        """(operator name, the key of its command) of the model's operator: ``_type`` or the ``x>`` key."""
        use = None if self.task is None else self.task.operator
        if use is None:
            return None
        return use.name, "_command" if use.key == "_type" else use.key

    def special(self, role: TaskRole) -> Task | None:
        """The model's ``_do``/``_else_do``/``_check``/``_error`` task, when its value is a task config
        (a mapping, or a list of mappings)."""
        found = None if self.task is None else next(
            (special for special in reversed(self.task.specials) if special.role is role), None)
        return found if found is not None and isinstance(found.value, Mapping | Sequence) else None

    def ancestors(self) -> list[_Node]:
        chain: list[_Node] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def _link(children: list[_Node], order: GroupOrder) -> None:
    """Dependencies between siblings, as ``model/order.py`` decides them (``WorkflowCompiler.collect``)."""
    for child, upstream in zip(children, order.upstream, strict=True):
        child.upstream = [children[index] for index in upstream]


def _upstream_walk(node: _Node, walked: set[int] | None = None) -> list[_Node]:
    """``TaskTree.walkUpstreamSiblings``: the siblings ``node`` waits for, directly or through other
    siblings, each after its own upstream ones, in task id (creation) order."""
    seen = walked if walked is not None else set()
    found: list[_Node] = []
    for sibling in sorted(node.upstream, key=lambda up: up.seq):
        if id(sibling) not in seen:
            seen.add(id(sibling))
            found.extend(_upstream_walk(sibling, seen))
            found.append(sibling)
    return found


def _deep_merge(target: dict[str, object], update: dict[str, object]) -> None:
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged = dict(current)
            _deep_merge(merged, value)
            target[key] = merged
        else:
            target[key] = value


# ------------------------------------------------------------------------------ the simulator


class Simulator:
    """Runs one workflow of a loaded project."""

    def __init__(self, project: ProjectModel, workflow: Workflow, options: Options, zone: tzinfo,
                 zone_name: str, session: dict[str, object], origin: datetime) -> None:
        self.project = project
        self.workflow = workflow
        self.options = options
        self.zone = zone
        self.zone_name = zone_name
        self.session = session
        self.origin = origin
        self.now = 0.0
        self.queue: list[tuple[float, int, str, _Node, int]] = []
        self.sequence = itertools.count()
        self.segments: list[Segment] = []
        self.events: list[Event] = []
        self.records: dict[str, TaskRecord] = {}
        self.store_order = itertools.count()
        self.ids = itertools.count()
        self.stored = False  # whether any task stored a value yet (only then are upstream tasks walked)
        self.injected: dict[str, int] = {}
        # full name -> how many times a group of that name started: a group copied by its parent's retry
        # (TaskControl.copyInitialTasksForRetry) is the same task's next attempt, as for an operator task
        self.group_starts: dict[str, int] = {}
        self.created = 0
        self.batching = False  # building tasks digdag adds as one batch (checked as a whole, or not at all)
        self.problems: list[str] = []
        self.cause: int | None = None
        # call> tasks are the model's tasks: the simulator runs them
        self.call_targets = {id(task): path for path, users in project.callers.items() for _, task in users}
        self.root = self._node(f"+{workflow.name}", f"+{workflow.name}", None, workflow.root)

    # --- building

    def _node(self, name: str, full_name: str, parent: _Node | None, task: Task | None,
              exports: dict[str, object] | None = None, generated: bool = False) -> _Node:
        """A task of the session running the model's ``task`` (a disabled one is an empty group) under
        the name ``full_name``: a task may run more than once (a loop's ``_do``), under other names."""
        self.created += 1
        if not self.batching and self.created > self.options.task_limit:
            raise TooManyTasks(f"Too many tasks. Limit: {self.options.task_limit}")
        node = _Node(name, full_name, parent, task, 0 if parent is None else parent.depth + 1,
                     dict(exports or {}), generated=generated, seq=next(self.ids))
        record = self.records.get(full_name)
        if record is None:
            operator = node.operator
            self.records[full_name] = TaskRecord(full_name, name, None if parent is None else parent.full_name,
                                                 node.depth, "group" if operator is None else "operator",
                                                 None if operator is None else operator[0])
        self._build_children(node)
        return node

    def _build_children(self, node: _Node) -> None:
        node.children = []
        if node.task is None or node.operator is not None:
            return
        for child in node.task.children:
            node.children.append(self._node(child.name, node.full_name + child.name, node, child))
        _link(node.children, task_order(node.task))
        self._record_upstream(node.children)

    def _batch(self, build: Callable[[], _T], limited: bool = True) -> _T:
        """Tasks added to a running attempt as one batch, as ``TaskControl`` adds them: with
        ``limited``, the whole batch is refused when the attempt's tasks and it would pass the limit
        (``checkTaskLimit``: "Too many tasks. Limit: L, Current: C, Adding: A"); without it
        (``addGeneratedSubtasksWithoutLimit``, the group retry's ``copyInitialTasksForRetry``) nothing is
        checked, though the tasks count towards later checks."""
        current, outer, recorded = self.created, self.batching, len(self.records)
        self.batching = True
        try:
            built = build()
        finally:
            self.batching = outer
        adding = self.created - current
        if limited and not outer and adding and self.created > self.options.task_limit:
            self.created = current
            for name in list(self.records)[recorded:]:  # the refused tasks never existed (dicts keep order)
                del self.records[name]
            raise _LimitExceeded(f"Too many tasks. Limit: {self.options.task_limit}, Current: {current}, "
                                 f"Adding: {adding}")
        return built

    def _group(self, name: str, parent: _Node, children: list[tuple[str, Task | None, dict[str, object]]],
               parallel: Reading[Parallel]) -> _Node:
        """A generated group (``^sub``) holding generated children, each running the model's ``_do`` task."""
        group = self._node(name, parent.full_name + name, parent, None, generated=True)
        group.children = [self._node(child, group.full_name + child, group, body, exports, True)
                          for child, body, exports in children]
        _link(group.children, group_order(parallel, [Sibling(child.name) if child.task is None else
                                                     as_sibling(child.task, child.name) for child in group.children]))
        self._record_upstream(group.children)
        return group

    def _record_upstream(self, children: list[_Node]) -> None:
        for child in children:
            self.records[child.full_name].upstream = [u.full_name for u in child.upstream]

    # --- params

    def request_params(self, node: _Node) -> dict[str, object]:
        """The params digdag sends with the task, not yet evaluated (``WorkflowExecutor.getTaskRequest``):
        session params, then ``collectParams``, then the task's own ``_export``.

        ``collectParams`` walks ``TaskTree.getRecursiveParentsUpstreamChildrenIdListFromFar``: for each
        ancestor from the root down, and for the task itself, first the siblings it waits for with
        their descendants, then the ancestor; an ancestor's ``_export`` is merged, then whatever each
        of them stored (``ParameterUpdate.applyTo``: a deep merge, ``Config.merge``).
        """
        params = copy.deepcopy(self.options.params)
        for member in [*node.ancestors(), node]:
            for sibling in _upstream_walk(member) if self.stored else ():
                for task in sibling.walk():
                    _deep_merge(params, task.stores)
            if member is not node:
                _deep_merge(params, self._export(member))
                _deep_merge(params, member.stores)
        _deep_merge(params, self._export(node))
        return params

    def _export(self, node: _Node) -> dict[str, object]:
        """A task's ``_export``, with what generated it set over it (``LoopOperatorFactory``:
        ``getNestedOrSetEmpty("_export").set("i", i)``; ``addErrorTasksIfAny``: ``error``)."""
        plain = {} if node.task is None else to_python(node.task.export.value)
        layer: dict[str, object] = copy.deepcopy(plain) if isinstance(plain, dict) else {}
        layer.update(copy.deepcopy(node.exports))
        return layer

    def render_own(self, node: _Node) -> tuple[dict[str, object], Rendered]:
        """The task's config evaluated as ``OperatorManager.evalConfig`` does: the request params, the
        runtime params (``RuntimeParams``) over them, then the task's own keys (``_export``, ``_check``
        and ``_error`` are not among them: ``TaskConfig``, ``getTaskRequest``)."""
        merged = self.request_params(node)
        _deep_merge(merged, copy.deepcopy(self.session))
        _deep_merge(merged, {"task_name": node.full_name})
        params = copy.deepcopy(merged)
        assert node.config is not None
        skip = {"_export", "_check", "_error"}
        local = {entry.key: to_python(entry.value) for entry in node.config.entries
                 if not entry.key.startswith("+") and entry.key not in skip}
        _deep_merge(merged, local)
        rendered, summary = render_config(merged, params, self.zone, frozenset(local))
        return rendered, summary

    # --- running

    def run(self) -> None:
        """Simulate until nothing is left to do."""
        try:
            self._start(self.root)
            self._start_ready()
            while self.queue:
                time, _, kind, node, segment = heapq.heappop(self.queue)
                self.now = time
                self.cause = segment
                if kind == "done":
                    self._operator_done(node, self.segments[segment])
                else:
                    self._restart(node)
                self._start_ready()
        except TooManyTasks as error:
            self.problems.append(str(error))
            self.queue.clear()

    def _start_ready(self) -> None:
        changed = True
        while changed:
            changed = False
            for node in list(self.root.walk()):
                if node.state != "blocked" or node.parent is None or node.parent.state != "running":
                    continue
                if all(up.state == "success" for up in node.upstream):
                    self._start(node)
                    changed = True

    def _record(self, node: _Node) -> TaskRecord:
        return self.records[node.full_name]

    def fail_matched(self, rule: FailRule) -> bool:
        """Whether a ``--fail`` rule names an operator task of this session (only those can fail)."""
        return any(record.kind == "operator" and matches(rule.pattern, record.full_name, record.name)
                   for record in self.records.values())

    def _start(self, node: _Node) -> None:
        record = self._record(node)
        if record.start is None:
            record.start = self.now
        node.state = "running"
        node.failing = False
        if node.operator is None:
            self.group_starts[node.full_name] = self.group_starts.get(node.full_name, 0) + 1
            self.events.append(Event(self.now, node.full_name, "start", "running", self._attempt(node)))
            if not node.children:
                self._finish(node, "success")
            return
        self._run_operator(node)

    def _run_operator(self, node: _Node) -> None:
        record = self._record(node)
        operator, key = node.operator or ("", "")
        rendered, summary = self.render_own(node)
        command = rendered.get(key)
        record.command = None if command is None else (command if isinstance(command, str) else _json(command))
        record.templates, record.unevaluated, record.errors = summary.templates, summary.unevaluated, summary.errors
        record.complete = summary.complete
        record.attempts += 1
        self._show_rendered(node, record, operator, key, rendered, summary.failure is None)
        self._notes(node, operator, rendered)
        node.rendered = rendered  # kept for generated children
        if summary.failure is not None:
            self._evaluation_failed(node, record, summary.failure)
            return
        query_failure = self._query_file_failure(operator, key, rendered)
        if query_failure is not None:
            self._evaluation_failed(node, record, query_failure)
            return
        failure = self._failure(node, operator, record.command)
        duration = self._duration(node, operator, rendered)
        segment = self._segment(node, RUN, record.attempts, duration)
        segment.state = "error" if failure is not None else "success"
        segment.message = failure or ""
        self.events.append(Event(self.now, node.full_name, "start", "running", record.attempts, record.command))
        heapq.heappush(self.queue, (self.now + duration, next(self.sequence), "done", node, segment.id))

    def _show_rendered(self, node: _Node, record: TaskRecord, operator: str, key: str, rendered: dict[str, object],
                       started: bool) -> None:
        """Keep what the operator would run with; its files only when asked (each of their templates
        is evaluated) and when the operator starts at all (a failed ``${...}`` stops it before)."""
        assert node.config is not None
        spec = catalog().operator(operator)
        record.params = shown_params([entry.key for entry in node.config.entries if not entry.key.startswith("+")],
                                     spec, rendered)
        record.files = rendered_files(self.project, spec, key, rendered, self.zone) \
            if self.options.render_files and started and spec is not None else []

    def _query_file_failure(self, operator: str, key: str, rendered: dict[str, object]) -> str | None:
        """Why ``td>``'s query file cannot be rendered, if a ``${...}`` in it throws: ``TdOperator``'s
        constructor renders it (``workspace.templateCommand``), and ``Workspace.templateCommand`` turns the
        TemplateException into a ConfigException "<message> in <file>": the task fails like one whose own
        ``${...}`` throws (no retry, ``_error`` runs). Other operators render their files later, inside
        their retries, and are not failed here."""
        spec = catalog().operator(operator) if operator == "td" else None
        if spec is None:
            return None
        for file in rendered_files(self.project, spec, key, rendered, self.zone):
            if file.parameter == "_command" and file.errors:
                return f"{file.errors[0]} in {file.path}"
        return None

    def _evaluation_failed(self, node: _Node, record: TaskRecord, failure: str) -> None:
        """A ``${...}`` that throws fails the task before its operator runs, and without a retry:
        ``OperatorManager.evalConfig`` turns the TemplateException into a ConfigException, which
        ``runWithHeartbeat`` reports with ``taskFailed`` ("no retry"); ``_error`` still runs. The
        error's message is ``TaskExecutionException.formatExceptionMessage``'s (`` (config)`` added)."""
        message = f"{failure} (config)"
        segment = self._segment(node, RUN, record.attempts, 0.0)
        segment.state, segment.message = "error", message
        self.events.append(Event(self.now, node.full_name, "start", "running", record.attempts, record.command))
        self.events.append(Event(self.now, node.full_name, "end", "error", record.attempts,
                                 message=f"Configuration error at task {node.full_name}: {message}"))
        node.own_failures += 1
        self._fail(node, message, own=True, retryable=False)

    def _segment(self, node: _Node, kind: str, attempt: int, duration: float) -> Segment:
        segment = Segment(len(self.segments), node.full_name, kind, attempt, self.now, self.now + duration, self.cause)
        self.segments.append(segment)
        return segment

    def _notes(self, node: _Node, operator: str, rendered: dict[str, object]) -> None:
        record = self._record(node)
        notes: list[str] = []
        if operator == "require":
            target = rendered.get("require>")
            notes.append(f"waits for a session of workflow {target!r}: the wait is not simulated (no time "
                         f"unless --durations gives this task one)")
        elif operator in ("py", "rb"):
            notes.append("may store values and add subtasks at run time (opaque to the dry run)")
        elif catalog().operator(operator) is None:
            notes.append(f"operator {operator}> is not a built-in one (plugin?); simulated as a plain task")
        for note in notes:
            if note not in record.notes:
                record.notes.append(note)

    def _failure(self, node: _Node, operator: str, command: str | None) -> str | None:
        if operator == "fail":
            return command or "fail> task"
        for rule in self.options.fails:
            if matches(rule.pattern, node.full_name, node.name):
                count = self.injected.get(node.full_name, 0)
                if rule.times is None or count < rule.times:
                    self.injected[node.full_name] = count + 1
                    return f"simulated failure (--fail {rule.pattern})"
                return None
        return None

    def _duration(self, node: _Node, operator: str, rendered: dict[str, object]) -> float:
        """A configured duration, else the operator's own: control operators take none, ``wait>`` its
        argument, every other operator the default."""
        configured = self.options.durations.lookup(node.full_name, node.name, operator)
        if configured is not None:
            return configured
        if operator in CONTROL_OPERATORS:
            return 0.0
        if operator == "wait" and isinstance(rendered.get("wait>"), str):
            try:
                return parse_duration(str(rendered["wait>"])).total_seconds()
            except ScheduleError:
                pass
        return self.options.durations.default

    def _operator_done(self, node: _Node, segment: Segment) -> None:
        message = segment.message
        ended = len(self.events)
        self.events.append(Event(self.now, node.full_name, "end", segment.state, segment.attempt,
                                 message=message or None))
        if segment.state == "error":
            node.own_failures += 1
            self._fail(node, message, own=True)
            return
        self._apply_stores(node)
        check = node.special(TaskRole.CHECK)
        try:  # WorkflowExecutor.taskSucceeded: ^sub, then ^check, each added as one batch
            if check is not None:
                _refuse(task_errors(check, node.full_name + "^check"))
            self._batch(lambda: self._generate(node))
            if check is not None:
                child = self._batch(lambda: self._node("^check", node.full_name + "^check", node, check,
                                                       generated=True))
                child.upstream = [c for c in node.children if c.name == "^sub"]
                node.children.append(child)
                self._record_upstream([child])
        except _GenerateError as error:
            node.children = []
            text = str(error) if isinstance(error, _LimitExceeded) else \
                f"Configuration error at task {node.full_name}: {error}"
            # the task ends once, in error: digdag reports a failed expansion as the task's failure, so the
            # log must not show it ending in success first
            self.events[ended] = Event(self.now, node.full_name, "end", "error", segment.attempt, message=text)
            self._fail(node, str(error), own=True, retryable=not isinstance(error, _CompileFailure))
            return
        if not node.children:
            self._finish(node, "success")
            return
        # running -> planned: the operator is done and the task waits for what it generated, then ends in
        # success or error (digdag-core/.../session/TaskStateCode.java); the log says so, not "success" twice
        waiting = ", ".join(child.name for child in node.children)
        self.events[ended] = Event(self.now, node.full_name, "end", "planned", segment.attempt,
                                   message=f"operator done; waiting for {waiting}")

    def _apply_stores(self, node: _Node) -> None:
        for rule in self.options.stores:
            if matches(rule.pattern, node.full_name, node.name) and rule.path != ("rows",):
                self.stored = True
                node.stored_at = (self.now, next(self.store_order))
                target = node.stores
                for part in rule.path[:-1]:
                    nested = target.get(part)
                    if not isinstance(nested, dict):
                        nested = {}
                        target[part] = nested
                    target = nested
                target[rule.path[-1]] = rule.value

    # --- failures and retries

    def _retry(self, node: _Node, own: bool) -> Retry | None:
        """How the task retries, or None when it does not: the model's reading of ``_retry``
        (``task.retry``, :mod:`dig_lsp.digdag.retry`), which is what a group reads (``checkRetry``, on the
        config as written); an operator task reads its evaluated config (``BaseOperator``), so a
        ``${...}`` the written value was refused for is read again once rendered."""
        reading = None if node.task is None else node.task.retry
        if reading is None or reading.key is None:
            return None
        operator = node.operator
        templated = any(refusal.templated for refusal in reading.refusals)
        if operator is None and templated:
            self._note(node, "_retry of a group is read raw: a ${...} there disables the retry")
            return None
        if own and operator is not None:
            spec = catalog().operator(operator[0])
            if spec is not None and spec.retry_ignored:
                self._note(node, f"{operator[0]}> ignores _retry (util/BaseOperator.java)")
                return None
        if operator is not None and templated:
            span = reading.key
            rendered = from_python(node.rendered.get("_retry"), span)
            reading = retry_control(Mapping((Entry("_retry", span, rendered),), span))
        return None if reading.refusals else reading.value

    def _note(self, node: _Node, note: str) -> None:
        record = self._record(node)
        if note not in record.notes:
            record.notes.append(note)

    def _fail(self, node: _Node, message: str, own: bool, retryable: bool = True) -> None:
        spec = self._retry(node, own) if retryable else None
        if spec is not None and node.retry_count < spec.limit and not self._truncated(node, spec.limit):
            limit = spec.limit
            wait = self._retry_wait(node, spec.interval, spec.interval_type, spec.max_interval)
            node.retry_count += 1
            record = self._record(node)
            record.retries += 1
            node.state = "retry_wait"
            segment = self._segment(node, WAIT, node.retry_count, float(wait))
            self.events.append(Event(self.now, node.full_name, "retry", "retry_wait", self._attempt(node),
                                     message=f"retry {node.retry_count}/{limit} in {wait}s: {message}"))
            heapq.heappush(self.queue, (self.now + wait, next(self.sequence), "restart", node, segment.id))
            return
        handlers = self._failure_handlers(node, message)
        if handlers:
            node.children = [c for c in node.children if c.state != "blocked"] + handlers
            node.failing = True
            node.state = "running"
            return
        self._finish(node, "error", message)

    def _attempt(self, node: _Node) -> int:
        """Which run of the task (by full name) in the session this is: an operator task counts its
        operator's runs, a group its starts; both count on across the retries of a group above them."""
        if node.operator is not None:
            return self._record(node).attempts
        return self.group_starts.get(node.full_name, 0)

    def _truncated(self, node: _Node, limit: int) -> bool:
        """Whether the next retry would pass :data:`MAX_ATTEMPTS`; then it is reported and not simulated."""
        if node.retry_count + 1 < MAX_ATTEMPTS:
            return False
        self.problems.append(f"{node.full_name}: _retry allows {limit} retries; the dry run simulates at most "
                             f"{MAX_ATTEMPTS} attempts of a task, so it stops there (truncated) and shows the task "
                             f"failed")
        self._note(node, f"truncated after {MAX_ATTEMPTS} attempts (digdag would retry up to {limit} times)")
        return True

    def _retry_wait(self, node: _Node, interval: int, kind: str, maximum: int | None) -> int:
        """The simulated wait before the next attempt, with a note when Java's int overflows."""
        value = retry_interval(interval, kind, node.retry_count, maximum)
        exact = interval * 2**node.retry_count if kind == "exponential" else interval
        exact = exact if maximum is None or kind != "exponential" else min(exact, maximum)
        prefix = "exponential back-off overflows Java's int"
        if value != exact and not any(note.startswith(prefix) for note in self._record(node).notes):
            self._note(node, f"{prefix} from retry {node.retry_count + 1} (RetryControl.getNextRetryInterval): "
                             f"digdag's wait wraps around there, and a negative one retries at once")
        return max(value, 0)  # retry_at = now() + interval: a negative interval is due at once

    def _failure_handlers(self, node: _Node, message: str) -> list[_Node]:
        """What digdag adds when a task finally fails (``WorkflowExecutor.taskFailed`` and
        ``setDoneFromDoneChildren``): for the root group first ``^failure-alert``, then the ``^error``
        task, each without upstream; the task ends failed once they are done."""
        if node.failing:
            return []
        handlers = []
        if node.parent is None and node.operator is None:
            handlers.append(self._failure_alert(node))
        error = node.special(TaskRole.ERROR)
        if error is not None:
            exports: dict[str, object] = {"error": {"message": message, "stacktrace": ""}}
            try:
                handlers.append(self._batch(lambda: self._node("^error", node.full_name + "^error", node, error,
                                                                exports, True)))
            except _LimitExceeded as exceeded:  # taskFailed: "Failed to add error tasks because of task limit"
                self._note(node, f"its _error tasks are not added: {exceeded}")
        return handlers

    def _failure_alert(self, root: _Node) -> _Node:
        """``WorkflowExecutor.addAttemptFailureAlertTask``: ``{_type: notify, _command: "Workflow session
        attempt failed"}`` compiled as ``^failure-alert`` and added without checking the task limit
        (``addGeneratedSubtasksWithoutLimit``; it still counts towards later checks)."""
        span = _span_of(root)

        def scalar(text: str) -> Scalar:
            return Scalar(text, text, "", span)
        config = Mapping((Entry("_type", span, scalar("notify")),
                          Entry("_command", span, scalar("Workflow session attempt failed"))), span)
        task = build_workflow("failure-alert", span.path, config, span).root
        return self._batch(lambda: self._node("^failure-alert", root.full_name + "^failure-alert", root, task,
                                              generated=True), limited=False)

    def _restart(self, node: _Node) -> None:
        if node.operator is None:
            # a group's retry copies its initial children (TaskControl.copyInitialTasksForRetry): the
            # copies are stored without a limit check, and count towards later checks
            self._batch(lambda: self._build_children(node), limited=False)
        else:
            node.children = []
        node.state = "blocked"
        self._start(node)

    # --- completion

    def _finish(self, node: _Node, state: str, message: str | None = None) -> None:
        node.state = state
        record = self._record(node)
        record.state = state
        record.end = self.now
        if node.operator is None or node.children:
            self.events.append(Event(self.now, node.full_name, "end", state, self._attempt(node), message=message))
        if node.parent is not None:
            self._settle(node.parent)

    def _settle(self, node: _Node) -> None:
        if node.state != "running":
            return
        if any(child.state in ("running", "retry_wait") for child in node.children):
            return
        startable = [c for c in node.children if c.state == "blocked" and all(u.state == "success" for u in c.upstream)]
        if startable:
            return
        for child in node.children:
            if child.state == "blocked":
                self._skip(child)
        if node.failing:
            ran = [child.name for child in node.children if child.name in ("^failure-alert", "^error")]
            self._finish(node, "error", f"failed (after {' and '.join(ran)})")
        elif any(child.state == "error" for child in node.children):
            failed = [child.full_name for child in node.children if child.state == "error"]
            self._fail(node, f"task failed: {', '.join(failed)}", own=False)
        else:
            self._finish(node, "success")

    def _skip(self, node: _Node) -> None:
        node.state = "skipped"
        record = self._record(node)
        if record.state == "blocked":
            record.state = "skipped"
        for child in node.children:
            self._skip(child)

    # --- generated children

    def _generate(self, node: _Node) -> None:
        operator = (node.operator or ("", ""))[0]
        params = node.rendered
        command = params.get((node.operator or ("", ""))[1])
        if operator == "if":
            self._generate_if(node, command)
        elif operator in ("loop", "for_each", "for_range", "td_for_each"):
            parallel = evaluated_parallel(params.get("_parallel"), _span_of(node))
            if parallel.refusals:
                raise _GenerateError(parallel.refusals[0].message)
            children = _LOOPS[operator](self, node, command, params)
            if children:
                name, body, _ = children[0]
                if body is not None:
                    _refuse(task_errors(body, f"{node.full_name}^sub{name}"))
                node.children.append(self._group("^sub", node, children, parallel))
        elif operator == "call":
            self._generate_call(node)

    def _generate_if(self, node: _Node, command: object) -> None:
        record = self._record(node)
        if isinstance(command, bool):
            condition = command
        elif isinstance(command, str) and command.lower() in ("true", "false"):
            condition = command.lower() == "true"
        else:
            condition = True
            record.notes.append(f"condition {command!r} could not be evaluated; the _do branch is shown")
        branches = (TaskRole.DO, TaskRole.ELSE_DO)
        if not any(_non_empty(node.special(role)) or node.rendered.get(role.value) for role in branches):
            # IfOperatorFactory: getNestedOrGetEmpty("_do"/"_else_do"), both empty -> ConfigException
            raise _GenerateError("Both _do and _else_do are not specified.")
        branch = node.special(TaskRole.DO if condition else TaskRole.ELSE_DO)
        if branch is not None:
            _refuse(task_errors(branch, node.full_name + "^sub"))
            node.children.append(self._node("^sub", node.full_name + "^sub", node, branch, generated=True))

    def _generate_call(self, node: _Node) -> None:
        target = self.call_targets.get(id(node.task))
        called = None if target is None else self.project.workflow(target)
        if called is None:
            self._note(node, "the called workflow is not known statically; its tasks are not shown")
            return
        loading = file_errors(called)  # WorkflowFile, inside call>'s runTask: its _retry applies
        if loading:
            raise _GenerateError("; ".join(str(error) for error in loading))
        _refuse(task_errors(called.root, node.full_name + "^sub", file_root=True))
        child = self._node("^sub", node.full_name + "^sub", node, called.root, generated=True)
        workdir = os.path.relpath(self.project.workdirs.get(target or "", self.project.root), self.project.root)
        if workdir != ".":
            child.exports["_workdir"] = workdir
        node.children.append(child)


def _span_of(node: _Node) -> Span:
    return node.config.span if node.config is not None else _NOWHERE


def _refuse(errors: list[Any]) -> None:
    """Fail the generating task when digdag's compiler refuses what it generated."""
    if errors:
        raise _CompileFailure("; ".join(str(error) for error in errors))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def retry_interval(interval: int, kind: str, retry_count: int, maximum: int | None) -> int:
    """``RetryControl.getNextRetryInterval`` with Java's ``int`` arithmetic: ``interval * (int)
    Math.pow(2, retry_count)`` -- the cast of a double past ``Integer.MAX_VALUE`` gives
    ``Integer.MAX_VALUE`` (JLS 5.1.3) and the product wraps around -- then ``Math.min`` with
    ``max_interval``. That is all digdag caps: ``max_interval`` applies after the overflow."""
    if kind != "exponential":
        return interval
    power = 2**retry_count if retry_count < 31 else INT_MAX
    value = _java_int(interval * power)
    return value if maximum is None else min(value, maximum)


def _java_int(value: int) -> int:
    """The low 32 bits as a two's complement ``int``."""
    value &= 0xFFFFFFFF
    return value - 2**32 if value > INT_MAX else value


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise _GenerateError(f"{what} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == int(value):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise _GenerateError(f"{what} must be an integer, got {value!r}") from None


def _parsed(value: object) -> object:
    """``parseNested``/``parseList``: a JSON string is parsed, other values are used as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _loop(sim: Simulator, node: _Node, command: object, params: dict[str, object]) -> list[
        tuple[str, Task | None, dict[str, object]]]:
    count_value = params.get("count", command)
    if isinstance(count_value, str) and "${" in count_value:
        sim._note(node, f"count {count_value!r} could not be evaluated; one iteration is shown")
        count = 1
    else:
        count = _int(count_value, "loop> count")
    if count > sim.options.task_limit:
        raise _GenerateError(f"Too many loop subtasks. Limit: {sim.options.task_limit}")
    body = node.special(TaskRole.DO)  # each child runs it (subtask.setAll(doConfig)); without one, empty groups
    return [(f"+loop-{i}", body, {"i": i}) for i in range(count)]


def name_tag(value: object) -> str:
    """``ForEachOperatorFactory.nameTag``: text (JSON for non-strings), 8 chars, URL-encoded, ``+`` -> ``%20``."""
    text = value if isinstance(value, str) else _json(value)
    text = text[:8]
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char in ".-*_"):
            out.append(char)
        elif char == " ":
            out.append("%20")
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _for_each(sim: Simulator, node: _Node, command: object, _params: dict[str, object]) -> list[
        tuple[str, Task | None, dict[str, object]]]:
    mapping = _parsed(command)
    if not isinstance(mapping, dict):
        raise _GenerateError(f"for_each> expects a mapping of key to list, got {command!r}")
    entries: list[tuple[str, list[object]]] = []
    count = 1
    for key, values in mapping.items():
        items = _parsed(values)
        if not isinstance(items, list):
            raise _GenerateError(f"for_each> value of {key!r} must be a list, got {values!r}")
        entries.append((str(key), items))
        count *= len(items)
        if count > sim.options.task_limit:
            raise _GenerateError(f"Too many for_each subtasks. Limit: {sim.options.task_limit}")
    combinations: list[list[tuple[int, str, int, object]]] = []
    for index, (key, items) in enumerate(entries):
        if not combinations:  # digdag restarts from this key when the product so far is empty
            combinations = [[(index, key, j, item)] for j, item in enumerate(items)]
        else:
            combinations = [[*seed, (index, key, j, item)] for seed in combinations for j, item in enumerate(items)]
    body = node.special(TaskRole.DO)  # each child runs it (subtask.setAll(doConfig)); without one, empty groups
    children: list[tuple[str, Task | None, dict[str, object]]] = []
    for combination in combinations:
        name = "+for-" + "&".join(f"{i}={name_tag(k)}={j}={name_tag(v)}" for i, k, j, v in combination)
        children.append((name, body, {k: v for _, k, _, v in combination}))
    return children


def _for_range(sim: Simulator, node: _Node, command: object, _params: dict[str, object]) -> list[
        tuple[str, Task | None, dict[str, object]]]:
    config = _parsed(command)
    if not isinstance(config, dict):
        raise _GenerateError(f"for_range> expects {{from, to, step|slices}}, got {command!r}")
    start, stop = _int(config.get("from"), "for_range> from"), _int(config.get("to"), "for_range> to")
    if "step" in config and "slices" in config:
        raise _GenerateError("Setting both step and slices options to for_range is invalid")
    if "step" not in config and "slices" not in config:
        raise _GenerateError("step or slices option is required for for_range")
    if "step" in config:
        step = _int(config["step"], "step")
        if step <= 0:
            raise _GenerateError(f"step option must be same or greater than 1 but got {step}")
    else:
        slices = _int(config["slices"], "slices")
        if slices <= 0:
            raise _GenerateError(f"slices option must be same or greater than 1 but got {slices}")
        step = (stop - start + (slices - 1)) // slices
        if step <= 0:
            return []
    size = max(0, math.ceil((stop - start) / step))
    if size > sim.options.task_limit:
        raise _GenerateError(f"Too many for_range subtasks ({size}). Limit: {sim.options.task_limit}")
    body = node.special(TaskRole.DO)  # each child runs it (subtask.setAll(doConfig)); without one, empty groups
    children: list[tuple[str, Task | None, dict[str, object]]] = []
    for index, position in enumerate(range(start, stop, step)):
        end = min(position + step, stop)
        children.append((f"+range-from={position}&to={end}", body,
                         {"range": {"from": position, "to": end, "index": index}}))
    return children


def _td_for_each(sim: Simulator, node: _Node, _command: object, _params: dict[str, object]) -> list[
        tuple[str, Task | None, dict[str, object]]]:
    rows = sim.options.rows_for(node.full_name, node.name)
    for rule in sim.options.stores:
        if rule.path == ("rows",) and matches(rule.pattern, node.full_name, node.name) and isinstance(rule.value, list):
            rows = [row for row in rule.value if isinstance(row, dict)]
    if rows is None:
        sim._note(node, "the query's rows are unknown: one symbolic row is shown (give rows with --rows)")
        rows = [{}]
    body = node.special(TaskRole.DO)  # each child runs it (subtask.setAll(doConfig)); without one, empty groups
    return [(f"+td-for-each-{i}", body, {"td": {"each": row}}) for i, row in enumerate(rows)]


_LOOPS = {"loop": _loop, "for_each": _for_each, "for_range": _for_range, "td_for_each": _td_for_each}


# ------------------------------------------------------------------------------ summary


def critical_path(segments: list[Segment]) -> list[Segment]:
    """The chain of causes behind the segment that ends last."""
    if not segments:
        return []
    last = max(segments, key=lambda s: (s.end, s.id))
    path = [last]
    while path[-1].cause is not None:
        path.append(segments[path[-1].cause])
    return path[::-1]


def max_concurrency(segments: list[Segment]) -> int:
    """The most operator attempts running at the same simulated instant."""
    points = sorted([(s.start, 1) for s in segments if s.kind == RUN and s.end > s.start]
                    + [(s.end, -1) for s in segments if s.kind == RUN and s.end > s.start])
    best = current = 0
    for _, delta in points:
        current += delta
        best = max(best, current)
    if best == 0 and any(s.kind == RUN for s in segments):
        return 1
    return best
