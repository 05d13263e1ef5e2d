"""Finding projects and their workflow files on disk.

digdag's rules (``core/archive/ProjectArchive.java``, ``WorkflowResourceMatcher.java``):
only ``*.dig`` files directly in the project directory are workflows; names starting
with ``.`` are skipped; ``.digdagignore`` (gitignore syntax) is honoured.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from dig_lsp.text.files import is_project_file, read_project_file

if TYPE_CHECKING:
    import pathspec

WORKFLOW_SUFFIX = ".dig"
IGNORE_FILE = ".digdagignore"
_SKIPPED_DIRS = {"node_modules", "__pycache__", "venv"}


@lru_cache(maxsize=256)
def _ignore_spec(project_root: str) -> pathspec.GitIgnoreSpec | None:
    """The project's ``.digdagignore``, read through the gate: a FIFO of that name blocked planning."""
    data = read_project_file(os.path.join(project_root, IGNORE_FILE), project_root)
    if data is None:
        return None
    import pathspec  # only for a project that has the file: importing it is a sixth of a cached run

    return pathspec.GitIgnoreSpec.from_lines(data.decode("utf-8", errors="replace").splitlines())


def is_ignored(project_root: str, path: str) -> bool:
    """Whether ``path`` is excluded from the project by a dot-name or ``.digdagignore``."""
    relative = os.path.relpath(path, project_root)
    if relative.startswith(".."):
        return False
    if any(part.startswith(".") and part not in (".", "..") for part in relative.split(os.sep)):
        return True
    spec = _ignore_spec(project_root)
    return spec is not None and spec.match_file(relative.replace(os.sep, "/"))


class Listings:
    """The directory listings of one planning: each directory is read from disk once.

    Planning walks the tree for folders with ``.dig`` files, then lists each of those folders (and the
    folders above them) for its workflows: without this, every walked folder was listed twice. Also what
    the CLI's run-level cache stamps: ``directories`` is every folder whose content planning depended on.
    Scoped to one planning, never process-wide: a long-running server must see files that appear later.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[str, bool, bool], ...] | None] = {}
        self.reads = 0  # listings read from disk (a test counts them)

    def entries(self, directory: str) -> tuple[tuple[str, bool, bool], ...] | None:
        """``(name, is a directory (links followed), is a link)`` of every entry; None when unreadable."""
        if directory in self._entries:
            return self._entries[directory]
        self.reads += 1
        found: list[tuple[str, bool, bool]] = []
        try:
            with os.scandir(directory) as scan:
                for entry in scan:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:  # as os.walk: an entry that cannot be examined is not a directory
                        is_dir = False
                    try:
                        is_link = entry.is_symlink()
                    except OSError:
                        is_link = False
                    found.append((entry.name, is_dir, is_link))
        except (OSError, ValueError):
            self._entries[directory] = None
            return None
        listing = self._entries[directory] = tuple(found)
        return listing

    def names(self, directory: str) -> list[str] | None:
        """The sorted names in ``directory`` (None when it cannot be listed), as ``os.listdir`` gives them."""
        entries = self.entries(directory)
        return None if entries is None else sorted(name for name, _is_dir, _is_link in entries)

    @property
    def directories(self) -> list[str]:
        """Every directory listed so far (readable or not)."""
        return list(self._entries)


def workflow_files(project_root: str, listings: Listings | None = None) -> list[str]:
    """The top-level ``*.dig`` files of a project directory, sorted by name.

    Only regular files inside the project count (what the read gate opens): a ``*.dig`` link to a
    file elsewhere (``/proc/self/environ``, a credentials file) would otherwise be read as a workflow
    and its text quoted in messages and snippets.
    """
    names = (listings or Listings()).names(project_root)
    if names is None:
        return []
    found = []
    for name in names:
        path = os.path.join(project_root, name)
        if name.endswith(WORKFLOW_SUFFIX) and is_project_file(path, project_root) \
                and not is_ignored(project_root, path):
            found.append(path)
    return found


def directories_with_workflows(top: str, listings: Listings | None = None) -> list[str]:
    """Every directory under ``top`` (itself included) that directly holds ``.dig`` files.

    Hidden directories and dependency folders are not searched; symbolic links to
    directories are not followed, so link loops cannot trap the walk. The order is
    ``os.walk``'s (top-down, sub-folders by name), which this walk replaced to share ``listings``.
    """
    listings = listings or Listings()
    found = []
    pending = [top]
    while pending:
        directory = pending.pop()
        entries = listings.entries(directory)
        if entries is None:
            continue  # os.walk skips a folder it cannot list, the top one included
        if any(name.endswith(WORKFLOW_SUFFIX) and not is_dir for name, is_dir, _link in entries):
            found.append(directory)
        subdirs = sorted(name for name, is_dir, is_link in entries
                         if is_dir and not is_link and not name.startswith(".") and name not in _SKIPPED_DIRS)
        pending.extend(os.path.join(directory, name) for name in reversed(subdirs))
    return found


def is_repository_root(directory: str) -> bool:
    """Whether ``directory`` holds a ``.git`` folder (where the search for a parent project stops)."""
    return os.path.isdir(os.path.join(directory, ".git"))


def ancestors(path: str, stop_at: Iterable[str] = (),
              is_repository: Callable[[str], bool] = is_repository_root) -> list[str]:
    """Directories above ``path``, nearest first, ending at a repository root or ``stop_at``
    (``is_repository``: a caller asking for many paths passes a memo of :func:`is_repository_root`)."""
    stops = set(stop_at)
    result = []
    current = os.path.dirname(path)
    while True:
        parent = os.path.dirname(current)
        if parent == current or current in stops or is_repository(current):
            break
        current = parent
        result.append(current)
        if current in stops or is_repository(current):
            break
    return result
