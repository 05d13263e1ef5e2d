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

import contextlib
import ctypes
import functools
import gc
import logging
import sys
from collections.abc import Iterator
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


# A full collection once the interpreter holds this much more than after the last one (and at least
# _GROWTH_BLOCKS more blocks): what analyses froze that has become cyclic garbage is bounded by it.
_GROWTH_FACTOR = 1.5
_GROWTH_BLOCKS = 500_000
_blocks_after_collection: int | None = None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run one analysis of the language server without the cyclic collector, then freeze what it left.

    Why: an analysis makes objects that live until the next one replaces them (the project model and
    its indexes: about a million at 30,000 lines) and, since nothing of it forms a reference cycle
    (``tests/test_reference_cycles.py``), they are freed by their reference counts. With the collector
    on, each of them was walked once by a young collection and again by the older ones: 20-50 ms per
    young collection, three per keystroke, and a 200 ms (middle) or 350 ms (full) collection every few
    keystrokes at 30,000 lines. Frozen objects are never walked and are still freed when their count
    drops. What is frozen as garbage (cycles made by libraries, such as SQL parse trees) waits for the
    full collection :func:`_collect_everything` makes once the interpreter has grown by half since the
    last one (a grown project raises the mark instead)."""
    global _blocks_after_collection
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        blocks = sys.getallocatedblocks()
        if _blocks_after_collection is None:
            _blocks_after_collection = blocks
        elif blocks > max(_blocks_after_collection * _GROWTH_FACTOR, _blocks_after_collection + _GROWTH_BLOCKS):
            _collect_everything()
        gc.enable()


def _collect_everything() -> None:
    """A full collection, frozen objects included (then frozen again: they live on)."""
    global _blocks_after_collection
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _blocks_after_collection = sys.getallocatedblocks()


def give_back_memory() -> None:
    """Collect cycles, then hand the allocator's free pages back to the system (best effort)."""
    _collect_everything()
    trim = _libc_function("malloc_trim")
    if trim is not None:
        try:
            trim(0)
        except OSError:
            logger.debug("malloc_trim failed", exc_info=True)
