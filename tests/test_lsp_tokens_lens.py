"""Semantic tokens, code lenses and the dry-run command: the pure core, then over stdio (pytest-lsp).

The end-to-end tests run with VS Code's capabilities (UTF-16 positions) and Neovim 0.11's (the
server picks UTF-8); the template sits after characters outside the Basic Multilingual Plane, so
a wrong column conversion shows in the decoded tokens.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from dig_lsp.ide.code_lens import DRY_RUN_COMMAND, code_lenses, next_run_title
from dig_lsp.ide.semantic_tokens import TokenKind, javascript_tokens, semantic_tokens
from dig_lsp.lsp.convert import code_point_column
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.text.files import DiskReader
from tests.conftest import EditorClient, editor_client, initialize_as

EDITORS = ["visual-studio-code", "neovim@v0.11.0"]

WORKFLOW = """\
timezone: Asia/Tokyo
schedule:
  daily>: 07:00:00
_export:
  greeting: こんにちは
+show:
  echo>: "😀𠮷 ${greeting.toUpperCase() + 'x' + 1}"
  _retry: 3
+folded:
  sh>: >
    echo ${moment(session_time)
      .format("YYYY")}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one scheduled workflow."""
    (tmp_path / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    return tmp_path


def _model(root: Path) -> ProjectModel:
    return load_project(str(root), [str(root / "wf.dig")], DiskReader())


def _named(text: str, tokens: list[tuple[int, int, int, str]]) -> list[tuple[str, str]]:
    """(token text, kind) pairs from (line, code-point column, code-point length, kind) tuples."""
    lines = text.split("\n")
    return [(lines[line][column:column + length], kind) for line, column, length, kind in tokens]


# ----------------------------------------------------------------------------------- pure core


def test_javascript_tokens_classify_names_members_calls_and_literals() -> None:
    found = [(text[t.start:t.end], t.kind) for text in ["a.b(x, 'it''s', 2.5e3) // c"]
             for t in javascript_tokens(text)]
    assert found == [("a", TokenKind.VARIABLE), ("b", TokenKind.METHOD), ("x", TokenKind.VARIABLE),
                     ("'it'", TokenKind.STRING), ("'s'", TokenKind.STRING), ("2.5e3", TokenKind.NUMBER),
                     ("// c", TokenKind.COMMENT)]


def test_javascript_tokens_never_raise_on_broken_text() -> None:
    for text in ["'unterminated", "/* open", "a..b", "\\u", "typeof", ""]:
        javascript_tokens(text)
    assert [t.kind for t in javascript_tokens("typeof x === null")] == [
        TokenKind.KEYWORD, TokenKind.VARIABLE, TokenKind.KEYWORD]


def test_semantic_tokens_of_a_workflow(project: Path) -> None:
    path = str(project / "wf.dig")
    tokens = [(t.line, t.column, t.length, t.kind.name) for t in semantic_tokens(_model(project), path)]
    assert _named(WORKFLOW, tokens) == [
        ("_export", "DIRECTIVE"), ("+show", "TASK"), ("echo>", "OPERATOR"), ("greeting", "VARIABLE"),
        ("toUpperCase", "METHOD"), ("'x'", "STRING"), ("1", "NUMBER"), ("_retry", "DIRECTIVE"),
        ("+folded", "TASK"), ("sh>", "OPERATOR"), ("moment", "CALL"), ("session_time", "VARIABLE"),
        ("format", "METHOD"), ('"YYYY"', "STRING"),
    ]


def test_a_multi_line_string_token_is_split_per_line(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text('+a:\n  echo>: >\n    ${"one\n    two"}\n', encoding="utf-8")
    tokens = semantic_tokens(_model(tmp_path), str(tmp_path / "wf.dig"))
    strings = [(t.line, t.column, t.length) for t in tokens if t.kind is TokenKind.STRING]
    assert strings == [(2, 6, 4), (3, 4, 4)]


def test_next_run_uses_the_workflow_time_zone(project: Path) -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo: the next 07:00 is on May 2
    title = next_run_title(_model(project), str(project / "wf.dig"), now)
    assert title is not None
    assert title.startswith("Next run: 2024-05-02 07:00:00+09:00")


def test_lenses_without_a_schedule_and_with_a_broken_one(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  echo>: hi\n", encoding="utf-8")
    (tmp_path / "bad.dig").write_text("schedule:\n  daily>: not-a-time\n+a:\n  echo>: hi\n", encoding="utf-8")
    model = load_project(str(tmp_path), [str(tmp_path / "wf.dig"), str(tmp_path / "bad.dig")], DiskReader())
    plain = code_lenses(model, str(tmp_path / "wf.dig"))
    assert [(lens.title, lens.command) for lens in plain] == [("Dry run", DRY_RUN_COMMAND)]
    broken = code_lenses(model, str(tmp_path / "bad.dig"))
    assert broken[0].title.startswith("Schedule not valid")
    assert broken[0].command is None
    assert code_lenses(model, str(tmp_path / "nothing.dig")) == []


# ----------------------------------------------------------------------------------- over stdio


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"], client_factory=editor_client)


@pytest_lsp.fixture(config=CONFIG, params=EDITORS)
async def client(lsp_client: EditorClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """A client with one editor's capabilities (VS Code, then Neovim)."""
    await initialize_as(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text=path.read_text(encoding="utf-8"))))
    return uri


def _decode(client: EditorClient, text: str, data: list[int]) -> list[tuple[int, int, int, str]]:
    """Relative LSP tokens back to absolute (line, code-point column, code-point length, type)."""
    legend = client.server_capabilities.semantic_tokens_provider
    assert isinstance(legend, types.SemanticTokensOptions | types.SemanticTokensRegistrationOptions)
    names = legend.legend.token_types
    lines = text.split("\n")
    decoded: list[tuple[int, int, int, str]] = []
    line = start = 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index:index + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        column = code_point_column(lines[line], start, client.encoding)
        end = code_point_column(lines[line], start + length, client.encoding)
        decoded.append((line, column, end - column, names[kind]))
    return decoded


@pytest.mark.asyncio
async def test_capabilities_are_advertised(client: EditorClient) -> None:
    capabilities = client.server_capabilities
    provider = capabilities.semantic_tokens_provider
    assert isinstance(provider, types.SemanticTokensOptions)
    assert provider.full
    assert {"function", "keyword", "decorator", "variable", "property", "string"} <= set(provider.legend.token_types)
    assert capabilities.code_lens_provider is not None
    assert capabilities.execute_command_provider is not None
    assert DRY_RUN_COMMAND in capabilities.execute_command_provider.commands


@pytest.mark.asyncio
async def test_semantic_tokens_after_astral_characters(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert result is not None
    assert len(result.data) % 5 == 0
    named = _named(WORKFLOW, _decode(client, WORKFLOW, list(result.data)))
    assert named[:7] == [("_export", "decorator"), ("+show", "function"), ("echo>", "keyword"),
                         ("greeting", "variable"), ("toUpperCase", "method"), ("'x'", "string"), ("1", "number")]
    assert ("session_time", "variable") in named
    assert ('"YYYY"', "string") in named


@pytest.mark.asyncio
async def test_code_lens_and_dry_run_command(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert lenses is not None
    assert len(lenses) == 2
    schedule, dry = lenses
    assert all(lens.range.start == types.Position(0, 0) for lens in lenses)
    assert schedule.command is not None
    assert schedule.command.title.startswith("Next run: ")
    assert "+09:00" in schedule.command.title
    assert dry.command is not None
    assert dry.command.command == DRY_RUN_COMMAND
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=DRY_RUN_COMMAND, arguments=dry.command.arguments))
    assert isinstance(report, str)
    assert "Dry run of workflow wf" in report
    assert "+wf+show" in report
    assert "こんにちは" in report
    # visible whatever the client does with the answer: the timeline opened in the browser, and a message
    (shown,) = client.shown_documents
    assert shown.external
    timeline = Path(shown.uri.removeprefix("file://"))
    assert timeline.name == "wf.html"
    assert timeline.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert not timeline.is_relative_to(project)  # nothing is written into the project
    (message,) = [m.message for m in client.messages if m.message.startswith("Dry run of wf:")]
    assert message == "Dry run of wf: success after 2m (simulated), 3 tasks; timeline opened in the browser"


@pytest.mark.asyncio
async def test_dry_run_sees_the_unsaved_buffer(client: EditorClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="+only:\n  echo>: edited\n")]))
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=DRY_RUN_COMMAND, arguments=[{"uri": uri}]))
    assert isinstance(report, str)
    assert "+wf+only" in report
    assert "+wf+show" not in report


@pytest.mark.asyncio
async def test_requests_outside_a_project_answer_empty(client: EditorClient, project: Path) -> None:
    uri = "untitled:Untitled-1"
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="dig", version=1, text="+a:\n  echo>: hi\n")))
    document = types.TextDocumentIdentifier(uri=uri)
    assert await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(document)) is None
    assert not await client.text_document_code_lens_async(types.CodeLensParams(document))
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=DRY_RUN_COMMAND, arguments=[uri]))
    assert answer is None
