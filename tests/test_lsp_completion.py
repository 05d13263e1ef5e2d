"""``textDocument/completion`` end to end over stdio (VS Code-like and Neovim-like clients)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from dig_lsp.config import Settings
from dig_lsp.ide.completion import Item, ItemKind
from dig_lsp.lsp.convert import UTF8, UTF16, column_units
from dig_lsp.lsp.documents import OpenDocument, ProjectView
from dig_lsp.lsp.features import DocumentRequest
from dig_lsp.lsp.features.completion import TRIGGER_CHARACTERS, ClientSupport, to_lsp_item
from dig_lsp.model.project import load_project
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import OverlayReader
from tests.conftest import editor_client_features


class Client(LanguageClient):
    """The pytest-lsp client, keeping the server's answer to initialize."""

    initialized_with: types.InitializeResult | None = None


def _client() -> Client:
    client = Client(converter_factory=default_converter)
    register_lsp_features(client, editor_client_features())
    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"], client_factory=_client)


async def _session(client: Client, editor: str) -> AsyncIterator[None]:
    client.initialized_with = await client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(editor)))
    yield
    await client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def vscode(lsp_client: Client) -> AsyncIterator[None]:
    """A VS Code-like client: UTF-16 positions, snippets, insertTextMode support."""
    async for _ in _session(lsp_client, "visual-studio-code"):
        yield


@pytest_lsp.fixture(config=CONFIG)
async def nvim(lsp_client: Client) -> AsyncIterator[None]:
    """A Neovim 0.11 client: UTF-8 positions, snippets, no insertTextMode capability."""
    async for _ in _session(lsp_client, "neovim@v0.11.0"):
        yield


def _capabilities(client: Client) -> types.ServerCapabilities:
    assert client.initialized_with is not None
    return client.initialized_with.capabilities


WORKFLOW = """timezone: Asia/Tokyo
_export:
  td:
    database: analytics
+load:
  td>: queries/daily.sql
+report:
  echo>: "héllo 😀 ${ses
"""
LAST_LINE = '  echo>: "héllo 😀 ${ses'


def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text=text)))
    return uri


async def _complete(client: LanguageClient, uri: str, line: int, character: int) -> types.CompletionList:
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character)))
    assert isinstance(result, types.CompletionList)
    return result


def _by_label(result: types.CompletionList, label: str) -> types.CompletionItem:
    found = [item for item in result.items if item.label == label]
    assert found, f"{label!r} not in {[item.label for item in result.items]}"
    return found[0]


def _edit(item: types.CompletionItem) -> types.TextEdit:
    assert isinstance(item.text_edit, types.TextEdit)
    return item.text_edit


def _project(tmp_path: Path) -> Path:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "daily.sql").write_text("select 1\n", encoding="utf-8")
    (tmp_path / "queries" / "weekly.sql").write_text("select 2\n", encoding="utf-8")
    return tmp_path / "wf.dig"


def _check_template_item(result: types.CompletionList, encoding: str) -> None:
    item = _by_label(result, "session_time")
    edit = _edit(item)
    start = LAST_LINE.index("ses")
    assert edit.range.start == types.Position(7, column_units(LAST_LINE, start, encoding))
    assert edit.range.end == types.Position(7, column_units(LAST_LINE, len(LAST_LINE), encoding))
    assert edit.new_text == "session_time"
    assert item.kind == types.CompletionItemKind.Variable
    assert item.detail is not None
    assert item.detail.startswith("built-in")
    assert _by_label(result, "td").detail == "_export: _export of +wf"


@pytest.mark.asyncio
async def test_vscode_variables_after_non_ascii_text(vscode: Client, tmp_path: Path) -> None:
    client = vscode
    provider = _capabilities(vscode).completion_provider
    assert provider is not None
    assert list(provider.trigger_characters or ()) == TRIGGER_CHARACTERS
    assert _capabilities(vscode).position_encoding in (None, UTF16)
    uri = _open(client, _project(tmp_path), WORKFLOW)
    units = column_units(LAST_LINE, len(LAST_LINE), UTF16)
    assert units == len(LAST_LINE) + 1  # the emoji takes two UTF-16 units
    _check_template_item(await _complete(client, uri, 7, units), UTF16)


@pytest.mark.asyncio
async def test_nvim_variables_after_non_ascii_text(nvim: Client, tmp_path: Path) -> None:
    client = nvim
    assert _capabilities(nvim).position_encoding == UTF8
    uri = _open(client, _project(tmp_path), WORKFLOW)
    _check_template_item(await _complete(client, uri, 7, column_units(LAST_LINE, len(LAST_LINE), UTF8)), UTF8)


EMPTY_TASK = WORKFLOW.replace('  echo>: "héllo 😀 ${ses\n', "  # ünïcode\n  \n")


@pytest.mark.asyncio
async def test_vscode_operator_snippet_and_documentation(vscode: Client, tmp_path: Path) -> None:
    client = vscode
    uri = _open(client, _project(tmp_path), EMPTY_TASK)
    result = await _complete(client, uri, 8, 2)
    pg = _by_label(result, "pg>")
    assert pg.insert_text_format == types.InsertTextFormat.Snippet
    assert pg.insert_text_mode == types.InsertTextMode.AsIs
    assert _edit(pg).new_text.startswith("pg>: ${1:queries/dedup_master_table.sql}\n  host: $2")
    assert pg.kind == types.CompletionItemKind.Function
    assert isinstance(pg.documentation, types.MarkupContent)
    assert pg.documentation.kind == types.MarkupKind.Markdown
    td = _by_label(result, "td>")
    assert _edit(td).new_text == "td>: ${1:queries/daily.sql}"  # database comes from _export
    assert td.insert_text_mode is None  # one line: nothing to keep as is


@pytest.mark.asyncio
async def test_nvim_sql_files_and_enum_values(nvim: Client, tmp_path: Path) -> None:
    client = nvim
    text = EMPTY_TASK.replace("  # ünïcode\n  \n", "  td>: queries/\n  engine:\n")
    uri = _open(client, _project(tmp_path), text)
    files = await _complete(client, uri, 7, len("  td>: queries/"))
    assert sorted(item.label for item in files.items) == ["daily.sql", "weekly.sql"]
    daily = _by_label(files, "daily.sql")
    assert daily.kind == types.CompletionItemKind.File
    assert _edit(daily).range == types.Range(start=types.Position(7, 15), end=types.Position(7, 15))
    values = await _complete(client, uri, 8, len("  engine:"))
    assert [item.label for item in values.items] == ["presto", "hive"]
    assert _edit(_by_label(values, "hive")).new_text == " hive"


@pytest.mark.asyncio
async def test_broken_document_and_unknown_uri_do_not_fail(vscode: Client, tmp_path: Path) -> None:
    client = vscode
    text = EMPTY_TASK.replace("  # ünïcode\n  \n", "  \"unclosed\n  ec\n")
    uri = _open(client, _project(tmp_path), text)
    result = await _complete(client, uri, 8, 4)
    assert "echo>" in [item.label for item in result.items]
    untitled = await _complete(client, "untitled:Untitled-1", 0, 0)
    assert not untitled.items


def _large_workflow(tasks: int) -> str:
    lines = ["timezone: UTC", "_export:", "  td:", "    database: analytics", "schedule:", "  daily>: 07:00:00"]
    for index in range(tasks):
        lines += [f"+task{index}:", f"  td>: queries/q{index}.sql", "  engine: presto",
                  f"  create_table: t_{index}_${{session_date_compact}}", "  _retry: 2"]
    return "\n".join(lines) + "\n"


@pytest.mark.asyncio
async def test_completion_on_a_300_line_document_answers_every_time(vscode: Client, tmp_path: Path) -> None:
    """Repeated completions in a middle task of a 300-line workflow all answer (their latency is
    measured by ``bench/bench_lsp.py``, not asserted here: these machines are shared and noisy)."""
    client = vscode
    text = _large_workflow(59)
    assert 295 <= text.count("\n") <= 305
    uri = _open(client, _project(tmp_path), text)
    target = text.splitlines().index("+task30:") + 3  # the create_table line of a middle task
    column = len("  create_table: t_30_${session_da")
    for _ in range(25):
        template = await _complete(client, uri, target, column)
        key = await _complete(client, uri, target + 2, 2)
        assert "session_date" in {item.label for item in template.items}
        assert key.items


# ----------------------------------------------------------------------- conversion without a server


def _request(tmp_path: Path, text: str) -> DocumentRequest:
    path = str(tmp_path / "wf.dig")
    model = load_project(str(tmp_path), [path], OverlayReader({path: text.encode("utf-8")}))
    documents = {path: OpenDocument((tmp_path / "wf.dig").as_uri(), path, 1, text)}
    view = ProjectView(model, Settings(), Unit(str(tmp_path), (path,)))
    return DocumentRequest((tmp_path / "wf.dig").as_uri(), path, documents, view, UTF16)


def test_clients_without_snippets_get_plain_text(tmp_path: Path) -> None:
    text = "+a:\n  é\n"
    request = _request(tmp_path, text)
    item = Item("+task", ItemKind.TASK, "a subtask", "doc *md*", "+name:\n    ", 6, 7, "+${1:name}:\n    $0", "0")
    plain = to_lsp_item(item, request, ClientSupport(snippets=False, markdown=False, as_is=False))
    assert plain is not None
    assert plain.insert_text_format == types.InsertTextFormat.PlainText
    assert plain.insert_text_mode is None
    assert _edit(plain).new_text == "+name:\n    "
    assert _edit(plain).range == types.Range(start=types.Position(1, 2), end=types.Position(1, 3))
    assert isinstance(plain.documentation, types.MarkupContent)
    assert plain.documentation.kind == types.MarkupKind.PlainText
    rich = to_lsp_item(item, request, ClientSupport(snippets=True))
    assert rich is not None
    assert _edit(rich).new_text == "+${1:name}:\n    $0"
    assert rich.insert_text_mode == types.InsertTextMode.AsIs
