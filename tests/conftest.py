"""Shared test helpers."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.engine import analyse
from dig_lsp.model.targets import plan
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

HANG_SECONDS = 120


class Hang(Exception):
    """A run that did not end: the watchdog of :func:`no_hang` fired."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail a run that does not end, without asserting how fast it is.

    Tests make no claim about speed (these machines are shared and noisy; timings live in ``bench/``),
    but an input that makes an algorithm run for hours must fail, not stall the suite: the watchdog
    interrupts the run after ``seconds``, orders of magnitude above what a bounded run takes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return

    def fire(_signal: int, _frame: object) -> None:
        raise Hang(f"did not end within {seconds:.0f} s: a hang or an unbounded algorithm")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lint_paths(paths: list[Path], settings: Settings | None = None) -> list[Diagnostic]:
    """Run the analysis core over paths the way the CLI does (no cache, one process)."""
    settings = settings or Settings()
    found: list[Diagnostic] = []
    for unit in plan([str(p) for p in paths]):
        found.extend(analyse(unit, settings).diagnostics)
    return sorted(set(found), key=Diagnostic.sort_key)


def lint_text(tmp_path: Path, text: str, name: str = "wf.dig", settings: Settings | None = None,
              files: dict[str, str] | None = None) -> list[Diagnostic]:
    """Write a one-workflow project (plus support files) and lint it."""
    for relative, content in (files or {}).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return lint_paths([tmp_path], settings)


def offsets(text: str, span: Span) -> tuple[int, int]:
    """Where ``span`` starts and ends in ``text`` (spans hold lines and columns)."""
    return SourceFile(span.path, text).offsets(span)


def apply_edits(text: str, edits: list[tuple[Span, str]]) -> str:
    """``text`` with non-overlapping edits (span, new text) applied."""
    source = SourceFile("", text)
    for start, end, new in sorted(((*source.offsets(span), new) for span, new in edits), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    """Just the codes, in order."""
    return [d.code for d in diagnostics]


def short(diagnostic: Diagnostic, base: Path) -> str:
    """``path:line:col: CODE`` with a path relative to ``base`` (1-based line/column)."""
    relative = os.path.relpath(diagnostic.path, base).replace(os.sep, "/")
    return f"{relative}:{diagnostic.span.start.line + 1}:{diagnostic.span.start.column + 1}: {diagnostic.code}"


SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "digdag"


def shared_path(relative: str) -> Path:
    """A path under ``../shared`` (beside the repository). Missing, the test is skipped on a developer's
    machine and fails under CI (``CI=true``), where ``../shared`` is always laid out: a test that
    silently skips there would pass without checking anything."""
    path = SHARED / relative
    if not path.exists():
        message = f"{path} is not present (tests expect ../shared beside the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared digdag corpus, ``../shared/corpus/digdag``."""
    return shared_path("corpus/digdag")


@pytest.fixture(scope="session")
def treasure_boxes() -> Path:
    """Treasure Data's public examples, ``../shared/corpus/treasure-boxes``."""
    return shared_path("corpus/treasure-boxes")


def editor_client_features() -> dict[str, Any]:
    """pytest-lsp's default client handlers plus what real editors answer: ``client/registerCapability``
    (VS Code and Neovim accept the server's file-watcher registration; each is recorded on the client
    as ``registrations``)."""

    def register_capability(ls: LanguageClient, params: types.RegistrationParams) -> None:
        recorded = getattr(ls, "registrations", None)
        if recorded is None:
            recorded = []
            ls.registrations = recorded  # type: ignore[attr-defined]
        recorded.extend(params.registrations)

    return {**DEFAULT_CLIENT_FEATURES, types.CLIENT_REGISTER_CAPABILITY: register_capability}


class EditorClient(LanguageClient):
    """A pytest-lsp client answering as an editor does (see :func:`editor_client_features`), which
    remembers the position encoding and capabilities the server chose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.encoding = "utf-16"
        self.server_capabilities = types.ServerCapabilities()


def editor_client() -> EditorClient:
    """The ``client_factory`` of the tests' ``ClientServerConfig``."""
    client = EditorClient(converter_factory=default_converter)
    register_lsp_features(client, editor_client_features())
    return client


async def initialize_as(client: EditorClient, editor: str) -> None:
    """``initialize`` with one editor's capabilities (pytest-lsp's sets), keeping what the server chose."""
    result = await client.initialize_session(types.InitializeParams(capabilities=client_capabilities(editor)))
    client.encoding = str(result.capabilities.position_encoding or "utf-16")
    client.server_capabilities = result.capabilities
