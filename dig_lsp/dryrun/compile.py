"""Why digdag would refuse a workflow before any task runs, in digdag's own words.

A dry run that simulates a workflow digdag refuses would tell the user it works. digdag reads a
workflow file in two steps, and both throw before the attempt starts:

* ``digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java`` (``fromConfig``,
  ``check``): the top level may hold only ``timezone``, ``_export``, ``schedule``, ``sla``,
  ``_error``, ``_check``, ``_retry``, ``_parallel`` and ``+tasks`` (``Workflow '<wf>' includes
  unknown keys: [...]``); top-level task names are checked by ``ModelValidator.checkTaskName``.
* ``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``
  (``Context.collect``): an operator task has no ``+`` children and one ``x>`` key; a group holds
  only the grouping keys; ``_parallel`` is read raw (``util/ParallelControl.java``); in a sequential
  group ``_after`` is refused and ``_background`` read as a boolean; in a parallel group
  ``_background: true`` is refused and every ``_after`` name must be an *earlier* sibling;
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

from dig_lsp.digdag.coerce import as_boolean, scalar_text
from dig_lsp.digdag.coerce import as_int as _as_int
from dig_lsp.digdag.coerce import is_null as _is_null
from dig_lsp.digdag.coerce import java_trim as _java_trim
from dig_lsp.model.workflow import Task, TaskRole, Workflow, build_workflow
from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence, to_python
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

# WorkflowCompiler.GROUPING_TASK_CONFIG_KEYS, in the source's order.
GROUPING_KEYS = ("timezone", "schedule", "sla", "_parallel", "_background", "_after", "_error", "_check",
                 "_retry", "_export", "_secrets")
# WorkflowFile: timezone and _export are taken out first, then TOP_LEVEL_CONFIG, then the +tasks.
TOP_LEVEL_KEYS = frozenset({"timezone", "_export", "schedule", "sla", "_error", "_check", "_retry", "_parallel"})
# ModelValidator.RAW_TASK_NAME_CHARS: what a task name may not contain after its first character.
_NAME_CHARS = re.compile(r"[^a-zA-Z_0-9\-=\[\]{}%&@`,.^]")
BOOLEAN_TYPE = "'true' or 'false'"  # Config.typeNameOf(boolean.class)


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


def config_errors(value: Node, full_name: str) -> list[CompileError]:
    """:func:`task_errors` of a generated task config (``compileTasks(parent, "^sub", config)``)."""
    mapping = _merged(value)
    if mapping is None:
        return []
    return task_errors(build_workflow("sub", mapping.span.path, mapping, mapping.span).root, full_name)


def _merged(value: Node) -> Mapping | None:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, Sequence):
        entries = {entry.key: entry for item in value.items if isinstance(item, Mapping) for entry in item.entries}
        return Mapping(tuple(entries.values()), value.span)
    return None


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
    errors.extend(_subtask_shape_errors(task))
    if task.operators:
        _operator_errors(task, errors)
    else:
        _group_errors(task, full_name, errors, check_keys)
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
    parallel = _parallel_control(task.config, errors)
    if parallel is None:
        return
    if parallel:
        _parallel_children_errors(task.children, errors)
    else:
        _sequential_children_errors(task.children, errors)


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


def _parallel_control(config: Mapping, errors: list[CompileError]) -> bool | None:
    """``ParallelControl.of`` on the raw config: parallel or not, or None when it throws."""
    node = config.get("_parallel")
    if node is None:
        return False
    if isinstance(node, Mapping):
        limit = node.get("limit")
        if limit is None or _is_null(limit):
            state = "not set" if limit is None else "null"
            errors.append(CompileError(f"Parameter 'limit' is required but {state}", node.span))
            return None
        if _as_int(limit) is None:
            errors.append(CompileError(_expected("integer (int) type", "limit", limit), limit.span))
            return None
        return True
    if isinstance(node, Scalar) and isinstance(node.value, bool | str):
        value = as_boolean(node)
        if value is None:
            errors.append(CompileError(_expected(BOOLEAN_TYPE, "_parallel", node), node.span))
        return value
    errors.append(CompileError(f"Invalid _parallel format: {_json(node)}", node.span))
    return None


def _sequential_children_errors(children: tuple[Task, ...], errors: list[CompileError]) -> None:
    for child in children:
        after = child.config.entry("_after")
        if after is not None:
            errors.append(CompileError("Setting \"_after\" option is invalid if its parent task doesn't have "
                                       "\"_parallel: true\" option", after.key_span))
        background = child.config.get("_background")
        if background is not None and not _is_null(background) and as_boolean(background) is None:
            errors.append(CompileError(_expected(BOOLEAN_TYPE, "_background", background), background.span))


def _parallel_children_errors(children: tuple[Task, ...], errors: list[CompileError]) -> None:
    """``parseSubtaskWithParallel``: siblings are known only once processed, so only earlier ones count."""
    earlier: set[str] = set()
    for child in children:
        background = child.config.entry("_background")
        if background is not None and not _is_null(background.value):
            value = as_boolean(background.value)
            if value is None:
                errors.append(CompileError(_expected(BOOLEAN_TYPE, "_background", background.value),
                                           background.value.span))
            elif value:
                errors.append(CompileError("Setting \"_background: true\" option is invalid (unnecessary) if its "
                                           "parent task has \"_parallel: true\" option", background.key_span))
        errors.extend(_after_errors(child, earlier))
        earlier.add(child.name)


def _after_errors(child: Task, earlier: set[str]) -> list[CompileError]:
    """``getListOrEmpty("_after", String.class)``, then each name looked up among earlier siblings."""
    node = child.config.get("_after")
    if node is None or _is_null(node):
        return []
    if not isinstance(node, Sequence):
        return [CompileError(_expected("array type", "_after", node), node.span)]
    errors = []
    for item in node.items:
        if not isinstance(item, Scalar):
            errors.append(CompileError(_expected("string type", "_after", item), item.span))
            continue
        name = scalar_text(item)
        if name not in earlier:
            errors.append(CompileError(f"Dependency task '{excerpt(name)}' does not exist", item.span))
    return errors


# Jackson's conversions (Config.get with Jackson 2.9 defaults) are digdag/coerce.py's, shared with the linter.


def evaluated_parallel_error(value: object) -> str | None:
    """``ParallelControl.of`` on a loop operator's evaluated params (``_parallel: ${p}`` is text there):
    the message it throws, if any (corpus ``acceptance/parallel/invalid_parallel_variable_loop.dig``)."""
    if value is None or isinstance(value, bool | dict):
        return None
    if isinstance(value, str):
        text = _java_trim(value)
        if text in ("true", "True", "false", "False", "", "null"):
            return None
        return f"Expected {BOOLEAN_TYPE} for key '_parallel' but got {json.dumps(excerpt(value))} (string)"
    return f"Invalid _parallel format: {excerpt(json.dumps(value, default=str))}"


def _json(node: Node) -> str:
    return excerpt(json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str))


def _config_text(config: Mapping) -> str:
    """The config as the message prints it: the ``+`` keys were removed before."""
    plain = {entry.key: to_python(entry.value) for entry in config.entries if not entry.key.startswith("+")}
    return excerpt(json.dumps(plain, ensure_ascii=False, separators=(",", ":"), default=str))


def _expected(type_name: str, key: str, node: Node) -> str:
    """``Config.propagateConvertException``'s text."""
    kinds = {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}
    kind = "object" if isinstance(node, Mapping) else "array" if isinstance(node, Sequence) \
        else kinds.get(type(node.value), "string")
    return f"Expected {type_name} for key '{key}' but got {_json(node)} ({kind})"
