"""Files named by operator parameters, resolved the way digdag resolves them.

Relative paths resolve against the task's ``_workdir``: the project root for top-level
workflows (and everything they ``!include``), the called file's folder for ``call>``
targets (reference §1.4, §8, ``util/Workspace.java``). A path that leaves the project is
refused by digdag (``Workspace.getPath``), and is never read here either.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dig_lsp.model.catalog import OperatorSpec
from dig_lsp.model.operators import OperatorTask
from dig_lsp.syntax.nodes import Node, Scalar
from dig_lsp.text.files import is_inside, linked_out
from dig_lsp.text.span import Span

_INTERPRETERS = {"sh", "bash", "zsh", "python", "python3", "ruby", "perl", "node", "Rscript", "source", "."}
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".rb", ".pl", ".js", ".R", ".r")


@dataclass(frozen=True)
class FileReference:
    """A parameter value that names a file: what was written, where, and where it resolves."""

    parameter: str
    kind: str
    written: str
    span: Span
    path: str  # absolute, normalised
    inside: bool
    workdir: str = ""  # what ``written`` is relative to
    linked_out: bool = False  # inside the project as written, outside through a symbolic link (DL115)


def _candidates(op: OperatorTask) -> Iterator[tuple[str, str, Node]]:
    for name, kind in op.spec.file_parameters:
        node = op.command if name == "_command" else op.task.config.get(name)
        if node is None and name == "_command":
            node = op.task.config.get("_command")
        if node is not None:
            yield name, kind, node


def _script_path(command: str) -> tuple[str, int] | None:
    """The relative script a shell command starts with (``tasks/x.sh arg``, ``bash run.sh``)."""
    try:
        words = shlex.split(command.split("\n", 1)[0], posix=True)
    except ValueError:
        return None
    if not words:
        return None
    first = words[0]
    word = words[1] if first in _INTERPRETERS and len(words) > 1 else first
    if "$" in word or word.startswith(("/", "-", "~")):
        return None
    looks_like_path = word.startswith("./") or ("/" in word and word.endswith(_SCRIPT_SUFFIXES))
    if not looks_like_path and not (first in _INTERPRETERS and word.endswith(_SCRIPT_SUFFIXES)):
        return None
    offset = command.find(word)
    return (word, offset) if offset >= 0 else None


def _module_files(dotted: str) -> list[str]:
    """Files that could hold ``a.b.C.m`` for ``py>`` (runner.py imports ``a.b.C``, else ``a.b``)."""
    parts = dotted.split(".")
    found = []
    for cut in (len(parts) - 1, len(parts) - 2):
        if cut >= 1:
            base = os.path.join(*parts[:cut])
            found += [base + ".py", os.path.join(base, "__init__.py")]
    return found


def _value_span(node: Scalar, offset: int, length: int) -> Span:
    """The span of part of a plain or quoted one-line scalar (else the whole value)."""
    span = node.span
    quote = 1 if node.style in ("'", '"') else 0
    if node.style in ("", "'", '"') and span.start.line == span.end.line and "\\" not in node.raw:
        column = span.start.column + quote + offset
        return Span(span.path, span.start._replace(column=column), span.start._replace(column=column + length))
    return span


Substitute = Callable[[str], "str | None"]


def file_references(op: OperatorTask, workdir: str, project_root: str,
                    substitute: Substitute | None = None) -> Iterator[FileReference]:
    """Every statically known file the task names.

    A value with ``${...}`` is used only when ``substitute`` can replace every template in it by
    a known value (e.g. an ``_export`` constant); otherwise it is skipped.
    """
    for name, kind, node in _candidates(op):
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue
        value = node.value
        if "${" in value:
            substituted = substitute(value) if substitute is not None else None
            if substituted is None:
                continue
            value = substituted
            node = Scalar(value, node.raw, "dig-lsp-substituted", node.span)
        text = value.strip()
        if not text:
            continue
        if kind == "script":
            found = _script_path(value)
            if found is None:
                continue
            written, offset = found
            yield _reference(name, kind, written, _value_span(node, offset, len(written)), workdir, project_root)
        elif kind == "python-module":
            if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", text):
                continue
            options = [os.path.normpath(os.path.join(workdir, f)) for f in _module_files(text)]
            existing = next((path for path in options if os.path.isfile(path)), options[0] if options else None)
            if existing is not None:
                inside = is_inside(existing, project_root)
                yield FileReference(name, kind, text, node.span, existing, inside, workdir,
                                    not inside and linked_out(existing, project_root))
        else:
            named = named_file(op.spec, name, kind, text)
            if named is not None:
                yield _reference(name, kind, named, node.span, workdir, project_root)


def named_file(spec: OperatorSpec, name: str, kind: str, text: str) -> str | None:
    """The file a (stripped) value of file parameter ``name`` names, or None when that value names
    none. One rule for the linter and the dry run, which applies it to rendered values."""
    when = spec.parameters[name].schema.get("x-dig-file-when")
    if isinstance(when, str) and not re.search(when, text):
        return None  # e.g. td_load> takes a connector session name unless the value ends in .yml
    suffix = spec.parameters[name].schema.get("x-dig-file-suffix")
    if isinstance(suffix, str) and not text.endswith(suffix):
        text += suffix
    if kind == "ruby-file" and not text.endswith(".rb"):
        text += ".rb"
    return text


def _reference(name: str, kind: str, written: str, span: Span, workdir: str, root: str) -> FileReference:
    path = os.path.normpath(os.path.join(workdir, written))
    inside = not os.path.isabs(written) and is_inside(path, root)
    return FileReference(name, kind, written, span, path, inside, workdir,
                         not inside and not os.path.isabs(written) and linked_out(path, root))
