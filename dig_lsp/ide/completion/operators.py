"""Operator keys (``td>:``, ``sh>:``...): one snippet per operator with its command and the required
parameters the task does not get from an ``_export`` already."""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.scope import Scope
from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.ide.completion.placing import KeyRequest, key_item
from dig_lsp.ide.completion.snippets import escape, types_of
from dig_lsp.model.catalog import OperatorSpec, catalog
from dig_lsp.model.workflow import SPECIAL_SUBTASKS


def _required_lines(spec: OperatorSpec, indent: str, satisfied: set[str]) -> list[str]:
    lines: list[str] = []
    index = 2
    for parameter in spec.required():
        if parameter.name == "_command" or parameter.name in satisfied:
            continue
        if types_of(parameter.schema) == {"object"} or parameter.name in SPECIAL_SUBTASKS:
            inner = f"\n{indent}  +${{{index}:step}}:\n{indent}    $0" if parameter.name in SPECIAL_SUBTASKS \
                else f"\n{indent}  ${index}"
            lines.append(f"{indent}{parameter.name}:{inner}")
        else:
            lines.append(f"{indent}{parameter.name}: ${index}")
        index += 1
    return lines


def _command_placeholder(spec: OperatorSpec) -> str:
    examples = spec.schema.get("examples")
    example = examples[0] if isinstance(examples, list) and examples else None
    value = example.get("_command") if isinstance(example, dict) else None
    if isinstance(value, str | int) and not isinstance(value, bool) and not any(c in str(value) for c in "\n$"):
        return f"${{1:{escape(str(value))}}}"
    return "$1"


def operator_snippet(spec: OperatorSpec, indent: str, satisfied: set[str]) -> str:
    """``op>: <command>`` plus one line per required parameter the task does not get elsewhere."""
    command = spec.parameters.get("_command")
    head = f"{spec.name}>: {_command_placeholder(spec)}" if command is not None else f"{spec.name}>:"
    lines = _required_lines(spec, indent, satisfied)
    return "\n".join([head, *lines]) if lines else head


def exported_parameters(spec: OperatorSpec, scope: Scope | None) -> set[str]:
    """Required parameters already supplied by ``_export`` (plain or through a namespace)."""
    if scope is None:
        return set()
    found = set()
    for parameter in spec.required():
        names = [parameter.name, *(f"{ns}.{parameter.name}" for ns in spec.namespaces)]
        if any(name in scope.variables for name in names):
            found.add(parameter.name)
    return found


def operator_items(request: KeyRequest, scope: Scope | None) -> Iterator[Item]:
    """One item per known operator, its snippet without the parameters ``scope`` already supplies."""
    for spec in catalog():
        detail = f"operator {spec.name}>"
        required = [p.name for p in spec.required() if p.name != "_command"]
        if required:
            detail += f" (requires {', '.join(required)})"
        snippet = operator_snippet(spec, request.indent, exported_parameters(spec, scope))
        yield key_item(request, f"{spec.name}>", ItemKind.OPERATOR, detail, spec.description, snippet, "3")
