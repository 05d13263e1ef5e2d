"""What the user tells the dry run: session time, params, stores, rows, failures and durations."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from dig_lsp.model.schedule import ScheduleError, parse_duration

DEFAULT_DURATION = 60.0
TASK_LIMIT = 1000
"""``executor.task_max_run`` default (reference section 6.5, ``core/Limits.java``)."""


class OptionError(ValueError):
    """A dry-run option that cannot be understood."""


def parse_seconds(value: object) -> float:
    """A number of seconds, or a digdag duration string such as ``5m`` or ``1h 30m`` (section 5.4)."""
    if isinstance(value, bool):
        raise OptionError(f"invalid duration {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise OptionError(f"negative duration {value!r}")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        try:
            return parse_duration(text).total_seconds()
        except ScheduleError:
            raise OptionError(f"invalid duration {value!r} (seconds, or e.g. 30s, 5m, 1h 30m)") from None
    raise OptionError(f"invalid duration {value!r}")


def matches(pattern: str, full_name: str, name: str) -> bool:
    """A task glob matches a task's full name (``+wf+a+b``) or its own name (``+b``)."""
    return fnmatch.fnmatchcase(full_name, pattern) or fnmatch.fnmatchcase(name, pattern)


@dataclass
class Durations:
    """How long each task runs: task-name globs first (file order), then per-operator defaults."""

    globs: list[tuple[str, float]] = field(default_factory=list)
    operators: dict[str, float] = field(default_factory=dict)
    default: float = DEFAULT_DURATION

    @classmethod
    def from_mapping(cls, data: object, default: float = DEFAULT_DURATION) -> Durations:
        """``{"+wf+load*": "10m", "td>": "2m"}`` (a key ending in ``>`` is an operator default)."""
        if not isinstance(data, dict):
            raise OptionError("the durations file must hold a mapping of task-name glob or 'operator>' to duration")
        table = cls(default=default)
        for key, value in data.items():
            seconds = parse_seconds(value)
            if str(key).endswith(">"):
                table.operators[str(key)[:-1]] = seconds
            else:
                table.globs.append((str(key), seconds))
        return table

    def lookup(self, full_name: str, name: str, operator: str | None) -> float | None:
        """The configured duration, or ``None`` when only the default applies."""
        for pattern, seconds in self.globs:
            if matches(pattern, full_name, name):
                return seconds
        if operator is not None and operator in self.operators:
            return self.operators[operator]
        return None


@dataclass(frozen=True)
class FailRule:
    """``--fail GLOB[:N]``: matching operator tasks fail N times, or always when N is absent.

    A ``:`` always starts the count: no task name can hold one (``ModelValidator.RAW_TASK_NAME_CHARS``
    in ``digdag-core/.../repository/ModelValidator.java``; generated names escape it, e.g.
    ``ForEachOperatorFactory``'s URL-encoded tags), so ``+load:x`` is a malformed count, not a name.
    """

    pattern: str
    times: int | None
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> FailRule:
        """``+wf+load`` or ``+wf+load:2`` (raises OptionError for anything else after a colon)."""
        head, colon, tail = text.partition(":")
        if not head:
            raise OptionError(f"--fail {text!r}: expected GLOB or GLOB:N, e.g. '+wf+load' or '+wf+load:2'")
        if not colon:
            return cls(text, None, text)
        if not re.fullmatch(r"[0-9]+", tail) or int(tail) < 1:
            raise OptionError(f"--fail {text!r}: the count after ':' must be a whole number of failures, 1 or more")
        return cls(head, int(tail), text)


@dataclass(frozen=True)
class StoreRule:
    """``--store TASK.key=value``: when TASK succeeds, ``key`` (dotted path) is stored with ``value``."""

    pattern: str
    path: tuple[str, ...]
    value: object

    @classmethod
    def parse(cls, text: str) -> StoreRule:
        """The task part ends at the first ``.`` after its last ``+`` or ``^`` segment start."""
        target, equals, raw = text.partition("=")
        if not equals:
            raise OptionError(f"--store {text!r}: expected TASK.key=value")
        last = max(target.rfind("+"), target.rfind("^"))
        dot = target.find(".", max(last, 0))
        if last < 0 or dot < 0 or dot == len(target) - 1:
            raise OptionError(f"--store {text!r}: expected TASK.key=value with TASK like +wf+task")
        return cls(target[:dot], tuple(target[dot + 1:].split(".")), parse_value(raw))


def parse_value(raw: str) -> object:
    """A command-line value: JSON when it parses as JSON, else the text itself."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@dataclass
class Options:
    """Everything that shapes one simulated session."""

    session_time: datetime | None = None
    params: dict[str, object] = field(default_factory=dict)
    stores: list[StoreRule] = field(default_factory=list)
    rows: list[tuple[str, list[dict[str, object]]]] = field(default_factory=list)
    fails: list[FailRule] = field(default_factory=list)
    durations: Durations = field(default_factory=Durations)
    task_limit: int = TASK_LIMIT
    render_files: bool = False  # render the files operators template (SQL, mail bodies): costs an evaluation each

    def rows_for(self, full_name: str, name: str) -> list[dict[str, object]] | None:
        """td_for_each rows given for a task, if any."""
        for pattern, rows in self.rows:
            if matches(pattern, full_name, name):
                return rows
        return None


def parse_rows(data: object) -> list[tuple[str, list[dict[str, object]]]]:
    """A rows file: a list of row objects (every td_for_each task) or task glob -> list of rows."""
    def row_list(value: object, where: str) -> list[dict[str, object]]:
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise OptionError(f"rows for {where} must be a list of objects (column -> value)")
        return [{str(k): v for k, v in row.items()} for row in value]

    if isinstance(data, list):
        return [("*", row_list(data, "every td_for_each> task"))]
    if isinstance(data, dict):
        return [(str(key), row_list(value, str(key))) for key, value in data.items()]
    raise OptionError("the rows file must hold a list of rows or a mapping of task glob to rows")
