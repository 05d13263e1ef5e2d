"""Which variables each task can see when it runs, and where each one comes from.

A task's scope is derived from its parent's, never mutated while walking (reference §3,
§5.3, §6, §8.8):

* built-ins (``last_session_*``/``next_session_*`` only with a ``schedule``);
* every ancestor's ``_export`` and the task's own (nested mappings give dotted names);
* values **stored** by tasks that are guaranteed to have finished (the siblings the task or an
  ancestor waits for, directly or through other siblings, as ``model/order.py`` links them: earlier
  siblings in a sequential group, chunks before it under ``_parallel: {limit}``, ``_after`` targets
  and what they waited for) -- stores of tasks that may still be running (parallel siblings,
  ``_background`` tasks) or that run later are kept apart, with the reason, so a check can
  say "stored by a parallel sibling" instead of "undefined";
* loop bindings for ``_do`` bodies (``i``, ``for_each`` keys, ``range.*``, ``td.each.*``);
* ``error.*`` inside ``_error``; runtime parameters declared in the configuration.

``call>``ed workflows start from their caller's scope; ``require>`` passes none.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Iterator
from collections.abc import Mapping as TypingMapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.model.builtins import builtin_names
from dig_lsp.model.calls import call_families, callers_first, is_scheduled, runs_in_callers
from dig_lsp.model.catalog import catalog
from dig_lsp.model.order import GroupOrder, fold_awaited, task_order
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.python_stores import stored_names
from dig_lsp.model.ruby_stores import ruby_stored_names
from dig_lsp.model.workflow import Task, TaskRole, Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar
from dig_lsp.syntax.parsed_files import ParsedFiles
from dig_lsp.text.span import Span

if TYPE_CHECKING:
    from dig_lsp.analysis.moved import MovedTasks  # annotations only: moved serves the language server's re-reads


class Origin(enum.Enum):
    """Where a variable comes from."""

    BUILTIN = "built-in"
    EXPORT = "_export"
    STORED = "stored"
    LOOP = "loop"
    ERROR = "_error"
    RUNTIME = "runtime parameter"


class Timing(enum.Enum):
    """Why a stored value is not reliably visible."""

    LATER = "is stored by a task that runs later"
    PARALLEL = "is stored by a task that runs in parallel with this one"
    BACKGROUND = "is stored by a _background task that may not have finished"
    NOT_AWAITED = "is stored by an earlier task, but this _background task starts without waiting for it"


@dataclass(frozen=True)
class Variable:
    """One visible name (dotted for nested values) and its provenance."""

    name: str
    origin: Origin
    detail: str
    span: Span | None = None
    value: Node | None = None
    open_members: bool = False  # its members are runtime data (td.last_results.<column>)


@dataclass(frozen=True)
class Unreliable:
    """A stored value that exists somewhere in the workflow but not reliably here."""

    variable: Variable
    timing: Timing


@dataclass(frozen=True)
class Scope:
    """The variables visible to one task."""

    variables: TypingMapping[str, Variable]
    unreliable: TypingMapping[str, Unreliable] = field(default_factory=lambda: MappingProxyType({}))
    open_world: str | None = None  # a finished task may have stored names the files do not show

    def lookup(self, path: tuple[str, ...]) -> Variable | None:
        """The variable a reference path reaches: itself, or the deepest defined prefix."""
        for length in range(len(path), 0, -1):
            found = self.variables.get(".".join(path[:length]))
            if found is not None:
                return found
        return None

    def is_namespace(self, path: tuple[str, ...]) -> bool:
        """Whether ``path`` is an object holding defined variables (``td`` when ``td.database`` is)."""
        return ".".join(path) in self._members

    def members(self, path: tuple[str, ...]) -> list[str]:
        """The defined names one level below ``path`` (``database`` for ``td`` when ``td.database`` is)."""
        return sorted(self._members.get(".".join(path), ()))

    def names(self) -> list[str]:
        """Every visible root name (for did-you-mean and completion)."""
        return list(self._root_names)

    def names_of_length(self, shortest: int, longest: int) -> list[str]:
        """Visible root names whose length is within the bounds (did-you-mean candidates)."""
        found: list[str] = []
        for length in range(max(0, shortest), longest + 1):
            found += self._names_by_length.get(length, ())
        return found

    # Derived once per scope: a scope with tens of thousands of variables is asked about each of
    # its references, and walking every variable per question made such files quadratic.
    @cached_property
    def _root_names(self) -> tuple[str, ...]:
        return tuple(sorted({name.split(".")[0] for name in self.variables}))

    @cached_property
    def _names_by_length(self) -> dict[int, list[str]]:
        index: dict[int, list[str]] = {}
        for name in self._root_names:
            index.setdefault(len(name), []).append(name)
        return index

    def nested_names(self, name: str) -> list[str]:
        """Visible dotted names that end with ``name`` one level or more down (``mysql.user`` for ``user``):
        what a bare name may have meant."""
        return sorted(self._by_last_part.get(name, ()))

    @cached_property
    def _by_last_part(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for dotted in self.variables:
            parent, _, last = dotted.rpartition(".")
            if parent:
                index.setdefault(last, set()).add(dotted)
        return index

    def stored_only(self, root: str) -> bool:
        """Whether every visible variable under ``root`` is one a task stored (``bq.last_job_id`` and no
        ``_export`` of ``bq``): the object may also hold what a runtime parameter gives, since a store is
        merged into the parameters, not put in their place (digdag-core/.../session/ParameterUpdate.java
        ``applyTo``: ``Config.merge``, a deep merge, digdag-client/.../config/Config.java
        ``mergeJsonObject``; runtime parameters come first, ``WorkflowExecutor``)."""
        return root in self._stored_only_roots

    @cached_property
    def _stored_only_roots(self) -> frozenset[str]:
        origins: dict[str, bool] = {}
        for name, variable in self.variables.items():
            root = name.split(".", 1)[0]
            origins[root] = origins.get(root, True) and variable.origin is Origin.STORED
        return frozenset(root for root, stored in origins.items() if stored)

    @cached_property
    def _members(self) -> dict[str, set[str]]:
        members: dict[str, set[str]] = {}
        for name in self.variables:
            parts = name.split(".")
            for cut in range(1, len(parts)):
                members.setdefault(".".join(parts[:cut]), set()).add(parts[cut])
        return members


# --------------------------------------------------------------------------------------------
# What tasks store and export


def _flag(task: Task, name: str, exports: tuple[Mapping, ...]) -> bool:
    node = task.config.get(name)
    if node is None:
        for mapping in reversed(exports):
            node = mapping.get(name)
            if node is not None:
                break
    if not isinstance(node, Scalar):
        return False
    if isinstance(node.value, str) and node.value.lower() in ("first", "all"):
        return True
    return boolean_value(node.value) is True or (isinstance(node.value, str) and "${" in node.value)


@dataclass(frozen=True)
class Stores:
    """What one task stores for later tasks."""

    variables: tuple[Variable, ...]
    complete: bool = True


def task_stores(task: Task, exports: tuple[Mapping, ...], workdir: str, files: ParsedFiles) -> Stores:
    """The variables ``task`` stores when it succeeds (catalog facts, param_get keys, py> ast)."""
    use = task.operator
    if use is None or task.disabled:
        return Stores(())
    spec = catalog().operator(use.name)
    if spec is None:
        # a plugin (or unknown) operator may store anything: what it stores cannot be known
        return Stores((), complete=False)
    if spec.name == "call" and isinstance(use.command, Scalar) and "${" in str(use.command.value):
        # a workflow known only at run time runs below it: what it stores cannot be known either
        return Stores((), complete=False)
    found: list[Variable] = []
    complete = True
    for stored in spec.stores:
        if stored.name.startswith("<"):
            continue
        if stored.when and not _flag(task, stored.when, exports):
            continue
        detail = f"stored by {task.full_name} ({spec.name}>)" + (f" with {stored.when}" if stored.when else "")
        found.append(Variable(stored.name, Origin.STORED, detail, task.key_span, open_members=True))
    if spec.name == "param_get":
        for entry in task.params():
            if isinstance(entry.value, Scalar) and isinstance(entry.value.value, str) and entry.key != use.key:
                found.append(Variable(entry.value.value, Origin.STORED, f"stored by {task.full_name} (param_get>)",
                                      entry.value.span, open_members=True))
    elif spec.name in ("py", "rb"):
        complete = _script_stores(task, spec.name, workdir, files, found, exports)
    return Stores(tuple(found), complete)


def _script_stores(task: Task, kind: str, workdir: str, files: ParsedFiles, found: list[Variable],
                   exports: tuple[Mapping, ...]) -> bool:
    """py>: ``digdag.env.store`` keys read with ast; rb>: literal ``Digdag.env.store`` keys."""
    if kind == "rb":
        return _ruby_stores(task, workdir, files, found, exports)
    command = task.operator.command if task.operator else None
    if not isinstance(command, Scalar) or not isinstance(command.value, str):
        return False
    names = stored_names(command.value.strip(), workdir, files.reader)
    for name in names.names:
        found.append(Variable(name, Origin.STORED, f"stored by {task.full_name} (py> digdag.env.store)",
                              task.key_span, open_members=True))
    return names.complete


def _ruby_stores(task: Task, workdir: str, files: ParsedFiles, found: list[Variable],
                 exports: tuple[Mapping, ...]) -> bool:
    # rb> reads `require` from its parameters with the `rb:` namespace as defaults
    # (RbOperatorFactory: request.getConfig().mergeDefault(request.getConfig().getNestedOrGetEmpty("rb")))
    required = task.config.get("require")
    for mapping in reversed(exports):
        namespace = mapping.get("rb")
        if required is None and isinstance(namespace, Mapping):
            required = namespace.get("require")
    if not isinstance(required, Scalar) or not isinstance(required.value, str) or "${" in required.value:
        return False
    name = required.value if required.value.endswith(".rb") else required.value + ".rb"
    source = files.source(os.path.normpath(os.path.join(workdir, name)))
    if source is None:
        return False
    names = ruby_stored_names(source.text)
    for stored in names.names:
        found.append(Variable(stored, Origin.STORED, f"stored by {task.full_name} (rb> Digdag.env.store)",
                              task.key_span, open_members=True))
    return names.complete


def export_variables(mapping: Mapping, detail: str) -> Iterator[Variable]:
    """``_export: {td: {database: x}}`` gives ``td`` (an object) and ``td.database``."""
    stack: list[tuple[str, Node, Span]] = [(e.key, e.value, e.key_span) for e in mapping.entries]
    while stack:
        name, value, span = stack.pop()
        unknown_members = isinstance(value, Mapping) and value.unresolved is not None
        yield Variable(name, Origin.EXPORT, detail, span, value, open_members=unknown_members)
        if isinstance(value, Mapping) and name.count(".") < 8:
            stack.extend((f"{name}.{e.key}", e.value, e.key_span) for e in value.entries)


def loop_variables(task: Task, columns: tuple[str, ...] | None = None) -> list[Variable]:
    """Names a loop operator exports to the tasks of its ``_do`` (``columns``: td_for_each's query result)."""
    use = task.operator
    if use is None:
        return []
    detail = f"set by {task.full_name} ({use.name}>) for each iteration"
    if use.name == "loop":
        return [Variable("i", Origin.LOOP, detail, use.key_span)]
    if use.name == "for_range":
        return [Variable(f"range.{k}", Origin.LOOP, detail, use.key_span) for k in ("from", "to", "index")]
    if use.name == "td_for_each":
        if columns is not None:
            return [Variable(f"td.each.{column}", Origin.LOOP, detail + " (a column of the query's result)",
                             use.key_span) for column in columns]
        return [Variable("td.each", Origin.LOOP, detail + " (one row: td.each.<column>)", use.key_span,
                         open_members=True)]
    if use.name == "for_each" and isinstance(use.command, Mapping):
        return [Variable(e.key, Origin.LOOP, detail, e.key_span, e.value) for e in use.command.entries]
    return []


def loop_is_open(task: Task) -> bool:
    """A ``for_each>`` whose keys are not written out (a ``${...}`` or JSON string)."""
    use = task.operator
    return use is not None and use.name == "for_each" and not isinstance(use.command, Mapping)


# --------------------------------------------------------------------------------------------
# Execution order: which tasks are sure to have finished when a task starts


@dataclass
class _Context:
    """What working out one workflow's scopes needs. It holds the project's files and root, not the project:
    the index keeps contexts (in its deferred builds) and the project keeps the index (``ProjectModel.memo``),
    so a context holding the project made every analysed project a reference cycle, freed only by the
    cyclic collector; in the language server a few hundred thousand objects per keystroke then waited for
    a full collection (half a second at 3,000 lines) and the resident size grew to match."""

    files: ParsedFiles
    root: str
    workflow: Workflow
    workdir: str
    scheduled: bool
    runtime: tuple[str, ...]
    stores: dict[int, Stores] = field(default_factory=dict)
    exports: dict[int, tuple[Mapping, ...]] = field(default_factory=dict)
    scopes: dict[int, _PendingScope] = field(default_factory=dict)
    subtree_memo: dict[int, _Stored] = field(default_factory=dict)
    all_stored: dict[str, Variable] = field(default_factory=dict)
    # while set, the index that keeps top-level tasks' builds until one of their scopes is asked for
    deferring: ScopeIndex | None = None
    # call> task id -> the workflow it runs; workflow path -> what that workflow's tasks store (the called
    # workflow runs as the call task's generated subtasks, so its stores reach the tasks after the call:
    # WorkflowExecutor.collectParams reads the stores of every upstream task's children, recursively)
    call_targets: dict[int, str] = field(default_factory=dict)
    called: dict[str, _Stored] = field(default_factory=dict)

    def subtree(self, task: Task) -> _Stored:
        """What ``task`` and everything below it store, by name. Scopes track names, not tasks, so
        the bookkeeping stays small however many tasks a workflow has."""
        found = self.subtree_memo.get(id(task))
        if found is None:
            own = self.stores.get(id(task), Stores(()))
            names = {v.name: v for v in own.variables}
            unknown = None if own.complete else task.full_name
            target = self.call_targets.get(id(task))
            called = [self.called[target]] if target is not None and target in self.called else []
            for below in (*(self.subtree(child) for child in (*task.children, *task.specials)), *called):
                for name, variable in below.names.items():
                    names.setdefault(name, variable)
                unknown = unknown or below.unknown
            found = _Stored(names, unknown)
            self.subtree_memo[id(task)] = found
        return found


@dataclass(frozen=True)
class _Stored:
    """Stored names (with one variable each) and the first task storing names the files do not show."""

    names: dict[str, Variable]
    unknown: str | None = None

    def plus(self, other: _Stored) -> _Stored:
        if (not other.unknown or self.unknown) and other.names.keys() <= self.names.keys():
            return self  # nothing new (sibling after sibling storing the same names: no copy each time)
        return _Stored({**other.names, **self.names}, self.unknown or other.unknown)


_NOTHING = _Stored({})


_Deferred = tuple["_Context", Task, "_PendingScope | dict[str, Variable]", "_Stored", dict[str, "Timing"], str | None,
                  tuple["Variable", ...]]


class _PendingScope:
    """A task's scope, built on first use from its parent's.

    Why: an edit re-analyses a project, but the checks then ask for the scopes of a few tasks
    (those of the edited task, :mod:`dig_lsp.incremental`), and building every task's variables
    up front was a third of a keystroke's time on a 3,000-line workflow. What decides a scope
    (stored values that are sure to have finished, those still running...) is still worked out
    for every task while walking the tree; only the variables are put together late.
    """

    __slots__ = (
        "_scope",
        "_variables",
        "all_stored",
        "finished",
        "open_world",
        "overrides",
        "parent",
        "running",
        "task",
    )

    def __init__(self, parent: _PendingScope | dict[str, Variable], overrides: tuple[Variable, ...], task: Task,
                 finished: _Stored, running: dict[str, Timing], open_world: str | None,
                 all_stored: dict[str, Variable]) -> None:
        self.parent = parent  # the enclosing task's scope, or the workflow's base variables
        self.overrides = overrides  # loop variables set over the parent's for a `_do` body
        self.task = task
        self.finished = finished
        self.running = running
        self.open_world = open_world
        self.all_stored = all_stored
        self._variables: dict[str, Variable] | None = None
        self._scope: Scope | None = None

    def variables(self) -> dict[str, Variable]:
        """The task's variables (built for the unbuilt ancestors first, outermost first, without recursion)."""
        chain: list[_PendingScope] = []
        node: _PendingScope | dict[str, Variable] = self
        while isinstance(node, _PendingScope) and node._variables is None:
            chain.append(node)
            node = node.parent
        for pending in reversed(chain):
            parent = pending.parent
            pending._variables = pending._own(parent if isinstance(parent, dict) else parent.variables())
        assert self._variables is not None
        return self._variables

    def _own(self, inherited: dict[str, Variable]) -> dict[str, Variable]:
        task = self.task
        variables = dict(inherited)
        for variable in self.overrides:
            variables[variable.name] = variable
        for variable in export_variables(task.export.value, f"_export of {task.full_name}"):
            variables[variable.name] = variable
        for name, variable in self.finished.names.items():
            variables.setdefault(name, variable)
        if task.role is TaskRole.ERROR:
            for name in ("error.message", "error.stacktrace"):
                variables[name] = Variable(name, Origin.ERROR, "set for _error tasks: the failure's message")
        return variables

    def scope(self) -> Scope:
        """The task's scope."""
        if self._scope is None:
            finished = self.finished.names
            unreliable = {name: Unreliable(variable, self.running.get(name, Timing.LATER))
                          for name, variable in self.all_stored.items() if name not in finished}
            self._scope = Scope(MappingProxyType(self.variables()), MappingProxyType(unreliable),
                                self.open_world or self.finished.unknown)
        return self._scope


def _build(ctx: _Context, task: Task, inherited: _PendingScope | dict[str, Variable], finished: _Stored,
           running: dict[str, Timing], open_world: str | None, overrides: tuple[Variable, ...] = ()) -> None:
    """Work out the scope of ``task`` and everything below it (for a top-level task, only when a scope
    below it is first asked for: see :class:`ScopeIndex`)."""
    if ctx.deferring is not None and task.role is not TaskRole.ROOT:
        ctx.deferring.defer(task, (ctx, task, inherited, finished, running, open_world, overrides))
        return
    open_world = open_world or _unreadable_export(task)
    pending = _PendingScope(inherited, overrides, task, finished, running, open_world, ctx.all_stored)
    ctx.scopes[id(task)] = pending
    _children(ctx, task, pending, finished, running, open_world or finished.unknown)


def _unreadable_export(task: Task) -> str | None:
    """Why names the task exports cannot all be known: an ``!include`` in its ``_export`` (or in the
    task itself) could not be read, so any name may come from it (the include is reported, not the names)."""
    return task.export.value.unresolved or task.config.unresolved


def _marked(names: dict[str, Variable], timing: Timing, running: dict[str, Timing],
            exclude: dict[str, Variable]) -> dict[str, Timing]:
    if not names:
        return running
    marked = dict(running)
    for name in names:
        if name not in exclude:
            marked.setdefault(name, timing)
    return marked


def _sequential(ctx: _Context, children: list[Task], order: GroupOrder, awaited: list[_Stored],
                variables: _PendingScope, finished: _Stored, running: dict[str, Timing],
                open_world: str | None) -> None:
    """A sequential group: a child waits for every earlier sibling, but a ``_background`` child waits for
    none of them, and the stores of a later ``_background`` sibling may or may not have been made."""
    pending: dict[str, Variable] = {}
    backgrounds_after: list[dict[str, Variable]] = [pending] * len(children)  # shared, never changed
    for index in range(len(children) - 1, -1, -1):
        backgrounds_after[index] = pending
        if order.background[index] and ctx.subtree(children[index]).names:
            pending = {**pending, **ctx.subtree(children[index]).names}
    done = finished  # what the group awaits, then each earlier sibling's stores
    for index, child in enumerate(children):
        child_running = _marked(backgrounds_after[index], Timing.BACKGROUND, running, done.names)
        if order.background[index]:
            not_awaited = {n: v for n, v in done.names.items() if n not in awaited[index].names}
            child_running = _marked(not_awaited, Timing.NOT_AWAITED, child_running, awaited[index].names)
        _build(ctx, child, variables, awaited[index], child_running, open_world)
        done = done.plus(ctx.subtree(child))


def _parallel(ctx: _Context, children: list[Task], awaited: list[_Stored], variables: _PendingScope,
              running: dict[str, Timing], open_world: str | None) -> None:
    """A parallel group: a child sees the stores of the siblings it awaits (``_after``, earlier chunks);
    every other sibling may still be running."""
    everything = _NOTHING
    for child in children:
        everything = everything.plus(ctx.subtree(child))
    for index, child in enumerate(children):
        own = ctx.subtree(child).names
        others = {n: v for n, v in everything.names.items() if n not in own}
        child_running = _marked(others, Timing.PARALLEL, running, awaited[index].names)
        _build(ctx, child, variables, awaited[index], child_running, open_world)


def _children(ctx: _Context, task: Task, variables: _PendingScope, finished: _Stored,
              running: dict[str, Timing], open_world: str | None) -> None:
    order = task_order(task)
    children = list(task.children)
    awaited = fold_awaited(order, finished, lambda done, index: done.plus(ctx.subtree(children[index])))
    if order.parallel.parallel:
        _parallel(ctx, children, awaited, variables, running, open_world)
    else:
        _sequential(ctx, children, order, awaited, variables, finished, running, open_world)
    own = ctx.stores.get(id(task), Stores(()))
    own_stored = _Stored({v.name: v for v in own.variables}, None if own.complete else task.full_name)
    for special in task.specials:
        loop: tuple[Variable, ...] = ()
        special_finished = finished
        if special.role in (TaskRole.DO, TaskRole.ELSE_DO):
            special_finished = finished.plus(own_stored)
            loop = tuple(loop_variables(task, _query_columns(ctx, task)))
        elif special.role is TaskRole.CHECK:
            special_finished = finished.plus(own_stored)
            for child in task.children:
                special_finished = special_finished.plus(ctx.subtree(child))
        special_open = open_world or (f"{task.full_name} (for_each> keys not written out)"
                                      if loop_is_open(task) and special.role is TaskRole.DO else None)
        _build(ctx, special, variables, special_finished, running, special_open, loop)


def _query_columns(ctx: _Context, task: Task) -> tuple[str, ...] | None:
    """The result columns of a ``td_for_each>`` query (file, ``{data:}`` or ``query:``), if knowable."""
    use = task.operator
    if use is None or use.name != "td_for_each":
        return None
    from dig_lsp.model.files import file_references
    from dig_lsp.model.operators import operator_task
    from dig_lsp.model.sql_columns import result_columns

    op = operator_task(task)
    if op is None:
        return None
    sql: str | None = None
    for ref in file_references(op, ctx.workdir, ctx.root):
        source = ctx.files.source(ref.path) if ref.inside else None
        sql = source.text if source is not None else None
    command = use.command
    if sql is None and isinstance(command, Mapping) and isinstance(command.get("data"), Scalar):
        data = command.get("data")
        sql = data.value if isinstance(data, Scalar) and isinstance(data.value, str) else None
    query = task.config.get("query")
    if sql is None and isinstance(query, Scalar) and isinstance(query.value, str):
        sql = query.value
    engine = task.config.get("engine")
    dialect = engine.value if isinstance(engine, Scalar) and engine.value in ("presto", "hive") else "presto"
    return None if sql is None else result_columns(sql, str(dialect))


def _collect(ctx: _Context, task: Task, exports: tuple[Mapping, ...]) -> None:
    chain = (*exports, task.export.value)  # empty when absent, null or refused: digdag merges nothing
    ctx.exports[id(task)] = chain
    ctx.stores[id(task)] = task_stores(task, chain, ctx.workdir, ctx.files)
    for child in (*task.children, *task.specials):
        _collect(ctx, child, chain)


# Operators whose stores depend on more than the task's nodes and the `_export`s above it: py> and rb> read
# their script (_script_stores), a call> task's subtree holds what the called workflow stores.
_READS_FILES = frozenset({"py", "rb", "call"})


@dataclass(frozen=True, eq=False)
class _Collected:
    """What :func:`_collect` and ``_Context.subtree`` found for one top-level task and everything below it,
    kept for the next load of the project (see :func:`build_scopes`' ``earlier``)."""

    task: Task
    exported: tuple[Entry, ...]  # the root's `_export`, the only one above it
    workdir: str
    stores: dict[int, Stores]
    subtrees: dict[int, _Stored]


def _collect_workflow(ctx: _Context, root: Task, earlier: dict[int, _Collected],
                      moved: MovedTasks | None) -> tuple[list[Task], dict[int, _Collected]]:
    """:func:`_collect` for a workflow's root, taking over what ``earlier`` found below a top-level task
    that is the very same object under the same root ``_export`` entries (an edit elsewhere in the file
    left its nodes alone: ``model/workflow.build_workflow`` keeps such a task): what it and its subtasks
    store is then the same, being made of those nodes and entries only (:data:`_READS_FILES` aside). A
    copy of such a task that an edit ``moved`` takes it over with the spans moved.
    Returns the top-level tasks collected anew, and the records made for moved ones."""
    chain = (root.export.value,)
    ctx.exports[id(root)] = chain
    ctx.stores[id(root)] = task_stores(root, chain, ctx.workdir, ctx.files)
    exported = chain[0].entries
    fresh = []
    remade: dict[int, _Collected] = {}
    for top in (*root.children, *root.specials):
        before = (moved.before(top) if moved is not None else None) or top
        kept = earlier.get(id(before))
        if kept is None or kept.task is not before or kept.workdir != ctx.workdir or \
                not _same_entries(kept.exported, exported):
            _collect(ctx, top, chain)
            fresh.append(top)
        elif before is top:
            ctx.stores.update(kept.stores)
            ctx.subtree_memo.update(kept.subtrees)
        else:
            assert moved is not None
            record = _moved_record(kept, top, exported, moved)
            if record is None:
                _collect(ctx, top, chain)
                fresh.append(top)
                continue
            ctx.stores.update(record.stores)
            ctx.subtree_memo.update(record.subtrees)
            remade[id(top)] = record
    return fresh, remade


def _moved_record(kept: _Collected, top: Task, exported: tuple[Entry, ...], moved: MovedTasks) -> _Collected | None:
    """``kept``, the record of the task ``top`` is a moved copy of, for ``top``: the same stores with their
    spans moved (None when the trees do not pair up, or a stored variable holds a node)."""
    pairs = []
    pending = [(kept.task, top)]
    kept_stores = kept.stores
    while pending:  # the two trees side by side (not with Task.walk: a generator per task cost as much)
        before, after = pending.pop()
        if before.full_name != after.full_name:
            return None
        own = kept_stores.get(id(before))
        if own is not None and any(variable.value is not None for variable in own.variables):
            return None
        pairs.append((before, after))
        below_before, below_after = before.children + before.specials, after.children + after.specials
        if len(below_before) != len(below_after):
            return None
        pending.extend(zip(below_before, below_after, strict=True))
    if len(pairs) != len(kept_stores):
        return None
    shifted: dict[int, Variable] = {}  # one copy per variable: subtrees share their tasks' variables

    def shift(variable: Variable) -> Variable:
        found = shifted.get(id(variable))
        if found is None:
            span = None if variable.span is None else moved.span(variable.span)
            found = shifted[id(variable)] = Variable(variable.name, variable.origin, variable.detail, span,
                                                     variable.value, variable.open_members)
        return found

    stores: dict[int, Stores] = {}
    subtrees: dict[int, _Stored] = {}
    for before, after in pairs:
        own, below = kept_stores[id(before)], kept.subtrees[id(before)]
        stores[id(after)] = Stores(tuple(map(shift, own.variables)), own.complete) if own.variables else own
        subtrees[id(after)] = _Stored({name: shift(v) for name, v in below.names.items()}, below.unknown) \
            if below.names else below
    return _Collected(top, exported, kept.workdir, stores, subtrees)


def _same_entries(before: tuple[Entry, ...], after: tuple[Entry, ...]) -> bool:
    """Whether two mappings hold the very same entries (a root `_export` that merges an ``!include`` is
    a new mapping at every load, of the same entries when neither file changed there)."""
    return before is after or (len(before) == len(after) and all(a is b for a, b in zip(before, after, strict=True)))


def _kept(ctx: _Context, root: Task, fresh: list[Task], remade: dict[int, _Collected],
          earlier: dict[int, _Collected]) -> Iterator[_Collected]:
    """What to keep for the next load: the records taken over (moved or not), and new ones for the
    top-level tasks collected anew whose stores depend on their nodes alone (no py>, rb> or call> below
    them)."""
    renewed = {id(top) for top in fresh}
    exported = root.export.value.entries
    for top in (*root.children, *root.specials):
        if id(top) not in renewed:
            yield remade.get(id(top)) or earlier[id(top)]
            continue
        below = []
        for task in top.walk():
            if task.operator is not None and task.operator.name in _READS_FILES:
                break
            below.append(id(task))
        else:
            stores, subtrees = ctx.stores, ctx.subtree_memo  # ctx.subtree(root) filled it
            yield _Collected(top, exported, ctx.workdir, {k: stores[k] for k in below}, {k: subtrees[k] for k in below})


def _base_variables(scheduled: bool, runtime: tuple[str, ...]) -> dict[str, Variable]:
    variables = {name: Variable(name, Origin.BUILTIN, "set by digdag for every task") for name in
                 builtin_names(scheduled)}
    for name in runtime:
        variables[name] = Variable(name, Origin.RUNTIME, "declared as a runtime parameter in the configuration")
    return variables


@dataclass
class ScopeIndex:
    """Scopes of every task of a project.

    What each task and subtree stores is worked out for the whole project up front (every scope
    depends on it); the scopes below each top-level task are worked out when one of them is first
    asked for, since after an edit the checks ask only about the edited task.
    """

    scopes: dict[int, _PendingScope] = field(default_factory=dict)
    subtrees: dict[int, _Stored] = field(default_factory=dict)
    # per workflow path, what :meth:`definitions` is made of, and what it found
    _defining: dict[str, tuple[Workflow, dict[str, Variable]]] = field(default_factory=dict, repr=False)
    _definitions: dict[str, dict[str, Variable]] = field(default_factory=dict, repr=False)
    # per workflow path, the workflows it runs with through call> (callers, callees, their callers...)
    families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deferred: dict[int, _Deferred] = field(default_factory=dict)  # top-level task id -> its `_build` arguments
    # top-level task id -> what was collected below it, for the next load of the project (build_scopes)
    collected: dict[int, _Collected] = field(default_factory=dict, repr=False)
    _top_of: dict[int, int] = field(default_factory=dict, repr=False)  # task id -> its top-level task
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def scope(self, task: Task) -> Scope | None:
        """The scope of ``task`` (None if the task is not part of the analysed project)."""
        pending = self.scopes.get(id(task))
        if pending is None and self.deferred:
            with self._lock:  # the language server asks from more than one thread
                pending = self.scopes.get(id(task)) or self._build_deferred(task)
        return None if pending is None else pending.scope()

    def defer(self, top: Task, arguments: _Deferred) -> None:
        """Keep a top-level task's ``_build`` until a scope below it is asked for (:meth:`deferred_below`
        says which tasks are below it)."""
        self.deferred[id(top)] = arguments

    def deferred_below(self, workflow: Workflow) -> None:
        """Note which top-level task each task of ``workflow`` is below (:attr:`Workflow.top_level_of`)."""
        self._top_of.update(workflow.top_level_of)

    def _build_deferred(self, task: Task) -> _PendingScope | None:
        arguments = self.deferred.pop(self._top_of.get(id(task), 0), None)
        if arguments is not None:
            _build(*arguments)
        return self.scopes.get(id(task))

    def defined_elsewhere(self, workflow: Workflow, path: tuple[str, ...]) -> Variable | None:
        """Where a workflow that runs together with ``workflow`` (itself, or one linked to it by
        ``call>``) exports or stores the value ``path`` reads, if one does: a name used where it is not
        visible but defined there is a scope mistake, not a run-time parameter."""
        for member in self.families.get(workflow.path, (workflow.path,)):
            names = self.definitions(member)
            for length in range(len(path), 0, -1):
                found = names.get(".".join(path[:length]))
                if found is not None:
                    exact = length == len(path)
                    return found if exact or found.open_members or not isinstance(found.value, Mapping) else None
        return None

    def definitions(self, path: str) -> dict[str, Variable]:
        """Every (dotted) name a task of the workflow at ``path`` exports or stores, with its first definition.
        Worked out when first asked: only a name used where it is not visible asks (:meth:`defined_elsewhere`),
        and listing every task's exports cost a large workflow's keystroke dearly."""
        found = self._definitions.get(path)
        if found is None:
            defining = self._defining.get(path)
            found = {} if defining is None else _definitions(*defining)
            self._definitions[path] = found
        return found

    def stored_before(self, task: Task, name: str) -> bool:
        """Whether a task of ``task``'s own workflow that is sure to have finished before it stores ``name``
        (whatever its callers give, the workflow sets the value itself)."""
        if self.scope(task) is None:  # builds a deferred scope
            return False
        pending = self.scopes.get(id(task))
        return pending is not None and name in pending.finished.names

    def stored_below(self, task: Task) -> tuple[TypingMapping[str, Variable], str | None] | None:
        """What ``task`` and every task below it store, by name, and the first of them that stores names
        the files do not show (None if the task is not part of the analysed project)."""
        found = self.subtrees.get(id(task))
        return None if found is None else (MappingProxyType(found.names), found.unknown)


def project_scopes(project: ProjectModel, runtime_params: tuple[str, ...] = (),
                   earlier: ScopeIndex | None = None, moved: MovedTasks | None = None) -> ScopeIndex:
    """:func:`build_scopes`, built once per loaded project and runtime parameters (checks, completion,
    hover and definitions all ask for them); ``earlier``, ``moved``: see :func:`build_scopes`."""
    return project.memo(scope_key(runtime_params), lambda: build_scopes(project, runtime_params, earlier, moved))


def scope_key(runtime_params: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The key :func:`project_scopes` keeps its index under in ``ProjectModel.derived``."""
    return ("scopes", runtime_params)


def build_scopes(project: ProjectModel, runtime_params: tuple[str, ...] = (),
                 earlier: ScopeIndex | None = None, moved: MovedTasks | None = None) -> ScopeIndex:
    """Scopes for every task; called workflows start from their callers' scopes.

    ``earlier``: the index of a previous load of the same project with the same runtime parameters.
    Why: after a keystroke, working out what every task stores was most of the index's cost on a large
    workflow, while only the edited top-level task changed; the tasks an edit left as they were (the
    same objects), or ``moved`` (copies further down the file), take over what was found for them (see
    :func:`_collect_workflow`). The result is the same as without it (``tests/test_incremental.py``
    compares analyses)."""
    index = ScopeIndex()
    kept = earlier.collected if earlier is not None else {}
    order = callers_first(project)
    call_targets = {id(task): path for path, users in project.callers.items() for _, task in users}
    called: dict[str, _Stored] = {}
    contexts: dict[str, _Context] = {}
    for workflow in reversed(order):  # called workflows first: a call task's subtree holds what they store
        workdir = project.workdirs.get(workflow.path, os.path.dirname(workflow.path))
        ctx = _Context(project.files, project.root, workflow, workdir, is_scheduled(workflow), runtime_params,
                       scopes=index.scopes, call_targets=call_targets, called=called)
        fresh, remade = _collect_workflow(ctx, workflow.root, kept, moved)
        called[workflow.path] = ctx.subtree(workflow.root)
        contexts[workflow.path] = ctx
        index.collected.update((id(record.task), record) for record in _kept(ctx, workflow.root, fresh, remade, kept))
    for workflow in order:
        ctx = contexts[workflow.path]
        scheduled = ctx.scheduled
        ctx.all_stored = dict(ctx.subtree(workflow.root).names)
        base = _base_variables(scheduled, runtime_params)
        open_world = None
        if runs_in_callers(project, workflow):
            callers = [index.scope(task) for _, task in project.callers.get(workflow.path, [])]
            known = [scope for scope in callers if scope is not None]
            for scope in known:
                base.update(scope.variables)
            open_world = next((s.open_world for s in known if s.open_world), None)
            if not known:
                open_world = f"{workflow.name} is called by a workflow outside this analysis"
        ctx.deferring = index
        _build(ctx, workflow.root, base, _NOTHING, {}, open_world)
        ctx.deferring = None  # a deferred build works out everything below its task
        index.deferred_below(workflow)
        index.subtrees.update(ctx.subtree_memo)
        index._defining[workflow.path] = (workflow, ctx.all_stored)
    index.families = call_families(project)
    return index


def _definitions(workflow: Workflow, stored: dict[str, Variable]) -> dict[str, Variable]:
    """Every dotted name the workflow's tasks export or store, with its first definition."""
    definitions: dict[str, Variable] = {}
    for task in workflow.tasks():
        if task.config.entry("_export") is None:
            continue  # exports nothing (Task.export is empty), and reading that for every task cost an edit dearly
        for variable in export_variables(task.export.value, f"_export of {task.full_name}"):
            definitions.setdefault(variable.name, variable)
    for name, variable in stored.items():
        definitions.setdefault(name, variable)
    return definitions
