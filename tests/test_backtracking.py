"""Regular expressions on user text never backtrack catastrophically.

Every pattern that sees workflow text was audited for nested or adjacent quantifiers over overlapping
classes; the dangerous ones were rewritten (unambiguous patterns, or plain scans). Each pathological
input below runs in a subprocess with a timeout: the old code needs hours to years on it (n^4, 2^n, or
n^2 on a few hundred thousand characters), the new code milliseconds, and a regression fails the test
instead of hanging pytest. No wall clock is asserted; the short inputs check that the rewritten
patterns accept exactly what the old ones did.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dig_lsp.dryrun.js import evaluate, to_number
from dig_lsp.dryrun.js.moment import MomentError, moment_call
from dig_lsp.embedded.js import parse_expression
from dig_lsp.ide import completion
from dig_lsp.ide.completion import context as completion_context
from dig_lsp.model.schedule import ScheduleError, parse_duration
from dig_lsp.text.source import SourceFile

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
TIMEOUT = 120  # seconds: generous on a loaded CI machine; the fixed code needs well under one


def _finishes(code: str, timeout: float = TIMEOUT) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed; a hang fails the test."""
    try:
        result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish in {timeout} s: catastrophic backtracking")
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# --------------------------------------------------------------------------- durations (was n^4)

# util/Durations.java's pattern: safe on the short texts the property test feeds it.
_DIGDAG_DURATION = re.compile(r"\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*",
                              re.IGNORECASE | re.ASCII)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=" \t\n12dhmsDHMSx", max_size=12))
def test_durations_are_read_as_digdag_reads_them(text: str) -> None:
    match = _DIGDAG_DURATION.fullmatch(text)
    expected = None
    if match is not None and any(match.groups()):
        days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
        expected = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    try:
        got: int | None = int(parse_duration(text).total_seconds())
    except ScheduleError:
        got = None
    assert got == expected


def test_a_skip_delayed_by_of_spaces_is_answered(tmp_path: Path) -> None:
    """`skip_delayed_by:` is read by the schedule model and by the schema's pattern: both were n^4."""
    spaces = " " * 3_000
    (tmp_path / "wf.dig").write_text(f'schedule:\n  daily>: 07:00:00\n  skip_delayed_by: "{spaces}x"\n'
                                     "+t:\n  echo>: hi\n", encoding="utf-8")
    output = _finishes(f"""
        import sys
        from dig_lsp.cli.main import main
        sys.argv = ["dig-lint", {str(tmp_path)!r}]
        try:
            main()
        finally:
            sys.stdout.flush()
    """)
    assert "skip_delayed_by" in output


def test_pathological_durations() -> None:
    output = _finishes("""
        from dig_lsp.model.schedule import ScheduleError, parse_duration
        for text in (" " * 5_000 + "x", "1d" + " " * 5_000 + "x", "1" * 200_000 + "x", "1d " * 50_000):
            try:
                parse_duration(text)
                print("accepted")
            except ScheduleError:
                print("rejected")
    """)
    assert output.split() == ["rejected"] * 4


# --------------------------------------------------------------------------- JavaScript: `()` then comments (was 2^n)

def test_empty_parentheses_before_many_comments() -> None:
    output = _finishes("""
        from dig_lsp.embedded.js import parse_expression
        for text in ("()" + "/**/" * 60 + "x", "()" + "/**//*" * 60 + "x", "(" + ") /* */" * 20_000):
            print(parse_expression(text).problem is not None)
    """)
    assert output.split() == ["True"] * 3


@pytest.mark.parametrize(("text", "where", "message"), [
    ("() => 1", 3, "arrow functions"),
    ("() /* a */ /**/\n=> 1", 16, "arrow functions"),
    ("()/**/x", 1, "empty parentheses"),
    ("() /* a */ b */ => 1", 1, "empty parentheses"),  # a comment ends at its first `*/`
])
def test_empty_parentheses_are_explained(text: str, where: int, message: str) -> None:
    problem = parse_expression(text).problem
    assert problem is not None
    assert (problem.start, message in problem.message) == (where, True), problem


# --------------------------------------------------------------------------- numbers (were n^2)

def test_long_numbers_followed_by_something_else() -> None:
    output = _finishes("""
        from datetime import UTC
        from dig_lsp.dryrun.js import evaluate, to_number
        from dig_lsp.model import values
        digits = "1" * 300_000
        print(to_number(digits + "x"))
        print(evaluate("parseFloat(s)", {"s": digits + "x"}, UTC) > 0)
        print(values._is_number(None, digits + "x"))
    """)
    assert output.split() == ["nan", "True", "False"]


@pytest.mark.parametrize(("text", "number"), [
    ("12", 12.0), ("1.", 1.0), ("1.5", 1.5), (".5", 0.5), ("-1e3", -1000.0), ("+2.5E-1", 0.25), ("1e", None),
    (".", None), ("1.2.3", None), ("", 0.0), ("0x1F", 31.0),
])
def test_numbers_as_javascript_reads_them(text: str, number: float | None) -> None:
    got = to_number(text)
    assert got != got if number is None else got == number  # NaN is not equal to itself


@pytest.mark.parametrize(("text", "number"), [("12px", 12.0), ("1.5e", 1.5), ("-.5x", -0.5), ("2e3.5", 2000.0)])
def test_parse_float_reads_the_longest_number(text: str, number: float) -> None:
    assert evaluate("parseFloat(s)", {"s": text}, UTC) == number


@pytest.mark.parametrize(("text", "number"), [("12", True), ("1.", True), ("-.5e3", True), ("1e", False),
                                              (".", False), ("1.2.3", False), ("${x}", True)])
def test_number_values_are_recognised(text: str, number: bool) -> None:
    from dig_lsp.model import values

    assert values._is_number(None, text) is number


# --------------------------------------------------------------------------- completion on a long line (were n^2)

def _line_context_code(line: str, column: str) -> str:
    return f"""
        from dig_lsp.ide.completion import read_context
        from dig_lsp.text.source import SourceFile
        line = {line}
        source = SourceFile("/p/wf.dig", "+t:\\n" + line + "\\n")
        context = read_context(source, 4 + {column})
        print(context is not None)
    """


@pytest.mark.parametrize(("line", "column"), [
    ('"  a" + " " * 400_000 + "b"', "len(line)"),  # no `key:` on the line: the key pattern
    ('"  echo>: " + "a" * 400_000 + " x("', "len(line)"),  # a long word before the cursor's
])
def test_completion_context_on_a_long_line(line: str, column: str) -> None:
    assert _finishes(_line_context_code(line, column)).split() == ["True"]


def test_member_completion_after_a_long_call_chain(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text("+t:\n  echo>: ${" + "moment()." * 50_000 + "(\n", encoding="utf-8")
    output = _finishes(f"""
        from dig_lsp.ide.completion import complete
        from dig_lsp.model.project import load_project
        from dig_lsp.text.files import DiskReader
        path = {str(tmp_path / "wf.dig")!r}
        project = load_project({str(tmp_path)!r}, [path], DiskReader())
        print(len(complete(project, path, len(open(path).read()) - 1).items) >= 0)
    """)
    assert output.split() == ["True"]


# The key pattern before its rewrite: safe on the short lines the property test feeds it.
_OLD_KEY = re.compile(r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},][^#]*?)\s*:(?=\s|$)""")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=" \ta:#'\"[x-", max_size=10))
def test_keys_are_read_as_before(line: str) -> None:
    old, new = _OLD_KEY.match(line), completion_context._KEY.match(line)
    assert (old and (old.group("key"), old.end())) == (new and (new.group("key"), new.end()))


@pytest.mark.parametrize(("prefix", "start"), [("  echo>: ab.c", 9), ("x ", 2), ("", 0), ("+a+b", 0), ("a(b", 2)])
def test_the_word_before_the_cursor(prefix: str, start: int) -> None:
    source = SourceFile("/p/wf.dig", prefix + "\n")
    context = completion.read_context(source, len(prefix))
    assert context is None or context.word_start == start


# --------------------------------------------------------------------------- moment(text, format) (was exponential)

def test_a_format_of_many_adjacent_separators() -> None:
    output = _finishes("""
        from datetime import UTC
        from dig_lsp.dryrun.js.moment import MomentError, moment_call
        for text, pattern in (("-" * 80, "-[-]" * 40 + "-[x]YYYY"), ("1" * 100_000, "YYYY-" + "[-]" * 20_000)):
            try:
                moment_call([text, pattern], UTC, False)
                print("parsed")
            except MomentError:
                print("refused")
    """)
    assert output.split() == ["refused", "parsed"]


@pytest.mark.parametrize(("text", "pattern", "expected"), [
    ("2024-03-05 07:08", "YYYY-MM-DD HH:mm", "2024-03-05T07:08:00+00:00"),
    ("at 2024/3/5", "[at] YYYY/M/D", "2024-03-05T00:00:00+00:00"),
    ("20240305", "YYYYMMDD", "2024-03-05T00:00:00+00:00"),
    ("2024-01-02 10:00 +09:00", "YYYY-MM-DD HH:mm Z", "2024-01-02T01:00:00+00:00"),
    ("5.3.24", "D.M.YY", "2024-03-05T00:00:00+00:00"),
])
def test_formats_are_read_token_by_token(text: str, pattern: str, expected: str) -> None:
    got = evaluate(f"moment({json.dumps(text)}, {json.dumps(pattern)}).toISOString()", {}, UTC)
    assert datetime.fromisoformat(got.replace("Z", "+00:00")).isoformat() == expected


@pytest.mark.parametrize("pattern", ["YYYY-MMM", "YYYY-YYYY", "[x]", "YYYY ZZ"])
def test_formats_the_dry_run_cannot_read(pattern: str) -> None:
    """A token it does not implement, a repeated field, no field, a field the text does not hold."""
    with pytest.raises(MomentError):
        moment_call(["2024-01-01", pattern], UTC, False)


# --------------------------------------------------------------------------- every pattern, generic hostile text

_UNITS = (" ", "\t", "\n", "0", "1", "a", "A", "_", ".", ":", "-", "+", "/", "*", "#", "'", '"', "\\", "[", "]", "{",
          "}", "(", ")", ",", "$", "=", ">", "|", "&", "!", "?", "%", "@", "1 ", "1d ", "1.", "a.", "a ", "a:", "/*",
          "/**/", "*/", "- ", "? ", ": ", "${", "a(", ".a()", "moment().", "\\\\", "a,", "1:", "-1", "e1", "1e", "a-",
          '"a"', "'a'", "[]", "{}", "()")


def _schema_patterns() -> list[str]:
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("pattern", "x-dig-file-when") and isinstance(item, str):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in SCHEMAS.rglob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return sorted(found)


def test_every_pattern_is_linear_on_hostile_text() -> None:
    """Every compiled pattern of the package and every schema pattern, on 50,000-character runs of what
    quantifiers repeat (alone, after a word, after a digit): by match and fullmatch (super-linear work
    from one start: nested or adjacent quantifiers), and by search when the package searches with it
    (a start per character: linear work from each start is quadratic there) or passes it on."""
    output = _finishes(f"""
        import importlib, inspect, pkgutil, re
        import dig_lsp
        modules = [importlib.import_module(info.name)
                   for info in pkgutil.walk_packages(dig_lsp.__path__, "dig_lsp.")]
        source = "\\n".join(inspect.getsource(module) for module in modules)
        patterns = {{}}
        for module in modules:
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    used = set(re.findall(rf"\\b{{re.escape(name)}}\\.(\\w+)\\(", source))
                    searched = not used <= {{"match", "fullmatch"}} or not used
                    earlier = patterns.get((value.pattern, value.flags), (value, False))
                    patterns[(value.pattern, value.flags)] = (value, searched or earlier[1])
        for text in {_schema_patterns()!r}:  # jsonschema searches
            patterns[(text, 0)] = (re.compile(text), True)
        for unit in {_UNITS!r}:
            body = unit * (50_000 // len(unit))
            for text in (body + "\\x00", "a" + body + "\\x00", "1" + body):
                for pattern, searched in patterns.values():
                    pattern.match(text)
                    pattern.fullmatch(text)
                    if searched:
                        pattern.search(text)
        print(len(patterns))
    """, timeout=300)
    assert int(output) > 40
