"""The JavaScript inside ``${...}``: one parse per text (:mod:`.expression`, cached), shared by the checks,
the editor features and the dry run, which reads the same tree (``ParsedExpression.tree``).

:mod:`.chain` reads the commonest text, a chain of names, without the parser (to the same tree),
:mod:`.parse` runs pyjsparser over digdag's wrapping and keeps the tokens with their offsets,
:mod:`.problems` says why digdag would not compile a text, :mod:`.references` lists its free variables
and :mod:`.globals` the names every template can use.
"""

from __future__ import annotations

from dig_lsp.embedded.js.expression import MAX_EXPRESSION_LENGTH, ParsedExpression, parse_expression
from dig_lsp.embedded.js.globals import JS_GLOBALS
from dig_lsp.embedded.js.problems import JsProblem
from dig_lsp.embedded.js.references import Reference

__all__ = ["JS_GLOBALS", "MAX_EXPRESSION_LENGTH", "JsProblem", "ParsedExpression", "Reference", "parse_expression"]
