"""Each file parsed once per analysis, however many workflows include or call it."""

from __future__ import annotations

from dig_lsp.syntax.loader import ParsedFile, parse
from dig_lsp.text.files import FileReader
from dig_lsp.text.source import SourceFile


class ParsedFiles:
    """A memo of parsed files keyed by normalised absolute path."""

    def __init__(self, reader: FileReader) -> None:
        self.reader = reader
        self._parsed: dict[str, ParsedFile | None] = {}
        self._sources: dict[str, SourceFile | None] = {}

    def source(self, path: str) -> SourceFile | None:
        """The decoded text of ``path``, or None if it cannot be read."""
        if path not in self._sources:
            data = self.reader.read(path)
            self._sources[path] = None if data is None else SourceFile.from_bytes(path, data)
        return self._sources[path]

    def parsed(self, path: str) -> ParsedFile | None:
        """The parsed YAML of ``path``, or None if it cannot be read."""
        if path not in self._parsed:
            source = self.source(path)
            self._parsed[path] = None if source is None else parse(source)
        return self._parsed[path]

    def paths_read(self) -> list[str]:
        """Every path asked for, readable or not (they are what a cached result depends on)."""
        return sorted(self._sources)
