"""Key completions: a task's parameters and directives, the workflow's top-level keys, schedule and SLA keys,
directive options and ``_export`` namespaces."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dig_lsp.analysis.scope import Scope
from dig_lsp.ide.completion.context import Context
from dig_lsp.ide.completion.frame import Frame, FrameKind, operator_of, present_keys
from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.ide.completion.operators import exported_parameters, operator_items
from dig_lsp.ide.completion.placing import KeyRequest, key_item
from dig_lsp.ide.completion.snippets import (
    described_example,
    directive_schema,
    escape,
    key_snippet,
    property_doc,
    type_detail,
)
from dig_lsp.model.catalog import OperatorSpec, catalog


def _schema_keys(request: KeyRequest, schema: dict[str, Any] | None, present: Iterable[str], kind: ItemKind,
                 sort: str, exclude: Iterable[str] = ()) -> Iterator[Item]:
    skip = set(present) | set(exclude)
    for name, prop in (schema or {}).get("properties", {}).items():
        if name in skip or not isinstance(prop, dict) or "no effect" in str(prop.get("description", "")):
            continue
        item_kind = ItemKind.DIRECTIVE if name.startswith("_") and kind == ItemKind.KEY else kind
        yield key_item(request, name, item_kind, type_detail(prop), str(prop.get("description", "")),
                       key_snippet(name, prop, request.indent), sort)


def _task_skeleton(request: KeyRequest, sort: str) -> Item:
    snippet = f"+${{1:name}}:\n{request.indent}  $0"
    return key_item(request, "+task", ItemKind.TASK, "a subtask (+name:)",
                    "A new task; `+` keys run in file order (or concurrently under `_parallel`).", snippet, sort)


def _where_allows(where: list[str], operator: str | None, group: bool, parent_parallel: bool | None) -> bool:
    if group and "group" in where:
        return True
    if operator is not None and ("operator task" in where or f"{operator}>" in where):
        return True
    if "child of a parallel group" in where:
        return parent_parallel is not False
    if "child of a sequential group" in where:
        return parent_parallel is not True
    return False


def _directive_items(request: KeyRequest, frame: Frame, operator: str | None, present: set[str]) -> Iterator[Item]:
    group = operator is None
    parent_parallel: bool | None = frame.task.parent_parallel if frame.task is not None else None
    group_schema = catalog().schema("group")
    for name in sorted(n for n in (catalog().others) if n.startswith("directives/")):
        directive = name.split("/", 1)[1]
        if directive in present or (directive in ("_type", "_command") and operator is not None):
            continue
        schema = catalog().schema(name) or {}
        where = [str(w) for w in schema.get("x-dig-where", [])]
        if not _where_allows(where, operator, group, parent_parallel):
            continue
        if group and directive in ("_type", "_command"):
            continue
        described = property_doc(group_schema, directive) if group else {}
        shape = described or schema  # a group's own rules (`_disable` only takes true there)
        doc = str(described.get("description") or schema.get("description", ""))
        yield key_item(request, directive, ItemKind.DIRECTIVE, type_detail(shape, "directive, "), doc,
                       key_snippet(directive, shape, request.indent), "2")


def _parameter_items(request: KeyRequest, spec: OperatorSpec, present: set[str],
                     scope: Scope | None) -> Iterator[Item]:
    satisfied = exported_parameters(spec, scope)
    for parameter in spec.parameters.values():
        name = parameter.name
        if name == "_command" or name in present or name.startswith("_"):
            continue
        needed = parameter.required and name not in satisfied
        label = "required, " if needed else "required (set by _export), " if parameter.required else ""
        yield key_item(request, name, ItemKind.PARAMETER, type_detail(parameter.schema, label), parameter.description,
                       key_snippet(name, parameter.schema, request.indent), "0" if needed else "1")


def _task_keys(request: KeyRequest, frame: Frame, scope: Scope | None, present: set[str]) -> Iterator[Item]:
    if frame.top:
        yield from _schema_keys(request, catalog().schema("workflow"), present, ItemKind.KEY, "1")
        yield _task_skeleton(request, "0")
        return
    operator = operator_of(present)
    if operator is None and "_type" in present and frame.task is not None and frame.task.operator is not None:
        operator = frame.task.operator.name
    if operator is None:
        yield from operator_items(request, scope)
        yield _task_skeleton(request, "4")
    spec = catalog().operator(operator) if operator is not None else None
    if spec is not None:
        yield from _parameter_items(request, spec, present, scope)
    yield from _directive_items(request, frame, operator, present)


def _schedule_keys(request: KeyRequest, present: set[str]) -> Iterator[Item]:
    schema = catalog().schema("schedule") or {}
    type_keys = [str(k) for k in schema.get("x-dig-type-keys", [])]
    has_type = any(key in present for key in (*type_keys, "_type"))
    for name, prop in schema.get("properties", {}).items():
        if name in present or not isinstance(prop, dict) or (has_type and name in (*type_keys, "_type")):
            continue
        example = described_example(prop)
        if name in type_keys:
            value = f"${{1:{escape(example)}}}" if example else "$1"
            snippet = f"{escape(name)}: {value}"
            detail = f"schedule type, e.g. {name} {example}" if example else "schedule type"
            yield key_item(request, name, ItemKind.KEY, detail, str(prop.get("description", "")), snippet, "0")
        elif name not in ("_command", "at"):
            yield key_item(request, name, ItemKind.KEY, type_detail(prop), str(prop.get("description", "")),
                           key_snippet(name, prop, request.indent), "1")


def _export_keys(request: KeyRequest, frame: Frame, present: set[str]) -> Iterator[Item]:
    """``_export`` keys: operator namespaces (``td:``), then the parameters a namespace supplies."""
    if not frame.name:
        namespaces: dict[str, list[str]] = {}
        for spec in catalog():
            for namespace in spec.namespaces:
                root = namespace.split(".")[0]
                namespaces.setdefault(root, []).append(f"{spec.name}>")
        for root, operators in sorted(namespaces.items()):
            if root not in present:
                doc = f"Defaults for the parameters of {', '.join(sorted(set(operators)))} (and `${{{root}.…}}`)."
                yield key_item(request, root, ItemKind.KEY, "parameter namespace", doc,
                               f"{escape(root)}:\n{request.indent}  $0", "1")
        for directive in ("_secrets", "_workdir"):
            if directive not in present:
                schema = directive_schema(directive)
                yield key_item(request, directive, ItemKind.DIRECTIVE, type_detail(schema, "directive, "),
                               str(schema.get("description", "")), key_snippet(directive, schema, request.indent), "2")
        return
    seen: set[str] = set()
    for spec in catalog():
        if frame.name not in spec.namespaces:
            continue
        for parameter in spec.parameters.values():
            if parameter.name.startswith("_") or parameter.name in present or parameter.name in seen:
                continue
            seen.add(parameter.name)
            yield key_item(request, parameter.name, ItemKind.PARAMETER, type_detail(parameter.schema, f"{spec.name}> "),
                           parameter.description, key_snippet(parameter.name, parameter.schema, request.indent), "1")


def key_items(context: Context, frame: Frame, scope: Scope | None) -> Iterator[Item]:
    """Key items for the mapping ``frame`` (``scope`` offers what ``_export`` already supplies)."""
    request = KeyRequest(context, " " * context.column)
    present = present_keys(frame, context)
    if frame.kind == FrameKind.TASK:
        yield from _task_keys(request, frame, scope, present)
    elif frame.kind == FrameKind.SCHEDULE:
        yield from _schedule_keys(request, present)
    elif frame.kind == FrameKind.SLA:
        yield from _schema_keys(request, catalog().schema("sla"), present, ItemKind.KEY, "1")
        yield _task_skeleton(request, "2")
    elif frame.kind == FrameKind.DIRECTIVE:
        yield from _schema_keys(request, directive_schema(frame.name), present, ItemKind.KEY, "1")
    elif frame.kind == FrameKind.EXPORT:
        yield from _export_keys(request, frame, present)
