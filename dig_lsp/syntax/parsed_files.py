"""Each file parsed once per analysis, however many workflows include or call it.

A long-running caller (the language server) can also hand in a :class:`ParseCache`: a file
whose bytes did not change since an earlier analysis is not decoded or parsed again. When
one file of a project is edited, the others come from the cache.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from dig_lsp.syntax.loader import ParsedFile
from dig_lsp.syntax.recover import parse_tolerant
from dig_lsp.text.files import FileReader
from dig_lsp.text.source import SourceFile


class ParseCache:
    """Decoded and parsed files keyed by path *and* exact content, least recently used dropped.

    Keying by content makes the cache always right: an edit or a change on disk is a new
    key, never a stale hit. Bounded three ways, so a thousand open documents, a long editing
    session or one huge file cannot hold memory forever: entries, the bytes they were read from,
    and ``versions_per_path`` contents of one file (an edited file's older versions are kept only
    for an undo). Thread-safe: the server's analysis thread and its request handlers share one cache.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024, versions_per_path: int = 2) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.versions_per_path = versions_per_path
        self._per_path: dict[str, list[bytes]] = {}
        self._entries: OrderedDict[tuple[str, bytes], tuple[SourceFile, ParsedFile | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.spliced = 0  # misses answered by re-reading one top-level entry

    def source(self, path: str, data: bytes) -> SourceFile:
        """The decoded source of ``data`` (cached)."""
        with self._lock:
            entry = self._entries.get((path, data))
            if entry is not None:
                self._entries.move_to_end((path, data))
                self.hits += 1
                return entry[0]
        source = SourceFile.from_bytes(path, data)
        self._store(path, data, (source, None))
        return source

    def parsed(self, path: str, data: bytes, source: SourceFile) -> ParsedFile:
        """The parse of ``source`` (whose bytes are ``data``), parsing only on a miss.

        On a miss, the file's latest earlier parse is tried first: an edit inside one top-level
        entry re-reads only that entry (:func:`dig_lsp.syntax.splice.reparse`).
        """
        with self._lock:
            entry = self._entries.get((path, data))
            if entry is not None and entry[1] is not None:
                self._entries.move_to_end((path, data))
                self.hits += 1
                return entry[1]
            previous = self._latest_parsed(path, data)
        self.misses += 1
        result = None
        if previous is not None:
            from dig_lsp.syntax.splice import reparse  # only a re-read (the language server's) splices

            try:
                result = reparse(previous, source)
            except Exception:  # an optimisation must never cost a result: parse the whole file
                import logging  # only here: logging (with threading) is 3-5 ms of every one-file run

                logging.getLogger(__name__).exception("re-reading one entry of %s failed; parsing it whole", path)
        if result is None:
            result = parse_tolerant(source)
        else:
            self.spliced += 1
        self._store(path, data, (source, result))
        return result

    def _latest_parsed(self, path: str, data: bytes) -> ParsedFile | None:
        """The newest other version of ``path`` whose parse can be spliced (the lock is held): after a
        keystroke that broke the YAML and one that mended it, the version before the break."""
        for version in reversed(self._per_path.get(path, [])):
            entry = self._entries.get((path, version))
            if version is not data and entry is not None and entry[1] is not None and entry[1].spliceable:
                return entry[1]
        return None

    def _store(self, path: str, data: bytes, entry: tuple[SourceFile, ParsedFile | None]) -> None:
        with self._lock:
            key = (path, data)
            if key not in self._entries:
                self._bytes += len(data)
                versions = self._per_path.setdefault(path, [])
                versions.append(data)
                while len(versions) > self.versions_per_path:
                    self._drop((path, self._oldest_droppable(path, versions)))
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._drop(next(iter(self._entries)))

    def _oldest_droppable(self, path: str, versions: list[bytes]) -> bytes:
        """The oldest version but the newest spliceable one (the lock is held): while an edit keeps the
        text broken for a few keystrokes, the last clean parse stays, so the keystroke that mends it is
        re-read one entry at a time from it (and the analysis of that clean text is the one to start from)."""
        kept = next((version for version in reversed(versions)
                     if (entry := self._entries.get((path, version))) is not None and entry[1] is not None
                     and entry[1].spliceable), None)
        return next((version for version in versions if version is not kept), versions[0])

    def _drop(self, key: tuple[str, bytes]) -> None:
        """Forget one entry (the lock is held)."""
        path, data = key
        if self._entries.pop(key, None) is not None:
            self._bytes -= len(data)
        versions = self._per_path.get(path, [])
        if data in versions:
            versions.remove(data)
        if not versions:
            self._per_path.pop(path, None)

    def forget_under(self, directory: str) -> None:
        """Drop every entry of a file inside ``directory``: its project has no open document left, so
        keeping its parses (up to ``max_bytes`` of text, some 50 times that in memory) only holds
        memory that a project opened later may need."""
        prefix = directory.rstrip(os.sep) + os.sep
        with self._lock:
            for key in [key for key in self._entries if key[0].startswith(prefix)]:
                self._drop(key)

    def __len__(self) -> int:
        return len(self._entries)


class ParsedFiles:
    """A memo of parsed files keyed by normalised absolute path."""

    def __init__(self, reader: FileReader, cache: ParseCache | None = None) -> None:
        self.reader = reader
        self.cache = cache
        self._parsed: dict[str, ParsedFile | None] = {}
        self._sources: dict[str, SourceFile | None] = {}
        self._data: dict[str, bytes] = {}

    def source(self, path: str) -> SourceFile | None:
        """The decoded text of ``path``, or None if it cannot be read."""
        if path not in self._sources:
            data = self.reader.read(path)
            if data is None:
                self._sources[path] = None
            elif self.cache is not None:
                self._data[path] = data
                self._sources[path] = self.cache.source(path, data)
            else:
                self._sources[path] = SourceFile.from_bytes(path, data)
        return self._sources[path]

    def parsed(self, path: str) -> ParsedFile | None:
        """The parsed YAML of ``path``, or None if it cannot be read."""
        if path not in self._parsed:
            source = self.source(path)
            if source is None:
                self._parsed[path] = None
            elif self.cache is not None and path in self._data:
                self._parsed[path] = self.cache.parsed(path, self._data[path], source)
            else:
                self._parsed[path] = parse_tolerant(source)
        return self._parsed[path]

    def paths_read(self) -> list[str]:
        """Every path asked for, readable or not (they are what a cached result depends on)."""
        return sorted(self._sources)
