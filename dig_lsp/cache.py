"""A content-hash cache of analysis results, so an unchanged project re-lints fast.

An entry is keyed by the tool version, the settings and the unit (root, workflows, what
is reported); it stores the SHA-256 of every file the analysis read (including files
found missing) and the diagnostics. A hit needs every one of those hashes to match, so
editing an included file, a called workflow or creating a missing one invalidates it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from dig_lsp import __version__
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.model.targets import Unit

MISSING = "missing"


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


def file_digest(path: str) -> str:
    """SHA-256 of a file's bytes, or ``missing``."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return MISSING


class ResultCache:
    """Reads and writes cache entries in one directory; every failure is a miss, never an error."""

    def __init__(self, directory: str, settings: Settings) -> None:
        self.directory = directory
        self.settings_key = settings.fingerprint()

    def _entry_path(self, unit: Unit) -> str:
        key = json.dumps([__version__, code_fingerprint(), self.settings_key, unit.root, unit.workflows,
                          unit.report])
        return os.path.join(self.directory, hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, unit: Unit) -> list[Diagnostic] | None:
        """The cached diagnostics of ``unit`` if no file it depends on changed."""
        try:
            with open(self._entry_path(unit), encoding="utf-8") as handle:
                entry: dict[str, Any] = json.load(handle)
            for path, digest in entry["files"].items():
                if file_digest(path) != digest:
                    return None
            return [Diagnostic.from_dict(item) for item in entry["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, unit: Unit, files: list[str], diagnostics: list[Diagnostic]) -> None:
        """Store a result; silently does nothing when the directory is not writable."""
        entry = {
            "files": {path: file_digest(path) for path in files},
            "diagnostics": [d.to_dict() for d in diagnostics],
        }
        try:
            os.makedirs(self.directory, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(temp, self._entry_path(unit))
        except OSError:
            return
