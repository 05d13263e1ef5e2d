"""Reading files through one door, so editors' unsaved buffers can win over the disk.

The door is also the one gate for hostile input: the linter runs in CI on untrusted pull requests,
so a path written in (or linked from) a project may lead to a FIFO, a device or a secret outside it.
:func:`read_regular_file` opens without blocking and reads only a regular file, at most the size
limit; :func:`read_project_file` adds that the file, links resolved, lies inside the project.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from dig_lsp.text.limits import MAX_FILE_BYTES


class FileReader(Protocol):
    """Where analysis gets file contents from."""

    def read(self, path: str) -> bytes | None:
        """The bytes of ``path`` (an absolute, normalised path), or None if it cannot be read."""
        ...  # pragma: no cover - protocol


# Opening a FIFO for reading blocks until a writer comes, and a device may act on open (a terminal
# becoming the controlling one); O_NONBLOCK and O_NOCTTY make the open return at once, and the type
# check on the open descriptor (not on the name, which can change in between) refuses them.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1024 * 1024


def read_regular_file(path: str, limit: int = MAX_FILE_BYTES, *, follow_links: bool = True) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else None.

    Never blocks and never reads more than ``limit + 1`` bytes: the size a file reports is not
    trusted (``/proc`` files say 0, and a file can grow while it is read).
    """
    flags = _OPEN_FLAGS | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None
        return _read_at_most(descriptor, limit)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _read_at_most(descriptor: int, limit: int) -> bytes | None:
    """Everything ``descriptor`` holds, or None once it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None


def read_project_file(path: str, root: str) -> bytes | None:
    """The one gate for a path a project names: a regular file inside ``root`` (links resolved), bounded."""
    return ProjectReader(root).read(path)


class DiskReader:
    """Reads regular files from disk, refusing anything larger than the size limit (never blocks)."""

    def read(self, path: str) -> bytes | None:
        """Read ``path``; None for missing, unreadable, non-regular or oversized files."""
        return read_regular_file(path)


@dataclass
class ProjectReader:
    """Reads only files whose real location is inside ``root``: what every project load reads through.

    A project is read through one of these whatever reader it is given (disk, editor buffers), so no
    path written in it, nor a symbolic link in it, makes the analysis read a file outside it.
    """

    root: str
    inner: FileReader = field(default_factory=DiskReader)

    def read(self, path: str) -> bytes | None:
        """``inner``'s bytes of ``path`` when it lies inside ``root``, else None."""
        return self.inner.read(path) if is_inside(path, self.root) else None


def is_project_file(path: str, root: str) -> bool:
    """Whether ``path`` is a regular file inside ``root`` (links resolved): one the gate would open."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and is_inside(path, root)
    except (OSError, ValueError):
        return False


@dataclass
class OverlayReader:
    """Buffers held in memory (e.g. open editor documents) shadow the files beneath."""

    overlays: Mapping[str, bytes]
    fallback: FileReader = field(default_factory=DiskReader)

    def read(self, path: str) -> bytes | None:
        """The overlay's bytes when present, else the fallback's."""
        data = self.overlays.get(path)
        return data if data is not None else self.fallback.read(path)


MAX_LISTED_ENTRIES = 2000  # a did-you-mean looks at most at this many names of one folder
# The folders project_directory_names listed while a recorder is installed (see recording_listings).
_recorders: list[set[tuple[str, str]]] = []


@contextmanager
def recording_listings() -> Iterator[set[tuple[str, str]]]:
    """Collect ``(folder, root)`` of every folder a did-you-mean lists inside the block.

    Why: a result depends on those listings (a file appearing beside a misspelt name changes the
    suggestion), so the CLI's result caches must notice them change as they notice a file read change.
    """
    found: set[tuple[str, str]] = set()
    _recorders.append(found)
    try:
        yield found
    finally:
        _recorders.remove(found)


def listing_digest(directory: str, root: str) -> str:
    """SHA-256 of what a did-you-mean sees of ``directory``: its folders and its files."""
    import hashlib

    folders = project_directory_names(directory, root, directories=True)
    files = project_directory_names(directory, root, directories=False)
    return hashlib.sha256("\n".join([*folders, "/", *files]).encode("utf-8", "surrogateescape")).hexdigest()


def project_directory_names(directory: str, root: str, *, directories: bool) -> list[str]:
    """Names of the sub-folders (``directories``) or regular files of ``directory``, if it lies inside
    ``root`` (links resolved): what a did-you-mean for a missing file may offer. Bounded (the first
    :data:`MAX_LISTED_ENTRIES` entries), dot-names left out; empty when the folder cannot be listed."""
    for recorder in _recorders:
        recorder.add((directory, root))
    if not is_inside(directory, root):
        return []
    names: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_LISTED_ENTRIES:
                    break
                if entry.name.startswith("."):
                    continue
                try:
                    kind = entry.is_dir() if directories else entry.is_file()
                except OSError:
                    continue
                if kind:
                    names.append(entry.name)
    except (OSError, ValueError):
        return []
    return sorted(names)


def unreadable_reason(path: str) -> str:
    """Why :class:`DiskReader` returned nothing for ``path``, in words that fit "file 'x' ...".

    "Does not exist" was said of every unread file, which misleads about a FIFO, a directory or a
    file over the size limit that is right there.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return "does not exist"
    except ValueError:
        return "is not a valid file name"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISDIR(status.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(status.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(status.st_mode) else "a device or socket"
        return f"is {kind}, not a regular file; it is not read"
    if status.st_size > MAX_FILE_BYTES:
        return f"is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit; it is not read"
    return "cannot be read"


def normalise(path: str) -> str:
    """An absolute, normalised path; symlinks are *not* resolved (digdag does not either)."""
    return os.path.normpath(os.path.abspath(path))


def is_inside(path: str, directory: str) -> bool:
    """Whether the real location of ``path`` (symlinks resolved) lies inside ``directory``.

    A path that cannot be resolved (a NUL written in a YAML value) is not inside anything.
    """
    try:
        real = _realpath(path)
        root = _realpath(directory)
    except ValueError:
        return False
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def linked_out(path: str, root: str) -> bool:
    """Whether ``path`` (absolute, normalised) is inside ``root`` as written but not once links are
    resolved: a symbolic link in it leads out of the project. digdag checks file names as written and
    reads through links (``YamlConfigLoader`` for ``!include``, ``Workspace.getPath`` for operator files);
    ``digdag push --copy-outgoing-symlinks`` uploads a copy of what such a link points to (``Archiver``).
    The linter does not read it: nothing outside the project is read."""
    if not path.startswith(root.rstrip(os.sep) + os.sep):
        return False
    try:
        real, real_root = _realpath(path), _realpath(root)
    except ValueError:
        return False  # not a path at all (a NUL): no link is involved
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


# what the findings on such a file say (DL115)
LINKED_OUT_WORDS = ("leads out of the project through a symbolic link, so it was not read (digdag reads through "
                    "the link; `digdag push --copy-outgoing-symlinks` uploads a copy)")


# Deeper paths are resolved whole: the memo of their folders is reached by recursion.
_MAX_REMEMBERED_DEPTH = 64


@lru_cache(maxsize=8192)
def _realpath(path: str) -> str:
    """``os.path.realpath``, remembered: a project names the same few files hundreds of times, and
    each resolution costs a system call per path component.

    The folder is resolved through the memo too, so a file costs one ``lstat`` (of its own name) once
    its folder is known: 1,750 files of the corpus cost 14,795 ``lstat`` calls resolved whole. This is
    what ``realpath`` computes: it resolves the components one after the other, and once the folder's
    are done it holds exactly the folder's real path; a name that is no link is then appended as is
    (an ``lstat`` that fails, as in a link loop, counts as no link there too). A name that is a link,
    and any path that is not absolute and normalised (``..`` after a link means the link's parent), is
    left to ``os.path.realpath`` whole. A NUL raises ``ValueError`` from ``lstat`` as it does there.
    """
    folder, name = os.path.split(path)
    if (name in ("", ".", "..") or not os.path.isabs(path) or path.count(os.sep) > _MAX_REMEMBERED_DEPTH
            or os.path.normpath(path) != path):
        return os.path.realpath(path)
    candidate = os.path.join(_realpath(folder), name)
    try:
        is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
    except OSError:
        is_link = False
    return os.path.realpath(path) if is_link else candidate


def forget_resolved_paths() -> None:
    """Drop remembered symlink resolutions (a long-running server calls this when the disk changes)."""
    _realpath.cache_clear()
