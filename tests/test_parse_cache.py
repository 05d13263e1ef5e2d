"""The parse cache the language server keeps between analyses: right by construction, and bounded."""

from __future__ import annotations

from dig_lsp.syntax.parsed_files import ParseCache, ParsedFiles
from dig_lsp.text.files import OverlayReader

WF = "/p/wf.dig"


def _parse(cache: ParseCache, text: str, path: str = WF) -> object:
    files = ParsedFiles(OverlayReader({path: text.encode()}), cache)
    return files.parsed(path)


def test_same_content_is_parsed_once_and_an_edit_is_parsed_again() -> None:
    cache = ParseCache()
    first = _parse(cache, "+a:\n  echo>: x\n")
    again = _parse(cache, "+a:\n  echo>: x\n")
    edited = _parse(cache, "+a:\n  echo>: y\n")
    assert again is first
    assert edited is not first
    assert (cache.hits, cache.misses) == (2, 2)  # the source and the tree of the repeat; two parses


def test_old_versions_of_an_edited_file_are_dropped() -> None:
    cache = ParseCache(versions_per_path=2)
    for number in range(10):
        _parse(cache, f"+a:\n  echo>: {number}\n")
    assert len(cache) == 2
    _parse(cache, "+b:\n  echo>: 0\n", path="/p/other.dig")
    assert len(cache) == 3


def test_entries_and_bytes_are_bounded() -> None:
    by_entries = ParseCache(max_entries=3)
    for number in range(6):
        _parse(by_entries, "+a:\n  echo>: x\n", path=f"/p/wf{number}.dig")
    assert len(by_entries) == 3
    by_bytes = ParseCache(max_bytes=100)
    for number in range(6):
        _parse(by_bytes, "+a:\n  echo>: " + "x" * 40 + "\n", path=f"/p/wf{number}.dig")
    assert len(by_bytes) == 1


def test_without_a_cache_nothing_is_kept() -> None:
    files = ParsedFiles(OverlayReader({WF: b"+a:\n  echo>: x\n"}))
    parsed = files.parsed(WF)
    assert parsed is not None
    assert parsed.root is not None


def test_an_edit_inside_one_task_is_spliced_from_the_previous_version() -> None:
    from dig_lsp.syntax.loader import parse
    from dig_lsp.text.source import SourceFile

    cache = ParseCache()
    before = "timezone: UTC\n+a:\n  echo>: one\n+b:\n  echo>: two\n"
    after = before.replace("echo>: one", "echo>: one more")
    _parse(cache, before)
    spliced = _parse(cache, after)
    assert cache.spliced == 1
    assert repr(spliced) == repr(parse(SourceFile(WF, after)))
