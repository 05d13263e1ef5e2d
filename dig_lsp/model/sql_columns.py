"""The columns a query returns, read with sqlglot (for ``td_for_each>``'s ``td.each.<column>``).

``${...}`` templates are replaced by a neutral identifier before parsing, so templated queries
still parse; when the result columns cannot be named with certainty (``SELECT *``, an
unaliased expression, a parse failure) the answer is None and the caller treats every member
of ``td.each`` as possible.
"""

from __future__ import annotations

from dig_lsp.syntax.templates import find_templates

_PLACEHOLDER = "dig_lsp_template"
_DIALECTS = {"presto": "trino", "hive": "hive"}


def _without_templates(sql: str) -> str:
    templates, _ = find_templates(sql)
    parts = []
    position = 0
    for template in templates:
        parts.append(sql[position:template.start])
        parts.append(_PLACEHOLDER)
        position = template.end
    parts.append(sql[position:])
    return "".join(parts)


def result_columns(sql: str, engine: str = "presto") -> tuple[str, ...] | None:
    """Names of the columns ``sql`` returns, or None when they cannot be known statically."""
    try:
        import sqlglot
        from sqlglot.errors import SqlglotError

        statements = sqlglot.parse(_without_templates(sql), read=_DIALECTS.get(engine, "trino"))
    except (SqlglotError, RecursionError, ValueError):
        return None
    queries = [s for s in statements if s is not None]
    if len(queries) != 1:
        return None
    names = list(getattr(queries[0], "named_selects", []) or [])
    if not names or any(not name.isidentifier() or name == _PLACEHOLDER for name in names):
        return None
    return tuple(names)
