"""What the shell checks share: the scripts ``sh>`` tasks run, and ShellCheck's verdict, once per analysis.

A script is the task's command (checked as ``/bin/sh``, or the shell its ``shell:`` parameter names)
or a shell script file the command starts (checked as its ``#!`` line says). Under the
``treasure-data`` profile there is no ``sh>`` (``DL410`` says so), so nothing is checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.checks.operator_support import operator_tasks
from dig_lsp.embedded import shell
from dig_lsp.embedded.scalar_map import value_offsets
from dig_lsp.syntax.nodes import Scalar, Sequence
from dig_lsp.text.span import Span

_SHELL_FILES = (".sh", ".bash")
_INTERPRETERS = {"sh": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh"}


@dataclass(frozen=True)
class ShellSite:
    """One script to check and how to place what is found in it: in a command value (``scalar``) or
    in a file (``path``)."""

    script: shell.Script
    scalar: Scalar | None = None
    path: str | None = None

    @property
    def written_in(self) -> str:
        """The file its problems are placed in (:func:`problem_span`)."""
        if self.path is not None:
            return self.path
        assert self.scalar is not None
        return self.scalar.span.path


@dataclass(frozen=True)
class ShellVerdict:
    """ShellCheck's problems per site name; ``available`` is False when ShellCheck is not installed."""

    sites: list[ShellSite]
    problems: dict[str, list[shell.ShellProblem]]
    available: bool


def _dialect(shell_parameter: object) -> str | None:
    """The dialect the command runs in: ``sh`` without a ``shell:`` list (``/bin/sh``), else the one the
    list names (``[bash]``, ``[/bin/bash, -e]``); None for a shell ShellCheck does not know (``[python]``)
    or a list that cannot be read."""
    if shell_parameter is None:
        return "sh"
    if not isinstance(shell_parameter, Sequence) or not shell_parameter.items:
        return None
    first = shell_parameter.items[0]
    if not isinstance(first, Scalar) or not isinstance(first.value, str):
        return None
    return _INTERPRETERS.get(os.path.basename(first.value))


def shell_sites(ctx: CheckContext) -> list[ShellSite]:
    """The scripts of the project's ``sh>`` tasks (each file once)."""

    def build() -> list[ShellSite]:
        if ctx.settings.profile == "treasure-data":
            return []
        sites: list[ShellSite] = []
        seen_files: set[str] = set()
        scripts = {id(op.task): ref for op, ref in task_file_references(ctx) if ref.kind == "script"}
        for _, op in operator_tasks(ctx):
            command = op.command
            if op.spec.name != "sh" or not isinstance(command, Scalar) or not isinstance(command.value, str):
                continue
            dialect = _dialect(op.task.config.get("shell"))
            if dialect is not None and command.value.strip():
                name = f"command:{command.span.path}:{command.span.start}"
                sites.append(ShellSite(shell.Script(name, command.value, dialect), scalar=command))
            ref = scripts.get(id(op.task))
            if ref is None or not ref.inside or ref.path in seen_files:
                continue
            interpreter = command.value.split(None, 1)[0] if command.value.split() else ""
            named = _INTERPRETERS.get(os.path.basename(interpreter))
            if not ref.path.endswith(_SHELL_FILES) and named is None:
                continue
            source = ctx.project.files.source(ref.path)
            if source is None:
                continue
            seen_files.add(ref.path)
            sites.append(ShellSite(shell.Script(f"file:{ref.path}", source.text, named), path=ref.path))
        return sites

    return ctx.shared("shell-sites", build)


def shell_verdict(ctx: CheckContext) -> ShellVerdict:
    """ShellCheck run once over every site of the analysis."""

    def build() -> ShellVerdict:
        sites = shell_sites(ctx)
        # a problem is placed in the site's own text: a site in a file the run does not report is not checked
        # (all of them are still listed: DL702 reports at the first command when ShellCheck is missing)
        found = shell.check(site.script for site in sites if ctx.reports(site.written_in)) if sites else {}
        return ShellVerdict(sites, found or {}, found is not None)

    return ctx.shared("shell-verdict", build)


def prefetch_verdicts(contexts: list[CheckContext]) -> None:
    """Run ShellCheck once for the scripts of several analyses, before their checks run: each analysis's
    :func:`shell_verdict` then finds its answers remembered (``shell.check`` keeps what ShellCheck said of
    a text). Why: every ShellCheck process costs some 11 ms of CPU however short its scripts (its runtime
    starting), and a lint of many small projects started one per project."""
    scripts = [site.script for ctx in contexts for site in shell_sites(ctx) if ctx.reports(site.written_in)]
    if scripts:
        shell.check(scripts)


def problem_span(ctx: CheckContext, site: ShellSite, problem: shell.ShellProblem) -> Span | None:
    """Where a problem of a site is written: in the ``.dig`` for a command, in the file for a script."""
    if site.path is not None:
        source = ctx.project.files.source(site.path)
        return None if source is None else source.span(problem.start, problem.end)
    scalar = site.scalar
    assert scalar is not None
    source = ctx.project.files.source(scalar.span.path)
    if source is None:
        return None
    offsets = value_offsets(scalar, source)
    start = offsets[min(problem.start, len(offsets) - 1)]
    end = offsets[min(problem.end, len(offsets) - 1)]
    return source.span(start, max(start, end))
