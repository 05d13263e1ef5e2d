"""How digdag reads ``_env``: the environment variables of ``sh>``, ``py>``, ``rb>`` and ``embulk>``.

* ``digdag-core/src/main/java/io/digdag/core/agent/OperatorManager.java`` (``callExecutor``):
  ``mergedRequest.getLocalConfig().getNestedOrGetEmpty("_env")``: the task's own ``_env`` only (never an
  ``_export``ed one); null is empty, another value that is not an object is refused;
* ``digdag-core/.../agent/GrantedPrivilegedVariables.java`` (``build``): each value with
  ``source.get(key, String.class)``: null is ``Parameter '<key>' is required but null``, an object or
  array fails the conversion, another scalar reads as its text;
* ``digdag-plugin-utils/.../util/CommandOperators.java`` (``collectEnvironmentVariables``): each name
  must match ``VALID_ENV_KEY`` (``[a-zA-Z_][a-zA-Z_0-9]*``), else ``Invalid _env key name: <name>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dig_lsp.digdag.coerce import is_null, scalar_text
from dig_lsp.digdag.directives import Reading, Refusal, nested_or_empty, refused_conversion
from dig_lsp.syntax.nodes import Entry, Mapping, Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

VALID_ENV_KEY = re.compile(r"[a-zA-Z_][a-zA-Z_0-9]*")  # CommandOperators.VALID_ENV_KEY


@dataclass(frozen=True, slots=True)
class EnvVariable:
    """One variable: its name, with where; its value as text (None when digdag refuses the value);
    whether the name is one ``CommandOperators`` accepts."""

    name: str
    name_span: Span
    value: str | None
    valid_name: bool


def environment(config: Mapping) -> Reading[tuple[EnvVariable, ...]]:
    """The task's own ``_env`` as digdag reads it. A refusal with ``node`` None is a refused name (its
    ``key`` is the name); one with a node is a refused value, or the ``_env`` that is not an object."""
    nested = nested_or_empty(config, "_env")
    refusals = list(nested.refusals)
    variables = tuple(_variable(entry, refusals) for entry in nested.value.entries)
    return Reading(variables, tuple(refusals), nested.key, nested.node)


def _variable(entry: Entry, refusals: list[Refusal]) -> EnvVariable:
    node = entry.value
    value: str | None = None
    if is_null(node):
        refusals.append(Refusal(f"Parameter '{excerpt(entry.key)}' is required but null", node.span, entry.key, node))
    elif not isinstance(node, Scalar):
        refusals.append(Refusal(refused_conversion("string type", excerpt(entry.key), node), node.span, entry.key,
                                node))
    else:
        value = scalar_text(node)
    valid = VALID_ENV_KEY.fullmatch(entry.key) is not None
    if not valid:
        refusals.append(Refusal(f"Invalid _env key name: {excerpt(entry.key)}", entry.key_span, entry.key))
    return EnvVariable(entry.key, entry.key_span, value, valid)
