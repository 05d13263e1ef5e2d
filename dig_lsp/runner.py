"""Running the analysis over many units: cache first, then all cores for the rest.

Units (projects) are independent, so they are analysed in worker processes when there
is enough work to pay for them; a single small project runs in-process.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dig_lsp.cache import ResultCache
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic
from dig_lsp.model.targets import Unit
from dig_lsp.text.files import DiskReader, FileReader, OverlayReader, recording_listings

# Below this many workflow files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 24


@dataclass
class RunResult:
    """Diagnostics of every unit, and how they were obtained."""

    diagnostics: list[Diagnostic]
    units: int
    cached_units: int
    # every file the units' results depend on (what their analyses read, found missing included), and
    # every folder a did-you-mean listed: the CLI's run-level cache stamps them
    files: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()
    # the workflow files the run checked and reports on: the units' workflows and the ``.dig`` files their
    # analyses read (called workflows, included parts), for the summary line's count
    checked: frozenset[str] = frozenset()


# one unit's diagnostics, the files its analysis read and the folders it listed
Outcome = tuple[list[Diagnostic], list[str], list[str]]


# Units analysed together: loaded first, then what their checks share is done once for all of them
# (engine.prefetch: ShellCheck started once for the scripts of every unit instead of once per unit), then
# checked. Their models are held until the batch is checked, which bounds it: at most this many units, and
# at most this many bytes of workflow files, as a model holds over a hundred times its text (a generated
# 0.69 MB workflow: 121 MB, tracemalloc) and a batch of large projects must not hold them all at once (a
# project larger than that is a batch of its own). On ../shared/corpus the largest batch has 60 KB.
BATCH_UNITS = 24
BATCH_BYTES = 128_000


def _analyse_batch(units: list[Unit], settings: Settings, reader: FileReader | None = None) -> list[Outcome]:
    """Each unit's outcome, as an analysis of that unit alone would give it."""
    from dig_lsp import engine

    reader = reader or DiskReader()
    prepared, listings = [], []
    for unit in units:
        with recording_listings() as listed:
            prepared.append(engine.prepare(unit, settings, reader, reported_only=True))
        listings.append(listed)
    with recording_listings() as shared:  # nothing lists a folder there today; were it to, all depend on it
        engine.prefetch(prepared, settings)
    outcomes: list[Outcome] = []
    for item, listed in zip(prepared, listings, strict=True):
        with recording_listings() as checked:
            analysis = engine.analyse_prepared(item)
        folders = {folder for folder, _root in (*listed, *shared, *checked)}
        outcomes.append((analysis.diagnostics, analysis.files_read, sorted(folders)))
    return outcomes


def _analyse_batches(units: list[Unit], settings: Settings, reader: FileReader | None = None) -> list[Outcome]:
    """:func:`_analyse_batch` over ``units``, a :func:`batch <_batches>` at a time."""
    return [outcome for batch in _batches(units) for outcome in _analyse_batch(batch, settings, reader)]


def _batches(units: list[Unit]) -> Iterator[list[Unit]]:
    """``units`` in order, cut into batches of at most :data:`BATCH_UNITS` units and :data:`BATCH_BYTES` bytes of
    workflow files (sizes on disk: an open document's text is about as long)."""
    batch: list[Unit] = []
    size = 0
    for unit in units:
        unit_size = sum(_size(path) for path in unit.workflows)
        if batch and (len(batch) >= BATCH_UNITS or size + unit_size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(unit)
        size += unit_size
    if batch:
        yield batch


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def run(units: list[Unit], settings: Settings, cache: ResultCache | None = None,
        overlays: Mapping[str, bytes] | None = None, jobs: int | None = None) -> RunResult:
    """Analyse ``units`` and return all diagnostics, sorted and de-duplicated."""
    per_unit, cached, files, folders, checked = _run_units(units, settings, cache, overlays, jobs)
    return RunResult(merge(per_unit), len(units), cached, frozenset(files), frozenset(folders), frozenset(checked))


def run_units(units: list[Unit], settings: Settings, cache: ResultCache | None = None,
              overlays: Mapping[str, bytes] | None = None,
              jobs: int | None = None) -> tuple[list[list[Diagnostic]], int]:
    """Each unit's diagnostics, in the order of ``units``, and how many came from the cache: ``--fix``
    re-analyses only the units whose files it changed and keeps the others' results."""
    per_unit, cached, _files, _folders, _checked = _run_units(units, settings, cache, overlays, jobs)
    return per_unit, cached


def _run_units(units: list[Unit], settings: Settings, cache: ResultCache | None,
               overlays: Mapping[str, bytes] | None,
               jobs: int | None) -> tuple[list[list[Diagnostic]], int, set[str], set[str], set[str]]:
    """:func:`run_units`, the files and folders every unit's result depends on (read or listed by
    its analysis, or named by its cache entry), and the workflow files checked (:attr:`RunResult.checked`)."""
    results: list[Outcome | None] = []
    todo: list[Unit] = []
    for unit in units:
        hit = cache.lookup(unit) if cache is not None and not overlays else None
        results.append(hit)
        if hit is None:
            todo.append(unit)
    fresh = iter(_analyse_all(todo, settings, overlays, jobs))
    per_unit: list[list[Diagnostic]] = []
    depended: set[str] = set()
    listed: set[str] = set()
    checked: set[str] = set()
    for unit, hit in zip(units, results, strict=True):
        diagnostics, files, folders = hit if hit is not None else next(fresh)
        per_unit.append(diagnostics)
        depended.update(files)
        listed.update(folders)
        checked.update(path for path in unit.workflows if unit.wants(path))
        checked.update(path for path in files if path.endswith(".dig") and path not in checked and unit.wants(path)
                       and os.path.isfile(path))  # a file read (not one found missing)
        if hit is None and cache is not None and not overlays:
            cache.put(unit, files, diagnostics, folders)
    return per_unit, len(units) - len(todo), depended, listed, checked


def merge(per_unit: list[list[Diagnostic]]) -> list[Diagnostic]:
    """The units' diagnostics as one list, sorted and de-duplicated (units may share files)."""
    return sorted({d for diagnostics in per_unit for d in diagnostics}, key=Diagnostic.sort_key)


def _analyse_all(units: list[Unit], settings: Settings, overlays: Mapping[str, bytes] | None,
                 jobs: int | None) -> list[Outcome]:
    if not units:
        return []  # every unit came from the cache: the checks are not even imported
    # Imported here: a fully cached run never needs the checks (importing them is most of start-up).
    import dig_lsp.engine  # noqa: F401 - imported before any fork, so that workers inherit it

    with _fewer_collections():
        workers = jobs or os.cpu_count() or 1
        size = sum(len(unit.workflows) for unit in units)
        if overlays or workers < 2 or len(units) < 2 or size < PARALLEL_THRESHOLD:
            reader: FileReader = OverlayReader(overlays) if overlays else DiskReader()
            return _analyse_batches(units, settings, reader)
        # imported only for a pool: a small run (one project, pre-commit) never pays for them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _share_with_workers()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(max_workers=min(workers, len(units)), mp_context=context) as pool:
            # about four parts per worker, so that the workers finish together; neighbouring units stay
            # together in one worker, whose caches (parses, ShellCheck's answers) they may share
            size = max(1, len(units) // (workers * 4))
            parts = [units[start:start + size] for start in range(0, len(units), size)]
            return [outcome for outcomes in pool.map(_analyse_batches, parts, [settings] * len(parts))
                    for outcome in outcomes]


def _share_with_workers() -> None:
    """Load, before the fork, what nearly every worker would otherwise load for itself on its first
    projects: the libraries imported on first use (jsonschema, rapidfuzz, sqlglot, Trino's ANTLR
    parser) and the time-zone list. Forked workers share the parent's copy, so it is paid once instead
    of once per worker (0.17 s of CPU each; bench/README.md). Only for a pool: a run in one process
    still imports none of it unless it is needed."""
    from dig_lsp.embedded.sql import load_engines
    from dig_lsp.model.schedule import region_ids
    from dig_lsp.model.values import digdag_validator
    from dig_lsp.text.suggest import load_distance

    digdag_validator()
    region_ids()
    load_distance()
    load_engines()


# Young objects collected after this many allocations instead of CPython's 700: loading a project makes
# tens of thousands of nodes that live until its analysis ends, and each collection walked them again.
# Measured over ../shared/corpus in one process: 13% less CPU for 2 MB more peak memory (bench/README.md).
GEN0_THRESHOLD = 5000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Analyse with the garbage collector tuned for it, then restore it (the CLI's tests run in the same
    process as the rest of the suite): what the imports made is frozen (it lives as long as the process,
    and no collection needs to look at it again), and young objects are collected less often. Worker
    processes forked inside inherit both."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
