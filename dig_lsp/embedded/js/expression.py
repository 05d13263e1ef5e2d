"""Static analysis of the JavaScript inside one ``${...}`` template: syntax and free variables.

What digdag does with the text (``digdag-core/src/main/resources/io/digdag/core/agent/digdag.js``):
the template function pastes the expression text verbatim into
``((__t=(EXPR))==null?'':(typeof __t=="string"?__t:JSON.stringify(__t)))`` inside
``with(this){ var __t,__p='',__j=Array.prototype.join,print=function(){...}; ... }``, compiles that
with ``new Function`` and calls it with the task's params as ``this``. So:

* the text must be ONE expression (statements, ``;`` and declarations are syntax errors); the
  empty text produces nothing (``if (script)``) but text of only spaces or comments is an error;
* the wrapping is textual, so ``a) + (b`` is accepted (we mirror that by wrapping in ``(``/``)``),
  and a ``//`` comment on the last line swallows digdag's closing parentheses;
* the language is ES5: GraalJS runs with ``js.ecmascript-version=5`` (``GraalJsEngine.java``;
  Nashorn, used on Java < 11, is ES5.1 too), so arrow functions, ``let``/``const``, template
  literals, classes, destructuring, spread, default parameters, shorthand/computed/method
  properties and ``0b``/``0o`` literals are syntax errors (reference section 5.1);
* free names resolve through ``with(this)`` to params, then to the globals in :data:`JS_GLOBALS`.

Parsing uses pyjsparser (an ES5.1 port of esprima), never a JavaScript engine. pyjsparser's AST has
no positions, so the parser is subclassed to record every token it consumes (with offsets) and
the token it complains about; identifiers of the AST are matched in source order with the consumed
identifier tokens to locate references.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pyjsparser import JsSyntaxError

from dig_lsp.embedded.js.chain import chain_names, chain_tree
from dig_lsp.embedded.js.parse import ParserRun, locate_identifiers
from dig_lsp.embedded.js.problems import JsProblem, crash_problem, es6_problem, syntax_problem
from dig_lsp.embedded.js.references import Reference, ReferenceCollector

MAX_EXPRESSION_LENGTH = 20_000
"""Longer text is not parsed: pyjsparser is pure Python and a template is rarely this long."""


@dataclass(frozen=True)
class ParsedExpression:
    """The free-variable references of an expression, or (then with no references) its problem."""

    references: tuple[Reference, ...]
    problem: JsProblem | None
    # names the expression tests with `typeof`: its author knows they may be undefined and guards their
    # other uses (`typeof a == 'undefined' ? '' : a.b`), so those are no mistake to report
    guarded: frozenset[str] = frozenset()
    # pyjsparser's Program for "(" + text + ")" when it parsed (even with an ES6 problem), else None: the dry
    # run's interpreter walks this same tree instead of parsing again. Read-only by convention (shared by the
    # cache), and left out of equality and hashing (a dict is neither).
    tree: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str) -> ParsedExpression:
    """Check ``text`` as digdag's ``${...}`` content and list its free-variable references.

    Never raises: over-long or too deeply nested input yields a problem saying which limit was hit.
    Memoised (the result is immutable and depends on the text alone): a query repeating the same
    ``${...}`` thousands of times used to parse each copy again. The checks, the editor features and the
    dry run (``dryrun/js/``, through ``tree``) all read this one cache.
    """
    if text == "":
        return ParsedExpression((), None)
    if len(text) > MAX_EXPRESSION_LENGTH:
        message = f"expression is {len(text)} characters long; only {MAX_EXPRESSION_LENGTH} are analysed"
        return ParsedExpression((), JsProblem(0, len(text), message))
    names = chain_names(text)
    if names is not None:  # `a.b.c`: known without parsing (chain.py)
        return ParsedExpression((Reference(names[0], names, 0, len(text)),), None, frozenset(), chain_tree(names))
    try:
        return _analyse(text)
    except RecursionError:
        return ParsedExpression((), JsProblem(0, len(text), "expression nests too deeply to be analysed"))


def _analyse(text: str) -> ParsedExpression:
    run = ParserRun(text)
    try:
        tree = run.parser.parse("(" + text + ")")
    except RecursionError:
        raise
    except JsSyntaxError as error:
        return ParsedExpression((), syntax_problem(run, str(error)))
    except Exception as error:  # pyjsparser's own failures (e.g. IndexError on a stray '}'): never propagate
        return ParsedExpression((), crash_problem(run, error))
    locations = locate_identifiers(tree, run)
    problem = es6_problem(tree, run, locations)
    program = tree if isinstance(tree, dict) else None
    if problem is not None:
        return ParsedExpression((), problem, tree=program)
    collector = ReferenceCollector(run, locations)
    collector.statement(tree)
    return ParsedExpression(tuple(collector.references), None, frozenset(collector.typeof_tested), program)
