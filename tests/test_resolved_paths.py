"""``text/files._realpath``: ``os.path.realpath`` remembered folder by folder, giving the same answer."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from dig_lsp.text import files
from dig_lsp.text.files import forget_resolved_paths, is_inside


def _tree(root: Path) -> Path:
    """Folders, links to folders and files inside and outside, a loop, a dangling link, a link via `..`."""
    project, outside = root / "project", root / "outside"
    (project / "a" / "b").mkdir(parents=True)
    outside.mkdir()
    (project / "a" / "b" / "f.sql").write_text("x")
    (outside / "secret.sql").write_text("x")
    (project / "out").symlink_to(outside, target_is_directory=True)
    (project / "up").symlink_to("a/b/..", target_is_directory=True)
    (project / "a" / "here").symlink_to(".", target_is_directory=True)
    (project / "a" / "b" / "file_link.sql").symlink_to(outside / "secret.sql")
    (project / "loop1").symlink_to(project / "loop2")
    (project / "loop2").symlink_to(project / "loop1")
    (project / "dangling").symlink_to(root / "nowhere" / "x")
    return project


_PARTS = ["a", "b", "f.sql", "out", "up", "here", "file_link.sql", "loop1", "loop2", "dangling", "missing", "..", "."]


def test_every_path_resolves_as_realpath_does(tmp_path: Path) -> None:
    project = _tree(tmp_path)
    forget_resolved_paths()
    for depth in range(1, 4):
        for parts in itertools.product(_PARTS, repeat=depth):
            path = os.path.join(str(project), *parts)
            # normalised (as the analysis asks) and as written
            for asked in (os.path.normpath(path), path):
                assert files._realpath(asked) == os.path.realpath(asked), asked
    assert is_inside(str(project / "up" / "b" / "f.sql"), str(project))
    assert not is_inside(str(project / "out" / "secret.sql"), str(project))
    assert not is_inside(str(project / "a" / "here" / "b" / "file_link.sql"), str(project))


def test_a_nul_in_a_name_is_inside_nothing(tmp_path: Path) -> None:
    project = _tree(tmp_path)
    forget_resolved_paths()
    assert is_inside(str(project / "a" / "b" / "f.sql"), str(project))  # the folder is remembered
    assert not is_inside(str(project / "a" / "b" / "f\0.sql"), str(project))


def test_files_of_a_known_folder_cost_one_lstat_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _tree(tmp_path)
    for index in range(20):
        (project / "a" / "b" / f"q{index}.sql").write_text("x")
    forget_resolved_paths()
    calls: list[str] = []
    lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path, *args, **kwargs: calls.append(str(path)) or lstat(path, *args,
                                                                                                      **kwargs))
    for index in range(20):
        assert files._realpath(str(project / "a" / "b" / f"q{index}.sql")) == str(project / "a" / "b" / f"q{index}.sql")
    depth = len(Path(project / "a" / "b").parts) - 1
    assert len(calls) == depth + 20  # each folder once, then each file's own name
