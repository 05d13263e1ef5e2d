"""Which project a folder belongs to is decided by what loading the parent reaches (parsed edges)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.model.targets import plan
from tests.conftest import lint_paths, short


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CHILD = "+hello:\n  echo>: hi\n  unknown_key: 1\n"


def test_a_call_in_a_comment_claims_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {"main.dig": "# +old:\n#   call>: sub/child.dig\n+run:\n  echo>: main\n", "sub/child.dig": CHILD})
    units = {Path(unit.root).relative_to(tmp_path).as_posix(): unit for unit in plan([str(tmp_path)])}
    assert sorted(units) == [".", "sub"]  # the sub folder is a project of its own
    assert [short(d, tmp_path) for d in lint_paths([tmp_path])] == ["sub/child.dig:3:3: DL402"]


def test_a_parsed_call_makes_the_folder_part_of_the_caller(tmp_path: Path) -> None:
    _write(tmp_path, {"main.dig": "_export:\n  greeting: hi\n+run:\n  call>: sub/child.dig\n",
                      "sub/child.dig": "+hello:\n  echo>: ${greeting}\n"})
    units = [Path(unit.root).relative_to(tmp_path).as_posix() for unit in plan([str(tmp_path)])]
    assert units == ["."]
    assert lint_paths([tmp_path]) == []  # greeting comes from the caller


def test_a_parent_that_does_not_parse_claims_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {"main.dig": "+run:\n  call>: sub/child.dig\n  bad: [\n", "sub/child.dig": CHILD})
    found = [short(d, tmp_path) for d in lint_paths([tmp_path])]
    assert "sub/child.dig:3:3: DL402" in found  # the child is still checked, on its own


def test_a_workflow_called_by_a_broken_file_runs_in_an_unknown_context(tmp_path: Path) -> None:
    """The parent's readable entries still call the child: it is checked, but not as if it ran alone
    (its names come from a caller that cannot be read)."""
    _write(tmp_path, {"main.dig": "_export:\n  region: US\n+a:\n  call>: sub/s.dig\n+b:\n  echo>: [\n",
                      "sub/s.dig": "+s:\n  echo>: ${region}\n  bad_key: 1\n"})
    units = [Path(unit.root).relative_to(tmp_path).as_posix() for unit in plan([str(tmp_path)])]
    assert units == ["."]
    found = [f"{short(d, tmp_path)} {d.severity.label}" for d in lint_paths([tmp_path])]
    assert found == ["main.dig:7:1: DL101 error", "sub/s.dig:3:3: DL402 warning"]


def test_a_call_next_to_the_mistake_in_a_broken_file_is_still_followed(tmp_path: Path) -> None:
    """The mistake sits in the same top-level entry as the call: the entry's own tasks are read alone."""
    _write(tmp_path, {"main.dig": "+group:\n  +a:\n    call>: sub/s.dig\n  +b:\n    echo>: [\n",
                      "sub/s.dig": "+s:\n  echo>: ${region}\n  bad_key: 1\n"})
    found = [f"{short(d, tmp_path)} {d.severity.label}" for d in lint_paths([tmp_path])]
    assert found == ["main.dig:6:1: DL101 error", "sub/s.dig:3:3: DL402 warning"]


def test_planning_looks_for_a_repository_root_once_per_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dig_lsp.model import targets

    _write(tmp_path, {"repo/.git/HEAD": "", "repo/a/one.dig": CHILD, "repo/a/two.dig": CHILD,
                      "repo/a/b/three.dig": CHILD, "repo/a/b/four.dig": CHILD})
    asked: list[str] = []
    probe = targets.is_repository_root
    monkeypatch.setattr(targets, "is_repository_root", lambda folder: asked.append(folder) or probe(folder))
    units = [Path(unit.root).relative_to(tmp_path).as_posix() for unit in plan([str(tmp_path / "repo" / "a")])]
    assert units == ["repo/a", "repo/a/b"]
    assert asked
    assert len(asked) == len(set(asked))  # four workflows climb through the same folders
    assert str(tmp_path / "repo") in asked  # where the climb stops: the repository's root
    assert str(tmp_path) not in asked
