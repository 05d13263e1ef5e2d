"""``--fix`` and ``--diff``: apply the checks' fixes to the files, re-lint, and say what remains.

As ruff does: only safe fixes unless ``--unsafe-fixes``; display-only fixes never. Fixes are applied in
passes: in each, every applicable fix whose edits overlap no edit already taken in that pass is applied
(in diagnostic order), the units whose files changed are analysed again on the new text, and the next
pass takes what the first left out or what the new text offers, at most :data:`MAX_PASSES` times (two
fixes that undo each other cannot loop forever).

Files are input from possibly hostile projects (CI on pull requests), so a fix edits only a file the
run reports on, inside its project (links resolved), that is a regular file and not a link, and that is
valid UTF-8 (a file with undecodable bytes would lose them); the edit's positions must agree with the
text read. Nothing is written until every pass is done, and a file that changed on disk meanwhile is
left alone. Standard input is fixed in memory only.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dig_lsp.cache import ResultCache
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, EditSpace, Fix, TextEdit
from dig_lsp.model.targets import Unit
from dig_lsp.runner import merge, run_units
from dig_lsp.text.files import is_inside, read_project_file
from dig_lsp.text.source import BOM, SourceFile

MAX_PASSES = 10


@dataclass(frozen=True)
class FixedFile:
    """One file the fixes changed: its bytes before and after."""

    path: str
    before: bytes
    after: bytes
    fixes: int  # how many fixes changed it (a fix editing several files counts in the first)

    def diff(self, shown: str) -> str:
        """A unified diff of the change, both sides named ``shown`` (as ruff prints it)."""
        old = _decode(self.before) or ""
        new = _decode(self.after) or ""
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), shown, shown)
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                       for line in lines)


@dataclass(frozen=True)
class FixOutcome:
    """What fixing did: the diagnostics left on the fixed text, the files changed, the fixes applied."""

    diagnostics: list[Diagnostic]
    files: list[FixedFile]
    applied: int
    converged: bool  # False: fixes were still applicable after the last pass


class _Text:
    """A file being fixed: the bytes read, and its current text (BOM kept apart, as the analysis does)."""

    def __init__(self, path: str, before: bytes, bom: bool, text: str) -> None:
        self.path = path
        self.before = before
        self.bom = bom
        self.source = SourceFile(path, text)  # its line index checks the edits' positions

    @property
    def text(self) -> str:
        return self.source.text

    @text.setter
    def text(self, value: str) -> None:
        self.source = SourceFile(self.path, value)

    def encoded(self) -> bytes:
        return (BOM if self.bom else "").encode("utf-8") + self.text.encode("utf-8")


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _Fixer:
    """The texts being fixed and which files may be edited at all."""

    def __init__(self, units: list[Unit], overlays: Mapping[str, bytes], stdin: str | None) -> None:
        self.units = units
        self.overlays = overlays
        self.stdin = stdin
        self.texts: dict[str, _Text | None] = {}  # None: the file is not to be edited
        self.counts: dict[str, int] = {}  # fixes applied per file

    def _load(self, path: str) -> _Text | None:
        if path not in self.texts:
            self.texts[path] = self._read(path)
        return self.texts[path]

    def _read(self, path: str) -> _Text | None:
        if self.stdin is not None:
            data = self.overlays.get(path) if path == self.stdin else None
        else:
            data = self._read_disk(path)
        text = None if data is None else _decode(data)
        if data is None or text is None:
            return None
        bom = text.startswith(BOM)
        return _Text(path, data, bom, text[1:] if bom else text)

    def _read_disk(self, path: str) -> bytes | None:
        """The bytes of a file the run reports on, inside that unit's project, a regular file and no link."""
        root = next((u.root for u in self.units if u.wants(path) and is_inside(path, u.root)), None)
        try:
            if root is None or not stat.S_ISREG(os.lstat(path).st_mode):
                return None
        except (OSError, ValueError):
            return None
        return read_project_file(path, root)

    def select(self, diagnostics: list[Diagnostic], unsafe: bool) -> list[Fix]:
        """Every applicable fix, in diagnostic order, that overlaps none taken before it."""
        space = EditSpace()
        chosen: list[Fix] = []
        for diagnostic in diagnostics:
            fix = diagnostic.fix
            if fix is None or not fix.applies(unsafe) or not self._editable(fix.edits) or not space.fits(fix.edits):
                continue
            space.add(fix.edits)
            chosen.append(fix)
        return chosen

    def take(self, diagnostics: list[Diagnostic], unsafe: bool) -> tuple[int, set[str]]:
        """Apply :meth:`select`'s fixes; how many, and the files they changed."""
        chosen = self.select(diagnostics, unsafe)
        by_path: dict[str, list[TextEdit]] = {}
        for fix in chosen:
            first = fix.edits[0].span.path  # a fix editing several files counts in the first
            self.counts[first] = self.counts.get(first, 0) + 1
            for edit in fix.edits:
                by_path.setdefault(edit.span.path, []).append(edit)
        for path, edits in by_path.items():
            current = self.texts[path]
            assert current is not None
            current.text = _spliced(current.source, edits)
        return len(chosen), set(by_path)

    def _editable(self, edits: tuple[TextEdit, ...]) -> bool:
        """Whether every edit is in a file that may be edited, where the text read has it."""
        for edit in edits:
            current = self._load(edit.span.path)
            if current is None or not _matches(edit, current.source):
                return False
        return True

    def changed(self) -> list[FixedFile]:
        return [FixedFile(path, current.before, current.encoded(), self.counts.get(path, 0))
                for path, current in sorted((p, t) for p, t in self.texts.items() if t is not None)
                if current.encoded() != current.before]

    def overlay(self) -> dict[str, bytes]:
        """Standard input's buffer and every text fixed so far, for the next analysis."""
        fixed = {path: current.encoded() for path, current in self.texts.items() if current is not None}
        return {**self.overlays, **fixed}


def _spliced(source: SourceFile, edits: list[TextEdit]) -> str:
    """``source``'s text with non-overlapping ``edits`` applied, in one pass (not one copy of the text per
    edit)."""
    text = source.text
    pieces, position = [], 0
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        start, end = source.offsets(edit.span)
        pieces += [text[position:start], edit.new_text]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _matches(edit: TextEdit, source: SourceFile) -> bool:
    """Whether the edit's lines and columns name places of the text (the text analysed), in order."""
    span = edit.span
    start, end = source.offsets(span)
    return start <= end and source.position(start) == span.start and source.position(end) == span.end


def fix_units(units: list[Unit], settings: Settings, cache: ResultCache | None, overlays: Mapping[str, bytes],
              jobs: int | None, unsafe: bool, stdin: str | None = None) -> FixOutcome:
    """Lint ``units``, apply fixes in passes, and re-lint what they changed (nothing is written here)."""
    per_unit, _ = run_units(units, settings, cache, overlays or None, jobs)
    fixer = _Fixer(units, overlays, stdin)
    applied = 0
    converged = False
    for number in range(MAX_PASSES + 1):
        diagnostics = merge(per_unit)
        if number == MAX_PASSES:
            converged = not fixer.select(diagnostics, unsafe)
            break
        count, paths = fixer.take(diagnostics, unsafe)
        if not count:
            converged = True
            break
        applied += count
        affected = [i for i, unit in enumerate(units) if any(_under(path, unit.root) for path in paths)]
        fresh, _ = run_units([units[i] for i in affected], settings, None, fixer.overlay(), jobs)
        for index, diagnostics_of_unit in zip(affected, fresh, strict=True):
            per_unit[index] = diagnostics_of_unit
    return FixOutcome(merge(per_unit), fixer.changed(), applied, converged)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def write(files: list[FixedFile], warn: Callable[[str], None]) -> list[FixedFile]:
    """Write the fixed files; those that changed on disk since they were read, or are no longer a
    regular file, are left alone (with a warning). Returns the files written."""
    written = []
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    for fixed in files:
        try:
            descriptor = os.open(fixed.path, flags)
        except OSError as error:
            warn(f"cannot write {fixed.path}: {error.strerror or error}")
            continue
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode) or _read_up_to(descriptor, len(fixed.before) + 1) \
                    != fixed.before:
                warn(f"{fixed.path} changed while it was being fixed; left as it is")
                continue
            os.lseek(descriptor, 0, os.SEEK_SET)
            os.ftruncate(descriptor, 0)
            view = memoryview(fixed.after)
            while view:
                view = view[os.write(descriptor, view):]
            written.append(fixed)
        except OSError as error:
            warn(f"cannot write {fixed.path}: {error.strerror or error}")
        finally:
            os.close(descriptor)
    return written


def _read_up_to(descriptor: int, limit: int) -> bytes:
    """At most ``limit`` bytes from the start (enough to tell the file from what was read)."""
    chunks, total = [], 0
    while total < limit and (chunk := os.read(descriptor, min(1 << 20, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
