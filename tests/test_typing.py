"""Analysis while typing: a realistic workflow written one keystroke at a time (issue 17, point 1).

Every prefix of the final text is analysed as the language server would analyse the buffer. While
a task is being written the file is often not YAML (a key without its `:`, a quote not yet closed);
that must not hide what the finished tasks above it say, nor make them say anything they will not
say once the file is complete, and completion must keep working in them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.engine import analyse
from dig_lsp.ide.completion import complete
from dig_lsp.model.project import load_project
from dig_lsp.model.targets import Unit
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.text.files import OverlayReader

# Written top to bottom, as people do: what a task uses is defined above it. Two real mistakes stay
# in the final text (a misspelt variable, a misspelt parameter) and must be reported all along.
FINAL = """\
timezone: Asia/Tokyo
_export:
  td:
    database: analytics
  table: daily_events

+extract:
  td>: queries/extract.sql
  create_table: ${tabel}_tmp

+check:
  sh>: echo "rows for ${session_date}"
  _retry: 2

+load:
  td>: queries/extract.sql
  insert_into: ${table}
  enigne: presto

+report:
  echo>: "loaded ${table} for ${session_date}"
  _error:
    echo>: "failed: ${error.message}"
"""

FILES = {"queries/extract.sql": "SELECT 1 AS one\n"}
Key = tuple[str, int, int, str]


def _key(diagnostic: Diagnostic) -> Key:
    return (diagnostic.code, diagnostic.span.start.line, diagnostic.span.start.column, diagnostic.message)


def _blocks(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of each top-level entry of ``text``."""
    lines = text.split("\n")
    starts = [number for number, line in enumerate(lines) if line and not line[0].isspace()]
    return [(start, end - 1) for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typing")
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


def _analyse(root: Path, text: str, cache: ParseCache) -> list[Diagnostic]:
    path = str(root / "wf.dig")
    reader = OverlayReader({path: text.encode("utf-8")})
    return analyse(Unit(str(root), (path,)), Settings(), reader, cache).diagnostics


def _prefixes(text: str) -> list[str]:
    """The buffer after every keystroke: each character typed (a newline keeps the indentation of the
    next line, as editors insert it with the line break)."""
    return [text[:end] for end in range(1, len(text) + 1)]


def test_the_final_text_reports_exactly_its_two_mistakes(project: Path) -> None:
    found = _analyse(project, FINAL, ParseCache())
    assert [(code, line + 1) for code, line, _, _ in map(_key, found)] == [("DL502", 9), ("DL402", 18)]


def test_every_keystroke_keeps_the_finished_tasks_findings_and_adds_none(project: Path) -> None:
    final = {_key(d) for d in _analyse(project, FINAL, ParseCache())}
    cache = ParseCache()
    broken = 0
    for text in _prefixes(FINAL):
        found = _analyse(project, text, cache)
        assert not [d for d in found if d.code == "DL000"], text
        keys = {_key(d) for d in found}
        if any(code == "DL101" for code, *_ in keys):
            broken += 1
        typing_line = text.count("\n")
        finished = [(first, last) for first, last in _blocks(text) if last < typing_line and first > 0][:-1]
        for first, last in finished:  # the blocks above the one being written (and the blank line after)
            expected = {key for key in final if first <= key[1] <= last}
            shown = {key for key in keys if first <= key[1] <= last}
            assert shown == expected, f"lines {first + 1}-{last + 1} while typing:\n{text}"
    assert broken > 50  # the replay does go through many states that are not YAML


def test_completion_works_while_another_task_is_not_yaml(project: Path) -> None:
    path = str(project / "wf.dig")
    typed = FINAL[:FINAL.index("  enigne")] + "  cre"  # a key half typed in +load: not YAML
    assert any(d.code == "DL101" for d in _analyse(project, typed, ParseCache()))
    model = load_project(str(project), [path], OverlayReader({path: typed.encode("utf-8")}))
    variable = typed.index("${table}") + len("${ta")
    assert "table" in {item.label for item in complete(model, path, variable, ()).items}
    parameter = len(typed)
    assert "create_table" in {item.label for item in complete(model, path, parameter, ()).items}


# ------------------------------------------------------------------ what recovery keeps, and when it does not


def _lint(root: Path, text: str) -> list[tuple[str, int, str]]:
    path = root / "wf.dig"
    path.write_text(text, encoding="utf-8")
    found = analyse(Unit(str(root), (str(path),)), Settings(), None, None).diagnostics
    return [(d.code, d.span.start.line + 1, d.message) for d in found]


def test_a_task_whose_operator_line_is_broken_still_runs_an_operator(tmp_path: Path) -> None:
    """The operator's value does not parse (a line indented into it), but `sh>:` says the task is no group:
    its other keys are not "invalid keys of a group"."""
    text = "+step:\n  sh>: tasks/run.sh\n    invalid: foo\n  foo: bar\n"
    assert [(code, line) for code, line, _ in _lint(tmp_path, text)] == [("DL101", 3)]


def test_no_break_spaces_for_indentation_are_named_and_nothing_is_guessed(tmp_path: Path) -> None:
    """U+00A0 where YAML needs a space: the lines cannot be told apart, so only the YAML error is reported,
    and it says which line holds the no-break space."""
    text = "timezone:\xa0UTC\n+a:\n\xa0\xa0echo>:\xa0hi\n+b:\n\xa0\xa0td_ddl>:\n"
    found = _lint(tmp_path, text)
    assert [(code, line) for code, line, _ in found] == [("DL101", 2)]
    assert "line 1 has a no-break space (U+00A0) where YAML needs a plain space" in found[0][2]


def test_parts_read_after_a_lone_carriage_return_keep_their_lines(tmp_path: Path) -> None:
    """A lone CR breaks a line, for YAML and for editors: the entries read around a broken one are placed on
    the lines the editor shows (they were one line too high)."""
    text = "\rtimezone: UTC\n+a:\n  echo>: \"open\n+b:\n  pg>: q.sql\n"
    found = _lint(tmp_path, text)
    assert {(code, line) for code, line, _ in found} == {("DL101", 4), ("DL404", 6), ("DL407", 6)}


def test_a_file_broken_in_many_places_is_not_read_in_parts(tmp_path: Path) -> None:
    """More than a quarter of the top-level entries broken is no slip in one place: nothing is guessed."""
    text = "".join(f"+t{i}:\n  echo>: \"open\n" if i % 2 else f"+t{i}:\n  echo>: ${{nope{i}}}\n" for i in range(12))
    assert [code for code, _, _ in _lint(tmp_path, text)] == ["DL101"]
