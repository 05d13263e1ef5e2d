"""Finding projects and their workflow files on disk.

digdag's rules (``core/archive/ProjectArchive.java``, ``WorkflowResourceMatcher.java``):
only ``*.dig`` files directly in the project directory are workflows; names starting
with ``.`` are skipped; ``.digdagignore`` (gitignore syntax) is honoured.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache

import pathspec

from dig_lsp.text.files import is_project_file, read_project_file

WORKFLOW_SUFFIX = ".dig"
_SKIPPED_DIRS = {"node_modules", "__pycache__", "venv"}


@lru_cache(maxsize=256)
def _ignore_spec(project_root: str) -> pathspec.GitIgnoreSpec | None:
    """The project's ``.digdagignore``, read through the gate: a FIFO of that name blocked planning."""
    data = read_project_file(os.path.join(project_root, ".digdagignore"), project_root)
    if data is None:
        return None
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


def workflow_files(project_root: str) -> list[str]:
    """The top-level ``*.dig`` files of a project directory, sorted by name.

    Only regular files inside the project count (what the read gate opens): a ``*.dig`` link to a
    file elsewhere (``/proc/self/environ``, a credentials file) would otherwise be read as a workflow
    and its text quoted in messages and snippets.
    """
    try:
        names = sorted(os.listdir(project_root))
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(project_root, name)
        if name.endswith(WORKFLOW_SUFFIX) and is_project_file(path, project_root) \
                and not is_ignored(project_root, path):
            found.append(path)
    return found


def directories_with_workflows(top: str) -> list[str]:
    """Every directory under ``top`` (itself included) that directly holds ``.dig`` files.

    Hidden directories and dependency folders are not searched; symbolic links to
    directories are not followed, so link loops cannot trap the walk.
    """
    found = []
    for directory, subdirs, files in os.walk(top, followlinks=False):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        if any(name.endswith(WORKFLOW_SUFFIX) for name in files):
            found.append(directory)
    return found


def ancestors(path: str, stop_at: Iterable[str] = ()) -> list[str]:
    """Directories above ``path``, nearest first, ending at a repository root or ``stop_at``."""
    stops = set(stop_at)
    result = []
    current = os.path.dirname(path)
    while True:
        parent = os.path.dirname(current)
        if parent == current or current in stops or os.path.isdir(os.path.join(current, ".git")):
            break
        current = parent
        result.append(current)
        if current in stops or os.path.isdir(os.path.join(current, ".git")):
            break
    return result
