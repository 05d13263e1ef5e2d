"""Rename, as pure functions over the loaded project: an ``_export`` variable or a task.

* **An ``_export`` variable** (a key at any depth of an ``_export`` mapping, from the key or from a
  ``${...}`` that reads it): the key, and every ``${...}`` -- in ``.dig`` values and in the files
  operators render (SQL, mail bodies, yml configs) -- whose binding, in the scope model
  (:mod:`dig_lsp.analysis.scope`), is that very definition. A ``${x}`` that reads another definition of
  ``x`` (a shadowing ``_export``, another caller's) is left alone.
* **A task** (``+name``, from its key or from an ``_after`` entry naming it): the key and the
  ``_after`` entries of its siblings that name it.

A rename that cannot be done safely is refused with the reason (:class:`RenameRefused`), never done
in part: a new name that is not an identifier ``${...}`` can read, or that something in scope already
uses; a use whose binding depends on which caller runs the workflow or which task renders the file; a
name an operator reads by itself (``_export: {td: {database: x}}`` is td>'s ``database``; a top-level
``database`` is td>'s parameter; a ``py>`` function argument, an ``sh>`` environment variable its
command reads); a use written in a form that cannot be edited as text (``a["b"]``, YAML escapes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.analysis.facts import Facts
from dig_lsp.analysis.scope import Origin, Scope, ScopeIndex
from dig_lsp.analysis.sites import Site
from dig_lsp.diagnostics import TextEdit
from dig_lsp.embedded.js import Reference, parse_expression
from dig_lsp.ide.definition import parent_of, reference_at, task_at
from dig_lsp.ide.locate import Location, contains, cursor, locate_at
from dig_lsp.model.builtins import builtin_names
from dig_lsp.model.calls import runs_in_callers
from dig_lsp.model.catalog import catalog
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import OperatorTask, operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.python_targets import resolve as python_target
from dig_lsp.model.workflow import Task, TaskRole, Workflow
from dig_lsp.syntax.nodes import Entry, Mapping, Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position, Span


class RenameRefused(Exception):
    """Why the thing under the cursor cannot be renamed (the editor shows the message)."""


@dataclass(frozen=True)
class RenameTarget:
    """What a rename at a position changes: the text the user edits and what it says now."""

    span: Span
    name: str


# ES5 reserved words and literals: a ${...} cannot name a variable so
_JS_RESERVED = frozenset({
    "break", "case", "catch", "continue", "debugger", "default", "delete", "do", "else", "finally", "for",
    "function", "if", "in", "instanceof", "new", "return", "switch", "this", "throw", "try", "typeof", "var",
    "void", "while", "with", "class", "const", "enum", "export", "extends", "import", "super", "implements",
    "interface", "let", "package", "private", "protected", "public", "static", "yield", "null", "true", "false",
})
_JS_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_TASK_NAME = re.compile(r"[a-zA-Z_0-9\-=\[\]{}%&@`,.^]+")  # after the '+' (digdag's ModelValidator)
_FLOW_CHARS = frozenset("[]{},")
MAX_TASK_NAME = 255


def prepare_rename(project: ProjectModel, path: str, offset: int,
                   runtime_params: tuple[str, ...] = ()) -> RenameTarget | None:
    """What a rename at ``offset`` would change (None where nothing can be renamed; refused with the
    reason where something is, but not safely)."""
    here = cursor(project, path, offset)
    if here is None:
        return None
    location = locate_at(project, path, here)
    task = _task_target(location, path, here)
    if task is not None:
        return RenameTarget(_name_span(project, task.key_span, task.name[1:]), task.name[1:])
    variable = _variable_target(project, location, path, here, runtime_params)
    if variable is None:
        return None
    return RenameTarget(variable.edit_span(project), variable.last)


def rename(project: ProjectModel, path: str, offset: int, new_name: str,
           runtime_params: tuple[str, ...] = ()) -> list[TextEdit]:
    """The edits that rename what is at ``offset`` to ``new_name`` (empty when nothing is there)."""
    here = cursor(project, path, offset)
    if here is None:
        return []
    location = locate_at(project, path, here)
    task = _task_target(location, path, here)
    if task is not None and location is not None:
        return _rename_task(project, location.workflow, task, new_name)
    variable = _variable_target(project, location, path, here, runtime_params)
    if variable is None:
        return []
    return _rename_variable(project, variable, new_name.strip(), runtime_params)


def _name_span(project: ProjectModel, span: Span, name: str) -> Span:
    """The characters of ``name`` inside ``span``: a key or item written plain or quoted, with or without
    the task's '+'; refused when it is written otherwise (escapes)."""
    source = project.files.source(span.path)
    start, end = (0, 0) if source is None else source.offsets(span)
    written = "" if source is None else source.text[start:end]
    if len(written) >= 2 and written[0] in "'\"" and written[-1] == written[0]:
        written, start = written[1:-1], start + 1
    if written.startswith("+") and written != name:
        written, start = written[1:], start + 1
    if source is None or written != name:
        raise RenameRefused(f"'{excerpt(name, 40)}' is not written as plain text at {_where(span)} (escapes?), so "
                            "it cannot be renamed")
    return source.span(start, start + len(name))


# --------------------------------------------------------------------------------------------- tasks


def _task_target(location: Location | None, path: str, here: Position) -> Task | None:
    task = task_at(location, path, here)
    if task is None:
        return None
    if task.role is not TaskRole.CHILD or not task.name.startswith("+"):
        raise RenameRefused(f"{task.full_name} is not a +task; only +tasks and _export variables can be renamed")
    return task


def _rename_task(project: ProjectModel, workflow: Workflow, task: Task, new_name: str) -> list[TextEdit]:
    new = new_name.strip().removeprefix("+")
    old = task.name[1:]
    parent = parent_of(workflow, task)
    _check_task_name(new, parent is not None and parent.role is TaskRole.ROOT)
    siblings = () if parent is None else parent.children
    if any(sibling is not task and sibling.name == f"+{new}" for sibling in siblings):
        raise RenameRefused(f"{task.full_name.rsplit('+', 1)[0]} already has a task '+{new}'")
    if new == old:
        return []
    edits = [_replace(project, task.key_span, old, new)]
    for sibling in siblings:
        edits.extend(_replace(project, item.span, old, new) for item in sibling.after_references()
                     if item.name == task.name)
    return edits


def _check_task_name(new: str, top_level: bool) -> None:
    if not new or not _TASK_NAME.fullmatch(new):
        raise RenameRefused(f"'+{excerpt(new, 40)}' is not a valid task name: after the '+' use letters, digits and "
                            "_ - = [ ] { } % & @ , . ^ `")
    if top_level and "^" in new:
        raise RenameRefused("a top-level task name cannot contain '^'")
    if len(new) + 1 > MAX_TASK_NAME:
        raise RenameRefused(f"a task name has at most {MAX_TASK_NAME} characters")


def _replace(project: ProjectModel, span: Span, old: str, new: str) -> TextEdit:
    """Replace ``old`` inside the key or item at ``span``; a plain one that needs quotes gets them."""
    inner = _name_span(project, span, old)
    source = project.files.source(span.path)
    assert source is not None
    start, end = source.offsets(span)
    written = source.text[start:end]
    quoted = written[:1] in ("'", '"')
    if not quoted and _FLOW_CHARS & set(new):
        whole = source.span(start, end)
        return TextEdit(whole, '"' + written.replace(old, new) + '"')
    return TextEdit(inner, new)


# ----------------------------------------------------------------------------------------- variables


@dataclass(frozen=True)
class _Variable:
    """An ``_export`` key: its dotted name, the span of its key, its entry and the mapping holding it."""

    name: str
    span: Span
    entry: Entry
    mapping: Mapping
    task: Task
    workflow: Workflow

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    @property
    def last(self) -> str:
        return self.parts[-1]

    def edit_span(self, project: ProjectModel) -> Span:
        return _name_span(project, self.span, self.last)


def _variable_target(project: ProjectModel, location: Location | None, path: str, here: Position,
                     runtime_params: tuple[str, ...]) -> _Variable | None:
    """The ``_export`` key under the cursor, or the one a ``${...}`` segment under the cursor reads."""
    if location is not None and location.top_key == "_export" and location.on_key and len(location.entries) >= 2:
        last = location.entries[-1]
        if contains(last.key_span, path, here):
            holder = location.entries[-2].value
            assert isinstance(holder, Mapping)
            name = ".".join(entry.key for entry in location.entries[1:])
            return _checked(_Variable(name, last.key_span, last, holder, location.task, location.workflow))
    at = reference_at(project, location, path, here, runtime_params)
    if at is None or at.scope is None:
        return None
    if at.is_local:
        raise RenameRefused(f"'{at.reference.path[0]}' here is an earlier key of the same task, not an _export "
                            "variable")
    segment = _segment_at(at.site, at.reference, here)
    prefix = _reading(at.site, at.reference, at.scope)
    name = ".".join((*prefix, *at.reference.path[: segment + 1]))
    variable = at.scope.variables.get(name)
    if variable is None:
        raise RenameRefused(f"'{excerpt(name, 40)}' is not defined where this task runs, so it cannot be renamed")
    if variable.origin is not Origin.EXPORT or variable.span is None:
        raise RenameRefused(f"'{excerpt(name, 40)}' is {variable.origin.value} ({variable.detail}); only _export "
                            "variables and tasks can be renamed")
    found = _export_entry(project, variable.span)
    if found is None:
        raise RenameRefused(f"the _export of '{excerpt(name, 40)}' could not be found")
    return _checked(_Variable(name, variable.span, *found))


def _checked(variable: _Variable) -> _Variable:
    """Refuse a key that is no variable of the user's: a directive, or a plugin declaration."""
    if any(part.startswith("_") for part in variable.parts) or variable.parts[0] == "plugin":
        raise RenameRefused(f"'{excerpt(variable.name, 40)}' is read by digdag itself, not a variable of yours")
    return variable


def _segment_at(site: Site, reference: Reference, here: Position) -> int:
    """Which segment of a dotted reference (``a.b.c``) the cursor (at ``here`` of the site's file) is on
    (the last when it is written in another form)."""
    expression = site.template.expression
    position = reference.start
    for index, part in enumerate(reference.path):
        if expression[position:position + len(part)] != part:
            break
        span = site.source_span(position, position + len(part))
        if span.start <= here <= span.end:
            return index
        position += len(part) + 1
    return len(reference.path) - 1


def _reading(site: Site, reference: Reference, scope: Scope) -> tuple[str, ...]:
    """The namespace an operator puts in front of the reference when it renders its file (``td`` for
    ``${database}`` in a td> query), as :func:`dig_lsp.analysis.resolve.resolve_at` reads it."""
    for default in site.defaults:
        prefix = tuple(default.split("."))
        head = (*prefix, reference.path[0])
        if scope.variables.get(".".join(head)) is not None or scope.is_namespace(head):
            return prefix
    return ()


def _export_entry(project: ProjectModel, span: Span) -> tuple[Entry, Mapping, Task, Workflow] | None:
    """The ``_export`` entry whose key is at ``span``, with its mapping, task and workflow."""
    for workflow in project.workflows:
        for task in workflow.tasks():
            stack = [task.export.value]
            while stack:
                mapping = stack.pop()
                for entry in mapping.entries:
                    if entry.key_span == span:
                        return entry, mapping, task, workflow
                    if isinstance(entry.value, Mapping):
                        stack.append(entry.value)
    return None


def _rename_variable(project: ProjectModel, variable: _Variable, new: str,
                     runtime_params: tuple[str, ...]) -> list[TextEdit]:
    _check_identifier(new)
    if new == variable.last:
        return []
    new_name = ".".join((*variable.parts[:-1], new))
    if variable.mapping.get(new) is not None:
        raise RenameRefused(f"this _export already has a key '{excerpt(new, 40)}'")
    facts = Facts(project, runtime_params)
    scopes = facts.scopes
    _check_implicit_reads(project, variable, scopes)
    _check_collisions(project, variable, new_name, scopes)
    edits = [TextEdit(variable.edit_span(project), new)]
    edits.extend(_use_edits(facts, variable, new))
    return edits


def _check_identifier(new: str) -> None:
    if not _JS_IDENTIFIER.fullmatch(new) or new in _JS_RESERVED:
        raise RenameRefused(f"'{excerpt(new, 40)}' is not a name ${{...}} can read: use letters, digits, '_' and '$', "
                            "not starting with a digit (and no JavaScript keyword)")
    if new.startswith("_"):
        raise RenameRefused(f"'{excerpt(new, 40)}' starts with '_', as digdag's directives do; choose another name")


def _tasks_seeing(project: ProjectModel, variable: _Variable,
                  scopes: ScopeIndex) -> Iterator[tuple[Workflow, Task, Scope]]:
    """Every task of the project whose scope holds ``variable`` (this definition, not another of its name)."""
    for workflow in project.workflows:
        for task in workflow.tasks():
            scope = scopes.scope(task)
            seen = None if scope is None else scope.variables.get(variable.name)
            if scope is not None and seen is not None and seen.span == variable.span:
                yield workflow, task, scope


def _check_implicit_reads(project: ProjectModel, variable: _Variable, scopes: ScopeIndex) -> None:
    """Refuse a name an operator reads without a ``${...}``: the rename would silently change what it gets."""
    for spec in catalog():
        for namespace in spec.namespaces:
            if variable.name == namespace or variable.name.startswith(namespace + ".") or \
                    namespace.startswith(variable.name + "."):
                raise RenameRefused(f"'{excerpt(variable.name, 40)}' is in `_export: {namespace}:`, which "
                                    f"{spec.name}> reads by that name")
    if len(variable.parts) != 1:
        return
    name = variable.name
    for workflow, task, _ in _tasks_seeing(project, variable, scopes):
        op = operator_task(task)
        if op is None:
            continue
        workdir = project.workdirs.get(workflow.path, project.root)
        if name in op.spec.parameters:
            raise RenameRefused(f"{op.spec.name}> task {task.full_name} reads '{name}' as its parameter")
        if op.spec.name == "py" and _python_argument(project, op.command, workdir, name):
            raise RenameRefused(f"py> task {task.full_name} passes '{name}' to its function's argument of that name")
        if op.spec.name == "sh" and _shell_reads(project, op, workdir, name):
            raise RenameRefused(f"sh> task {task.full_name} reads '{name}' as the environment variable ${name}")


def _python_argument(project: ProjectModel, command: object, workdir: str, name: str) -> bool:
    if not isinstance(command, Scalar) or not isinstance(command.value, str) or "${" in command.value:
        return False
    target = python_target(command.value.strip(), workdir, project.files.reader)
    signature = None if target is None else target.signature
    return signature is not None and (name in signature.required or name in signature.optional)


def _shell_reads(project: ProjectModel, op: OperatorTask, workdir: str, name: str) -> bool:
    """Whether the command line, or a script of the project it runs, reads ``$name``."""
    pattern = re.compile(rf"\$(?:\{{{re.escape(name)}\b|{re.escape(name)}\b)")
    command = op.command
    texts = [command.value] if isinstance(command, Scalar) and isinstance(command.value, str) else []
    for ref in file_references(op, workdir, project.root):
        source = project.files.source(ref.path) if ref.inside else None
        if source is not None:
            texts.append(source.text)
    return any(pattern.search(text) for text in texts)


def _check_collisions(project: ProjectModel, variable: _Variable, new_name: str, scopes: ScopeIndex) -> None:
    """Refuse a new name that is already visible where this definition is (it would shadow, or be shadowed)."""
    if len(variable.parts) == 1 and new_name in builtin_names(True):
        raise RenameRefused(f"'{new_name}' is set by digdag for every task")
    for _, task, scope in _tasks_seeing(project, variable, scopes):
        other = scope.variables.get(new_name)
        if other is not None or scope.is_namespace(tuple(new_name.split("."))):
            where = f" ({other.detail})" if other is not None else ""
            raise RenameRefused(f"'{excerpt(new_name, 40)}' is already defined for {task.full_name}{where}")


def _use_edits(facts: Facts, variable: _Variable, new: str) -> Iterator[TextEdit]:
    """Every ``${...}`` reading this definition, renamed; refused when one binding depends on the context."""
    bindings: dict[tuple[Span, int, int], set[bool]] = {}
    edits: dict[tuple[Span, int, int], TextEdit] = {}
    for site in facts.template_sites:
        if variable.last not in site.template.expression:
            continue
        scope = facts.scopes.scope(site.task)
        if scope is None:
            continue
        for reference in parse_expression(site.template.expression).references:
            if reference.path[0] in site.local_names:
                continue
            segment, reads = _binding(facts.project, variable, site, reference, scope, facts.scopes)
            if segment is None:
                continue
            key = (site.span, reference.start, segment)
            bindings.setdefault(key, set()).add(reads)
            if reads and key not in edits:
                edits[key] = _use_edit(site, reference, segment, variable.last, new)
    for key, seen in bindings.items():
        if True in seen and False in seen:
            span = key[0]
            raise RenameRefused(f"the ${{...}} at {_where(span)} reads this definition in one context and another one "
                                "in another (a file rendered by several tasks)")
    yield from edits.values()


def _binding(project: ProjectModel, variable: _Variable, site: Site, reference: Reference, scope: Scope,
             scopes: ScopeIndex) -> tuple[int | None, bool]:
    """Which segment of ``reference`` names the variable's key (None when it does not name that dotted name),
    and whether the definition it reads there is this one."""
    prefix = _reading(site, reference, scope)
    full = (*prefix, *reference.path)
    parts = variable.parts
    if full[: len(parts)] != parts:
        return None, False
    segment = len(parts) - 1 - len(prefix)
    bound = scope.variables.get(variable.name)
    reads = bound is not None and bound.span == variable.span
    outside = bound is not None and bound.span is not None and bound.span.path not in _files_of(site.workflow)
    if outside and runs_in_callers(project, site.workflow):
        reads = _callers_agree(project, variable, site, scopes, reads)
    if reads and segment < 0:
        raise RenameRefused(f"the ${{...}} at {_where(site.span)} reads '{variable.name}' through "
                            f"{site.task.operator.name if site.task.operator else 'its operator'}>'s "
                            f"`{'.'.join(prefix)}` namespace")
    return (segment if segment >= 0 else None), reads


def _callers_agree(project: ProjectModel, variable: _Variable, site: Site, scopes: ScopeIndex, reads: bool) -> bool:
    """For a workflow run by ``call>``: the definition each caller gives; refused when they differ and one of
    them is this one (renaming the use would break it for the others)."""
    spans = set()
    for _, caller in project.callers.get(site.workflow.path, []):
        scope = scopes.scope(caller)
        bound = None if scope is None else scope.variables.get(variable.name)
        spans.add(None if bound is None else bound.span)
    if variable.span in spans and len(spans) > 1:
        raise RenameRefused(f"the ${{...}} at {_where(site.span)} reads this definition when one caller runs "
                            f"{site.workflow.name}, and another one (or none) when another does")
    return variable.span in spans if spans else reads


def _files_of(workflow: Workflow) -> frozenset[str]:
    """The files a workflow's tasks are written in (its own, and what it includes)."""
    return frozenset(path for task in workflow.tasks() for path in (task.key_span.path, task.config.span.path))


def _use_edit(site: Site, reference: Reference, segment: int, old: str, new: str) -> TextEdit:
    """Replace the segment of a dotted reference written as plain text (``a.b``), else refuse."""
    expression = site.template.expression
    written = ".".join(reference.path[:segment + 1])
    start = reference.start + len(written) - len(old)
    if expression[reference.start:reference.start + len(written)] != written:
        raise RenameRefused(f"the ${{...}} at {_where(site.span)} is not written as a plain dotted name "
                            f"('{excerpt(written, 40)}'), so it cannot be renamed as text")
    span = site.source_span(start, start + len(old))
    if site.source.slice(span) != old:
        raise RenameRefused(f"the ${{...}} at {_where(site.span)} writes '{old}' with escapes, so it cannot be "
                            "renamed as text")
    return TextEdit(span, new)


def _where(span: Span) -> str:
    return f"{os.path.basename(span.path)}:{span.start.line + 1}:{span.start.column + 1}"
