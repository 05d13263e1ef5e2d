"""File references of every operator task, with known `_export` constants substituted into their names.

``td>: queries/${table}.sql`` names known files when ``table`` is an ``_export``ed constant in the
task's scope, or a key of a ``for_each>`` whose list is written out (each of its values); the
file-reference checks (and the SQL and shell checks, through :attr:`dig_lsp.analysis.facts.Facts.
task_file_references`) then check those files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from dig_lsp.analysis.scope import Origin, ScopeIndex, Variable
from dig_lsp.embedded.js import parse_expression
from dig_lsp.model.files import FileReference, file_references
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.project import ProjectModel
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Node, Scalar, Sequence
from dig_lsp.syntax.templates import find_templates

MAX_EXPANSIONS = 20  # file names a templated name stands for (a product of for_each> lists), at most
Expander = Callable[[str], "list[str] | None"]


def expansions_for(index: ScopeIndex, task: Task) -> Expander:
    """A function giving every string a templated file name stands for in ``task`` (None when one of
    its templates is not known): each ``${name}`` is an ``_export``ed constant, or each value of a
    ``for_each>`` list written in the workflow (``td>: queries/${table}.sql`` under ``for_each>: {table:
    [a, b]}`` names ``queries/a.sql`` and ``queries/b.sql``). More than :data:`MAX_EXPANSIONS` is None."""

    def expand(text: str) -> list[str] | None:
        scope = index.scope(task)  # asked for only when a file name is substituted (scopes are built lazily)
        if scope is None:
            return None
        templates, unclosed = find_templates(text)
        if unclosed is not None:
            return None
        variants, position = [""], 0
        for template in templates:
            values = _template_values(template.expression, scope.variables)
            if values is None or len(variants) * len(values) > MAX_EXPANSIONS:
                return None
            literal = text[position:template.start]
            variants = [variant + literal + value for variant in variants for value in values]
            position = template.end
        return [variant + text[position:] for variant in variants]

    return expand


def _template_values(expression: str, variables: Mapping[str, Variable]) -> list[str] | None:
    """The values a ``${name}`` has in a task: its exported constant, or each value of a written
    ``for_each>`` list; None for anything else (an expression, a stored value, a value with ``${...}``)."""
    parsed = parse_expression(expression)
    if parsed.problem is not None or len(parsed.references) != 1:
        return None
    reference = parsed.references[0]
    if expression.strip() != ".".join(reference.path):
        return None  # an expression, not a plain name
    variable = variables.get(".".join(reference.path))
    if variable is None:
        return None
    if variable.origin is Origin.EXPORT and isinstance(variable.value, Scalar):
        items: tuple[Node, ...] = (variable.value,)
    elif variable.origin is Origin.LOOP and isinstance(variable.value, Sequence) and variable.value.items:
        items = variable.value.items
    else:
        return None
    values = []
    for item in items:
        if not isinstance(item, Scalar) or item.value is None or isinstance(item.value, bool):
            return None
        if isinstance(item.value, str) and "${" in item.value:
            return None
        values.append(item.value if isinstance(item.value, str) else item.raw)
    return list(dict.fromkeys(values))


def _expanded_references(project: ProjectModel, index: ScopeIndex, op: OperatorTask,
                         workdir: str) -> list[FileReference]:
    """The task's file references, once for each file a templated name stands for."""
    expand = expansions_for(index, op.task)
    found: list[FileReference] = []
    seen: set[tuple[str, str]] = set()
    for variant in range(MAX_EXPANSIONS if _templated(op) else 1):
        substituted: list[bool] = []

        def substitute(text: str, variant: int = variant, expand: Expander = expand,
                       substituted: list[bool] = substituted) -> str | None:
            values = expand(text)
            if values is None or variant >= len(values):
                return None
            substituted.append(True)
            return values[variant]

        for ref in file_references(op, workdir, project.root, substitute):
            if (ref.parameter, ref.path) not in seen:
                seen.add((ref.parameter, ref.path))
                found.append(ref)
        if not substituted:
            break  # no name had a value for this variant, so none has for a later one: nothing new to find
    return found


def _templated(op: OperatorTask) -> bool:
    """Whether any value the task's file parameters could take holds a ``${...}``."""
    return any(isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value
               for node in (op.command, *(entry.value for entry in op.task.config.entries)))


def task_file_references(project: ProjectModel, index: ScopeIndex,
                         operator_tasks: Iterable[tuple[Workflow, OperatorTask]],
                         ) -> list[tuple[OperatorTask, FileReference]]:
    """Every file an operator task names (``call>`` targets excluded: the model loads those), resolved
    against its workflow's working directory (built once per analysis: :attr:`dig_lsp.analysis.facts.Facts.
    task_file_references`)."""
    root = project.root
    found = []
    for workflow, op in operator_tasks:
        if op.spec.name == "call":
            continue
        workdir = project.workdirs.get(workflow.path, root)
        found += [(op, ref) for ref in _expanded_references(project, index, op, workdir)]
    return found
