"""The dig-lsp language server, driven over stdio by pytest-lsp; plus the pure LSP conversions."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from dig_lsp.diagnostics import Diagnostic, Related, Severity
from dig_lsp.lsp.convert import SOURCE, UTF8, UTF16, UTF32, column_units, to_lsp
from dig_lsp.lsp.main import main
from dig_lsp.text.span import Position, Span
from tests.conftest import ROOT, editor_client_features

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
TIMEOUT = 20.0


class RecordingClient(LanguageClient):
    """The pytest-lsp client, also keeping every publishDiagnostics (with its version)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []


def _record(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _recording_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    register_lsp_features(client, {**editor_client_features(), PUBLISH: _record})
    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server"],
                            client_factory=_recording_client)


async def _session(client: LanguageClient, editor: str) -> AsyncIterator[None]:
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities(editor)))
    yield
    await client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: RecordingClient) -> AsyncIterator[None]:
    """A VS Code-like client: UTF-16 positions, related information supported."""
    async for _ in _session(lsp_client, "visual-studio-code"):
        yield


@pytest_lsp.fixture(config=CONFIG)
async def nvim(lsp_client: RecordingClient) -> AsyncIterator[None]:
    """A Neovim 0.11 client: it offers UTF-8 first, and the server takes it."""
    async for _ in _session(lsp_client, "neovim@v0.11.0"):
        yield


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder whose config runs only the checks these tests are about (others come and go)."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL102", "DL202"]\n', encoding="utf-8")
    return tmp_path


def _uri(path: Path) -> str:
    return path.as_uri()


def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = _uri(path)
    language = "yaml" if path.suffix in (".yml", ".yaml") else path.suffix.lstrip(".")
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id=language, version=version,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def _edit(client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int],
          text: str) -> None:
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=text)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))


async def _wait(client: LanguageClient, uri: str,
                ready: Callable[[Sequence[types.Diagnostic]], bool]) -> Sequence[types.Diagnostic]:
    """Wait (on notifications, not on the clock) until ``uri``'s diagnostics satisfy ``ready``."""

    async def loop() -> Sequence[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and ready(current):
                return current
            await client.wait_for_notification(PUBLISH)

    return await asyncio.wait_for(loop(), TIMEOUT)


def _some(found: Sequence[types.Diagnostic]) -> bool:
    return bool(found)


def _none(found: Sequence[types.Diagnostic]) -> bool:
    return not found


def _summary(found: Sequence[types.Diagnostic]) -> list[tuple[str, tuple[int, int, int, int]]]:
    return sorted((str(d.code), (d.range.start.line, d.range.start.character, d.range.end.line,
                                 d.range.end.character)) for d in found)


BROKEN = """timezone: UTC
+a:
  echo>: one
  echo>: two
+g:
  foo: 1
  +c:
    echo>: x
"""


async def _open_broken(client: RecordingClient, project: Path) -> tuple[str, Sequence[types.Diagnostic]]:
    """``BROKEN`` saved as the project's ``wf.dig`` and opened; its URI and first diagnostics."""
    wf = project / "wf.dig"
    wf.write_text(BROKEN, encoding="utf-8")
    uri = _open(client, wf)
    return uri, await _wait(client, uri, _some)


@pytest.mark.asyncio
async def test_broken_workflow_reports_codes_ranges_and_related(client: RecordingClient, project: Path) -> None:
    uri, found = await _open_broken(client, project)
    assert _summary(found) == [("DL102", (3, 2, 3, 7)), ("DL202", (5, 2, 5, 5))]
    duplicate = next(d for d in found if d.code == "DL102")
    assert duplicate.source == SOURCE
    assert duplicate.severity == types.DiagnosticSeverity.Error
    # every diagnostic links its rule's page (a path in the repository unless `docs-url` is set)
    assert duplicate.code_description == types.CodeDescription(href="docs/rules/DL102.md")
    assert {d.code_description.href for d in found if d.code_description} == {"docs/rules/DL102.md",
                                                                               "docs/rules/DL202.md"}
    assert all((ROOT / d.code_description.href).is_file() for d in found if d.code_description)
    assert duplicate.related_information is not None
    (related,) = duplicate.related_information
    assert related.location.uri == uri
    assert related.location.range.start == types.Position(2, 2)
    assert [p.version for p in client.published if p.uri == uri] == [1]


UNICODE = '+a: {echo>: "\U0001F600\U00020BB7", echo>: b}\n'  # an emoji and 𠮷: both outside the BMP


@pytest.mark.asyncio
async def test_columns_are_utf16_code_units(client: RecordingClient, project: Path) -> None:
    uri = _open(client, project / "wf.dig", "timezone: UTC\n" + UNICODE)
    found = await _wait(client, uri, _some)
    # code points: the second `echo>` starts at column 18; each astral character adds one UTF-16 unit
    assert _summary(found) == [("DL102", (1, 20, 1, 25))]
    assert found[0].related_information is not None
    assert found[0].related_information[0].location.range.start == types.Position(1, 5)


@pytest.mark.asyncio
async def test_columns_follow_a_negotiated_utf8_encoding(nvim: RecordingClient, project: Path) -> None:
    uri = _open(nvim, project / "wf.dig", "timezone: UTC\n" + UNICODE)
    found = await _wait(nvim, uri, _some)
    assert _summary(found) == [("DL102", (1, 24, 1, 29))]  # each astral character is four UTF-8 bytes


@pytest.mark.asyncio
async def test_edits_that_fix_the_errors_clear_diagnostics(client: RecordingClient, project: Path) -> None:
    uri, _ = await _open_broken(client, project)
    _edit(client, uri, 2, (5, 0), (6, 0), "")  # drop `foo: 1`
    _edit(client, uri, 3, (3, 0), (4, 0), "")  # drop the second `echo>`
    await _wait(client, uri, _none)
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions[-1] == 3
    assert versions == sorted(versions, key=lambda v: v or 0)  # coalesced: never older after newer


@pytest.mark.asyncio
async def test_close_clears_diagnostics(client: RecordingClient, project: Path) -> None:
    uri, _ = await _open_broken(client, project)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await _wait(client, uri, _none)


@pytest.mark.asyncio
async def test_unsaved_included_yml_buffer_is_analysed(client: RecordingClient, project: Path) -> None:
    (project / "wf.dig").write_text("timezone: UTC\n+a:\n  !include : inc.yml\n", encoding="utf-8")
    (project / "inc.yml").write_text("echo>: a\n", encoding="utf-8")
    wf_uri = _open(client, project / "wf.dig")
    await _wait(client, wf_uri, _none)
    yml_uri = _open(client, project / "inc.yml", "echo>: a\necho>: b\n")  # the disk copy stays clean
    found = await _wait(client, yml_uri, _some)
    assert _summary(found) == [("DL102", (1, 0, 1, 5))]
    assert not client.diagnostics[wf_uri]


@pytest.mark.asyncio
async def test_editing_an_included_file_republishes_the_including_workflow(
        client: RecordingClient, project: Path) -> None:
    # `+a` is a group while inc.yml gives it a subtask, so `foo` is an invalid group key in wf.dig
    (project / "wf.dig").write_text("timezone: UTC\n+a:\n  foo: 1\n  !include : inc.yml\n", encoding="utf-8")
    (project / "inc.yml").write_text("+x:\n  echo>: x\n", encoding="utf-8")
    wf_uri = _open(client, project / "wf.dig")
    assert _summary(await _wait(client, wf_uri, _some)) == [("DL202", (2, 2, 2, 5))]
    yml_uri = _open(client, project / "inc.yml")
    await _wait(client, yml_uri, _none)
    _edit(client, yml_uri, 2, (0, 0), (2, 0), "echo>: x\n")  # unsaved: `+a` now runs an operator
    await _wait(client, wf_uri, _none)


@pytest.mark.asyncio
async def test_save_rereads_files_that_are_not_open(client: RecordingClient, project: Path) -> None:
    wf = project / "wf.dig"
    wf.write_text("timezone: UTC\n+a:\n  foo: 1\n  !include : inc.yml\n", encoding="utf-8")
    (project / "inc.yml").write_text("+x:\n  echo>: x\n", encoding="utf-8")
    uri = _open(client, wf)
    assert _summary(await _wait(client, uri, _some)) == [("DL202", (2, 2, 2, 5))]
    (project / "inc.yml").write_text("echo>: x\n", encoding="utf-8")  # changed on disk by someone else
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await _wait(client, uri, _none)


@pytest.mark.asyncio
async def test_unsaved_new_workflow_joins_its_project(client: RecordingClient, project: Path) -> None:
    (project / "other.dig").write_text("timezone: UTC\n+a:\n  echo>: a\n", encoding="utf-8")
    uri = _open(client, project / "new.dig", "+a:\n  echo>: a\n  echo>: b\n")
    assert _summary(await _wait(client, uri, _some)) == [("DL102", (2, 2, 2, 7))]


@pytest.mark.asyncio
async def test_docs_url_setting_points_the_rule_links(client: RecordingClient, tmp_path: Path) -> None:
    """`docs-url` in the configuration file, then the editor's setting over it."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL102"]\ndocs-url = "https://example.com/dl/"\n',
                                             encoding="utf-8")
    uri = _open(client, tmp_path / "wf.dig", BROKEN)
    (found,) = await _wait(client, uri, _some)
    assert found.code_description == types.CodeDescription(href="https://example.com/dl/DL102.md")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"dig-lsp": {"docsUrl": "https://docs.example.org/{code}"}}))

    def relinked(found: Sequence[types.Diagnostic]) -> bool:
        return any(d.code_description == types.CodeDescription(href="https://docs.example.org/DL102") for d in found)

    await _wait(client, uri, relinked)


@pytest.mark.asyncio
async def test_broken_config_falls_back_to_defaults(client: RecordingClient, tmp_path: Path) -> None:
    (tmp_path / ".dig-lint.toml").write_text("select = [\n", encoding="utf-8")
    uri = _open(client, tmp_path / "wf.dig", BROKEN)
    diagnostics = await _wait(client, uri, _some)
    assert {"DL102", "DL202"} <= {d.code for d in diagnostics}
    # the broken file is shown where the user looks, with its own position, not only in the log
    (shown,) = [d for d in diagnostics if d.code is None]
    config = tmp_path / ".dig-lint.toml"
    assert shown.message.startswith(f"configuration not used, defaults apply: {config}:2:1: invalid TOML")
    assert (shown.range.start.line, shown.range.start.character) == (0, 0)
    assert shown.severity == types.DiagnosticSeverity.Error
    (related,) = shown.related_information or []
    assert related.location.uri == _uri(config)
    assert related.location.range.start.line == 1


@pytest.mark.asyncio
async def test_a_half_typed_task_hides_nothing_else(client: RecordingClient, project: Path) -> None:
    """Typing a new task (a key without its `:` yet) is a YAML error where the user types; the other
    tasks' diagnostics stay, and completion still offers the parameters of the task being written."""
    (project / ".dig-lint.toml").write_text('select = ["DL101", "DL102", "DL202"]\n', encoding="utf-8")
    uri, found = await _open_broken(client, project)
    assert _summary(found) == [("DL102", (3, 2, 3, 7)), ("DL202", (5, 2, 5, 5))]
    group = BROKEN.splitlines().index("+g:")
    _edit(client, uri, 2, (group, 0), (group, 0), "+d:\n  td>: q.sql\n  datab\n")
    found = await _wait(client, uri, lambda current: any(d.code == "DL101" for d in current))
    typed = group + 2
    assert _summary(found) == [("DL101", (typed, 2, typed, 7)), ("DL102", (3, 2, 3, 7)),
                               ("DL202", (group + 4, 2, group + 4, 5))]
    assert next(d for d in found if d.code == "DL101").message == (
        "'datab' needs a ':' after it to be a key (`datab: value`)")
    completion = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(typed, 7)))
    assert isinstance(completion, types.CompletionList)
    assert "database" in {item.label for item in completion.items}


@pytest.mark.asyncio
async def test_a_query_file_gets_its_own_diagnostics(client: RecordingClient, tmp_path: Path) -> None:
    """A `.sql` file a workflow renders is a document like the workflow: its SQL and `${...}` findings are
    published for it, where people write the SQL, and follow its unsaved text."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL502", "DL601"]\n', encoding="utf-8")
    (tmp_path / "wf.dig").write_text("_export:\n  table: t\n+q:\n  td>: q.sql\n  database: d\n", encoding="utf-8")
    query = tmp_path / "q.sql"
    query.write_text("SELECT a FROM ${table}\n", encoding="utf-8")
    uri = _open(client, query)
    assert not await _wait(client, uri, _none)
    _edit(client, uri, 2, (0, 7), (0, 7), ", ")
    found = await _wait(client, uri, _some)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [("DL601", 0, 7)]
    _edit(client, uri, 3, (0, 7), (0, 9), "")
    _edit(client, uri, 4, (0, 16), (0, 21), "tabel")
    found = await _wait(client, uri, lambda current: any(d.code == "DL502" for d in current))
    assert [(d.code, d.range.start.character) for d in found] == [("DL502", 16)]
    assert "did you mean 'table'?" in found[0].message


@pytest.mark.asyncio
async def test_a_broken_query_file_shows_at_the_task_while_it_is_closed(client: RecordingClient,
                                                                        tmp_path: Path) -> None:
    """Open a workflow whose SQL file is broken: its `td>:` line says so, pointing into the file (the
    editor lists open documents only); open the file: the problem is on it, and the pointer goes."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL601"]\n', encoding="utf-8")
    (tmp_path / "wf.dig").write_text("+q:\n  td>: q.sql\n  database: d\n", encoding="utf-8")
    query = tmp_path / "q.sql"
    query.write_text("SELECT , a FROM t\n", encoding="utf-8")
    workflow = _open(client, tmp_path / "wf.dig")
    (pointer,) = await _wait(client, workflow, _some)
    assert (pointer.code, pointer.range.start.line, pointer.range.start.character) == ("DL601", 1, 7)
    assert pointer.message.startswith("q.sql: SQL syntax error (Presto): a ',' right after 'SELECT'")
    (into,) = pointer.related_information or []
    assert into.location.uri == _uri(query)
    assert (into.location.range.start.line, into.location.range.start.character) == (0, 7)
    opened = _open(client, query)
    assert [d.code for d in await _wait(client, opened, _some)] == ["DL601"]
    assert not await _wait(client, workflow, _none)


@pytest.mark.asyncio
async def test_server_survives_a_failing_notification(client: RecordingClient, project: Path) -> None:
    _edit(client, _uri(project / "never-opened.dig"), 2, (0, 0), (0, 0), "x")
    uri = _open(client, project / "wf.dig", BROKEN)
    assert [d.code for d in await _wait(client, uri, _some)] == ["DL102", "DL202"]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("dig-lsp ")


def test_bad_tcp_address_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--tcp", "localhost"])
    assert exit_.value.code == 2
    assert "HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize(("line", "column", "encoding", "expected"), [
    ("abc", 2, UTF16, 2),
    ("é: x", 2, UTF16, 2),  # BMP characters are one UTF-16 unit
    ("é: x", 2, UTF8, 3),
    ("\U00020BB7: x", 1, UTF16, 2),  # 𠮷 is a surrogate pair
    ("\U0001F600\U0001F600x", 2, UTF16, 4),
    ("\U0001F600\U0001F600x", 2, UTF8, 8),
    ("\U0001F600\U0001F600x", 2, UTF32, 2),
    ("\U0001F600", 3, UTF16, 4),  # past the line's end: the overshoot is kept
    ("abc", -1, UTF16, 0),
])
def test_column_units(line: str, column: int, encoding: str, expected: int) -> None:
    assert column_units(line, column, encoding) == expected


def _span(path: str, line: int, start: int, end: int) -> Span:
    return Span(path, Position(line, start), Position(line, end))


def test_to_lsp_converts_every_position_on_its_own_line() -> None:
    lines = {("/p/wf.dig", 0): "\U0001F600 key: 1", ("/p/inc.yml", 4): "\U00020BB7\U00020BB7: x"}
    diagnostic = Diagnostic("DL102", "duplicate-key", Severity.WARNING, "dup",
                            _span("/p/wf.dig", 0, 2, 5), (Related(_span("/p/inc.yml", 4, 0, 2), "first"),))
    converted = to_lsp(diagnostic, lambda path, line: lines.get((path, line)), lambda path: "file://" + path)
    assert converted.range == types.Range(start=types.Position(0, 3), end=types.Position(0, 6))
    assert converted.severity == types.DiagnosticSeverity.Warning
    assert (converted.code, converted.source) == ("DL102", SOURCE)
    assert converted.code_description == types.CodeDescription(href="docs/rules/DL102.md")
    linked = to_lsp(diagnostic, lambda path, line: None, str, docs_url="https://example.com/rules/{code}.html")
    assert linked.code_description == types.CodeDescription(href="https://example.com/rules/DL102.html")
    assert converted.related_information is not None
    (related,) = converted.related_information
    assert related.location.uri == "file:///p/inc.yml"
    assert related.location.range == types.Range(start=types.Position(4, 0), end=types.Position(4, 4))


def test_to_lsp_without_related_support_keeps_the_notes_in_the_message() -> None:
    diagnostic = Diagnostic("DL102", "duplicate-key", Severity.HINT, "dup", _span("/p/wf.dig", 1, 0, 1),
                            (Related(_span("/p/wf.dig", 0, 0, 1), "first"),))
    converted = to_lsp(diagnostic, lambda path, line: None, lambda path: path, related_support=False)
    assert converted.related_information is None
    assert converted.message == "dup\n/p/wf.dig:1:1: first"
    assert converted.severity == types.DiagnosticSeverity.Hint
    assert converted.range.start == types.Position(1, 0)  # no line text: code points are kept


def test_client_settings_override_the_config_file() -> None:
    """initializationOptions and didChangeConfiguration (VS Code's `dig-lsp` section) reach the analysis."""
    from dig_lsp.lsp.documents import DocumentAnalyser
    from dig_lsp.model.targets import Unit

    unit = Unit("/nonexistent-project", ())
    analyser = DocumentAnalyser()
    analyser.set_client_settings({"profile": "treasure-data", "select": ["DL1"], "plugin-operators": ["slack"]})
    settings = analyser.settings_for(unit)
    assert (settings.profile, settings.select, settings.plugin_operators) == ("treasure-data", ("DL1",), ("slack",))
    analyser.set_client_settings({"dig-lsp": {"ignore": ["DL107"], "pluginOperators": ["x"], "profile": "nope"}})
    settings = analyser.settings_for(unit)
    assert (settings.profile, settings.ignore, settings.plugin_operators) == ("digdag", ("DL107",), ("x",))
    analyser.set_client_settings(None)
    assert analyser.settings_for(unit).select == ()


@pytest.mark.asyncio
async def test_files_changed_on_disk_refresh_open_documents(client: RecordingClient, tmp_path: Path) -> None:
    """The server registers a file watcher with a client that can take one, and a change it reports
    (here a missing query file created by another tool) refreshes the open workflow's diagnostics."""
    (tmp_path / ".dig-lint.toml").write_text('select = ["DL407"]\n', encoding="utf-8")
    wf = tmp_path / "wf.dig"
    wf.write_text("timezone: UTC\n+q:\n  td>: queries/q.sql\n  database: d\n", encoding="utf-8")
    uri = _open(client, wf)
    found = await _wait(client, uri, _some)
    assert [str(d.code) for d in found] == ["DL407"]
    registrations = getattr(client, "registrations", [])
    assert [r.method for r in registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "q.sql").write_text("SELECT 1\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(tmp_path / "queries" / "q.sql").as_uri(), type=types.FileChangeType.Created)]))
    await _wait(client, uri, _none)


@pytest.mark.asyncio
async def test_requests_reuse_the_analysed_project_until_the_text_changes(client: RecordingClient,
                                                                          project: Path) -> None:
    """Hover right after the diagnostics answers from the same text the diagnostics describe, and
    after an edit from the new text (never from a stale project)."""
    wf = project / "wf.dig"
    wf.write_text("timezone: UTC\n+a:\n  echo>: hi\n", encoding="utf-8")
    uri = _open(client, wf)
    await _wait(client, uri, _none)
    where = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(2, 4))
    first = await client.text_document_hover_async(where)
    assert first is not None
    assert "echo" in str(first.contents)
    _edit(client, uri, 2, (2, 2), (2, 7), "sh>")  # echo> -> sh>, no wait for diagnostics
    second = await client.text_document_hover_async(where)
    assert second is not None
    assert "sh>" in str(second.contents)
    assert "echo>" not in str(second.contents)


def test_settings_follow_the_configuration_file_without_events(tmp_path: Path) -> None:
    """A configuration changed outside the editor (no save, no watcher) is read on the next analysis."""
    import os as _os

    from dig_lsp.lsp.documents import DocumentAnalyser
    from dig_lsp.model.targets import Unit

    config = tmp_path / ".dig-lint.toml"
    config.write_text('select = ["DL1"]\n', encoding="utf-8")
    analyser = DocumentAnalyser()
    unit = Unit(str(tmp_path), ())
    assert analyser.settings_for(unit).select == ("DL1",)
    assert analyser.settings_for(unit) is analyser.settings_for(unit)  # remembered while unchanged
    config.write_text('select = ["DL2"]\n', encoding="utf-8")
    stat = config.stat()
    _os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert analyser.settings_for(unit).select == ("DL2",)


def test_remembered_projects_are_bounded_by_their_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyser keeps recent units' projects for requests, but not more text than the bound."""
    from dig_lsp.lsp import documents as module

    monkeypatch.setattr(module, "_MAX_VIEW_CHARS", 100)
    analyser = module.DocumentAnalyser()
    opened: dict[str, module.OpenDocument] = {}
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "wf.dig"
        text = "+t:\n  echo>: " + "x" * 80 + "\n"
        path.write_text(text, encoding="utf-8")
        opened[str(path)] = module.OpenDocument(path.as_uri(), str(path), 1, text)
        analyser.analyse_document(str(path), opened)
    first, second = list(opened)
    assert analyser._remembered(analyser.unit_for(second, opened), opened) is not None
    assert analyser._remembered(analyser.unit_for(first, opened), opened) is None


@pytest.mark.asyncio
async def test_a_workspace_folder_change_refreshes_open_documents(client: RecordingClient, project: Path) -> None:
    uri, _ = await _open_broken(client, project)
    before = len([p for p in client.published if p.uri == uri])
    (project / ".dig-lint.toml").write_text('select = ["DL202"]\n', encoding="utf-8")  # no DL102 any more
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[types.WorkspaceFolder(uri=project.as_uri(), name="p")], removed=[])))
    found = await _wait(client, uri, lambda found: all(str(d.code) == "DL202" for d in found))
    assert found
    assert len([p for p in client.published if p.uri == uri]) > before


LOG = Path(tempfile.gettempdir()) / f"dig-lsp-test-incremental-{os.getpid()}.log"
LOGGING = ClientServerConfig(server_command=[sys.executable, "-m", "dig_lsp.lsp.server", "--log-file", str(LOG)],
                             client_factory=_recording_client)


@pytest_lsp.fixture(config=LOGGING)
async def logged(lsp_client: RecordingClient) -> AsyncIterator[None]:
    """A VS Code-like client of a server writing its debug log to ``LOG``."""
    async for _ in _session(lsp_client, "visual-studio-code"):
        yield


async def _published(client: RecordingClient, uri: str, version: int) -> list[types.Diagnostic]:
    async def loop() -> list[types.Diagnostic]:
        while True:
            for params in client.published:
                if params.uri == uri and params.version == version:
                    return list(params.diagnostics)
            await client.wait_for_notification(PUBLISH)

    return await asyncio.wait_for(loop(), TIMEOUT)


@pytest.mark.asyncio
async def test_an_edit_inside_a_task_is_checked_alone_and_one_other_tasks_see_is_not(
        logged: RecordingClient, tmp_path: Path) -> None:
    text = "+a:\n  td>: q.sql\n  database: d\n+b:\n  echo>: ${undefined_name}\n+c:\n  echo>: ${td.last_results.n}\n"
    (tmp_path / "q.sql").write_text("SELECT 1 AS n\n", encoding="utf-8")
    path = tmp_path / "wf.dig"
    path.write_text(text, encoding="utf-8")
    uri = _open(logged, path)
    assert sorted(str(d.code) for d in await _published(logged, uri, 1)) == ["DL502", "DL508"]
    _edit(logged, uri, 2, (4, 26), (4, 26), "\n\n")  # inside +b: +c's diagnostic moves two lines down
    found = await _published(logged, uri, 2)
    assert sorted((str(d.code), d.range.start.line) for d in found) == [("DL502", 8), ("DL508", 4)]
    assert "checking only +wf+b (1 tasks)" in LOG.read_text(encoding="utf-8")
    _edit(logged, uri, 3, (2, 13), (2, 13), "\n  store_last_results: true")  # +a now stores what +c reads
    assert [str(d.code) for d in await _published(logged, uri, 3)] == ["DL508"]
    assert "checking the whole project: what other tasks see of the edited task changed" in LOG.read_text(
        encoding="utf-8")


@pytest.mark.asyncio
async def test_an_edit_of_a_file_included_inside_a_task_checks_only_the_tasks_that_see_it(
        logged: RecordingClient, tmp_path: Path) -> None:
    (tmp_path / "tasks").mkdir()
    included = tmp_path / "tasks" / "t.yml"
    included.write_text("echo>: ${x}\n", encoding="utf-8")
    workflow = tmp_path / "wf.dig"
    workflow.write_text("+a:\n  +inc: !include tasks/t.yml\n+b:\n  echo>: ${undefined_name}\n", encoding="utf-8")
    workflow_uri = _open(logged, workflow)
    assert sorted(str(d.code) for d in await _published(logged, workflow_uri, 1)) == ["DL508"]
    uri = _open(logged, included)
    assert [str(d.code) for d in await _published(logged, uri, 1)] == ["DL508"]  # ${x} is defined nowhere
    _edit(logged, uri, 2, (0, 7), (0, 11), "${session_date}")
    assert await _published(logged, uri, 2) == []
    log = LOG.read_text(encoding="utf-8")
    assert "checking only +wf+a (2 tasks)" in log
