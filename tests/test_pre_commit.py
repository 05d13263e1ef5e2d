"""The pre-commit hook (.pre-commit-hooks.yaml) through ``pre-commit try-repo``.

The hook repository is a fresh git repository holding the package as it is in this working
tree (so the test does not depend on what is committed); pre-commit installs it into its own
virtualenv (from the package registry, like any user's pre-commit) and runs it on a fixture
repository. Needs ``pre-commit`` (in the ``test`` extra) and ``git``; skipped without them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pre_commit" / "project"
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "dig_lsp", "schemas")


def _pre_commit() -> list[str] | None:
    beside = Path(sys.executable).with_name("pre-commit")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pre-commit")
    return [found] if found else None


PRE_COMMIT = _pre_commit()
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None or GIT is None,
    reason="pre-commit or git is not installed (pip install -e '.[test]' installs pre-commit); "
    "the pre-commit hook is not tested",
)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(cwd: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def _commit_all(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with the package and the hook manifest of this working tree."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    _commit_all(repo)
    return repo


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURE, repo, dirs_exist_ok=True)
    _commit_all(repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module, so the hook's virtualenv is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT is not None
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "DIG_LINT_CACHE_DIR": str(home / "dig-lint-cache"),
           "NO_COLOR": "1"}
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(hook_repo), "dig-lint", "--verbose", "--color", "never", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL, check=False,
    )


def test_manifest() -> None:
    """The hook as documented: python, entry dig-lint, .dig and .sql files passed as arguments."""
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["dig-lint"]
    hook = hooks[0]
    assert hook["language"] == "python"
    assert hook["entry"] == "dig-lint"
    assert hook["files"] == r"\.(dig|sql)$"
    assert hook.get("pass_filenames", True) is True
    pattern = re.compile(hook["files"])
    assert all(pattern.search(name) for name in ("wf.dig", "queries/a.sql"))
    assert not any(pattern.search(name) for name in ("wf.dig.bak", "config.yml", "digest"))


def test_hook_reports_findings_in_changed_files(hook_repo: Path, project: Path, pre_commit_home: Path) -> None:
    result = _try_repo(hook_repo, project, pre_commit_home, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "broken.dig:1:11: error[DL305]" in output
    assert "broken.dig:4:3: error[DL202]" in output
    assert "good.dig" not in output


def test_hook_passes_clean_files(hook_repo: Path, project: Path, pre_commit_home: Path) -> None:
    result = _try_repo(hook_repo, project, pre_commit_home, "--files", "good.dig", "queries/extract.sql")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"dig-lint\.+Passed", output), output
