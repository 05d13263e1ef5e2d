"""Unknown operators by profile: a plugin the files do not declare may be a system plugin of a digdag
server (DL414, info), never of Treasure Workflow (DL401, error); a plugin declared on the task itself
counts (``OperatorRegistry.getSpec`` reads the task's merged config)."""

from __future__ import annotations

from pathlib import Path

from dig_lsp.config import Settings
from tests.conftest import lint_text

WORKFLOW = "+lock:\n  pg_lock>: daily\n  _do:\n    echo>: locked\n"


def _found(tmp_path: Path, text: str, profile: str) -> list[tuple[str, str, int]]:
    settings = Settings(select=("DL401", "DL414"), profile=profile)
    return [(d.code, d.severity.name.lower(), d.span.start.line) for d in lint_text(tmp_path, text, settings=settings)]


def test_digdag_server_may_load_the_plugin(tmp_path: Path) -> None:
    assert _found(tmp_path, WORKFLOW, "digdag") == [("DL414", "info", 1)]


def test_treasure_workflow_has_no_such_operator(tmp_path: Path) -> None:
    assert _found(tmp_path, WORKFLOW, "treasure-data") == [("DL401", "error", 1)]


def test_dependencies_on_the_task_declare_a_plugin(tmp_path: Path) -> None:
    text = WORKFLOW.replace("  _do:", "  dependencies: [\"pro.civitaspo:digdag-operator-pg_lock:0.0.4\"]\n  _do:")
    assert _found(tmp_path, text, "treasure-data") == []
    assert _found(tmp_path, text, "digdag") == []
