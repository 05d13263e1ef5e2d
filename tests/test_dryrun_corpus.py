"""Every ``valid`` workflow of digdag's own corpus dry-runs without an exception."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

from dig_lsp.dryrun.options import Options
from dig_lsp.dryrun.report import render
from dig_lsp.dryrun.run import dry_run
from dig_lsp.model.project import load_project
from dig_lsp.text.files import DiskReader
from tests.conftest import CORPUS


def _valid_workflows() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row["path"] for row in rows if row["path"].endswith(".dig") and row["expectation"] == "valid"]


def test_every_valid_corpus_workflow_dry_runs(corpus: Path) -> None:
    complete = 0
    valid = _valid_workflows()
    for relative in valid:
        path = os.path.normpath(str(CORPUS / relative))
        project = load_project(os.path.dirname(path), [path], DiskReader())
        workflow = project.workflow(path)
        assert workflow is not None, relative
        run = dry_run(project, workflow, Options(session_time=datetime(2024, 1, 31)))
        assert run.refused == [], relative  # digdag compiles every one of them
        for kind in ("text", "json", "html"):
            assert render(run, kind), relative
        assert run.tasks[0].full_name == f"+{workflow.name}"
        complete += run.unevaluated == 0
    print(f"\n{complete} of {len(valid)} valid corpus workflows render every ${{...}} completely")
    assert len(valid) == 245
    assert complete >= 120  # 124 at the time of writing: the rest need -p params the tests pass
