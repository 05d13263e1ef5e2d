"""Re-analysing a project after an edit inside one top-level task, checking only that task.

Why: in an editor almost every change is a keystroke inside one task, and on a 3,000-line
workflow running every check over every task took most of the time between the keystroke and
its diagnostics. When the edited file was re-read one top-level entry at a time
(:mod:`dig_lsp.syntax.splice`) and that entry is a task, the diagnostics of the rest of the
project are those of the previous analysis (moved with the text after the edit), and only the
edited task's are computed again.

(When no file changed at all, the previous diagnostics are the answer.) Carrying them over is only
right under conditions, each checked here; when one fails, the whole project is checked as usual
(:func:`dig_lsp.engine.analyse_model`). The result is meant to be exactly a full analysis's:
``tests/test_incremental.py`` and ``bench/incremental_sweep.py`` compare the two over random edits
of real projects. The conditions:

* exactly one file changed since the previous analysis, and it was spliced from the previous
  parse; it is a workflow of the project, included by no other file and including none, and the
  re-read entry is a task of it that calls no other workflow (a caller's scope is the callee's);
* what other tasks can see of the edited task did not change (:func:`interface`): the shape and
  operators of its task tree, its ordering directives, the variables it stores, and its tasks' names
  when a sibling refers to tasks by name (``_after``);
* running the checks focused on the edited task and the workflow's root (:class:`~dig_lsp.checks.base.
  CheckContext` ``focus``) over the *previous* project gives exactly the previous diagnostics that lie inside
  the task, so nothing else reports there; and what the focused run reports outside the task is the
  same before and after the edit (a SQL file it runs, the project's task count...);
* no previous diagnostic outside the task points into it (a related location or a fix), and the
  project stays under the template limit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from dig_lsp.analysis.scope import ScopeIndex, export_variables, project_scopes
from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.expression_support import template_sites
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, Fix, Related, TextEdit
from dig_lsp.engine import INTERNAL_ERROR_CODE, Analysis, analyse_model, conclude, run_checks
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Mapping, to_json_text
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.syntax.splice import EntryEdit, Region
from dig_lsp.text.files import FileReader
from dig_lsp.text.limits import MAX_TEMPLATES, recursion_headroom
from dig_lsp.text.span import Span

logger = logging.getLogger(__name__)

Focus = tuple[tuple[Workflow, Task], ...]

# Directives of a task that change what its siblings see: when it runs relative to them (so which
# stored values they can rely on) and whether it runs at all. The others (`_retry`, `_export`,
# `_env`, `_error`...) act on the task and its subtasks only.
_SEEN_BY_SIBLINGS = frozenset({"_after", "_background", "_parallel", "_disable"})


def reanalyse(previous: Analysis, unit: Unit, settings: Settings, reader: FileReader,
              cache: ParseCache) -> Analysis:
    """The analysis of ``unit`` now, given the ``previous`` analysis of the same unit under the same
    ``settings``: incremental when the edit allows it (``Analysis.incremental``), else full."""
    with recursion_headroom():
        model = load_project(unit.root, list(unit.workflows), reader, cache, previous.model)
        try:
            result = _incremental(previous, model, unit, settings)
        except Exception:  # an optimisation must never cost a result: check everything instead
            logger.exception("incremental analysis failed; checking the whole project")
            result = "it failed"
        if isinstance(result, Analysis):
            return result
        logger.debug("checking the whole project: %s", result)
        return analyse_model(model, unit, settings)


def interface(task: Task, scopes: ScopeIndex, names: bool = True) -> tuple[object, ...] | None:
    """What checks of *other* tasks can see of ``task``: the shape of its task tree (roles, operators,
    ``_parallel`` parents), the directives that order it among its siblings, what its tasks store for
    later tasks, and (``names``) its tasks' names. Names only matter to the other tasks when a sibling
    names one in ``_after`` (stored values carry the storing task's name in their description anyway)."""
    stored = scopes.stored_below(task)
    if stored is None:
        return None
    found, unknown = stored
    shape = tuple(_shape(task, 0, names))
    directives = tuple((entry.key, to_json_text(entry.value)) for entry in task.config.entries
                       if entry.key in _SEEN_BY_SIBLINGS)
    stores = tuple(sorted((name, v.origin.value, v.detail, v.open_members) for name, v in found.items()))
    return (shape, directives, stores, unknown, tuple(_exported(task)))


def _exported(task: Task) -> Iterator[tuple[str, int]]:
    """What the task's subtree exports, by name and line: a name used where it does not reach is reported
    with where it is defined (``ScopeIndex.defined_elsewhere``)."""
    for below in task.walk():
        export = below.config.get("_export")
        if isinstance(export, Mapping):
            for variable in export_variables(export, ""):
                yield variable.name, -1 if variable.span is None else variable.span.start.line


def _shape(task: Task, depth: int, names: bool) -> Iterator[tuple[object, ...]]:
    yield (depth, task.full_name if names else None, task.role, task.disabled, task.parent_parallel,
           task.operator.name if task.operator else None)
    for child in (*task.children, *task.specials):
        yield from _shape(child, depth + 1, names)


def _incremental(previous: Analysis, model: ProjectModel, unit: Unit, settings: Settings) -> Analysis | str:
    """The incremental analysis, or why there is none."""
    old = previous.model
    if old is None or previous.template_count > MAX_TEMPLATES:
        return "no previous analysis to start from"
    if any(d.code == INTERNAL_ERROR_CODE for d in previous.findings):
        return "a check failed last time"
    edited = _edited_file(old, model)
    if edited is None:  # the same texts as last time (an edit undone): the same diagnostics
        return conclude(previous.findings, model, unit, settings, previous.template_count, incremental=True)
    if isinstance(edited, str):
        return edited
    path, edit = edited
    old_focus, new_focus = _focus(old, path, edit, edit.old_end), _focus(model, path, edit, edit.new_end)
    if old_focus is None or new_focus is None:
        return "the edit is not inside a task that calls no workflow"
    root, task = new_focus[0][1], new_focus[1][1]  # the focus lists the root, then the edited task
    names = any(child.entry("_after") is not None for child in root.children if child is not task)
    old_interface = interface(old_focus[1][1], project_scopes(old, settings.runtime_params), names)
    new_interface = interface(task, project_scopes(model, settings.runtime_params), names)
    if old_interface is None or old_interface != new_interface:
        return "what other tasks see of the edited task changed"
    old_context = CheckContext(old, settings, old_focus)
    new_context = CheckContext(model, settings, new_focus)
    before, after = run_checks(old_context), run_checks(new_context)
    if any(d.code == INTERNAL_ERROR_CODE for d in (*before, *after)):
        return "a check failed"
    previous_split = _split(previous.findings, path, edit, old=True)
    before_split = _split(before, path, edit, old=True)
    after_split = _split(after, path, edit, old=False)
    if previous_split is None or before_split is None or after_split is None:
        return "a diagnostic crosses the edited task's border or points into it from outside"
    if set(before_split[0]) != set(previous_split[0]):
        return "something other than the edited task reports inside it"
    if {_moved(d, path, edit) for d in before_split[1]} != set(after_split[1]):
        return "what the edited task causes elsewhere changed"
    count = previous.template_count - len(template_sites(old_context)) + len(template_sites(new_context))
    if count > MAX_TEMPLATES:
        return "the project passes the template limit"
    findings = [*(_moved(d, path, edit) for d in previous_split[1]), *after_split[0]]
    logger.debug("checking only %s (%d tasks)", task.full_name, len(new_focus) - 1)
    return conclude(findings, model, unit, settings, count, incremental=True)


def _edited_file(old: ProjectModel, new: ProjectModel) -> tuple[str, EntryEdit] | str | None:
    """The one file that changed, when it is a workflow spliced from its previous parse, or None when
    none did (every file the previous analysis read is read for the new one, so it depends on them too)."""
    changed = []
    for path in old.files.paths_read():
        before, after = old.files.source(path), new.files.source(path)
        if before is after or (before is not None and after is not None and before.text == after.text):
            continue
        changed.append(path)
    if not changed:
        return None
    if len(changed) != 1:
        return f"{len(changed)} files changed"
    path = changed[0]
    parsed, earlier = new.files.parsed(path), old.files.parsed(path)
    edit = parsed.edit if parsed is not None else None
    if edit is None or earlier is None or edit.previous() is not earlier:
        return "the edited file was not re-read one top-level entry at a time"
    for model in (old, new):
        own = model.trees.get(path)
        if own is None or own.includes or own.root is not model.files.parsed(path).root:  # type: ignore[union-attr]
            return "the edited file is not a workflow, or includes files"
        if any(path in tree.files for other, tree in model.trees.items() if other != path):
            return "the edited file is included by another"
    return path, edit


def _focus(model: ProjectModel, path: str, edit: EntryEdit, end: int) -> Focus | None:
    """The workflow's root task, the edited top-level task and every task below it (None when the
    re-read entry is not a task, or one of its tasks calls another workflow). The root is there because
    checks of a task also look at its subtasks' entries (a subtask that is not a mapping is reported by
    its parent's check)."""
    workflow = model.workflow(path)
    if workflow is None:
        return None
    root = workflow.root
    if sum(1 for entry in root.config.entries if edit.start <= entry.key_span.start_offset < end) != 1:
        return None  # the re-read text now holds several top-level entries (or the root is disabled)
    task = next((t for t in (*root.children, *root.specials) if t.key_span.start_offset == edit.start), None)
    if task is None:
        return None
    tasks = tuple(task.walk())
    if any(t.operator is not None and t.operator.name == "call" for t in tasks):
        return None
    return ((workflow, root), *((workflow, t) for t in tasks))


def _split(diagnostics: Iterable[Diagnostic], path: str, edit: EntryEdit,
           old: bool) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """The diagnostics inside the edited entry and those outside it; None when one lies across its
    border, or one outside points into it (its related locations or fix would be stale)."""
    inside, outside = [], []
    for diagnostic in diagnostics:
        region = _region(diagnostic.span, path, edit, old)
        if region is Region.ACROSS:
            return None
        if region is Region.INSIDE:
            inside.append(diagnostic)
            continue
        others = [related.span for related in diagnostic.related]
        if diagnostic.fix is not None:
            others += [text_edit.span for text_edit in diagnostic.fix.edits]
        if any(_region(span, path, edit, old) in (Region.INSIDE, Region.ACROSS) for span in others):
            return None
        outside.append(diagnostic)
    return inside, outside


def _region(span: Span, path: str, edit: EntryEdit, old: bool) -> Region:
    return Region.BEFORE if span.path != path else edit.region(span, old)


def _moved(diagnostic: Diagnostic, path: str, edit: EntryEdit) -> Diagnostic:
    """A diagnostic outside the edited entry, with its locations in the edited file moved by the edit."""
    def move(span: Span) -> Span:
        return edit.moved(span) if span.path == path else span

    related = tuple(Related(move(r.span), r.message) for r in diagnostic.related)
    fix = diagnostic.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(TextEdit(move(e.span), e.new_text) for e in fix.edits), fix.applicability)
    return Diagnostic(diagnostic.code, diagnostic.name, diagnostic.severity, diagnostic.message,
                      move(diagnostic.span), related, fix)
