"""The run-level cache (``dig_lsp/cli/run_cache.py``): an unchanged tree is answered before planning,
from any current folder, and anything that changes the output is a miss (issue 20).

Files are aged (their modification time set a minute back) before a run whose entry should be usable: a
path modified within two seconds of a run's start is "racy" and never trusted by its times.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from dig_lsp.cli import run_cache
from dig_lsp.cli.main import main
from dig_lsp.model import discovery
from dig_lsp.model.targets import plan_with_inputs

OLD = time.time() - 3600  # one fixed time: a rewrite of the same size then has the same modification time


def _age(*roots: Path) -> None:
    for root in roots:
        for path in [root, *root.rglob("*")]:
            os.utime(path, (OLD, OLD), follow_symlinks=False)


class _Runs:
    """Runs dig-lint in-process and says whether each run was answered by a run-level entry."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.hits: list[bool] = []
        monkeypatch.setenv("DIG_LINT_CACHE_DIR", str(cache))
        original = run_cache.load

        def load(*args: object) -> run_cache.Hit | None:
            found = original(*args)  # type: ignore[arg-type]
            self.hits.append(found is not None)
            return found

        monkeypatch.setattr(run_cache, "load", load)

    def __call__(self, cwd: Path, *args: str) -> tuple[int, str, str]:
        self.monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def hit(self, cwd: Path, *args: str) -> tuple[bool, tuple[int, str, str]]:
        """Run once; whether it was a hit, and what it printed."""
        before = len(self.hits)
        result = self(cwd, *args)
        return len(self.hits) > before and self.hits[-1], result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "p"
    (root / "queries").mkdir(parents=True)
    (root / "wf.dig").write_text("_export:\n  !include : vars.yml\n+q:\n  td>: queries/q.sql\n  database: d\n"
                                 "+missing:\n  td>: queries/nothing.sql\n  database: d\n+bad:\n  unknown_thing>: x\n",
                                 encoding="utf-8")
    (root / "vars.yml").write_text("a: 1\na: 2\n", encoding="utf-8")
    (root / "queries" / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    (tmp_path / "repo" / ".git").mkdir()
    _age(tmp_path / "repo")
    return root


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> _Runs:
    return _Runs(monkeypatch, capsys, tmp_path / "cache")


def _fresh(runs: _Runs, cwd: Path, *args: str) -> tuple[int, str, str]:
    """What a run without any cache prints."""
    return runs(cwd, "--no-cache", *args)


def test_the_same_tree_from_another_folder_is_a_hit(project: Path, runs: _Runs) -> None:
    first = runs.hit(project, "--format", "json", ".")
    assert first[0] is False
    assert first[1] == _fresh(runs, project, "--format", "json", ".")
    assert json.loads(first[1][1])[0]["path"].startswith(("wf.dig", "vars.yml"))
    other = project.parent
    hit, result = runs.hit(other, "--format", "json", "p")
    assert hit
    # paths are shown relative to the folder of this run, as a run without the cache shows them
    assert result == _fresh(runs, other, "--format", "json", "p")
    for fmt in ("text", "concise", "github", "sarif"):  # printing options are not in the key
        hit, result = runs.hit(other, "--format", fmt, "p")
        assert hit
        assert result == _fresh(runs, other, "--format", fmt, "p")
    hit, result = runs.hit(other, "--statistics", "--exit-zero", "p")
    assert hit
    assert result == _fresh(runs, other, "--statistics", "--exit-zero", "p")


def test_a_single_file_as_pre_commit_passes_it(project: Path, runs: _Runs) -> None:
    assert runs.hit(project, "wf.dig")[0] is False
    hit, result = runs.hit(project, "wf.dig")
    assert hit
    assert result == _fresh(runs, project, "wf.dig")


def _edit_workflow(project: Path) -> None:
    """Same size, and (after ageing) the same modification time: only the content tells."""
    text = (project / "wf.dig").read_text(encoding="utf-8")
    (project / "wf.dig").write_text(text.replace("unknown_thing>", "unknown_thinh>"), encoding="utf-8")


CHANGES = {
    "workflow edited, same size and time": _edit_workflow,
    "included file edited": lambda p: (p / "vars.yml").write_text("a: 1\n", encoding="utf-8"),
    "query edited": lambda p: (p / "queries" / "q.sql").write_text("SELECT FROM\n", encoding="utf-8"),
    "missing file created": lambda p: (p / "queries" / "nothing.sql").write_text("SELECT 2\n", encoding="utf-8"),
    "file beside a missing one": lambda p: (p / "queries" / "nothin.sql").write_text("SELECT 2\n", encoding="utf-8"),
    "new workflow": lambda p: (p / "other.dig").write_text("+a:\n  nope>: 1\n", encoding="utf-8"),
    "new project below": lambda p: (p / "queries" / "sub.dig").write_text("+a:\n  nope>: 1\n", encoding="utf-8"),
    ".digdagignore": lambda p: (p / ".digdagignore").write_text("wf.dig\n", encoding="utf-8"),
    "configuration file": lambda p: (p / ".dig-lint.toml").write_text('ignore = ["DL102"]\n', encoding="utf-8"),
    "workflow in the parent folder": lambda p: (p.parent / "parent.dig").write_text(
        "+c:\n  call>: p/wf.dig\n", encoding="utf-8"),
    "query replaced by a link": lambda p: ((p / "queries" / "q.sql").unlink(),
                                           (p / "queries" / "q.sql").symlink_to(p / "vars.yml")),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_that_matters_is_a_miss(project: Path, runs: _Runs, change: str) -> None:
    assert runs.hit(project.parent, "--format", "json", "p")[0] is False
    assert runs.hit(project.parent, "--format", "json", "p")[0]
    CHANGES[change](project)
    _age(project.parent)
    hit, result = runs.hit(project.parent, "--format", "json", "p")
    assert not hit
    assert result == _fresh(runs, project.parent, "--format", "json", "p")
    assert runs.hit(project.parent, "--format", "json", "p")[0]  # the new entry is used again


@pytest.mark.parametrize("options", [("--select", "DL102"), ("--ignore", "DL401"), ("--profile", "treasure-data"),
                                     ("--fail-on", "error")])
def test_an_option_that_changes_the_result_is_a_miss(project: Path, runs: _Runs, options: tuple[str, str]) -> None:
    runs(project, "--format", "json")
    assert runs.hit(project, "--format", "json")[0]
    hit, result = runs.hit(project, "--format", "json", *options)
    assert not hit
    assert result == _fresh(runs, project, "--format", "json", *options)


def test_the_shellcheck_setting_is_in_the_key(project: Path, runs: _Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "sh.dig").write_text("+s:\n  sh>: echo $((\n", encoding="utf-8")
    _age(project)
    monkeypatch.setenv("DIG_LINT_SHELLCHECK", "")  # none: DL702 says so
    first = runs(project, "--format", "json")
    assert runs.hit(project, "--format", "json") == (True, first)
    monkeypatch.delenv("DIG_LINT_SHELLCHECK")
    hit, result = runs.hit(project, "--format", "json")
    assert not hit
    assert result == _fresh(runs, project, "--format", "json")
    monkeypatch.setenv("SHELLCHECK_OPTS", "--exclude=SC1000")
    assert runs.hit(project, "--format", "json")[0] is False


def test_touching_a_file_is_still_a_hit(project: Path, runs: _Runs) -> None:
    runs(project, "--format", "json")
    os.utime(project / "wf.dig", (OLD - 100, OLD - 100))
    os.utime(project / "queries", (OLD - 100, OLD - 100))
    assert runs.hit(project, "--format", "json")[0]


def test_noise_above_the_linted_folder_is_still_a_hit(project: Path, runs: _Runs, tmp_path: Path) -> None:
    """A folder above (``/tmp``) changes all the time; only its workflows, ``.git`` and ``.digdagignore``
    matter to planning."""
    runs(project, "--format", "json")
    (tmp_path / "repo" / "noise.txt").write_text("x", encoding="utf-8")
    (tmp_path / "repo" / "noise").mkdir()
    assert runs.hit(project, "--format", "json")[0]


def test_files_written_just_before_the_run_are_not_trusted(project: Path, runs: _Runs) -> None:
    """Within one tick of the file clock a file can change twice with the same times: an entry written
    while a file was that recent misses until a later run rewrites it."""
    (project / "wf.dig").write_text("+a:\n  echo>: hi\n", encoding="utf-8")  # no ageing: racy
    runs(project, "--format", "json")
    assert runs.hit(project, "--format", "json")[0] is False
    _age(project)
    runs(project, "--format", "json")
    assert runs.hit(project, "--format", "json")[0]


def test_no_entry_without_the_cache_or_after_a_warning(project: Path, runs: _Runs, tmp_path: Path) -> None:
    runs(project, "--no-cache", "--format", "json")
    assert not (tmp_path / "cache" / run_cache.RUNS_FOLDER).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    _age(empty)
    for _ in range(2):  # the warning is said every time: the run is not stored
        code, _out, err = runs(tmp_path, str(empty))
        assert "no .dig file found" in err
        assert code == 0
    assert not (tmp_path / "cache" / run_cache.RUNS_FOLDER).exists()


POISONS = {
    "not JSON": lambda entry: "{",
    "no stamps": lambda entry: {**entry, "stamps": {}},
    "stamp not a list": lambda entry: {**entry, "stamps": dict.fromkeys(entry["stamps"], "x")},
    "diagnostic malformed": lambda entry: {**entry, "diagnostics": [{"code": 1}]},
    "checked not a number": lambda entry: {**entry, "checked": "3"},
    "unknown severity": lambda entry: {**entry, "fail_on": "fatal"},
    "deep nesting": lambda entry: "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("how", sorted(POISONS))
def test_a_poisoned_run_entry_is_a_miss(project: Path, runs: _Runs, tmp_path: Path, how: str) -> None:
    first = runs(project, "--format", "json")
    (entry,) = (tmp_path / "cache" / run_cache.RUNS_FOLDER).glob("*.json")
    poisoned = POISONS[how](json.loads(entry.read_text(encoding="utf-8")))
    entry.write_text(poisoned if isinstance(poisoned, str) else json.dumps(poisoned), encoding="utf-8")
    hit, result = runs.hit(project, "--format", "json")
    assert not hit
    assert result == first


def test_planning_lists_each_folder_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk for projects and the listing of each project's workflows share one listing per folder
    (each walked folder was read twice: once by ``os.walk``, once by ``os.listdir``)."""
    (project / "sub").mkdir()
    (project / "sub" / "x.dig").write_text("+a:\n  echo>: 1\n", encoding="utf-8")
    listed: list[str] = []
    scandir = os.scandir

    def counting(path: str) -> object:
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", counting)
    monkeypatch.setattr(discovery.os, "listdir", lambda path: pytest.fail(f"listed again: {path}"))
    planned = plan_with_inputs([str(project.parent)])
    listed = [path for path in listed if path.startswith(str(project.parent))]  # not the imports' listings
    assert len(listed) == len(set(listed)) == planned.listings.reads
    assert {str(project), str(project / "sub"), str(project / "queries")} <= set(listed)
    assert [unit.root for unit in planned.units] == [str(project), str(project / "sub")]


def test_a_hit_imports_neither_the_checks_nor_the_planner(project: Path, tmp_path: Path) -> None:
    """What makes a cached run cheap: it is answered before planning (which loads parent projects) and
    before the checks are imported (most of a cold start)."""
    import subprocess
    import sys

    script = ("import sys; from dig_lsp.cli.main import main; code = main(['--format', 'json', sys.argv[1]]); "
              "print(sorted(m for m in ('dig_lsp.engine', 'dig_lsp.checks', 'dig_lsp.model.project', "
              "'dig_lsp.runner') if m in sys.modules), file=sys.stderr)")
    env = {**os.environ, "DIG_LINT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True, text=True, env=env,
                           timeout=120, check=False) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert "dig_lsp.engine" in runs[0].stderr
    assert runs[1].stderr.strip() == "[]"
