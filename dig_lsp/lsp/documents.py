"""Analysis for open documents: which unit a document belongs to, and its diagnostics.

The server hands over a *snapshot* of the open documents (plain data taken on the event
loop), so the analysis can run on a worker thread while the client keeps editing; results
carry the version they were computed for and the server drops them if a newer edit came in.

Unit membership is planned from the files on disk (``dig_lsp.model.targets.plan``), the
same way the CLI plans; the *contents* analysed are the open buffers, which win over the
disk through an :class:`~dig_lsp.text.files.OverlayReader`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path, uri_scheme
from pygls.workspace import Workspace

from dig_lsp.config import PROFILES, ConfigError, Settings, find_config, load_settings, with_overrides
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.engine import analyse
from dig_lsp.lsp.convert import UTF16, to_lsp
from dig_lsp.model import discovery, targets
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit, plan
from dig_lsp.syntax.parsed_files import ParsedFiles
from dig_lsp.text.files import OverlayReader, normalise

logger = logging.getLogger(__name__)

UnitKey = tuple[str, tuple[str, ...]]
"""A unit's identity: its root and its workflows (what is reported is decided here, per document)."""


@dataclass(frozen=True)
class OpenDocument:
    """One document the client has open, frozen at one version."""

    uri: str
    path: str
    version: int | None
    text: str


@dataclass(frozen=True)
class Publication:
    """The diagnostics to publish for one open document, and the version they describe."""

    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]


@dataclass(frozen=True)
class DocumentAnalysis:
    """Everything one analysis run publishes: the document asked for, then its unit mates."""

    key: UnitKey | None
    publications: list[Publication]


def document_path(uri: str) -> str | None:
    """The normalised file path of a ``file:`` URI; None for other schemes (untitled buffers)."""
    if uri_scheme(uri) != "file":
        return None
    path = to_fs_path(uri)
    return normalise(path) if path else None


def open_documents(workspace: Workspace) -> dict[str, OpenDocument]:
    """A snapshot of every open ``file:`` document, keyed by normalised path."""
    snapshot: dict[str, OpenDocument] = {}
    for document in list(workspace.text_documents.values()):
        path = document_path(document.uri)
        if path is not None:
            snapshot[path] = OpenDocument(document.uri, path, document.version, document.source)
    return snapshot


def forget_disk_state() -> None:
    """Drop what planning memoised about the disk: a long-running server sees files change."""
    targets._read_text.cache_clear()
    discovery._ignore_spec.cache_clear()


def unit_for(path: str, open_paths: Mapping[str, object]) -> Unit | None:
    """The unit that analyses ``path``, reporting everything (the caller filters by document).

    Top-level ``.dig`` buffers not yet saved are added to their project's workflows, as the
    CLI does for ``--stdin-filename``; a new one in a folder without saved workflows is a
    project of its own.
    """
    units = plan([path])
    directory = os.path.dirname(path)
    unit = units[0] if units else None
    if unit is None or unit.root != directory:
        if path.endswith(discovery.WORKFLOW_SUFFIX) and not os.path.isfile(path):
            unit = Unit(directory, tuple(discovery.workflow_files(directory)))
        if unit is None:
            return None
    unsaved = [p for p in open_paths if _unsaved_workflow(p, unit.root) and p not in unit.workflows]
    return Unit(unit.root, tuple(sorted({*unit.workflows, *unsaved})), None)


def _unsaved_workflow(path: str, root: str) -> bool:
    return (path.endswith(discovery.WORKFLOW_SUFFIX) and os.path.dirname(path) == root
            and not os.path.isfile(path) and not discovery.is_ignored(root, path))


def unit_key(unit: Unit) -> UnitKey:
    """What two documents share when one analysis serves both."""
    return (unit.root, unit.workflows)


# Settings the editor sends (initializationOptions, workspace/didChangeConfiguration); they override
# the project's configuration file, as command-line options do for the CLI.
_client_overrides: dict[str, tuple[str, ...] | str] = {}
_CLIENT_KEYS = {"profile": "profile", "select": "select", "ignore": "ignore",
                "plugin-operators": "plugin_operators", "pluginOperators": "plugin_operators"}


def set_client_settings(data: object) -> None:
    """Take the editor's settings: ``{profile, select, ignore, plugin-operators}``, possibly nested
    under a ``dig-lsp`` section (VS Code's didChangeConfiguration). Unknown or malformed values are
    ignored with a log line, never raised."""
    if isinstance(data, dict) and isinstance(data.get("dig-lsp"), dict):
        data = data["dig-lsp"]
    _client_overrides.clear()
    if not isinstance(data, dict):
        return
    for key, field_name in _CLIENT_KEYS.items():
        value = data.get(key)
        if field_name == "profile" and isinstance(value, str) and value in PROFILES:
            _client_overrides[field_name] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value) and value:
            _client_overrides[field_name] = tuple(value)
        elif value not in (None, [], ""):
            logger.warning("ignoring client setting %s=%r", key, value)


def settings_for(unit: Unit) -> Settings:
    """The unit's settings (nearest config above its root, then the editor's settings); a broken
    config means defaults."""
    try:
        settings = load_settings(find_config(unit.root))
    except ConfigError as error:
        logger.warning("ignoring configuration, using defaults: %s", error)
        settings = Settings()
    return with_overrides(settings, **_client_overrides) if _client_overrides else settings


def analyse_document(path: str, documents: Mapping[str, OpenDocument], encoding: str = UTF16,
                     related_support: bool = True) -> DocumentAnalysis:
    """Analyse the unit of ``path`` and the diagnostics of every open document in that unit.

    The document asked for always gets a publication (empty when it belongs to no
    project), so stale diagnostics never linger on it.
    """
    forget_disk_state()
    target = documents[path]
    unit = unit_for(path, documents)
    if unit is None:
        return DocumentAnalysis(None, [Publication(target.uri, target.version, [])])
    key = unit_key(unit)
    mates = [doc for doc in documents.values() if doc.path != path and _key_of(doc.path, documents) == key]
    reader = OverlayReader({doc.path: doc.text.encode("utf-8", errors="surrogatepass")
                            for doc in documents.values()})
    analysis = analyse(unit, settings_for(unit), reader)
    files = analysis.model.files if analysis.model is not None else ParsedFiles(reader)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in analysis.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)

    def line_text(file: str, line: int) -> str | None:
        source = files.source(file)
        return None if source is None else source.line_text(line)

    def uri_for(file: str) -> str:
        document = documents.get(file)
        return document.uri if document is not None else (from_fs_path(file) or file)

    publications = [
        Publication(doc.uri, doc.version,
                    [to_lsp(d, line_text, uri_for, encoding, related_support) for d in by_path.get(doc.path, [])])
        for doc in (target, *mates)
    ]
    return DocumentAnalysis(key, publications)


def _key_of(path: str, documents: Mapping[str, OpenDocument]) -> UnitKey | None:
    unit = unit_for(path, documents)
    return None if unit is None else unit_key(unit)


@dataclass(frozen=True)
class ProjectView:
    """The loaded project a document belongs to, for the editor features (hover, completion...)."""

    model: ProjectModel
    settings: Settings
    unit: Unit


def project_for(path: str, documents: Mapping[str, OpenDocument]) -> ProjectView | None:
    """Load the project of ``path`` with every open buffer overlaid (None outside any project).

    Loaded fresh per request so features always see the text the user is looking at; loading is
    the cheap part of an analysis (no checks run).
    """
    unit = unit_for(path, documents)
    if unit is None:
        return None
    reader = OverlayReader({doc.path: doc.text.encode("utf-8", errors="surrogatepass")
                            for doc in documents.values()})
    return ProjectView(load_project(unit.root, list(unit.workflows), reader), settings_for(unit), unit)
