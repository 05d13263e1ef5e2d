"""Fixes in the editor, over stdio (pytest-lsp): the safe quick fix is preferred, an unsafe one is not,
``source.fixAll.dig-lint`` applies every safe fix of the document, and display-only fixes never become
edits. Every test runs with VS Code's and Neovim's capabilities."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from dig_lsp.diagnostics import Applicability, Diagnostic, Fix, Severity, TextEdit
from dig_lsp.ide.actions import FIX_ALL, fix_action, fix_all_action
from dig_lsp.text.source import SourceFile
from tests.conftest import EditorClient, editor_client, initialize_as

EDITORS = ["visual-studio-code", "neovim@v0.11.0"]
CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"], client_factory=editor_client)

# ASCII only: positions are the same in every encoding, so edits can be applied by line and character
WORKFLOW = """\
timezone: asia/tokyo
+a:
  td>: q.sql
  database: db
  engin: hive
+b:
  echo>: hi  # dig-lint: disable=DL202
"""
SAFE_FIXED = WORKFLOW.replace("asia/tokyo", "Asia/Tokyo").replace("  # dig-lint: disable=DL202", "")


@pytest_lsp.fixture(config=CONFIG, params=EDITORS)
async def client(lsp_client: EditorClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    await initialize_as(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def _open(client: EditorClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text=path.read_text(encoding="utf-8"))))
    return uri


async def _actions(client: EditorClient, uri: str, start: tuple[int, int], end: tuple[int, int],
                   only: Sequence[str | types.CodeActionKind] | None = None) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(*start), end=types.Position(*end)),
        context=types.CodeActionContext(diagnostics=[], only=list(only) if only is not None else None)))
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


def _apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [sum(len(line) for line in lines[:index]) for index in range(len(lines) + 1)]

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


@pytest.mark.asyncio
async def test_fix_all_is_advertised(client: EditorClient) -> None:
    options = client.server_capabilities.code_action_provider
    assert isinstance(options, types.CodeActionOptions)
    assert [str(getattr(k, "value", k)) for k in options.code_action_kinds or []] == ["quickfix", FIX_ALL]


@pytest.mark.asyncio
@pytest.mark.parametrize("only", [[FIX_ALL], [types.CodeActionKind.SourceFixAll], [types.CodeActionKind.Source]])
async def test_fix_all_applies_every_safe_fix_of_the_document(client: EditorClient, project: Path,
                                                              only: list[str | types.CodeActionKind]) -> None:
    uri = _open(client, project / "wf.dig")
    (action,) = await _actions(client, uri, (0, 0), (0, 0), only)
    assert action.kind == FIX_ALL
    assert action.title == "Fix all safe dig-lint problems"
    assert action.edit is not None
    assert action.edit.changes is not None
    assert list(action.edit.changes) == [uri]
    assert _apply(WORKFLOW, action.edit.changes[uri]) == SAFE_FIXED  # the unsafe rename of 'engin' is left
    assert sorted(str(d.code) for d in action.diagnostics or []) == ["DL305", "DL901"]


@pytest.mark.asyncio
async def test_the_safe_quick_fix_is_preferred_and_an_unsafe_one_is_not(client: EditorClient,
                                                                        project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    safe = [a for a in await _actions(client, uri, (0, 12), (0, 12), [types.CodeActionKind.QuickFix])
            if a.title.startswith("Replace")]
    unsafe = [a for a in await _actions(client, uri, (4, 3), (4, 3), ["quickfix"]) if a.title.startswith("Rename")]
    assert [(a.title, a.is_preferred) for a in safe] == [("Replace 'asia/tokyo' with 'Asia/Tokyo'", True)]
    assert [(a.title, a.is_preferred) for a in unsafe] == [("Rename 'engin' to 'engine'", None)]
    assert all(a.kind == types.CodeActionKind.QuickFix for a in safe + unsafe)


@pytest.mark.asyncio
async def test_quick_fixes_only_when_asked_for_quick_fixes(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    kinds = {a.kind for a in await _actions(client, uri, (0, 12), (0, 12), [types.CodeActionKind.QuickFix])}
    assert kinds == {types.CodeActionKind.QuickFix}
    everything = {a.kind for a in await _actions(client, uri, (0, 12), (0, 12))}
    assert everything == {types.CodeActionKind.QuickFix, FIX_ALL}
    assert not await _actions(client, uri, (0, 12), (0, 12), [types.CodeActionKind.Refactor])


@pytest.mark.asyncio
async def test_no_fix_all_without_a_safe_fix(client: EditorClient, tmp_path: Path) -> None:
    (tmp_path / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text("+a:\n  td>: q.sql\n  database: db\n  engin: hive\n", encoding="utf-8")
    uri = _open(client, tmp_path / "wf.dig")
    assert await _actions(client, uri, (0, 0), (0, 0), [types.CodeActionKind.SourceFixAll]) == []


def _display_only() -> Diagnostic:
    source = SourceFile("/p/wf.dig", "timezone: asia/tokyo\n")
    span = source.span(10, 20)
    fix = Fix("Shown only", (TextEdit(span, "Asia/Tokyo"),), Applicability.DISPLAY_ONLY)
    return Diagnostic("DL305", "invalid-timezone", Severity.ERROR, "bad", span, (), fix)


def test_display_only_fixes_never_become_edits() -> None:
    diagnostic = _display_only()
    assert fix_action(diagnostic) is None
    assert fix_all_action([diagnostic], diagnostic.path) is None
