"""Checking only the edited task gives exactly what checking the whole project gives.

Random edits of real workflows from the digdag corpus (in their projects, next to the other
workflows, SQL files and scripts they use) and of a generated workflow are applied one after
another; after each, the incremental re-analysis (which starts from the previous result, itself
incremental when it could be) must equal a full analysis of the new text with a fresh cache. The
edits type into values, add and remove tasks, directives and stores (``store_last_results``,
``_after``, ``_background``...), and break and fix YAML, so the guards that send an edit to the
full analysis are exercised as well as the incremental path.
"""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from dig_lsp.analysis.scope import build_scopes, project_scopes
from dig_lsp.analysis.site_order import build_site_order, site_order
from dig_lsp.config import Settings
from dig_lsp.engine import Analysis, analyse
from dig_lsp.incremental import Fallback, Reason, reanalyse
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.targets import Unit, plan
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.text import limits
from dig_lsp.text.files import OverlayReader
from dig_lsp.text.source import SourceFile
from tests.conftest import CORPUS

TYPED = ["x", "1", " ", "${", "}", "${session_date}", "${undefined_name}", "${td.last_results.a}", "${x.y}",
         "'", "\"", "é", ": ", ".sql", "queries/", "${moment(", ")}", "SELECT ", "FROM t"]
LINES = ["store_last_results: true", "_background: true", "_after: +a", "_after: [+g1, +a]", "_retry: 3",
         "_parallel: true", "echo>: ${x}", "td>: queries/missing.sql", "sh>: echo ${HOME}", "py>: tasks.missing",
         "call>: other",
         "_export:\n    z: 1", "_error:\n    echo>: e", "+sub:\n    echo>: s", "require>: x", "unknown_key: 1",
         "_env:\n    A: ${session_date}", "database: db", "_disable: true", "# dig-lint: disable=DL502"]


_BROKEN_FILE = {"DL101", "DL102", "DL103", "DL104", "DL105"}  # YAML errors, duplicate keys, bad tags...


def _generated() -> str:
    body = "".join(f"+g{i}:\n  +a:\n    echo>: a ${{x}} {i}\n  +b:\n    td>: queries/q{i % 3}.sql\n"
                   f"    database: d\n  +c:\n    sh>: echo ${{td.last_results.n}}\n\n" for i in range(10))
    return "timezone: UTC\nschedule:\n  daily>: 01:00:00\n_export:\n  x: 1\n\n" + body


def _workflows() -> list[Path]:
    found = sorted(CORPUS.rglob("*.dig")) if CORPUS.is_dir() else []
    spliceable = [path for path in found
                  if parse(SourceFile(str(path), path.read_text(encoding="utf-8"))).spliceable]
    return spliceable[::9]  # a spread over the corpus's projects, small enough for the suite


def _edit(rng: random.Random, text: str) -> str:
    """Mostly keystrokes and new lines inside tasks (what an editor sends), sometimes anything."""
    lines = text.split("\n")
    kind = rng.random()
    candidates = [number for number, line in enumerate(lines) if line.startswith(" ") and line.strip()]
    if kind < 0.55 and candidates:
        number = rng.choice(candidates)
        line = lines[number]
        column = rng.randrange(len(line) // 2, len(line) + 1)
        lines[number] = line[:column] + rng.choice(TYPED) + line[column:]
    elif kind < 0.75 and candidates:
        number = rng.choice(candidates)
        indent = len(lines[number]) - len(lines[number].lstrip(" "))
        lines.insert(number + 1, " " * indent + rng.choice(LINES).replace("\n", "\n" + " " * max(0, indent - 2)))
    elif kind < 0.85 and candidates:
        number = rng.choice(candidates)
        line = lines[number]
        start = rng.randrange(len(line) + 1)
        lines[number] = line[:start] + line[start + rng.randrange(1, 6):]
    elif kind < 0.9 and (tasks := [number for number, line in enumerate(lines) if line.startswith("+")]):
        number = rng.choice(tasks)  # rename a top-level task
        line = lines[number]
        column = rng.randrange(1, max(2, line.find(":") + 1))
        lines[number] = line[:column] + rng.choice(["x", "_", "1", "g0", "a"]) + line[column:]
    else:
        start = rng.randrange(len(text) + 1)
        return text[:start] + rng.choice(["\n+new:\n  echo>: n\n", "x", "\n", ": "]) + text[start + rng.randrange(3):]
    return "\n".join(lines)


Reasons = collections.Counter[str]


BROKE_THE_YAML = "the edit broke the YAML"


def _analyse(unit: Unit, settings: Settings, path: str, text: str, cache: ParseCache | None,
             previous: Analysis | None) -> tuple[Analysis, Fallback | None]:
    """The analysis of ``text`` at ``path``: full without a cache or previous analysis, else from the previous
    one, with why it was not incremental."""
    reader = OverlayReader({path: text.encode("utf-8")})
    if previous is None or cache is None:
        return analyse(unit, settings, reader, cache), None
    result = reanalyse(previous, unit, settings, reader, cache)
    assert result.analysis.incremental == (result.fallback is None)
    return result.analysis, result.fallback


def _session(unit: Unit, settings: Settings, path: str, text: str, rng: random.Random, edits: int,
             reasons: Reasons | None = None) -> int:
    """Edit one file (``path``: a workflow, or a file workflows include) ``edits`` times; every result must
    equal a full analysis. Returns how many edits were analysed incrementally; ``reasons`` counts why the
    others were not (an edit that breaks the YAML counted as such)."""
    cache = ParseCache()
    previous, _ = _analyse(unit, settings, path, text, cache, None)
    incremental = 0
    for _ in range(edits):
        edited = _edit(rng, text)
        result, fallback = _analyse(unit, settings, path, edited, cache, previous)
        full, _ = _analyse(unit, settings, path, edited, None, None)
        assert result.diagnostics == full.diagnostics, (path, edited)
        assert result.template_count == full.template_count, (path, edited)
        incremental += result.incremental
        if result.incremental and result.model is not None:
            _assert_passes_as_built_afresh(result.model, settings)
        parsed = full.model.files.parsed(path) if full.model is not None else None
        broken = any(d.code in _BROKEN_FILE for d in full.diagnostics) or (parsed is not None and parsed.problems)
        if reasons is not None and fallback is not None:
            reasons[BROKE_THE_YAML if broken else fallback.reason.value] += 1
        if broken:
            continue  # undo it, as a user would, and edit on (an included file's problems show at its include)
        text, previous = edited, result
    return incremental


def _assert_passes_as_built_afresh(model: ProjectModel, settings: Settings) -> None:
    """The passes an incremental analysis builds from the previous analysis's (the scopes, where templates
    lie) equal those built from nothing: the editor features read them too, spans and all."""
    kept = project_scopes(model, settings.runtime_params)
    fresh = build_scopes(model, settings.runtime_params)
    for workflow in model.workflows:
        for task in workflow.tasks():
            assert kept.scope(task) == fresh.scope(task), task.full_name
            assert kept.stored_below(task) == fresh.stored_below(task), task.full_name
    for workflow in model.workflows:
        assert kept.definitions(workflow.path) == fresh.definitions(workflow.path)
    order, afresh = site_order(model), build_site_order(model)
    assert order.total == afresh.total
    assert order.starts == afresh.starts or (not order.starts and order.total <= limits.MAX_TEMPLATES)


@pytest.mark.parametrize("seed", [0, 2])
def test_incremental_analysis_equals_full_analysis_on_corpus_edits(seed: int) -> None:
    workflows = _workflows()
    if not workflows:
        pytest.skip("the shared corpus is not beside the repository")
    rng = random.Random(seed)
    settings = Settings() if seed != 2 else Settings(profile="treasure-data")
    incremental = 0
    for path in workflows:
        unit = plan([str(path)])[0]
        incremental += _session(unit, settings, str(path), path.read_text(encoding="utf-8"), rng, 12)
    assert incremental > len(workflows) * 3  # the incremental path really ran, not only the fallback


@pytest.mark.parametrize("seed", [0, 1])
def test_incremental_analysis_equals_full_analysis_on_a_generated_project(tmp_path: Path, seed: int) -> None:
    (tmp_path / "queries").mkdir()
    for number in range(3):
        (tmp_path / "queries" / f"q{number}.sql").write_text(f"SELECT {number} AS n FROM t\n", encoding="utf-8")
    (tmp_path / "other.dig").write_text("+o:\n  echo>: ${x}\n", encoding="utf-8")
    path = tmp_path / "wf.dig"
    path.write_text(_generated(), encoding="utf-8")
    unit = plan([str(path)])[0]
    incremental = _session(unit, Settings(), str(path), _generated(), random.Random(seed), 150)
    assert incremental > 30  # a third of the edits break the YAML or change what other tasks see


INCLUDED_TASKS = "+sub:\n  echo>: ${y} ${x}\n+sub2:\n  sh>: echo ${td.last_results.n}\n  _retry: 2\n"
INCLUDED_OPERATOR = "echo>: included ${x}\n_retry: 1\n"
PARAMS = "x: 1\ny: 2\ntd:\n  database: d\n"


def _generated_with_includes() -> str:
    """A workflow that includes files at every place digdag allows: merged into the root's `_export`,
    merged into a task, as a task's value and inside a nested task."""
    body = "".join(f"+g{i}:\n  +a:\n    echo>: a ${{x}} {i}\n  +b:\n    td>: queries/q{i % 3}.sql\n"
                   f"    database: d\n  +c:\n    sh>: echo ${{td.last_results.n}}\n\n" for i in range(6))
    included = ("+i0:\n  !include : tasks/t0.yml\n  +own:\n    echo>: own ${y}\n\n"
                "+i1:\n  +value: !include tasks/t1.yml\n  +after:\n    echo>: after\n\n"
                "+i2:\n  +deeper:\n    +leaf: !include tasks/t1.yml\n\n")
    return "timezone: UTC\n_export:\n  !include : config/params.yml\n  z: 3\n\n" + body + included


def include_project(root: Path) -> Path:
    """The project of :func:`_generated_with_includes` (also read by ``bench/incremental_sweep.py``):
    ``wf.dig``, the files it includes, and ``other.dig``, which includes ``tasks/t1.yml`` too."""
    for folder in ("queries", "tasks", "config"):
        (root / folder).mkdir(exist_ok=True)
    for number in range(3):
        (root / "queries" / f"q{number}.sql").write_text(f"SELECT {number} AS n FROM t\n", encoding="utf-8")
    (root / "tasks" / "t0.yml").write_text(INCLUDED_TASKS, encoding="utf-8")
    (root / "tasks" / "t1.yml").write_text(INCLUDED_OPERATOR, encoding="utf-8")
    (root / "config" / "params.yml").write_text(PARAMS, encoding="utf-8")
    (root / "other.dig").write_text("+o:\n  +p: !include tasks/t1.yml\n", encoding="utf-8")
    path = root / "wf.dig"
    path.write_text(_generated_with_includes(), encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", [0, 1])
def test_incremental_analysis_equals_full_analysis_in_a_workflow_with_includes(tmp_path: Path, seed: int) -> None:
    path = include_project(tmp_path)
    unit = plan([str(path)])[0]
    reasons: Reasons = collections.Counter()
    incremental = _session(unit, Settings(), str(path), path.read_text(encoding="utf-8"), random.Random(seed), 120,
                           reasons)
    assert incremental > 30, reasons


@pytest.mark.parametrize(("name", "seed"), [("tasks/t0.yml", 0), ("tasks/t1.yml", 1), ("config/params.yml", 2)])
def test_incremental_analysis_equals_full_analysis_in_included_files(tmp_path: Path, name: str, seed: int) -> None:
    unit = plan([str(include_project(tmp_path))])[0]
    path = tmp_path / name
    reasons: Reasons = collections.Counter()
    incremental = _session(unit, Settings(), str(path), path.read_text(encoding="utf-8"), random.Random(seed), 60,
                           reasons)
    if name == "config/params.yml":  # merged into the root's `_export`: every task sees it
        assert incremental == 0
        assert set(reasons) <= {Reason.INCLUDED_OUTSIDE_TASKS.value, BROKE_THE_YAML}, reasons
    else:
        assert incremental > 15, reasons


def test_an_included_file_a_task_also_reads_is_checked_whole(tmp_path: Path) -> None:
    (tmp_path / "load.yml").write_text("in:\n  type: s3\n", encoding="utf-8")
    path = tmp_path / "wf.dig"
    text = "+a:\n  +i: !include load.yml\n+b:\n  td_load>: load.yml\n  database: d\n  table: t\n"
    path.write_text(text, encoding="utf-8")
    unit = plan([str(path)])[0]
    cache = ParseCache()
    reader = OverlayReader({})
    first = analyse(unit, Settings(), reader, cache)
    edited = OverlayReader({str(tmp_path / "load.yml"): b"in:\n  type: s3x\n"})
    second = reanalyse(first, unit, Settings(), edited, cache)
    assert second.fallback == Fallback(Reason.NAMED_BY_TASK)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_past_the_template_limit_edits_are_checked_incrementally(tmp_path: Path, seed: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated project has 20 templates: with a limit of 10, the tasks after the cut-off are not
    checked and no task's keys count as read by its templates. An edit of one task is still checked alone
    unless it moves the cut-off over templates of other tasks (and the result is the full analysis's)."""
    monkeypatch.setattr("dig_lsp.text.limits.MAX_TEMPLATES", 10)  # the one place the limit is read from
    (tmp_path / "queries").mkdir()
    for number in range(3):
        (tmp_path / "queries" / f"q{number}.sql").write_text(f"SELECT {number} AS n FROM t\n", encoding="utf-8")
    path = tmp_path / "wf.dig"
    path.write_text(_generated(), encoding="utf-8")
    unit = plan([str(path)])[0]
    reasons: Reasons = collections.Counter()
    incremental = _session(unit, Settings(), str(path), _generated(), random.Random(seed), 40, reasons)
    assert incremental > 10, reasons


def _before_and_after(tmp_path: Path, text: str, edited: str) -> tuple[Analysis, Analysis]:
    """``text`` analysed in full, then ``edited`` analysed from it (incrementally when it can be)."""
    path = tmp_path / "wf.dig"
    path.write_text(text, encoding="utf-8")
    unit = plan([str(path)])[0]
    cache = ParseCache()
    first, _ = _analyse(unit, Settings(), str(path), text, cache, None)
    return first, _analyse(unit, Settings(), str(path), edited, cache, first)[0]


def test_a_keystroke_in_one_task_is_checked_incrementally(tmp_path: Path) -> None:
    text = "+a:\n  echo>: ${undefined_one}\n+b:\n  echo>: ${x}\n+c:\n  echo>: ${undefined_two}\n"
    edited = text.replace("${x}", "${xx}\n\n")  # lines move: +c's diagnostic must move with them
    _, second = _before_and_after(tmp_path, text, edited)
    assert second.incremental
    assert [(d.code, d.span.start.line) for d in second.diagnostics] == [("DL508", 1), ("DL508", 3), ("DL508", 7)]
    unit = plan([str(tmp_path / "wf.dig")])[0]
    full = analyse(unit, Settings(), OverlayReader({str(tmp_path / "wf.dig"): edited.encode()}))
    assert second.diagnostics == full.diagnostics


def test_a_keystroke_within_a_line_keeps_what_follows_as_the_very_same_objects(tmp_path: Path) -> None:
    """Spans hold lines and columns, so typing within a line moves nothing after it: the later top-level
    tasks (their nodes too) and the diagnostics there are taken over, not copied (on a 30,000-line workflow
    copying them was most of a keystroke). An edit that adds a line moves them: they are new objects."""
    text = "+a:\n  echo>: ${undefined_one}\n+b:\n  echo>: ${x}\n+c:\n  echo>: ${undefined_two}\n"
    for edited, kept in ((text.replace("${x}", "${xy}"), True), (text.replace("${x}", "${x}\n"), False)):
        first, second = _before_and_after(tmp_path, text, edited)
        assert second.incremental
        assert first.model is not None
        assert second.model is not None
        before, after = first.model.workflows[0].root.children, second.model.workflows[0].root.children
        assert (after[0] is before[0], after[1] is before[1], after[2] is before[2]) == (True, False, kept)
        assert (after[2].value is before[2].value) is kept
        assert (second.diagnostics[-1] is first.diagnostics[-1]) is kept


def test_an_edit_that_changes_what_other_tasks_see_is_checked_whole(tmp_path: Path) -> None:
    text = "+a:\n  td>: q.sql\n  database: d\n+b:\n  echo>: ${td.last_results.n}\n"
    (tmp_path / "q.sql").write_text("SELECT 1 AS n\n", encoding="utf-8")
    stored = text.replace("database: d", "database: d\n  store_last_results: true")
    first, second = _before_and_after(tmp_path, text, stored)
    assert [d.code for d in first.diagnostics] == ["DL502"]  # nothing stores td.last_results yet
    assert not second.incremental  # +a now stores a value +b reads
    assert second.diagnostics == []


def test_renaming_a_task_is_incremental_unless_a_sibling_names_tasks_in_after(tmp_path: Path) -> None:
    text = "+a:\n  echo>: ${undefined_one}\n+b:\n  echo>: b\n"
    _, renamed = _before_and_after(tmp_path, text, text.replace("+b:", "+bb:"))
    assert renamed.incremental
    parallel = "_parallel: true\n" + text.replace("echo>: b", "echo>: b\n  _after: [+a]")
    _, renamed = _before_and_after(tmp_path, parallel, parallel.replace("+a:", "+aa:"))
    assert not renamed.incremental  # +b's `_after` names it
    assert [d.code for d in renamed.diagnostics] == ["DL508", "DL210"]  # no earlier sibling +a


@pytest.mark.parametrize(("old", "new", "incremental"), [
    ("${d_one}", "${d_one}x", True),  # typing after the cut
    ("${c_one}", "${c_onex}", True),  # typing in the template where the cut is reported
    ("${d_one}", "${d_one} ${d_two}", True),  # a template more after the cut: it moves templates past it only
    ("${a_one}", "${a_one} ${a_two}", False),  # a template more before the cut moves it to another task
    ("${b_one}", "b", False),  # a template less before the cut: +d's template is checked now
])
def test_past_the_template_limit_an_edit_is_incremental_unless_it_moves_the_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, incremental: bool) -> None:
    monkeypatch.setattr("dig_lsp.text.limits.MAX_TEMPLATES", 2)
    text = "".join(f"+{name}:\n  echo>: ${{{name}_one}}\n" for name in "abcd")
    first, second = _before_and_after(tmp_path, text, text.replace(old, new))
    assert [d.code for d in first.diagnostics] == ["DL508", "DL508", "DL114"]  # ${c_one} is the third
    assert second.incremental == incremental
    unit = plan([str(tmp_path / "wf.dig")])[0]
    full = analyse(unit, Settings(), OverlayReader({str(tmp_path / "wf.dig"): text.replace(old, new).encode()}))
    assert second.diagnostics == full.diagnostics
    assert second.template_count == full.template_count == 3
