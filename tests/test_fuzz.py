"""Arbitrary text never makes the analysis raise, and results are well-formed and stable."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import OverlayReader
from dig_lsp.text.source import SourceFile

_ROOT = os.path.join(tempfile.gettempdir(), "dig-lsp-fuzz-project")
_PATH = os.path.join(_ROOT, "wf.dig")

_FRAGMENTS = st.sampled_from([
    "+task:", "  echo>: hi", "  _parallel: true", "_export:", "  td: {database: x}", "schedule:",
    "  daily>: 07:00:00", "!include : x.yml", "  call>: sub", "_error:", "  +e:", "    fail>: x",
    "- a", "  - b", "{a: [1, 2]}", "'quoted", "\t", "a: &x [1]", "b: *x", "<<: *x", "---", "#", "${x}",
    "  _retry: {limit: 3}", "  _after: [+a]", "timezone: Asia/Tokyo", "sla:", "  time: 02:00",
])


def _check(text: str) -> None:
    reader = OverlayReader({_PATH: text.encode("utf-8", errors="surrogatepass")})
    unit = Unit(_ROOT, (_PATH,))
    first = analyse(unit, Settings(), reader).diagnostics
    second = analyse(unit, Settings(), reader).diagnostics
    assert first == second
    source = SourceFile.from_bytes(_PATH, text.encode("utf-8", errors="surrogatepass"))
    for diagnostic in first:
        assert diagnostic.code != "DL000", diagnostic.message
        if diagnostic.path == _PATH:
            start, end = source.offsets(diagnostic.span)
            assert start <= end
            assert (source.position(start), source.position(end)) == (diagnostic.span.start, diagnostic.span.end)
            assert diagnostic.span.start.line < source.line_count


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, max_size=30).map("\n".join))
def test_near_valid_workflows_never_raise(text: str) -> None:
    _check(text)


def test_a_ten_megabyte_file_is_handled(tmp_path: Path) -> None:
    line = "  echo>: " + "x" * 80 + "\n"
    text = "".join(f"+t{i}:\n{line}" for i in range(110_000))
    (tmp_path / "big.dig").write_text(text)
    unit = Unit(str(tmp_path), (str(tmp_path / "big.dig"),))
    assert len(text) > 10_000_000
    assert [d for d in analyse(unit, Settings()).diagnostics if d.code == "DL000"] == []
