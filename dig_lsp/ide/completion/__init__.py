"""Completion: what can be written at a position of a workflow file.

The context comes from the text around the cursor (indentation and the text before the cursor
on its line), because while the user types the document is often not valid YAML; the loaded
:class:`~dig_lsp.model.project.ProjectModel` adds what only analysis knows (the task's keys
from ``!include``, variable scopes, the workflow's working directory). When the file does not
parse, the project is re-loaded with the cursor's line blanked, which is almost always where the
breakage is, so the rest of the file still gives tasks and scopes.

Facts come from the schemas (``schemas/``, via :mod:`dig_lsp.model.catalog`), the variable
scopes (:mod:`dig_lsp.analysis.scope`) and the template syntax (:mod:`dig_lsp.syntax.templates`).
Nothing here knows about LSP; ``dig_lsp/lsp/features/completion.py`` converts the result.

The package is split by what is completed: :mod:`.context` reads the cursor's line, :mod:`.frame` says what
mapping it is in, then :mod:`.keys` (with :mod:`.operators`), :mod:`.values` (with :mod:`.files`) or
:mod:`.expressions` (inside ``${...}``) give the items; :mod:`.snippets` and :mod:`.placing` are their
shared text and ranges.
"""

from __future__ import annotations

import os
import re

from dig_lsp.analysis.facts import Facts
from dig_lsp.ide.completion.context import Context, read_context
from dig_lsp.ide.completion.expressions import MOMENT_METHODS, template_items
from dig_lsp.ide.completion.frame import Frame, FrameKind, walk
from dig_lsp.ide.completion.items import Completions, Item, ItemKind
from dig_lsp.ide.completion.keys import key_items
from dig_lsp.ide.completion.operators import operator_snippet
from dig_lsp.ide.completion.snippets import key_snippet, plain_text
from dig_lsp.ide.completion.values import value_items
from dig_lsp.model import discovery
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.text.files import OverlayReader
from dig_lsp.text.source import SourceFile

__all__ = ["MOMENT_METHODS", "Completions", "Context", "Frame", "FrameKind", "Item", "ItemKind", "complete",
           "key_snippet", "operator_snippet", "plain_text", "read_context", "walk"]


def _repaired(project: ProjectModel, path: str, source: SourceFile, offset: int) -> ProjectModel:
    """The project re-loaded with the cursor's line blanked (keeping its indentation)."""
    line = source.position(offset).line
    text = source.line_text(line)
    start = offset - source.position(offset).column
    blank = " " * (len(text) - len(text.lstrip(" ")))
    repaired = source.text[:start] + blank + source.text[start + len(text):]
    overlays = {path: repaired.encode("utf-8", errors="surrogatepass")}
    reader = OverlayReader(overlays, project.files.reader)
    top_level = [wf.path for wf in project.workflows if not wf.is_called]
    if path not in top_level and path.endswith(discovery.WORKFLOW_SUFFIX) \
            and os.path.dirname(path) == project.root:
        top_level.append(path)
    # the other files are unchanged: a long-running caller's parse cache still has them
    return load_project(project.root, sorted(set(top_level)), reader, project.files.cache)


def _needs_repair(project: ProjectModel, path: str) -> bool:
    tree = project.trees.get(path)
    return project.workflow(path) is None or (tree is not None and tree.root is None)


def complete(project: ProjectModel, path: str, offset: int, runtime_params: tuple[str, ...] = ()) -> Completions:
    """Completion items at ``offset`` (code points) of ``path``, a file of ``project``."""
    source = project.files.source(path)
    if source is None:
        return Completions()
    offset = max(0, min(offset, len(source.text)))
    context = read_context(source, offset)
    if context is None:
        return Completions()
    model = _repaired(project, path, source, offset) if _needs_repair(project, path) else project
    workflow = model.workflow(path)
    frame = walk(context.path, workflow)
    if context.in_value:
        templates = template_items(context, frame, model, offset, runtime_params)
        if templates is not None:
            return Completions(tuple(templates))
        return Completions(tuple(value_items(context, frame, model, workflow, path)))
    if context.prefix.strip() and not re.fullmatch(r"\s*[\w>+.\-]*", context.prefix):
        return Completions()
    scope = None
    if frame.kind == FrameKind.TASK and frame.task is not None and not frame.top:
        scope = Facts(model, runtime_params).scopes.scope(frame.task)
    return Completions(tuple(key_items(context, frame, scope)))
