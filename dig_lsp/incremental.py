"""Re-analysing a project after an edit inside one top-level task, checking only that task.

Why: in an editor almost every change is a keystroke inside one task, and on a 3,000-line
workflow running every check over every task took most of the time between the keystroke and
its diagnostics. When the edited file was re-read one top-level entry at a time
(:mod:`dig_lsp.syntax.splice`) and that entry is a task, the diagnostics of the rest of the
project are those of the previous analysis (moved with the text after the edit), and only the
edited task's are computed again. The same holds for an edit of a file that workflows
``!include`` inside tasks: only the tasks that see the file (the top-level tasks of every including
workflow whose subtree holds the include) are checked again.

(When no file changed at all, the previous diagnostics are the answer.) Carrying them over is only
right under conditions, each checked here; when one fails, the whole project is checked as usual
(:func:`dig_lsp.engine.analyse_model`) and :func:`reanalyse` says why (:class:`Fallback`). The result
is meant to be exactly a full analysis's: ``tests/test_incremental.py`` and
``bench/incremental_sweep.py`` compare the two over random edits of real projects. The conditions:

* exactly one file changed since the previous analysis, and it was spliced from the previous parse;
* it is a workflow of the project, included by no other file, whose re-read entry is a task of it
  that calls no other workflow (a caller's scope is the callee's), with the same top-level keys in the
  same order around it once its includes are merged in (an included key of the same name would merge
  with it or replace it); or it is a YAML file that workflows include only inside top-level tasks
  that call no other workflow, and that no task names as a file it reads (``td_load>: x.yml``);
* what other tasks can see of each re-checked task did not change (:func:`interface`): the shape and
  operators of its task tree, how digdag reads its ordering directives
  (:mod:`dig_lsp.digdag.directives`), the variables it stores, and its tasks' names when a sibling
  refers to tasks by name (``_after``);
* running the checks focused on the re-checked tasks and their workflows' roots
  (:class:`~dig_lsp.checks.base.CheckContext` ``focus``) over the *previous* project gives exactly the
  previous diagnostics that lie inside them, so nothing else reports there; and what the focused run
  reports outside them is the same before and after the edit (a SQL file they run, the project's task
  count...);
* no previous diagnostic outside them points into them (a related location or a fix), and the edit does
  not change which templates of other tasks are among the project's first ``MAX_TEMPLATES``, those that
  are checked (:func:`_template_count`).

What the incremental analysis reads about the whole project is built from the previous analysis's too:
the scopes (:func:`~dig_lsp.analysis.scope.build_scopes`) and where each task's templates lie in the
project's order (:mod:`dig_lsp.analysis.site_order`), taken over for the top-level tasks the edit left
alone or only moved (:mod:`dig_lsp.analysis.moved`).
"""

from __future__ import annotations

import bisect
import enum
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dig_lsp.analysis.moved import MovedTasks
from dig_lsp.analysis.scope import ScopeIndex, export_variables, project_scopes, scope_key
from dig_lsp.analysis.site_order import SiteOrder, counted, known_order, site_order
from dig_lsp.analysis.sites import SiteFinder
from dig_lsp.checks.base import CheckContext
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, Fix, Related, TextEdit
from dig_lsp.digdag import directives
from dig_lsp.engine import INTERNAL_ERROR_CODE, Analysis, analyse_model, conclude, run_checks
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.loader import INCLUDE_TAG
from dig_lsp.syntax.nodes import Mapping, Scalar
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.syntax.splice import EntryEdit, Region
from dig_lsp.text import limits
from dig_lsp.text.files import FileReader
from dig_lsp.text.limits import recursion_headroom
from dig_lsp.text.span import Position, Span

logger = logging.getLogger(__name__)

Focus = tuple[tuple[Workflow, Task], ...]

# What a workflow may !include and still have an edit of it checked incrementally: YAML, which no
# operator runs as a script or module (a `.yml` a task names, such as `td_load>`'s, is ruled out apart)
_INCLUDED_SUFFIXES = (".yml", ".yaml", ".dig")


class Reason(enum.Enum):
    """Why an analysis checked the whole project instead of only the edited task."""

    NO_PREVIOUS = "no previous analysis to start from"
    FAILED_LAST_TIME = "a check failed last time"
    FAILED = "it failed"
    FILES_CHANGED = "several files changed"
    NOT_SPLICED = "the edited file was not re-read one top-level entry at a time"
    NOT_WORKFLOW_OR_INCLUDED = "the edited file is neither a workflow nor a file workflows include"
    INCLUDED_WORKFLOW = "the edited file is a workflow that another file includes"
    INCLUDED_OUTSIDE_TASKS = "the edited file is included outside a top-level task, or by a task that calls a workflow"
    NAMED_BY_TASK = "the edited file is included and also named by a task as a file it reads"
    NOT_IN_ONE_TASK = "the edit is not inside a task that calls no workflow"
    TOP_LEVEL_KEYS = "the edit changes which top-level keys the workflow's includes merge with"
    INTERFACE = "what other tasks see of the edited task changed"
    CHECK_FAILED = "a check failed"
    CROSSES = "a diagnostic crosses the edited task's border or points into it from outside"
    OTHERS_INSIDE = "something other than the edited task reports inside it"
    EFFECTS = "what the edited task causes elsewhere changed"
    TEMPLATE_LIMIT = "the project passes the template limit"


@dataclass(frozen=True)
class Fallback:
    """Why the whole project was checked: a :class:`Reason`, and a detail when one helps (how many files
    changed...)."""

    reason: Reason
    detail: str = ""

    def __str__(self) -> str:
        return self.reason.value if not self.detail else f"{self.reason.value} ({self.detail})"


@dataclass(frozen=True)
class Reanalysis:
    """An analysis after an edit, and why it is a full one (None when only the edited part was checked)."""

    analysis: Analysis
    fallback: Fallback | None


def reanalyse(previous: Analysis, unit: Unit, settings: Settings, reader: FileReader,
              cache: ParseCache) -> Reanalysis:
    """The analysis of ``unit`` now, given the ``previous`` analysis of the same unit under the same
    ``settings``: incremental when the edit allows it (``Analysis.incremental``), else full, with why."""
    with recursion_headroom():
        model = load_project(unit.root, list(unit.workflows), reader, cache, previous.model)
        try:
            result = _incremental(previous, model, unit, settings)
        except Exception:  # an optimisation must never cost a result: check everything instead
            logger.exception("incremental analysis failed; checking the whole project")
            result = Fallback(Reason.FAILED)
        if isinstance(result, Analysis):
            return Reanalysis(result, None)
        logger.debug("checking the whole project: %s", result)
        if previous.model is not None:
            _scopes(model, previous.model, settings)  # the full analysis finds them built
        analysis = analyse_model(model, unit, settings)
        prepare(analysis, previous)
        return Reanalysis(analysis, result)


def prepare(analysis: Analysis, previous: Analysis | None = None) -> None:
    """Work out, after a full analysis, what the incremental analysis of the next edit reads about the
    whole project besides the scopes (where each task's templates lie in the project's order:
    :mod:`dig_lsp.analysis.site_order`), so that the first keystroke after a full analysis does not pay
    for it; from the ``previous`` analysis's when there is one."""
    if analysis.model is None or analysis.template_count <= limits.MAX_TEMPLATES:
        return  # under the limit, the places of templates do not matter (see _template_count)
    earlier = known_order(previous.model) if previous is not None and previous.model is not None else None
    site_order(analysis.model, earlier)


def _scopes(model: ProjectModel, old: ProjectModel, settings: Settings, moved: MovedTasks | None = None) -> ScopeIndex:
    """The scope index of ``model``, built from the previous model's when that one was built (the tasks an
    edit left as they were or ``moved`` take over what it found: :func:`~dig_lsp.analysis.scope.build_scopes`)."""
    earlier = old.derived.get(scope_key(settings.runtime_params))
    return project_scopes(model, settings.runtime_params, earlier if isinstance(earlier, ScopeIndex) else None, moved)


def interface(task: Task, scopes: ScopeIndex, names: bool = True) -> tuple[object, ...] | None:
    """What checks of *other* tasks can see of ``task``: the shape of its task tree (roles, operators,
    ``_parallel`` parents), how digdag reads the directives that order it among its siblings, what its
    tasks store for later tasks, and (``names``) its tasks' names. Names only matter to the other tasks
    when a sibling names one in ``_after`` (stored values carry the storing task's name in their
    description anyway)."""
    stored = scopes.stored_below(task)
    if stored is None:
        return None
    found, unknown = stored
    shape = tuple(_shape(task, 0, names))
    stores = tuple(sorted((name, v.origin.value, v.detail, v.open_members) for name, v in found.items()))
    return (shape, _ordering(task), stores, unknown, tuple(_exported(task)))


def _ordering(task: Task) -> tuple[object, ...]:
    """How digdag reads the task's `_parallel`, `_background`, `_after` and `_disable`
    (``WorkflowCompiler``, see :mod:`dig_lsp.digdag.directives`): when it runs relative to its siblings
    (so which stored values they can rely on), whether it runs at all, and what digdag refuses (a refusal
    stops the compilation: the siblings' links are not read further, ``model/order.py``). Positions are
    left out: they move with any edit above. A disabled task's config is empty: its readings are the
    defaults (that it is disabled is in its shape)."""
    parallel = task.parallel
    readings = (task.background, directives.disabled(task.config))
    after = task.after
    return (parallel.value, tuple(r.message for r in parallel.refusals),
            tuple((r.value, tuple(x.message for x in r.refusals), r.key is not None) for r in readings),
            tuple(name.name for name in after.value), tuple(r.message for r in after.refusals), after.key is not None)


def _exported(task: Task) -> Iterator[tuple[str, str, int]]:
    """What the task's subtree exports, by name and place: a name used where it does not reach is reported
    with where it is defined (``ScopeIndex.defined_elsewhere``)."""
    for below in task.walk():
        for variable in export_variables(below.export.value, ""):
            span = variable.span
            yield variable.name, "" if span is None else span.path, -1 if span is None else span.start.line


def _shape(task: Task, depth: int, names: bool) -> Iterator[tuple[object, ...]]:
    yield (depth, task.full_name if names else None, task.role, task.disabled, task.parent_parallel,
           task.operator.name if task.operator else None)
    for child in (*task.children, *task.specials):
        yield from _shape(child, depth + 1, names)


@dataclass(frozen=True)
class _Change:
    """What an edit touched: the edited file and how its parse moved, the tasks to check again before and
    after it (each workflow's root first, then its re-checked top-level tasks and everything below them),
    and where their diagnostics lie: the re-read entry of the edited file (or all of it, for an included
    file), and the re-checked top-level tasks' entries in unchanged including workflows (``blocks``:
    path, start and end)."""

    path: str
    edit: EntryEdit
    old_focus: Focus
    new_focus: Focus
    old_tops: Focus  # the re-checked top-level tasks, before and after the edit, in the same order
    new_tops: Focus
    whole_file: bool = False
    blocks: tuple[tuple[str, Position, Position], ...] = ()

    def region(self, span: Span, old: bool) -> Region:
        """Where ``span`` lies relative to what is checked again (BEFORE: outside it, not moved)."""
        if span.path == self.path:
            return Region.INSIDE if self.whole_file else self.edit.region(span, old)
        for path, start, end in self.blocks:
            if span.path != path or span.end <= start or span.start >= end > start:
                continue
            return Region.INSIDE if start <= span.start and span.end <= end else Region.ACROSS
        return Region.BEFORE

    def moved(self, span: Span) -> Span:
        """``span`` of the previous texts as it lies now (only the edited file moved)."""
        return self.edit.moved(span) if span.path == self.path and not self.whole_file else span


def _incremental(previous: Analysis, model: ProjectModel, unit: Unit, settings: Settings) -> Analysis | Fallback:
    """The incremental analysis, or why there is none."""
    old = previous.model
    if old is None:
        return Fallback(Reason.NO_PREVIOUS)
    if any(d.code == INTERNAL_ERROR_CODE for d in previous.findings):
        return Fallback(Reason.FAILED_LAST_TIME)
    edited = _edited_file(old, model)
    if edited is None:  # the same texts as last time (an edit undone): the same diagnostics
        return conclude(previous.findings, model, unit, settings, previous.template_count, incremental=True)
    if isinstance(edited, Fallback):
        return edited
    path, edit = edited
    change = _workflow_change(old, model, path, edit) if model.workflow(path) is not None else \
        _included_change(old, model, path, edit)
    if isinstance(change, Fallback):
        return change
    moved = _moved_tops(change)
    old_scopes = project_scopes(old, settings.runtime_params)
    new_scopes = _scopes(model, old, settings, moved)
    for (_, before_task), (workflow, task) in zip(change.old_tops, change.new_tops, strict=True):
        names = any(child.after.key is not None for child in workflow.root.children if child is not task)
        old_interface = interface(before_task, old_scopes, names)
        if old_interface is None or old_interface != interface(task, new_scopes, names):
            return Fallback(Reason.INTERFACE, task.full_name)
    count = _template_count(previous, change, model, moved)  # the focused checks read what it works out
    if count is None:
        return Fallback(Reason.TEMPLATE_LIMIT)
    old_context = CheckContext(old, settings, change.old_focus)
    new_context = CheckContext(model, settings, change.new_focus)
    before, after = _focused_findings(old_context), run_checks(new_context)
    model.derived[_FOCUSED] = (settings, change.new_focus, after)
    if any(d.code == INTERNAL_ERROR_CODE for d in (*before, *after)):
        return Fallback(Reason.CHECK_FAILED)
    previous_split = _split(previous.findings, change, old=True)
    before_split = _split(before, change, old=True)
    after_split = _split(after, change, old=False)
    if previous_split is None or before_split is None or after_split is None:
        return Fallback(Reason.CROSSES)
    if set(before_split[0]) != set(previous_split[0]):
        return Fallback(Reason.OTHERS_INSIDE)
    if {_moved(d, change) for d in before_split[1]} != set(after_split[1]):
        return Fallback(Reason.EFFECTS)
    findings = [*(_moved(d, change) for d in previous_split[1]), *after_split[0]]
    logger.debug("checking only %s (%d tasks)", ", ".join(t.full_name for _, t in change.new_tops),
                 sum(1 for workflow, t in change.new_focus if t is not workflow.root))
    return conclude(findings, model, unit, settings, count, incremental=True)


_FOCUSED = "incremental: the last focused run"


def _focused_findings(context: CheckContext) -> tuple[Diagnostic, ...]:
    """The checks' findings focused on ``context.focus``: those of the focused run that made this model,
    when it was focused on the same tasks under the same settings (typing on in one task), else run now."""
    last = context.project.derived.get(_FOCUSED)
    if isinstance(last, tuple) and last[0] is context.settings and len(last[1]) == len(context.focus or ()) and \
            all(a is b for pair, other in zip(last[1], context.focus or (), strict=True)
                for a, b in zip(pair, other, strict=True)):
        return tuple(last[2])
    return run_checks(context)


def _moved_tops(change: _Change) -> MovedTasks | None:
    """The top-level tasks of the edited workflow after the re-read entry, each with the task it was
    before the edit: copies of the same text, moved by the edit (None when the edited file is an included
    one: then no task moved)."""
    if change.whole_file:
        return None
    (old_workflow, _), (new_workflow, _) = change.old_focus[0], change.new_focus[0]
    old_tops = (*old_workflow.root.children, *old_workflow.root.specials)
    new_tops = (*new_workflow.root.children, *new_workflow.root.specials)
    if len(old_tops) != len(new_tops):
        return None
    edit = change.edit
    return MovedTasks({id(after): before for before, after in zip(old_tops, new_tops, strict=True)
                       if after is not before and before.key_span.path == change.path and
                       before.key_span.start >= edit.old_end and edit.moved(before.key_span) == after.key_span
                       and before.full_name == after.full_name and before.role is after.role}, change.path, edit)


def _template_count(previous: Analysis, change: _Change, model: ProjectModel, moved: MovedTasks | None) -> int | None:
    """The project's template count after the edit, as a full analysis counts it (up to ``MAX_TEMPLATES`` +
    1), or None when the edit changes which templates outside the re-checked tasks are checked (see
    :func:`_past_the_limit`). Under the limit (the previous count is then exact), the count moves by what the
    re-checked tasks gained or lost, and every template is checked: their places are not worked out."""
    old = previous.model
    assert old is not None
    limit = limits.MAX_TEMPLATES
    if previous.template_count <= limit:
        finder, old_finder = SiteFinder(model), SiteFinder(old)
        count = previous.template_count - sum(1 for workflow, task in change.old_focus
                                              for _ in old_finder.task_sites(workflow, task)) + \
            sum(1 for workflow, task in change.new_focus for _ in finder.task_sites(workflow, task))
        if count > limit:
            return None  # now past the limit: what that means reaches every task
        counted(old, previous.template_count)
        counted(model, count)
        return count
    old_order = site_order(old)
    return _past_the_limit(change, old_order, site_order(model, old_order, moved))


def _past_the_limit(change: _Change, old_order: SiteOrder, new_order: SiteOrder) -> int | None:
    """The project's template count after the edit, as a full analysis counts it (up to ``MAX_TEMPLATES`` +
    1), or None when the edit changes which templates outside the re-checked tasks are checked.

    Only the first ``MAX_TEMPLATES`` templates of the project are checked, the next one is where the cut is
    reported, and past the limit no task's keys count as read by its templates
    (``checks/expression_support.keys_read_by_templates``). So the project must stay on the same side of
    the limit, and when a re-checked task gained or lost templates, those after it move: they must lie
    past the cut before and after the edit (then none of them is checked or reported either time). The
    re-checked tasks' own templates are placed by the focused run (``Facts._focused_sites``)."""
    limit = limits.MAX_TEMPLATES
    before, after = old_order.total, new_order.total
    if (before > limit) != (after > limit):
        return None
    if after > limit:
        shift = 0
        for (_, old_top), (_, new_top) in sorted(zip(change.old_tops, change.new_tops, strict=True),
                                                 key=lambda pair: old_order.start(pair[0][1]) or 0):
            old_start, new_start = old_order.start(old_top), new_order.start(new_top)
            old_count, new_count = old_order.count(old_top), new_order.count(new_top)
            if old_start is None or new_start is None or old_count is None or new_count is None:
                return None
            shift += new_count - old_count
            if shift and (old_start + old_count <= limit or new_start + new_count <= limit):
                return None
    return min(after, limit + 1)


def _edited_file(old: ProjectModel, new: ProjectModel) -> tuple[str, EntryEdit] | Fallback | None:
    """The one file that changed, when it was spliced from its previous parse, or None when none did
    (every file the previous analysis read is read for the new one, so it depends on them too)."""
    changed = []
    for path in old.files.paths_read():
        before, after = old.files.source(path), new.files.source(path)
        if before is after or (before is not None and after is not None and before.text == after.text):
            continue
        changed.append(path)
    if not changed:
        return None
    if len(changed) != 1:
        return Fallback(Reason.FILES_CHANGED, str(len(changed)))
    path = changed[0]
    parsed, earlier = new.files.parsed(path), old.files.parsed(path)
    edit = parsed.edit if parsed is not None else None
    if edit is None or earlier is None or edit.previous() is not earlier:
        return Fallback(Reason.NOT_SPLICED)
    return path, edit


def _workflow_change(old: ProjectModel, new: ProjectModel, path: str, edit: EntryEdit) -> _Change | Fallback:
    """An edit inside one top-level task of a workflow (which may include files)."""
    for model in (old, new):
        if model.workflow(path) is None:
            return Fallback(Reason.NOT_WORKFLOW_OR_INCLUDED)
        if any(path in tree.files for other, tree in model.trees.items() if other != path):
            return Fallback(Reason.INCLUDED_WORKFLOW)
    old_focus, new_focus = _focus(old, path, edit, edit.old_end), _focus(new, path, edit, edit.new_end)
    if old_focus is None or new_focus is None:
        return Fallback(Reason.NOT_IN_ONE_TASK)
    if not _same_top_level_keys(old_focus, new_focus):
        return Fallback(Reason.TOP_LEVEL_KEYS)
    return _Change(path, edit, old_focus, new_focus, old_focus[1:2], new_focus[1:2])


def _focus(model: ProjectModel, path: str, edit: EntryEdit, end: Position) -> Focus | None:
    """The workflow's root task, the edited top-level task and every task below it (None when the
    re-read entry is not a task, or one of its tasks calls another workflow). The root is there because
    checks of a task also look at its subtasks' entries (a subtask that is not a mapping is reported by
    its parent's check)."""
    workflow = model.workflow(path)
    if workflow is None:
        return None
    root = workflow.root
    if sum(1 for entry in root.config.entries
           if entry.key_span.path == path and edit.start <= entry.key_span.start < end) != 1:
        return None  # the re-read text now holds several top-level entries (or the root is disabled)
    task = next((t for t in (*root.children, *root.specials)
                 if t.key_span.path == path and t.key_span.start == edit.start), None)
    return None if task is None else _task_focus(workflow, (task,))


def _task_focus(workflow: Workflow, tasks: Iterable[Task]) -> Focus | None:
    """The workflow's root, then each task and everything below it (None when one calls a workflow)."""
    below = [t for task in tasks for t in task.walk()]
    if any(t.operator is not None and t.operator.name == "call" for t in below):
        return None
    return ((workflow, workflow.root), *((workflow, t) for t in below))


def _same_top_level_keys(old_focus: Focus, new_focus: Focus) -> bool:
    """Whether the workflow's top-level keys, includes merged in, are the same in the same order but for
    the edited task's (renamed, in its place). An included file's key equal to the task's would merge with
    it or replace it, and a rename could make or break such a pair."""
    (_, old_root), (_, old_task) = old_focus[0], old_focus[1]
    (_, new_root), (_, new_task) = new_focus[0], new_focus[1]
    before = [entry.key for entry in old_root.config.entries]
    after = [entry.key for entry in new_root.config.entries]
    old_index = next((i for i, e in enumerate(old_root.config.entries) if e.key_span == old_task.key_span), None)
    new_index = next((i for i, e in enumerate(new_root.config.entries) if e.key_span == new_task.key_span), None)
    if len(before) != len(after) or old_index is None or old_index != new_index:
        return False
    before[old_index] = after[old_index]
    return before == after


def _included_change(old: ProjectModel, new: ProjectModel, path: str, edit: EntryEdit) -> _Change | Fallback:
    """An edit of a file workflows include inside top-level tasks only: those tasks are checked again."""
    if not path.endswith(_INCLUDED_SUFFIXES) or path in old.trees or path in new.trees:
        return Fallback(Reason.NOT_WORKFLOW_OR_INCLUDED)
    old_seen, new_seen = _seeing(old, path), _seeing(new, path)
    if old_seen is None or new_seen is None:
        return Fallback(Reason.INCLUDED_OUTSIDE_TASKS)
    if not old_seen[0]:
        return Fallback(Reason.NOT_WORKFLOW_OR_INCLUDED)
    if old_seen[2] != new_seen[2]:
        return Fallback(Reason.INCLUDED_OUTSIDE_TASKS)  # the includes themselves are where they were
    focused = {id(task) for _, task in old_seen[0]}
    if _named_by_a_task(old, path, focused):
        return Fallback(Reason.NAMED_BY_TASK)
    return _Change(path, edit, old_seen[0], new_seen[0], old_seen[1], new_seen[1], True, old_seen[2])


def _seeing(model: ProjectModel, path: str) -> tuple[Focus, Focus, tuple[tuple[str, Position, Position], ...]] | None:
    """The tasks that see the included file ``path`` (every including workflow's root, then its top-level
    tasks that hold an include of it, directly or through other included files, and everything below
    them), those top-level tasks, and their entries in the workflow files; None when one of its includes
    is not inside a top-level task (merged into the root, or under `_export` at the top), or such a task
    calls a workflow."""
    focus: list[tuple[Workflow, Task]] = []
    tops: list[tuple[Workflow, Task]] = []
    blocks: list[tuple[str, Position, Position]] = []
    for workflow in model.workflows:
        tree = model.trees.get(workflow.path)
        if tree is None or path not in tree.files:
            continue
        reaching = {path}  # the files whose text ends up where `path` is included
        grew = True
        while grew:
            grew = False
            for ref in tree.includes:
                if ref.target in reaching and ref.span.path not in reaching and ref.span.path != workflow.path:
                    reaching.add(ref.span.path)
                    grew = True
        places = [ref.span.start for ref in tree.includes
                  if ref.target in reaching and ref.span.path == workflow.path]
        parsed = model.files.parsed(workflow.path)
        if not places or parsed is None or not isinstance(parsed.root, Mapping) or not parsed.root.entries:
            return None
        entries = parsed.root.entries
        starts = [entry.key_span.start for entry in entries]
        tasks: list[Task] = []
        for place in places:
            index = bisect.bisect_right(starts, place) - 1
            if index < 0 or entries[index].key_tag == INCLUDE_TAG:
                return None
            key_span = entries[index].key_span
            task = next((t for t in workflow.root.children if t.key_span == key_span), None)
            if task is None:
                return None  # an include in the root's own entries (`_export`...): every task sees it
            if task not in tasks:
                tasks.append(task)
                end = starts[index + 1] if index + 1 < len(starts) else \
                    parsed.source.position(len(parsed.source.text))
                blocks.append((workflow.path, starts[index], end))
        found = _task_focus(workflow, tasks)
        if found is None:
            return None
        focus.extend(found)
        tops.extend((workflow, task) for task in tasks)
    return tuple(focus), tuple(tops), tuple(blocks)


def _named_by_a_task(model: ProjectModel, path: str, skip: set[int]) -> bool:
    """Whether a task outside ``skip`` (by id) names ``path`` as a file it reads, or may (a name with
    ``${...}`` that could resolve to it): then the file's text matters to that task as well."""
    root = model.root
    for workflow in model.workflows:
        workdir = model.workdirs.get(workflow.path, root)
        relative = os.path.relpath(path, workdir)
        for task in workflow.tasks():
            if id(task) in skip:
                continue
            op = operator_task(task)
            if op is None or not op.spec.file_parameters:
                continue
            if any(ref.path == path for ref in file_references(op, workdir, root)):
                return True
            for name, _ in op.spec.file_parameters:
                node = op.command if name == "_command" else task.config.get(name)
                if isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value:
                    pattern = ".*".join(re.escape(part) for part in re.split(r"\$\{[^}]*\}?", node.value.strip()))
                    if re.fullmatch(pattern, relative) or re.fullmatch(pattern, os.path.splitext(relative)[0]):
                        return True
    return False


def _split(diagnostics: Iterable[Diagnostic], change: _Change,
           old: bool) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """The diagnostics inside what is checked again and those outside it; None when one lies across its
    border, or one outside points into it (its related locations or fix would be stale)."""
    inside, outside = [], []
    for diagnostic in diagnostics:
        region = change.region(diagnostic.span, old)
        if region is Region.ACROSS:
            return None
        if region is Region.INSIDE:
            inside.append(diagnostic)
            continue
        others = [related.span for related in diagnostic.related]
        if diagnostic.fix is not None:
            others += [text_edit.span for text_edit in diagnostic.fix.edits]
        if any(change.region(span, old) in (Region.INSIDE, Region.ACROSS) for span in others):
            return None
        outside.append(diagnostic)
    return inside, outside


def _moved(diagnostic: Diagnostic, change: _Change) -> Diagnostic:
    """A diagnostic outside what is checked again, with its locations in the edited file moved by the edit."""
    if change.whole_file or change.edit.new_end == change.edit.old_end:
        return diagnostic  # nothing outside lies in the edited file (see _split), or nothing moved
    move = change.moved
    related = tuple(Related(move(r.span), r.message) for r in diagnostic.related)
    fix = diagnostic.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(TextEdit(move(e.span), e.new_text) for e in fix.edits), fix.applicability)
    return Diagnostic(diagnostic.code, diagnostic.name, diagnostic.severity, diagnostic.message,
                      move(diagnostic.span), related, fix)
