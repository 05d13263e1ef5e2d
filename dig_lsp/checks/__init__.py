"""The checks, and the one place that registers them.

To add a check: write a module here (see ``base.py``), add it to ``_MODULES`` below, add
``tests/fixtures/checks/<CODE>/`` with an ``expected.txt``, and run ``python -m
dig_lsp.cli.docs`` to refresh the README's table.
"""

from __future__ import annotations

from dig_lsp.checks import (
    byte_order_mark,
    call_outside_project,
    call_target_not_found,
    duplicate_key,
    include_cycle,
    include_not_found,
    include_not_mapping,
    include_outside_directory,
    invalid_encoding,
    multiple_documents,
    resource_limit,
    root_not_mapping,
    unknown_tag,
    unused_suppression,
    yaml_syntax,
)
from dig_lsp.checks.base import Rule
from dig_lsp.checks.registry import Registry

_MODULES = (
    # DL1xx: files, YAML and loading
    yaml_syntax,
    duplicate_key,
    unknown_tag,
    root_not_mapping,
    multiple_documents,
    invalid_encoding,
    byte_order_mark,
    include_not_found,
    include_outside_directory,
    include_cycle,
    include_not_mapping,
    call_target_not_found,
    call_outside_project,
    resource_limit,
    # DL9xx: the linter itself
    unused_suppression,
)

REGISTRY = Registry(Rule.from_module(module) for module in _MODULES)
