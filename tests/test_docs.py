"""Every check documents itself, and the README lists exactly the registered checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dig_lsp.checks import REGISTRY
from dig_lsp.cli.docs import BEGIN, END, OPERATORS_BEGIN, OPERATORS_END, checks_table, operators_table, rule_pages
from dig_lsp.config import Settings
from dig_lsp.diagnostics import RULE_DOCS
from tests.conftest import ROOT, lint_paths

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


def test_rule_pages_are_current() -> None:
    """docs/rules/ holds exactly the generated pages (one per rule, DL000's, the index), as generated."""
    directory = ROOT / RULE_DOCS
    found = {path.name: path.read_text(encoding="utf-8") for path in directory.iterdir()}
    expected = rule_pages()
    assert sorted(found) == sorted(expected), "docs/rules/ is stale: run `python -m dig_lsp.cli.docs`"
    stale = [name for name, text in expected.items() if found[name] != text]
    assert stale == [], "docs/rules/ is stale: run `python -m dig_lsp.cli.docs`"
    assert {f"{rule.code}.md" for rule in RULES} | {"DL000.md", "README.md"} == set(expected)


def test_rule_pages_links_resolve() -> None:
    """The README's table and the index link pages that exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/rules/[^)]+)\)", readme):
        assert (ROOT / target).is_file(), target
    index = (ROOT / RULE_DOCS / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+\.md)\)", index):
        assert (ROOT / RULE_DOCS / target).is_file(), target


# ------------------------------------------------------------------------------------------------
# The "Example" and "Use instead" blocks of every rule's docs are what users copy: they run as tests.
#
# The first fenced block of a section is the workflow `wf.dig`; a line `# file: NAME` (or `-- file: NAME`
# in SQL) starts another file of the example project, in that block or in a later one. A comment
# `<!-- test: profile=NAME -->` in the section lints it under that profile, `<!-- test: select=all -->` with
# every rule enabled (not only the rule itself); `<!-- test: skip: REASON -->`
# marks an example a text file cannot hold (bytes that are not UTF-8, an elided expansion).

_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_FILE_MARK = re.compile(r"^(?:#|--) file: (\S+)\s*$")
_OPTIONS = re.compile(r"<!-- test: (.*?) -->")


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading)
    end = doc.find("\n## ", start + 1)
    return doc[start: end if end > 0 else len(doc)]


def _project(section: str) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    name = "wf.dig"
    for block in _FENCE.findall(section):
        for line in block.splitlines():
            marked = _FILE_MARK.match(line)
            if marked:
                name = marked.group(1)
                continue
            files.setdefault(name, []).append(line)
    return {path: "\n".join(lines) + "\n" for path, lines in files.items()}


def _lint_example(tmp_path: Path, rule_code: str, section: str) -> list[str] | None:
    options = " ".join(_OPTIONS.findall(section))
    if options.startswith("skip"):
        return None
    for relative, text in _project(section).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    profile = re.search(r"profile=(\S+)", options)
    select = () if "select=all" in options else (rule_code,)
    settings = Settings(select=select, profile=profile.group(1) if profile else "digdag")
    return [d.message for d in lint_paths([tmp_path], settings) if d.code == rule_code]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_example_is_reported(rule, tmp_path: Path):  # type: ignore[no-untyped-def]
    found = _lint_example(tmp_path, rule.code, _section(rule.doc, "## Example"))
    if found is None:
        pytest.skip("the example cannot be written as a text file")
    assert found, f"{rule.code}'s Example is not reported"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_use_instead_is_clean(rule, tmp_path: Path):  # type: ignore[no-untyped-def]
    found = _lint_example(tmp_path, rule.code, _section(rule.doc, "## Use instead"))
    if found is None:
        pytest.skip("the example cannot be written as a text file")
    assert found == [], f"{rule.code}'s Use instead is reported"
