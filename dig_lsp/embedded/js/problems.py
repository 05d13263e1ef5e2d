"""Why digdag would fail to compile a ``${...}``: syntax errors at their token, and the ES6 constructs
pyjsparser accepts but digdag's ES5 engine rejects (see :mod:`dig_lsp.embedded.js.expression`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyjsparser import PyJsParser

from dig_lsp.embedded.js.parse import (
    IDENTIFIER,
    KEYWORD,
    NUMBER,
    PUNCTUATOR,
    STRING,
    TEMPLATE,
    ParserRun,
    Token,
    children,
    node_span,
    snapshot,
)
from dig_lsp.text.quote import excerpt

_ES5_HINT = "not ES5"
_ONE_EXPRESSION = "a template holds one JavaScript expression"

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


# ----------------------------------------------------------------------------------- syntax errors


def syntax_problem(run: ParserRun, raw_message: str) -> JsProblem:
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


def crash_problem(run: ParserRun, error: Exception) -> JsProblem:
    """pyjsparser failed with a Python error; its scanner indexes an empty stack at an unmatched '}'."""
    index = run.parser.index
    source = getattr(run.parser, "source", "")
    if isinstance(index, int) and isinstance(source, str) and source[index : index + 1] == "}":
        start = run.to_text(index)
        if start < len(run.text):
            return JsProblem(start, start + 1, "unmatched '}'")
    return JsProblem(0, len(run.text), f"the JavaScript parser failed on this expression ({type(error).__name__})")


def _token_problem(run: ParserRun, token: Token, message: str) -> JsProblem:
    """The parser rejected ``token``, which lies inside the text."""
    start, end = run.span(token)
    shown = run.text[start:end]
    if shown == "=>":
        return JsProblem(start, end, _arrow_message())
    if shown in ("let", "const"):
        return JsProblem(start, end, f"'{shown}' declarations are ES6, and {_ONE_EXPRESSION}")
    if shown == ";":
        return JsProblem(start, end, f"unexpected ';': {_ONE_EXPRESSION}, not statements")
    if token.kind == KEYWORD and shown in _STATEMENT_KEYWORDS:
        return JsProblem(start, end, f"unexpected '{shown}': {_ONE_EXPRESSION}, not a statement")
    if message.startswith("Unexpected quasi") or token.kind == TEMPLATE:
        return JsProblem(start, end, _template_message())
    if message == "Unexpected reserved word":
        return JsProblem(start, end, f"'{shown}' is a reserved word in JavaScript")
    if message.startswith("Unexpected"):
        kind = {NUMBER: "number ", STRING: "string "}.get(token.kind, "")
        return JsProblem(start, end, f"unexpected {kind}{_quote(shown)}: {_ONE_EXPRESSION}")
    return JsProblem(start, end, "this is not a valid ES5 expression", _parser_says(message))


def _parser_says(message: str) -> str:
    return f"the JavaScript parser: {excerpt(message)}"


def _regex_problem(run: ParserRun, message: str) -> JsProblem:
    """A '/' where a value is expected starts a regular expression literal, which must be valid."""
    start = run.to_text(run.parser.startIndex if isinstance(run.parser.startIndex, int) else 0)
    detail = message.split(":", 1)[-1].strip()
    if start >= len(run.text):
        return JsProblem(len(run.text), len(run.text), "invalid regular expression literal", _parser_says(detail))
    return JsProblem(start, start + 1, "this '/' starts an invalid regular expression literal", _parser_says(detail))


def _end_problem(run: ParserRun) -> JsProblem:
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


def _unmatched_closer(run: ParserRun) -> Token | None:
    """A ')' in the text that closes more than the text opened (it ends digdag's wrapper too early)."""
    depth = 0
    for token in run.parser.consumed:
        if token.kind != PUNCTUATOR or not run.in_text(token):
            continue
        if token.value == "(":
            depth += 1
        elif token.value == ")":
            depth -= 1
            if depth < 0:
                return token
    return None


def _trailing_line_comment(run: ParserRun) -> int | None:
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


def _illegal_problem(run: ParserRun) -> JsProblem:
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


def _unsupported_problem(run: ParserRun, feature: str) -> JsProblem:
    """pyjsparser raised ``Ecma51NotSupported(feature)``: an ES6 construct."""
    lookahead = snapshot(run.parser.lookahead)
    if feature == "TemplateElement":
        templates = [token for token in run.parser.consumed if token.kind == TEMPLATE and run.in_text(token)]
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


def _empty_parentheses_problem(run: ParserRun, closing: Token) -> JsProblem:
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


def _fallback_problem(run: ParserRun, message: str) -> JsProblem:
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


# ------------------------------------------------------------------------------- ES6 in the tree


def es6_problem(tree: Any, run: ParserRun, locations: dict[int, int]) -> JsProblem | None:
    """The first ES6 construct pyjsparser accepted but digdag's ES5 engine rejects."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            problem = _es6_node_problem(node, run, locations)
            if problem is not None:
                return problem
        stack.extend(reversed(list(children(node))))
    return None


def _es6_node_problem(node: dict[str, Any], run: ParserRun, locations: dict[int, int]) -> JsProblem | None:
    kind = node.get("type")
    if kind == "VariableDeclaration" and node.get("kind") != "var":
        declared = str(node.get("kind"))
        start, end = _keyword_span(run, declared)
        return JsProblem(start, end, f"'{declared}' declarations are ES6, {_ES5_HINT}: use 'var'")
    if kind in ("TemplateLiteral", "TaggedTemplateExpression"):
        return JsProblem(*node_span(node, run, locations), _template_message())
    if kind in ("ArrayPattern", "ObjectPattern", "AssignmentPattern", "RestElement", "SpreadElement"):
        return JsProblem(*node_span(node, run, locations), f"destructuring and spread are ES6, {_ES5_HINT}")
    if kind == "Property":
        return _property_problem(node, run, locations)
    if kind in ("FunctionExpression", "FunctionDeclaration"):
        return _function_problem(node, run, locations)
    if kind == "Literal":
        return _literal_problem(node, run)
    return None


def _property_problem(node: dict[str, Any], run: ParserRun, locations: dict[int, int]) -> JsProblem | None:
    key = node.get("key")
    if node.get("shorthand"):
        name = key.get("name") if isinstance(key, dict) else "x"
        message = f"shorthand properties are ES6, {_ES5_HINT}: write {{{name}: {name}}}"
        return JsProblem(*node_span(key, run, locations), message)
    if node.get("computed"):
        return JsProblem(*node_span(key, run, locations), f"computed property names are ES6, {_ES5_HINT}")
    if node.get("method"):
        message = f"method shorthand is ES6, {_ES5_HINT}: write name: function (...) {{ ... }}"
        return JsProblem(*node_span(key, run, locations), message)
    return None


def _function_problem(node: dict[str, Any], run: ParserRun, locations: dict[int, int]) -> JsProblem | None:
    defaults = node.get("defaults")
    params = node.get("params")
    if isinstance(defaults, list) and isinstance(params, list):
        for index, default in enumerate(defaults):
            if default is not None:
                target = params[index] if index < len(params) else node
                return JsProblem(*node_span(target, run, locations), f"default parameter values are ES6, {_ES5_HINT}")
    return None


def _literal_problem(node: dict[str, Any], run: ParserRun) -> JsProblem | None:
    raw = node.get("raw")
    if not isinstance(raw, str):
        return None
    if re.match(r"0[bBoO]", raw):
        start, end = _token_span(run, lambda token: token.kind == NUMBER and _token_text(run, token)[:2] == raw[:2])
        return JsProblem(start, end, f"binary and octal literals ({raw}) are ES6, {_ES5_HINT}")
    if re.search(r"(?<!\\)(?:\\\\)*\\u\{", raw):
        start, end = _token_span(run, lambda token: token.kind == STRING and "\\u{" in _token_text(run, token))
        return JsProblem(start, end, f"\\u{{...}} escapes are ES6, {_ES5_HINT}: use \\uXXXX")
    return None


def _keyword_span(run: ParserRun, word: str) -> tuple[int, int]:
    """The first ``let``/``const`` token that starts a declaration (followed by a name)."""
    consumed = run.parser.consumed
    for index, token in enumerate(consumed[:-1]):
        if token.value == word and consumed[index + 1].kind == IDENTIFIER and run.in_text(token):
            return run.span(token)
    return 0, len(run.text)


def _token_text(run: ParserRun, token: Token) -> str:
    start, end = run.span(token)
    return run.text[start:end]


def _token_span(run: ParserRun, wanted: Callable[[Token], bool]) -> tuple[int, int]:
    for token in run.parser.consumed:
        if run.in_text(token) and wanted(token):
            return run.span(token)
    return 0, len(run.text)
