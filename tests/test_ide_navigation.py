"""Hover, definitions, references, document symbols and code actions as pure functions (no LSP)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Applicability, Diagnostic
from dig_lsp.engine import analyse
from dig_lsp.ide.actions import code_actions
from dig_lsp.ide.definition import definition, references
from dig_lsp.ide.hover import hover
from dig_lsp.ide.locate import locate
from dig_lsp.ide.symbols import TaskSymbol, document_symbols
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit
from dig_lsp.model.workflow import Task
from dig_lsp.text.files import DiskReader
from dig_lsp.text.span import Span
from tests.conftest import apply_edits, lint_text, offsets

WORKFLOW = """\
timezone: Asia/Tokyo
schedule:
  daily>: 07:00:00
_export:
  td:
    database: analytics
  greeting: こんにちは
+load:
  td>: queries/q.sql
  engine: presto
+py:
  py>: tasks.mod.Runner.step
+show:
  _retry:
    limit: 2
  echo>: ${greeting} ${td.database} ${td.last_job_id} ${greting}
  _error:
    echo>: failed ${error.message}
+par:
  _parallel: true
  +a:
    echo>: a
  +b:
    _after: [+a]
    echo>: b
+inner:
  _export:
    greeting: hi
  +x:
    echo>: ${greeting}
!include : inc.yml
+call:
  call>: sub
+req:
  require>: other
+elsewhere:
  require>: other
  project_name: another
"""

FILES = {
    "queries/q.sql": "SELECT 1\n",
    "tasks/mod.py": "import os\n\n\nclass Runner:\n    def step(self):\n        pass\n",
    "inc.yml": "+included:\n  sh>: echo ${greeting}\n",
    "sub.dig": "+s:\n  echo>: ${greeting}\n",
    "other.dig": "+o:\n  echo>: other\n",
}
NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for relative, content in {**FILES, "wf.dig": WORKFLOW}.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return tmp_path


def _load(root: Path) -> ProjectModel:
    return load_project(str(root), [str(root / "other.dig"), str(root / "wf.dig")], DiskReader())


def _at(needle: str, delta: int = 0, nth: int = 0) -> int:
    """The code-point offset of the ``nth`` occurrence of ``needle`` in WORKFLOW, plus ``delta``."""
    index = -1
    for _ in range(nth + 1):
        index = WORKFLOW.index(needle, index + 1)
    return index + delta


def _hover(root: Path, needle: str, delta: int = 1, nth: int = 0) -> str:
    found = hover(_load(root), str(root / "wf.dig"), _at(needle, delta, nth), now=NOW)
    assert found is not None, needle
    return found.markdown


def _text(root: Path, span: Span) -> str:
    text = Path(span.path).read_text(encoding="utf-8")
    start, end = offsets(text, span)
    return text[start:end]


def _where(root: Path, span: Span) -> tuple[str, int, int]:
    return (Path(span.path).relative_to(root).as_posix(), span.start.line, span.start.column)


# ----------------------------------------------------------------------------------------- hover


def test_hover_operator_key_lists_parameters(root: Path) -> None:
    text = _hover(root, "td>:")
    assert text.startswith("### `td>` operator")
    assert "| Parameter | Type | Default | Required | Description |" in text
    assert "| `engine` | string | `presto` |  | Query engine." in text
    assert "| `database` | string |  | yes |" in text


def test_hover_parameter_key_and_value(root: Path) -> None:
    on_key = _hover(root, "engine:")
    assert "**`engine`**: parameter of `td>`" in on_key
    assert "Default: `presto`" in on_key
    assert "Allowed: `presto`, `hive`" in on_key
    assert "`_export: {td: {engine: ...}}`" in on_key
    assert _hover(root, "presto\n") == on_key  # the value explains its key


def test_hover_namespace_default_under_export(root: Path) -> None:
    text = _hover(root, "database:")
    assert "**`td.database`**: exported by +wf" in text
    assert "Value: `analytics`" in text
    assert "Can come from the secret `td.database`." in text
    assert "Here: the default for every `td>` task below this `_export`." in text
    assert "Also the default for" in text
    assert "`td_run>`" in text


def test_hover_directive_and_nested_directive_keys(root: Path) -> None:
    assert "Retry on failure" in _hover(root, "_retry:")
    assert "How many times to retry" in _hover(root, "limit:")
    assert "Type: `array`" in _hover(root, "_after:")
    assert "_parallel" in _hover(root, "_parallel:")


def test_hover_top_level_key(root: Path) -> None:
    assert "Parameters visible to this task" in _hover(root, "_export:")


def test_hover_export_variable(root: Path) -> None:
    text = _hover(root, "${greeting}", 3)
    assert "*_export* `greeting`: _export of +wf." in text
    assert "Defined at `wf.dig:7:3`" in text
    assert "Value: `こんにちは`" in text


def test_hover_nearest_export_wins(root: Path) -> None:
    text = _hover(root, "${greeting}", 3, nth=1)
    assert "_export of +wf+inner" in text
    assert "Value: `hi`" in text


def test_hover_stored_and_special_variables(root: Path) -> None:
    assert "stored by +wf+load (td>)" in _hover(root, "${td.last_job_id}", 3)
    assert "set for _error tasks" in _hover(root, "${error.message}", 3)


def test_hover_undefined_variable_suggests(root: Path) -> None:
    assert "Did you mean `greeting`?" in _hover(root, "${greting}", 3)


def test_hover_variables_past_the_template_limit_and_in_rendered_files(root: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Hover finds a template by the task under the cursor, not among the sites the checks analyse (only the
    first ``MAX_TEMPLATES``); a rendered file's templates are still found through the tasks rendering it."""
    monkeypatch.setattr("dig_lsp.text.limits.MAX_TEMPLATES", 1)
    assert "Value: `hi`" in _hover(root, "${greeting}", 3, nth=1)
    (root / "queries" / "q.sql").write_text("SELECT '${greeting}'\n", encoding="utf-8")
    found = hover(_load(root), str(root / "queries" / "q.sql"), len("SELECT '${g"), now=NOW)
    assert found is not None
    assert "Value: `こんにちは`" in found.markdown


def test_locate_finds_the_task_every_task_scan_finds(root: Path) -> None:
    """The located task (found without entering tasks that do not contain the position) is the one a scan of
    every task finds, at every offset of the workflow and of the files it includes."""
    (root / "parts").mkdir()
    (root / "parts" / "t.dig").write_text("echo>: part\n+deep:\n  echo>: deeper\n", encoding="utf-8")
    workflow_text = WORKFLOW + "+twice:\n  +one: !include parts/t.dig\n  +two: !include parts/t.dig\n"
    (root / "wf.dig").write_text(workflow_text, encoding="utf-8")
    project = _load(root)

    def scanned(path: str, offset: int) -> Task | None:
        source = project.files.source(path)
        assert source is not None
        where = source.position(offset)
        for workflow in project.workflows:
            best = None
            for task in workflow.tasks():
                inside = any(span.path == path and span.start <= where <= span.end
                             for span in (task.config.span, task.key_span))
                if inside and (best is None or task.full_name.startswith(best.full_name)):
                    best = task
            if best is not None:
                return best
        return None

    for name in ("wf.dig", "inc.yml", "parts/t.dig"):
        path = str(root / name)
        for offset in range(len((root / name).read_text(encoding="utf-8")) + 1):
            location = locate(project, path, offset)
            assert (None if location is None else location.task) is scanned(path, offset), (name, offset)


def test_hover_schedule_lists_next_sessions_in_the_workflow_zone(root: Path) -> None:
    text = _hover(root, "schedule:")
    assert "**Schedule**: every day at 07:00:00 (session time at midnight), in `Asia/Tokyo`" in text
    sessions = [line for line in text.splitlines() if line.startswith("- ")]
    assert sessions == [f"- 2024-01-0{day} 00:00:00+09:00 (runs at 2024-01-0{day} 07:00:00+09:00)"
                        for day in range(2, 7)]
    nested = _hover(root, "daily>")
    assert "Run every day" in nested
    assert "**Schedule**" in nested


def test_hover_timezone_offset_follows_daylight_saving(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text("timezone: America/New_York\n+a:\n  echo>: a\n", encoding="utf-8")
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    path = str(tmp_path / "wf.dig")
    winter = hover(model, path, 12, now=NOW)
    summer = hover(model, path, 12, now=datetime(2024, 7, 1, tzinfo=UTC))
    assert winter is not None
    assert summer is not None
    assert "currently `UTC-05:00` (EST)" in winter.markdown
    assert "currently `UTC-04:00` (EDT)" in summer.markdown


def test_hover_task_key_and_nothing_elsewhere(root: Path) -> None:
    assert _hover(root, "+load") == "**`+wf+load`**: runs `td>`"
    assert _hover(root, "+par:") == "**`+wf+par`**: a group of 2 task(s)"
    assert hover(_load(root), str(root / "wf.dig"), len(WORKFLOW) + 5, now=NOW) is None


def test_hover_bad_schedule_and_zone_do_not_raise(tmp_path: Path) -> None:
    text = "timezone: Mars/Base\nschedule:\n  daily>: 7am\n+a:\n  echo>: a\n"
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    path = str(tmp_path / "wf.dig")
    zone = hover(model, path, text.index("Mars"), now=NOW)
    schedule = hover(model, path, text.index("schedule"), now=NOW)
    assert zone is not None
    assert "is not a time-zone id" in zone.markdown
    assert schedule is not None
    assert "not valid" in schedule.markdown


# ----------------------------------------------------------------------------------------- definition


def _definition(root: Path, needle: str, delta: int = 1, nth: int = 0) -> list[tuple[str, int, int]]:
    return [_where(root, span) for span in definition(_load(root), str(root / "wf.dig"), _at(needle, delta, nth))]


def test_definition_of_variables(root: Path) -> None:
    assert _definition(root, "${greeting}", 3) == [("wf.dig", 6, 2)]
    assert _definition(root, "${td.database}", 6) == [("wf.dig", 5, 4)]
    assert _definition(root, "${td.last_job_id}", 3) == [("wf.dig", 7, 0)]  # the task storing it
    assert _definition(root, "${greeting}", 3, nth=1) == [("wf.dig", 27, 4)]
    assert _definition(root, "${error.message}", 3) == []  # set by digdag: nowhere to go


def test_definition_of_files(root: Path) -> None:
    assert _definition(root, "queries/q.sql", 3) == [("queries/q.sql", 0, 0)]
    assert _definition(root, "inc.yml", 2) == [("inc.yml", 0, 0)]
    assert _definition(root, "call>: sub", 8) == [("sub.dig", 0, 0)]


def test_definition_of_python_function(root: Path) -> None:
    found = definition(_load(root), str(root / "wf.dig"), _at("tasks.mod", 3))
    assert [_where(root, span) for span in found] == [("tasks/mod.py", 4, 8)]
    assert _text(root, found[0]) == "step"


def test_definition_of_after_entry_and_require(root: Path) -> None:
    assert _definition(root, "[+a]", 2) == [("wf.dig", 20, 2)]
    assert _definition(root, "require>: other", 11) == [("other.dig", 0, 0)]
    assert _definition(root, "require>: other", 11, nth=1) == []  # another project's workflow


def test_definition_of_a_key_written_earlier(tmp_path: Path) -> None:
    text = "+a:\n  sh>: echo ${name}\n  name: x\n+b:\n  name: y\n  sh>: echo ${name}\n"
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    later = definition(model, str(tmp_path / "wf.dig"), text.rindex("${name}") + 3)
    assert [offsets(text, span)[0] for span in later] == [text.rindex("name: y")]


# ----------------------------------------------------------------------------------------- references


def _references(root: Path, needle: str, delta: int = 1, declaration: bool = True) -> list[tuple[str, int, int]]:
    spans = references(_load(root), str(root / "wf.dig"), _at(needle, delta), declaration)
    return sorted(_where(root, span) for span in spans)


def test_references_of_an_export_skip_shadowed_uses(root: Path) -> None:
    expected = [("inc.yml", 1, 14), ("sub.dig", 1, 11), ("wf.dig", 6, 2), ("wf.dig", 15, 11)]
    assert _references(root, "greeting:") == expected
    assert _references(root, "${greeting}", 3) == expected
    assert _references(root, "greeting:", declaration=False) == [e for e in expected if e != ("wf.dig", 6, 2)]


def test_references_of_a_nested_export_cover_the_dotted_name(root: Path) -> None:
    spans = references(_load(root), str(root / "wf.dig"), _at("database:", 1), False)
    assert [_text(root, span) for span in spans] == ["td.database"]


def test_references_of_a_task(root: Path) -> None:
    assert _references(root, "+a:", 1) == [("wf.dig", 20, 2), ("wf.dig", 23, 13)]
    assert _references(root, "[+a]", 2, declaration=False) == [("wf.dig", 23, 13)]


def test_no_references_for_plain_values(root: Path) -> None:
    assert _references(root, "presto\n") == []


# ----------------------------------------------------------------------------------------- symbols


def _outline(symbols: list[TaskSymbol] | tuple[TaskSymbol, ...]) -> list[object]:
    return [(s.name, s.detail, s.is_group, _outline(s.children)) if s.children else (s.name, s.detail, s.is_group)
            for s in symbols]


def test_document_symbols_are_the_task_tree(root: Path) -> None:
    symbols = document_symbols(_load(root), str(root / "wf.dig"))
    assert _outline(symbols) == [
        ("+load", "td>", False), ("+py", "py>", False),
        ("+show", "echo>", False, [("_error", "echo>", False)]),
        ("+par", "group", True, [("+a", "echo>", False), ("+b", "echo>", False)]),
        ("+inner", "group", True, [("+x", "echo>", False)]),
        ("+call", "call>", False), ("+req", "require>", False), ("+elsewhere", "require>", False),
    ]
    show = symbols[2]
    assert (show.span.start.line, show.span.end.line, show.span.end.column) == (12, 17, 34)
    assert (show.selection.start, show.selection.end) == ((12, 0), (12, 5))


def test_document_symbols_of_an_included_file(root: Path) -> None:
    assert _outline(document_symbols(_load(root), str(root / "inc.yml"))) == [("+included", "sh>", False)]


# ----------------------------------------------------------------------------------------- code actions


def _engine(tmp_path: Path, text: str, select: tuple[str, ...]) -> tuple[list[Diagnostic], ProjectModel]:
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    analysis = analyse(Unit(str(tmp_path), (str(tmp_path / "wf.dig"),)), Settings(select=select), DiskReader())
    assert analysis.model is not None
    return analysis.diagnostics, analysis.model


def _actions(tmp_path: Path, text: str, select: tuple[str, ...], start: int, end: int | None = None) -> list[
        tuple[str, str]]:
    diagnostics, model = _engine(tmp_path, text, select)
    path = str(tmp_path / "wf.dig")
    source = model.files.source(path)
    parsed = model.files.parsed(path)
    assert source is not None
    assert parsed is not None
    found = code_actions(diagnostics, source, parsed.root, start, start if end is None else end)
    return [(a.title, apply_edits(text, [(e.span, e.new_text) for e in a.edits]))
            for a in found]


def test_quick_fix_and_disable_comment(tmp_path: Path) -> None:
    text = "+a:\n  # ü\n  tdd>: q.sql\n"
    actions = _actions(tmp_path, text, ("DL401",), text.index("tdd"))
    assert actions == [("Rename 'tdd>' to 'td>'", "+a:\n  # ü\n  td>: q.sql\n"),
                       ("Disable DL401 for this line", "+a:\n  # ü\n  tdd>: q.sql  # dig-lint: disable=DL401\n")]


def test_disable_merges_into_an_existing_comment(tmp_path: Path) -> None:
    text = "+g:\n  foo: 1  # dig-lint: disable=DL999\n  +c:\n    echo>: x\n"
    actions = _actions(tmp_path, text, ("DL202",), text.index("foo"))
    assert ("Disable DL202 for this line",
            "+g:\n  foo: 1  # dig-lint: disable=DL999,DL202\n  +c:\n    echo>: x\n") in actions


def test_disable_goes_before_an_unrelated_comment(tmp_path: Path) -> None:
    text = "+g:\n  foo: 1  # note\n  +c:\n    echo>: x\n"
    actions = _actions(tmp_path, text, ("DL202",), text.index("foo"))
    assert actions[-1] == ("Disable DL202 for this line",
                           "+g:\n  foo: 1  # dig-lint: disable=DL202  # note\n  +c:\n    echo>: x\n")


def test_no_disable_comment_inside_a_block_scalar(tmp_path: Path) -> None:
    text = "+a:\n  sh>: |\n    echo ${nope}\n"
    assert _actions(tmp_path, text, ("DL502",), text.index("nope")) == []


def test_actions_only_for_the_requested_range(tmp_path: Path) -> None:
    text = "+a:\n  tdd>: q.sql\n+b:\n  echo>: x\n"
    assert _actions(tmp_path, text, ("DL401",), text.index("+b"), len(text)) == []
    assert len(_actions(tmp_path, text, ("DL401",), 0, len(text))) == 2


# ----------------------------------------------------------------------------------------- check fixes


def _fix(tmp_path: Path, text: str, code: str) -> tuple[str, Applicability, str]:
    (diagnostic,) = lint_text(tmp_path, text, settings=Settings(select=(code,)))
    assert diagnostic.fix is not None
    edits = [(e.span, e.new_text) for e in diagnostic.fix.edits]
    return diagnostic.fix.title, diagnostic.fix.applicability, apply_edits(text, edits)


@pytest.mark.parametrize(("code", "text", "fixed", "applicability"), [
    ("DL401", '+a:\n  "tdd>": q.sql\n', '+a:\n  "td>": q.sql\n', Applicability.UNSAFE),
    ("DL402", "+a:\n  td>: q.sql\n  engin: hive\n", "+a:\n  td>: q.sql\n  engine: hive\n", Applicability.UNSAFE),
    ("DL402", "+a:\n  echo>: x\n  _retyr: 2\n", "+a:\n  echo>: x\n  _retry: 2\n", Applicability.UNSAFE),
    ("DL202", "+g:\n  _exprot: {a: 1}\n  +c:\n    echo>: x\n", "+g:\n  _export: {a: 1}\n  +c:\n    echo>: x\n",
     Applicability.UNSAFE),
    ("DL202", "+g:\n  c:\n    echo>: x\n  +d:\n    echo>: y\n", "+g:\n  +c:\n    echo>: x\n  +d:\n    echo>: y\n",
     Applicability.UNSAFE),
    ("DL305", "timezone: 'asia/tokyo'\n+a:\n  echo>: x\n", "timezone: 'Asia/Tokyo'\n+a:\n  echo>: x\n",
     Applicability.SAFE),
    ("DL305", "timezone: Asia/Tokio\n+a:\n  echo>: x\n", "timezone: Asia/Tokyo\n+a:\n  echo>: x\n",
     Applicability.UNSAFE),
    ("DL502", "_export:\n  greeting: x\n+a:\n  echo>: ${greetin.length}\n",
     "_export:\n  greeting: x\n+a:\n  echo>: ${greeting.length}\n", Applicability.UNSAFE),
])
def test_did_you_mean_fixes(tmp_path: Path, code: str, text: str, fixed: str, applicability: Applicability) -> None:
    title, found_applicability, result = _fix(tmp_path, text, code)
    assert result == fixed
    assert found_applicability is applicability
    assert title.startswith(("Rename", "Replace"))


def test_no_fix_without_a_suggestion(tmp_path: Path) -> None:
    # an unknown name near no operator is DL401 on Treasure Workflow only (elsewhere a system plugin may have it)
    settings = Settings(select=("DL401",), profile="treasure-data")
    (diagnostic,) = lint_text(tmp_path, "+a:\n  zzzzzz>: x\n", settings=settings)
    assert diagnostic.fix is None
