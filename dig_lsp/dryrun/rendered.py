"""What an operator task would run with in the simulated session: its parameters and the files its
operator renders.

The simulator already evaluates every task's config (:func:`dig_lsp.dryrun.render.render_config`);
a reader wants the part of it the operator acts on, not the hundred session variables around it:
the task's own keys and the operator's namespace (``td:`` for ``td>``, usually ``_export``ed once).

Files are rendered as digdag renders them when the operator starts (reference section 5.3:
SQL of ``td>``/``pg>``/``redshift>``/``bq>``, ``mail>`` bodies, ``embulk>``/``td_load>`` yml;
``util/Workspace.templateCommand``/``templateFile``): the whole text through the same ``${...}``
engine, with the task's evaluated params and the operator's namespace merged under them as defaults
(``TdOperatorFactory``: ``config.mergeDefault(config.getNestedOrGetEmpty("td"))``, the rule the
linter's template sites follow too). Paths resolve against ``_workdir`` (the called file's folder
inside a ``call>``), and only files inside the project are read.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import tzinfo

from dig_lsp.analysis.sites import RENDERED_KINDS
from dig_lsp.dryrun.js import from_python
from dig_lsp.dryrun.render import render_string
from dig_lsp.model.catalog import OperatorSpec
from dig_lsp.model.files import named_file
from dig_lsp.model.project import ProjectModel
from dig_lsp.text.files import is_inside

# Keys of a task that are no parameters of its operator run: subtask bodies (evaluated later, by the
# tasks they generate) and what digdag removes before evaluation (TaskConfig, getTaskRequest).
NOT_PARAMETERS = frozenset({"_do", "_else_do", "_export", "_check", "_error"})

MAX_FILE_CHARS = 1_000_000
"""A rendered file longer than this is not rendered (the linter's own SQL limit is 100,000 characters)."""
MAX_FILE_TEMPLATES = 1_000
"""A file with more ``${...}`` is not rendered: each runs under the evaluator's own budget, so this
bounds the time one task's file can take."""


@dataclass
class RenderedFile:
    """One file an operator renders: where it is and the text digdag would send, or why it is not shown."""

    parameter: str  # the key that names it (``_command`` for ``td>: x.sql``)
    path: str  # as resolved, relative to the project root
    text: str | None = None  # None when it was not rendered (see ``problem``)
    templates: int = 0
    unevaluated: list[str] = field(default_factory=list)  # kept verbatim in ``text``, with the reason
    errors: list[str] = field(default_factory=list)  # would fail the task at run time
    problem: str | None = None

    @property
    def complete(self) -> bool:
        """Every template of the file evaluated."""
        return self.text is not None and not self.unevaluated and not self.errors


def shown_params(keys: list[str], spec: OperatorSpec | None, rendered: dict[str, object]) -> dict[str, object]:
    """The evaluated values of the task's own ``keys`` (minus :data:`NOT_PARAMETERS`), then of the
    operator's namespaces the task does not set itself, in that order."""
    shown = {key: rendered[key] for key in keys if key not in NOT_PARAMETERS and key in rendered}
    for namespace in spec.namespaces if spec is not None else ():
        top = namespace.split(".", 1)[0]
        if top not in shown and top in rendered:
            shown[top] = rendered[top]
    return shown


def file_params(spec: OperatorSpec, rendered: dict[str, object]) -> dict[str, object]:
    """The params a rendered file sees: the evaluated config with each namespace merged under it
    (``Config.mergeDefault``: what the config sets wins, nested objects are merged)."""
    params = copy.deepcopy(rendered)
    for namespace in spec.namespaces:
        defaults: object = rendered
        for part in namespace.split("."):
            defaults = defaults.get(part) if isinstance(defaults, dict) else None
        if isinstance(defaults, dict):
            _merge_default(params, defaults)
    return params


def _merge_default(target: dict[str, object], defaults: dict[str, object]) -> None:
    for key, value in defaults.items():
        current = target.get(key)
        if key not in target:
            target[key] = copy.deepcopy(value)
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge_default(current, value)


def rendered_files(project: ProjectModel, spec: OperatorSpec, operator_key: str, rendered: dict[str, object],
                   zone: tzinfo) -> list[RenderedFile]:
    """Every file of the task's operator that digdag templates, rendered with the task's params."""
    found: list[RenderedFile] = []
    workdir = os.path.normpath(os.path.join(project.root, str(rendered.get("_workdir") or ".")))
    for name, kind in spec.file_parameters:
        if kind not in RENDERED_KINDS:
            continue
        value = rendered.get(operator_key if name == "_command" else name)
        if value is None and name == "_command":
            value = rendered.get("_command")
        if not isinstance(value, str) or not value.strip():
            continue  # {data: ...} inline text, or not given
        written = named_file(spec, name, kind, value.strip())
        if written is None:
            continue
        found.append(_render_file(project, name, written, workdir, spec, rendered, zone))
    return found


def _render_file(project: ProjectModel, name: str, written: str, workdir: str, spec: OperatorSpec,
                 rendered: dict[str, object], zone: tzinfo) -> RenderedFile:
    path = os.path.normpath(os.path.join(workdir, written))
    shown = os.path.relpath(path, project.root) if is_inside(path, project.root) else written
    result = RenderedFile(name, shown)
    if os.path.isabs(written) or not is_inside(path, project.root):
        result.problem = "not read: outside the project (digdag refuses it too: Workspace.getPath)"
        return result
    source = project.files.source(path)
    if source is None:
        result.problem = "not read: no such file (or not a regular file)"
        return result
    text = source.text
    if len(text) > MAX_FILE_CHARS:
        result.problem = f"not rendered: longer than the dry run's {MAX_FILE_CHARS:,} characters"
        return result
    if text.count("${") > MAX_FILE_TEMPLATES:
        result.problem = f"not rendered: more than the dry run's {MAX_FILE_TEMPLATES:,} templates"
        return result
    outcome = render_string(text, from_python(file_params(spec, rendered)), zone)
    result.text = outcome.text
    result.templates = outcome.templates
    result.unevaluated = outcome.unevaluated
    result.errors = outcome.errors
    return result
