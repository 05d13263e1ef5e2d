"""Writes ``dig_lsp/lsp/initialize_shape.py``: the shapes lsprotocol accepts for ``initialize``'s params.

Run ``python tests/initialize_shape_gen.py`` after upgrading lsprotocol; ``tests/test_lsp_front.py`` fails
while the written table differs from what this derives from the installed lsprotocol.
"""

from __future__ import annotations

import collections.abc
import enum
import pprint
import sys
import typing
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types

TARGET = Path(__file__).resolve().parent.parent / "dig_lsp" / "lsp" / "initialize_shape.py"
HEADER = '''# ruff: noqa: E501
"""The JSON shapes lsprotocol accepts for ``initialize``'s params: generated, do not edit.

Written by ``tests/initialize_shape_gen.py`` from the installed lsprotocol (``tests/test_lsp_front.py``
holds it equal). The start-up front (:mod:`dig_lsp.lsp.front`) answers ``initialize`` itself only for
params that fit these shapes, so that pygls, which decodes the same params later, never refuses what the
front accepted. A shape: ``("bool",)``, ``("int",)``, ``("str",)``, ``("null",)``, ``("any",)``,
``("enum", values)``, ``("list", shape)``, ``("union", shapes)`` or ``("class", name)``; a class maps each
JSON key to its shape and whether it is required.
"""

from __future__ import annotations

from typing import Any

ROOT = "InitializeParams"
'''


def _json_name(name: str) -> str:
    name = name[:-1] if name.endswith("_") else name
    parts = name.split("_")
    return parts[0] + "".join(part.title() for part in parts[1:])


def derive() -> dict[str, dict[str, tuple[Any, bool]]]:
    """Every class reachable from ``InitializeParams``: JSON key -> (shape, required)."""
    classes: dict[str, dict[str, tuple[Any, bool]]] = {}

    def shape(kind: Any) -> tuple[Any, ...]:
        origin = typing.get_origin(kind)
        if origin is typing.Union:
            return ("union", tuple(shape(arg) for arg in typing.get_args(kind)))
        if origin in (list, collections.abc.Sequence):
            return ("list", shape(typing.get_args(kind)[0]))
        if kind is typing.Any or kind is types.LSPAny or kind is types.LSPObject:
            return ("any",)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return ("enum", tuple(member.value for member in kind))
        if attrs.has(kind):
            if kind.__name__ not in classes:
                classes[kind.__name__] = {}
                hints = typing.get_type_hints(kind, vars(types))
                classes[kind.__name__] = {_json_name(field.name): (shape(hints[field.name]),
                                                                   field.default is attrs.NOTHING)
                                          for field in attrs.fields(kind)}
            return ("class", kind.__name__)
        simple = {bool: "bool", int: "int", str: "str", type(None): "null"}
        if kind in simple:
            return (simple[kind],)
        raise TypeError(f"no shape for {kind!r}")

    shape(types.InitializeParams)
    return classes


def render() -> str:
    """The module's text."""
    table = pprint.pformat(derive(), width=116, sort_dicts=True)
    return HEADER + "\nCLASSES: dict[str, dict[str, tuple[Any, bool]]] = " + table + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    sys.exit(0)
