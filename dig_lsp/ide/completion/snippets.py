"""Text from the schemas (``schemas/`` via :mod:`dig_lsp.model.catalog`): LSP snippets with placeholders,
their plain form for clients without snippets, and the one-line type details items show."""

from __future__ import annotations

import re
from typing import Any

from dig_lsp.model.catalog import catalog


def escape(text: str) -> str:
    """Literal text inside a snippet."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _escape_choice(text: str) -> str:
    return escape(text).replace(",", "\\,").replace("|", "\\|")


_PLACEHOLDER = re.compile(r"\$\{\d+:((?:\\.|[^}\\])*)\}"
                          r"|\$\{\d+\|((?:\\.|[^|,\\])*)(?:,(?:\\.|[^|\\])*)*\|\}"
                          r"|\$\{?\d+\}?")


def plain_text(snippet: str) -> str:
    """The snippet with every placeholder replaced by its default (the first choice, or nothing)."""
    def replace(match: re.Match[str]) -> str:
        found = match.group(1) if match.group(1) is not None else match.group(2)
        return found or ""
    text = _PLACEHOLDER.sub(replace, snippet)
    return re.sub(r"\\([\\$}|,])", r"\1", text)


def scalar_text(value: object) -> str:
    """A schema value as YAML writes it (``true``, not Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_snippet(schema: dict[str, Any], index: int = 1) -> str:
    """The placeholder for a value of ``schema`` after ``key: ``."""
    enum_values = schema.get("enum")
    if isinstance(enum_values, list) and enum_values and all(isinstance(v, str | int | bool) for v in enum_values):
        choices = [scalar_text(v) for v in enum_values]
        default = schema.get("default")
        if default is not None and scalar_text(default) in choices:
            choices.remove(scalar_text(default))
            choices.insert(0, scalar_text(default))
        return f"${{{index}|{','.join(_escape_choice(c) for c in choices)}|}}"
    kinds = types_of(schema)
    if kinds == {"boolean"}:
        first = scalar_text(schema.get("default", True))
        second = "false" if first == "true" else "true"
        return f"${{{index}|{first},{second}|}}"
    default = schema.get("default")
    if isinstance(default, str | int | float) and not isinstance(default, bool):
        return f"${{{index}:{escape(str(default))}}}"
    return f"${index}" if index else "$0"


def types_of(schema: dict[str, Any]) -> set[str]:
    """The JSON Schema ``type`` as a set (it may be one name or a list)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {str(kind)} if kind else set()


def key_snippet(key: str, schema: dict[str, Any], indent: str) -> str:
    """``key: <value placeholder>``, or a nested block for mapping-only values."""
    kinds = types_of(schema)
    if kinds == {"object"}:
        return f"{escape(key)}:\n{indent}  $0"
    if kinds == {"array"}:
        return f"{escape(key)}: [$0]"
    return f"{escape(key)}: {_value_snippet(schema, 0 if not _placeholder_value(schema) else 1)}"


def _placeholder_value(schema: dict[str, Any]) -> bool:
    return "enum" in schema or "default" in schema or types_of(schema) == {"boolean"}


def property_doc(schema: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The schema of ``schema``'s property ``name`` (empty when it has none)."""
    if schema is None:
        return {}
    value = schema.get("properties", {}).get(name)
    return value if isinstance(value, dict) else {}


def type_detail(schema: dict[str, Any], prefix: str = "") -> str:
    """The item's one-line detail: its type, default and allowed values."""
    kind = schema.get("type")
    label = " | ".join(str(k) for k in kind) if isinstance(kind, list) else str(kind or "any")
    text = f"{prefix}{label}"
    if "default" in schema:
        text += f", default: {scalar_text(schema['default'])}"
    if isinstance(schema.get("enum"), list):
        text += " (" + " | ".join(scalar_text(v) for v in schema["enum"]) + ")"
    return text


_EXAMPLE = re.compile(r"e\.g\. `([^`]+)`")


def described_example(schema: dict[str, Any]) -> str:
    """The example a schema's description gives after "e.g." in backquotes (empty when none)."""
    found = _EXAMPLE.search(str(schema.get("description", "")))
    return found.group(1) if found else ""


def directive_schema(name: str) -> dict[str, Any]:
    """The schema of directive ``name`` (``_retry``, ``_export``...), empty when unknown."""
    return catalog().schema(f"directives/{name}") or {}
