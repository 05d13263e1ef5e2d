"""Linting one file is exactly the full analysis of its project, filtered to that file.

``dig-lint FILE`` loads FILE's whole project but reports FILE only (:attr:`Unit.report
<dig_lsp.model.targets.Unit.report>`), so the checks skip work whose findings could only land in other
files (:meth:`CheckContext.reports <dig_lsp.checks.base.CheckContext.reports>`: the SQL of queries in other
files, the ``${...}`` sites of other files with their scopes). Here every workflow (and some SQL and
YAML files) of real projects with SQL, ``!include``, ``call>`` and ``td_for_each>`` is linted alone and
compared with the full analysis (the checks given no report) concluded for the same unit: same
diagnostics, messages, related locations and fixes. ``bench/report_filter.py`` does the same for every
``.dig`` of the corpus through the command line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dig_lsp.analysis.sites import project_sites
from dig_lsp.checks.base import CheckContext
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.embedded import shell
from dig_lsp.engine import analyse, conclude, run_checks
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit, plan
from dig_lsp.text.files import DiskReader
from dig_lsp.text.limits import recursion_headroom

# projects with queries in files and inline, SQL errors, templates in rendered SQL and YAML, !include, call>
# between workflows (and from subfolders), td_for_each> (whose scope parses its query), folders of projects
PROJECTS = (
    "scenarios/cdp_campaign_management",
    "tool-box/id-unification-samples",
    "tool-box/schema-change-detection",
    "tool-box/get_cdp_segments",
    "machine-learning-box/sentiment-analysis",
    "machine-learning-box/house-price-prediction",
    "machine-learning-box/gender_age_prediction",
    "analytics-box/weblog-analytics",
    "realtime-box/lookup-catalog-sync",
    "scenarios/activations_counter",
    "analytics-box/fuzzy-matching",
    "integration-box/postgresql",
    "td_load/instagram_user_and_media_insights",
    "machine-learning-box/predictive-lead-scoring",
)
SETTINGS = {"digdag": Settings(), "treasure-data": Settings(profile="treasure-data")}


def _targets(project: Path, settings: Settings) -> list[str]:
    """Every workflow of the project, every other file with a finding in the project's analysis (SQL, YAML
    included or rendered) and a few files without, each to be linted alone."""
    workflows = [str(path) for path in sorted(project.rglob("*.dig"))]
    found = {d.path for unit in plan([str(project)]) for d in analyse(unit, settings).diagnostics}
    quiet = [str(path) for suffix in ("*.sql", "*.yml") for path in sorted(project.rglob(suffix))[:2]]
    return [*workflows, *sorted(found.difference(workflows)), *sorted(set(quiet) - found)]


def _full(unit: Unit, settings: Settings, models: dict[tuple[str, tuple[str, ...]], ProjectModel],
          findings: dict[tuple[str, tuple[str, ...]], tuple[Diagnostic, ...]]) -> list[Diagnostic]:
    """The checks run with no report (everything analysed), concluded for ``unit``: what ``dig-lint FILE``
    printed before the checks knew what it reports."""
    key = (unit.root, unit.workflows)
    if key not in models:
        with recursion_headroom():
            models[key] = load_project(unit.root, list(unit.workflows), DiskReader())
            findings[key] = run_checks(CheckContext(models[key], settings))
    model = models[key]
    return conclude(findings[key], model, unit, settings, len(project_sites(model))).diagnostics


@pytest.mark.parametrize("profile", sorted(SETTINGS))
def test_one_file_is_the_full_analysis_filtered(treasure_boxes: Path, profile: str) -> None:
    settings = SETTINGS[profile]
    compared: dict[str, int] = {}
    for project in PROJECTS:
        models: dict[tuple[str, tuple[str, ...]], ProjectModel] = {}
        findings: dict[tuple[str, tuple[str, ...]], tuple[Diagnostic, ...]] = {}
        for target in _targets(treasure_boxes / project, settings):
            for unit in plan([target]):
                assert unit.report == (target,)
                expected = _full(unit, settings, models, findings)
                assert analyse(unit, settings, reported_only=True).diagnostics == expected, target
                for diagnostic in expected:
                    kind = (diagnostic.code[:3], os.path.splitext(diagnostic.path)[1])
                    compared[kind] = compared.get(kind, 0) + 1
    # the projects were chosen for their findings: operators', expressions' in workflows and in rendered SQL,
    # SQL's in query files and inline
    assert {("DL4", ".dig"), ("DL5", ".dig"), ("DL5", ".sql"), ("DL6", ".sql"), ("DL6", ".dig")} <= set(compared), \
        compared


SHELL_PROJECT = {
    "a.dig": "+x:\n  sh>: echo 'unclosed\n+y:\n  sh>: fine.sh\n",
    "b.dig": "+z:\n  sh>: if then fi\n+w:\n  call>: a.dig\n",
    "fine.sh": "#!/bin/sh\nfor x in; do\n",
}


@pytest.mark.parametrize("shellcheck", ["installed", "missing"])
def test_shell_scripts_of_other_files_are_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      shellcheck: str) -> None:
    """ShellCheck runs only for the scripts of the reported files; without ShellCheck, DL702 is still reported
    at the project's first command, whichever file is linted."""
    if shellcheck == "missing":
        monkeypatch.setenv(shell.SHELLCHECK_ENVIRONMENT, "")
    elif shell.shellcheck_binary() is None:
        pytest.skip("ShellCheck is not installed")
    for name, text in SHELL_PROJECT.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings()
    models: dict[tuple[str, tuple[str, ...]], ProjectModel] = {}
    findings: dict[tuple[str, tuple[str, ...]], tuple[Diagnostic, ...]] = {}
    codes = set()
    for name in SHELL_PROJECT:
        for unit in plan([str(tmp_path / name)]):
            expected = _full(unit, settings, models, findings)
            assert analyse(unit, settings, reported_only=True).diagnostics == expected, name
            codes.update(d.code for d in expected)
    assert codes >= ({"DL701"} if shellcheck == "installed" else {"DL702"}), codes


def test_a_value_merged_from_an_included_file(tmp_path: Path) -> None:
    """A parameter's mapping written in the workflow with entries from an ``!include``d file: its problem is
    in the included file, reported when that file is linted alone."""
    (tmp_path / "wf.dig").write_text("+a:\n  py>: tasks.run\n  docker:\n    !include : docker.yml\n", encoding="utf-8")
    (tmp_path / "docker.yml").write_text("image: python:3\npull_always: maybe\n", encoding="utf-8")
    (tmp_path / "tasks.py").write_text("def run():\n    pass\n", encoding="utf-8")
    [unit] = plan([str(tmp_path / "docker.yml")])
    [diagnostic] = analyse(unit, Settings(), reported_only=True).diagnostics
    assert (diagnostic.code, diagnostic.path) == ("DL405", str(tmp_path / "docker.yml"))


def test_the_filter_skips_work(treasure_boxes: Path) -> None:
    """The point of it: linting a workflow without SQL judges no query of the project's other files."""
    target = treasure_boxes / "scenarios/cdp_campaign_management/check_settings.dig"
    [unit] = plan([str(target)])
    with recursion_headroom():
        model = load_project(unit.root, list(unit.workflows), DiskReader())
        context = CheckContext(model, Settings(), report=unit.report)
        run_checks(context)
        full = CheckContext(model, Settings())
        run_checks(full)
    assert full.shared("sql-issues", list), "a query of another workflow has an issue"
    assert context.shared("sql-issues", list) == []
    assert {item.site.source.path for item in context.facts.analysed_sites} == {str(target)}
    assert len(project_sites(model)) > len(context.facts.analysed_sites)
