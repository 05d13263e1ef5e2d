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


class _CountingReader:
    def __init__(self) -> None:
        self.reads: list[str] = []

    def read(self, path: str) -> bytes | None:
        self.reads.append(path)
        return DiskReader().read(path)


def test_a_module_file_is_read_once_per_question(tmp_path: Path) -> None:
    from dig_lsp.model.python_targets import module_for, resolve

    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "__init__.py").write_text("def a(x, y=1):\n    pass\nclass C:\n    def run(self, z):\n"
                                                    "        pass\n")
    for command, qualname in (("tasks.a", "a"), ("tasks.C.run", "C.run"), ("tasks.C", "C.run")):
        reader = _CountingReader()
        target = resolve(command, str(tmp_path), reader)
        assert target is not None
        assert target.signature is not None
        assert target.signature.qualname == qualname
        # tasks.py is looked for first; tasks/__init__.py (where the module is) is read once
        assert reader.reads.count(str(tmp_path / "tasks" / "__init__.py")) == 1
        reader = _CountingReader()
        assert module_for(command, str(tmp_path), reader) is not None
        assert reader.reads.count(str(tmp_path / "tasks" / "__init__.py")) == 1


@pytest.mark.parametrize(("text", "stored", "walked"), [
    ("def a():\n    pass\n", StoredNames((), True), False),  # no `store` in it: no call to find
    ("def a(:\n", StoredNames((), False), False),  # not Python: what it stores is unknown
    ("import digdag\ndef a():\n    digdag.env.store({'k': 1})\n", StoredNames(("k",), True), True),
    # NFKC makes the fullwidth name `store`: a text that is not ASCII is always walked
    ("import digdag\ndef a():\n    digdag.env.\uff53\uff54\uff4f\uff52\uff45({'k': 1})\n",
     StoredNames(("k",), True), True),
    ("# caf\u00e9\ndef a():\n    pass\n", StoredNames((), True), True),
])
def test_only_a_module_that_may_store_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                                stored: StoredNames, walked: bool) -> None:
    (tmp_path / "m.py").write_text(text, encoding="utf-8")
    seen = []
    walk = python_stores._store_calls
    monkeypatch.setattr(python_stores, "_store_calls", lambda tree: seen.append(tree) or walk(tree))
    python_stores._stored_in.cache_clear()
    assert stored_names("m.a", str(tmp_path), DiskReader()) == stored
    assert bool(seen) is walked


def test_a_large_module_is_not_remembered(tmp_path: Path) -> None:
    # the memo holds answers for small modules' texts only, never a tree: a large one's must not outlive its use
    (tmp_path / "big.py").write_text("import digdag\ndef a():\n    digdag.env.store({'k': 1})\n" + "# pad\n" * 20_000)
    python_stores._stored_in.cache_clear()
    assert stored_names("big.a", str(tmp_path), DiskReader()) == StoredNames(("k",), True)
    assert python_stores._stored_in.cache_info().currsize == 0
