"""The schedule checks, the hover and the code lens read a schedule one way: they agree on whether it is
valid (``model/schedule_shape.read_schedule``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.diagnostics import Severity
from dig_lsp.model.schedule import ScheduleError
from dig_lsp.model.schedule_shape import read_schedule
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.source import SourceFile
from tests.conftest import lint_text

SCHEDULES = [
    "daily>: 07:00:00", "daily>: 7:00", "daily>: 25:00:00", "daily>: '07:00:00'", "hourly>: 30:00",
    "hourly>: 61:00", "weekly>: Sun,10:00:00", "weekly>: Funday,10:00:00", "monthly>: 1,09:00:00",
    "monthly>: 32,09:00:00", "cron>: 0 9 * * mon-fri", "cron>: 0 9 * *", "cron>: 61 9 * * *",
    "minutes_interval>: 15", "minutes_interval>: 0", "minutes_interval>: abc", "seconds_interval>: 30",
    "daily>: 07:00:00\n  start: 2024-01-01", "daily>: 07:00:00\n  start: 2024-13-01",
    "daily>: 07:00:00\n  end: 2024-01-01", "daily>: 07:00:00\n  skip_delayed_by: 1h",
    "daily>: 07:00:00\n  skip_delayed_by: soon", "_type: daily\n  _command: 07:00:00",
    "_type: dayly\n  _command: 07:00:00",
    "dayly>: 07:00:00", "daily>:", "daily>: ${t}",
]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_checks_and_the_editor_agree_on_validity(tmp_path: Path, schedule: str) -> None:
    text = f"schedule:\n  {schedule}\n+a:\n  echo>: hi\n"
    errors = [d for d in lint_text(tmp_path, text) if d.code.startswith("DL30") and d.severity is Severity.ERROR]
    parsed = parse(SourceFile(str(tmp_path / "x.dig"), text))
    assert parsed.root is not None
    mapping = parsed.root.get("schedule")
    assert isinstance(mapping, Mapping)
    try:
        read_schedule(mapping)
        editor_valid = True
    except ScheduleError:
        editor_valid = False
    assert editor_valid == (not errors), [d.message for d in errors]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_the_dry_run_agrees_too(tmp_path: Path, schedule: str) -> None:
    """The dry run takes the session time from the same reading: it ignores a schedule exactly when the
    checks report it (issue 18: one reading of `schedule:`)."""
    from dig_lsp.dryrun.run import workflow_schedule
    from dig_lsp.model.project import load_project
    from dig_lsp.text.files import DiskReader

    text = f"schedule:\n  {schedule}\n+a:\n  echo>: hi\n"
    (tmp_path / "wf.dig").write_text(text, encoding="utf-8")
    errors = [d for d in lint_text(tmp_path, text) if d.code.startswith("DL30") and d.severity is Severity.ERROR]
    project = load_project(str(tmp_path), [str(tmp_path / "wf.dig")], DiskReader())
    workflow = project.workflow(str(tmp_path / "wf.dig"))
    assert workflow is not None
    schedule_read, _ = workflow_schedule(workflow)
    assert (schedule_read is not None) == (not errors), [d.message for d in errors]
