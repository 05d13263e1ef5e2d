"""The JavaScript of one ``${...}``: ES5 syntax errors at their token, and free-variable references."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyjsparser import PyJsParser

from dig_lsp.embedded.js import (
    JS_GLOBALS,
    MAX_EXPRESSION_LENGTH,
    JsProblem,
    ParsedExpression,
    Reference,
    parse_expression,
)


def _problem(text: str) -> JsProblem:
    parsed = parse_expression(text)
    assert parsed.problem is not None, f"no problem for {text!r}"
    assert parsed.references == ()
    return parsed.problem


def _marked(text: str) -> str:
    problem = _problem(text)
    return text[problem.start : problem.end]


def _refs(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    parsed = parse_expression(text)
    assert parsed.problem is None, parsed.problem
    return [(ref.name, ref.path, text[ref.start : ref.end]) for ref in parsed.references]


# ---------------------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("text", "marked", "words"),
    [
        ("td.last_results.cnt => 3", "=>", "arrow functions"),
        ("x => x + 1", "=>", "arrow functions"),
        ("(a, b) => a", "=>", "arrow functions"),
        ("() => 1", "=>", "arrow functions"),
        ("a b", "b", "unexpected 'b': a template holds one JavaScript expression"),
        ("a 3", "3", "unexpected number '3'"),
        ("a 'x'", "'x'", "unexpected string"),
        ('"abc', '"', "unterminated string"),
        ("'abc\ndef'", "'", "unterminated string"),
        ("`x`", "`x`", "template literals"),
        ("`a${b}c`", "`a${", "template literals"),
        ("let x = 1", "let", "'let' declarations are ES6"),
        ("function(){ let y = 1; return y }", "let", "'let' declarations are ES6"),
        ("function(){ const y = 1; return y }", "const", "'const' declarations are ES6"),
        ("var x = 1", "var", "not a statement"),
        ("if (a) b", "if", "not a statement"),
        ("a; b", ";", "unexpected ';'"),
        ("@", "@", "invalid character"),
        ("1a", "1a", "invalid number"),
        ("0b101", "0b101", "binary and octal literals"),
        ('"\\u{41}"', '"\\u{41}"', "\\u{...} escapes are ES6"),
        ("class {}", "class", "classes are ES6"),
        ("{a}", "a", "shorthand properties are ES6"),
        ("{[k]: 1}", "k", "computed property names are ES6"),
        ("{f() {}}", "f", "method shorthand is ES6"),
        ("[a, b] = c", "a, b", "destructuring"),
        ("function(a, b=1){ return b }", "b", "default parameter values"),
        ("enum", "enum", "reserved word"),
        ("a)", ")", "unmatched ')'"),
        (")", ")", "empty parentheses"),
        ("a /* note", "/*", "unterminated comment"),
        ("a // note", "// note", "comment also hides the ')'"),
        ("   ", "   ", "empty expression"),
        ("/* only a comment */", "/* only a comment */", "empty expression"),
    ],
)
def test_syntax_error_at_offending_token(text: str, marked: str, words: str) -> None:
    assert _marked(text) == marked
    assert words in _problem(text).message


@pytest.mark.parametrize("text", ["a +", "a ? b", "f(a", "(", "{a: 1", "a.", "x = "])
def test_cut_short_expression_is_reported_at_its_end(text: str) -> None:
    problem = _problem(text)
    assert (problem.start, problem.end) == (len(text), len(text))
    assert "end of the expression" in problem.message


def test_offsets_are_into_the_text_on_later_lines() -> None:
    text = "td.last_results.cnt\n  + 1\n  => 3"
    problem = _problem(text)
    assert text[problem.start : problem.end] == "=>"
    assert problem.start == text.index("=>")
    text = "a +\n  b c"
    assert _marked(text) == "c"


def test_empty_text_is_not_an_error() -> None:
    assert parse_expression("") == ParsedExpression((), None)


def test_text_is_wrapped_verbatim_like_digdag() -> None:
    # digdag pastes the text between '(' and ')', so a balanced ') ... (' still compiles
    assert _refs("a) + (b") == [("a", ("a",), "a"), ("b", ("b",), "b")]
    # a // comment is fine when a line break ends it
    assert _refs("a // note\n") == [("a", ("a",), "a")]


@pytest.mark.parametrize(
    "text",
    [
        "a ? b : c",
        "a, b",
        "{a: 1, 'b': [1, 2,], get c() { return 1 }}",
        "function (x) { 'use strict'; return x }(1)",
        "/a+/g.test(b)",
        "a instanceof Array && !(b in c)",
        "new Date(x).getTime() / 1000 | 0",
        "'a'.replaceAll('a', 'b')",
        "a.class + a.if + a.null + a.true",
        "x ? y : z // ends\n",
    ],
)
def test_valid_es5_has_no_problem(text: str) -> None:
    assert parse_expression(text).problem is None


# ------------------------------------------------------------------------------------ references


def test_moment_call_chain() -> None:
    text = 'moment(session_time).add(1, "days").format("YYYY")'
    assert _refs(text) == [("moment", ("moment",), "moment"), ("session_time", ("session_time",), "session_time")]


def test_member_chains() -> None:
    assert _refs("td.last_results.cnt > 0") == [("td", ("td", "last_results", "cnt"), "td.last_results.cnt")]
    assert _refs('a["b"].c') == [("a", ("a", "b", "c"), 'a["b"].c')]
    assert _refs("a[0].b") == [("a", ("a", "0", "b"), "a[0].b")]
    assert _refs('a . b [ "c" ] . d') == [("a", ("a", "b", "c", "d"), 'a . b [ "c" ] . d')]


def test_computed_member_and_call_end_the_chain() -> None:
    assert _refs("a[k].b") == [("a", ("a",), "a"), ("k", ("k",), "k")]
    assert _refs("a.b(x).c") == [("a", ("a", "b"), "a.b"), ("x", ("x",), "x")]
    assert _refs("Object.keys(params).length") == [
        ("Object", ("Object", "keys"), "Object.keys"),
        ("params", ("params",), "params"),
    ]
    assert _refs("JSON.parse(list)[0]") == [("JSON", ("JSON", "parse"), "JSON.parse"), ("list", ("list",), "list")]


def test_function_scopes() -> None:
    assert _refs("function(x){ var y = x; return y + z }(1)") == [("z", ("z",), "z")]
    assert _refs(" a.map(function(x){return x*5}) ") == [("a", ("a", "map"), "a.map")]
    # var is hoisted, function declarations and the expression's own name bind, catch binds its param
    assert _refs("function f(){ w = v; var v; return f + g(); function g(){ return 1 } }") == []
    assert _refs("function(){ try { return a } catch (e) { return e.m + b } }") == [
        ("a", ("a",), "a"),
        ("b", ("b",), "b"),
    ]
    assert _refs("function(){ return arguments.length + this.x }") == []


def test_references_that_do_not_need_a_definition_are_left_out() -> None:
    # typeof on a bare name never throws; plain assignment creates a global in sloppy ES5
    assert _refs('typeof x === "undefined" ? y : typeof z.w') == [("y", ("y",), "y"), ("z", ("z", "w"), "z.w")]
    assert _refs("x = 1") == []
    assert _refs("x.y = 1") == [("x", ("x",), "x")]
    assert _refs("x += 1") == [("x", ("x",), "x")]


def test_ternary_and_unicode_identifiers() -> None:
    assert _refs("a ? b.c : d") == [("a", ("a",), "a"), ("b", ("b", "c"), "b.c"), ("d", ("d",), "d")]
    assert _refs("café.ñ + 日本") == [("café", ("café", "ñ"), "café.ñ"), ("日本", ("日本",), "日本")]
    assert _refs("\\u0061 + 1") == [("a", ("a",), "\\u0061")]


def test_reference_positions_in_multi_line_text() -> None:
    text = "'x'\n  + first.a\n  + second"
    assert parse_expression(text).references == (
        Reference("first", ("first", "a"), text.index("first"), text.index("first") + len("first.a")),
        Reference("second", ("second",), text.index("second"), len(text)),
    )


def test_property_names_and_keywords_are_not_references() -> None:
    assert _refs("{get: get, set x(v) {}, y: 1}.y") == [("get", ("get",), "get")]
    assert _refs("a ? true : null") == [("a", ("a",), "a")]


# ---------------------------------------------------------------------------------------- limits


def test_too_long_text() -> None:
    problem = _problem("a+" * (MAX_EXPRESSION_LENGTH // 2) + "a")
    assert str(MAX_EXPRESSION_LENGTH) in problem.message


def test_too_deep_nesting() -> None:
    text = "(" * 2000 + "a" + ")" * 2000
    problem = _problem(text)
    assert "nests too deeply" in problem.message
    assert (problem.start, problem.end) == (0, len(text))


def test_globals() -> None:
    for name in ("Math", "JSON", "moment", "parseInt", "undefined", "print", "__t", "__p", "__j", "RangeError"):
        assert name in JS_GLOBALS
    assert "console" not in JS_GLOBALS


_JS_PIECES = st.sampled_from([
    "a", "b.c", "(", ")", "[", "]", "{", "}", ",", ";", "=>", "`", "'", '"', "/", "/*", "*/", "//", "\n",
    "function", "var", "let", "x", "=", "+", "?", ":", "1", "0x", "\\", "\\u", "${", "this", "typeof ",
    "get ", "é", "\u2028", " ", ".", "catch", "try",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_JS_PIECES, max_size=25).map("".join)))
def test_never_raises_and_offsets_are_in_range(text: str) -> None:
    parsed = parse_expression(text)
    spans = [(ref.start, ref.end) for ref in parsed.references]
    if parsed.problem is not None:
        spans.append((parsed.problem.start, parsed.problem.end))
        assert parsed.references == ()
    for start, end in spans:
        assert 0 <= start <= end <= len(text)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_JS_PIECES, max_size=25).map("".join))
def test_the_dry_run_reads_the_same_tree_as_its_own_parse(text: str) -> None:
    """The dry run walks the tree of this shared parse (``(text)``, digdag's wrapping) instead of parsing
    ``(text\\n)`` itself: wherever the shared parse has a tree, the two must be the same."""
    tree = parse_expression(text).tree
    if tree is None:
        return
    assert PyJsParser().parse("(" + text + "\n)") == tree


@pytest.mark.parametrize("text", ["a.b + 1", "{a: 1}", "x(1)", "a); (b"])
def test_a_parsed_text_keeps_its_tree_outside_equality(text: str) -> None:
    parsed = parse_expression(text)
    assert parsed.tree is not None
    assert parsed == ParsedExpression(parsed.references, parsed.problem, parsed.guarded)
    assert hash(parsed) == hash(ParsedExpression(parsed.references, parsed.problem, parsed.guarded))


# ----------------------------------------------------------------- chains of names, read without the parser


def _parsed_by_pyjsparser(text: str) -> ParsedExpression:
    from dig_lsp.embedded.js.expression import _analyse

    return _analyse(text)


def _same_reading(text: str) -> None:
    """The shortcut's reading of ``text`` is the parser's: references, problem, guards and tree, in the
    same key order (the dry run walks the tree; a repr compares the order too)."""
    fast, slow = parse_expression(text), _parsed_by_pyjsparser(text)
    assert fast == slow
    assert repr(fast.tree) == repr(slow.tree)


_CHAIN_WORDS = st.sampled_from([
    "a", "td", "last_results", "$x", "_", "x1", "$", "A_b$", "moment", "this", "null", "true", "false",
    "undefined", "NaN", "arguments", "eval", "if", "in", "let", "yield", "class", "enum", "super", "pyimport",
    "static", "get", "set", "of", "async", "await", "é", "1a", "0", "a-b", " a", "a ", "\\u0061", "",
])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_CHAIN_WORDS, min_size=1, max_size=6).map(".".join))
def test_a_chain_of_names_is_read_as_the_parser_reads_it(text: str) -> None:
    from dig_lsp.embedded.js.chain import chain_names

    if chain_names(text) is not None:
        _same_reading(text)


def test_every_chain_of_the_corpus_is_read_as_the_parser_reads_it() -> None:
    from dig_lsp.embedded.js.chain import chain_names
    from dig_lsp.syntax.templates import find_templates
    from tests.conftest import shared_path

    texts = set()
    for path in shared_path("corpus").rglob("*"):
        if path.suffix in (".dig", ".sql", ".yml", ".py", ".sh") and path.is_file():
            templates, _ = find_templates(path.read_text(encoding="utf-8", errors="replace"))
            texts.update(template.expression for template in templates)
    chains = sorted(text for text in texts if chain_names(text) is not None)
    assert len(chains) > 500  # most templates are chains: the shortcut is taken
    for text in chains:
        _same_reading(text)


@pytest.mark.parametrize("text", ["a.b", "td.last_results.count", "$x._y1"])
def test_a_chain_of_names_does_not_run_the_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dig_lsp.embedded.js import expression

    def refuse(_text: str) -> ParsedExpression:
        raise AssertionError("parsed")

    monkeypatch.setattr(expression, "_analyse", refuse)
    expression.parse_expression.cache_clear()
    assert parse_expression(text).references[0].path == tuple(text.split("."))


@pytest.mark.parametrize("text", ["a . b", "a.if", "null", "this.a", "a.b.", "é.a", "a[0]", "pyimport.x",
                                  ".".join(["a"] * 33)])
def test_other_texts_still_go_to_the_parser(text: str) -> None:
    from dig_lsp.embedded.js.chain import chain_names

    assert chain_names(text) is None
