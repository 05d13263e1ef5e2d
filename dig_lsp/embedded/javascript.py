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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyjsparser import JsSyntaxError, PyJsParser

from dig_lsp.text.quote import excerpt

MAX_EXPRESSION_LENGTH = 20_000
"""Longer text is not parsed: pyjsparser is pure Python and a template is rarely this long."""

# ES5 global object properties (ECMA-262 5.1 section 15.1) plus Annex B escape/unescape.
_ES5_GLOBALS = frozenset({
    "NaN", "Infinity", "undefined", "eval", "parseInt", "parseFloat", "isNaN", "isFinite",
    "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
    "Object", "Function", "Array", "String", "Boolean", "Number", "Date", "RegExp", "Error",
    "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "Math", "JSON",
})

JS_GLOBALS: frozenset[str] = _ES5_GLOBALS | frozenset({
    # ConfigEvalEngine.LIBRARY_JS_RESOURCES loads moment.min.js (Moment.js 2.21.0) into every context.
    "moment",
    # digdag.js: `function template(...)` is declared at the top level of the library script, and the
    # generated function starts `var __t,__p='',__j=Array.prototype.join,print=function(){...}`.
    "template", "print", "__t", "__p", "__j",
})
"""Names a ``${...}`` can always use without a param of that name.

Left out on purpose (not verifiable from digdag's source): engine-provided globals such as GraalJS's
``Java``/``Polyglot``/``load`` and Nashorn-compat extras; also the accidental globals ``m``, ``all`` and
``match`` that digdag.js's extended-syntax loop assigns without ``var``.
"""

_ES5_HINT = "not ES5"
_ONE_EXPRESSION = "a template holds one JavaScript expression"

# pyjsparser token types (pyjsparserdata.token)
_BOOLEAN, _EOF, _IDENTIFIER, _KEYWORD, _NULL, _NUMBER, _PUNCTUATOR, _STRING, _TEMPLATE = 1, 2, 3, 4, 5, 6, 7, 8, 10
_NAME_TYPES = frozenset({_BOOLEAN, _IDENTIFIER, _KEYWORD, _NULL})

_STATEMENT_KEYWORDS = frozenset({
    "var", "if", "for", "while", "do", "return", "switch", "try", "throw", "break", "continue",
    "debugger", "with", "case", "default", "else", "catch", "finally", "import", "export",
})
_MESSAGE_PREFIX = re.compile(r"^Line \d+: ")
_QUOTES = frozenset("'\"")
_LINE_TERMINATORS = frozenset("\n\r\u2028\u2029")


@dataclass(frozen=True)
class JsProblem:
    """Why digdag would fail to compile the expression; ``start``/``end`` index the expression text."""

    start: int
    end: int
    message: str
    note: str = ""  # the parser's own words, for a mistake without a sentence of ours


@dataclass(frozen=True)
class Reference:
    """A use of a free variable and the static member chain read from it (``a.b["c"]`` -> a, b, c)."""

    name: str
    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class ParsedExpression:
    """The free-variable references of an expression, or (then with no references) its problem."""

    references: tuple[Reference, ...]
    problem: JsProblem | None
    # names the expression tests with `typeof`: its author knows they may be undefined and guards their
    # other uses (`typeof a == 'undefined' ? '' : a.b`), so those are no mistake to report
    guarded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Token:
    """A token pyjsparser consumed, in source coordinates (the wrapped text)."""

    kind: int
    value: str
    start: int
    end: int


def _snapshot(token: Any) -> _Token | None:
    """Copy the fields we need now: pyjsparser later mutates some token dicts (booleans)."""
    if not isinstance(token, dict):
        return None
    kind, start, end = token.get("type"), token.get("start"), token.get("end")
    if not (isinstance(kind, int) and isinstance(start, int) and isinstance(end, int)):
        return None
    value = token.get("value")
    return _Token(kind, value if isinstance(value, str) else "", start, end)


class _RecordingParser(PyJsParser):  # type: ignore[misc]
    """pyjsparser that remembers the tokens it consumed and the token it rejected."""

    def __init__(self) -> None:
        super().__init__()
        self.consumed: list[_Token] = []
        self.rejected: _Token | None = None

    def lex(self) -> Any:
        token = super().lex()
        recorded = _snapshot(token)
        if recorded is not None:
            self.consumed.append(recorded)
        return token

    def unexpectedTokenError(self, token: Any = None, message: str = "") -> Any:
        self.rejected = _snapshot(token)
        return super().unexpectedTokenError(token or {}, message)


@dataclass
class _Parse:
    """A parser run over the wrapped text, with helpers to convert its offsets to text offsets."""

    text: str
    parser: _RecordingParser = field(default_factory=_RecordingParser)

    @property
    def end_of_text(self) -> int:
        """Source offset of the closing parenthesis we add (anything there or later is 'end of input')."""
        return len(self.text) + 1

    def to_text(self, offset: int) -> int:
        return min(max(offset - 1, 0), len(self.text))

    def span(self, token: _Token) -> tuple[int, int]:
        return self.to_text(token.start), max(self.to_text(token.end), self.to_text(token.start))

    def in_text(self, token: _Token) -> bool:
        return 1 <= token.start < self.end_of_text


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str) -> ParsedExpression:
    """Check ``text`` as digdag's ``${...}`` content and list its free-variable references.

    Never raises: over-long or too deeply nested input yields a problem saying which limit was hit.
    Memoised (the result is immutable and depends on the text alone): a query repeating the same
    ``${...}`` thousands of times used to parse each copy again.
    """
    if text == "":
        return ParsedExpression((), None)
    if len(text) > MAX_EXPRESSION_LENGTH:
        message = f"expression is {len(text)} characters long; only {MAX_EXPRESSION_LENGTH} are analysed"
        return ParsedExpression((), JsProblem(0, len(text), message))
    try:
        return _analyse(text)
    except RecursionError:
        return ParsedExpression((), JsProblem(0, len(text), "expression nests too deeply to be analysed"))


def _analyse(text: str) -> ParsedExpression:
    run = _Parse(text)
    try:
        tree = run.parser.parse("(" + text + ")")
    except RecursionError:
        raise
    except JsSyntaxError as error:
        return ParsedExpression((), _syntax_problem(run, str(error)))
    except Exception as error:  # pyjsparser's own failures (e.g. IndexError on a stray '}'): never propagate
        return ParsedExpression((), _crash_problem(run, error))
    locations = _locate_identifiers(tree, run)
    problem = _es6_problem(tree, run, locations)
    if problem is not None:
        return ParsedExpression((), problem)
    collector = _ReferenceCollector(run, locations)
    collector.statement(tree)
    return ParsedExpression(tuple(collector.references), None, frozenset(collector.typeof_tested))


# ----------------------------------------------------------------------------------- syntax errors


def _syntax_problem(run: _Parse, raw_message: str) -> JsProblem:
    """Turn pyjsparser's message and state into a problem at the offending token of the text."""
    message = _MESSAGE_PREFIX.sub("", raw_message)
    if message.endswith("is not supported by ECMA 5.1."):
        return _unsupported_problem(run, message.split(" ", 1)[0])
    if message == "Unexpected token ILLEGAL":
        return _illegal_problem(run)
    if "template" in message.lower():
        return _unsupported_problem(run, "TemplateElement")
    if message.startswith("Invalid regular expression"):
        return _regex_problem(run, message)
    rejected = run.parser.rejected
    if rejected is None or not run.in_text(rejected):
        if rejected is not None or message == "Unexpected end of input":
            return _end_problem(run)
        return _fallback_problem(run, message)
    return _token_problem(run, rejected, message)


def _crash_problem(run: _Parse, error: Exception) -> JsProblem:
    """pyjsparser failed with a Python error; its scanner indexes an empty stack at an unmatched '}'."""
    index = run.parser.index
    source = getattr(run.parser, "source", "")
    if isinstance(index, int) and isinstance(source, str) and source[index : index + 1] == "}":
        start = run.to_text(index)
        if start < len(run.text):
            return JsProblem(start, start + 1, "unmatched '}'")
    return JsProblem(0, len(run.text), f"the JavaScript parser failed on this expression ({type(error).__name__})")


def _token_problem(run: _Parse, token: _Token, message: str) -> JsProblem:
    """The parser rejected ``token``, which lies inside the text."""
    start, end = run.span(token)
    shown = run.text[start:end]
    if shown == "=>":
        return JsProblem(start, end, _arrow_message())
    if shown in ("let", "const"):
        return JsProblem(start, end, f"'{shown}' declarations are ES6, and {_ONE_EXPRESSION}")
    if shown == ";":
        return JsProblem(start, end, f"unexpected ';': {_ONE_EXPRESSION}, not statements")
    if token.kind == _KEYWORD and shown in _STATEMENT_KEYWORDS:
        return JsProblem(start, end, f"unexpected '{shown}': {_ONE_EXPRESSION}, not a statement")
    if message.startswith("Unexpected quasi") or token.kind == _TEMPLATE:
        return JsProblem(start, end, _template_message())
    if message == "Unexpected reserved word":
        return JsProblem(start, end, f"'{shown}' is a reserved word in JavaScript")
    if message.startswith("Unexpected"):
        kind = {_NUMBER: "number ", _STRING: "string "}.get(token.kind, "")
        return JsProblem(start, end, f"unexpected {kind}{_quote(shown)}: {_ONE_EXPRESSION}")
    return JsProblem(start, end, "this is not a valid ES5 expression", _parser_says(message))


def _parser_says(message: str) -> str:
    return f"the JavaScript parser: {excerpt(message)}"


def _regex_problem(run: _Parse, message: str) -> JsProblem:
    """A '/' where a value is expected starts a regular expression literal, which must be valid."""
    start = run.to_text(run.parser.startIndex if isinstance(run.parser.startIndex, int) else 0)
    detail = message.split(":", 1)[-1].strip()
    if start >= len(run.text):
        return JsProblem(len(run.text), len(run.text), "invalid regular expression literal", _parser_says(detail))
    return JsProblem(start, start + 1, "this '/' starts an invalid regular expression literal", _parser_says(detail))


def _end_problem(run: _Parse) -> JsProblem:
    """The parser needed more text, or hit the ')' we added: the expression is cut short or unbalanced."""
    text = run.text
    if not run.parser.consumed[1:]:
        return JsProblem(0, len(text), "empty expression: a ${...} holding only spaces or comments fails in digdag")
    unmatched = _unmatched_closer(run)
    if unmatched is not None:
        start, end = run.span(unmatched)
        return JsProblem(start, end, f"unmatched '{text[start:end]}'")
    comment = _trailing_line_comment(run)
    if comment is not None:
        message = ("this // comment also hides the ')' digdag puts after the expression; "
                   "end it with a line break or use /* ... */")
        return JsProblem(comment, len(text), message)
    return JsProblem(len(text), len(text), "unexpected end of the expression: it is incomplete")


def _unmatched_closer(run: _Parse) -> _Token | None:
    """A ')' in the text that closes more than the text opened (it ends digdag's wrapper too early)."""
    depth = 0
    for token in run.parser.consumed:
        if token.kind != _PUNCTUATOR or not run.in_text(token):
            continue
        if token.value == "(":
            depth += 1
        elif token.value == ")":
            depth -= 1
            if depth < 0:
                return token
    return None


def _trailing_line_comment(run: _Parse) -> int | None:
    """Where a last-line ``//`` comment starts, if that comment is what broke the expression."""
    try:
        PyJsParser().parse("(" + run.text + "\n)")
    except RecursionError:
        raise
    except Exception:
        return None
    consumed = [token for token in run.parser.consumed if run.in_text(token)]
    after = run.span(consumed[-1])[1] if consumed else 0
    position = run.text.find("//", after)
    return position if position >= 0 else None


def _illegal_problem(run: _Parse) -> JsProblem:
    """The scanner met text that is no token: a bad character, string, number or comment."""
    parser, text = run.parser, run.text
    start = run.to_text(parser.startIndex if isinstance(parser.startIndex, int) else 0)
    index = run.to_text(parser.index if isinstance(parser.index, int) else len(text) + 1)
    unclosed = _unclosed_block_comment(text)
    if index >= len(text) and unclosed is not None:
        return JsProblem(unclosed, unclosed + 2, "unterminated comment: '/*' has no closing '*/'")
    if start < len(text) and text[start] == "`":
        return JsProblem(start, start + 1, _template_message())
    if start < len(text) and text[start] in _QUOTES:
        if _string_is_unterminated(text, start):
            return JsProblem(start, start + 1, "unterminated string: the closing quote is missing")
        return JsProblem(start, max(index, start + 1), "invalid escape sequence in this string")
    if start <= index < len(text):
        end = index + 1
        shown = text[start:end]
        if start < len(text) and (text[start].isdigit() or text[start] == "."):
            return JsProblem(start, end, f"invalid number {_quote(shown)}")
        return JsProblem(start, end, f"invalid character in {_quote(shown)}")
    if start < len(text):
        return JsProblem(start, start + 1, f"invalid character {_quote(text[start])}")
    return JsProblem(len(text), len(text), "invalid JavaScript token at the end of the expression")


def _string_is_unterminated(text: str, quote_at: int) -> bool:
    """Whether the string literal opened at ``quote_at`` ends (JavaScript strings stop at a line end)."""
    index = quote_at + 1
    while index < len(text):
        char = text[index]
        if char == text[quote_at]:
            return False
        if char in _LINE_TERMINATORS:
            return True
        index += 2 if char == "\\" else 1
    return True


def _unclosed_block_comment(text: str) -> int | None:
    """The start of a ``/*`` never closed, found by a scan that skips strings and line comments."""
    index = 0
    while index < len(text):
        char = text[index]
        if char in _QUOTES:
            index = _skip_string(text, index)
        elif text.startswith("//", index):
            index = _line_end(text, index)
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            if close < 0:
                return index
            index = close + 2
        else:
            index += 1
    return None


def _skip_string(text: str, quote_at: int) -> int:
    index = quote_at + 1
    while index < len(text) and text[index] != text[quote_at] and text[index] not in _LINE_TERMINATORS:
        index += 2 if text[index] == "\\" else 1
    return index + 1


def _line_end(text: str, start: int) -> int:
    return next((index for index in range(start, len(text)) if text[index] in _LINE_TERMINATORS), len(text))


def _unsupported_problem(run: _Parse, feature: str) -> JsProblem:
    """pyjsparser raised ``Ecma51NotSupported(feature)``: an ES6 construct."""
    lookahead = _snapshot(run.parser.lookahead)
    if feature == "TemplateElement":
        templates = [token for token in run.parser.consumed if token.kind == _TEMPLATE and run.in_text(token)]
        if templates:
            start, end = run.span(templates[-1])
            return JsProblem(start, end, _template_message())
        backquote = run.text.find("`")
        if backquote >= 0:
            return JsProblem(backquote, backquote + 1, _template_message())
        return _fallback_problem(run, _template_message())
    if feature == "ArrowFunction" and lookahead is not None and lookahead.value == ")":
        return _empty_parentheses_problem(run, lookahead)
    if feature.startswith("Arrow"):
        arrow = _find_arrow(run.text, run.to_text(lookahead.start) if lookahead else 0)
        return JsProblem(arrow, min(arrow + 2, len(run.text)), _arrow_message())
    if lookahead is None or not run.in_text(lookahead):
        return _end_problem(run)
    start, end = run.span(lookahead)
    if feature.startswith("Class"):
        return JsProblem(start, end, f"classes are ES6, {_ES5_HINT}")
    if feature.endswith("Pattern") or feature == "RestElement":
        return JsProblem(start, end, f"destructuring and rest parameters are ES6, {_ES5_HINT}")
    return JsProblem(start, end, "this is ES6 syntax, not ES5", _parser_says(f"{feature} is not supported"))


def _empty_parentheses_problem(run: _Parse, closing: _Token) -> JsProblem:
    """``()`` with nothing inside: an arrow function's parameter list, or a stray pair."""
    if not run.in_text(closing):
        return _end_problem(run)
    arrow = _skip_blanks_and_comments(run.text, run.span(closing)[1])
    if run.text.startswith("=>", arrow):
        return JsProblem(arrow, arrow + 2, _arrow_message())
    start, end = run.span(closing)
    return JsProblem(start, end, "unexpected ')': empty parentheses '()' hold no expression")


def _skip_blanks_and_comments(text: str, index: int) -> int:
    """Past the white space and ``/* */`` comments at ``index``, by a plain scan: a comment ends at its
    first ``*/``. (The regex this replaces, ``(?:\\s|/\\*.*?\\*/)*=>``, could also end a comment at a later
    ``*/``, which made it 2^n in the number of comments before a missing ``=>``.)"""
    while index < len(text):
        if text[index].isspace():
            index += 1
        elif text.startswith("/*", index) and (end := text.find("*/", index + 2)) >= 0:
            index = end + 2
        else:
            break
    return index


def _find_arrow(text: str, from_index: int) -> int:
    position = text.find("=>", from_index)
    if position < 0:
        position = text.find("=>")
    return position if position >= 0 else 0


def _fallback_problem(run: _Parse, message: str) -> JsProblem:
    """Place a problem pyjsparser gives no token for at the last token it consumed in the text."""
    consumed = [token for token in run.parser.consumed if run.in_text(token)]
    if not consumed:
        return JsProblem(0, len(run.text), "this is not a valid ES5 expression", _parser_says(message))
    start, end = run.span(consumed[-1])
    return JsProblem(start, end, "this is not a valid ES5 expression", _parser_says(message))


def _arrow_message() -> str:
    return f"arrow functions (=>) are ES6, {_ES5_HINT}: write function (x) {{ return ... }}"


def _template_message() -> str:
    return f"template literals (`...`) are ES6, {_ES5_HINT}: join strings with +"


def _quote(shown: str) -> str:
    shown = excerpt(shown)
    return repr(shown) if "'" not in shown else f'"{shown}"'


# ------------------------------------------------------------------------------ AST and positions


# TryStatement repeats its `handler` in `handlers` (pyjsparser's finishTryStatement): visit it once.
_ALIAS_FIELDS = frozenset({"type", "handlers", "guardedHandlers"})


def _children(node: Any) -> Iterator[Any]:
    """Child nodes in source order (pyjsparser builds each node's fields in source order)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in _ALIAS_FIELDS and isinstance(value, dict | list):
                yield value
    elif isinstance(node, list):
        yield from node


def _identifiers(node: Any) -> Iterator[dict[str, Any]]:
    """Every Identifier node, in source order (iteratively: the tree may be deep)."""
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict) and current.get("type") == "Identifier":
            yield current
        stack.extend(reversed(list(_children(current))))


def _locate_identifiers(tree: Any, run: _Parse) -> dict[int, int]:
    """Map ``id(identifier node)`` to the index in ``run.parser.consumed`` of its token.

    Every Identifier node comes from one consumed identifier-name token; the token stream also holds
    extra names (keywords, ``get``/``set`` of accessors), so each node takes the next token of its name.
    """
    consumed = run.parser.consumed
    located: dict[int, int] = {}
    cursor = 0
    for node in _identifiers(tree):
        name = node.get("name")
        for index in range(cursor, len(consumed)):
            token = consumed[index]
            if token.kind in _NAME_TYPES and token.value == name and run.in_text(token):
                located[id(node)] = index
                cursor = index + 1
                break
    return located


def _node_span(node: Any, run: _Parse, locations: dict[int, int]) -> tuple[int, int]:
    """The text covered by the identifiers inside ``node`` (or the whole text if it holds none)."""
    spans = [run.span(run.parser.consumed[locations[id(ident)]])
             for ident in _identifiers(node) if id(ident) in locations]
    if not spans:
        return 0, len(run.text)
    return min(start for start, _ in spans), max(end for _, end in spans)


# ------------------------------------------------------------------------------- ES6 in the tree


def _es6_problem(tree: Any, run: _Parse, locations: dict[int, int]) -> JsProblem | None:
    """The first ES6 construct pyjsparser accepted but digdag's ES5 engine rejects."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            problem = _es6_node_problem(node, run, locations)
            if problem is not None:
                return problem
        stack.extend(reversed(list(_children(node))))
    return None


def _es6_node_problem(node: dict[str, Any], run: _Parse, locations: dict[int, int]) -> JsProblem | None:
    kind = node.get("type")
    if kind == "VariableDeclaration" and node.get("kind") != "var":
        declared = str(node.get("kind"))
        start, end = _keyword_span(run, declared)
        return JsProblem(start, end, f"'{declared}' declarations are ES6, {_ES5_HINT}: use 'var'")
    if kind in ("TemplateLiteral", "TaggedTemplateExpression"):
        return JsProblem(*_node_span(node, run, locations), _template_message())
    if kind in ("ArrayPattern", "ObjectPattern", "AssignmentPattern", "RestElement", "SpreadElement"):
        return JsProblem(*_node_span(node, run, locations), f"destructuring and spread are ES6, {_ES5_HINT}")
    if kind == "Property":
        return _property_problem(node, run, locations)
    if kind in ("FunctionExpression", "FunctionDeclaration"):
        return _function_problem(node, run, locations)
    if kind == "Literal":
        return _literal_problem(node, run)
    return None


def _property_problem(node: dict[str, Any], run: _Parse, locations: dict[int, int]) -> JsProblem | None:
    key = node.get("key")
    if node.get("shorthand"):
        name = key.get("name") if isinstance(key, dict) else "x"
        message = f"shorthand properties are ES6, {_ES5_HINT}: write {{{name}: {name}}}"
        return JsProblem(*_node_span(key, run, locations), message)
    if node.get("computed"):
        return JsProblem(*_node_span(key, run, locations), f"computed property names are ES6, {_ES5_HINT}")
    if node.get("method"):
        message = f"method shorthand is ES6, {_ES5_HINT}: write name: function (...) {{ ... }}"
        return JsProblem(*_node_span(key, run, locations), message)
    return None


def _function_problem(node: dict[str, Any], run: _Parse, locations: dict[int, int]) -> JsProblem | None:
    defaults = node.get("defaults")
    params = node.get("params")
    if isinstance(defaults, list) and isinstance(params, list):
        for index, default in enumerate(defaults):
            if default is not None:
                target = params[index] if index < len(params) else node
                return JsProblem(*_node_span(target, run, locations), f"default parameter values are ES6, {_ES5_HINT}")
    return None


def _literal_problem(node: dict[str, Any], run: _Parse) -> JsProblem | None:
    raw = node.get("raw")
    if not isinstance(raw, str):
        return None
    if re.match(r"0[bBoO]", raw):
        start, end = _token_span(run, lambda token: token.kind == _NUMBER and _token_text(run, token)[:2] == raw[:2])
        return JsProblem(start, end, f"binary and octal literals ({raw}) are ES6, {_ES5_HINT}")
    if re.search(r"(?<!\\)(?:\\\\)*\\u\{", raw):
        start, end = _token_span(run, lambda token: token.kind == _STRING and "\\u{" in _token_text(run, token))
        return JsProblem(start, end, f"\\u{{...}} escapes are ES6, {_ES5_HINT}: use \\uXXXX")
    return None


def _keyword_span(run: _Parse, word: str) -> tuple[int, int]:
    """The first ``let``/``const`` token that starts a declaration (followed by a name)."""
    consumed = run.parser.consumed
    for index, token in enumerate(consumed[:-1]):
        if token.value == word and consumed[index + 1].kind == _IDENTIFIER and run.in_text(token):
            return run.span(token)
    return 0, len(run.text)


def _token_text(run: _Parse, token: _Token) -> str:
    start, end = run.span(token)
    return run.text[start:end]


def _token_span(run: _Parse, wanted: Callable[[_Token], bool]) -> tuple[int, int]:
    for token in run.parser.consumed:
        if run.in_text(token) and wanted(token):
            return run.span(token)
    return 0, len(run.text)


# ------------------------------------------------------------------------------------- references



def _hoisted_names(body: Any) -> set[str]:
    """Names a function body declares with ``var`` or function declarations (hoisted to its top)."""
    names: set[str] = set()
    stack: list[Any] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "FunctionDeclaration":
                names.update(_binding_names(node.get("id")))
                continue
            if kind == "FunctionExpression":
                continue
            if kind == "VariableDeclarator":
                names.update(_binding_names(node.get("id")))
        stack.extend(_children(node))
    return names


def _binding_names(target: Any) -> set[str]:
    return {ident["name"] for ident in _identifiers(target) if isinstance(ident.get("name"), str)}


def _static_key(member: dict[str, Any]) -> str | None:
    """The property name of ``a.b`` / ``a["b"]`` / ``a[0]``, or None for a computed expression."""
    prop = member.get("property")
    if not isinstance(prop, dict):
        return None
    if not member.get("computed"):
        name = prop.get("name")
        return name if isinstance(name, str) else None
    if prop.get("type") != "Literal" or "regex" in prop:
        return None
    value = prop.get("value")
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, float | int):
        return None
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    return None


class _ReferenceCollector:
    """Walks the tree with a stack of scopes and collects free-variable references."""

    def __init__(self, run: _Parse, locations: dict[int, int]) -> None:
        self.run = run
        self.locations = locations
        self.scopes: list[set[str]] = [set()]
        self.references: list[Reference] = []
        self.typeof_tested: set[str] = set()  # free names read through `typeof`

    def is_free(self, name: str) -> bool:
        return name != "arguments" and not any(name in scope for scope in self.scopes)

    def statement(self, node: Any) -> None:
        """Visit any node (statement or expression)."""
        if isinstance(node, list):
            for item in node:
                self.statement(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is not None:
            handler(self, node)
        else:
            for child in _children(node):
                self.statement(child)

    def identifier(self, node: dict[str, Any]) -> None:
        self.chain(node, [])

    def member(self, node: dict[str, Any]) -> None:
        steps: list[dict[str, Any]] = []
        base: Any = node
        while isinstance(base, dict) and base.get("type") == "MemberExpression":
            steps.append(base)
            base = base.get("object")
        steps.reverse()
        if isinstance(base, dict) and base.get("type") == "Identifier":
            self.chain(base, steps)
        else:
            self.statement(base)
        for step in steps:
            if step.get("computed"):
                self.statement(step.get("property"))

    def chain(self, base: dict[str, Any], steps: list[dict[str, Any]]) -> None:
        """Record ``base`` (if free) with the static part of the member chain ``steps``."""
        name = base.get("name")
        if not isinstance(name, str) or not self.is_free(name):
            return
        path = [name]
        for step in steps:
            key = _static_key(step)
            if key is None:
                break
            path.append(key)
        start, end = self.chain_span(base, len(path) - 1)
        self.references.append(Reference(name, tuple(path), start, end))

    def chain_span(self, base: dict[str, Any], steps: int) -> tuple[int, int]:
        """Text span from the base name over ``steps`` tokens-level ``.name`` / ``[literal]`` accesses."""
        index = self.locations.get(id(base))
        if index is None:
            return 0, len(self.run.text)
        consumed = self.run.parser.consumed
        start, end = self.run.span(consumed[index])
        position = index + 1
        for _ in range(steps):
            window = consumed[position:position + 3]
            if len(window) >= 2 and window[0].value == "." and window[0].kind == _PUNCTUATOR:
                end, position = self.run.span(window[1])[1], position + 2
            elif len(window) == 3 and window[0].value == "[" and window[2].value == "]":
                end, position = self.run.span(window[2])[1], position + 3
            else:
                break
        return start, end

    def function(self, node: dict[str, Any]) -> None:
        own_name = _binding_names(node.get("id")) if node.get("type") == "FunctionExpression" else set()
        scope = own_name | _binding_names(node.get("params")) | _hoisted_names(node.get("body"))
        self.scopes.append(scope)
        try:
            self.statement(node.get("defaults"))
            self.statement(node.get("body"))
        finally:
            self.scopes.pop()

    def catch(self, node: dict[str, Any]) -> None:
        self.scopes.append(_binding_names(node.get("param")))
        try:
            self.statement(node.get("body"))
        finally:
            self.scopes.pop()

    def property(self, node: dict[str, Any]) -> None:
        if node.get("computed") or node.get("shorthand"):
            self.statement(node.get("key"))
        if not node.get("shorthand"):
            self.statement(node.get("value"))

    def assignment(self, node: dict[str, Any]) -> None:
        """``x = v`` creates a global in sloppy ES5 (no ReferenceError): only ``x`` is not a read."""
        left = node.get("left")
        if node.get("operator") == "=" and isinstance(left, dict):
            if left.get("type") == "MemberExpression":
                self.statement(left.get("object"))
                if left.get("computed"):
                    self.statement(left.get("property"))
            elif left.get("type") != "Identifier":
                self.statement(left)
        else:
            self.statement(left)
        self.statement(node.get("right"))

    def unary(self, node: dict[str, Any]) -> None:
        """``typeof x`` never throws for an undefined ``x``: that is the ES5 way to test for one."""
        argument = node.get("argument")
        if node.get("operator") == "typeof" and isinstance(argument, dict) and argument.get("type") == "Identifier":
            if self.is_free(str(argument.get("name"))):
                self.typeof_tested.add(str(argument.get("name")))
            return
        self.statement(argument)

    def declarator(self, node: dict[str, Any]) -> None:
        self.statement(node.get("init"))

    def for_in(self, node: dict[str, Any]) -> None:
        left = node.get("left")
        if not (isinstance(left, dict) and left.get("type") == "Identifier"):
            self.statement(left)
        self.statement(node.get("right"))
        self.statement(node.get("body"))

    def labelled(self, node: dict[str, Any]) -> None:
        self.statement(node.get("body"))

    def skip(self, node: dict[str, Any]) -> None:
        """Break/continue labels and ``this`` refer to no variable."""


_HANDLERS: dict[str, Any] = {
    "Identifier": _ReferenceCollector.identifier,
    "MemberExpression": _ReferenceCollector.member,
    "FunctionExpression": _ReferenceCollector.function,
    "FunctionDeclaration": _ReferenceCollector.function,
    "CatchClause": _ReferenceCollector.catch,
    "Property": _ReferenceCollector.property,
    "AssignmentExpression": _ReferenceCollector.assignment,
    "UnaryExpression": _ReferenceCollector.unary,
    "VariableDeclarator": _ReferenceCollector.declarator,
    "ForInStatement": _ReferenceCollector.for_in,
    "LabeledStatement": _ReferenceCollector.labelled,
    "BreakStatement": _ReferenceCollector.skip,
    "ContinueStatement": _ReferenceCollector.skip,
    "ThisExpression": _ReferenceCollector.skip,
}
