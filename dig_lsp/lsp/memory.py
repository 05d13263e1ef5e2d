"""Giving memory back to the system once a project is let go.

Python frees the objects of a released project, but the C allocator keeps the freed pages for the
process (the YAML parser's and the interpreter's small blocks fragment its heap), so the server's
resident size stayed at its peak: 100 MiB above its baseline after a few hostile documents had been
opened and closed. glibc's ``malloc_trim`` returns the free pages at the top of each heap and the
unused ones inside it; elsewhere (musl, macOS) there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging

logger = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_memory() -> None:
    """Collect cycles, then hand the allocator's free pages back to the system (best effort)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        try:
            trim(0)
        except OSError:
            logger.debug("malloc_trim failed", exc_info=True)
