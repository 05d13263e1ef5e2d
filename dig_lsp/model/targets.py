"""Turning command-line paths into analysis units (a project plus what to report).

Real repositories hold many projects side by side, so a directory is searched
recursively and every folder with ``.dig`` files is a project -- unless a parent
project reaches those files through ``call>`` or ``!include``, in which case they are
analysed in that parent's context (their relative paths resolve against the parent).
Reachability is found with a quick text scan so planning stays cheap; the analysis
itself then loads each unit fully.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from dig_lsp.model.discovery import ancestors, directories_with_workflows, workflow_files
from dig_lsp.text.files import normalise

_CALL = re.compile(r"""call>\s*:\s*['"]?([^'"\s#{}$]+)""")
_INCLUDE = re.compile(r"""!include\s*:?\s*['"]?([^'"\s#]+)""")


@dataclass(frozen=True)
class Unit:
    """One project to analyse, and which files' diagnostics to keep (None: all in the project)."""

    root: str
    workflows: tuple[str, ...]
    report: tuple[str, ...] | None = None

    def wants(self, path: str) -> bool:
        """Whether diagnostics in ``path`` belong to this unit's output."""
        if self.report is None:
            return True
        return any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in self.report)


@lru_cache(maxsize=4096)
def _read_text(path: str) -> str:
    # Only regular files: opening a FIFO (or /dev/stdin, the language server's protocol stream)
    # named by an `!include` would block planning forever.
    try:
        if not os.path.isfile(path):
            return ""
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(2_000_000)
    except OSError:
        return ""


def reached_from(project_root: str) -> frozenset[str]:
    """Files a project's workflows reach through ``call>`` and ``!include`` (text scan)."""
    reached: set[str] = set()
    pending = [(path, project_root) for path in workflow_files(project_root)]
    seen: set[str] = set()
    while pending:
        path, workdir = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        text = _read_text(path)
        for name in _CALL.findall(text):
            target = os.path.normpath(os.path.join(workdir, name if name.endswith(".dig") else name + ".dig"))
            reached.add(target)
            pending.append((target, os.path.dirname(target)))
        for name in _INCLUDE.findall(text):
            target = os.path.normpath(os.path.join(os.path.dirname(path), name))
            reached.add(target)
            pending.append((target, workdir))
    return frozenset(reached)


def _owner(path: str) -> str | None:
    """The nearest ancestor project (above the file's own folder) that reaches ``path``."""
    for directory in ancestors(path):
        if workflow_files(directory) and path in reached_from(directory):
            return directory
    return None


def plan(paths: list[str]) -> list[Unit]:
    """The units to analyse for the given files and directories."""
    units: dict[tuple[str, tuple[str, ...]], set[str] | None] = {}
    for raw in paths:
        path = normalise(raw)
        if os.path.isdir(path):
            for directory in directories_with_workflows(path):
                _add_directory(units, directory, path)
        else:
            _add_file(units, path)
    return [Unit(root, wfs, None if report is None else tuple(sorted(report)))
            for (root, wfs), report in sorted(units.items())]


def _add(units: dict[tuple[str, tuple[str, ...]], set[str] | None], root: str,
         workflows: tuple[str, ...], report: str) -> None:
    key = (root, workflows)
    if key in units and units[key] is None:
        return
    units.setdefault(key, set())
    current = units[key]
    assert current is not None
    current.add(report)


def _add_directory(units: dict[tuple[str, tuple[str, ...]], set[str] | None], directory: str,
                   top: str) -> None:
    own = []
    for workflow in workflow_files(directory):
        owner = _owner(workflow)
        if owner is None:
            own.append(workflow)
        else:
            _add(units, owner, tuple(workflow_files(owner)), top)
    if own:
        _add(units, directory, tuple(own), directory)


def _add_file(units: dict[tuple[str, tuple[str, ...]], set[str] | None], path: str) -> None:
    owner = _owner(path)
    if owner is not None:
        _add(units, owner, tuple(workflow_files(owner)), path)
        return
    directory = os.path.dirname(path)
    if path.endswith(".dig") and path in workflow_files(directory):
        _add(units, directory, tuple(workflow_files(directory)), path)
        return
    # A support file (.sql, .yml, a nested .dig nobody reaches): nearest folder with workflows.
    for candidate in [directory, *ancestors(path)]:
        if workflow_files(candidate):
            _add(units, candidate, tuple(workflow_files(candidate)), path)
            return
    if path.endswith(".dig"):
        _add(units, directory, (path,), path)
