"""Reading files through one door, so editors' unsaved buffers can win over the disk."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from dig_lsp.text.limits import MAX_FILE_BYTES


class FileReader(Protocol):
    """Where analysis gets file contents from."""

    def read(self, path: str) -> bytes | None:
        """The bytes of ``path`` (an absolute, normalised path), or None if it cannot be read."""
        ...  # pragma: no cover - protocol


class DiskReader:
    """Reads regular files from disk, refusing anything larger than the size limit."""

    def read(self, path: str) -> bytes | None:
        """Read ``path``; None for missing, unreadable, non-regular or oversized files."""
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > MAX_FILE_BYTES:
                return None
            with open(path, "rb") as handle:
                return handle.read()
        except OSError:
            return None


@dataclass
class OverlayReader:
    """Buffers held in memory (e.g. open editor documents) shadow the files beneath."""

    overlays: Mapping[str, bytes]
    fallback: FileReader = field(default_factory=DiskReader)

    def read(self, path: str) -> bytes | None:
        """The overlay's bytes when present, else the fallback's."""
        data = self.overlays.get(path)
        return data if data is not None else self.fallback.read(path)


def unreadable_reason(path: str) -> str:
    """Why :class:`DiskReader` returned nothing for ``path``, in words that fit "file 'x' ...".

    "Does not exist" was said of every unread file, which misleads about a FIFO, a directory or a
    file over the size limit that is right there.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return "does not exist"
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
    """Whether the real location of ``path`` (symlinks resolved) lies inside ``directory``."""
    real = _realpath(path)
    root = _realpath(directory)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@lru_cache(maxsize=8192)
def _realpath(path: str) -> str:
    """``os.path.realpath``, remembered: a project names the same few files hundreds of times, and
    each resolution costs a system call per path component."""
    return os.path.realpath(path)


def forget_resolved_paths() -> None:
    """Drop remembered symlink resolutions (a long-running server calls this when the disk changes)."""
    _realpath.cache_clear()
