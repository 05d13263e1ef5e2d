"""Completion: what can be written at a position of a workflow file.

The context comes from the text around the cursor (indentation and the text before the cursor
on its line), because while the user types the document is often not valid YAML; the loaded
:class:`~dig_lsp.model.project.ProjectModel` adds what only analysis knows (the task's keys
from ``!include``, variable scopes, the workflow's working directory). When the file does not
parse, the project is re-loaded with the cursor's line blanked, which is almost always where the
breakage is, so the rest of the file still gives tasks and scopes.

Facts come from the schemas (``schemas/``, via :mod:`dig_lsp.model.catalog`), the variable
scopes (:mod:`dig_lsp.model.scope`) and the template syntax (:mod:`dig_lsp.syntax.templates`).
Nothing here knows about LSP; ``dig_lsp/lsp/features/completion.py`` converts the result.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dig_lsp.embedded.javascript import JS_GLOBALS
from dig_lsp.model import discovery
from dig_lsp.model.catalog import OperatorSpec, catalog
from dig_lsp.model.project import ProjectModel, load_project, workflow_name
from dig_lsp.model.schedule import region_ids
from dig_lsp.model.scope import Scope, project_scopes
from dig_lsp.model.workflow import SPECIAL_SUBTASKS, Task, TaskRole, Workflow
from dig_lsp.syntax.templates import find_templates
from dig_lsp.text.files import OverlayReader, is_inside
from dig_lsp.text.source import SourceFile


class ItemKind(enum.Enum):
    """What an item is (the LSP layer maps these to its completion item kinds)."""

    KEY = "key"
    OPERATOR = "operator"
    DIRECTIVE = "directive"
    PARAMETER = "parameter"
    TASK = "task"
    VALUE = "value"
    TIMEZONE = "timezone"
    VARIABLE = "variable"
    MEMBER = "member"
    METHOD = "method"
    FUNCTION = "function"
    FILE = "file"
    FOLDER = "folder"
    WORKFLOW = "workflow"


@dataclass(frozen=True)
class Item:
    """One completion: ``snippet`` (if set) or ``text`` replaces ``[start, end)`` of the file.

    Offsets are code points. ``snippet`` uses the LSP snippet syntax and already carries the
    indentation of continuation lines; ``text`` is the plain form for clients without snippets.
    """

    label: str
    kind: ItemKind
    detail: str
    documentation: str
    text: str
    start: int
    end: int
    snippet: str | None = None
    sort: str = ""
    filter: str | None = None


@dataclass(frozen=True)
class Completions:
    """Items for one request."""

    items: tuple[Item, ...] = ()


# --------------------------------------------------------------------------------------------
# Reading the cursor's line context from text

# Anchored, and a plain key ends with a character that is no space: `\s*` before the colon then has one
# way to match (a lazy `[^#]*?` that could end in spaces made a long line without a key quadratic).
_KEY = re.compile(r"""\A(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},](?:[^#]*?[^\s#])??)\s*:(?=\s|$)""")
_BLOCK_INDICATOR = re.compile(r"[|>][0-9+-]*\s*(#.*)?")
_WORD_CHAR = re.compile(r"[\w>+.\-]")


@dataclass(frozen=True)
class _Line:
    indent: int
    item: bool  # starts with "- "
    content: int  # column where the key (or item text) starts
    key: str | None
    key_end: int  # column after the ':' (when key is set)
    value: str  # text after the ':' (stripped), or the item text


def _strip_comment(text: str) -> str:
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (index == 0 or text[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index]
    return text


def _parse_line(text: str) -> _Line:
    stripped = text.lstrip(" ")
    indent = len(text) - len(stripped)
    content, item = indent, False
    if stripped == "-" or stripped.startswith("- "):
        item = True
        rest = stripped[1:]
        content = indent + 1 + (len(rest) - len(rest.lstrip(" ")))
    body = _strip_comment(text[content:])
    match = _KEY.match(body)
    if match is None:
        return _Line(indent, item, content, None, 0, body.strip())
    key = match.group("key")
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        key = key[1:-1]
    return _Line(indent, item, content, key, content + match.end(), body[match.end():].strip())


@dataclass(frozen=True)
class Context:
    """Where the cursor is, read from the text.

    ``path`` holds the keys of the enclosing mappings, outermost first. In a value,
    ``key`` is the key the value belongs to (``value_start`` its first column's offset).
    """

    path: tuple[str, ...]
    column: int  # the indentation of the mapping the cursor's key belongs to
    in_value: bool
    key: str | None
    prefix: str  # the line's text before the cursor
    word_start: int  # offset where the partial word at the cursor begins
    key_end: int  # offset where the current key ends (the line's ':' after the cursor, or the cursor)
    has_colon: bool  # the key under the cursor is already followed by ':'
    value_start: int
    block: bool  # the value is a block scalar (`|`/`>`) or a sequence item on its own line
    line_start: int = 0  # offset of the cursor line's first character
    siblings: frozenset[str] = field(default=frozenset())
    line_key: str | None = None  # the key being edited (key position), which is not "already present"

    @property
    def offset(self) -> int:
        """The cursor."""
        return self.line_start + len(self.prefix)

    @property
    def typed(self) -> str:
        """The value text between its start and the cursor (in a value)."""
        return self.prefix[max(0, self.value_start - self.line_start):]


def _is_blank(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _parents(source: SourceFile, line: int, column: int) -> tuple[list[tuple[str, int]], tuple[str, int] | None]:
    """Keys of the enclosing mappings (innermost first, with their line), and the block-scalar owner."""
    found: list[tuple[str, int]] = []
    block: tuple[str, int] | None = None
    limit = column
    for number in range(line - 1, -1, -1):
        text = source.line_text(number)
        if _is_blank(text):
            continue
        parsed = _parse_line(text)
        if parsed.content >= limit and not (parsed.item and parsed.indent < limit):
            continue
        if parsed.key is None:
            limit = min(limit, parsed.indent)
        elif parsed.value and not _BLOCK_INDICATOR.fullmatch(parsed.value):
            limit = parsed.indent  # `key: value` cannot hold the cursor's mapping
            continue
        else:
            if _BLOCK_INDICATOR.fullmatch(parsed.value) and not found and block is None:
                block = (parsed.key, number)
            found.append((parsed.key, number))
            limit = parsed.indent
        if limit == 0:
            break
    return found, block


def _siblings(source: SourceFile, parent_line: int, column: int, skip: int) -> frozenset[str]:
    """Keys written at ``column`` in the block after ``parent_line`` (the cursor's line excluded)."""
    keys: set[str] = set()
    for number in range(parent_line + 1, source.line_count):
        text = source.line_text(number)
        if number == skip or _is_blank(text):
            continue
        parsed = _parse_line(text)
        if parsed.indent < column:
            break
        if parsed.content == column and not parsed.item and parsed.key is not None:
            keys.add(parsed.key)
    return frozenset(keys)


def _word_start(prefix: str) -> int:
    """Where the word that ends ``prefix`` starts, found backwards (``[\\w>+.\\-]*$`` searched forwards
    tried every start in a long run of word characters: quadratic)."""
    start = len(prefix)
    while start > 0 and _WORD_CHAR.match(prefix, start - 1):
        start -= 1
    return start


def read_context(source: SourceFile, offset: int) -> Context | None:
    """The cursor's context from the text, or None where nothing can be completed (a comment)."""
    position = source.position(offset)
    line_text = source.line_text(position.line)
    line_start = offset - position.column
    prefix = line_text[: position.column]
    if _strip_comment(prefix) != prefix:
        return None
    parsed = _parse_line(prefix)
    whole = _parse_line(line_text)
    word_start = line_start + _word_start(prefix)
    parents, block = _parents(source, position.line, parsed.content if (parsed.key or parsed.item or prefix.strip())
                              else position.column)
    path = tuple(key for key, _ in reversed(parents))
    if block is not None:  # inside a block scalar: the whole line is the value
        parents = [p for p in parents if p != block]
        path = tuple(key for key, _ in reversed(parents))
        return Context(path, 0, True, block[0], prefix, word_start, offset, True, line_start, True, line_start)
    if parsed.item:  # a sequence item: the value of the key above it
        if not parents:
            return None
        key = parents[0][0]
        path = path[:-1]
        return Context(path, 0, True, key, prefix, word_start, offset, True, line_start + parsed.content, True,
                       line_start)
    if parsed.key is not None:  # `key: value|`
        value_column = parsed.key_end + (len(prefix[parsed.key_end:]) - len(prefix[parsed.key_end:].lstrip(" ")))
        return Context(path, parsed.content, True, parsed.key, prefix, word_start, offset, True,
                       line_start + value_column, False, line_start)
    column = parsed.content if prefix.strip() else position.column
    parent_line = parents[0][1] if parents else -1
    siblings = _siblings(source, parent_line, column, position.line)
    has_colon = whole.key is not None and whole.key_end > position.column
    key_end = line_start + position.column
    if has_colon and whole.key is not None:
        key_end = line_start + whole.content + len(whole.key)
    return Context(path, column, False, None, prefix, word_start, max(key_end, offset), has_colon, offset, False,
                   line_start, siblings, whole.key if whole.content == column else None)


# --------------------------------------------------------------------------------------------
# What the key path means in digdag terms


class FrameKind(enum.Enum):
    """The kind of mapping the cursor is in."""

    TASK = "task"
    SCHEDULE = "schedule"
    SLA = "sla"
    DIRECTIVE = "directive"  # `_retry: {...}`, `_parallel: {...}`
    EXPORT = "export"
    OTHER = "other"


@dataclass(frozen=True)
class Frame:
    """The mapping the cursor is in, and the task it belongs to."""

    kind: FrameKind
    top: bool = False
    task: Task | None = None  # the model's task, when found
    name: str = ""  # the directive name, or the dotted `_export` path
    parent: Task | None = None  # the model's parent task


def _child(task: Task | None, key: str) -> Task | None:
    if task is None:
        return None
    if key.startswith("+"):
        return next((child for child in task.children if child.name == key), None)
    role = TaskRole(key)
    return next((special for special in task.specials if special.role == role), None)


def walk(path: tuple[str, ...], workflow: Workflow | None) -> Frame:
    """Follow ``path`` from the workflow's root mapping to the frame it ends in."""
    frame = Frame(FrameKind.TASK, top=True, task=workflow.root if workflow else None)
    for key in path:
        if frame.kind in (FrameKind.TASK, FrameKind.SLA) and (key.startswith("+") or key in SPECIAL_SUBTASKS):
            task = _child(frame.task, key) if frame.kind == FrameKind.TASK else None
            frame = Frame(FrameKind.TASK, task=task, parent=frame.task)
        elif frame.kind == FrameKind.TASK and frame.top and key == "schedule":
            frame = Frame(FrameKind.SCHEDULE, task=frame.task)
        elif frame.kind == FrameKind.TASK and frame.top and key == "sla":
            frame = Frame(FrameKind.SLA, task=frame.task)
        elif frame.kind in (FrameKind.TASK, FrameKind.SLA) and key in ("_retry", "_parallel"):
            frame = Frame(FrameKind.DIRECTIVE, task=frame.task, name=key)
        elif frame.kind in (FrameKind.TASK, FrameKind.SLA) and key == "_export":
            frame = Frame(FrameKind.EXPORT, task=frame.task)
        elif frame.kind == FrameKind.EXPORT:
            frame = Frame(FrameKind.EXPORT, task=frame.task, name=f"{frame.name}.{key}".lstrip("."))
        else:
            frame = Frame(FrameKind.OTHER, task=frame.task, name=key)
    return frame


# --------------------------------------------------------------------------------------------
# Snippets


def _escape(text: str) -> str:
    """Literal text inside a snippet."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _escape_choice(text: str) -> str:
    return _escape(text).replace(",", "\\,").replace("|", "\\|")


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


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_snippet(schema: dict[str, Any], index: int = 1) -> str:
    """The placeholder for a value of ``schema`` after ``key: ``."""
    enum_values = schema.get("enum")
    if isinstance(enum_values, list) and enum_values and all(isinstance(v, str | int | bool) for v in enum_values):
        choices = [_scalar_text(v) for v in enum_values]
        default = schema.get("default")
        if default is not None and _scalar_text(default) in choices:
            choices.remove(_scalar_text(default))
            choices.insert(0, _scalar_text(default))
        return f"${{{index}|{','.join(_escape_choice(c) for c in choices)}|}}"
    kinds = _types(schema)
    if kinds == {"boolean"}:
        first = _scalar_text(schema.get("default", True))
        second = "false" if first == "true" else "true"
        return f"${{{index}|{first},{second}|}}"
    default = schema.get("default")
    if isinstance(default, str | int | float) and not isinstance(default, bool):
        return f"${{{index}:{_escape(str(default))}}}"
    return f"${index}" if index else "$0"


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {str(kind)} if kind else set()


def key_snippet(key: str, schema: dict[str, Any], indent: str) -> str:
    """``key: <value placeholder>``, or a nested block for mapping-only values."""
    kinds = _types(schema)
    if kinds == {"object"}:
        return f"{_escape(key)}:\n{indent}  $0"
    if kinds == {"array"}:
        return f"{_escape(key)}: [$0]"
    return f"{_escape(key)}: {_value_snippet(schema, 0 if not _placeholder_value(schema) else 1)}"


def _placeholder_value(schema: dict[str, Any]) -> bool:
    return "enum" in schema or "default" in schema or _types(schema) == {"boolean"}


# --------------------------------------------------------------------------------------------
# Key completions


def _property_doc(schema: dict[str, Any] | None, name: str) -> dict[str, Any]:
    if schema is None:
        return {}
    value = schema.get("properties", {}).get(name)
    return value if isinstance(value, dict) else {}


def _detail(schema: dict[str, Any], prefix: str = "") -> str:
    kind = schema.get("type")
    label = " | ".join(str(k) for k in kind) if isinstance(kind, list) else str(kind or "any")
    text = f"{prefix}{label}"
    if "default" in schema:
        text += f", default: {_scalar_text(schema['default'])}"
    if isinstance(schema.get("enum"), list):
        text += " (" + " | ".join(_scalar_text(v) for v in schema["enum"]) + ")"
    return text


@dataclass(frozen=True)
class _KeyRequest:
    """What key items need: where they go and how they are indented."""

    context: Context
    indent: str


def _key_item(request: _KeyRequest, label: str, kind: ItemKind, detail: str, doc: str, snippet: str,
              sort: str) -> Item:
    context = request.context
    if context.has_colon:  # only the key: its ':' and value are already there
        return Item(label, kind, detail, doc, label, context.word_start, context.key_end, None, sort)
    return Item(label, kind, detail, doc, plain_text(snippet), context.word_start, context.key_end, snippet, sort)


def _directive_schema(name: str) -> dict[str, Any]:
    return catalog().schema(f"directives/{name}") or {}


def _schema_keys(request: _KeyRequest, schema: dict[str, Any] | None, present: Iterable[str], kind: ItemKind,
                 sort: str, exclude: Iterable[str] = ()) -> Iterator[Item]:
    skip = set(present) | set(exclude)
    for name, prop in (schema or {}).get("properties", {}).items():
        if name in skip or not isinstance(prop, dict) or "no effect" in str(prop.get("description", "")):
            continue
        item_kind = ItemKind.DIRECTIVE if name.startswith("_") and kind == ItemKind.KEY else kind
        yield _key_item(request, name, item_kind, _detail(prop), str(prop.get("description", "")),
                        key_snippet(name, prop, request.indent), sort)


def _task_skeleton(request: _KeyRequest, sort: str) -> Item:
    snippet = f"+${{1:name}}:\n{request.indent}  $0"
    return _key_item(request, "+task", ItemKind.TASK, "a subtask (+name:)",
                     "A new task; `+` keys run in file order (or concurrently under `_parallel`).", snippet, sort)


def _required_lines(spec: OperatorSpec, indent: str, satisfied: set[str]) -> list[str]:
    lines: list[str] = []
    index = 2
    for parameter in spec.required():
        if parameter.name == "_command" or parameter.name in satisfied:
            continue
        if _types(parameter.schema) == {"object"} or parameter.name in SPECIAL_SUBTASKS:
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
        return f"${{1:{_escape(str(value))}}}"
    return "$1"


def operator_snippet(spec: OperatorSpec, indent: str, satisfied: set[str]) -> str:
    """``op>: <command>`` plus one line per required parameter the task does not get elsewhere."""
    command = spec.parameters.get("_command")
    head = f"{spec.name}>: {_command_placeholder(spec)}" if command is not None else f"{spec.name}>:"
    lines = _required_lines(spec, indent, satisfied)
    return "\n".join([head, *lines]) if lines else head


def _satisfied(spec: OperatorSpec, scope: Scope | None) -> set[str]:
    """Required parameters already supplied by ``_export`` (plain or through a namespace)."""
    if scope is None:
        return set()
    found = set()
    for parameter in spec.required():
        names = [parameter.name, *(f"{ns}.{parameter.name}" for ns in spec.namespaces)]
        if any(name in scope.variables for name in names):
            found.add(parameter.name)
    return found


def _operator_items(request: _KeyRequest, scope: Scope | None) -> Iterator[Item]:
    for spec in catalog():
        detail = f"operator {spec.name}>"
        required = [p.name for p in spec.required() if p.name != "_command"]
        if required:
            detail += f" (requires {', '.join(required)})"
        snippet = operator_snippet(spec, request.indent, _satisfied(spec, scope))
        yield _key_item(request, f"{spec.name}>", ItemKind.OPERATOR, detail, spec.description, snippet, "3")


def _present_keys(frame: Frame, context: Context) -> set[str]:
    keys = set(context.siblings)
    if frame.task is not None and frame.kind == FrameKind.TASK:
        keys |= set(frame.task.config.keys())
    if context.line_key is not None and not context.in_value:
        keys.discard(context.line_key)
    return keys


def _operator_of(keys: set[str]) -> str | None:
    for key in sorted(keys):
        if key.endswith(">") and not key.startswith("+"):
            return key[:-1]
    return None


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


def _directive_items(request: _KeyRequest, frame: Frame, operator: str | None, present: set[str]) -> Iterator[Item]:
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
        described = _property_doc(group_schema, directive) if group else {}
        shape = described or schema  # a group's own rules (`_disable` only takes true there)
        doc = str(described.get("description") or schema.get("description", ""))
        yield _key_item(request, directive, ItemKind.DIRECTIVE, _detail(shape, "directive, "), doc,
                        key_snippet(directive, shape, request.indent), "2")


def _parameter_items(request: _KeyRequest, spec: OperatorSpec, present: set[str],
                     scope: Scope | None) -> Iterator[Item]:
    satisfied = _satisfied(spec, scope)
    for parameter in spec.parameters.values():
        name = parameter.name
        if name == "_command" or name in present or name.startswith("_"):
            continue
        needed = parameter.required and name not in satisfied
        label = "required, " if needed else "required (set by _export), " if parameter.required else ""
        yield _key_item(request, name, ItemKind.PARAMETER, _detail(parameter.schema, label), parameter.description,
                        key_snippet(name, parameter.schema, request.indent), "0" if needed else "1")


def _task_keys(request: _KeyRequest, frame: Frame, scope: Scope | None, present: set[str]) -> Iterator[Item]:
    if frame.top:
        yield from _schema_keys(request, catalog().schema("workflow"), present, ItemKind.KEY, "1")
        yield _task_skeleton(request, "0")
        return
    operator = _operator_of(present)
    if operator is None and "_type" in present and frame.task is not None and frame.task.operator is not None:
        operator = frame.task.operator.name
    if operator is None:
        yield from _operator_items(request, scope)
        yield _task_skeleton(request, "4")
    spec = catalog().operator(operator) if operator is not None else None
    if spec is not None:
        yield from _parameter_items(request, spec, present, scope)
    yield from _directive_items(request, frame, operator, present)


def _schedule_keys(request: _KeyRequest, present: set[str]) -> Iterator[Item]:
    schema = catalog().schema("schedule") or {}
    type_keys = [str(k) for k in schema.get("x-dig-type-keys", [])]
    has_type = any(key in present for key in (*type_keys, "_type"))
    for name, prop in schema.get("properties", {}).items():
        if name in present or not isinstance(prop, dict) or (has_type and name in (*type_keys, "_type")):
            continue
        example = _example(prop)
        if name in type_keys:
            value = f"${{1:{_escape(example)}}}" if example else "$1"
            snippet = f"{_escape(name)}: {value}"
            detail = f"schedule type, e.g. {name} {example}" if example else "schedule type"
            yield _key_item(request, name, ItemKind.KEY, detail, str(prop.get("description", "")), snippet, "0")
        elif name not in ("_command", "at"):
            yield _key_item(request, name, ItemKind.KEY, _detail(prop), str(prop.get("description", "")),
                            key_snippet(name, prop, request.indent), "1")


_EXAMPLE = re.compile(r"e\.g\. `([^`]+)`")


def _example(schema: dict[str, Any]) -> str:
    found = _EXAMPLE.search(str(schema.get("description", "")))
    return found.group(1) if found else ""


def _export_keys(request: _KeyRequest, frame: Frame, present: set[str]) -> Iterator[Item]:
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
                yield _key_item(request, root, ItemKind.KEY, "parameter namespace", doc,
                                f"{_escape(root)}:\n{request.indent}  $0", "1")
        for directive in ("_secrets", "_workdir"):
            if directive not in present:
                schema = _directive_schema(directive)
                yield _key_item(request, directive, ItemKind.DIRECTIVE, _detail(schema, "directive, "),
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
            yield _key_item(request, parameter.name, ItemKind.PARAMETER, _detail(parameter.schema, f"{spec.name}> "),
                            parameter.description, key_snippet(parameter.name, parameter.schema, request.indent), "1")


def _key_items(context: Context, frame: Frame, scope: Scope | None) -> Iterator[Item]:
    request = _KeyRequest(context, " " * context.column)
    present = _present_keys(frame, context)
    if frame.kind == FrameKind.TASK:
        yield from _task_keys(request, frame, scope, present)
    elif frame.kind == FrameKind.SCHEDULE:
        yield from _schedule_keys(request, present)
    elif frame.kind == FrameKind.SLA:
        yield from _schema_keys(request, catalog().schema("sla"), present, ItemKind.KEY, "1")
        yield _task_skeleton(request, "2")
    elif frame.kind == FrameKind.DIRECTIVE:
        yield from _schema_keys(request, _directive_schema(frame.name), present, ItemKind.KEY, "1")
    elif frame.kind == FrameKind.EXPORT:
        yield from _export_keys(request, frame, present)


# --------------------------------------------------------------------------------------------
# Value completions


@dataclass(frozen=True)
class _ValueRequest:
    """What value items need: the context, the typed value so far, and its replaced range."""

    context: Context
    typed: str
    lead: str  # a space when the cursor sits right after ':'


def _value_item(request: _ValueRequest, label: str, kind: ItemKind, detail: str, doc: str = "",
                sort: str = "1", start: int | None = None) -> Item:
    begin = request.context.value_start if start is None else start
    return Item(label, kind, detail, doc, request.lead + label, begin, request.context.key_end, None, sort)


def _schema_values(request: _ValueRequest, schema: dict[str, Any]) -> Iterator[Item]:
    values = schema.get("enum")
    default = schema.get("default")
    if not isinstance(values, list) and _types(schema) & {"boolean"}:
        values = [True, False]
    if not isinstance(values, list):
        return
    for value in values:
        if isinstance(value, str | int | bool):
            text = _scalar_text(value)
            detail = "default" if default is not None and _scalar_text(default) == text else "value"
            yield _value_item(request, text, ItemKind.VALUE, detail, str(schema.get("description", "")),
                              "0" if detail == "default" else "1")


def _timezones(request: _ValueRequest) -> Iterator[Item]:
    for zone in sorted(region_ids() | {"UTC"}):
        yield _value_item(request, zone, ItemKind.TIMEZONE, "time zone", sort="0" if zone == "UTC" else "1")


_FILE_SUFFIXES: dict[str, tuple[str, ...] | None] = {
    "sql": (".sql",), "dig": (".dig",), "yml": (".yml", ".yaml"), "json-or-yml": (".json", ".yml", ".yaml"),
    "ruby-file": (".rb",), "mail-body": None,
    "script": (".sh", ".bash", ".py", ".rb", ".pl", ".js", ".R", ".r"),
}


def _file_items(request: _ValueRequest, kind: str, workdir: str, root: str, current: str) -> Iterator[Item]:
    """Entries of the folder the typed path points into: subfolders and files of the wanted kind."""
    if kind not in _FILE_SUFFIXES:
        return
    suffixes = _FILE_SUFFIXES[kind]
    typed = request.typed
    if kind == "script":  # a command line: complete its last word
        typed = "" if not typed or typed[-1].isspace() else typed.split()[-1]
    folder, slash, tail = typed.rpartition("/")
    directory = os.path.normpath(os.path.join(workdir, folder))
    if os.path.isabs(folder) or not is_inside(directory, root):
        return
    start = request.context.offset - len(tail)
    lead = "" if slash else request.lead
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.normpath(entry.path)
        if entry.is_dir():
            yield Item(entry.name + "/", ItemKind.FOLDER, "folder", "", lead + entry.name + "/", start,
                       request.context.key_end, None, "1")
        elif (suffixes is None or entry.name.endswith(suffixes)) and path != current:
            shown = os.path.relpath(path, workdir)
            yield Item(entry.name, ItemKind.FILE, f"{kind} file {shown}", "", lead + entry.name, start,
                       request.context.key_end, None, "0")


def _workflow_items(request: _ValueRequest, project: ProjectModel, current: str) -> Iterator[Item]:
    names = {workflow_name(path) for path in discovery.workflow_files(project.root)}
    names |= {wf.name for wf in project.workflows if not wf.is_called}
    names.discard(workflow_name(current))
    for name in sorted(names):
        yield _value_item(request, name, ItemKind.WORKFLOW, f"workflow {name}.dig")


def _after_items(request: _ValueRequest, frame: Frame) -> Iterator[Item]:
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


def _value_items(context: Context, frame: Frame, project: ProjectModel, workflow: Workflow | None,
                 path: str) -> Iterator[Item]:
    key = context.key or ""
    typed = context.typed
    lead = " " if context.prefix.endswith(":") and not context.block else ""
    request = _ValueRequest(context, typed, lead)
    if frame.kind == FrameKind.TASK:
        yield from _task_values(request, frame, project, workflow, path, key)
    elif frame.kind == FrameKind.SCHEDULE:
        schema = catalog().schema("schedule") or {}
        prop = _property_doc(schema, key)
        example = _example(prop)
        if example and key.endswith(">") and not typed.strip():
            yield _value_item(request, example.strip("'"), ItemKind.VALUE, f"format of {key}",
                              str(prop.get("description", "")))
        yield from _schema_values(request, prop)
    elif frame.kind == FrameKind.SLA:
        yield from _schema_values(request, _property_doc(catalog().schema("sla"), key))
    elif frame.kind == FrameKind.DIRECTIVE:
        yield from _schema_values(request, _property_doc(_directive_schema(frame.name), key))


def _task_values(request: _ValueRequest, frame: Frame, project: ProjectModel, workflow: Workflow | None,
                 path: str, key: str) -> Iterator[Item]:
    if frame.top and key == "timezone":
        yield from _timezones(request)
        return
    if key == "_after":
        yield from _after_items(request, frame)
        return
    if key == "_type":
        for known in catalog():
            yield _value_item(request, known.name, ItemKind.OPERATOR, f"operator {known.name}>", known.description)
        return
    if key.startswith("_"):
        schema = _property_doc(catalog().schema("workflow" if frame.top else "group"), key) or _directive_schema(key)
        yield from _schema_values(request, schema)
        return
    present = _present_keys(frame, request.context) | ({key} if key else set())
    operator = _operator_of(present)
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
        yield from _file_items(request, kind, workdir, root, path)
    yield from _schema_values(request, parameter.schema)


# --------------------------------------------------------------------------------------------
# Inside `${...}`

MOMENT_METHODS: dict[str, str] = {
    "format": "format(pattern): the time as text, e.g. format('YYYY-MM-DD')",
    "add": "add(amount, unit): a later time, e.g. add(1, 'days')",
    "subtract": "subtract(amount, unit): an earlier time, e.g. subtract(1, 'hours')",
    "startOf": "startOf(unit): the start of the unit, e.g. startOf('month')",
    "endOf": "endOf(unit): the end of the unit, e.g. endOf('month')",
    "toISOString": "toISOString(): ISO 8601 text in UTC",
    "unix": "unix(): seconds since the epoch",
    "valueOf": "valueOf(): milliseconds since the epoch",
    "isBefore": "isBefore(other, unit?): whether this time is earlier",
    "isAfter": "isAfter(other, unit?): whether this time is later",
    "diff": "diff(other, unit?): the difference (milliseconds unless a unit is given)",
    "clone": "clone(): a copy to modify",
    "utc": "utc(): the same instant in UTC mode",
}
"""Common Moment.js 2.21 methods (digdag loads ``moment.min.js``; moment-timezone's ``tz`` is not loaded)."""

_OBJECT_MEMBERS: dict[str, dict[str, str]] = {
    "Math": {name: f"Math.{name}" for name in ("abs", "ceil", "floor", "max", "min", "pow", "random", "round",
                                                 "sqrt", "PI")},
    "JSON": {"parse": "JSON.parse(text)", "stringify": "JSON.stringify(value)"},
}
_HIDDEN_GLOBALS = frozenset({"template", "print", "__t", "__p", "__j"})
# Starts only where a chain can start (not at `.moment(` inside a chain): one try per chain, not per call.
_MOMENT_CALL = re.compile(r"(?<![\w$.])moment\([^()]*\)(?:\.\w+\([^()]*\))*\.([\w$]*)$")
_MEMBER = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.([\w$]*)$")
_NAME = re.compile(r"(?<![\w$.'\"])([A-Za-z_$][\w$]*)?$")


def _open_template(prefix: str) -> int | None:
    """Index in ``prefix`` where the expression of an unclosed ``${`` starts."""
    _, unclosed = find_templates(prefix)
    if unclosed is not None:
        return unclosed.start + 2
    if prefix.endswith("${"):
        return len(prefix)
    return None


def _in_string(expression: str) -> bool:
    quote = ""
    escaped = False
    for char in expression:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
    return bool(quote)


def _variable_detail(scope: Scope, name: str) -> str:
    variable = scope.variables.get(name)
    if variable is not None:
        return f"{variable.origin.value}: {variable.detail}"
    members = sorted(n for n in scope.variables if n.startswith(name + "."))
    if members:
        return f"object: {', '.join(members[:3])}{'…' if len(members) > 3 else ''}"
    return ""


def _expression_items(expression: str, end: int, scope: Scope | None, local: Iterable[str]) -> Iterator[Item]:
    if _in_string(expression):
        return
    moment = _MOMENT_CALL.search(expression)
    if moment is not None:
        start = end - len(moment.group(1))
        for name, doc in MOMENT_METHODS.items():
            yield Item(name, ItemKind.METHOD, "Moment.js method", doc, name, start, end, f"{name}($0)", "0")
        return
    member = _MEMBER.search(expression)
    if member is not None:
        yield from _member_items(member.group(1), end - len(member.group(2)), end, scope)
        return
    word = _NAME.search(expression)
    if word is None:
        return
    start = end - len(word.group(1) or "")
    yield from _name_items(start, end, scope, local)


def _member_items(base: str, start: int, end: int, scope: Scope | None) -> Iterator[Item]:
    if base in _OBJECT_MEMBERS:
        for name, doc in _OBJECT_MEMBERS[base].items():
            yield Item(name, ItemKind.METHOD, f"{base} member", doc, name, start, end, None, "1")
        return
    if scope is None:
        return
    prefix = base + "."
    seen: set[str] = set()
    for full in sorted(scope.variables):
        if not full.startswith(prefix):
            continue
        member = full[len(prefix):].split(".")[0]
        if member in seen:
            continue
        seen.add(member)
        name = prefix + member
        variable = scope.variables.get(name)
        doc = "" if variable is None or variable.span is None else f"defined at line {variable.span.start.line + 1}"
        yield Item(member, ItemKind.MEMBER, _variable_detail(scope, name), doc, member, start, end, None, "0")


def _name_items(start: int, end: int, scope: Scope | None, local: Iterable[str]) -> Iterator[Item]:
    seen: set[str] = set()
    for name in local:
        seen.add(name)
        yield Item(name, ItemKind.VARIABLE, "earlier key of this task", "", name, start, end, None, "0")
    if scope is not None:
        for name in scope.names():
            if name in seen:
                continue
            seen.add(name)
            yield Item(name, ItemKind.VARIABLE, _variable_detail(scope, name), "", name, start, end, None, "1")
    for name in sorted(JS_GLOBALS - _HIDDEN_GLOBALS - seen):
        doc = "Moment.js 2.21 (moment-timezone is not loaded)" if name == "moment" else ""
        yield Item(name, ItemKind.FUNCTION, "JavaScript global", doc, name, start, end, None, "2")


_RAW_KEYS = frozenset({"timezone", "_after", "_background", "_disable"})


def _template_items(context: Context, frame: Frame, project: ProjectModel, offset: int,
                    runtime_params: tuple[str, ...]) -> Iterator[Item] | None:
    """Items inside an unclosed ``${`` (None when the cursor is not in one)."""
    begin = max(0, context.value_start - context.line_start) if context.in_value else 0
    expression_start = _open_template(context.prefix[begin:])
    if expression_start is None:
        return None
    if frame.kind in (FrameKind.SCHEDULE, FrameKind.SLA) or (context.key in _RAW_KEYS and frame.kind == FrameKind.TASK):
        return iter(())
    expression = context.prefix[begin + expression_start:]
    scope: Scope | None = None
    if frame.task is not None:
        scope = project_scopes(project, runtime_params).scope(frame.task)
    local: list[str] = []
    if frame.kind == FrameKind.TASK and frame.task is not None and context.key and not frame.task.is_group:
        keys = frame.task.config.keys()
        if context.key in keys:
            local = [k for k in keys[: keys.index(context.key)] if not k.startswith(("+", "_")) and not k.endswith(">")]
    return _expression_items(expression, offset, scope, local)


# --------------------------------------------------------------------------------------------
# Entry point


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
        templates = _template_items(context, frame, model, offset, runtime_params)
        if templates is not None:
            return Completions(tuple(templates))
        return Completions(tuple(_value_items(context, frame, model, workflow, path)))
    if context.prefix.strip() and not re.fullmatch(r"\s*[\w>+.\-]*", context.prefix):
        return Completions()
    scope = None
    if frame.kind == FrameKind.TASK and frame.task is not None and not frame.top:
        scope = project_scopes(model, runtime_params).scope(frame.task)
    return Completions(tuple(_key_items(context, frame, scope)))
