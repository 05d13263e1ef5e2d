"""A project loaded into memory: its workflows, the files they reach, and loading problems.

Top-level ``*.dig`` files are workflows; ``call>`` targets are loaded the way digdag's
``CallOperatorFactory`` loads them (``.dig`` appended when missing, resolved against the
calling workflow's ``_workdir``: the project root, or the called file's own directory).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from dig_lsp.model.workflow import Task, Workflow, build_workflow
from dig_lsp.syntax.include import IncludeRef, IncludeResolver, ResolvedTree
from dig_lsp.syntax.nodes import Mapping, Scalar
from dig_lsp.syntax.parsed_files import ParseCache, ParsedFiles
from dig_lsp.syntax.problems import LINKED_OUT, SyntaxProblem
from dig_lsp.syntax.recover import recovered_entries
from dig_lsp.text.files import (
    LINKED_OUT_WORDS,
    FileReader,
    ProjectReader,
    is_inside,
    linked_out,
    project_directory_names,
    unreadable_reason,
)
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

T = TypeVar("T")

CALL_NOT_FOUND = "call-target-not-found"
CALL_OUTSIDE = "call-outside-project"


@dataclass(frozen=True, slots=True)
class CallRef:
    """A ``call>`` whose target is known statically."""

    name: str
    span: Span
    target: str | None
    linked_out: bool = False  # inside the project as written, outside through a symbolic link (not read)


@dataclass
class ProjectModel:
    """Everything loaded for one project."""

    root: str
    files: ParsedFiles
    workflows: list[Workflow] = field(default_factory=list)
    trees: dict[str, ResolvedTree] = field(default_factory=dict)
    problems: list[SyntaxProblem] = field(default_factory=list)
    calls: list[CallRef] = field(default_factory=list)
    # call> target path -> the (workflow, task) pairs that call it
    callers: dict[str, list[tuple[Workflow, Task]]] = field(default_factory=dict)
    # workflow path -> its `_workdir` (project root, or a called file's own folder)
    workdirs: dict[str, str] = field(default_factory=dict)
    # what is derived from the loaded model on demand (scopes...), kept with it: the language server
    # answers several requests from one loaded model, and each would otherwise derive it again
    derived: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: object, factory: Callable[[], T]) -> T:
        """``factory()``, computed once per model and key (the model is not changed after loading)."""
        if key not in self.derived:
            self.derived[key] = factory()
        return cast(T, self.derived[key])

    @property
    def includes(self) -> list[IncludeRef]:
        """Every ``!include`` of every loaded workflow file."""
        return [ref for tree in self.trees.values() for ref in tree.includes]

    def reached_files(self) -> set[str]:
        """Files reached through ``call>`` or ``!include`` (not top-level workflows)."""
        reached = {ref.target for ref in self.calls if ref.target}
        reached |= {ref.target for ref in self.includes if ref.target}
        return reached

    def workflow(self, path: str) -> Workflow | None:
        """The loaded workflow of a file path."""
        return next((wf for wf in self.workflows if wf.path == path), None)


def workflow_name(path: str) -> str:
    """digdag's workflow name: the file name without ``.dig``."""
    base = os.path.basename(path)
    return base[: -len(".dig")] if base.endswith(".dig") else base


def load_project(root: str, workflow_paths: list[str], reader: FileReader,
                 cache: ParseCache | None = None, earlier: ProjectModel | None = None) -> ProjectModel:
    """Load the given top-level workflows of ``root`` and every workflow they call (files whose
    content ``cache`` already parsed are not parsed again; tasks whose nodes ``earlier``, a previous
    load of the project, already compiled are taken over). A given path below a sub-folder is a piece of
    the project that nothing in it calls (:mod:`dig_lsp.model.targets`): digdag only runs the ``.dig``
    files at the top of a project, so it runs through a call the files do not show, in a context that
    cannot be known, with its own folder as ``_workdir``.

    Whatever ``reader`` is, nothing outside ``root`` is read: the model reads through a
    :class:`ProjectReader`, also what is read on the model's behalf later (``py>`` modules...)."""
    model = ProjectModel(root, ParsedFiles(ProjectReader(root, reader), cache))
    resolver = IncludeResolver(model.files, root)
    pending: list[tuple[str, str, tuple[Span, ...] | None]] = [
        (path, root, ()) if os.path.dirname(path) == root else (path, os.path.dirname(path), None)
        for path in workflow_paths]
    seen: set[str] = set()
    while pending:
        path, workdir, callers = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        workflow = _load_workflow(model, resolver, path, callers, earlier)
        if workflow is None:
            # a workflow that does not parse still calls what its readable entries call: those run in a
            # context that cannot be known (not as if they ran alone)
            for recovered in _recovered_calls(model, path, workdir, root):
                model.calls.append(recovered)
                if recovered.target is not None and model.files.source(recovered.target) is not None:
                    pending.append((recovered.target, os.path.dirname(recovered.target), (recovered.span,)))
            continue
        model.workdirs[path] = workdir
        for task in workflow.call_tasks():
            ref = _call_ref(task, workdir, root)
            if ref is None:
                command = _call_command(task)
                if command is not None:
                    for target in _templated_call_targets(model, command, workdir, root):
                        # run by a call whose target is only known at run time: in a context that cannot be known
                        model.calls.append(CallRef(str(command.value), command.span, target))
                        pending.append((target, os.path.dirname(target), (command.span,)))
                continue
            model.calls.append(ref)
            problem = _check_call(model, ref)
            if problem is not None:
                model.problems.append(problem)
            elif ref.target is not None:
                model.callers.setdefault(ref.target, []).append((workflow, task))
                pending.append((ref.target, os.path.dirname(ref.target), (ref.span,)))
    return model


def _load_workflow(model: ProjectModel, resolver: IncludeResolver, path: str,
                   callers: tuple[Span, ...] | None, earlier: ProjectModel | None) -> Workflow | None:
    """``callers``: the spans of the calls that reach the workflow; () for a top-level workflow, None for
    a piece that a call the files do not show runs (its own start stands for that call)."""
    tree = resolver.resolve(path)
    model.trees[path] = tree
    model.problems.extend(tree.problems)
    source = model.files.source(path)
    if source is None or not isinstance(tree.root, Mapping):
        return None
    if callers is None:
        callers = (source.span(0, 0),)
    workflow = build_workflow(workflow_name(path), path, tree.root, source.span(0, 0),
                              earlier.workflow(path) if earlier is not None else None)
    if callers:
        workflow = Workflow(workflow.name, workflow.path, workflow.root, callers)
    model.workflows.append(workflow)
    return workflow


def _recovered_calls(model: ProjectModel, path: str, workdir: str, root: str) -> list[CallRef]:
    """The ``call>`` edges of the top-level entries of a file that does not parse as a whole."""
    source = model.files.source(path)
    if source is None or "call>" not in source.text:
        return []
    entries = recovered_entries(source)
    if not entries:
        return []
    partial = build_workflow(workflow_name(path), path, Mapping(entries, source.span(0, 0)), source.span(0, 0))
    return [ref for task in partial.tasks() if (ref := _call_ref(task, workdir, root)) is not None]


def _call_command(task: Task) -> Scalar | None:
    """The text value of a ``call>`` task's command (the workflow file it names), if it has one."""
    operator = task.operator
    if operator is None or operator.name != "call" or not isinstance(operator.command, Scalar):
        return None
    return operator.command if isinstance(operator.command.value, str) else None


def _call_ref(task: Task, workdir: str, root: str) -> CallRef | None:
    command = _call_command(task)
    if command is None:
        return None
    name = str(command.value)
    if "${" in name or not name.strip():
        return None
    file_name = name if name.endswith(".dig") else name + ".dig"
    target = os.path.normpath(os.path.join(workdir, file_name))
    inside = not os.path.isabs(file_name) and is_inside(target, root)
    return CallRef(name, command.span, target if inside else None,
                   not inside and not os.path.isabs(file_name) and linked_out(target, root))


_TEMPLATE = re.compile(r"\$\{[^}]*\}")
_MAX_TEMPLATED_TARGETS = 200


def _templated_call_targets(model: ProjectModel, command: Scalar, workdir: str, root: str) -> list[str]:
    """The workflows a ``call>`` with ``${...}`` in its file name may run (``call>: sub/${name}.dig``): the
    ``.dig`` files below the folder its literal start names whose paths fit the pattern (a template stands
    for any text, '/' included). digdag runs the evaluated name relative to the task's ``_workdir``
    (``CallOperatorFactory``), so those files are workflows of this project, run inside the calling task
    with parameters that cannot be known."""
    name = str(command.value)
    if "${" not in name or os.path.isabs(name):
        return []
    file_name = name if name.endswith(".dig") else name + ".dig"
    literal_start = file_name[: file_name.index("${")]
    cut = literal_start.rfind("/") + 1
    folder = os.path.normpath(os.path.join(workdir, file_name[:cut]))
    if not is_inside(folder, root):
        return []
    pattern = re.compile(".*".join(re.escape(part) for part in _TEMPLATE.split(file_name[cut:])), re.DOTALL)
    found = []
    for relative in _dig_files_below(folder, root):
        target = os.path.join(folder, relative)
        if pattern.fullmatch(relative) and model.files.source(target) is not None:
            found.append(target)
            if len(found) >= _MAX_TEMPLATED_TARGETS:
                break
    return found


_MAX_FOLDERS_LISTED = 64  # a templated call> lists at most this many folders (hostile trees stay cheap)


def _dig_files_below(folder: str, root: str, depth: int = 3) -> list[str]:
    """The ``.dig`` files in ``folder`` and its sub-folders (``depth`` levels, at most
    ``_MAX_FOLDERS_LISTED`` folders, each listing bounded), relative to it, in a stable order."""
    found: list[str] = []
    queue = [("", depth)]
    listed = 0
    while queue and listed < _MAX_FOLDERS_LISTED:
        relative, left = queue.pop(0)
        listed += 1
        here = os.path.join(folder, relative) if relative else folder
        prefix = f"{relative}/" if relative else ""
        found.extend(prefix + n for n in sorted(project_directory_names(here, root, directories=False))
                     if n.endswith(".dig"))
        if left > 0:
            subs = sorted(project_directory_names(here, root, directories=True))
            queue.extend((prefix + sub, left - 1) for sub in subs)
    return found


def _check_call(model: ProjectModel, ref: CallRef) -> SyntaxProblem | None:
    if ref.linked_out:
        return SyntaxProblem(LINKED_OUT, f"call> target {excerpt(ref.name)!r} {LINKED_OUT_WORDS}", ref.span)
    if ref.target is None:
        return SyntaxProblem(
            CALL_OUTSIDE,
            f"call> target {excerpt(ref.name)!r} is outside the project",
            ref.span,
        )
    if model.files.source(ref.target) is None:
        shown = os.path.relpath(ref.target, model.root)
        return SyntaxProblem(CALL_NOT_FOUND, f"call> target {excerpt(shown)!r} {unreadable_reason(ref.target)}",
                             ref.span)
    return None
