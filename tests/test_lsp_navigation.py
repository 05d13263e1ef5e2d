"""Hover, definition, references, document symbols and code actions over stdio (pytest-lsp).

Every test runs twice: with VS Code's capabilities (UTF-16 positions) and Neovim 0.11's (the
server picks UTF-8). The lines the cursor sits on hold characters outside the Basic
Multilingual Plane before the cursor, so a wrong position conversion shows.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from dig_lsp.lsp.convert import code_point_column, column_units
from dig_lsp.lsp.features import definition as definition_feature
from dig_lsp.lsp.features import hover as hover_feature
from tests.conftest import EditorClient, editor_client, initialize_as

EDITORS = ["visual-studio-code", "neovim@v0.11.0"]


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"], client_factory=editor_client)


@pytest_lsp.fixture(config=CONFIG, params=EDITORS)
async def client(lsp_client: EditorClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """A client with one editor's capabilities (VS Code, then Neovim)."""
    await initialize_as(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


WORKFLOW = """\
timezone: UTC
_export:
  greeting: こんにちは
+load:
  td>: queries/q.sql
  database: db
+py:
  py>: tasks.mod.run
+show:
  echo>: "😀𠮷 ${greeting}"
+par:
  _parallel: true
  +a:
    echo>: a
  +b:
    _after: [+a]
    echo>: "😀 b"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a workflow, a query and a Python module."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL401"]\n', encoding="utf-8")
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "mod.py").write_text("X = 1\n\ndef run():\n    pass\n", encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def _position(client: EditorClient, text: str, needle: str, delta: int = 0, nth: int = 0) -> types.Position:
    """The LSP position of ``needle`` (+ ``delta`` code points) in ``text``, in the client's encoding."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += delta
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    line_text = text[line_start:].split("\n", 1)[0]
    return types.Position(line, column_units(line_text, index - line_start, client.encoding))


def _document(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


@pytest.mark.asyncio
async def test_capabilities_are_advertised(client: EditorClient) -> None:
    capabilities = client.server_capabilities
    assert capabilities.hover_provider
    assert capabilities.definition_provider
    assert capabilities.references_provider
    assert capabilities.document_symbol_provider
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    assert list(capabilities.code_action_provider.code_action_kinds or []) == [types.CodeActionKind.QuickFix,
                                                                               "source.fixAll.dig-lint"]


@pytest.mark.asyncio
async def test_hover_on_a_variable_after_astral_characters(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    position = _position(client, WORKFLOW, "${greeting}", 4)
    found = await client.text_document_hover_async(types.HoverParams(text_document=_document(uri),
                                                                     position=position))
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    assert found.contents.kind == types.MarkupKind.Markdown
    assert "*_export* `greeting`" in found.contents.value
    assert "Value: `こんにちは`" in found.contents.value
    assert found.range == types.Range(start=_position(client, WORKFLOW, "${greeting}", 2),
                                      end=_position(client, WORKFLOW, "${greeting}", 10))


@pytest.mark.asyncio
async def test_hover_on_an_operator_and_nowhere(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    found = await client.text_document_hover_async(types.HoverParams(
        text_document=_document(uri), position=_position(client, WORKFLOW, "td>", 1)))
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    assert found.contents.value.startswith("### `td>` operator")
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=_document(uri), position=types.Position(line=40, character=0)))
    assert nothing is None


@pytest.mark.asyncio
async def test_definition_of_a_variable_and_a_python_function(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_document(uri), position=_position(client, WORKFLOW, "${greeting}", 5)))
    assert isinstance(found, list)
    assert [(f.uri, f.range.start) for f in found if isinstance(f, types.Location)] == [
        (uri, types.Position(2, 2))]
    module = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_document(uri), position=_position(client, WORKFLOW, "tasks.mod", 2)))
    assert isinstance(module, list)
    assert [(f.uri, f.range) for f in module if isinstance(f, types.Location)] == [
        ((project / "tasks" / "mod.py").as_uri(),
         types.Range(start=types.Position(2, 4), end=types.Position(2, 7)))]


@pytest.mark.asyncio
async def test_definition_follows_the_unsaved_buffer(client: EditorClient, project: Path) -> None:
    text = WORKFLOW.replace("+a:\n", "+renamed:\n").replace("[+a]", "[+renamed]")
    uri = _open(client, project / "wf.dig", text)
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=_document(uri), position=_position(client, text, "[+renamed]", 3)))
    assert isinstance(found, list)
    assert [f.range.start for f in found if isinstance(f, types.Location)] == [types.Position(12, 2)]


@pytest.mark.asyncio
async def test_references_of_a_task_and_an_export(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    tasks = await client.text_document_references_async(types.ReferenceParams(
        text_document=_document(uri), position=_position(client, WORKFLOW, "+a:", 1),
        context=types.ReferenceContext(include_declaration=True)))
    assert tasks is not None
    assert sorted((r.range.start.line, r.range.start.character) for r in tasks) == [(12, 2), (15, 13)]
    exports = await client.text_document_references_async(types.ReferenceParams(
        text_document=_document(uri), position=_position(client, WORKFLOW, "greeting:", 1),
        context=types.ReferenceContext(include_declaration=False)))
    assert exports is not None
    assert [r.range for r in exports] == [types.Range(start=_position(client, WORKFLOW, "${greeting}", 2),
                                                      end=_position(client, WORKFLOW, "${greeting}", 10))]


@pytest.mark.asyncio
async def test_document_symbols(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=_document(uri)))
    assert found is not None
    symbols = [s for s in found if isinstance(s, types.DocumentSymbol)]
    assert [(s.name, s.detail, s.kind) for s in symbols] == [
        ("+load", "td>", types.SymbolKind.Function), ("+py", "py>", types.SymbolKind.Function),
        ("+show", "echo>", types.SymbolKind.Function), ("+par", "group", types.SymbolKind.Namespace)]
    par = symbols[-1]
    assert [child.name for child in par.children or []] == ["+a", "+b"]
    assert par.range.end == _position(client, WORKFLOW, '"😀 b"', 5)  # after the astral character


@pytest.mark.asyncio
async def test_code_actions_fix_and_disable(client: EditorClient, project: Path) -> None:
    text = WORKFLOW.replace('echo>: "😀 b"', 'ecko>: "😀 b"')  # unsaved typo
    uri = _open(client, project / "wf.dig", text)
    start = _position(client, text, "ecko")
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=_document(uri), range=types.Range(start=start, end=start),
        context=types.CodeActionContext(diagnostics=[])))
    assert found is not None
    actions = [a for a in found if isinstance(a, types.CodeAction)]
    assert [(a.title, a.kind) for a in actions] == [
        ("Rename 'ecko>' to 'echo>'", types.CodeActionKind.QuickFix),
        ("Disable DL401 for this line", types.CodeActionKind.QuickFix)]
    rename, disable = actions
    assert rename.diagnostics is not None
    assert rename.diagnostics[0].code == "DL401"
    assert rename.edit is not None
    assert rename.edit.changes is not None
    assert list(rename.edit.changes[uri]) == [types.TextEdit(
        range=types.Range(start=start, end=_position(client, text, "ecko", 5)), new_text="echo>")]
    assert disable.edit is not None
    assert disable.edit.changes is not None
    line_end = _position(client, text, '"😀 b"', 5)
    assert list(disable.edit.changes[uri]) == [types.TextEdit(range=types.Range(start=line_end, end=line_end),
                                                        new_text="  # dig-lint: disable=DL401")]


@pytest.mark.asyncio
async def test_code_actions_respect_only(client: EditorClient, project: Path) -> None:
    text = WORKFLOW.replace('echo>: "😀 b"', 'ecko>: "😀 b"')
    uri = _open(client, project / "wf.dig", text)
    start = _position(client, text, "ecko")
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=_document(uri), range=types.Range(start=start, end=start),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor])))
    assert not found


@pytest.mark.asyncio
async def test_requests_outside_a_project_answer_empty(client: EditorClient, project: Path) -> None:
    uri = "untitled:Untitled-1"
    position = types.Position(line=0, character=0)
    assert await client.text_document_hover_async(types.HoverParams(text_document=_document(uri),
                                                                    position=position)) is None
    assert not await client.text_document_definition_async(types.DefinitionParams(
        text_document=_document(uri), position=position))
    assert not await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=_document(uri)))


@pytest.mark.parametrize("line", ["abc", "é: x", "\U00020BB7: x", "\U0001F600\U0001F600x", ""])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_code_point_column_inverts_column_units(line: str, encoding: str) -> None:
    for column in range(len(line) + 1):
        assert code_point_column(line, column_units(line, column, encoding), encoding) == column
    assert code_point_column(line, 99, encoding) == len(line)


def test_code_point_column_inside_a_surrogate_pair_moves_past_the_character() -> None:
    assert code_point_column("\U0001F600x", 1, "utf-16") == 1


def test_a_failing_handler_answers_empty() -> None:
    params = types.HoverParams(text_document=_document("file:///x.dig"), position=types.Position(line=0, character=0))
    broken: Any = object()  # no workspace: every handler fails inside, and must not raise
    assert hover_feature.on_hover(broken, params) is None
    assert definition_feature.on_definition(broken, types.DefinitionParams(
        text_document=params.text_document, position=params.position)) == []
