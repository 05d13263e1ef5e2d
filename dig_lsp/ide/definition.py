"""Go to definition and find references, as pure functions over the loaded project.

Definitions: a ``${var}`` jumps to where the variable is defined (the ``_export`` key, the task
that stores it, the loop operator), a file name (``td>: q.sql``, ``call>``, ``mail>`` bodies,
``!include``) to the file, a ``py>`` function to its ``def``/``class`` line, an ``_after`` entry to
the sibling task and ``require>: name`` to the project's ``name.dig``.

References: every ``${...}`` that reads a given variable definition (matched by the definition
site, so shadowing ``_export``s are told apart), and every ``_after`` entry naming a task.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dig_lsp.analysis.facts import Facts
from dig_lsp.analysis.resolve import Resolution, resolve_at
from dig_lsp.analysis.scope import Scope, Variable
from dig_lsp.analysis.sites import Site, SiteFinder
from dig_lsp.embedded.js import Reference, parse_expression
from dig_lsp.ide.locate import Location, contains, cursor, locate_at
from dig_lsp.model.files import FileReference, file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.text.span import Position, Span


@dataclass(frozen=True)
class ReferenceAt:
    """The ``${...}`` reference under the cursor: its site, its parse, and how it resolves."""

    site: Site
    reference: Reference
    span: Span
    scope: Scope | None
    resolution: Resolution | None

    @property
    def variable(self) -> Variable | None:
        """The definition the reference reaches, if the scope model knows one."""
        if self.resolution is None:
            return None
        if self.resolution.variable is not None:
            return self.resolution.variable
        if self.scope is not None and self.resolution.known:
            return self.scope.variables.get(".".join(self.resolution.known))
        return None

    @property
    def is_local(self) -> bool:
        """True when the name is an earlier key of the same mapping (it wins over the scope)."""
        return self.reference.path[0] in self.site.local_names


def reference_at(project: ProjectModel, location: Location | None, path: str, here: Position,
                 runtime_params: tuple[str, ...] = ()) -> ReferenceAt | None:
    """The variable reference of a ``${...}`` at ``here`` (a :func:`~dig_lsp.ide.locate.cursor` position) of
    ``path`` (None elsewhere); ``location`` is :func:`~dig_lsp.ide.locate.locate_at`'s for that position (the
    caller has it already)."""
    facts = Facts(project, runtime_params)
    for site in _sites_around(project, facts, location):
        if not contains(site.span, path, here):
            continue
        parsed = parse_expression(site.template.expression)
        for reference in parsed.references:
            span = site.source_span(reference.start, reference.end)
            if contains(span, path, here):
                scope = facts.scopes.scope(site.task)
                resolution = None if scope is None else resolve_at(site, reference, scope)
                return ReferenceAt(site, reference, span, scope, resolution)
        return None
    return None


def _sites_around(project: ProjectModel, facts: Facts, location: Location | None) -> Iterable[Site]:
    """The template sites that may hold the cursor: in a workflow, those of the task under the cursor (a
    value's templates are its task's sites; walking every site of a 30,000-line workflow cost 280 ms a hover,
    and sites past the template limit were never found); elsewhere, every site of the project (a rendered
    file's templates are the sites of the tasks that render it)."""
    if location is None:
        return facts.template_sites
    return SiteFinder(project).task_sites(location.workflow, location.task)


def file_start(path: str) -> Span:
    """An empty span at the start of a file: "open this file"."""
    return Span(path, Position(0, 0), Position(0, 0))


# --------------------------------------------------------------------------------- definitions


def definition(project: ProjectModel, path: str, offset: int, runtime_params: tuple[str, ...] = ()) -> list[Span]:
    """Where the thing at ``offset`` is defined; empty when nothing there has a definition."""
    here = cursor(project, path, offset)
    if here is None:
        return []
    found = _include_definition(project, path, here)
    if found:
        return found
    location = locate_at(project, path, here)
    found = (_file_definition(project, location, path, here) or _after_definition(location, path, here)
             or _require_definition(project, location, path, here))
    if found:
        return found
    at = reference_at(project, location, path, here, runtime_params)
    if at is None:
        return []
    if at.is_local:
        local = _local_entry(at.site, at.reference.path[0])
        return [] if local is None else [local.key_span]
    variable = at.variable
    return [] if variable is None or variable.span is None else [variable.span]


def _include_definition(project: ProjectModel, path: str, here: Position) -> list[Span]:
    return [file_start(ref.target) for ref in project.includes
            if ref.target is not None and contains(ref.span, path, here)][:1]


def _task_files(project: ProjectModel, workflow: Workflow, task: Task) -> Iterator[FileReference]:
    op = operator_task(task)
    if op is None:
        return
    workdir = project.workdirs.get(workflow.path, project.root)
    yield from file_references(op, workdir, project.root)


def _file_definition(project: ProjectModel, location: Location | None, path: str, here: Position) -> list[Span]:
    if location is None:
        return []
    for ref in _task_files(project, location.workflow, location.task):
        if not ref.inside or not contains(ref.span, path, here):
            continue
        if project.files.source(ref.path) is None:
            return []
        if ref.kind == "python-module":
            return [python_definition(project, ref)]
        return [file_start(ref.path)]
    return []


def python_definition(project: ProjectModel, ref: FileReference) -> Span:
    """The ``def``/``class`` line a ``py>: module.[Class.]function`` names (else the module's start)."""
    source = project.files.source(ref.path)
    if source is None:
        return file_start(ref.path)
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError):
        return file_start(ref.path)
    parts = ref.written.split(".")
    node = _named(tree.body, parts[-1])
    if node is None and len(parts) >= 3:
        owner = _named(tree.body, parts[-2])
        if isinstance(owner, ast.ClassDef):
            node = _named(owner.body, parts[-1]) or owner
    if node is None:
        return file_start(ref.path)
    line = node.lineno - 1
    text = source.line_text(line)
    match = re.search(rf"\b(?:def|class)\s+({re.escape(node.name)})\b", text)
    start = source.offset(Position(line, match.start(1) if match else 0))
    return source.span(start, start + (len(node.name) if match else 0))


def _named(body: list[ast.stmt], name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None:
    found = None
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == name:
            found = statement  # the last definition wins, as in Python
    return found


def parent_of(workflow: Workflow, task: Task) -> Task | None:
    """The task that holds ``task`` as a ``+child`` or special subtask."""
    for candidate in workflow.tasks():
        if any(child is task for child in (*candidate.children, *candidate.specials)):
            return candidate
    return None


def _after_item(location: Location, path: str, here: Position) -> Scalar | None:
    if location.top_key != "_after" or len(location.entries) != 1:
        return None
    node = location.entries[0].value
    items = node.items if isinstance(node, Sequence) else (node,)
    for item in items:
        if isinstance(item, Scalar) and isinstance(item.value, str) and contains(item.span, path, here):
            return item
    return None


def _sibling(location: Location, name: str) -> Task | None:
    parent = parent_of(location.workflow, location.task)
    if parent is None:
        return None
    return next((child for child in parent.children if child.name == name and child is not location.task), None)


def _after_definition(location: Location | None, path: str, here: Position) -> list[Span]:
    item = None if location is None else _after_item(location, path, here)
    if location is None or item is None:
        return []
    sibling = _sibling(location, str(item.value))
    return [] if sibling is None else [sibling.key_span]


def _require_definition(project: ProjectModel, location: Location | None, path: str, here: Position) -> list[Span]:
    if location is None:
        return []
    use = location.task.operator
    command = None if use is None else use.command
    if use is None or use.name != "require" or not isinstance(command, Scalar) or not contains(command.span, path,
                                                                                                here):
        return []
    if location.task.config.get("project_name") is not None or location.task.config.get("project_id") is not None:
        return []  # a workflow of another project
    name = command.value
    if not isinstance(name, str) or not name.strip() or "${" in name or "/" in name or name.startswith("."):
        return []
    target = os.path.join(project.root, name.strip() + ".dig")
    return [file_start(target)] if project.files.source(target) is not None else []


def _local_entry(site: Site, name: str) -> Entry | None:
    """The earlier key of the site's own task that a local name reads (the last one before the site).

    A template in a rendered file (``td>: q.sql``) sees every key of its task.
    """
    if site.node is None:
        return site.task.config.entry(name)
    best: Entry | None = None
    stack: list[Node] = [site.task.config]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for entry in node.entries:
                if entry.key.startswith("+"):
                    continue
                if (entry.key == name and entry.key_span.path == site.span.path
                        and entry.key_span.end <= site.span.start
                        and (best is None or entry.key_span.start > best.key_span.start)):
                    best = entry
                stack.append(entry.value)
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    return best


# --------------------------------------------------------------------------------- references


@dataclass(frozen=True)
class _VariableTarget:
    name: str
    span: Span


def references(project: ProjectModel, path: str, offset: int, include_declaration: bool = True,
               runtime_params: tuple[str, ...] = ()) -> list[Span]:
    """Every use of the variable or task at ``offset`` (its definition too, if asked)."""
    here = cursor(project, path, offset)
    if here is None:
        return []
    location = locate_at(project, path, here)
    task = task_at(location, path, here)
    if task is not None and location is not None:
        return _task_references(location.workflow, task, include_declaration)
    target = _export_key_target(location, path, here)
    if target is None:
        at = reference_at(project, location, path, here, runtime_params)
        variable = None if at is None or at.is_local else at.variable
        if variable is None or variable.span is None:
            return []
        target = _VariableTarget(variable.name, variable.span)
    found = list(_variable_references(project, target, runtime_params))
    return ([target.span] if include_declaration else []) + found


def task_at(location: Location | None, path: str, here: Position) -> Task | None:
    """The task whose key is under the cursor (at ``here``), or the sibling an ``_after`` entry names."""
    if location is None:
        return None
    if not location.entries and contains(location.task.key_span, path, here):
        return location.task
    item = _after_item(location, path, here)
    return None if item is None else _sibling(location, str(item.value))


def _task_references(workflow: Workflow, task: Task, include_declaration: bool) -> list[Span]:
    found = [task.key_span] if include_declaration else []
    parent = parent_of(workflow, task)
    for sibling in () if parent is None else parent.children:
        found.extend(item.span for item in sibling.after_references() if item.name == task.name)
    return found


def _export_key_target(location: Location | None, path: str, here: Position) -> _VariableTarget | None:
    """A key written under ``_export`` (``td:`` or ``database:`` of ``_export: {td: {database: x}}``)."""
    if location is None or location.top_key != "_export" or len(location.entries) < 2 or not location.on_key:
        return None
    last = location.entries[-1]
    if not contains(last.key_span, path, here):
        return None
    return _VariableTarget(".".join(entry.key for entry in location.entries[1:]), last.key_span)


def _variable_references(project: ProjectModel, target: _VariableTarget,
                         runtime_params: tuple[str, ...]) -> Iterator[Span]:
    parts = tuple(target.name.split("."))
    facts = Facts(project, runtime_params)
    scopes = facts.scopes
    for site in facts.template_sites:
        if parts[0] not in site.template.expression or parts[0] in site.local_names:
            continue
        scope = scopes.scope(site.task)
        visible = None if scope is None else scope.variables.get(target.name)
        if visible is None or visible.span != target.span:
            continue
        for reference in parse_expression(site.template.expression).references:
            if reference.path[: len(parts)] != parts:
                continue
            expression = site.template.expression
            written = expression[reference.start: reference.start + len(target.name)]
            end = reference.start + len(target.name) if written == target.name else reference.end
            yield site.source_span(reference.start, end)
