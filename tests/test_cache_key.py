"""The result cache's key does not depend on the folder dig-lint is run from (unless per-path ignores,
which are relative to a base folder, make it matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.config import Settings


def test_the_settings_fingerprint_ignores_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    first = Settings().fingerprint()
    monkeypatch.chdir(tmp_path / "b")
    assert Settings().fingerprint() == first


def test_per_path_ignores_keep_their_base_folder_in_the_key(tmp_path: Path) -> None:
    ignores = (("tests/*", ("DL402",)),)
    one = Settings(per_path_ignores=ignores, base_dir=str(tmp_path / "a")).fingerprint()
    other = Settings(per_path_ignores=ignores, base_dir=str(tmp_path / "b")).fingerprint()
    assert one != other
