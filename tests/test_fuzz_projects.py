"""Generated projects and mutated corpus files never make the analysis fail.

Strategies build structurally valid and near-valid projects (task trees, catalog operators,
directives, ``${...}`` templates, ``!include`` files); a byte-level mutator damages real corpus
files. Property: no exception, no ``DL000``, ranges inside their documents, same result twice.
``bench/fuzz.py`` runs the same properties with a long budget.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dig_lsp.config import Settings
from dig_lsp.engine import analyse
from dig_lsp.model.catalog import catalog
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import OverlayReader
from dig_lsp.text.source import SourceFile
from tests.conftest import CORPUS

ROOT = os.path.join(tempfile.gettempdir(), "dig-lsp-fuzz-projects")
Project = dict[str, bytes]


@lru_cache(maxsize=1)
def operator_names() -> list[str]:
    return sorted(spec.name for spec in catalog())


NAMES = st.sampled_from(["a", "load", "b_2", "x-y", "日本", "", "+", "a b"])
VARIABLES = st.sampled_from(["session_date", "x", "td.last_results.n", "moment(session_time).format('YYYY')",
                             "a.b.c", "1 +", "}", "${", "'s'", "undefined_name", "JSON.stringify(x)"])
SCALARS = st.one_of(st.sampled_from(["hi", "1", "true", "null", "'q'", '"d"', "[]", "{}", "-1.5", "07:00:00",
                                     "q.sql", "sub", "../up", "/abs"]),
                    VARIABLES.map(lambda v: "${" + v + "}"), st.text(max_size=8).map(repr))
DIRECTIVES = st.sampled_from(["_parallel", "_retry", "_error", "_check", "_export", "_env", "_secrets",
                              "_after", "_background", "_disable", "_do", "_else_do", "_type", "_command",
                              "timezone", "schedule", "sla", "_unknown", "!include"])


def _task(depth: int) -> st.SearchStrategy[list[str]]:
    """Lines of one task body (without indentation), recursing into children."""
    operator = st.tuples(st.sampled_from(operator_names()), SCALARS).map(lambda p: [f"{p[0]}>: {p[1]}"])
    directive = st.tuples(DIRECTIVES, SCALARS).map(lambda p: [f"{p[0]}: {p[1]}"])
    parameter = st.tuples(st.sampled_from(["database", "query", "data", "_do", "limit", "store_last_results",
                                           "create_table", "engine", "x"]), SCALARS).map(lambda p: [f"{p[0]}: {p[1]}"])
    entries = [operator, directive, parameter]
    if depth > 0:
        child = st.tuples(NAMES, _task(depth - 1)).map(lambda p: [f"+{p[0]}:"] + ["  " + line for line in p[1]])
        entries.append(child)
    return st.lists(st.one_of(entries), max_size=5).map(lambda chunks: [line for chunk in chunks for line in chunk])


def _noise(lines: list[str]) -> st.SearchStrategy[list[str]]:
    """Near-valid: drop, duplicate or re-indent a line, or splice in a stray fragment."""
    if not lines:
        return st.just(lines)
    index = st.integers(0, len(lines) - 1)
    return st.one_of(
        st.just(lines),
        index.map(lambda i: lines[:i] + lines[i + 1:]),
        index.map(lambda i: [*lines[:i], lines[i], lines[i], *lines[i + 1:]]),
        index.map(lambda i: [*lines[:i], " " + lines[i], *lines[i + 1:]]),
        st.tuples(index, st.sampled_from(["\t", "- x", "{", "'", "&a x", "*a", "---", ":", "? k"])).map(
            lambda p: [*lines[:p[0]], p[1], *lines[p[0]:]]),
    )


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """A project: wf.dig, maybe an included file, a called workflow and a query."""
    lines = draw(_task(3).flatmap(_noise))
    files: Project = {}
    if draw(st.booleans()):
        included = draw(_task(1))
        files["inc.yml"] = "\n".join(included).encode("utf-8")
        lines.append(draw(st.sampled_from(["!include : inc.yml", "+i:\n  !include : inc.yml",
                                           "!include : missing.yml", "!include : wf.dig"])))
    if draw(st.booleans()):
        files["sub/called.dig"] = draw(st.sampled_from([b"+c:\n  echo>: ${x}\n", b"+c:\n  call>: ../wf\n", b"["]))
        lines.append("+call:\n  call>: sub/called")
    if draw(st.booleans()):
        files["q.sql"] = draw(st.sampled_from([b"SELECT ${x} FROM t", b"SELECT (", b"", b"SELECT '${",
                                               b"INSERT INTO t VALUES (${td.each.a})"]))
    files["wf.dig"] = "\n".join(lines).encode("utf-8")
    return files


def check_project(files: Project, root: str = ROOT) -> int:
    """The property; returns how many diagnostics were found (for bench/fuzz.py's statistics)."""
    overlays = {os.path.join(root, name): data for name, data in files.items()}
    reader = OverlayReader(overlays)
    workflows = tuple(sorted(p for p in overlays if p.endswith(".dig") and os.path.dirname(p) == root))
    unit = Unit(root, workflows)
    first = analyse(unit, Settings(), reader).diagnostics
    second = analyse(unit, Settings(), reader).diagnostics
    assert first == second
    sources = {path: SourceFile.from_bytes(path, data) for path, data in overlays.items()}
    for diagnostic in first:
        assert diagnostic.code != "DL000", diagnostic.message
        source = sources.get(diagnostic.path)
        if source is None:
            continue
        span = diagnostic.span
        start, end = source.offsets(span)
        assert start <= end, diagnostic
        assert (source.position(start), source.position(end)) == (span.start, span.end), diagnostic
        assert 0 <= span.start.line <= span.end.line <= max(source.line_count - 1, 0) + 1
    return len(first)


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (kind, position, bytes) edits: 0 flips a byte, 1 inserts, 2 deletes a run, 3 duplicates."""
    buffer = bytearray(data)
    for kind, where, payload in edits:
        at = where % (len(buffer) + 1)
        if kind == 0 and buffer:
            buffer[at % len(buffer)] ^= payload[0] if payload else 0xFF
        elif kind == 1:
            buffer[at:at] = payload
        elif kind == 2:
            del buffer[at:at + len(payload) + 1]
        else:
            buffer[at:at] = buffer[at:at + 64]
    return bytes(buffer)


@lru_cache(maxsize=1)
def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.dig")) if CORPUS.is_dir() else []


EDITS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 20),
                           st.sampled_from([b"\x00", b"\xff", b"\xc3", b"${", b"}", b"\n  ", b":", b"[", b"\t",
                                            b"!include : ", b"&a ", b"*a", b"\xe2\x80\xa8", b"\r", b"'"])),
                 min_size=1, max_size=6)


def corpus_case(index: int, edits: list[tuple[int, int, bytes]]) -> Project:
    """One corpus file, mutated, as the workflow of a one-file project."""
    files = corpus_files()
    return {"wf.dig": mutate(files[index % len(files)].read_bytes(), edits)}


FAST = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(projects())
def test_generated_projects(files: Project) -> None:
    check_project(files)


@FAST
@given(st.integers(0, 10_000), EDITS)
def test_mutated_corpus_files(index: int, edits: list[tuple[int, int, bytes]]) -> None:
    if not corpus_files():
        return
    check_project(corpus_case(index, edits))


def test_the_generator_reaches_operators_and_includes() -> None:
    """The strategies must produce what they claim to (else the fuzzing proves little)."""
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(projects())
    def collect(files: Project) -> None:
        text = files["wf.dig"].decode("utf-8", "replace")
        seen.update(word for word in ("!include", "${", ">:", "+") if word in text)

    collect()
    assert seen == {"!include", "${", ">:", "+"}
