"""dig-lint and broken configuration files: a positioned message and exit code 2, never a traceback.

Issue 19 (class 9): invalid UTF-8, deep nesting, a huge integer or a value of the wrong type raised out
of ``tomllib`` or the settings code, so the CLI died with a traceback and exit code 1 ("findings").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dig_lsp.cli.main import main
from dig_lsp.config import MAX_CONFIG_BYTES, MAX_CONFIG_NESTING, ConfigError, load_settings

WORKFLOW = "+a:\n  echo>: hi\n"


def _lint(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(project)
    try:
        code = main(["--no-cache", *args])
    finally:
        os.chdir(old)
    return code, capsys.readouterr().err


def _project(tmp_path: Path, config: bytes | str, name: str = ".dig-lint.toml") -> Path:
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    data = config.encode("utf-8") if isinstance(config, str) else config
    (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize(("config", "where", "message"), [
    (b'# ok\nselect = ["\xff"]\n', ":2:12: ", "invalid UTF-8 (byte 0xff)"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", f":1:{5 + MAX_CONFIG_NESTING}: ", "nesting too deep"),
    ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", ":1:", "nesting too deep"),
    ("fail-on = 1" + "0" * 5000 + "\n", ":1:11: ", "number too long (5,001 characters"),
    ("x = 1 +\n", ":1:7: ", "invalid TOML"),
    ('select = """never closed\n' + "x" * 20000, ":", "invalid TOML"),
])
def test_unreadable_config_is_a_positioned_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       config: bytes | str, where: str, message: str) -> None:
    code, err = _lint(_project(tmp_path, config), capsys)
    assert code == 2
    assert f".dig-lint.toml{where}" in err
    assert message in err
    assert "Traceback" not in err


def test_brackets_and_digits_inside_strings_and_comments_are_not_counted(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    deep = "[" * 500
    long = "1" * 500
    config = f'# {deep} {long}\nselect = ["DL1"]  # {deep}\nplugin-operators = ["{deep}{long}", \'{deep}\']\n' \
             f'runtime-params = ["""\n{deep}\n"""]\n'
    assert _lint(_project(tmp_path, config), capsys)[0] == 0


@pytest.mark.parametrize(("config", "where", "message"), [
    ("severity = 3\n", ":1:1: ", 'severity: expected a table such as { DL112 = "error" }, found an integer'),
    ("# c\nseverity = { DL112 = 3 }\n", ":2:14: ", "severity.DL112: expected one of error, warning, info, hint, "
                                             "found an integer"),
    ('[severity]\nDL112 = "warn"\n', ":2:1: ", "severity.DL112: expected one of error, warning, info, hint, "
                                           "found 'warn' (did you mean 'warning'?)"),
    ('per-path-ignores = ["a"]\n', ":1:1: ", "per-path-ignores: expected a table"),
    ('per-path-ignores = { "a/*" = [1] }\n', ":1:22: ", "per-path-ignores.a/*: expected a list of strings; "
                                                      "item 1 is an integer"),
    ('select = ["DL1", 2]\n', ":1:1: ", "select: expected a list of strings; item 2 is an integer"),
    ("ignore = true\n", ":1:1: ", "ignore: expected a list of strings, found a boolean"),
    ('profile = "treasure_data"\n', ":1:1: ", "profile: expected one of digdag, treasure-data, "
                                            "found 'treasure_data' (did you mean 'treasure-data'?)"),
    ("fail-on = 2024-01-01\n", ":1:1: ", "fail-on: expected one of error, warning, info, hint, found a date"),
    ('selct = ["DL1"]\n', ":1:1: ", "selct: unknown setting; did you mean 'select'?"),
    ('fail_on = "error"\n', ":1:1: ", "fail_on: unknown setting; did you mean 'fail-on'?"),
    ('plugin_operators = ["x"]\n', ":1:1: ", "plugin_operators: unknown setting; did you mean 'plugin-operators'?"),
    ('colour = "never"\n', ":1:1: ", "colour: unknown setting; known settings: select, ignore"),
    ('docs-url = ""\n', ":1:1: ", "docs-url: expected a URL such as"),
    ('docs-url = ["x"]\n', ":1:1: ", "docs-url: expected a URL such as \"https://example.com/dig-lsp/docs/rules/\", "
                                     "found an array"),
    ('docs_url = "x"\n', ":1:1: ", "docs_url: unknown setting; did you mean 'docs-url'?"),
])
def test_wrong_values_are_positioned_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      config: str, where: str, message: str) -> None:
    code, err = _lint(_project(tmp_path, config), capsys)
    assert code == 2
    assert f".dig-lint.toml{where}{message}" in err


@pytest.mark.parametrize(("config", "where", "message"), [
    ('[project]\nname = "x"\n\n[tool.dig-lint]\nprofile = "td"\n', ":5:1: ", "profile: expected one of"),
    ('[tool]\ndig-lint = 3\n', ":2:1: ", "tool.dig-lint must be a table, found an integer"),
    ('[tool]\n"dig-lint" = { severity = { DL112 = 3 } }\n', ":2:29: ", "severity.DL112: expected one of"),
    ('[tool.dig-lint.severity]\nDL112 = "x"\n', ":2:1: ", "severity.DL112: expected one of"),
    ('[tool.dig-lint]\nselect = ["DL1"]\nignroe = ["DL2"]\n', ":3:1: ",
     "ignroe: unknown setting; did you mean 'ignore'?"),
])
def test_pyproject_table_problems_are_positioned(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 config: str, where: str, message: str) -> None:
    code, err = _lint(_project(tmp_path, config, "pyproject.toml"), capsys)
    assert code == 2
    assert f"pyproject.toml{where}{message}" in err


def test_a_broken_pyproject_without_our_table_is_still_reported(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """It is read to find out whether it has a [tool.dig-lint] table: a crash there was a traceback too."""
    code, err = _lint(_project(tmp_path, "[tool.other]\nx = " + "[" * 3000, "pyproject.toml"), capsys)
    assert code == 2
    assert "pyproject.toml:2:" in err
    assert "nesting too deep" in err


def test_a_config_file_over_the_size_bound_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _lint(_project(tmp_path, "# " + "x" * MAX_CONFIG_BYTES + "\n"), capsys)
    assert code == 2
    assert "cannot read configuration" in err


def test_the_language_server_path_gets_a_config_error_too(tmp_path: Path) -> None:
    """load_settings is what the server calls: it must raise ConfigError (which it reports), nothing else."""
    path = _project(tmp_path, "x = " + "[" * 3000) / ".dig-lint.toml"
    with pytest.raises(ConfigError) as raised:
        load_settings(str(path))
    assert (raised.value.line, raised.value.column) == (1, 5 + MAX_CONFIG_NESTING)
def test_unknown_codes_in_the_config_are_positioned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _lint(_project(tmp_path, 'select = ["DL1"]\nignore = [\n  "DL2", "duplicate-keys"]\n'), capsys)
    assert code == 2
    assert ".dig-lint.toml:2:1: ignore: unknown code or rule 'duplicate-keys' (did you mean 'duplicate-key'?)" in err
    code, err = _lint(_project(tmp_path, 'severity = { DL999 = "info" }\n'), capsys)
    assert code == 2
    assert ".dig-lint.toml:1:14: severity.DL999: unknown code or rule 'DL999' (see 'dig-lint rules')" in err


def test_unknown_codes_on_the_command_line_name_the_option(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    code, err = _lint(tmp_path, capsys, "--ignore", "DL1,unused-supression")
    assert code == 2
    assert "--ignore: unknown code or rule 'unused-supression' (did you mean 'unused-suppression'?)" in err


def test_control_characters_in_a_config_message_are_escaped(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _lint(_project(tmp_path, 'profile = "x\\n::warning ::owned\\u001b[2J"\n'), capsys)
    assert code == 2
    assert "\n::warning" not in err
    assert "\x1b" not in err
    assert "\\n::warning" in err


