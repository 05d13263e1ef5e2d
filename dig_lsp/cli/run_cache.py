"""The run-level cache: a whole ``dig-lint PATH...`` run answered before planning or importing the checks.

Why: re-linting an unchanged tree (CI re-runs, a pre-commit hook run twice, an editor task) should cost
about starting Python. The per-unit cache (``dig_lsp/cache.py``) still had to plan the run first, and
planning lists every folder and loads parent projects; this entry is checked before all of that.

What the entry is keyed on (a different value is a different entry): dig-lint's version and the
fingerprint of its own files (``cache.code_fingerprint``); what outside dig-lint changes a result
(``cache.tool_environment``: the Python version, the installed dependencies, ShellCheck); the
inputs as absolute normalised paths (never the current folder: linting the same tree from another folder
is the same run; paths are shown relative to the current folder when the output is printed, not stored);
every option that changes the diagnostics (``--select``, ``--ignore``, ``--profile``, ``--fail-on``,
``--config``); and the configuration file that applies (its path and its bytes). Options that only
change how the result is printed (``--format``, ``--statistics``, ``--color``, ``--exit-zero``,
``--jobs``) are not in the key: the entry stores diagnostics, printed as the options of this run ask.

What a hit needs besides the key: every path the run depended on looks as it did. Those are the files
the analysis of every unit read (including the ones it found missing), the folders planning listed (a
workflow appearing or leaving), what planning probed (each listed folder's ``.digdagignore`` and
``*.dig`` entries, what loading a parent project read), and the folder of every file read (a file
appearing beside a missing one changes a did-you-mean). Each is stamped with ``os.stat`` and
``os.lstat`` (kind, inode, device, size, modification and change times) and a digest of its content
(a file's SHA-256; a folder's listing). A different kind or identity is a miss; different times are
checked against the digest (a ``touch`` is still a hit). A path modified less than ``RACY_NS`` before
the run began is never trusted by its times (a file may change twice within one timestamp tick, as git's
"racy" entries): its digest decides, and a file that was that recent when the entry was written gets no
digest at all, so the entry misses until a later run rewrites it. A folder planning listed is digested
from the listing planning used, so it is not affected by that race. Folders above the linted paths
(``/tmp``...) are digested by what planning looks at there only: their ``.dig`` files, ``.git`` and
``.digdagignore``.

Like the unit entries, an entry is untrusted input: read without following links, under the size
limit, used only if it has exactly the shape :func:`store` writes; anything else is a miss. A run that
printed a warning (a path without workflows), read standard input, or applied fixes is not stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from dig_lsp import __version__
from dig_lsp.cache import code_fingerprint, is_diagnostic, read_entry, tool_environment, write_entry
from dig_lsp.diagnostics import Diagnostic, Severity
from dig_lsp.model.discovery import IGNORE_FILE, WORKFLOW_SUFFIX, Listings
from dig_lsp.text.files import read_regular_file

ENTRY_PREFIX = "run-"
# Beside the unit entries, in a folder of their own: each kind is found (and cleaned) by its own name.
RUNS_FOLDER = "runs"
# A path modified this recently before the run began is judged by its content, not its times: Linux file
# times come from a coarse clock (a few milliseconds), and a file may be written twice within one tick.
RACY_NS = 2_000_000_000
# What is stamped for a folder above every linted path: what planning looks for there (a parent project's
# workflows, the repository root, the ignore file). Anything else coming and going there (/tmp) is not
# the run's business.
_ANCESTOR_NAMES = (".git", IGNORE_FILE)
_SEVERITY_LABELS = {severity.label for severity in Severity}

Stamp = list[object]  # [kind, lstat inode, device, inode, size, mtime_ns, ctime_ns, racy, digest]


@dataclass(frozen=True)
class Hit:
    """What a stored run gives back: enough to print its output as this run's options ask."""

    diagnostics: list[Diagnostic]
    checked: int  # workflows checked (the summary line)
    roots: list[str]  # the projects' folders (snippets are read through their gates)
    fail_on: Severity
    docs_url: str


def run_key(paths: Iterable[str], options: Mapping[str, object], config_path: str | None) -> str:
    """The entry's name for these inputs; see the module docstring for what it covers and why."""
    config = None if config_path is None else read_regular_file(config_path)
    parts = {
        "version": __version__,
        "code": code_fingerprint(),
        "environment": tool_environment(),
        "paths": sorted(set(paths)),
        "options": dict(options),
        "config": [config_path, None if config is None else hashlib.sha256(config).hexdigest()],
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return ENTRY_PREFIX + digest


def load(cache_dir: str, key: str, inputs: Iterable[str]) -> Hit | None:
    """The stored run if every path it depended on is unchanged; None for a miss (never raises).

    An entry must stamp every input path: one stamping nothing would be a hit forever, whatever the tree.
    """
    entry = read_entry(os.path.join(cache_dir, RUNS_FOLDER, key + ".json"))
    if not isinstance(entry, dict):
        return None
    hit = _hit(entry)
    if hit is None or not isinstance(entry.get("stamps"), dict):
        return None
    ancestors = entry.get("ancestors")
    if not isinstance(ancestors, list) or not all(isinstance(a, str) for a in ancestors):
        return None
    if not set(inputs) <= entry["stamps"].keys():
        return None
    above = set(ancestors)
    for path, stamp in entry["stamps"].items():
        if not (stamp is None or isinstance(stamp, list)) or not _unchanged(path, stamp, above):
            return None
    return hit


def store(cache_dir: str, key: str, started_ns: int, hit: Hit, files: Iterable[str],
          listed: Listings, probed: Iterable[str], inputs: Iterable[str]) -> None:
    """Write the entry of a finished run (silently nothing when the directory is not writable).

    ``files``: what the analyses read; ``listed``: planning's listings; ``probed``: files planning
    looked at; ``inputs``: the linted paths (a listed folder outside all of them is an ancestor).
    """
    tops = [path.rstrip(os.sep) for path in inputs]
    planned = set(listed.directories)
    ancestors = sorted(d for d in planned if not any(_within(d, top) for top in tops))
    stamps: dict[str, Stamp | None] = {}
    all_files = set(files) | set(probed) | {path for path in tops if not os.path.isdir(path)}
    for path in sorted(all_files):
        stamps[path] = _stamp(path, started_ns, _file_digest)
    for folder in sorted(planned | {os.path.dirname(path) for path in all_files} - {""}):
        if folder in planned:  # digested from the listing planning used: valid however recent the folder is
            seen = _listing_digest(listed.entries(folder), folder in ancestors)
            stamps[folder] = _stamp(folder, started_ns, None, seen)
        else:
            stamps[folder] = _stamp(folder, started_ns, _folder_digest)
    entry = {
        "stamps": stamps,
        "ancestors": ancestors,
        "diagnostics": [d.to_dict() for d in hit.diagnostics],
        "checked": hit.checked,
        "roots": hit.roots,
        "fail_on": hit.fail_on.label,
        "docs_url": hit.docs_url,
    }
    write_entry(os.path.join(cache_dir, RUNS_FOLDER, key + ".json"), entry)


def _hit(entry: object) -> Hit | None:
    """The printable part of an entry, or None unless it has the shape :func:`store` writes."""
    if not isinstance(entry, dict):
        return None
    items, checked, roots = entry.get("diagnostics"), entry.get("checked"), entry.get("roots")
    fail_on, docs_url = entry.get("fail_on"), entry.get("docs_url")
    if not isinstance(items, list) or not all(is_diagnostic(item) for item in items):
        return None
    if type(checked) is not int or not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        return None
    if not isinstance(fail_on, str) or fail_on not in _SEVERITY_LABELS or not isinstance(docs_url, str):
        return None
    return Hit([Diagnostic.from_dict(item) for item in items], checked, roots, Severity.parse(fail_on), docs_url)


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top + os.sep)


def _identity(path: str) -> tuple[list[object], list[int], int] | None:
    """``([kind, lstat inode, device, inode], [size, mtime_ns, ctime_ns], mtime_ns)``; None when missing."""
    try:
        own = os.lstat(path)
        status = os.stat(path) if stat.S_ISLNK(own.st_mode) else own
    except (OSError, ValueError):
        return None
    kind = stat.S_IFMT(status.st_mode) | (1 << 20 if stat.S_ISLNK(own.st_mode) else 0)
    return ([kind, own.st_ino, status.st_dev, status.st_ino],
            [status.st_size, status.st_mtime_ns, status.st_ctime_ns], status.st_mtime_ns)


def _stamp(path: str, started_ns: int, digest_of: Callable[[str], str | None] | None,
           seen: str | None = None) -> Stamp | None:
    """The stamp of ``path`` now: None when missing. A path modified within ``RACY_NS`` of the run's start
    is marked racy, and gets no digest (the entry misses) unless ``seen`` is the digest of what the run
    itself saw (planning's listing); else ``digest_of`` digests the path now."""
    found = _identity(path)
    if found is None:
        return None
    identity, times, mtime = found
    racy = mtime >= started_ns - RACY_NS
    if seen is not None:
        digest: str | None = seen
    else:
        digest = None if racy or digest_of is None else digest_of(path)
    return [*identity, *times, racy, digest]


def _unchanged(path: str, stamp: list[object] | None, ancestors: set[str]) -> bool:
    """Whether ``path`` still matches its stamp (None: it was missing); see the module docstring."""
    found = _identity(path)
    if stamp is None or found is None:
        return stamp is None and found is None  # missing then, missing now
    identity, times, _mtime_now = found
    if len(stamp) != 9 or stamp[:4] != identity:
        return False
    racy, digest = stamp[7], stamp[8]
    if stamp[4:7] == times and racy is False:
        return True
    if not isinstance(digest, str):
        return False
    if os.path.isdir(path):
        return _listing_digest(_list(path), path in ancestors) == digest
    return _file_digest(path) == digest


def _file_digest(path: str) -> str | None:
    data = read_regular_file(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def _folder_digest(folder: str) -> str:
    return _listing_digest(_list(folder), False)


def _list(folder: str) -> tuple[tuple[str, bool, bool], ...] | None:
    return Listings().entries(folder)


def _listing_digest(entries: tuple[tuple[str, bool, bool], ...] | None, ancestor: bool) -> str:
    """A folder's listing as planning reads it: every entry, or above the linted paths only what
    planning looks for there."""
    if entries is None:
        return "unreadable"
    kept = sorted(entry for entry in entries
                  if not ancestor or entry[0].endswith(WORKFLOW_SUFFIX) or entry[0] in _ANCESTOR_NAMES)
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()
