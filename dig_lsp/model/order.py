"""Which siblings each child of a group waits for: the links digdag's compiler makes, decided once.

``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java`` (``Context.collect``)
links a group's children after compiling them, with ``ParallelControl.of(config)`` of the group:

* **sequential** (the default): each child waits for the previous one; a child with
  ``_background: true`` waits for nothing, and the next child that is not in the background waits for
  the previous such child and every background child since (``beforeList``). ``_after`` is refused
  (``Setting "_after" option is invalid if its parent task doesn't have "_parallel: true" option``);
* **parallel** (``_parallel: true``): no links but ``_after: [+a, +b]``, each name looked up among the
  *earlier* siblings (``parseSubtaskWithParallel`` fills ``names`` as it goes: a later or unknown name
  is ``Dependency task '+b' does not exist``); ``_background: true`` is refused as unnecessary;
* **parallel with a limit** (``_parallel: {limit: N}``, N > 0): the same, and the children cut into
  chunks of N (``Lists.partition``), every child of a chunk waiting for every child of the previous one
  (added after its ``_after`` links).

The directives are read by :mod:`dig_lsp.digdag.directives`. Loop operators generate groups whose
``_parallel`` is their evaluated one (``ParallelControl.of(params).copyIfNeeded(generated)``, e.g.
``digdag-standards/.../operator/LoopOperatorFactory.java``); the dry run links those with
:func:`group_order` too. The scopes (:mod:`dig_lsp.analysis.scope`) ask which siblings a task waits for
through other siblings as well (:meth:`GroupOrder.awaited`, what ``TaskTree.walkUpstreamSiblings``
walks at run time); the dry run follows the links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from dig_lsp.digdag.directives import SEQUENTIAL, AfterName, Parallel, Reading, Refusal
from dig_lsp.model.workflow import Task
from dig_lsp.text.quote import excerpt

T = TypeVar("T")

AFTER_IN_SEQUENCE = "Setting \"_after\" option is invalid if its parent task doesn't have \"_parallel: true\" option"
BACKGROUND_IN_PARALLEL = ("Setting \"_background: true\" option is invalid (unnecessary) if its parent task has "
                          "\"_parallel: true\" option")


FOREGROUND: Reading[bool] = Reading(False)  # no `_background`
NO_AFTER: Reading[tuple[AfterName, ...]] = Reading(())  # no `_after`


@dataclass(frozen=True, slots=True)
class Sibling:
    """What the compiler reads of a group's child to link it: its name (``+x``) and its ``_background`` and
    ``_after`` readings (a task's own: :func:`as_sibling`; a generated child without a config: the defaults)."""

    name: str
    background: Reading[bool] = FOREGROUND
    after: Reading[tuple[AfterName, ...]] = NO_AFTER


def as_sibling(task: Task, name: str | None = None) -> Sibling:
    """``task`` as a child to link, under ``name`` when it runs under another name than its own."""
    return Sibling(task.name if name is None else name, task.background, task.after)


@dataclass(frozen=True)
class GroupOrder:
    """How the children of one group are linked.

    ``upstream[i]``: the siblings child ``i`` waits for directly, by index, in the order digdag adds them
    (each once); ``background[i]``: child ``i`` runs in the background of a sequential group;
    ``refusals``: why digdag refuses to compile the links (in the order it checks them: the group's
    ``_parallel``, then each child's ``_background`` and ``_after``).
    """

    parallel: Parallel
    upstream: tuple[tuple[int, ...], ...]
    background: tuple[bool, ...]
    refusals: tuple[Refusal, ...] = ()
    _awaited: list[tuple[int, tuple[int, ...]]] = field(default_factory=list, repr=False, compare=False)

    def awaited(self, index: int) -> tuple[int, tuple[int, ...]]:
        """Every sibling child ``index`` waits for, directly or through other siblings, as ``(n, others)``:
        siblings ``0 .. n-1`` and the listed ``others`` (later than ``n``, in order). Links only point to
        earlier siblings, so a sequential group's child awaits a prefix, and a chunk the chunks before it."""
        while len(self._awaited) <= index:
            self._awaited.append(self._close(len(self._awaited)))
        return self._awaited[index]

    def _close(self, index: int) -> tuple[int, tuple[int, ...]]:
        upstream = self.upstream[index]
        if len(upstream) == 1 and upstream[0] == index - 1 and self._awaited[index - 1] == (index - 1, ()):
            return index, ()  # a sequential child awaits every sibling before it (no bit masks that long)
        mask = 0
        for up in upstream:
            prefix, others = self._awaited[up]
            mask |= (1 << prefix) - 1 | 1 << up
            for other in others:
                mask |= 1 << other
        prefix = (~mask & (mask + 1)).bit_length() - 1  # the lowest sibling not awaited
        rest = mask >> prefix
        others = tuple(prefix + bit for bit in range(rest.bit_length()) if rest >> bit & 1)
        return prefix, others


def group_order(parallel: Reading[Parallel], children: Iterable[Sibling]) -> GroupOrder:
    """The links of a group whose ``_parallel`` reads as ``parallel``, between ``children``. A refused
    ``_parallel`` links the children as a sequential group, and digdag stops there: nothing else is refused."""
    listed = list(children)
    if parallel.refusals:
        upstream, flags, _ = _sequential(listed)
        return GroupOrder(SEQUENTIAL, upstream, flags, parallel.refusals)
    if parallel.value.parallel:
        upstream, refusals = _parallel(listed, parallel.value.limit)
        return GroupOrder(parallel.value, upstream, (False,) * len(listed), refusals)
    upstream, flags, refusals = _sequential(listed)
    return GroupOrder(parallel.value, upstream, flags, refusals)


def task_order(task: Task) -> GroupOrder:
    """The links between ``task``'s children (none for an operator task or a disabled one)."""
    return group_order(task.parallel, (as_sibling(child) for child in task.children))


def fold_awaited(order: GroupOrder, start: T, add: Callable[[T, int], T]) -> list[T]:
    """For each child, ``start`` with ``add(value, sibling)`` applied for every sibling it awaits
    (:meth:`GroupOrder.awaited`) in sibling order; a prefix is folded once for all the children awaiting it."""
    prefixes = [start]
    found = []
    for index in range(len(order.upstream)):
        prefix, others = order.awaited(index)
        while len(prefixes) <= prefix:
            prefixes.append(add(prefixes[-1], len(prefixes) - 1))
        value = prefixes[prefix]
        for other in others:
            value = add(value, other)
        found.append(value)
    return found


def _sequential(children: list[Sibling]) -> tuple[
        tuple[tuple[int, ...], ...], tuple[bool, ...], tuple[Refusal, ...]]:
    upstream: list[tuple[int, ...]] = []
    flags: list[bool] = []
    refusals: list[Refusal] = []
    before: list[int] = []
    for index, child in enumerate(children):
        written = child.after.key
        if written is not None:  # config.has("_after"), whatever its value
            refusals.append(Refusal(AFTER_IN_SEQUENCE, written, "_after"))
        reading = child.background
        refusals.extend(reading.refusals)
        flags.append(reading.value)
        if reading.value:
            upstream.append(())
            before.append(index)
        else:
            upstream.append(tuple(before))
            before = [index]
    return tuple(upstream), tuple(flags), tuple(refusals)


def _parallel(children: list[Sibling], limit: int) -> tuple[
        tuple[tuple[int, ...], ...], tuple[Refusal, ...]]:
    upstream: list[tuple[int, ...]] = []
    refusals: list[Refusal] = []
    names: dict[str, int] = {}
    for index, child in enumerate(children):
        reading = child.background
        refusals.extend(reading.refusals)
        if reading.value and reading.key is not None:
            refusals.append(Refusal(BACKGROUND_IN_PARALLEL, reading.key, "_background"))
        links: list[int] = []
        named = child.after
        problems = list(named.refusals)
        for item in named.value:
            target = names.get(item.name)
            if target is None:
                problems.append(Refusal(f"Dependency task '{excerpt(item.name)}' does not exist", item.span, "_after"))
            elif target not in links:
                links.append(target)
        refusals.extend(sorted(problems, key=lambda problem: problem.span.start))  # as the list is written
        if limit > 0 and index >= limit:
            start = index - index % limit
            links.extend(before for before in range(start - limit, start) if before not in links)
        upstream.append(tuple(links))
        names[child.name] = index
    return tuple(upstream), tuple(refusals)
