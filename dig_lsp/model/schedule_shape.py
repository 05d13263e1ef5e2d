"""A top-level ``schedule:`` mapping read the way digdag's ``SchedulerManager.getScheduler`` reads it:
its type (``_type`` or the first ``x>`` key) and its command.

Shared by the schedule checks, the hover and the code lens, so that they agree on what the schedule is.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.schedule import SCHEDULE_TYPES, ScheduleError, java_text
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar


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
