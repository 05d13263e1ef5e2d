"""Every check has a fixture project whose expected diagnostics are listed beside it.

``tests/fixtures/checks/<CODE>/expected.txt`` holds one ``path:line:col: CODE message`` line per
expected diagnostic (comments start with ``#``). The fixture is linted with only that
check selected, so each fixture proves its check finds what it should and nothing more, and
says it in the words pinned here: a message is part of the interface people read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.checks import REGISTRY
from dig_lsp.config import find_config, load_settings, with_overrides
from tests.conftest import FIXTURES, lint_paths, short

CHECK_FIXTURES = FIXTURES / "checks"
RULES = list(REGISTRY)
# what a fixture needs of its environment: DL702 is about ShellCheck missing, which it is not here
ENVIRONMENT = {"DL702": {"DIG_LINT_SHELLCHECK": ""}}


def _expected(directory: Path) -> list[str]:
    lines = (directory / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_check_fixture(rule, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in ENVIRONMENT.get(rule.code, {}).items():
        monkeypatch.setenv(name, value)
    directory = CHECK_FIXTURES / rule.code
    assert (directory / "expected.txt").is_file(), f"{rule.code} has no fixture at {directory}"
    expected = _expected(directory)
    assert expected, f"{rule.code}: a fixture must expect at least one diagnostic"
    settings = with_overrides(load_settings(find_config(str(directory))), select=(rule.code,))
    found = [f"{short(d, directory)} {d.message}" for d in lint_paths([directory], settings)]
    assert sorted(found) == sorted(expected)


def test_every_fixture_belongs_to_a_rule():  # type: ignore[no-untyped-def]
    known = {rule.code for rule in RULES}
    stray = [p.name for p in CHECK_FIXTURES.iterdir() if p.is_dir() and p.name not in known]
    assert not stray
