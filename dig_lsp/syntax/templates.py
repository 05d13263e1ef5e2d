"""Finding ``${...}`` in a string exactly as digdag's template engine does.

Facts from ``digdag-core/src/main/resources/io/digdag/core/agent/digdag.js`` (extended
syntax, the default): a ``${`` not followed by lowercase letters and a colon starts a
template (``${secret:x}`` is left for the operator); its end is found by counting ``{`` and
``}`` -- braces inside JavaScript strings count too; if the count never closes, the whole
rest of the string is literal text, later ``${`` included; ``${}`` produces nothing;
``$$`` is ``$`` only in literal text, so ``$${x}`` is ``$`` followed by the value of ``x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = re.compile(r"\$\{(?![a-z]+:)")


@dataclass(frozen=True, slots=True)
class Template:
    """One ``${...}``: where it is in the value and the JavaScript inside it."""

    start: int  # index of '$'
    end: int  # index after the closing '}'
    expression: str

    @property
    def expression_start(self) -> int:
        """Index of the expression's first character in the value."""
        return self.start + 2


@dataclass(frozen=True, slots=True)
class Unclosed:
    """A ``${`` whose braces never balance: digdag keeps the rest of the string as text."""

    start: int


def find_templates(value: str) -> tuple[list[Template], Unclosed | None]:
    """Every template of ``value``, and the unclosed ``${`` that ended the scan, if any."""
    found: list[Template] = []
    position = 0
    while True:
        match = _START.search(value, position)
        if match is None or match.end() >= len(value):
            return found, None
        depth = 0
        for index in range(match.end(), len(value)):
            char = value[index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == -1:
                    found.append(Template(match.start(), index + 1, value[match.end() : index]))
                    position = index + 1
                    break
        else:
            return found, Unclosed(match.start())


def has_template(value: object) -> bool:
    """Whether digdag would evaluate anything in ``value``."""
    return isinstance(value, str) and "${" in value and bool(find_templates(value)[0])
