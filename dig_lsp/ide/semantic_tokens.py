"""Semantic tokens: what each meaningful piece of a workflow file is, for syntax colouring.

A TextMate grammar sees text; this sees the task tree. It marks task names (``+name`` keys and
the special subtasks), operator keys (``td>:``, ``_type:``), directives (``_retry``, ``_export``...)
and, inside every ``${...}`` of a string value, the JavaScript pieces: variables, properties,
calls, strings, numbers, keywords and comments.

Template text is located exactly as digdag finds it (:func:`dig_lsp.syntax.templates.find_templates`)
and mapped back through quotes, escapes and folding (:func:`dig_lsp.embedded.scalar_map.value_offsets`),
so a token inside ``"a\\"${x}"`` or a folded block lands on the right characters. The JavaScript is
split by a small ES5 lexer of our own: it only classifies, never validates (that is the
``${...}`` syntax check's job), and it never raises on broken input.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from dig_lsp.embedded.js import JS_GLOBALS
from dig_lsp.embedded.scalar_map import value_offsets
from dig_lsp.model.operators import DIRECTIVES
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole
from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence
from dig_lsp.syntax.templates import find_templates
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position, Span


class TokenKind(enum.Enum):
    """What a token is (:data:`LSP_TYPES` names the standard LSP token type each is shown as)."""

    TASK = "task"
    OPERATOR = "operator"
    DIRECTIVE = "directive"
    VARIABLE = "variable"
    PROPERTY = "property"
    CALL = "call"
    METHOD = "method"
    STRING = "string"
    NUMBER = "number"
    KEYWORD = "keyword"
    COMMENT = "comment"


LSP_TYPES: dict[TokenKind, str] = {
    TokenKind.TASK: "function", TokenKind.OPERATOR: "keyword", TokenKind.DIRECTIVE: "decorator",
    TokenKind.VARIABLE: "variable", TokenKind.PROPERTY: "property", TokenKind.CALL: "function",
    TokenKind.METHOD: "method", TokenKind.STRING: "string", TokenKind.NUMBER: "number",
    TokenKind.KEYWORD: "keyword", TokenKind.COMMENT: "comment",
}
"""Standard LSP token types (editors' themes colour these without configuration)."""


class Modifier(enum.Enum):
    """Token modifiers; the values are LSP's standard modifier names."""

    DECLARATION = "declaration"
    DEFAULT_LIBRARY = "defaultLibrary"


@dataclass(frozen=True, order=True)
class SemanticToken:
    """One token on one line: 0-based line, code-point column and length."""

    line: int
    column: int
    length: int
    kind: TokenKind
    modifiers: frozenset[Modifier] = frozenset()


# ----------------------------------------------------------------------------------- JavaScript

# ES5 reserved words plus the literals true/false/null (ECMA-262 5.1 section 7.6.1).
_JS_KEYWORDS = frozenset({
    "break", "case", "catch", "continue", "debugger", "default", "delete", "do", "else", "finally", "for",
    "function", "if", "in", "instanceof", "new", "return", "switch", "this", "throw", "try", "typeof", "var",
    "void", "while", "with", "class", "const", "enum", "export", "extends", "import", "super", "implements",
    "interface", "let", "package", "private", "protected", "public", "static", "yield", "true", "false", "null",
})

_JS_TOKEN = re.compile(r"""
    (?P<comment>//[^\n\r\u2028\u2029]*|/\*[\s\S]*?(?:\*/|$))
  | (?P<string>"(?:[^"\\\n\r]|\\[\s\S])*"?|'(?:[^'\\\n\r]|\\[\s\S])*'?)
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class JsToken:
    """A classified piece of an expression: ``text[start:end]``."""

    start: int
    end: int
    kind: TokenKind
    modifiers: frozenset[Modifier] = frozenset()


def _next_significant(text: str, index: int) -> str:
    """The first character at or after ``index`` that is not white space ('' at the end)."""
    while index < len(text) and text[index].isspace():
        index += 1
    return text[index] if index < len(text) else ""


def javascript_tokens(text: str) -> list[JsToken]:
    """Classify the pieces of one ``${...}`` expression (no validation; never raises).

    A name after ``.`` is a property (a method when called); a free name is a variable (a call
    when called), marked ``defaultLibrary`` when it is one of digdag's JavaScript globals.
    """
    found: list[JsToken] = []
    after_dot = False
    for match in _JS_TOKEN.finditer(text):
        group = match.lastgroup
        start, end = match.span()
        if group == "space":
            continue
        if group == "comment":
            found.append(JsToken(start, end, TokenKind.COMMENT))
            continue
        if group == "string":
            found.append(JsToken(start, end, TokenKind.STRING))
        elif group == "number":
            found.append(JsToken(start, end, TokenKind.NUMBER))
        elif group == "name":
            found.append(_name_token(text, match.group(), start, end, after_dot))
        after_dot = group == "other" and match.group() == "."
    return found


def _name_token(text: str, name: str, start: int, end: int, after_dot: bool) -> JsToken:
    called = _next_significant(text, end) == "("
    if after_dot:
        return JsToken(start, end, TokenKind.METHOD if called else TokenKind.PROPERTY)
    if name in _JS_KEYWORDS:
        return JsToken(start, end, TokenKind.KEYWORD)
    modifiers = frozenset({Modifier.DEFAULT_LIBRARY}) if name in JS_GLOBALS else frozenset()
    return JsToken(start, end, TokenKind.CALL if called else TokenKind.VARIABLE, modifiers)


# ----------------------------------------------------------------------------------- the file


def semantic_tokens(project: ProjectModel, path: str) -> list[SemanticToken]:
    """Every token of ``path``, sorted by position, without overlaps, each on a single line."""
    source = project.files.source(path)
    if source is None:
        return []
    collector = _Collector(source)
    for workflow in project.workflows:
        for task in workflow.tasks():
            collector.task(task)
        collector.node(workflow.root.value)
    return collector.result()


class _Collector:
    """Gathers tokens of one file; each key and scalar is visited once even if reached twice."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.tokens: list[SemanticToken] = []
        self._seen_nodes: set[tuple[Position, Position]] = set()
        self._seen_keys: set[Position] = set()

    def result(self) -> list[SemanticToken]:
        ordered = sorted(set(self.tokens))
        kept: list[SemanticToken] = []
        for token in ordered:
            last = kept[-1] if kept else None
            if last is not None and last.line == token.line and token.column < last.column + last.length:
                continue  # overlapping tokens are not allowed
            kept.append(token)
        return kept

    def add(self, start: int, end: int, kind: TokenKind, modifiers: frozenset[Modifier] = frozenset()) -> None:
        """A token over source offsets ``[start, end)``, split at line breaks."""
        text = self.source.text
        end = min(end, len(text))
        first = True
        while start < end:
            if not first:  # a continuation line: its indentation is not part of the token
                while start < end and text[start] in " \t":
                    start += 1
            first = False
            line_break = text.find("\n", start, end)
            piece_end = end if line_break < 0 else line_break
            if text[piece_end - 1: piece_end] == "\r" and piece_end > start:
                piece_end -= 1
            if piece_end > start:
                position = self.source.position(start)
                self.tokens.append(SemanticToken(position.line, position.column, piece_end - start, kind, modifiers))
            start = end if line_break < 0 else line_break + 1

    def key(self, span: Span, kind: TokenKind, modifiers: frozenset[Modifier] = frozenset()) -> None:
        """A token over a key's span (of this file), unless a key starting there was already added."""
        if span.start in self._seen_keys:
            return
        self._seen_keys.add(span.start)
        start, end = self.source.offsets(span)
        self.add(start, end, kind, modifiers)

    def task(self, task: Task) -> None:
        """The task's own key, its operator keys and its directives, when written in this file."""
        path = self.source.path
        span = task.key_span
        if task.role is not TaskRole.ROOT and span.path == path and span.end > span.start:
            kind = TokenKind.TASK if task.role is TaskRole.CHILD else TokenKind.DIRECTIVE
            self.key(span, kind, frozenset({Modifier.DECLARATION}))
        for use in task.operators:
            if use.key_span.path == path:
                self.key(use.key_span, TokenKind.OPERATOR)
        operator_keys = {use.key for use in task.operators}
        for entry in task.config.entries:
            if entry.key_span.path != path or entry.key in operator_keys or entry.key in SPECIAL_SUBTASKS:
                continue
            if entry.key in DIRECTIVES:
                self.key(entry.key_span, TokenKind.DIRECTIVE)

    def node(self, node: Node) -> None:
        """Templates in every string value below ``node`` (keys are never evaluated)."""
        if isinstance(node, Mapping):
            for entry in node.entries:
                self.node(entry.value)
        elif isinstance(node, Sequence):
            for item in node.items:
                self.node(item)
        elif isinstance(node, Scalar) and node.span.path == self.source.path:
            self.scalar(node)

    def scalar(self, node: Scalar) -> None:
        value = node.value
        if not isinstance(value, str) or "${" not in value:
            return
        identity = (node.span.start, node.span.end)
        if identity in self._seen_nodes:
            return
        self._seen_nodes.add(identity)
        templates, _ = find_templates(value)
        if not templates:
            return
        offsets = value_offsets(node, self.source)
        for template in templates:
            base = template.expression_start
            for token in javascript_tokens(template.expression):
                first = offsets[min(base + token.start, len(offsets) - 1)]
                last = offsets[min(base + token.end - 1, len(offsets) - 1)] + 1
                self.add(first, max(first, last), token.kind, token.modifiers)


def token_types() -> list[str]:
    """LSP token type names in legend order (each distinct name once)."""
    return list(dict.fromkeys(LSP_TYPES[kind] for kind in TokenKind))


def token_modifiers() -> list[str]:
    """LSP token modifier names in legend order."""
    return [modifier.value for modifier in Modifier]
