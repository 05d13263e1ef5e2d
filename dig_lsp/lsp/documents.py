"""Analysis for open documents: which unit a document belongs to, its diagnostics, its project.

The server hands over a *snapshot* of the open documents (plain data taken on the event
loop), so the analysis can run on a worker thread while the client keeps editing; results
carry the version they were computed for and the server drops them if a newer edit came in.

Unit membership is planned from the files on disk (``dig_lsp.model.targets.plan``), the
same way the CLI plans; the *contents* analysed are the open buffers, which win over the
disk through an :class:`~dig_lsp.text.files.OverlayReader`.

A :class:`DocumentAnalyser` lives as long as the server and keeps what does not change from one
keystroke to the next, because re-deriving it per keystroke was most of the latency:

* planning results per path and settings per project root (they depend on the disk, so they are
  dropped by :meth:`DocumentAnalyser.forget_disk_state` when the client reports a save, a file
  change or an open/close);
* parsed files keyed by their exact content (:class:`~dig_lsp.syntax.parsed_files.ParseCache`):
  editing one file of a project re-parses only that file;
* the last loaded project of each unit with its diagnostics, keyed by the versions of the open
  documents and the on-disk state of every file it read, so hover, completion and code actions
  answer from the analysis that just ran instead of loading the project again; after an edit, the
  next analysis starts from it and checks only the edited task when it can
  (:mod:`dig_lsp.incremental`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pygls.uris import from_fs_path, to_fs_path, uri_scheme  # plain Python: no lsprotocol

from dig_lsp.config import PROFILES, ConfigError, Settings, find_config, load_settings, with_overrides
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.engine import Analysis, analyse
from dig_lsp.ide.file_problems import file_pointers
from dig_lsp.incremental import prepare, reanalyse
from dig_lsp.lsp import plain
from dig_lsp.lsp.columns import SOURCE, UTF16
from dig_lsp.model import discovery
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit, plan
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.text.files import OverlayReader, forget_resolved_paths, normalise

if TYPE_CHECKING:
    from pygls.workspace import Workspace

logger = logging.getLogger(__name__)

UnitKey = tuple[str, tuple[str, ...]]
"""A unit's identity: its root and its workflows (what is reported is decided here, per document)."""

_MAX_VIEWS = 32  # loaded projects kept for the editor features (one per recently used unit)
MAX_WORKSPACE_PROJECTS = 200  # projects workspace/symbol loads (open documents' first, then the folders')
# ... and at most this much source text behind them: a loaded project takes some 50 times its text in
# memory, so a few huge units must not keep hundreds of megabytes alive (the newest is always kept)
_MAX_VIEW_CHARS = 8 * 1024 * 1024


@dataclass(frozen=True)
class OpenDocument:
    """One document the client has open, frozen at one version."""

    uri: str
    path: str
    version: int | None
    text: str


@dataclass(frozen=True)
class Publication:
    """The diagnostics to publish for one open document, and the version they describe: lsprotocol's
    ``Diagnostic`` objects, or their JSON when the analysis was asked for plain data (the start-up front)."""

    uri: str
    version: int | None
    diagnostics: list[Any]


def config_diagnostic(problem: ConfigError, uri_for: Callable[[str], str], related_support: bool,
                      as_json: bool = False) -> Any:
    """A configuration file that cannot be used, shown on every document it would configure (an lsprotocol
    ``Diagnostic``, or its JSON with ``as_json``).

    The CLI stops with exit code 2 on it; the server keeps working with the defaults, and says so
    where the user looks (at the top of the document, with the file's own position as related
    information), since an editor shows no log: a silently ignored `.dig-lint.toml` looks like a
    working one whose rules do nothing.
    """
    where = problem.path or "the configuration file"
    if problem.path is not None and problem.line is not None:
        where = f"{problem.path}:{problem.line}:{problem.column or 1}"
    message = f"configuration not used, defaults apply: {where}: {problem.message}"
    related_uri = uri_for(problem.path) if related_support and problem.path is not None else None
    line, column = max(0, (problem.line or 1) - 1), max(0, (problem.column or 1) - 1)
    if as_json:
        return plain.config_diagnostic_json(message, related_uri, line, column, problem.message)
    from lsprotocol import types  # imported by the server already; the start-up front asks for JSON

    related = None
    if related_uri is not None:
        spot = types.Position(line=line, character=column)
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=related_uri, range=types.Range(start=spot, end=spot)),
            message=problem.message)]
    start = types.Position(line=0, character=0)
    return types.Diagnostic(range=types.Range(start=start, end=start), message=message,
                            severity=types.DiagnosticSeverity.Error, source=SOURCE, related_information=related)


@dataclass(frozen=True)
class DocumentAnalysis:
    """Everything one analysis run publishes: the document asked for, then its unit mates."""

    key: UnitKey | None
    publications: list[Publication]


@dataclass(frozen=True)
class ProjectView:
    """The loaded project a document belongs to, for the editor features (hover, completion...).

    ``diagnostics`` are the engine's findings for the whole unit when this view came from a full
    analysis (None when it was loaded for a request only).
    """

    model: ProjectModel
    settings: Settings
    unit: Unit
    diagnostics: tuple[Diagnostic, ...] | None = None
    analysis: Analysis | None = None  # what the next analysis of the unit can start from


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


def unit_key(unit: Unit) -> UnitKey:
    """What two documents share when one analysis serves both."""
    return (unit.root, unit.workflows)


def _under(path: str, root: str) -> bool:
    return path.startswith(root.rstrip(os.sep) + os.sep)


def _unsaved_workflow(path: str, root: str) -> bool:
    return (path.endswith(discovery.WORKFLOW_SUFFIX) and os.path.dirname(path) == root
            and not os.path.isfile(path) and not discovery.is_ignored(root, path))


def _disk_signature(path: str) -> tuple[int, int] | None:
    """What tells a changed file from an unchanged one without reading it."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


# Settings the editor sends (initializationOptions, workspace/didChangeConfiguration); they override
# the project's configuration file, as command-line options do for the CLI.
_CLIENT_KEYS = {"profile": "profile", "select": "select", "ignore": "ignore",
                "plugin-operators": "plugin_operators", "pluginOperators": "plugin_operators",
                "docs-url": "docs_url", "docsUrl": "docs_url"}

_TEXT_FIELDS: dict[str, Callable[[str], bool]] = {
    "profile": lambda value: value in PROFILES,
    "docs_url": lambda value: bool(value) and not any(char.isspace() for char in value),
}


def parse_client_settings(data: object) -> dict[str, tuple[str, ...] | str]:
    """The editor's settings ``{profile, select, ignore, plugin-operators, docs-url}``, possibly nested under a
    ``dig-lsp`` section (VS Code's didChangeConfiguration), as ``Settings`` overrides. Unknown or
    malformed values are ignored with a log line, never raised."""
    if isinstance(data, dict) and isinstance(data.get("dig-lsp"), dict):
        data = data["dig-lsp"]
    overrides: dict[str, tuple[str, ...] | str] = {}
    if not isinstance(data, dict):
        return overrides
    for key, field_name in _CLIENT_KEYS.items():
        value = data.get(key)
        if field_name in _TEXT_FIELDS:
            if isinstance(value, str) and _TEXT_FIELDS[field_name](value):
                overrides[field_name] = value
            elif value not in (None, ""):
                logger.warning("ignoring client setting %s=%r", key, value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value) and value:
            overrides[field_name] = tuple(value)
        elif value not in (None, [], ""):
            logger.warning("ignoring client setting %s=%r", key, value)
    return overrides


@dataclass
class _CachedView:
    versions: tuple[tuple[str, int | None], ...]
    disk: tuple[tuple[str, tuple[int, int] | None], ...]
    view: ProjectView
    chars: int  # the source text the loaded project was read from


class DocumentAnalyser:
    """Analysis of open documents, with what the server keeps between keystrokes (see the module)."""

    def __init__(self) -> None:
        self.parses = ParseCache()
        self._client_overrides: dict[str, tuple[str, ...] | str] = {}
        self._plans: dict[str, tuple[Unit | None, tuple[int, int] | None]] = {}
        # per project root: the config file found, its disk signature, the settings, and why the file
        # could not be used (then the settings are the defaults)
        self._settings: dict[str, tuple[str | None, tuple[int, int] | None, Settings, ConfigError | None]] = {}
        self._views: OrderedDict[UnitKey, _CachedView] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ state that follows the disk

    def forget_disk_state(self) -> None:
        """Drop what was learnt from the disk: a save, a file created or deleted, a changed config."""
        with self._lock:
            self._plans.clear()
            self._settings.clear()
            self._views.clear()
        discovery._ignore_spec.cache_clear()
        forget_resolved_paths()

    def release(self, key: UnitKey) -> None:
        """Forget a unit whose last open document was closed: its loaded project and its parses.

        Everything kept is bounded anyway, but to bounds that suit projects being edited; a project
        nobody looks at any more (a huge or hostile file opened by mistake) should give its memory
        back, so the server's footprint returns to what the open documents need.
        """
        with self._lock:
            self._views.pop(key, None)
        self.parses.forget_under(key[0])

    def set_client_settings(self, data: object) -> None:
        """Take the editor's settings (see :func:`parse_client_settings`); every unit's settings change."""
        self._client_overrides = parse_client_settings(data)
        with self._lock:
            self._settings.clear()
            self._views.clear()

    def settings_for(self, unit: Unit) -> Settings:
        """The unit's settings (nearest config above its root, then the editor's settings); a broken
        config means defaults, and :meth:`config_problem` says why. Remembered per root while the
        configuration file found and its modification time stay the same (so an edit made outside
        the editor is seen too)."""
        return self._configured(unit)[2]

    def config_problem(self, unit: Unit) -> ConfigError | None:
        """Why the unit's configuration file is not used (None when it is, or there is none)."""
        return self._configured(unit)[3]

    def _configured(self, unit: Unit) -> tuple[str | None, tuple[int, int] | None, Settings, ConfigError | None]:
        problem: ConfigError | None = None
        try:
            path = find_config(unit.root)
        except ConfigError as error:
            path, problem = None, error
        signature = None if path is None else _disk_signature(path)
        cached = self._settings.get(unit.root)
        unchanged = cached is not None and cached[0] == path and cached[1] == signature
        if cached is not None and unchanged and (problem is None) == (cached[3] is None):
            return cached
        settings = Settings()
        if problem is None:
            try:
                settings = load_settings(path)
            except ConfigError as error:
                problem = error
        if problem is not None:
            logger.warning("ignoring configuration, using defaults: %s", problem)
        if self._client_overrides:
            settings = with_overrides(settings, **self._client_overrides)
        entry = (path, signature, settings, problem)
        self._settings[unit.root] = entry
        return entry

    # ------------------------------------------------------------------ which unit

    def _planned(self, path: str) -> Unit | None:
        """The CLI's plan for ``path``, remembered until the disk changes (or the file's folder does)."""
        folder = _disk_signature(os.path.dirname(path))
        cached = self._plans.get(path)
        if cached is not None and cached[1] == folder:
            return cached[0]
        units = plan([path])
        directory = os.path.dirname(path)
        unit = units[0] if units else None
        unsaved_here = path.endswith(discovery.WORKFLOW_SUFFIX) and not os.path.isfile(path)
        if (unit is None or unit.root != directory) and unsaved_here:
            unit = Unit(directory, tuple(discovery.workflow_files(directory)))
        self._plans[path] = (unit, folder)
        return unit

    def unit_for(self, path: str, open_paths: Mapping[str, object]) -> Unit | None:
        """The unit that analyses ``path``, reporting everything (the caller filters by document).

        Top-level ``.dig`` buffers not yet saved are added to their project's workflows, as the
        CLI does for ``--stdin-filename``; a new one in a folder without saved workflows is a
        project of its own.
        """
        unit = self._planned(path)
        if unit is None:
            return None
        unsaved = [p for p in open_paths if _under(p, unit.root) and p not in unit.workflows
                   and _unsaved_workflow(p, unit.root)]
        if not unsaved and unit.report is None:
            return unit
        return Unit(unit.root, tuple(sorted({*unit.workflows, *unsaved})), None)

    # ------------------------------------------------------------------ analysis and loaded projects

    def _reader(self, unit: Unit, documents: Mapping[str, OpenDocument]) -> OverlayReader:
        return OverlayReader({doc.path: doc.text.encode("utf-8", errors="surrogatepass")
                              for doc in documents.values() if _under(doc.path, unit.root)})

    @staticmethod
    def _versions(unit: Unit, documents: Mapping[str, OpenDocument]) -> tuple[tuple[str, int | None], ...]:
        return tuple(sorted((doc.path, doc.version) for doc in documents.values() if _under(doc.path, unit.root)))

    def _remember(self, unit: Unit, documents: Mapping[str, OpenDocument], view: ProjectView) -> None:
        open_paths = {doc.path for doc in documents.values()}
        read = view.model.files.paths_read()
        disk = tuple((path, _disk_signature(path)) for path in read if path not in open_paths)
        chars = sum(len(source.text) for path in read if (source := view.model.files.source(path)) is not None)
        with self._lock:
            self._views[unit_key(unit)] = _CachedView(self._versions(unit, documents), disk, view, chars)
            self._views.move_to_end(unit_key(unit))
            while len(self._views) > 1 and (len(self._views) > _MAX_VIEWS or
                                            sum(cached.chars for cached in self._views.values()) > _MAX_VIEW_CHARS):
                self._views.popitem(last=False)

    def _remembered(self, unit: Unit, documents: Mapping[str, OpenDocument]) -> ProjectView | None:
        cached = self._views.get(unit_key(unit))
        if cached is None or cached.versions != self._versions(unit, documents):
            return None
        if any(_disk_signature(path) != signature for path, signature in cached.disk):
            return None
        return cached.view

    def analyse_document(self, path: str, documents: Mapping[str, OpenDocument], encoding: str = UTF16,
                         related_support: bool = True, as_json: bool = False) -> DocumentAnalysis:
        """Analyse the unit of ``path`` and the diagnostics of every open document in that unit.

        The document asked for always gets a publication (empty when it belongs to no
        project), so stale diagnostics never linger on it. With ``as_json`` the diagnostics are the JSON
        sent to the client (:mod:`dig_lsp.lsp.plain`) instead of lsprotocol's objects.
        """
        target = documents[path]
        unit = self.unit_for(path, documents)
        if unit is None:
            return DocumentAnalysis(None, [Publication(target.uri, target.version, [])])
        key = unit_key(unit)
        mates = [doc for doc in documents.values()
                 if doc.path != path and _under(doc.path, unit.root) and self._key_of(doc.path, documents) == key]
        view = self.analysed_view(unit, documents)
        assert view.diagnostics is not None
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in view.diagnostics:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
        files = view.model.files

        def line_text(file: str, line: int) -> str | None:
            source = files.source(file)
            return None if source is None else source.line_text(line)

        def uri_for(file: str) -> str:
            document = documents.get(file)
            return document.uri if document is not None else (from_fs_path(file) or file)

        problem = self.config_problem(unit)
        shown_first = [] if problem is None else [config_diagnostic(problem, uri_for, related_support, as_json)]
        # a closed file's problems also at the task that names it (the editor lists open documents only)
        published = (target, *mates)
        for pointer in file_pointers(view.model, view.diagnostics, set(documents),
                                     {doc.path for doc in published}):
            by_path.setdefault(pointer.span.path, []).append(pointer)
        if as_json:
            convert: Callable[..., Any] = plain.diagnostic_json
        else:
            from dig_lsp.lsp.convert import to_lsp  # lsprotocol: imported by the server already

            convert = to_lsp
        publications = [
            Publication(doc.uri, doc.version, [
                *shown_first,
                *(convert(d, line_text, uri_for, encoding, related_support, view.settings.docs_url)
                  for d in by_path.get(doc.path, [])),
            ])
            for doc in published
        ]
        return DocumentAnalysis(key, publications)

    def analysed_view(self, unit: Unit, documents: Mapping[str, OpenDocument]) -> ProjectView:
        """The unit's project and diagnostics for these document versions (analysed unless remembered)."""
        remembered = self._remembered(unit, documents)
        if remembered is not None and remembered.diagnostics is not None:
            return remembered
        settings = self.settings_for(unit)
        reader = self._reader(unit, documents)
        previous = self._previous_analysis(unit, settings)
        if previous is not None:
            analysis = reanalyse(previous, unit, settings, reader, self.parses).analysis  # it logs any fallback
        else:
            analysis = analyse(unit, settings, reader, self.parses)
            prepare(analysis)  # what the next keystroke's incremental analysis reads about the whole project
        assert analysis.model is not None
        view = ProjectView(analysis.model, settings, unit, tuple(analysis.diagnostics), analysis)
        self._remember(unit, documents, view)
        return view

    def _previous_analysis(self, unit: Unit, settings: Settings) -> Analysis | None:
        """The unit's last analysis under the same settings, whatever the texts were: the incremental
        analysis compares every file it read with the files now, and checks only what changed."""
        cached = self._views.get(unit_key(unit))
        if cached is None or cached.view.settings is not settings:
            return None
        return cached.view.analysis

    def _key_of(self, path: str, documents: Mapping[str, OpenDocument]) -> UnitKey | None:
        unit = self.unit_for(path, documents)
        return None if unit is None else unit_key(unit)

    def workspace_views(self, folders: list[str], documents: Mapping[str, OpenDocument],
                        max_projects: int = MAX_WORKSPACE_PROJECTS) -> list[ProjectView]:
        """The projects of the open documents and of the workspace folders (found as the CLI finds them),
        at most ``max_projects`` of them: what ``workspace/symbol`` searches."""
        views: dict[UnitKey, ProjectView] = {}
        paths = sorted(documents)
        for folder in folders:
            if len(views) + len(paths) >= max_projects * 4:
                break
            paths += [unit.workflows[0] for unit in plan([folder]) if unit.workflows]
        for path in paths:
            if len(views) >= max_projects:
                break
            unit = self.unit_for(path, documents)
            if unit is None or unit_key(unit) in views:
                continue
            view = self.project_for(path, documents)
            if view is not None:
                views[unit_key(unit)] = view
        return list(views.values())

    def project_for(self, path: str, documents: Mapping[str, OpenDocument]) -> ProjectView | None:
        """The project of ``path`` with every open buffer overlaid (None outside any project).

        The last analysis's project when it saw exactly these buffers and files; otherwise loaded
        now (no checks run), so features always see the text the user is looking at.
        """
        unit = self.unit_for(path, documents)
        if unit is None:
            return None
        remembered = self._remembered(unit, documents)
        if remembered is not None:
            return remembered
        model = load_project(unit.root, list(unit.workflows), self._reader(unit, documents), self.parses)
        settings = self.settings_for(unit)
        # loaded for a request between an edit and its analysis: keep the last analysis to start from
        view = ProjectView(model, settings, unit, None, self._previous_analysis(unit, settings))
        self._remember(unit, documents, view)
        return view
