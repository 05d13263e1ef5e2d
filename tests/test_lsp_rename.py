"""Rename (prepareRename + rename) and workspace symbols, end to end over stdio (pytest-lsp).

Every test runs with VS Code's capabilities (UTF-16 positions) and Neovim 0.11's (UTF-8); names sit
after characters outside the Basic Multilingual Plane, so a wrong position conversion shows.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from dig_lsp.lsp.convert import column_units
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
  target_table: 😀events
  td:
    database: analytics
  paths:
    out: /tmp/out
+load:
  td>: queries/load.sql
  insert_into: ${target_table}
+report:
  _export:
    target_table: shadowed
  echo>: "😀 ${target_table} ${paths.out}"
+show:
  echo>: "𠮷 ${target_table}_${paths.out} ${session_date}"
+par:
  _parallel: true
  +extract:
    echo>: x
  +transform:
    _after: [+extract]
    echo>: "${paths.out}"
  +publish:
    _after:
      - +extract
      - +transform
    echo>: p
"""
QUERY = "SELECT * FROM ${target_table} -- 😀 ${target_table}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with exports read in values and in a rendered SQL file, a shadowing export, and tasks
    named in `_after`."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL502"]\n', encoding="utf-8")
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "load.sql").write_text(QUERY, encoding="utf-8")
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def _open(client: LanguageClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text=path.read_text(encoding="utf-8"))))
    return uri


def _position(client: EditorClient, text: str, needle: str, delta: int = 0, nth: int = 0) -> types.Position:
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += delta
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    line_text = text[line_start:].split("\n", 1)[0]
    return types.Position(line, column_units(line_text, index - line_start, client.encoding))


def _range(client: EditorClient, text: str, needle: str, length: int, delta: int = 0, nth: int = 0) -> types.Range:
    start = _position(client, text, needle, delta, nth)
    return types.Range(start=start, end=_position(client, text, needle, delta + length, nth))


def _apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """The text after the edits (LSP positions in ``encoding``)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        from dig_lsp.lsp.convert import code_point_column

        line = lines[position.line]
        return sum(len(row) + 1 for row in lines[:position.line]) + code_point_column(line, position.character,
                                                                                        encoding)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = text.split("\n")
    return text


async def _rename(client: EditorClient, uri: str, position: types.Position, new_name: str) -> types.WorkspaceEdit:
    found = await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position, new_name=new_name))
    assert found is not None
    return found


@pytest.mark.asyncio
async def test_rename_is_advertised_with_prepare(client: EditorClient) -> None:
    capabilities = client.server_capabilities
    assert isinstance(capabilities.rename_provider, types.RenameOptions)
    assert capabilities.rename_provider.prepare_provider
    assert capabilities.workspace_symbol_provider


@pytest.mark.asyncio
async def test_rename_an_export_from_a_use_in_sql(client: EditorClient, project: Path) -> None:
    """From a `${...}` of a rendered SQL file: the key, the uses in .dig values and both uses in the file,
    but not the task under the shadowing `_export` (it reads another definition)."""
    wf_uri = _open(client, project / "wf.dig")
    sql_uri = (project / "queries" / "load.sql").as_uri()
    _open(client, project / "queries" / "load.sql")
    position = _position(client, QUERY, "${target_table}", 5, nth=1)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=sql_uri), position=position))
    assert prepared == types.PrepareRenamePlaceholder(range=_range(client, WORKFLOW, "target_table", 12),
                                                      placeholder="target_table")
    edit = await _rename(client, sql_uri, position, "dest_table")
    assert set(edit.changes or {}) == {wf_uri, sql_uri}
    changes = edit.changes or {}
    assert _apply(QUERY, changes[sql_uri], client.encoding) == QUERY.replace("target_table", "dest_table")
    renamed = _apply(WORKFLOW, changes[wf_uri], client.encoding)
    assert renamed == (WORKFLOW.replace("  target_table: 😀events", "  dest_table: 😀events")
                       .replace("insert_into: ${target_table}", "insert_into: ${dest_table}")
                       .replace('"𠮷 ${target_table}_', '"𠮷 ${dest_table}_'))
    assert '"😀 ${target_table} ${paths.out}"' in renamed  # the shadowed one is left alone


@pytest.mark.asyncio
async def test_rename_a_nested_export_key_and_its_dotted_uses(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    edit = await _rename(client, uri, _position(client, WORKFLOW, "out: /tmp", 1), "target")
    renamed = _apply(WORKFLOW, (edit.changes or {})[uri], client.encoding)
    assert renamed == WORKFLOW.replace("out: /tmp", "target: /tmp").replace("${paths.out}", "${paths.target}")


@pytest.mark.asyncio
async def test_rename_a_task_and_its_after_entries(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    position = _position(client, WORKFLOW, "+extract]", 3)  # from an `_after` entry
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    assert prepared == types.PrepareRenamePlaceholder(range=_range(client, WORKFLOW, "+extract:", 7, 1),
                                                      placeholder="extract")
    edit = await _rename(client, uri, position, "+pull")
    assert _apply(WORKFLOW, (edit.changes or {})[uri], client.encoding) == WORKFLOW.replace("+extract", "+pull")


@pytest.mark.parametrize(("needle", "delta", "new_name", "reason"), [
    ("database: analytics", 1, "db", "'td.database' is in `_export: td:`, which td> reads by that name"),
    ("target_table: 😀", 1, "1st", "'1st' is not a name ${...} can read"),
    ("target_table: 😀", 1, "paths", "this _export already has a key 'paths'"),
    ("target_table: 😀", 1, "session_date", "'session_date' is set by digdag for every task"),
    ("+transform:", 1, "publish", "+wf+par already has a task '+publish'"),
    ("+transform:", 1, "bad name", "'+bad name' is not a valid task name"),
])
@pytest.mark.asyncio
async def test_an_unsafe_rename_is_refused_with_the_reason(client: EditorClient, project: Path, needle: str,
                                                            delta: int, new_name: str, reason: str) -> None:
    uri = _open(client, project / "wf.dig")
    with pytest.raises(JsonRpcException) as refused:
        await _rename(client, uri, _position(client, WORKFLOW, needle, delta), new_name)
    assert refused.value.code == types.LSPErrorCodes.RequestFailed.value
    assert reason in str(refused.value)


@pytest.mark.asyncio
async def test_a_use_read_differently_by_two_callers_is_refused(client: EditorClient, tmp_path: Path) -> None:
    """sub.dig is called by two workflows; its ${region} reads each caller's own `_export`."""
    (tmp_path / "a.dig").write_text("_export:\n  region: east\n+call:\n  call>: sub\n", encoding="utf-8")
    (tmp_path / "b.dig").write_text("_export:\n  region: west\n+call:\n  call>: sub\n", encoding="utf-8")
    (tmp_path / "sub.dig").write_text("+show:\n  echo>: ${region}\n", encoding="utf-8")
    uri = _open(client, tmp_path / "a.dig")
    with pytest.raises(JsonRpcException) as refused:
        await _rename(client, uri, types.Position(1, 3), "area")
    assert "sub.dig:2:10 reads this definition when one caller runs sub" in str(refused.value)


@pytest.mark.asyncio
async def test_prepare_rename_elsewhere_is_null_or_refused(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    nothing = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(client, WORKFLOW, "echo>: x", 2)))
    assert nothing is None
    with pytest.raises(JsonRpcException) as refused:
        await client.text_document_prepare_rename_async(types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=_position(client, WORKFLOW, "session_d", 2)))
    assert "'session_date' is built-in" in str(refused.value)
    assert "only _export variables and tasks can be renamed" in str(refused.value)


@pytest.mark.asyncio
async def test_workspace_symbols_of_the_workspace_folder_with_query(client: EditorClient, tmp_path: Path) -> None:
    """Workflows and tasks of every project of the workspace folder, open or not, filtered by the query."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "daily.dig").write_text("+daily_load:\n  echo>: a\n+group:\n  +nested_load:\n"
                                                 "    echo>: b\n", encoding="utf-8")
    (tmp_path / "two" / "weekly.dig").write_text("+weekly_report:\n  echo>: c\n", encoding="utf-8")
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
                                                removed=[])))
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="load"))
    assert found is not None
    shown = sorted((s.name, s.kind, s.container_name, s.location.uri, s.location.range.start.line)
                   for s in found if isinstance(s, types.SymbolInformation))
    daily = (tmp_path / "one" / "daily.dig").as_uri()
    assert shown == [("+daily_load", types.SymbolKind.Function, "+daily", daily, 0),
                     ("+nested_load", types.SymbolKind.Function, "+daily+group", daily, 3)]
    everything = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    names = {s.name for s in everything or []}
    assert {"daily", "weekly", "+daily_load", "+group", "+nested_load", "+weekly_report"} <= names
    fuzzy = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="wkrep"))
    assert [s.name for s in fuzzy or []] == ["+weekly_report"]
