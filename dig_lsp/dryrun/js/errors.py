"""What evaluating a ``${...}`` can end in besides a value (shared by the interpreter's modules)."""

from __future__ import annotations


class Unevaluable(Exception):
    """The interpreter cannot compute the value; ``reason`` says why."""


class Exhausted(Unevaluable):
    """A budget of the dry run ran out before the expression finished (not a JavaScript error)."""


class JsError(Exception):
    """A JavaScript error digdag's engine would raise too (the task would fail)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
