"""Every check documents itself, and the README lists exactly the registered checks."""

from __future__ import annotations

import re

import pytest

from dig_lsp.checks import REGISTRY
from dig_lsp.cli.docs import BEGIN, END, OPERATORS_BEGIN, OPERATORS_END, checks_table, operators_table
from tests.conftest import ROOT

HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
RULES = list(REGISTRY)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_doc_has_the_fixed_headings(rule):  # type: ignore[no-untyped-def]
    positions = [rule.doc.find(heading) for heading in HEADINGS]
    assert all(p > 0 for p in positions), f"{rule.code} docs lack a heading"
    assert positions == sorted(positions)
    assert rule.summary
    assert not rule.summary.startswith("#")


def test_codes_are_grouped_and_unique() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"DL\d{3}", c) for c in codes)


def test_readme_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index(BEGIN): readme.index(END) + len(END)]
    assert table == checks_table(), "README is stale: run `python -m dig_lsp.cli.docs`"


def test_readme_operator_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index(OPERATORS_BEGIN): readme.index(OPERATORS_END) + len(OPERATORS_END)]
    assert table == operators_table(), "README is stale: run `python -m dig_lsp.cli.docs`"
