"""Giving memory back to the system once a project is let go, and keeping it returnable.

Python frees the objects of a released project, but the C allocator keeps the freed pages for the
process (the YAML parser's and the interpreter's small blocks fragment its heap), so the server's
resident size stayed at its peak: 100 MiB above its baseline after a few hostile documents had been
opened and closed. glibc's ``malloc_trim`` returns the free pages at the top of each heap and the
unused ones inside it; elsewhere (musl, macOS) there is nothing to call and nothing is done.

glibc also moves its mmap threshold: each time a block it had mapped on its own (128 KiB or more: a
large document's text, the YAML parser's buffers) is freed, blocks up to that size come from the heap
from then on (mallopt(3), "M_MMAP_THRESHOLD"), where the small long-lived blocks allocated after them
pin the pages and no trim gets them back: the server kept 20 MiB more after the hostile documents of
``tests/test_protocol_hostile.py`` once their parsers were freed as soon as they were done.
:func:`steady_allocator` fixes the threshold at glibc's default, which also switches the moving off.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's default, before it moves


@functools.cache
def _libc_function(name: str) -> Any | None:
    """A function of the C library the interpreter runs on (None where it has no such function)."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc (or no dynamic loader)
        return None


def steady_allocator() -> None:
    """Keep blocks of 128 KiB and more out of the heap for the life of the process (best effort)."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        logger.debug("mallopt(M_MMAP_THRESHOLD) refused")


def give_back_memory() -> None:
    """Collect cycles, then hand the allocator's free pages back to the system (best effort)."""
    gc.collect()
    trim = _libc_function("malloc_trim")
    if trim is not None:
        try:
            trim(0)
        except OSError:
            logger.debug("malloc_trim failed", exc_info=True)
