"""Re-reading one top-level entry after an edit gives exactly what a full parse gives.

Random edits (typing, deleting, pasting lines, new tasks, breaking and fixing YAML) of real
workflows from the digdag corpus and of a generated one are applied one after another; after each,
the spliced tree (when the splice applies) must equal the full parse of the new text, spans
included, and each next edit starts from the spliced tree, so errors could not hide by drifting.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dig_lsp.syntax.loader import ParsedFile, parse
from dig_lsp.syntax.splice import reparse
from dig_lsp.text.source import SourceFile
from tests.conftest import CORPUS

SNIPPETS = ["x", " ", "\n", "\n  ", "${a}", ": ", "#", "'", '"', "[", "]", "{", "}", "- ", "\n+new:\n  echo>: n\n",
            "\n---\n", "&a ", "*a", "<<: ", "é", "😀", "\t", "  _retry: 2\n", "\n  +sub:\n    sh>: s\n", "|\n   l\n"]


def _files() -> list[Path]:
    found = sorted(CORPUS.rglob("*.dig"))[:60] if CORPUS.is_dir() else []
    return [path for path in found if parse(SourceFile(str(path), path.read_text(encoding="utf-8"))).spliceable]


def _generated() -> str:
    body = "".join(f"+g{i}:\n  +a:\n    echo>: a ${{x}} {i}\n  +b:\n    td>: q{i}.sql\n    database: d\n\n"
                   for i in range(12))
    return "timezone: UTC\n_export:\n  x: 1\n\n" + body


def _edit(rng: random.Random, text: str) -> str:
    start = rng.randrange(len(text) + 1)
    kind = rng.random()
    if kind < 0.5:
        return text[:start] + rng.choice(SNIPPETS) + text[start:]
    end = min(len(text), start + rng.randrange(1, 12))
    if kind < 0.8:
        return text[:start] + text[end:]
    return text[:start] + rng.choice(SNIPPETS) + text[end:]


def _same(spliced: ParsedFile, full: ParsedFile) -> bool:
    return repr(spliced.root) == repr(full.root) and spliced.problems == full.problems == ()


@pytest.mark.parametrize(("seed", "newline"), [(0, "\n"), (1, "\n"), (2, "\n"), (3, "\r\n")])
def test_spliced_trees_equal_full_parses(seed: int, newline: str) -> None:
    rng = random.Random(seed)
    texts = [text.replace("\n", newline)
             for text in [_generated(), *(path.read_text(encoding="utf-8") for path in _files())]]
    spliced_count = 0
    for original in texts:
        current = parse(SourceFile("/p/wf.dig", original))
        for _ in range(40):
            text = _edit(rng, current.source.text)
            source = SourceFile("/p/wf.dig", text)
            full = parse(source)
            spliced = reparse(current, source)
            if spliced is not None:
                spliced_count += 1
                assert _same(spliced, full), (current.source.text, text)
                current = spliced
            elif full.spliceable:
                current = full
            # else: the edit broke the file; undo it, as a user would, and edit on
    assert spliced_count > 200  # the splice really ran, not only the fallback


def test_an_edit_inside_one_task_is_spliced_and_one_across_tasks_is_not() -> None:
    text = "timezone: UTC\n+a:\n  echo>: one\n+b:\n  echo>: two\n"
    before = parse(SourceFile("/p/wf.dig", text))
    assert before.spliceable
    inside = SourceFile("/p/wf.dig", text.replace("echo>: one", "echo>: one more"))
    spliced = reparse(before, inside)
    assert spliced is not None
    assert repr(spliced.root) == repr(parse(inside).root)
    across = SourceFile("/p/wf.dig", text.replace("one\n+b", "one\n +b"))  # the key of +b moves
    assert reparse(before, across) is None
    duplicate = SourceFile("/p/wf.dig", text.replace("+b:", "+a:"))
    assert reparse(before, duplicate) is None  # the first character of +b's key is kept, but the key clashes


def test_files_with_aliases_are_never_spliced() -> None:
    text = "_export:\n  base: &base {a: 1}\n+t:\n  echo>: x\n  _export: *base\n"
    assert not parse(SourceFile("/p/wf.dig", text)).spliceable


def test_lines_typed_at_the_end_of_an_entry_belong_to_it() -> None:
    text = "+a:\n  echo>: one\n+b:\n  echo>: two\n"
    before = parse(SourceFile("/p/wf.dig", text))
    for inserted in ("\n", "  _retry: 2\n", "\n+c:\n  echo>: three\n"):
        source = SourceFile("/p/wf.dig", text.replace("+b:", inserted + "+b:"))  # Enter at the end of `one`
        spliced = reparse(before, source)
        assert spliced is not None
        assert spliced.edit is not None
        assert spliced.edit.index == 0
        assert repr(spliced.root) == repr(parse(source).root)
    unterminated = SourceFile("/p/wf.dig", text.replace("+b:", '  x: "open\n+b:'))
    assert reparse(before, unterminated) is None  # the quote would run on into +b: parsed whole
