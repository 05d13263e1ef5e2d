"""The dry run's limits on one ``${...}`` evaluation: steps, wall clock, memory, call depth and text length.

digdag's engine has none of them (``GraalJsEngine`` builds its context without resource limits), so a budget
that runs out raises :class:`~dig_lsp.dryrun.js.errors.Exhausted` and says so. The step and clock budgets
and the call depth are counted by the interpreter; the memory budget of the evaluation under way is a
context variable that every function building a string, array or object charges (:func:`charge`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from dig_lsp.dryrun.js.errors import Exhausted

MAX_STEPS = 200_000
MAX_SECONDS = 1.0
MAX_LENGTH = 20_000
MAX_MEMORY = 2_000_000
"""Characters of strings plus elements of arrays and objects one ``${...}`` may build (about 100 MB of
Python objects at worst; a real template builds a few thousand)."""
MAX_CALL_DEPTH = 200
"""Nested function calls one ``${...}`` may make (each takes about ten Python frames)."""
NO_LIMIT_IN_DIGDAG = "digdag's engine sets no such limit (GraalJsEngine builds its context without resource limits)"


class _Memory:
    """What one evaluation may still build, in characters and array/object elements."""

    def __init__(self, units: int) -> None:
        self.left = units
        self.total = units

    def charge(self, units: int) -> None:
        """Count ``units`` about to be built; raise before building past the budget."""
        self.left -= units
        if self.left < 0:
            raise Exhausted(f"not evaluated: exceeds the dry run's memory budget ({self.total:,} characters and "
                            f"array elements built inside ${{...}}); {NO_LIMIT_IN_DIGDAG}")


# The budget of the evaluation under way. A context variable, not a parameter, because the value
# conversions that build the most (ToString of arrays, JSON.stringify) are plain functions called
# from everywhere; a repeated array inside an array doubles their output at each level.
_MEMORY: ContextVar[_Memory | None] = ContextVar("dryrun_memory", default=None)


def charge(units: int) -> None:
    memory = _MEMORY.get()
    if memory is not None:
        memory.charge(units)


@contextmanager
def memory_budget(units: int = MAX_MEMORY) -> Iterator[None]:
    """Run under a memory budget (the one already running, if any)."""
    if _MEMORY.get() is not None:
        yield
        return
    token = _MEMORY.set(_Memory(units))
    try:
        yield
    finally:
        _MEMORY.reset(token)


def charged(value: Any) -> Any:
    """Charge a newly built value (a string's characters, a list's elements and its strings)."""
    if isinstance(value, str):
        charge(len(value))
    elif isinstance(value, list):
        charge(len(value) + sum(len(item) for item in value if isinstance(item, str)))
    return value


def fits(units: int) -> None:
    """Raise if ``units`` are more than the budget has left (nothing is charged)."""
    memory = _MEMORY.get()
    if memory is not None and units > memory.left:
        memory.charge(units)
