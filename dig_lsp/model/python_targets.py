"""Reading a ``py>`` target's signature statically, with ``ast`` (the module is never imported).

Mirrors ``digdag_inspect_command`` in digdag's ``py/runner.py``: ``a.b.C.m`` first tries
module ``a.b.C`` and its attribute ``m``; if that module cannot be imported, module ``a.b``
and its class ``C`` with method ``m``. A class found directly is run through its ``run``
method. Arguments are then matched by name (``inspect.getfullargspec``: positional-or-keyword
arguments; ``self`` skipped); a ``**kwargs`` receives every parameter.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import lru_cache

from dig_lsp.text.files import FileReader
from dig_lsp.text.limits import MAX_PYTHON_BYTES


@dataclass(frozen=True)
class Signature:
    """The callable(s) py> will call, as far as the source shows."""

    qualname: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    takes_all: bool  # some callable has **kwargs


@dataclass(frozen=True)
class Target:
    """Where a ``py>`` command leads: the module file, and the signature or why it is unknown."""

    module_path: str | None
    signature: Signature | None
    missing: str | None  # a name the module surely does not define
    oversized: int | None = None  # the module's size in bytes when it is too large to be analysed
    # which dotted part of the command is the missing name (None: not written, a class's implicit `run`),
    # and the names defined in its place (functions and classes of the module, methods of the class):
    # what a did-you-mean may offer instead
    missing_part: int | None = None
    defined: tuple[str, ...] = ()


def _module_file(workdir: str, dotted: list[str], reader: FileReader) -> tuple[str, bytes] | None:
    """The module's file and its bytes, read once: the signature and the stored keys are read from them
    (each was read three times before, once to see that it exists)."""
    base = os.path.join(workdir, *dotted)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        data = reader.read(candidate)
        if data is not None:
            return candidate, data
    return None


def parse_module(data: bytes) -> ast.Module | None:
    """The tree of a module's bytes (shared: see ``_parse_text``), None when it is too large or no Python."""
    if len(data) > MAX_PYTHON_BYTES:
        return None  # too large to parse within memory bounds: what it defines is unknown
    return _parse_text(data) if len(data) <= _MEMO_BYTES else _parse_text.__wrapped__(data)


# The memo holds a few small modules (a tree takes tens of times its text): the tasks of one project name
# the same few modules, one after the other.
_MEMO_BYTES = 64 * 1024


@lru_cache(maxsize=8)
def _parse_text(data: bytes) -> ast.Module | None:
    """A module's tree, parsed once per text: every ``py>`` task naming a module (and both the target's
    signature and the stored keys) asked for it again, 352 parses for 93 texts over the shared corpus.
    The trees are only read, never changed, so one can be handed to every caller."""
    try:
        return ast.parse(data.decode("utf-8", errors="replace"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _binds_dynamically(module: ast.Module) -> bool:
    """``from x import *`` or ``globals()`` tricks: the module's names cannot be listed."""
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
    return False


def _top_level(module: ast.Module, name: str) -> ast.AST | bool | None:
    """The def/class named ``name``; True if bound some other way; None if not bound at all."""
    found: ast.AST | bool | None = None
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            found = node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                found = True
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found = True
        elif isinstance(node, ast.If | ast.Try | ast.With):
            found = True if found is None and _mentions(node, name) else found
    return found


def _mentions(node: ast.AST, name: str) -> bool:
    return any((isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == name) or
               (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)) for n in ast.walk(node))


def _arguments(function: ast.FunctionDef | ast.AsyncFunctionDef, skip_self: bool) -> tuple[list[str], list[str], bool]:
    args = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    defaults = len(function.args.defaults)
    required = args[: len(args) - defaults]
    optional = args[len(args) - defaults:]
    if skip_self and args:
        if required and required[0] == args[0]:
            required = required[1:]
        else:
            optional = optional[1:]
    return required, optional, function.args.kwarg is not None


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | bool | None:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    # inherited (a base class) or assigned: cannot be known statically
    return None if not cls.bases and not _mentions_in_class(cls, name) else True


def _mentions_in_class(cls: ast.ClassDef, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(cls))


def _class_signature(cls: ast.ClassDef, method: str) -> Signature | str | None:
    found = _method(cls, method)
    if found is None:
        return method
    if found is True or isinstance(found, bool):
        return None
    required, optional, takes_all = _arguments(found, skip_self=True)
    init = _method(cls, "__init__")
    if isinstance(init, ast.FunctionDef | ast.AsyncFunctionDef):
        init_required, init_optional, init_all = _arguments(init, skip_self=True)
        required, optional = required + init_required, optional + init_optional
        takes_all = takes_all or init_all
    elif init is True:
        return None
    return Signature(f"{cls.name}.{method}", tuple(required), tuple(optional), takes_all)


def resolve(command: str, workdir: str, reader: FileReader) -> Target | None:
    """Follow a ``py>`` command to its signature; None when the module is not in the project."""
    fragments = command.split(".")
    if len(fragments) < 2 or not all(part.isidentifier() for part in fragments):
        return None
    name = fragments[-1]
    module_file = _module_file(workdir, fragments[:-1], reader)
    if module_file is not None:
        return _from_module(module_file, name, None, len(fragments) - 1)
    if len(fragments) < 3:
        return None
    module_file = _module_file(workdir, fragments[:-2], reader)
    if module_file is None:
        return None
    return _from_module(module_file, fragments[-2], name, len(fragments) - 2)


def _from_module(module_file: tuple[str, bytes], name: str, method: str | None, part: int) -> Target:
    path, data = module_file
    if len(data) > MAX_PYTHON_BYTES:
        return Target(path, None, None, oversized=len(data))
    module = parse_module(data)
    if module is None or _binds_dynamically(module):
        return Target(path, None, None)
    node = _top_level(module, name)
    if node is None:
        defined = tuple(n.name for n in module.body
                        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))
        return Target(path, None, name, missing_part=part, defined=defined)
    if isinstance(node, ast.ClassDef):
        result = _class_signature(node, method or "run")
        if isinstance(result, str):
            methods = tuple(n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                            and not (n.name.startswith("__") and n.name.endswith("__")))
            return Target(path, None, f"{name}.{result}", missing_part=None if method is None else part + 1,
                          defined=methods)
        return Target(path, result, None)
    if method is None and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        required, optional, takes_all = _arguments(node, skip_self=False)
        return Target(path, Signature(node.name, tuple(required), tuple(optional), takes_all), None)
    return Target(path, None, None)


def module_for(command: str, workdir: str, reader: FileReader) -> ast.Module | None:
    """The parsed module a ``py>`` command loads (``a.b.C.m``: ``a/b/C.py``, else ``a/b.py``)."""
    found = module_source(command, workdir, reader)
    return None if found is None else parse_module(found)


def module_source(command: str, workdir: str, reader: FileReader) -> bytes | None:
    """The bytes of the module :func:`module_for` parses (a caller can rule things out in them first)."""
    fragments = command.split(".")
    if len(fragments) < 2 or not all(part.isidentifier() for part in fragments):
        return None
    for cut in (len(fragments) - 1, len(fragments) - 2):
        if cut >= 1:
            module_file = _module_file(workdir, fragments[:cut], reader)
            if module_file is not None:
                return module_file[1]
    return None
