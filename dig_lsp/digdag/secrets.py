"""How digdag reads ``_secrets``: which secrets an operator may read, and under which names.

* ``digdag-core/src/main/java/io/digdag/core/agent/OperatorManager.java`` (``callExecutor``):
  ``mergedRequest.getConfig().getNestedOrGetEmpty("_secrets")`` of the merged config (the task's own,
  or one ``_export``ed above it); null is empty, another value that is not an object is refused;
* ``digdag-core/.../agent/DefaultSecretProvider.java`` (``remount``): a requested key is looked up by its
  dot-separated segments; an object goes deeper, a text renames the key, ``true`` grants it (with a
  deprecation warning), anything else throws ``Illegal value in _secrets: <json>`` when a secret is
  requested through it. The reading refuses such a value up front, wherever it is written.
"""

from __future__ import annotations

import json

from dig_lsp.digdag.directives import Reading, Refusal, nested_or_empty
from dig_lsp.syntax.nodes import Mapping, Node, Scalar, to_python
from dig_lsp.text.quote import excerpt


def secret_mounts(config: Mapping) -> Reading[Mapping]:
    """``config``'s ``_secrets`` (the mapping, empty when absent, null or refused), with every value
    ``remount`` would refuse."""
    nested = nested_or_empty(config, "_secrets")
    refusals = list(nested.refusals)
    _leaves(nested.value, refusals)
    return Reading(nested.value, tuple(refusals), nested.key, nested.node)


def _leaves(mapping: Mapping, refusals: list[Refusal]) -> None:
    for entry in mapping.entries:
        value = entry.value
        if isinstance(value, Mapping):
            _leaves(value, refusals)
        elif not _legal(value):
            text = json.dumps(to_python(value), ensure_ascii=False, separators=(",", ":"), default=str)
            refusals.append(Refusal(f"Illegal value in _secrets: {excerpt(text)}", value.span, entry.key, value))


def _legal(value: Node) -> bool:
    """A text (a new name; a ``${...}`` is evaluated into one) or ``true``."""
    return isinstance(value, Scalar) and (isinstance(value.value, str) or value.value is True)
