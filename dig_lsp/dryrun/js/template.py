"""What one ``${...}`` contributes to its string, as digdag's ``digdag.js`` writes it:
``(__t=(EXPR))==null?'':(typeof __t=="string"?__t:JSON.stringify(__t))``."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from dig_lsp.dryrun.js.budget import MAX_MEMORY, MAX_SECONDS, MAX_STEPS, memory_budget
from dig_lsp.dryrun.js.errors import Exhausted
from dig_lsp.dryrun.js.interpreter import evaluate
from dig_lsp.dryrun.js.json import stringify
from dig_lsp.dryrun.js.values import UNDEFINED


def template_text(value: Any) -> str:
    """What one ``${...}`` contributes to the string (``digdag.js``)."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    return stringify(value) or ""


def evaluate_text(expression: str, params: dict[str, Any], zone: tzinfo, max_steps: int = MAX_STEPS,
                  max_seconds: float = MAX_SECONDS, max_memory: int = MAX_MEMORY) -> str:
    """:func:`template_text` of :func:`evaluate`, both under one memory budget."""
    with memory_budget(max_memory):
        value = evaluate(expression, params, zone, max_steps, max_seconds)
        try:
            return template_text(value)
        except RecursionError:
            raise Exhausted("not evaluated: the value nests too deeply (exceeds the recursion depth of the dry "
                            "run's evaluator)") from None
