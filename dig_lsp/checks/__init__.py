"""The checks, and the one place that registers them.

To add a check: write a module here (see ``base.py``), add it to ``_MODULES`` below, add
``tests/fixtures/checks/<CODE>/`` with an ``expected.txt``, and run ``python -m
dig_lsp.cli.docs`` to refresh the README's table.
"""

from __future__ import annotations

from dig_lsp.checks import (
    after_without_parallel,
    background_under_parallel,
    byte_order_mark,
    call_outside_project,
    call_target_not_found,
    duplicate_key,
    export_not_mapping,
    include_cycle,
    include_not_found,
    include_not_mapping,
    include_outside_directory,
    invalid_after,
    invalid_encoding,
    invalid_env,
    invalid_group_key,
    invalid_parallel,
    invalid_retry,
    invalid_schedule_format,
    invalid_schedule_type,
    invalid_secrets,
    invalid_sla,
    invalid_task_name,
    invalid_timezone,
    invalid_workflow_name,
    multiple_documents,
    multiple_operators,
    operator_with_subtasks,
    resource_limit,
    retry_ignored,
    root_not_mapping,
    task_not_mapping,
    unknown_tag,
    unknown_top_level_key,
    unused_schedule_key,
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
    # DL2xx: workflow structure
    unknown_top_level_key,
    invalid_group_key,
    invalid_task_name,
    invalid_workflow_name,
    multiple_operators,
    operator_with_subtasks,
    task_not_mapping,
    background_under_parallel,
    after_without_parallel,
    invalid_after,
    invalid_parallel,
    invalid_retry,
    invalid_env,
    export_not_mapping,
    invalid_secrets,
    retry_ignored,
    # DL3xx: schedule, SLA and time zone
    invalid_schedule_type,
    invalid_schedule_format,
    unused_schedule_key,
    invalid_sla,
    invalid_timezone,
    # DL9xx: the linter itself
    unused_suppression,
)

REGISTRY = Registry(Rule.from_module(module) for module in _MODULES)
