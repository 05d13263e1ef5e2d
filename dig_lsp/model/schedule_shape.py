"""A top-level ``schedule:`` mapping read the way digdag's ``SchedulerManager.getScheduler`` reads it:
its type (``_type`` or the first ``x>`` key) and its command.

Shared by the schedule checks, the hover and the code lens, so that they agree on what the schedule is.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.schedule import (
    BUILT_IN_SCHEDULE_PARAMS,
    SCHEDULE_TYPES,
    ParsedSchedule,
    ScheduleError,
    build_schedule,
    java_text,
)
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, to_python


@dataclass(frozen=True)
class ScheduleShape:
    """How digdag's SchedulerManager reads a schedule mapping: its type and its command.

    ``type_entry`` is the ``_type`` entry or the first ``x>`` entry; ``command`` the value
    of that ``x>`` key (or of ``_command`` with ``_type``); ``extra_operators`` the other
    ``x>`` keys, which digdag never uses.
    """

    mapping: Mapping
    type_entry: Entry | None
    type_name: str | None
    command: Node | None
    extra_operators: tuple[Entry, ...]

    @property
    def known(self) -> bool:
        """True when the type is one digdag has a scheduler for."""
        return self.type_name in SCHEDULE_TYPES

    def rejected_keys(self) -> list[Entry]:
        """Keys digdag's unused-key check throws on when the schedule is pushed
        (``SchedulerManager.getScheduler``: only keys touched before ``factory.newScheduler`` runs count as
        used: ``_type``, the first ``x>`` key, ``_command`` when there is no ``_type``, and
        ``ScheduleExecutor.BUILT_IN_SCHEDULE_PARAMS``; ``at`` and ``delay`` are read only afterwards)."""
        return [entry for entry in unique_entries(self.mapping) if not self._used(entry.key)]

    def ignored_keys(self) -> list[Entry]:
        """Keys digdag accepts but never reads: ``start``/``end`` of ``seconds_interval>``
        (SecondsIntervalSchedulerFactory)."""
        if self.type_name != "seconds_interval":
            return []
        return [entry for entry in unique_entries(self.mapping) if entry.key in ("start", "end")]

    def _used(self, key: str) -> bool:
        if key.endswith(">"):
            return True  # the type key, or an extra one that DL301 reports
        if key == "_command":
            return not self.uses_type_key  # without `_type`, digdag overwrites `_command` with the value
        return key == "_type" or key in BUILT_IN_SCHEDULE_PARAMS

    @property
    def uses_type_key(self) -> bool:
        """True for the ``_type:``/``_command:`` spelling."""
        return self.type_entry is not None and self.type_entry.key == "_type"


def unique_entries(mapping: Mapping) -> list[Entry]:
    """Entries with duplicated keys reduced to the last one (digdag rejects duplicates anyway)."""
    last = {entry.key: entry for entry in mapping.entries}
    return [entry for entry in mapping.entries if last[entry.key] is entry]


def schedule_shape(mapping: Mapping) -> ScheduleShape:
    """Find the type the way ``SchedulerManager.getScheduler`` does."""
    entries = unique_entries(mapping)
    operators = tuple(entry for entry in entries if entry.key.endswith(">"))
    type_entry = mapping.entry("_type")
    if type_entry is not None:
        name = _type_text(type_entry.value)
        return ScheduleShape(mapping, type_entry, name, mapping.get("_command"), operators)
    if not operators:
        return ScheduleShape(mapping, None, None, None, ())
    first = operators[0]
    return ScheduleShape(mapping, first, first.key[:-1], first.value, operators[1:])


def _type_text(node: Node) -> str | None:
    if not isinstance(node, Scalar):
        return None
    try:
        return java_text(node.value)
    except ScheduleError:
        return None


def read_schedule(mapping: Mapping) -> ParsedSchedule:
    """The schedule a ``schedule:`` mapping describes, read the one way the linter, the hover, the code
    lens and the dry run share (``SchedulerManager.getScheduler`` finds the type, the scheduler factory
    reads its value and options); raises :class:`ScheduleError` with digdag's reason when it is invalid."""
    shape = schedule_shape(mapping)
    if shape.type_name is None:
        raise ScheduleError("no schedule type such as `daily>:`")
    rejected = shape.rejected_keys()
    if rejected:
        raise ScheduleError(f"Parameter '{rejected[0].key}' is not used at schedule")
    command = None if shape.command is None else to_python(shape.command)
    type_key = shape.type_entry.key if shape.type_entry is not None else None
    params = {entry.key: to_python(entry.value) for entry in mapping.entries
              if entry.key != type_key and not entry.key.endswith(">")}
    return build_schedule(shape.type_name, command, params)
