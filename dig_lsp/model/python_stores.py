"""Which variables a ``py>`` target stores, read statically with ``ast`` (never imported).

``digdag.env.store({"a": 1}, b=2)`` stores ``a`` and ``b`` for every later task
(reference §9). Keys that are not literals make the set open: the function may store names
the files do not show, and later "undefined variable" findings must be softened.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from dig_lsp.model.python_targets import module_source, parse_module
from dig_lsp.text.files import FileReader


@dataclass(frozen=True)
class StoredNames:
    """Names a target stores; ``complete`` is False when some store call is not literal."""

    names: tuple[str, ...]
    complete: bool


_UNKNOWN = StoredNames((), False)
_NOTHING = StoredNames((), True)


def _store_calls(tree: ast.AST) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "store":
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "env":
                calls.append(node)
    return calls


def _names(call: ast.Call) -> tuple[list[str], bool]:
    names: list[str] = []
    complete = True
    for argument in call.args:
        if isinstance(argument, ast.Dict):
            for key in argument.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.append(key.value)
                else:
                    complete = False
        else:
            complete = False
    for keyword in call.keywords:
        if keyword.arg is None:
            complete = False
        else:
            names.append(keyword.arg)
    return names, complete


def stored_names(command: str, workdir: str, reader: FileReader) -> StoredNames:
    """What ``py>: command`` stores, as far as its module's source shows (the whole module is read,
    as a method may call helpers that store)."""
    source = module_source(command, workdir, reader)
    if source is None:
        return _UNKNOWN
    return _stored_in(source) if len(source) <= _MEMO_BYTES else _stored_in.__wrapped__(source)


# The memo keeps a few small modules' answers (keyed by their bytes, never by a tree: a large module's tree
# must not outlive its use).
_MEMO_BYTES = 64 * 1024


@lru_cache(maxsize=8)
def _stored_in(source: bytes) -> StoredNames:
    """The names the module ``source`` stores, found once per text: the tasks of a project run the same few
    modules (174 walks of 90 trees over the shared corpus)."""
    module = parse_module(source)
    if module is None:
        return _UNKNOWN
    if source.isascii() and b"store" not in source:
        # no attribute named `store` can be written in it (names are spelt out in the text; only a
        # non-ASCII name could become `store` by Python's NFKC normalisation): nothing to walk
        return _NOTHING
    names: list[str] = []
    complete = True
    for call in _store_calls(module):
        found, literal = _names(call)
        names.extend(found)
        complete = complete and literal
    return StoredNames(tuple(dict.fromkeys(names)), complete)
