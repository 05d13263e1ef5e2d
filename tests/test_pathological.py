"""Hostile input is answered quickly, with a diagnostic naming the limit that was hit, never a crash.

Each case runs the full analysis (every check) under a watchdog (``tests.conftest.no_hang``) that fails
a run that does not end; how long the large variants take is measured in ``bench/hostile.py``, not here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.digdag.coerce import java_integer
from dig_lsp.dryrun.js import JsError, Unevaluable, evaluate
from dig_lsp.dryrun.options import Options
from dig_lsp.dryrun.run import dry_run
from dig_lsp.embedded.sql import MAX_QUERY_LENGTH
from dig_lsp.engine import analyse
from dig_lsp.model.project import load_project
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import DiskReader
from dig_lsp.text.limits import (
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_TEMPLATES,
    MAX_YAML_CHARS,
    nesting_offset,
)
from tests.conftest import no_hang


def _lint(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> list[Diagnostic]:
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    path = tmp_path / "wf.dig"
    path.write_text(text, encoding="utf-8")
    with no_hang():
        found = analyse(Unit(str(tmp_path), (str(path),)), Settings()).diagnostics
    assert not [d for d in found if d.code == "DL000"], [d.message for d in found if d.code == "DL000"]
    return found


def _messages(found: list[Diagnostic], code: str) -> list[str]:
    return [d.message for d in found if d.code == code]


def _laughs() -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        below = f"*l{level - 1}"
        lines.append(f"l{level}: &l{level} [{', '.join([below] * 9)}]")
    return "\n".join(lines) + "\n+t:\n  echo>: hi\n"


def test_billion_laughs_stops_at_the_alias_limit(tmp_path: Path) -> None:
    found = _lint(tmp_path, _laughs())
    assert any(f"more than {MAX_EXPANDED_NODES} nodes" in m for m in _messages(found, "DL114"))


NESTINGS: dict[str, Callable[[int], str]] = {
    "flow-sequence": lambda n: "x: " + "[" * n + "]" * n + "\n",
    "flow-mapping": lambda n: "x: " + "{a: " * n + "1" + "}" * n + "\n",
    "block-mapping": lambda n: "".join(" " * i + f"+t{i}:\n" for i in range(n)),
    "block-sequence": lambda n: "x:\n" + "".join(" " * i + "-\n" for i in range(1, n)),
    "one-line-sequence": lambda n: "x:\n  " + "- " * n + "x\n",
}


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_two_thousand_levels_of_nesting(tmp_path: Path, kind: str) -> None:
    """2,000 levels (the deepest block mapping indented one column per level under MAX_YAML_CHARS)."""
    found = _lint(tmp_path, NESTINGS[kind](2_000))
    assert any(f"deeper than {MAX_NESTING} levels" in m for m in _messages(found, "DL114"))


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_nesting_just_under_the_limit_is_analysed(tmp_path: Path, kind: str) -> None:
    """Used to raise RecursionError out of analyse() from ~450 levels (the interpreter's frame limit)."""
    depth = 480 if kind.startswith("block") else MAX_NESTING - 10
    found = _lint(tmp_path, NESTINGS[kind](depth))
    assert not _messages(found, "DL114")


# Every construct that opens a nesting level. The pre-check looked at indentation and brackets only (and
# its bracket depth went down at quoted or commented closers), so the first four killed the process with
# SIGSEGV in ruamel's C composer, which recurses once per level; the rest went unreported.
NESTED_CONSTRUCTS: dict[str, str] = {
    "entries-on-one-line": "a:\n  " + "- " * 40_000 + "x\n",
    "complex-keys-on-one-line": "? " * 40_000 + "x\n",
    "keys-and-entries-on-one-line": "? " + "- ? " * 20_000 + "x\n",
    "entries-after-an-explicit-value": "? a\n: " + "- " * 40_000 + "x\n",
    "brackets-after-quoted-closers": "a: " + '[ "]", ' * 40_000 + "\n",
    "brackets-after-commented-closers": "a:\n" + "  [ # ]\n" * 40_000,
    "entries-then-brackets": "a:\n  " + "- " * 600 + "[" * 600 + "]" * 600 + "\n",
    "sequences-at-their-keys-column": "a:\n" + "".join(" " * i + "-\n" + " " * i + " b:\n" for i in range(600)),
    "indentation-after-line-separators": "a:\u2028" + "".join(" " * i + "-\u2028" for i in range(1, 1200)),
}


def _dig_lint(path: Path, memory: int = 2 << 30) -> subprocess.CompletedProcess[str]:
    """``dig-lint PATH`` in a subprocess, its address space capped: a crash, a hang or a memory bomb
    fails the test instead of killing (or hanging) pytest."""
    code = (f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory})); "
            "from dig_lsp.cli.main import main; sys.exit(main())")
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("kind", sorted(NESTED_CONSTRUCTS))
def test_every_construct_that_opens_a_level_is_counted(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "wf.dig"
    path.write_text(NESTED_CONSTRUCTS[kind], encoding="utf-8")
    result = _dig_lint(path)
    assert result.returncode == 1, f"exit {result.returncode} (negative: killed by a signal)\n{result.stderr[-2000:]}"
    assert f"error[DL114] nesting is deeper than {MAX_NESTING} levels" in result.stdout


# Pieces of YAML that open, close or hide levels; texts made of runs of them (most are not valid YAML:
# the parser's events up to the first error are what the composer would recurse on).
_PIECES = ("- ", "? ", ": ", "-\n", "[", "{", "]", "}", ", ", "a", "a: ", '"]", ', "'}', ", "# ]\n", "\n", "\u2028",
           "\r", "\x85", " ", "\t", "${", "x[", "&a ", "!t ", "--- ")


def _event_depth(text: str) -> int:
    """How deep the C parser's events nest (up to the first error): how deep the composer recurses."""
    depth = deepest = 0
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1
    except (YAMLError, ValueError):
        pass
    return deepest


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.integers(1, 300)), min_size=1, max_size=8))
def test_the_nesting_bound_is_never_below_the_real_depth(runs: list[tuple[str, int]]) -> None:
    """The pre-check must be sound: whatever nests ``depth`` levels is flagged at any lower limit."""
    text = "".join(piece * count for piece, count in runs)
    depth = _event_depth(text)
    assert depth == 0 or nesting_offset(text, depth - 1) is not None, depth


def _includes_of(name: str, shape: str, times: int) -> list[str]:
    if shape == "values":
        return [f"v{i}: !include {name}" for i in range(times)]
    return [f"!include : {name}"] * times  # merged into the mapping, each time


def _include_chain(root: Path, shape: str, levels: int = 10, times: int = 10) -> Path:
    """wf.dig includes f1.yml ten times, f1.yml includes f2.yml ten times...: 10^10 nodes expanded."""
    for level in range(1, levels + 1):
        lines = _includes_of(f"f{level + 1}.yml", shape, times) if level < levels else ["x: 1"]
        (root / f"f{level}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = root / "wf.dig"
    path.write_text("_export:\n" + "".join(f"  {line}\n" for line in _includes_of("f1.yml", shape, times))
                    + "+t:\n  echo>: hi\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("shape", ["values", "keys"])
def test_an_include_bomb_stops_at_the_node_limit(tmp_path: Path, shape: str) -> None:
    """Never finished: every include of a file was expanded again, tenfold per level."""
    result = _dig_lint(_include_chain(tmp_path, shape))
    assert result.returncode == 1, f"exit {result.returncode} (negative: killed by a signal)\n{result.stderr[-2000:]}"
    assert result.stdout.count(f"error[DL114] !include expands to more than {MAX_EXPANDED_NODES} nodes") == 1


def test_nesting_through_includes_is_bounded(tmp_path: Path) -> None:
    """Twelve files, each 900 levels deep with the next one included at the bottom: 10,800 levels
    (each file within MAX_NESTING) ended in a RecursionError and an empty report."""
    for level in range(1, 13):
        below = f"!include f{level + 1}.yml" if level < 12 else "x"
        (tmp_path / f"f{level}.yml").write_text("a:\n  " + "- " * 900 + below + "\n", encoding="utf-8")
    path = tmp_path / "wf.dig"
    path.write_text("_export:\n  a: !include f1.yml\n+t:\n  echo>: ${a}\n", encoding="utf-8")
    result = _dig_lint(path)
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stderr[-2000:]}"
    assert f"error[DL114] nesting through !include is deeper than {MAX_NESTING} levels" in result.stdout


def test_a_file_included_many_times_is_read_each_time(tmp_path: Path) -> None:
    """The look-alike: a hundred includes of a small file are far under the limit."""
    (tmp_path / "common.yml").write_text("database: d\nengine: presto\n", encoding="utf-8")
    tasks = "".join(f"+t{i}:\n  td>: q.sql\n  _export:\n    td:\n      !include : common.yml\n" for i in range(100))
    (tmp_path / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    found = _lint(tmp_path, tasks)
    assert not _messages(found, "DL114")


def test_numbers_of_thousands_of_digits(tmp_path: Path) -> None:
    """Python's int() refuses more than 4,300 digits: the ValueError stopped the whole run (traceback,
    no report) from `_parallel: {limit: ...}`, and made the schedule checks DL000."""
    digits = "1" * 5_000
    path = tmp_path / "wf.dig"
    path.write_text(f"schedule:\n  daily>: {digits}:00:00\n  skip_delayed_by: {digits}s\n+g:\n"
                    f"  _retry: {digits}\n  _parallel: {{limit: {digits}}}\n  +a:\n    echo>: x\n", encoding="utf-8")
    result = _dig_lint(path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "DL000" not in result.stdout
    assert {"DL302", "DL211", "DL212"} <= set(re.findall(r"DL\d{3}", result.stdout))


@pytest.mark.parametrize(("text", "value"), [("0" * 5_000 + "7", 7), ("-0", 0), ("+5", 5), ("2147483647", 2**31 - 1),
                                             ("2147483648", None), ("9" * 20, None), ("-" + "9" * 5_000, None)])
def test_java_integers_never_reach_python_s_digit_limit(text: str, value: int | None) -> None:
    assert java_integer(text, -(2**31), 2**31 - 1) == value


def test_brackets_in_strings_are_counted_exactly_before_refusing(tmp_path: Path) -> None:
    """Thousands of quoted brackets exceed the quick bound; the exact count (parser events) reads the file."""
    found = _lint(tmp_path, "x: [" + ", ".join(['"[[{"'] * 2_000) + "]\n+t:\n  echo>: ${x}\n")
    assert not _messages(found, "DL114")
    assert not _messages(found, "DL101")


def test_nested_complex_keys_do_not_double_per_level(tmp_path: Path) -> None:
    """Each level's key text is the JSON of the key below, escaped: 2^40 characters from 82 bytes."""
    path = tmp_path / "wf.dig"
    path.write_text("? " * 40 + "x\n", encoding="utf-8")
    result = _dig_lint(path)
    assert result.returncode == 1, f"exit {result.returncode} (negative: killed by a signal)\n{result.stderr[-2000:]}"
    assert "DL201" in result.stdout


def test_the_dry_run_reads_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "wf.dig"
    path.write_text("_export:\n  a: " + "[" * 990 + "]" * 990 + "\n+t:\n  echo>: ${a}\n", encoding="utf-8")
    result = subprocess.run([str(Path(sys.executable).parent / "dig-lint"), "dry-run", str(path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "+wf+t" in result.stdout


def test_a_file_just_under_the_yaml_limit_is_analysed(tmp_path: Path) -> None:
    """Large but legal: a few tasks and a 2 MB literal block (the many-tasks case is in bench/)."""
    body = "".join(f"    line {i} " + "x" * 70 + "\n" for i in range(24_000))
    text = "+a:\n  echo>: |\n" + body + "+b:\n  echo>: ${undefined_name}\n"
    assert 1_900_000 < len(text) <= MAX_YAML_CHARS
    found = _lint(tmp_path, text)
    assert [d.span.start.line for d in found if d.code == "DL508"] == [text.count("\n") - 1]


def test_a_fifty_megabyte_workflow_is_answered_at_once_with_the_limit(tmp_path: Path) -> None:
    """50 MB of tasks: not parsed (it would take minutes and gigabytes), reported at line 1 by DL114."""
    line = "  echo>: " + "x" * 80 + "\n"
    text = "".join(f"+t{i}:\n{line}" for i in range(530_000))
    assert len(text) > 50_000_000
    found = _lint(tmp_path, text)
    assert [(d.code, d.span.start.line) for d in found] == [("DL114", 0)]
    assert "not parsed" in found[0].message


def test_files_over_the_size_limit_are_refused_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yml"
    with open(path, "wb") as handle:  # sparse: no 64 MiB written
        handle.truncate(MAX_FILE_BYTES + 1)
    assert DiskReader().read(str(path)) is None
    found = _lint(tmp_path, "!include : huge.yml\n")
    assert [d.code for d in found] == ["DL108"]


def test_a_one_megabyte_line(tmp_path: Path) -> None:
    found = _lint(tmp_path, "+t:\n  echo>: " + "x" * 1_000_000 + " ${nope}\n")
    assert _messages(found, "DL508")


@pytest.mark.parametrize(("expression", "limit"), [
    ("(" * 5_000 + "1" + ")" * 5_000, "nests too deeply"),
    ("9" * 200_000, "characters long"),
    ("'" + "a" * 200_000 + "'", "characters long"),
    ("a+" * 300_000 + "a", "characters long"),
])
def test_pathological_expressions(tmp_path: Path, expression: str, limit: str) -> None:
    found = _lint(tmp_path, "+t:\n  echo>: ${" + expression + "}\n")
    assert any(limit in m for m in _messages(found, "DL501"))


@pytest.mark.parametrize("expression", [
    "(function(){ while(true){} })()",
    "(function(){ for(;;){} })()",
    "(function f(){ return f() })()",
    "(function(){ var s = 'a'; while(true){ s = s + s } })()",
])
def test_endless_expressions_stop_in_the_dry_run(expression: str) -> None:
    with no_hang(), pytest.raises((Unevaluable, JsError)):
        evaluate(expression, {}, UTC)


def test_the_step_budget_is_enforced() -> None:
    chain = "+".join(["[1,2,3].map(function(x){ return [1,2,3].map(function(y){ return x*y }) }).length"] * 50)
    with pytest.raises(Unevaluable, match="too many steps"):
        evaluate(chain, {}, UTC, max_steps=1_000)
    assert evaluate(chain, {}, UTC) == 150


def test_the_dry_run_survives_pathological_templates(tmp_path: Path) -> None:
    text = ("+a:\n  echo>: ${(function(){ while(true){} })()}\n"
            "+b:\n  echo>: ${" + "(" * 5_000 + "1" + ")" * 5_000 + "}\n"
            "+c:\n  echo>: ${'" + "a" * 100_000 + "'}\n")
    path = tmp_path / "wf.dig"
    path.write_text(text, encoding="utf-8")
    project = load_project(str(tmp_path), [str(path)], DiskReader())
    workflow = project.workflow(str(path))
    assert workflow is not None
    with no_hang():
        run = dry_run(project, workflow, Options(session_time=datetime(2024, 1, 1)))
    assert [t.full_name for t in run.tasks if t.full_name.count("+") == 2] == ["+wf+a", "+wf+b", "+wf+c"]


def test_deeply_nested_sql(tmp_path: Path) -> None:
    sql = "SELECT " + "(" * 20_000 + "1" + ")" * 20_000 + " FROM t WHERE x = ${nope}"
    found = _lint(tmp_path, "+t:\n  td>: q.sql\n  database: d\n", {"q.sql": sql})
    assert _messages(found, "DL508")


def test_a_one_megabyte_query_is_not_parsed(tmp_path: Path) -> None:
    """sqlglot took over 10 s on this; queries over MAX_QUERY_LENGTH are reported as not checked."""
    columns = ", ".join(f"col_{i} * 2 AS doubled_{i}" for i in range(40_000))
    sql = f"SELECT {columns}, ${{first}} AS a FROM t WHERE d = '${{session_date}}'"
    assert len(sql) > 1_000_000
    found = _lint(tmp_path, "+t:\n  td>: q.sql\n  database: d\n", {"q.sql": sql})
    assert _messages(found, "DL508")  # the templates are still checked
    assert [m for m in _messages(found, "DL602") if f"over the {MAX_QUERY_LENGTH:,} parsed" in m]


def test_a_query_under_the_length_limit_is_parsed(tmp_path: Path) -> None:
    columns = ", ".join(f"col_{i} AS c_{i}" for i in range(MAX_QUERY_LENGTH // 30))
    found = _lint(tmp_path, "+t:\n  td>: q.sql\n  database: d\n", {"q.sql": f"SELECT {columns} FROM t WHERE (("})
    assert _messages(found, "DL601")


def test_many_repeated_templates_in_a_query(tmp_path: Path) -> None:
    """5,000 copies of a few ``${...}`` used to cost ~2 ms each (catalog walk + re-parse per copy)."""
    sql = "SELECT " + ", ".join(f"c{i} + ${{x{i % 20}}}" for i in range(5_000)) + " FROM t"
    found = _lint(tmp_path, "+t:\n  td>: q.sql\n  database: d\n", {"q.sql": sql})
    assert len(_messages(found, "DL508")) == 5_000


def test_templates_past_the_limit_are_reported_not_checked(tmp_path: Path) -> None:
    """60,000 distinct `${...}`: the first MAX_TEMPLATES are checked, the rest named by one DL114."""
    values = "".join(f"    v{i}: ${{undefined_{i}}}\n" for i in range(60_000))
    path = tmp_path / "wf.dig"
    path.write_text("+t:\n  echo>: hi\n  _export:\n" + values, encoding="utf-8")
    with no_hang():  # about 7 s on an idle 2-core machine (was 50 s and gigabytes)
        found = analyse(Unit(str(tmp_path), (str(path),)), Settings()).diagnostics
    limits = [d for d in found if d.code == "DL114"]
    assert len(limits) == 1
    assert limits[0].span.start.line == 3 + MAX_TEMPLATES
    assert "this one and those after it are not checked" in limits[0].message
    assert len([d for d in found if d.code == "DL508"]) == MAX_TEMPLATES
