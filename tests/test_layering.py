"""The package's folders follow the data flow, and lower layers never import higher ones.

text < syntax < digdag < model < embedded < analysis < checks < engine < cli / lsp / ide / dryrun, with
``diagnostics`` and ``config`` vocabulary at the bottom. Besides: nothing imports a check module
(``dig_lsp.checks.<rule>``) but the registry in ``dig_lsp/checks/__init__.py`` — helpers two checks
share live in a ``*_support`` module or a lower layer — and only ``dig_lsp.lsp`` talks LSP (pygls,
lsprotocol).
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "dig_lsp"
LAYERS = [
    {"diagnostics", "config", "text"},
    {"syntax"},
    {"digdag"},
    {"model"},
    {"embedded"},
    {"analysis"},
    {"checks"},
    {"engine", "incremental", "cache", "runner"},
    {"cli", "lsp", "ide", "dryrun"},
]
# Modules of dig_lsp/checks/ that are not checks (shared plumbing the checks import).
CHECK_PLUMBING = {"__init__", "base", "registry"}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "dig_lsp":
        return None
    return next((index for index, names in enumerate(LAYERS) if parts[1] in names), None)


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_every_top_level_module_has_a_layer() -> None:
    tops = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.glob("*")
            if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists())}
    assert tops - {"__init__"} == set().union(*LAYERS)


def test_lower_layers_never_import_higher_ones() -> None:
    upward = []
    for module, path in _modules():
        own = _layer(module)
        for imported in _imports(path):
            other = _layer(imported)
            if own is not None and other is not None and other > own:
                upward.append(f"{module} imports {imported}")
    assert upward == []


def _is_check_module(imported: str) -> bool:
    parts = imported.split(".")
    return (len(parts) == 3 and parts[:2] == ["dig_lsp", "checks"] and (PACKAGE / "checks" / f"{parts[2]}.py").exists()
            and parts[2] not in CHECK_PLUMBING and not parts[2].endswith("_support"))


def test_nothing_imports_a_check_module() -> None:
    found = [f"{module} imports {imported}" for module, path in _modules() if module != "dig_lsp.checks"
             for imported in _imports(path) if _is_check_module(imported)]
    assert found == []


def test_only_the_language_server_talks_lsp() -> None:
    found = [f"{module} imports {imported}" for module, path in _modules() if not module.startswith("dig_lsp.lsp")
             for imported in _imports(path) if imported.split(".")[0] in {"pygls", "lsprotocol"}]
    assert found == []


def test_the_wheel_ships_every_package() -> None:
    """pyproject.toml lists the packages by hand (schemas/ is mapped into the wheel): a new folder must be
    listed too, or an installed dig-lint fails with ModuleNotFoundError."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in PACKAGE.rglob("__init__.py")}
    assert found <= listed
