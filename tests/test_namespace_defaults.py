"""DL405 on a namespace default (``_export: {td: {engine: ...}}``): reported for the first operator below the
export, in the catalog's order, that reads the namespace, refuses the value and does not set the key itself
(the operators below are listed only for a value some reader refuses: ``_namespace_defaults``)."""

from __future__ import annotations

from pathlib import Path

from dig_lsp.config import Settings
from tests.conftest import lint_text, short

SETTINGS = Settings(select=("DL405",))


def _found(tmp_path: Path, text: str) -> list[str]:
    return [f"{short(d, tmp_path)} {d.message}" for d in lint_text(tmp_path, text, settings=SETTINGS)]


def test_a_refused_default_names_the_first_reader_below(tmp_path: Path) -> None:
    found = _found(tmp_path, "_export:\n  td:\n    engine: prestoo\n+a:\n  td_wait>: q.sql\n+b:\n  td>: q.sql\n")
    assert found == ["wf.dig:3:13: DL405 td> 'engine' (from `_export: td:`): expected presto or hive, got "
                     "'prestoo'; did you mean 'presto'?"]


def test_a_reader_later_in_the_catalog_is_named_when_the_first_is_not_below(tmp_path: Path) -> None:
    found = _found(tmp_path, "_export:\n  td:\n    engine: prestoo\n+a:\n  td_wait>: q.sql\n")
    assert [line.split(" (from")[0] for line in found] == ["wf.dig:3:13: DL405 td_wait> 'engine'"]


def test_readers_that_set_the_key_themselves_take_no_default(tmp_path: Path) -> None:
    assert _found(tmp_path, "_export:\n  td:\n    engine: prestoo\n+a:\n  td>: q.sql\n  engine: hive\n"
                            "+b:\n  echo>: hi\n") == []


def test_a_default_every_reader_takes_is_not_reported(tmp_path: Path) -> None:
    assert _found(tmp_path, "_export:\n  td:\n    engine: hive\n    database: d\n+a:\n  td>: q.sql\n") == []


def test_a_task_below_the_root_exports_defaults_to_its_own_tasks_only(tmp_path: Path) -> None:
    text = ("+outside:\n  td>: q.sql\n+group:\n  _export:\n    td:\n      engine: prestoo\n"
            "  +inside:\n    td_wait>: q.sql\n")
    assert [line.split(" (from")[0] for line in _found(tmp_path, text)] == ["wf.dig:6:15: DL405 td_wait> 'engine'"]
