"""The dry run's ES5 interpreter for ``${...}`` templates: what the rest of the dry run imports."""

from __future__ import annotations

from dig_lsp.dryrun.js.interpreter import (
    MAX_CALL_DEPTH,
    MAX_MEMORY,
    NO_LIMIT_IN_DIGDAG,
    UNDEFINED,
    Exhausted,
    JsError,
    Unevaluable,
    evaluate,
    evaluate_text,
    from_python,
    number_to_string,
    template_text,
    to_number,
    to_string,
)

__all__ = ["MAX_CALL_DEPTH", "MAX_MEMORY", "NO_LIMIT_IN_DIGDAG", "UNDEFINED", "Exhausted", "JsError", "Unevaluable",
           "evaluate", "evaluate_text", "from_python", "number_to_string", "template_text", "to_number", "to_string"]
