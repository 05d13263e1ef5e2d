"""How the CLI cuts its units into batches (``runner._batches``): a batch's models are held together until
it is checked, so a batch is bounded by its count of units and by the bytes of its workflow files."""

from __future__ import annotations

from pathlib import Path

from dig_lsp import runner
from dig_lsp.model.targets import Unit


def _unit(root: Path, name: str, size: int) -> Unit:
    folder = root / name
    folder.mkdir()
    path = folder / "wf.dig"
    path.write_bytes(b"#" * size)
    return Unit(str(folder), (str(path),))


def _names(batches: list[list[Unit]]) -> list[list[str]]:
    return [[Path(unit.root).name for unit in batch] for batch in batches]


def test_small_projects_go_by_the_count(tmp_path: Path) -> None:
    units = [_unit(tmp_path, f"p{index:02}", 100) for index in range(runner.BATCH_UNITS + 6)]
    assert [len(batch) for batch in runner._batches(units)] == [runner.BATCH_UNITS, 6]


def test_large_projects_are_not_held_together(tmp_path: Path) -> None:
    third = runner.BATCH_BYTES // 3
    units = [_unit(tmp_path, "a", 2 * third), _unit(tmp_path, "b", 2 * third), _unit(tmp_path, "c", 10),
             _unit(tmp_path, "d", 2 * runner.BATCH_BYTES), _unit(tmp_path, "e", 10)]
    assert _names(list(runner._batches(units))) == [["a"], ["b", "c"], ["d"], ["e"]]


def test_a_missing_file_counts_as_empty(tmp_path: Path) -> None:
    units = [Unit(str(tmp_path), (str(tmp_path / "gone.dig"),)), _unit(tmp_path, "b", 10)]
    assert len(list(runner._batches(units))) == 1
