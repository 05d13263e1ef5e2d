"""The floor of a dig-lint run: compose every ``.dig`` file and read every file a run would read.

Why: a linter of YAML files cannot be cheaper than reading its inputs and composing them. Ratios against
this script say how much dig-lint spends on top of that, independently of yamllint (which does its own,
different work). It does what ``dig_lsp/syntax/loader.py`` does first, with the same library and settings:
ruamel.yaml's C composer (``YAML(typ="safe", pure=False).compose_all``) with a resolver that tags each
implicit node by kind only. It then reads (bytes, not parsed) every ``.sql`` file, and every
``.yml``/``.yaml``/``.py``/``.sh`` file: what ``td>``, ``!include``, ``py>`` and ``sh>`` tasks name.

Usage: ``python bench/floor.py DIR...``; prints the number of files and bytes read. Exit code 0.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import nodes as ry
from ruamel.yaml.resolver import VersionedResolver

READ_SUFFIXES = (".sql", ".yml", ".yaml", ".py", ".sh")
_SKIPPED_DIRS = {"node_modules", "__pycache__", "venv"}


class _KindResolver(VersionedResolver):
    """Tags every implicit node by its kind only, as the linter's loader does (no implicit typing)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # noqa: ARG002 - ruamel's signature
        if kind is ry.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:" + ("seq" if kind is ry.SequenceNode else "map")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _KindResolver
    return yaml


def _files(tops: list[str]) -> list[str]:
    found = []
    for top in tops:
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
            found.extend(os.path.join(directory, name) for name in sorted(names))
    return found


def main(argv: list[str]) -> int:
    """Compose the ``.dig`` files and read the others under each directory of ``argv``."""
    composed = read = size = 0
    for path in _files(argv or ["."]):
        if path.endswith(".dig"):
            with open(path, "rb") as handle:
                data = handle.read()
            size += len(data)
            try:
                for _document in _yaml().compose_all(data.decode("utf-8", errors="replace")):
                    pass
            except Exception:  # a file that is not YAML still costs its read
                pass
            composed += 1
        elif path.endswith(READ_SUFFIXES) and os.path.isfile(path):
            with open(path, "rb") as handle:
                size += len(handle.read())
            read += 1
    print(f"floor: composed {composed} .dig files, read {read} other files, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
