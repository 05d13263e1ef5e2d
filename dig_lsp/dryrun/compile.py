"""Why digdag would refuse a workflow before any task runs, in digdag's own words.

A dry run that simulates a workflow digdag refuses would tell the user it works. digdag reads a
workflow file in two steps, and both throw before the attempt starts:

* ``digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java`` (``fromConfig``,
  ``check``): the top level may hold only ``timezone``, ``_export``, ``schedule``, ``sla``,
  ``_error``, ``_check``, ``_retry``, ``_parallel`` and ``+tasks`` (``Workflow '<wf>' includes
  unknown keys: [...]``); top-level task names are checked by ``ModelValidator.checkTaskName``.
* ``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``
  (``Context.collect``): ``_disable`` is read as a boolean; an operator task has no ``+`` children
  and one ``x>`` key; a group holds only the grouping keys; how its children are linked
  (``_parallel``, ``_background``, ``_after``) is refused as ``model/order.py`` says;
  ``_error`` is compiled eagerly (``validateSpecialSubtasks``). Subtask values go through
  ``Config.getNestedOrderedOrGetEmpty`` (``digdag-client/.../config/Config.java``).

The same compiler runs at run time on generated configs (``_do``, ``_check``, ``call>`` targets:
``WorkflowExecutor.addSubtasksIfNotEmpty``/``addCheckTasksIfAny``); there an error fails the
generating task instead (``Configuration error at task ...``), which the simulator does with
:func:`task_errors`. Messages quote at most a short excerpt of a value (``text/quote.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from dig_lsp.digdag.coerce import is_null as _is_null
from dig_lsp.digdag.directives import Refusal, disabled
from dig_lsp.digdag.keys import GROUPING_KEYS, TOP_LEVEL_KEYS
from dig_lsp.model.order import task_order
from dig_lsp.model.workflow import Task, TaskRole, Workflow
from dig_lsp.syntax.nodes import Mapping, Node, Sequence, to_python
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

# ModelValidator.RAW_TASK_NAME_CHARS: what a task name may not contain after its first character.
_NAME_CHARS = re.compile(r"[^a-zA-Z_0-9\-=\[\]{}%&@`,.^]")


@dataclass(frozen=True)
class CompileError:
    """One reason digdag refuses a workflow: its message and where the cause is written."""

    message: str
    span: Span

    def __str__(self) -> str:
        return f"{self.span.path}:{self.span.start.line + 1}:{self.span.start.column + 1}: {self.message}"


def workflow_errors(workflow: Workflow) -> list[CompileError]:
    """Everything ``WorkflowFile`` and ``WorkflowCompiler`` would refuse in a workflow file."""
    return [*file_errors(workflow), *task_errors(workflow.root, workflow.root.full_name, file_root=True)]


def file_errors(workflow: Workflow) -> list[CompileError]:
    """``WorkflowFile.fromConfig`` and ``check``: the top-level keys and the top-level task names."""
    config = workflow.root.config
    unknown = [entry for entry in config.entries if not entry.key.startswith("+") and entry.key not in TOP_LEVEL_KEYS]
    errors = []
    if unknown:
        names = ", ".join(excerpt(entry.key) for entry in unknown)
        errors.append(CompileError(f"Workflow '{workflow.name}' includes unknown keys: [{names}]", unknown[0].key_span))
    for child in workflow.root.children:
        if "^" in child.name:
            errors.append(CompileError(f"task name {excerpt(child.name)!r} must not contain ^ character",
                                       child.key_span))
    return errors


def task_errors(task: Task, full_name: str, file_root: bool = False) -> list[CompileError]:
    """``Context.collect`` of one task and everything below it (``full_name``: digdag's name for it;
    ``file_root``: the root of a workflow file, whose keys ``WorkflowFile`` has already checked --
    every key it lets through is a grouping key)."""
    errors: list[CompileError] = []
    _collect(task, full_name, errors, not file_root)
    return errors


def _collect(task: Task, full_name: str, errors: list[CompileError], check_keys: bool = True) -> None:
    if task.disabled:
        return  # replaced by an empty group: nothing else about it is read
    if check_keys:  # the top of a workflow file has no `_disable` (WorkflowFile refuses the key)
        errors.extend(_refused(disabled(task.config).refusals))
    errors.extend(_subtask_shape_errors(task))
    if task.operators:
        _operator_errors(task, errors)
    else:
        _group_errors(task, full_name, errors, check_keys)
    errors.extend(_refused(task.error.refusals))  # validateSpecialSubtasks: getNestedOrGetEmpty("_error")
    for special in task.specials:
        if special.role is TaskRole.ERROR and isinstance(special.value, Mapping):
            _collect(special, full_name + "^error", errors)


def _operator_errors(task: Task, errors: list[CompileError]) -> None:
    config = _config_text(task.config)
    if task.children:
        errors.append(CompileError(f"A task can't have subtasks: {config}", task.children[0].key_span))
    operator_keys = [use for use in task.operators if use.key.endswith(">")]
    if len(operator_keys) > 1:
        errors.append(CompileError(f"A task can't have more than one operator: {config}", operator_keys[1].key_span))


def _group_errors(task: Task, full_name: str, errors: list[CompileError], check_keys: bool) -> None:
    for child in task.children:
        problem = raw_task_name_problem(child.name)
        if problem is not None:
            errors.append(CompileError(f"task name {excerpt(child.name)!r} {problem}", child.key_span))
    if check_keys:
        errors.extend(_invalid_key_errors(task, full_name))
    for child in task.children:
        _collect(child, full_name + child.name, errors)
    errors.extend(_refused(task_order(task).refusals))


def _refused(refusals: tuple[Refusal, ...]) -> list[CompileError]:
    return [CompileError(refusal.message, refusal.span) for refusal in refusals]


def raw_task_name_problem(name: str) -> str | None:
    """``ModelValidator.checkRawTaskName``: what is wrong with a ``+name``, if anything."""
    if name == "":
        return "must not be blank"
    if name[0].isascii() and name[0].isdigit():
        return "must not start with a digit (0-9)"
    if name[0] not in "+^":
        return "must start with '+' or '^'"
    bad = _NAME_CHARS.search(name[1:])
    if bad is not None:
        return f"must not contain character '{bad.group()}'"
    if len(name) > 255:
        return "must not be longer than 255 characters"
    return None


def _invalid_key_errors(task: Task, full_name: str) -> list[CompileError]:
    unused = [entry for entry in task.config.entries
              if not entry.key.startswith("+") and entry.key not in GROUPING_KEYS]
    if not unused:
        return []
    parts = []
    for entry in unused:
        candidates = [key for key in GROUPING_KEYS if Levenshtein.distance(entry.key, key) <= len(key) // 2]
        named = f"'{excerpt(entry.key)}'"
        parts.append(f"{named} (did you mean [{', '.join(candidates)}]?)" if candidates else named)
    return [CompileError(f"{full_name} contains invalid keys: {', '.join(parts)}", unused[0].key_span)]


def _subtask_shape_errors(task: Task) -> list[CompileError]:
    """``getNestedOrderedOrGetEmpty``: a ``+task`` value is a mapping, a list of mappings, or null."""
    errors = []
    for entry in task.config.entries:
        value = entry.value
        if not entry.key.startswith("+") or isinstance(value, Mapping) or _is_null(value):
            continue
        if isinstance(value, Sequence):
            bad = next((item for item in value.items if not isinstance(item, Mapping)), None)
            if bad is not None:
                errors.append(CompileError(f"Expected object but got {_json(bad)}", bad.span))
        else:
            errors.append(CompileError(f"Parameter '{excerpt(entry.key)}' must be an object or array of objects",
                                       value.span))
    return errors


def _json(node: Node) -> str:
    return excerpt(json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str))


def _config_text(config: Mapping) -> str:
    """The config as the message prints it: the ``+`` keys were removed before."""
    plain = {entry.key: to_python(entry.value) for entry in config.entries if not entry.key.startswith("+")}
    return excerpt(json.dumps(plain, ensure_ascii=False, separators=(",", ":"), default=str))
