"""How digdag reads a directive (``_parallel``...), each rule once.

``_parallel`` of a group task (and of the root, compiled as a group) is read by
``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java`` with
``ParallelControl.of(config)`` on the raw, unevaluated config.
"""

from __future__ import annotations

from dig_lsp.digdag.coerce import as_boolean, as_int, is_null
from dig_lsp.syntax.nodes import Mapping, Scalar


def group_parallel(config: Mapping) -> bool | None:
    """Whether a group's children run in parallel, or None when digdag rejects its `_parallel`."""
    node = config.get("_parallel")
    if node is None:
        return False
    if isinstance(node, Mapping):
        limit = node.get("limit")
        return None if limit is None or is_null(limit) or as_int(limit) is None else True
    if isinstance(node, Scalar) and isinstance(node.value, (bool, str)):
        return as_boolean(node)
    return None
