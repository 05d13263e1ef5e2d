"""Resolving a variable reference of a ``${...}`` against a task's scope.

The outcome says not just "defined or not" but why, so the checks can word their message
precisely: undefined names, names that exist only in scheduled workflows, values stored only
with a flag (``store_last_results``), values stored by a later or parallel task, members that
a known structure does not have.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from dig_lsp.analysis.scope import Scope, Timing, Variable
from dig_lsp.analysis.sites import Site
from dig_lsp.embedded.js import JS_GLOBALS, Reference
from dig_lsp.model.builtins import SCHEDULED_ONLY
from dig_lsp.model.catalog import catalog
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.suggest import close_matches, one_edit_distance, plausible


class Outcome(enum.Enum):
    """How a reference resolves."""

    DEFINED = "defined"
    UNDEFINED = "undefined"
    SCHEDULE_ONLY = "schedule-only"
    CONDITIONAL = "conditional"
    UNRELIABLE = "unreliable"
    OPEN_WORLD = "open-world"
    UNKNOWN_MEMBER = "unknown-member"


@dataclass(frozen=True)
class Resolution:
    """The outcome, the part of the path that is known, and words for the message."""

    outcome: Outcome
    known: tuple[str, ...] = ()
    detail: str = ""
    suggestion: str | None = None
    variable: Variable | None = None
    # for an unreliable value: why it may be missing, and what stores it
    timing: Timing | None = None
    stored_by: str = ""


def _longest_known(path: tuple[str, ...], scope: Scope) -> tuple[tuple[str, ...], Variable | None]:
    for length in range(len(path), 0, -1):
        prefix = path[:length]
        variable = scope.variables.get(".".join(prefix))
        if variable is not None or scope.is_namespace(prefix):
            return prefix, variable
    return (), None


@functools.lru_cache(maxsize=1)
def _flagged_stores() -> tuple[tuple[str, str], ...]:
    """(name, message) for every catalog store made only with a flag; computed once, because
    walking the catalog per reference made files with tens of thousands of ``${...}`` take minutes."""
    found: list[tuple[str, str]] = []
    for spec in catalog():
        for stored in spec.stores:
            if stored.when:
                users = sorted(f"{s.name}>" for s in catalog() for v in s.stores if v.name == stored.name)
                found.append((stored.name,
                              f"'{stored.name}' is only stored by {', '.join(users)} with `{stored.when}: true`"))
    return tuple(found)


def _conditional(path: tuple[str, ...]) -> str | None:
    """A catalog store only made with a flag (``td.last_results`` needs ``store_last_results``)."""
    dotted = ".".join(path)
    for name, message in _flagged_stores():
        if dotted == name or dotted.startswith(name + "."):
            return message
    return None


def _unreliable(path: tuple[str, ...], scope: Scope) -> tuple[str, Timing] | None:
    for length in range(len(path), 0, -1):
        entry = scope.unreliable.get(".".join(path[:length]))
        if entry is not None:
            return entry.variable.detail, entry.timing
    return None


_MAX_CANDIDATES = 500  # did-you-mean compares with at most this many names (difflib is quadratic-ish)


def _length_bounds(name: str, cutoff: float) -> tuple[int, int]:
    """Lengths a candidate can have and still reach ``cutoff`` (difflib's ratio is at most
    2*min/(len_a+len_b))."""
    size = len(name)
    return int(size * cutoff / (2 - cutoff)), int(size * (2 - cutoff) / cutoff) + 1


def _suggest(name: str, candidates: list[str], cutoff: float = 0.85) -> str | None:
    # A high default cutoff: for names, a suggestion turns "maybe a runtime parameter" into "surely a
    # typo" (DL502); members of a known structure can be suggested more freely.
    shortest, longest = _length_bounds(name, cutoff)
    fitting = [candidate for candidate in candidates if shortest <= len(candidate) <= longest]
    return _closest(name, tuple(fitting[:_MAX_CANDIDATES]), cutoff)


_MIN_ONE_EDIT = 5  # shorter names one edit apart are as likely different words (date, data)


@functools.lru_cache(maxsize=1024)
def _closest(name: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate one edit away (a swap of two neighbours counts as one: ``regoin`` -> ``region``),
    else difflib's closest above ``cutoff``. Memoised: a file repeating one unknown name thousands of
    times asks the same question."""
    if len(name) >= _MIN_ONE_EDIT:
        near = plausible(name, [c for c in candidates
                                if abs(len(c) - len(name)) <= 1 and one_edit_distance(name, c) <= 1])
        if near:
            return min(near, key=lambda c: (one_edit_distance(name, c), c))
    matches = close_matches(name, candidates, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def resolve_at(site: Site, reference: Reference, scope: Scope) -> Resolution:
    """How ``reference`` of ``site`` fares in ``scope``: with the keys visible to the site and the
    namespace defaults its operator merges in."""
    return resolve_reference(reference, scope, site.local_names, site.defaults)


def resolve_reference(reference: Reference, scope: Scope, local_names: AbstractSet[str],
                      defaults: tuple[str, ...] = ()) -> Resolution:
    """How ``reference`` fares in ``scope`` (plus the keys written before it in its mapping, and the
    members of the ``defaults`` namespaces, which stand as names of their own)."""
    path = reference.path
    root = path[0]
    if root in JS_GLOBALS or root in local_names:
        return Resolution(Outcome.DEFINED, path[:1])
    for namespace in defaults:
        prefix = tuple(namespace.split("."))
        known, variable = _longest_known((*prefix, *path), scope)
        if len(known) > len(prefix):
            return Resolution(Outcome.DEFINED, known[len(prefix):], variable=variable)
    known, variable = _longest_known(path, scope)
    if known == path:
        return Resolution(Outcome.DEFINED, known, variable=variable)
    if known and variable is not None and (variable.open_members or not isinstance(variable.value, Mapping)):
        return Resolution(Outcome.DEFINED, known, variable=variable)
    late = _unreliable(path, scope)
    if late is not None and scope.open_world:
        return Resolution(Outcome.OPEN_WORLD, known, f"it may come from {scope.open_world}")
    if late is not None:
        return Resolution(Outcome.UNRELIABLE, known, f"{'.'.join(path)} {late[1].value} ({late[0]})",
                          timing=late[1], stored_by=late[0])
    conditional = _conditional(path)
    if conditional is not None and scope.open_world:
        # a task before it may have stored it after all (a plugin operator, a workflow called by a name
        # known only at run time): not judged
        return Resolution(Outcome.OPEN_WORLD, known, f"it may come from {scope.open_world}")
    if conditional is not None:
        return Resolution(Outcome.CONDITIONAL, known, conditional)
    if not known:
        if root in SCHEDULED_ONLY:
            return Resolution(Outcome.SCHEDULE_ONLY, (), f"'{root}' is only defined in workflows with a `schedule:`")
        shortest, longest = _length_bounds(root, 0.85)
        nearby = local_names if len(local_names) <= _MAX_CANDIDATES else ()  # a huge mapping: scope names only
        candidates = [*scope.names_of_length(shortest, longest),
                      *(name for name in nearby if name.isidentifier() and shortest <= len(name) <= longest)]
        suggestion = _suggest(root, candidates)
        if scope.open_world and suggestion is None:
            # a near miss of a visible name stays a mistake even where unknown names may exist
            return Resolution(Outcome.OPEN_WORLD, (), f"it may come from {scope.open_world}")
        return Resolution(Outcome.UNDEFINED, (), suggestion=suggestion)
    if scope.open_world:
        return Resolution(Outcome.OPEN_WORLD, known, f"it may come from {scope.open_world}")
    members = scope.members(known)
    missing = path[len(known)]
    suggestion = _suggest(missing, members, 0.7)
    if len(known) == 1 and variable is None and suggestion is None and scope.stored_only(root):
        # `bq` holds only what bq> stored: the rest of the object may be a runtime parameter's
        # (`--params-file` with `bq: {dataset_name: ...}`), into which the store was merged
        return Resolution(Outcome.UNDEFINED, (), "tasks only store " + ", ".join(f"{root}.{m}" for m in members))
    return Resolution(Outcome.UNKNOWN_MEMBER, known, ", ".join(members), suggestion, variable)
