"""Problems of a file a task reads, shown at the task: the editor's view of a closed SQL file.

Why: an editor lists the diagnostics of the documents it has, and people write workflows with their
query files closed. A `td>: queries/q.sql` whose file does not parse is a mistake of that task too, so the
line that names the file gets one diagnostic saying so, pointing into the file (related information),
until the file is opened (then its own diagnostics show, and the pointer would only repeat them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Set

from dig_lsp.diagnostics import Diagnostic, Related, Severity
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.project import ProjectModel
from dig_lsp.text.span import Position, Span

MAX_RELATED = 20  # places in the file listed with one pointer


def file_pointers(model: ProjectModel, diagnostics: Iterable[Diagnostic], open_paths: Set[str],
                  workflow_paths: Set[str]) -> list[Diagnostic]:
    """For each task of the workflows in ``workflow_paths`` that names a file (not open) holding errors
    or warnings, one diagnostic at the name: the file's worst problem, with every place as related info."""
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.path not in open_paths and diagnostic.severity >= Severity.WARNING:
            by_file.setdefault(diagnostic.path, []).append(diagnostic)
    if not by_file:
        return []
    pointers: list[Diagnostic] = []
    seen: set[tuple[str, Position, str]] = set()
    for workflow in model.workflows:
        if workflow.path not in workflow_paths:
            continue
        workdir = model.workdirs.get(workflow.path, model.root)
        for task in workflow.tasks():
            op = operator_task(task)
            if op is None:
                continue
            for ref in file_references(op, workdir, model.root):
                found = by_file.get(ref.path)
                key = (ref.span.path, ref.span.start, ref.path)
                if found and key not in seen:
                    seen.add(key)
                    pointers.append(_pointer(model, ref.span, ref.path, found))
    return pointers


def _pointer(model: ProjectModel, span: Span, path: str, problems: list[Diagnostic]) -> Diagnostic:
    ordered = sorted(problems, key=lambda d: (-int(d.severity), d.span.start))
    worst = ordered[0]
    name = os.path.relpath(path, model.root).replace(os.sep, "/")
    more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
    related = tuple(Related(d.span, f"{d.code}: {d.message}") for d in ordered[:MAX_RELATED])
    return Diagnostic(worst.code, worst.name, worst.severity, f"{name}: {worst.message}{more}", span, related)
