"""The parse of one ``${...}`` body, shared with the checks and the editor."""

from __future__ import annotations

from typing import Any

from pyjsparser import JsSyntaxError, PyJsParser

from dig_lsp.dryrun.js.budget import MAX_LENGTH
from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.embedded.js import parse_expression

_PARSE_CACHE: dict[str, dict[str, Any] | str] = {}


def _expression_of(program: dict[str, Any]) -> dict[str, Any] | str:
    """The one expression of a parsed ``(text)``, or why there is not one (as a SyntaxError message)."""
    body = program.get("body", [])
    return body[0]["expression"] if len(body) == 1 else "a template holds one expression"


def parse(expression: str) -> dict[str, Any]:
    """The expression's AST (cached), or raise :class:`JsError` for a syntax error.

    The tree is the one the checks and the editor already parsed (:func:`dig_lsp.embedded.js.parse_expression`,
    one cache for all three). A text that parse rejects is parsed here again only for this interpreter's
    message, in digdag's own wrapping: ``digdag.js`` writes ``((__t=(`` *text* ``))==null?...`` on one line,
    so a trailing ``// comment`` swallows the closing parentheses and ``new Function`` throws a SyntaxError
    (the task fails); it is not evaluated as if the comment ended before them.
    """
    checked = parse_expression(expression) if len(expression) <= MAX_LENGTH else None
    shared = checked.tree if checked is not None else None
    cached = _expression_of(shared) if shared is not None else _PARSE_CACHE.get(expression)
    if cached is None:
        if len(expression) > MAX_LENGTH:
            raise Unevaluable(f"the expression is longer than {MAX_LENGTH} characters")
        try:
            cached = _expression_of(PyJsParser().parse("(" + expression + ")"))
        except JsSyntaxError as error:
            # the linter's message says what is wrong in the user's words; the parser's names its tokens
            problem = checked.problem if checked is not None else None
            cached = f"SyntaxError: {problem.message if problem is not None else error}"
        except RecursionError:
            raise Unevaluable("the expression nests too deeply") from None
        except Exception as error:  # pyjsparser's own crashes on odd input
            cached = f"SyntaxError: {type(error).__name__}"
        if len(_PARSE_CACHE) > 10_000:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[expression] = cached
    if isinstance(cached, str):
        raise JsError("SyntaxError", cached.removeprefix("SyntaxError: "))
    return cached
