"""Runs the VS Code extension's own tests (``npm test`` in editors/vscode: TypeScript build,
grammar snapshot tests with vscode-textmate/vscode-oniguruma, client option unit tests).

Only when ``node``/``npm`` are installed and ``npm ci`` has been run there (``node_modules``
exists); nothing is downloaded from here, otherwise the test is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"
NPM = shutil.which("npm")


def _skip_reason() -> str | None:
    if shutil.which("node") is None or NPM is None:
        return "node/npm are not installed; the VS Code extension's tests (npm test in editors/vscode) are not run"
    if not (EXTENSION / "node_modules").is_dir():
        return "editors/vscode/node_modules is missing: run 'npm ci' in editors/vscode to run the extension's tests"
    return None


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_npm_test() -> None:
    assert NPM is not None
    completed = subprocess.run([NPM, "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=600,
                               stdin=subprocess.DEVNULL, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed is not None, output[-3000:]
    assert int(passed.group(1)) > 0, output[-3000:]
    assert failed is not None, output[-3000:]
    assert int(failed.group(1)) == 0, output[-6000:]


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_vsix_packages(tmp_path: Path) -> None:
    """The `.vsix` builds from the committed package.json and sources (vsce runs offline)."""
    assert NPM is not None
    target = tmp_path / "dig-lsp.vsix"
    completed = subprocess.run([NPM, "run", "package", "--", "--out", str(target)], cwd=EXTENSION,
                               capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    assert target.is_file()
    assert target.stat().st_size > 1000
