"""What a ``py>`` module stores (``model/python_stores.py``), read once per module however many tasks run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.model import python_stores
from dig_lsp.model.python_stores import StoredNames, stored_names
from dig_lsp.text.files import DiskReader


def test_a_module_run_by_many_tasks_is_walked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "__init__.py").write_text(
        "import digdag\ndef a():\n    digdag.env.store({'x': 1}, y=2)\ndef b(d):\n    digdag.env.store(d)\n")
    walked = []
    walk = python_stores._store_calls
    monkeypatch.setattr(python_stores, "_store_calls", lambda tree: walked.append(tree) or walk(tree))
    python_stores._stored_in.cache_clear()
    reader = DiskReader()
    # the stored names are the module's, whichever of its functions the task runs (helpers may store)
    found = [stored_names(command, str(tmp_path), reader) for command in ("tasks.a", "tasks.b", "tasks.a")]
    assert found == [StoredNames(("x", "y"), False)] * 3
    assert len(walked) == 1


def test_a_changed_module_is_read_again(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import digdag\ndef a():\n    digdag.env.store({'x': 1})\n")
    reader = DiskReader()
    assert stored_names("m.a", str(tmp_path), reader) == StoredNames(("x",), True)
    module.write_text("import digdag\ndef a():\n    digdag.env.store({'z': 1})\n")
    assert stored_names("m.a", str(tmp_path), reader) == StoredNames(("z",), True)
