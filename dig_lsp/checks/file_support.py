"""File references of every task, with known `_export` constants substituted into their names
(not a check itself: it is not registered).

``td>: queries/${table}.sql`` names a known file when ``table`` is an ``_export``ed constant in
the task's scope; the file-reference checks then check that file.
"""

from __future__ import annotations

from collections.abc import Callable

from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.expression_support import scopes
from dig_lsp.checks.operator_support import operator_tasks
from dig_lsp.embedded.javascript import parse_expression
from dig_lsp.model.files import FileReference, file_references
from dig_lsp.model.operators import OperatorTask
from dig_lsp.model.scope import Origin
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.syntax.templates import find_templates


def substitution_for(ctx: CheckContext, task: Task) -> Callable[[str], str | None]:
    """A function replacing every ``${name}`` of a string by its exported constant, or giving None."""
    index = scopes(ctx)

    def substitute(text: str) -> str | None:
        scope = index.scope(task)  # asked for only when a file name is substituted (scopes are built lazily)
        if scope is None:
            return None
        templates, unclosed = find_templates(text)
        if unclosed is not None:
            return None
        parts, position = [], 0
        for template in templates:
            parsed = parse_expression(template.expression)
            if parsed.problem is not None or len(parsed.references) != 1:
                return None
            reference = parsed.references[0]
            if template.expression.strip() != ".".join(reference.path):
                return None  # an expression, not a plain name
            variable = scope.variables.get(".".join(reference.path))
            if variable is None or variable.origin is not Origin.EXPORT or not isinstance(variable.value, Scalar):
                return None
            value = variable.value.value
            if value is None or isinstance(value, bool) or (isinstance(value, str) and "${" in value):
                return None
            parts += [text[position:template.start], value if isinstance(value, str) else variable.value.raw]
            position = template.end
        parts.append(text[position:])
        return "".join(parts)

    return substitute


def task_file_references(ctx: CheckContext) -> list[tuple[OperatorTask, FileReference]]:
    """Every file an operator task names (``call>`` targets excluded: the model loads those), resolved
    against its workflow's working directory; found once per analysis for the file-reference checks."""

    def build() -> list[tuple[OperatorTask, FileReference]]:
        root = ctx.project.root
        found = []
        for workflow, op in operator_tasks(ctx):
            if op.spec.name == "call":
                continue
            workdir = ctx.project.workdirs.get(workflow.path, root)
            found += [(op, ref) for ref in file_references(op, workdir, root, substitution_for(ctx, op.task))]
        return found

    return ctx.shared("task-file-references", build)
