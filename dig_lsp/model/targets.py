"""Turning command-line paths into analysis units (a project plus what to report).

Real repositories hold many projects side by side, so a directory is searched
recursively and every folder with ``.dig`` files is a project -- unless a parent
project reaches those files through ``call>`` or ``!include``, in which case they are
analysed in that parent's context (their relative paths resolve against the parent).
What a parent reaches is what loading it reaches: the same parsed ``call>`` tasks and
``!include`` keys the analysis follows (:func:`dig_lsp.model.project.load_project`), so a
``call>`` in a comment or in a file that does not parse claims nothing, and a folder is never
handed to a parent that would not load it.

A ``.dig`` file below a project's folder that nothing reaches and that holds no task at all (no ``+``,
no operator, no ``_type``, no ``!include``) is a parameters file (``digdag run -P conf/params.dig``), not a
workflow: digdag loads only the ``.dig`` files at the top of a project's folder
(``WorkflowResourceMatcher.defaultMatcher``: no ``/`` in the name, digdag-core/.../archive/
WorkflowResourceMatcher.java), and ``-P`` takes any YAML. It belongs to that project as a support file.

A ``.dig`` file with tasks below a project's folder that nothing reaches, and whose text climbs out of its
folder (``mail>: ../../contents/body.txt``), is a piece of that project: a workflow it runs through a
call the files do not show (a name built at run time, another project's ``require>``...), whose paths are
written against the project's folders. Taken for a project of its own, each of those paths would leave
it. It is analysed with that project, as a workflow called in a context that cannot be known
(:func:`dig_lsp.model.project.load_project`: a workflow path below the root is such a piece). A top-level
``schedule:`` keeps it a project of its own: it runs alone on that schedule (a call ignores it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from dig_lsp.model.discovery import (
    IGNORE_FILE,
    WORKFLOW_SUFFIX,
    Listings,
    ancestors,
    directories_with_workflows,
    is_repository_root,
    workflow_files,
)
from dig_lsp.text.files import DiskReader, normalise, read_project_file


@dataclass(frozen=True)
class Unit:
    """One project to analyse, and which files' diagnostics to keep (None: all in the project)."""

    root: str
    workflows: tuple[str, ...]
    report: tuple[str, ...] | None = None

    def wants(self, path: str) -> bool:
        """Whether diagnostics in ``path`` belong to this unit's output."""
        return reported(self.report, path)


def reported(report: tuple[str, ...] | None, path: str) -> bool:
    """Whether ``path`` is one of the files (or under one of the folders) of ``report`` (None: every path):
    :meth:`Unit.wants`, which the checks also ask to skip work whose findings would not be shown."""
    if report is None:
        return True
    return any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in report)


@dataclass(frozen=True)
class Plan:
    """The units for some paths, and what on disk they were decided from.

    ``listings``: every folder planning listed, as it saw them; ``files``: the files it read or probed,
    whose content or kind matters: each listed folder's ``.digdagignore`` and ``*.dig`` entries, and what
    loading a parent project read. The CLI's run-level cache stamps them (``dig_lsp/cli/run_cache.py``).
    """

    units: list[Unit]
    listings: Listings
    files: frozenset[str]


def plan(paths: list[str]) -> list[Unit]:
    """The units to analyse for the given files and directories."""
    return _Planner().plan(paths)


def plan_with_inputs(paths: list[str]) -> Plan:
    """:func:`plan`, and the folders and files the plan depends on."""
    planner = _Planner()
    units = planner.plan(paths)
    directories = planner.listings.directories
    probed = {os.path.join(directory, IGNORE_FILE) for directory in directories}
    for directory in directories:
        probed.update(os.path.join(directory, name) for name in planner.listings.names(directory) or ()
                      if name.endswith(WORKFLOW_SUFFIX))
    return Plan(units, planner.listings, frozenset(probed | planner.read))


def reached_from(project_root: str) -> frozenset[str]:
    """Files a project's workflows reach through ``call>`` and ``!include``, as loading it finds them."""
    return _Planner().reached_from(project_root)


Units = dict[tuple[str, tuple[str, ...]], set[str] | None]

# A top-level `schedule:` in a .dig file's text
_SCHEDULE = re.compile(r"^schedule[ \t]*:", re.MULTILINE)

# What makes a .dig file's text possibly a workflow's: a task, an operator, `_type`, or an included part
_TASK_MARKS = ("+", ">", "_type", "!include")


class _Planner:
    """One planning: folder listings and what each parent project reaches are worked out once for it
    (a project with many folders asked for the same listings thousands of times)."""

    def __init__(self) -> None:
        self._listings: dict[str, list[str]] = {}
        self.listings = Listings()
        self.read: set[str] = set()  # files loading parent projects read
        self._reached: dict[str, frozenset[str]] = {}
        self._repositories: dict[str, bool] = {}
        self.units: Units = {}
        self.pieces: dict[str, set[str]] = {}  # project root -> workflows below it that nothing reaches
        self._enclosing_texts: dict[str, tuple[str, str] | None] = {}

    def _is_repository(self, directory: str) -> bool:
        """:func:`is_repository_root`, asked once per folder of a planning: every workflow's search for a
        parent project climbs through the same folders (9,000 probes for the 550 workflows of the corpus)."""
        found = self._repositories.get(directory)
        if found is None:
            found = self._repositories[directory] = is_repository_root(directory)
        return found

    def plan(self, paths: list[str]) -> list[Unit]:
        for raw in paths:
            path = normalise(raw)
            if os.path.isdir(path):
                for directory in directories_with_workflows(path, self.listings):
                    self._add_directory(directory, path)
            else:
                self._add_file(path)
        return [Unit(root, (*wfs, *sorted(self.pieces.get(root, ()))),
                     None if report is None else tuple(sorted(report)))
                for (root, wfs), report in sorted(self.units.items())]

    def workflows(self, directory: str) -> list[str]:
        found = self._listings.get(directory)
        if found is None:
            found = self._listings[directory] = workflow_files(directory, self.listings)
        return found

    def reached_from(self, project_root: str) -> frozenset[str]:
        """Files a project's workflows reach through ``call>`` and ``!include``, as loading it finds them."""
        found = self._reached.get(project_root)
        if found is None:
            # imported when a parent project has to be loaded: a plan of side-by-side projects (and a run
            # answered from the cache) never needs the YAML loader
            from dig_lsp.model.project import load_project

            workflows = self.workflows(project_root)
            reached: set[str] = set()
            if workflows:
                model = load_project(project_root, workflows, DiskReader())
                reached = model.reached_files()
                self.read.update(model.files.paths_read())
            found = self._reached[project_root] = frozenset(reached)
        return found

    def _owner(self, path: str) -> str | None:
        """The outermost ancestor project (above the file's own folder) that reaches ``path``: the folder
        pushed as the project, which a workflow's resource name, and so the ``_workdir`` of a called
        workflow, is relative to (``ProjectArchiveLoader.loadWorkflowFile``). A nearer folder may reach it
        too, through its own workflows that the outer project calls (``a/b.dig`` calling ``c/d.dig``): its
        paths would resolve against the wrong folder."""
        owner = None
        for directory in ancestors(path, is_repository=self._is_repository):
            if self.workflows(directory) and path in self.reached_from(directory):
                owner = directory
        return owner

    def _add(self, root: str, workflows: tuple[str, ...], report: str) -> None:
        key = (root, workflows)
        if key in self.units and self.units[key] is None:
            return
        self.units.setdefault(key, set())
        current = self.units[key]
        assert current is not None
        current.add(report)

    def _add_directory(self, directory: str, top: str) -> None:
        own = []
        for workflow in self.workflows(directory):
            owner = self._owner(workflow) or self._parameters_owner(workflow) or self._piece_owner(workflow)
            if owner is None:
                own.append(workflow)
            else:
                self._add(owner, tuple(self.workflows(owner)), top)
        if own:
            self._add(directory, tuple(own), directory)

    def _enclosing(self, path: str) -> tuple[str, str] | None:
        """The nearest folder above ``path`` with workflows, and ``path``'s text read through that project's
        gate (a link out of it is not read): what the parameters-file and piece tests look at, read once."""
        if path not in self._enclosing_texts:
            parent = next((d for d in ancestors(path, is_repository=self._is_repository) if self.workflows(d)),
                          None)
            data = None if parent is None else read_project_file(path, parent)
            if parent is not None:
                self.read.add(path)
            self._enclosing_texts[path] = (
                None if parent is None or data is None else (parent, data.decode("utf-8", errors="replace")))
        return self._enclosing_texts[path]

    def _parameters_owner(self, path: str) -> str | None:
        """The project above ``path`` when ``path`` is a parameters file of it (see the module's docstring):
        a ``.dig`` below a project's folder that holds no task. The test is on the text, and errs towards
        a workflow: any ``+``, ``>``, ``_type`` or ``!include`` keeps the file one."""
        found = self._enclosing(path)
        if found is None:
            return None
        parent, text = found
        return None if any(mark in text for mark in _TASK_MARKS) else parent

    def _piece_owner(self, path: str) -> str | None:
        """The project ``path`` is a piece of (see the module's docstring): the nearest folder above with
        workflows, or the project that reaches those; None unless the text climbs out of its folder."""
        found = self._enclosing(path)
        if found is None:
            return None
        parent, text = found
        if "../" not in text or _SCHEDULE.search(text):
            return None  # a `schedule:` at its top makes it a workflow that runs alone (a call ignores it)
        owner = self._owner(self.workflows(parent)[0]) or parent  # `digs/a.dig`, called from the project above
        self.pieces.setdefault(owner, set()).add(path)
        return owner

    def _add_file(self, path: str) -> None:
        owner = self._owner(path)
        if owner is None and path.endswith(WORKFLOW_SUFFIX):
            owner = self._parameters_owner(path) or self._piece_owner(path)
        if owner is not None:
            self._add(owner, tuple(self.workflows(owner)), path)
            return
        directory = os.path.dirname(path)
        if path.endswith(".dig") and path in self.workflows(directory):
            self._add(directory, tuple(self.workflows(directory)), path)
            return
        # A support file (.sql, .yml, a nested .dig nobody reaches): nearest folder with workflows.
        for candidate in [directory, *ancestors(path, is_repository=self._is_repository)]:
            if self.workflows(candidate):
                self._add(candidate, tuple(self.workflows(candidate)), path)
                return
        if path.endswith(".dig"):
            self._add(directory, (path,), path)
