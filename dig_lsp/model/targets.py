"""Turning command-line paths into analysis units (a project plus what to report).

Real repositories hold many projects side by side, so a directory is searched
recursively and every folder with ``.dig`` files is a project -- unless a parent
project reaches those files through ``call>`` or ``!include``, in which case they are
analysed in that parent's context (their relative paths resolve against the parent).
What a parent reaches is what loading it reaches: the same parsed ``call>`` tasks and
``!include`` keys the analysis follows (:func:`dig_lsp.model.project.load_project`), so a
``call>`` in a comment or in a file that does not parse claims nothing, and a folder is never
handed to a parent that would not load it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from dig_lsp.model.discovery import ancestors, directories_with_workflows, workflow_files
from dig_lsp.model.project import load_project
from dig_lsp.text.files import DiskReader, normalise


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


@lru_cache(maxsize=1024)
def reached_from(project_root: str) -> frozenset[str]:
    """Files a project's workflows reach through ``call>`` and ``!include``, as loading it finds them."""
    workflows = workflow_files(project_root)
    if not workflows:
        return frozenset()
    project = load_project(project_root, workflows, DiskReader())
    return frozenset(project.reached_files())


def forget_disk_state() -> None:
    """Drop what was learnt from the disk (the language server calls it when files change)."""
    reached_from.cache_clear()


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
