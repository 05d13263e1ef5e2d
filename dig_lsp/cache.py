"""A content-hash cache of analysis results, so an unchanged project re-lints fast.

An entry is keyed by the tool version, the settings, what outside dig-lint changes a result
(:func:`tool_environment`: dependencies, ShellCheck) and the unit (root, workflows, what is
reported); it stores the SHA-256 of every file the analysis read (including files found missing),
of every folder a did-you-mean listed, and the diagnostics. A hit needs every one of
those hashes to match, so editing an included file, a called workflow, creating a missing one or a file
beside it (a suggestion changes) invalidates it.

The cache directory is input too (``$DIG_LINT_CACHE_DIR`` may be shared between CI jobs): an
entry is read without following links, only if it is a regular file under the size limit, and
used only if it has the shape :meth:`ResultCache.put` writes and lists every workflow of the unit
(an entry listing no file would be a hit forever). Anything else is a miss, and is overwritten.
Files are digested through the project's read gate, so a path in an entry or in the analysis
never makes the cache open a FIFO, a device or a file outside the project.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from dig_lsp import __version__
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Applicability, Diagnostic, Severity
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import is_inside, listing_digest, read_project_file, read_regular_file, unreadable_reason
from dig_lsp.text.limits import MAX_FILE_BYTES

MISSING = "missing"
# An entry holds the digests and diagnostics of one unit: a few hundred bytes per diagnostic.
MAX_ENTRY_BYTES = MAX_FILE_BYTES
_SEVERITIES = {severity.label for severity in Severity}
_APPLICABILITY = {applicability.value for applicability in Applicability}


def default_cache_dir() -> str:
    """``$DIG_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/dig-lint``, else ``~/.cache/dig-lint``."""
    explicit = os.environ.get("DIG_LINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dig-lint")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Size and modification time of every file of the package and its schemas.

    Part of every cache key, so results of an older or locally edited dig-lint are never reused
    (the version number alone does not change between development builds).
    """
    package = Path(__file__).resolve().parent
    roots = [package, package.parent / "schemas"]  # schemas/ beside the package in a source checkout
    entries = []
    for root in roots:
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in sorted(files):
                if name.endswith((".py", ".json")):
                    stat = os.stat(os.path.join(directory, name))
                    entries.append(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def tool_environment() -> list[object]:
    """What outside dig-lint's own files changes a result, for every cache key: the Python version, the
    modification time of each site-packages folder (installing or upgrading a dependency such as sqlglot
    changes it), and what decides ShellCheck's verdicts: ``$DIG_LINT_SHELLCHECK``, ``$SHELLCHECK_OPTS``
    (ShellCheck reads it) and the binary that would run, with its inode, size and modification time."""
    import site
    import sys

    from dig_lsp.embedded.shell import SHELLCHECK_ENVIRONMENT, shellcheck_binary

    folders = set(site.getsitepackages())
    if site.ENABLE_USER_SITE and site.USER_SITE:
        folders.add(site.USER_SITE)
    binary = shellcheck_binary()
    return [sys.version, [(folder, _stat_key(folder)) for folder in sorted(folders)],
            os.environ.get(SHELLCHECK_ENVIRONMENT), os.environ.get("SHELLCHECK_OPTS"),
            binary, None if binary is None else _stat_key(binary)]


def _stat_key(path: str) -> list[int] | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return [status.st_ino, status.st_size, status.st_mtime_ns]


def file_digest(path: str, root: str) -> str:
    """SHA-256 of what the analysis of project ``root`` reads from ``path``; else why it reads nothing.

    A file the gate refuses is digested by the reason (``missing``, a FIFO, too large...), so a file
    appearing or changing kind still invalidates the entry.
    """
    data = read_project_file(path, root)
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    if not os.path.exists(path):
        return MISSING
    return f"{MISSING}: {unreadable_reason(path)}" if is_inside(path, root) else f"{MISSING}: outside the project"


def _unchanged(files: dict[str, str], root: str) -> bool:
    """Whether every file still has its digest; each real file is read once, however many names an
    entry gives it (a hostile entry could list one large file under a million spellings)."""
    digests: dict[str, str] = {}
    for path, digest in files.items():
        try:
            real = os.path.realpath(path)
        except ValueError:  # a NUL in the path
            return False
        if real not in digests:
            digests[real] = file_digest(path, root)
        if digests[real] != digest:
            return False
    return True


class ResultCache:
    """Reads and writes cache entries in one directory; every failure is a miss, never an error."""

    def __init__(self, directory: str, settings: Settings) -> None:
        self.directory = directory
        self.settings_key = settings.fingerprint()
        self.environment = tool_environment()

    def _entry_path(self, unit: Unit) -> str:
        key = json.dumps([__version__, code_fingerprint(), self.settings_key, self.environment, unit.root,
                          unit.workflows, unit.report])
        return os.path.join(self.directory, hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, unit: Unit) -> list[Diagnostic] | None:
        """The cached diagnostics of ``unit`` if no file it depends on changed; None for a miss."""
        found = self.lookup(unit)
        return None if found is None else found[0]

    def lookup(self, unit: Unit) -> tuple[list[Diagnostic], list[str], list[str]] | None:
        """:meth:`get`, and the files and folders the result depends on."""
        entry = _load_entry(self._entry_path(unit))
        if entry is None:
            return None
        files, folders, diagnostics = entry
        if not set(unit.workflows) <= files.keys():
            return None  # every analysis reads every workflow of its unit: this entry was not written by one
        if not _unchanged(files, unit.root):
            return None
        if any(listing_digest(folder, unit.root) != digest for folder, digest in folders.items()):
            return None
        return diagnostics, list(files), list(folders)

    def put(self, unit: Unit, files: list[str], diagnostics: list[Diagnostic],
            folders: Iterable[str] = ()) -> None:
        """Store a result; silently does nothing when the directory is not writable.

        Written to a new file and renamed over the entry: whatever the entry was (a link, a FIFO), the
        rename replaces the name itself and never writes through it.
        """
        entry = {
            "files": {path: file_digest(path, unit.root) for path in files},
            "folders": {folder: listing_digest(folder, unit.root) for folder in folders},
            "diagnostics": [d.to_dict() for d in diagnostics],
        }
        write_entry(self._entry_path(unit), entry)


def write_entry(path: str, entry: object) -> None:
    """Write ``entry`` as JSON to ``path``; silently nothing when the directory is not writable.

    Written to a new file and renamed over the entry: whatever the entry was (a link, a FIFO), the
    rename replaces the name itself and never writes through it."""
    temp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(entry, out)
        os.replace(temp, path)
    except (OSError, ValueError):
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def read_entry(path: str) -> object:
    """The JSON of a cache entry, or None when it is missing, not a regular file (a link, a FIFO), too
    large or not JSON: an entry is only ever trusted after its shape is checked."""
    data = read_regular_file(path, MAX_ENTRY_BYTES, follow_links=False)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _load_entry(path: str) -> tuple[dict[str, str], dict[str, str], list[Diagnostic]] | None:
    """An entry's file digests, folder digests and diagnostics, or None unless it is exactly what ``put``
    writes."""
    entry = read_entry(path)
    if not isinstance(entry, dict) or not _is_digests(entry.get("files")):
        return None
    folders = entry.get("folders")
    if not isinstance(folders, dict) or not (folders == {} or _is_digests(folders)):
        return None
    items = entry.get("diagnostics")
    if not isinstance(items, list) or not all(is_diagnostic(item) for item in items):
        return None
    return entry["files"], folders, [Diagnostic.from_dict(item) for item in items]


def _is_digests(files: object) -> bool:
    return isinstance(files, dict) and bool(files) and all(
        isinstance(path, str) and isinstance(digest, str) for path, digest in files.items())


def _is_one_of(value: object, options: set[str]) -> bool:
    return isinstance(value, str) and value in options  # an unhashable value must not raise


def _is_span(span: object) -> bool:
    """``[path, line, column, end line, end column]`` (``Diagnostic.to_dict``)."""
    return (isinstance(span, list) and len(span) == 5 and isinstance(span[0], str)
            and all(type(number) is int and number >= 0 for number in span[1:]))


def is_diagnostic(item: object) -> bool:
    """Whether ``item`` has the shape ``Diagnostic.to_dict`` gives (so ``from_dict`` cannot fail)."""
    if not isinstance(item, dict) or not _is_span(item.get("span")):
        return False
    if not all(isinstance(item.get(key), str) for key in ("code", "name", "message")):
        return False
    if not _is_one_of(item.get("severity"), _SEVERITIES):
        return False
    related = item.get("related")
    if not isinstance(related, list) or not all(
            isinstance(r, dict) and _is_span(r.get("span")) and isinstance(r.get("message"), str) for r in related):
        return False
    return item.get("fix") is None or _is_fix(item["fix"])


def _is_fix(fix: object) -> bool:
    if not isinstance(fix, dict) or not isinstance(fix.get("title"), str):
        return False
    if not _is_one_of(fix.get("applicability"), _APPLICABILITY):
        return False
    edits = fix.get("edits")
    return isinstance(edits, list) and all(
        isinstance(e, dict) and _is_span(e.get("span")) and isinstance(e.get("new_text"), str) for e in edits)
