"""Workflows and their task trees, built the way digdag's ``WorkflowCompiler`` builds them.

The builder never rejects anything: it records what is there (an operator task with
children, two operators, a subtask that is not a mapping) so that checks can report it and
the editor can still offer completion inside a broken file.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, repeat

from dig_lsp.digdag.directives import (
    SEQUENTIAL,
    AfterName,
    Parallel,
    Reading,
    after,
    background,
    disabled,
    nested_or_empty,
    parallel_control,
)
from dig_lsp.digdag.env import EnvVariable, environment
from dig_lsp.digdag.retry import Retry, retry_control
from dig_lsp.digdag.secrets import secret_mounts
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.text.span import Span

NOT_PARALLEL: Reading[Parallel] = Reading(SEQUENTIAL)  # no `_parallel` (or a disabled task)

# Keys whose value is itself a task definition, and the name digdag gives the generated task.
SPECIAL_SUBTASKS = {"_error": "^error", "_check": "^check", "_do": "^sub", "_else_do": "^sub"}


class TaskRole(enum.Enum):
    """Why a task exists: written as a ``+name`` key, or as one of the special subtasks."""

    ROOT = "root"
    CHILD = "child"
    ERROR = "_error"
    CHECK = "_check"
    DO = "_do"
    ELSE_DO = "_else_do"
    SLA = "sla"


@dataclass(frozen=True, slots=True)
class OperatorUse:
    """One ``name>:`` key (or ``_type:``) of a task."""

    name: str
    key: str
    key_span: Span
    command: Node | None


@dataclass(frozen=True)
class Task:
    """A task as digdag compiles it, with the spans needed to report on it. ``parallel``: its
    ``_parallel`` as ``ParallelControl.of(config)`` reads it (:func:`parallel_control`), read by the
    builder, which links the children with it; the other directives are read on first use, below."""

    name: str
    full_name: str
    role: TaskRole
    key_span: Span
    value: Node
    config: Mapping
    operators: tuple[OperatorUse, ...]
    children: tuple[Task, ...]
    specials: tuple[Task, ...]
    disabled: bool = False
    parent_parallel: bool = False
    parallel: Reading[Parallel] = NOT_PARALLEL

    @property
    def operator(self) -> OperatorUse | None:
        """The operator digdag runs: the first ``x>`` key, or ``_type``."""
        return self.operators[0] if self.operators else None

    @property
    def is_group(self) -> bool:
        """Group tasks carry no operator; they only hold children and directives."""
        return not self.operators

    @property
    def label(self) -> str:
        """How the task is written: `+name`, or the special key (`_error`, `_do`, ...) that holds it."""
        return self.name if self.role in (TaskRole.ROOT, TaskRole.CHILD) else f"`{self.role.value}`"

    # The directives as digdag reads them, each read once (issue 18): checks, scopes and the dry run judge
    # these readings instead of the YAML. A disabled task's config is empty, so they read as absent.

    @cached_property
    def background(self) -> Reading[bool]:
        """``_background`` as the parent's compiler reads it (:func:`dig_lsp.digdag.directives.background`)."""
        return background(self.config)

    @cached_property
    def after(self) -> Reading[tuple[AfterName, ...]]:
        """``_after`` as the parent's compiler reads it (:func:`dig_lsp.digdag.directives.after`)."""
        return after(self.config)

    def after_references(self) -> tuple[AfterName, ...]:
        """The sibling names this task's ``_after`` writes, for navigation and rename: the list's items as
        digdag reads them (:attr:`after`), or a lone name written without the list (digdag refuses it and
        DL210 says so, but it still names a task)."""
        node = self.after.node
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return (AfterName(node.value, node.span),)
        return self.after.value

    @cached_property
    def retry(self) -> Reading[Retry]:
        """``_retry`` as ``RetryControl`` reads the config as written (:mod:`dig_lsp.digdag.retry`)."""
        return retry_control(self.config)

    @cached_property
    def export(self) -> Reading[Mapping]:
        """``_export`` (``getNestedOrGetEmpty``, ``TaskConfig.validate``): the parameters the task exports
        to itself and the tasks below it; empty when absent, null or refused."""
        return nested_or_empty(self.config, "_export")

    @cached_property
    def error(self) -> Reading[Mapping]:
        """``_error`` as the compiler validates it (``WorkflowCompiler.validateSpecialSubtasks``:
        ``getNestedOrGetEmpty("_error")``) and ``TaskConfig.getErrorConfig`` reads it: a value that is not
        an object (a list included) is refused; the task itself is in :attr:`specials`."""
        return nested_or_empty(self.config, "_error")

    @cached_property
    def check(self) -> Reading[Mapping]:
        """``_check`` as ``TaskConfig.getCheckConfig`` reads it (``getNestedOrGetEmpty("_check")``, after an
        operator task succeeds); the task itself is in :attr:`specials`."""
        return nested_or_empty(self.config, "_check")

    @cached_property
    def env(self) -> Reading[tuple[EnvVariable, ...]]:
        """The task's own ``_env`` as the command operators read it (:mod:`dig_lsp.digdag.env`)."""
        return environment(self.config)

    @cached_property
    def secrets(self) -> Reading[Mapping]:
        """The task's own ``_secrets`` (:mod:`dig_lsp.digdag.secrets`); one ``_export``ed is read from
        :attr:`export`'s value with :func:`dig_lsp.digdag.secrets.secret_mounts` too."""
        return secret_mounts(self.config)

    def entry(self, key: str) -> Entry | None:
        """The task's own config entry for ``key``."""
        return self.config.entry(key)

    def params(self) -> list[Entry]:
        """Own keys that are not subtasks (``+name``)."""
        return [entry for entry in self.config.entries if not entry.key.startswith("+")]

    def walk(self) -> Iterator[Task]:
        """This task and every task below it, children and special subtasks alike."""
        yield self
        for child in (*self.children, *self.specials):
            yield from child.walk()

    @cached_property
    def below(self) -> tuple[Task, ...]:
        """The tasks of :meth:`walk` but this one, listed once and kept with the task. Why: a later load that
        takes the task over (an edit elsewhere in its file: :func:`build_workflow`) lists its workflow's tasks
        without walking it again, which on a 30,000-line workflow cost more than analysing the edited task.
        Asked of top-level tasks (:attr:`Workflow.all_tasks`), so each task is listed once; the task itself is
        left out, as a task holding itself would be a reference cycle (the language server frees analyses by
        reference counts: ``tests/test_reference_cycles.py``)."""
        return tuple(chain.from_iterable(child.walk() for child in (*self.children, *self.specials)))

    @property
    def runs_call(self) -> bool:
        """Whether the task's operator is ``call>`` (what loading a project follows)."""
        return bool(self.operators) and self.operators[0].name == "call"

    @cached_property
    def calls_below(self) -> tuple[Task, ...]:
        """The ``call>`` tasks of :attr:`below`, kept the same way."""
        return tuple(task for task in self.below if task.runs_call)


@dataclass(frozen=True)
class Workflow:
    """A workflow file: its name, root task, and how it was reached."""

    name: str
    path: str
    root: Task
    called_from: tuple[Span, ...] = field(default=())

    @property
    def is_called(self) -> bool:
        """True for a file reached through ``call>`` rather than found at the project's top."""
        return bool(self.called_from)

    def tasks(self) -> Iterator[Task]:
        """Every task of the workflow, root first, depth first in file order."""
        return iter(self.all_tasks)

    @cached_property
    def schedule(self) -> Mapping | None:
        """The top-level ``schedule:`` as digdag's scheduler takes it (``digdag-core/.../schedule/
        SchedulerManager.java``, ``tryGetScheduleConfig``: ``getOptional("schedule", Config.class)``): the
        mapping, None when it is absent or null (or not a mapping: DL301 reports that; a disabled root
        has no config). Read here once for the checks, the dry run and the code lens (the hover reads the
        entry under the cursor)."""
        node = self.root.config.get("schedule")
        return node if isinstance(node, Mapping) else None

    @cached_property
    def all_tasks(self) -> tuple[Task, ...]:
        """The tasks of :meth:`tasks`, listed once (every check walks them): the root, then each top-level
        task and its :attr:`Task.below`."""
        return (self.root, *chain.from_iterable(chain((top,), top.below) for top in self._tops))

    @property
    def _tops(self) -> tuple[Task, ...]:
        return (*self.root.children, *self.root.specials)

    def call_tasks(self) -> tuple[Task, ...]:
        """The ``call>`` tasks of :meth:`tasks`, in its order."""
        return tuple(chain((self.root,) if self.root.runs_call else (),
                           chain.from_iterable(chain((top,) if top.runs_call else (), top.calls_below)
                                               for top in self._tops)))

    @cached_property
    def top_level_of(self) -> dict[int, int]:
        """Task id -> the id of the top-level task (a child or special subtask of the root) it is or lies
        below; the root is not in it. Read only. The indexes that work out a top-level task's part when one
        of its tasks is first asked about (scopes, ``_export`` chains) look tasks up in it; it is made from
        each top-level task's :attr:`Task.below`, once for both."""
        tops = self._tops
        tasks = map(id, chain.from_iterable(chain((top,), top.below) for top in tops))
        return dict(zip(tasks, chain.from_iterable(repeat(id(top), 1 + len(top.below)) for top in tops), strict=True))


def empty_mapping(span: Span) -> Mapping:
    """A placeholder config for a task whose value is not a mapping."""
    return Mapping((), span)


def build_workflow(name: str, path: str, root: Mapping, file_span: Span, earlier: Workflow | None = None) -> Workflow:
    """Compile a workflow's (include-expanded) top-level mapping into its task tree.

    ``earlier``: the same file's workflow from a previous load; its top-level tasks whose nodes are
    the very same objects (an edit elsewhere in the file left them alone) are taken over as they are,
    since a task is made only of its nodes, its name and its parent's ``_parallel``.
    """
    reuse: dict[int, Task] = {}
    if earlier is not None and earlier.name == name and not earlier.root.disabled:
        reuse = {id(task.value): task for task in (*earlier.root.children, *earlier.root.specials)}
    task = _build_task(f"+{name}", f"+{name}", TaskRole.ROOT, file_span, root, parent_parallel=False, reuse=reuse)
    return Workflow(name, path, task)


def _merge_list(value: Sequence) -> Mapping:
    """``+x: [{...}, {...}]``: digdag merges the objects in order (later keys win)."""
    entries: dict[str, Entry] = {}
    for item in value.items:
        if isinstance(item, Mapping):
            for entry in item.entries:
                entries[entry.key] = entry
    return Mapping(tuple(entries.values()), value.span)


def _config_of(value: Node) -> Mapping:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, Sequence):
        return _merge_list(value)
    return empty_mapping(value.span)


def _operators(config: Mapping) -> tuple[OperatorUse, ...]:
    found = []
    for entry in config.entries:
        if entry.key.endswith(">") and not entry.key.startswith("+"):
            command: Node | None = entry.value
            if isinstance(command, Scalar) and command.value is None:
                command = None
            found.append(OperatorUse(entry.key[:-1], entry.key, entry.key_span, command))
        elif entry.key == "_type":
            type_name = entry.value.value if isinstance(entry.value, Scalar) else None
            found.append(OperatorUse(str(type_name or ""), "_type", entry.key_span, config.get("_command")))
    # `_type` and one `x>` is not a compile error (at run time `_type` wins), so keep `_type` first.
    if len(found) > 1:
        found.sort(key=lambda use: use.key != "_type")
    return tuple(found)


def _is_disabled(config: Mapping) -> bool:
    """``WorkflowCompiler``: ``config.get("_disable", boolean.class, false)`` (a refused value is not true)."""
    return disabled(config).value


def _is_parallel(reading: Reading[Parallel]) -> bool:
    """Whether the children run in parallel (a `_parallel` digdag rejects counts as not: DL211 reports it)."""
    return reading.value.parallel and not reading.refusals


# The options of `sla:`; the rest of the mapping is the `^sla` group (WorkflowExecutor.addMonitorTask
# removes time and duration, addSlaMonitorTasks alert and fail, then compiles what is left as `^sla`).
SLA_OPTIONS = ("time", "duration", "alert", "fail")


def _sla_task(config: Mapping, full_name: str) -> tuple[Task, ...]:
    """The top-level ``sla:``'s tasks, which digdag runs as the root's generated ``^sla`` group when the
    deadline passes (``digdag-core/.../workflow/WorkflowExecutor.java``, ``addMonitorTask``)."""
    entry = config.entry("sla")
    if entry is None or not isinstance(entry.value, Mapping):
        return ()
    group = Mapping(tuple(e for e in entry.value.entries if e.key not in SLA_OPTIONS), entry.value.span)
    # what is left once the options are removed is compiled as one task tree (``compileTasks(..., "^sla",
    # taskConfig)``): subtasks, or an operator (`call>: notify.dig`)
    if not any(e.key.startswith("+") or e.key.endswith(">") or e.key == "_type" for e in group.entries):
        return ()
    return (_build_task("^sla", full_name + "^sla", TaskRole.SLA, entry.key_span, group, False),)


def _build_task(name: str, full_name: str, role: TaskRole, key_span: Span, value: Node,
                parent_parallel: bool, reuse: dict[int, Task] | None = None) -> Task:
    if reuse:
        found = reuse.get(id(value))
        if (found is not None and found.value is value and found.name == name and found.full_name == full_name
                and found.role is role and found.key_span == key_span and found.parent_parallel == parent_parallel):
            return found
    config = _config_of(value)
    if _is_disabled(config):
        return Task(name, full_name, role, key_span, value, empty_mapping(config.span), (), (), (),
                    disabled=True, parent_parallel=parent_parallel)
    reading = parallel_control(config)
    parallel = _is_parallel(reading)
    below = reuse if role is TaskRole.ROOT else None  # only the top-level tasks are looked up
    children: list[Task] = []
    special_tasks: list[Task] = []
    for entry in config.entries:  # one pass for both kinds of subtask (a large workflow has tens of thousands)
        key = entry.key
        if key.startswith("+"):
            children.append(_build_task(key, full_name + key, TaskRole.CHILD, entry.key_span, entry.value, parallel,
                                        below))
        elif (suffix := SPECIAL_SUBTASKS.get(key)) is not None:
            special_tasks.append(_build_task(suffix, full_name + suffix, TaskRole(key), entry.key_span, entry.value,
                                             False, below))
    specials = (*special_tasks, *(_sla_task(config, full_name) if role is TaskRole.ROOT else ()))
    return Task(name, full_name, role, key_span, value, config, _operators(config), tuple(children), specials,
                parent_parallel=parent_parallel, parallel=reading)
