"""What the cursor's key path means in digdag terms: a task, a schedule, an SLA, a directive or ``_export``,
and the keys that mapping already has (written or from the model's task)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dig_lsp.ide.completion.context import Context
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole, Workflow


class FrameKind(enum.Enum):
    """The kind of mapping the cursor is in."""

    TASK = "task"
    SCHEDULE = "schedule"
    SLA = "sla"
    DIRECTIVE = "directive"  # `_retry: {...}`, `_parallel: {...}`
    EXPORT = "export"
    OTHER = "other"


@dataclass(frozen=True)
class Frame:
    """The mapping the cursor is in, and the task it belongs to."""

    kind: FrameKind
    top: bool = False
    task: Task | None = None  # the model's task, when found
    name: str = ""  # the directive name, or the dotted `_export` path
    parent: Task | None = None  # the model's parent task


def _child(task: Task | None, key: str) -> Task | None:
    if task is None:
        return None
    if key.startswith("+"):
        return next((child for child in task.children if child.name == key), None)
    role = TaskRole(key)
    return next((special for special in task.specials if special.role == role), None)


def walk(path: tuple[str, ...], workflow: Workflow | None) -> Frame:
    """Follow ``path`` from the workflow's root mapping to the frame it ends in."""
    frame = Frame(FrameKind.TASK, top=True, task=workflow.root if workflow else None)
    for key in path:
        if frame.kind in (FrameKind.TASK, FrameKind.SLA) and (key.startswith("+") or key in SPECIAL_SUBTASKS):
            task = _child(frame.task, key) if frame.kind == FrameKind.TASK else None
            frame = Frame(FrameKind.TASK, task=task, parent=frame.task)
        elif frame.kind == FrameKind.TASK and frame.top and key == "schedule":
            frame = Frame(FrameKind.SCHEDULE, task=frame.task)
        elif frame.kind == FrameKind.TASK and frame.top and key == "sla":
            frame = Frame(FrameKind.SLA, task=frame.task)
        elif frame.kind in (FrameKind.TASK, FrameKind.SLA) and key in ("_retry", "_parallel"):
            frame = Frame(FrameKind.DIRECTIVE, task=frame.task, name=key)
        elif frame.kind in (FrameKind.TASK, FrameKind.SLA) and key == "_export":
            frame = Frame(FrameKind.EXPORT, task=frame.task)
        elif frame.kind == FrameKind.EXPORT:
            frame = Frame(FrameKind.EXPORT, task=frame.task, name=f"{frame.name}.{key}".lstrip("."))
        else:
            frame = Frame(FrameKind.OTHER, task=frame.task, name=key)
    return frame


def present_keys(frame: Frame, context: Context) -> set[str]:
    """Keys the mapping already has: written around the cursor, or the model task's (from ``!include`` too)."""
    keys = set(context.siblings)
    if frame.task is not None and frame.kind == FrameKind.TASK:
        keys |= set(frame.task.config.keys())
    if context.line_key is not None and not context.in_value:
        keys.discard(context.line_key)
    return keys


def operator_of(keys: set[str]) -> str | None:
    """The operator a task's keys name (``td>`` -> ``td``), if any."""
    for key in sorted(keys):
        if key.endswith(">") and not key.startswith("+"):
            return key[:-1]
    return None
