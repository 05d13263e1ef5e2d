"""Shared plumbing for the embedded-SQL checks DL601-DL607 (not a check itself: it is not registered).

Finds every query a task runs (reference §8.4, §8.5, §8.7: a SQL file named after the operator
key, ``{data: ...}``, or ``query:`` when there is no command), renders and parses it once per
analysis, and hands each check the issues of its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from dig_lsp.analysis.scope import Origin, Scope
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import scopes
from dig_lsp.checks.file_support import references_of
from dig_lsp.checks.operator_support import export_index, operator_tasks
from dig_lsp.diagnostics import Related
from dig_lsp.digdag.coerce import boolean_value
from dig_lsp.embedded.scalar_map import value_offsets
from dig_lsp.embedded.sql_kinds import SQL_OPERATORS, Query, SqlIssue
from dig_lsp.model.operators import OperatorTask
from dig_lsp.syntax.nodes import Mapping, Node, Scalar
from dig_lsp.text.span import Position

if TYPE_CHECKING:
    from dig_lsp.embedded.sql_render import Resolve

_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
_DIALECTS = {"pg": ("postgres",), "redshift": ("redshift",), "bq": ("bigquery",)}


def _constant(node: Node | None) -> str | None:
    """A scalar's text when it is a fixed string or number (what ``${name}`` renders as)."""
    if not isinstance(node, Scalar) or isinstance(node.value, bool) or node.value is None:
        return None
    if isinstance(node.value, str):
        return None if "$" in node.value else node.value
    return node.raw if isinstance(node.value, (int, float)) else None


def resolver(op: OperatorTask, scope: Scope | None) -> Resolve:
    """Known values of plain ``${name}`` templates: the task's own constant keys, runtime built-ins
    (which `_export` cannot override, reference §3), then `_export`ed constants."""
    from dig_lsp.embedded.sql_render import BUILTIN_VALUES  # with a query to judge (see embedded.sql_kinds)

    def resolve(expression: str) -> str | None:
        name = expression.strip()
        if not _DOTTED.fullmatch(name):
            return None
        if "." not in name:
            own = _constant(op.task.config.get(name))
            if own is not None and name != op.operator_key:
                return own
        variable = scope.variables.get(name) if scope is not None else None
        if variable is None:
            return None
        if variable.origin is Origin.BUILTIN or (name in BUILTIN_VALUES and variable.origin is Origin.EXPORT):
            return BUILTIN_VALUES.get(name)
        return _constant(variable.value) if variable.origin is Origin.EXPORT else None

    return resolve


def _dialects(ctx: CheckContext, op: OperatorTask) -> tuple[str, ...] | None:
    """sqlglot dialects for the task's engine; None when the query is not standard SQL (bq legacy)."""
    chain = export_index(ctx).chain(op.task)
    if op.spec.name == "bq":
        legacy = op.given("use_legacy_sql", chain)
        if isinstance(legacy, Scalar) and (boolean_value(legacy.value) is not False):
            return None
        return _DIALECTS["bq"]
    if op.spec.name in _DIALECTS:
        return _DIALECTS[op.spec.name]
    engine = op.given("engine", chain)
    if engine is None:
        return ("trino",)
    value = engine.value if isinstance(engine, Scalar) else None
    if value == "presto":
        return ("trino",)
    if value == "hive":
        return ("hive",)
    return ("trino", "hive")  # templated or invalid (DL405 reports invalid values): accept either


def _modifier(ctx: CheckContext, op: OperatorTask) -> str | None:
    if op.spec.name not in ("td", "pg", "redshift"):
        return None
    chain = export_index(ctx).chain(op.task)
    for name in ("insert_into", "create_table"):
        if op.given(name, chain) is not None:
            return name
    return None


def _inline(ctx: CheckContext, node: Node | None, op: OperatorTask, dialects: tuple[str, ...],
            modifier: str | None) -> Query | None:
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        return None
    source = ctx.project.files.source(node.span.path)
    if source is None:
        return None
    offsets = tuple(value_offsets(node, source))
    return Query(node.value, source, offsets, op.spec.name, dialects, modifier)


def queries(ctx: CheckContext, op: OperatorTask) -> Iterator[Query]:
    """The queries ``op`` runs: its SQL file (each file a templated name stands for), ``{data: ...}`` or
    ``query:``."""
    dialects = _dialects(ctx, op)
    if dialects is None:
        return
    modifier = _modifier(ctx, op)
    command = op.command if op.command is not None else op.task.config.get("_command")
    if isinstance(command, Mapping):
        found = _inline(ctx, command.get("data"), op, dialects, modifier)
        if found is not None:
            yield found
        return
    if isinstance(command, Scalar) and isinstance(command.value, str) and command.value.strip():
        for ref in references_of(ctx, op):
            source = ctx.project.files.source(ref.path) if ref.kind == "sql" and ref.inside else None
            if source is not None:
                yield Query(source.text, source, None, op.spec.name, dialects, modifier)
        return
    found = _inline(ctx, op.task.config.get("query"), op, dialects, modifier)
    if found is not None:
        yield found


def sql_issues(ctx: CheckContext) -> list[SqlIssue]:
    """Every issue of every query of the project, computed once per analysis (duplicates dropped:
    a file run by several tasks is reported once per distinct problem)."""

    def build() -> list[SqlIssue]:
        index = scopes(ctx)
        seen: set[tuple[str, str, Position, Position, str]] = set()
        found: list[SqlIssue] = []
        for _, op in operator_tasks(ctx):
            if op.spec.name not in SQL_OPERATORS:
                continue
            # an issue is placed in its query's text: a query in a file the run does not report is not judged
            reported = [query for query in queries(ctx, op) if ctx.reports(query.source.path)]
            if not reported:
                continue
            from dig_lsp.embedded.sql import analyse  # only when a query is judged (see embedded.sql_kinds)

            scope = index.scope(op.task)
            resolve = resolver(op, scope)
            for query in reported:
                for issue in (_with_origin(issue, op, scope) for issue in analyse(query, resolve)):
                    key = (issue.kind, issue.span.path, issue.span.start, issue.span.end, issue.message)
                    if key not in seen:
                        seen.add(key)
                        found.append(issue)
        return found

    return ctx.shared("sql-issues", build)


def _with_origin(issue: SqlIssue, op: OperatorTask, scope: Scope | None) -> SqlIssue:
    """A query broken by a known value says where that value is set (as DL509 does for other values):
    the task's own key, or the `_export` that defines it."""
    name = issue.value_of
    if name is None:
        return issue
    own = op.task.config.entry(name) if "." not in name else None
    if own is not None:
        where = Related(own.key_span, f"`{name}` is set here, on the task")
    else:
        variable = scope.variables.get(name) if scope is not None else None
        if variable is None or variable.span is None:
            return issue
        where = Related(variable.span, f"`{name}` is set here ({variable.detail})")
    return replace(issue, related=(*issue.related, where))


def findings(ctx: CheckContext, kind: str) -> Iterator[Finding]:
    """The findings of one kind of SQL issue."""
    for issue in sql_issues(ctx):
        if issue.kind == kind:
            yield Finding(issue.span, issue.message, issue.related)
