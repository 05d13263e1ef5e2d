"""Value completions: enums and booleans from the schemas, time zones, workflow names for ``require>:``,
earlier siblings for ``_after``, operator names for ``_type`` and file names (:mod:`.files`)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from dig_lsp.ide.completion.context import Context
from dig_lsp.ide.completion.files import file_items
from dig_lsp.ide.completion.frame import Frame, FrameKind, operator_of, present_keys
from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.ide.completion.placing import ValueRequest, value_item
from dig_lsp.ide.completion.snippets import described_example, directive_schema, property_doc, scalar_text, types_of
from dig_lsp.model import discovery
from dig_lsp.model.catalog import catalog
from dig_lsp.model.project import ProjectModel, workflow_name
from dig_lsp.model.schedule import region_ids
from dig_lsp.model.workflow import Workflow


def _schema_values(request: ValueRequest, schema: dict[str, Any]) -> Iterator[Item]:
    values = schema.get("enum")
    default = schema.get("default")
    if not isinstance(values, list) and types_of(schema) & {"boolean"}:
        values = [True, False]
    if not isinstance(values, list):
        return
    for value in values:
        if isinstance(value, str | int | bool):
            text = scalar_text(value)
            detail = "default" if default is not None and scalar_text(default) == text else "value"
            yield value_item(request, text, ItemKind.VALUE, detail, str(schema.get("description", "")),
                             "0" if detail == "default" else "1")


def _timezones(request: ValueRequest) -> Iterator[Item]:
    for zone in sorted(region_ids() | {"UTC"}):
        yield value_item(request, zone, ItemKind.TIMEZONE, "time zone", sort="0" if zone == "UTC" else "1")


def _workflow_items(request: ValueRequest, project: ProjectModel, current: str) -> Iterator[Item]:
    names = {workflow_name(path) for path in discovery.workflow_files(project.root)}
    names |= {wf.name for wf in project.workflows if not wf.is_called}
    names.discard(workflow_name(current))
    for name in sorted(names):
        yield value_item(request, name, ItemKind.WORKFLOW, f"workflow {name}.dig")


def _after_items(request: ValueRequest, frame: Frame) -> Iterator[Item]:
    task, parent = frame.task, frame.parent
    if task is None or parent is None:
        return
    written = set(re.findall(r"\+[^\s,\[\]]+", request.typed))
    bare = not request.typed.strip() and not request.context.block  # `_after:` with nothing yet: a list
    for sibling in parent.children:
        if sibling is task:
            break
        if sibling.name not in written:
            text = f"{request.lead}[{sibling.name}]" if bare else sibling.name
            yield Item(sibling.name, ItemKind.TASK, f"earlier sibling {sibling.full_name}", "",
                       text, request.context.word_start, request.context.offset, None, "0")


def value_items(context: Context, frame: Frame, project: ProjectModel, workflow: Workflow | None,
                path: str) -> Iterator[Item]:
    """Value items for ``context.key`` in the mapping ``frame``."""
    key = context.key or ""
    typed = context.typed
    lead = " " if context.prefix.endswith(":") and not context.block else ""
    request = ValueRequest(context, typed, lead)
    if frame.kind == FrameKind.TASK:
        yield from _task_values(request, frame, project, workflow, path, key)
    elif frame.kind == FrameKind.SCHEDULE:
        schema = catalog().schema("schedule") or {}
        prop = property_doc(schema, key)
        example = described_example(prop)
        if example and key.endswith(">") and not typed.strip():
            yield value_item(request, example.strip("'"), ItemKind.VALUE, f"format of {key}",
                             str(prop.get("description", "")))
        yield from _schema_values(request, prop)
    elif frame.kind == FrameKind.SLA:
        yield from _schema_values(request, property_doc(catalog().schema("sla"), key))
    elif frame.kind == FrameKind.DIRECTIVE:
        yield from _schema_values(request, property_doc(directive_schema(frame.name), key))


def _task_values(request: ValueRequest, frame: Frame, project: ProjectModel, workflow: Workflow | None,
                 path: str, key: str) -> Iterator[Item]:
    if frame.top and key == "timezone":
        yield from _timezones(request)
        return
    if key == "_after":
        yield from _after_items(request, frame)
        return
    if key == "_type":
        for known in catalog():
            yield value_item(request, known.name, ItemKind.OPERATOR, f"operator {known.name}>", known.description)
        return
    if key.startswith("_"):
        schema = property_doc(catalog().schema("workflow" if frame.top else "group"), key) or directive_schema(key)
        yield from _schema_values(request, schema)
        return
    present = present_keys(frame, request.context) | ({key} if key else set())
    operator = operator_of(present)
    spec = catalog().operator(operator) if operator else None
    if spec is None:
        return
    name = "_command" if key == f"{spec.name}>" else key
    parameter = spec.parameters.get(name)
    if parameter is None:
        return
    if spec.name == "require" and name == "_command":
        yield from _workflow_items(request, project, path)
        return
    kind = parameter.file_kind
    if kind is not None:
        root = project.root
        workdir = project.workdirs.get(workflow.path, root) if workflow is not None else os.path.dirname(path)
        yield from file_items(request, kind, workdir, root, path)
    yield from _schema_values(request, parameter.schema)
