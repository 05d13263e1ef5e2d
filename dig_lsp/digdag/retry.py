"""How digdag reads ``_retry``: ``RetryControl``, once, for the checks and the dry run alike.

``digdag-plugin-utils/src/main/java/io/digdag/util/RetryControl.java`` (``RetryControl(config, ...)``)
looks at the ``_retry`` node itself (``getInternalObjectNode().get("_retry")``):

* a number or a text: ``config.get("_retry", int.class)`` is the limit (Jackson's coercions:
  :mod:`dig_lsp.digdag.coerce`), the interval 0, constant;
* an object: ``limit`` with ``get("limit", int.class)`` (required: ``Parameter 'limit' is required but
  not set``/``... but null``); ``interval`` and ``max_interval`` with ``getOptional(..., int.class)``
  (null is absent: 0 and no maximum); ``interval_type`` with ``getOptional(..., String.class)`` then
  ``RetryIntervalType.find`` (``equalsIgnoreCase`` against constant/exponential, else ``Invalid
  retry_interval_type: x``). No other key is read;
* anything else, null included (a JSON null is not a missing node): ``Invalid _retry format:<json>``.

Two readers call it with ``enableByDefault`` false (absent: no retry): ``BaseOperator.run``
(``digdag-plugin-utils/.../util/BaseOperator.java``) on the operator's evaluated config, where a
refusal fails the task, and ``WorkflowExecutor.checkRetry`` (``digdag-core/.../workflow/
WorkflowExecutor.java``) on the stored, unevaluated config of a task whose children failed, where a
refusal is logged (``Ignore retry parameter because of invalid retry configuration``) and the task is
not retried. digdag stops at its first refusal; a reading lists every one, in the order digdag meets
them, so that a check can report them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dig_lsp.digdag.coerce import INT_TYPE, as_int, is_null, scalar_text
from dig_lsp.digdag.directives import Reading, Refusal, refused_conversion
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, to_python
from dig_lsp.text.quote import excerpt

RETRY_KEYS = ("limit", "interval", "interval_type", "max_interval")
INTERVAL_TYPES = ("constant", "exponential")  # RetryIntervalType's texts


@dataclass(frozen=True, slots=True)
class Retry:
    """``RetryControl``'s fields: retry up to ``limit`` times (``evaluate``: ``retryLimit > retryCount``),
    waiting ``interval`` seconds, doubled on each retry when ``interval_type`` is ``exponential`` and
    then capped by ``max_interval`` (``getNextRetryInterval``). ``unread``: the keys of a mapping that
    ``RetryControl`` never reads (digdag ignores them, so they are no refusal)."""

    limit: int = 0
    interval: int = 0
    interval_type: str = "constant"
    max_interval: int | None = None
    unread: tuple[Entry, ...] = ()


NO_RETRY = Retry()


def retry_control(config: Mapping) -> Reading[Retry]:
    """``RetryControl.prepare(config, ..., false)`` on ``config``: absent is :data:`NO_RETRY`; with
    refusals, ``value`` keeps what did read (its ``unread`` keys above all) and is not what digdag uses."""
    entry = config.entry("_retry")
    if entry is None:
        return Reading(NO_RETRY)
    node = entry.value
    if isinstance(node, Mapping):
        return _mapping(node, entry)
    if isinstance(node, Scalar) and isinstance(node.value, int | float | str) and not isinstance(node.value, bool):
        limit = as_int(node)
        if limit is None:
            return Reading(NO_RETRY, (_not_int("_retry", node),), entry.key_span, node)
        return Reading(Retry(limit), key=entry.key_span, node=node)
    text = json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str)
    return Reading(NO_RETRY, (Refusal(f"Invalid _retry format:{excerpt(text)}", node.span, "_retry", node),),
                   entry.key_span, node)


def _mapping(node: Mapping, entry: Entry) -> Reading[Retry]:
    refusals: list[Refusal] = []
    limit_entry = node.entry("limit")
    limit = 0
    if limit_entry is None:
        refusals.append(Refusal("Parameter 'limit' is required but not set", node.span, "limit", node, missing=True))
    elif is_null(limit_entry.value):
        refusals.append(Refusal("Parameter 'limit' is required but null", limit_entry.value.span, "limit",
                                limit_entry.value))
    else:
        limit = _int(limit_entry.value, "limit", refusals) or 0
    interval = _optional_int(node, "interval", refusals) or 0
    maximum = _optional_int(node, "max_interval", refusals)
    kind = _interval_type(node, refusals)
    unread = tuple(item for item in node.entries if item.key not in RETRY_KEYS)
    return Reading(Retry(limit, interval, kind, maximum, unread), tuple(refusals), entry.key_span, node)


def _optional_int(node: Mapping, key: str, refusals: list[Refusal]) -> int | None:
    """``getOptional(key, int.class)``: absent or null is absent."""
    value = node.get(key)
    return None if value is None or is_null(value) else _int(value, key, refusals)


def _int(value: Node, key: str, refusals: list[Refusal]) -> int | None:
    number = as_int(value)
    if number is None:
        refusals.append(_not_int(key, value))
    return number


def _not_int(key: str, value: Node) -> Refusal:
    return Refusal(refused_conversion(INT_TYPE, key, value), value.span, key, value)


def _interval_type(node: Mapping, refusals: list[Refusal]) -> str:
    """``getOptional("interval_type", String.class).transform(RetryIntervalType::find)``: a scalar reads
    as its text (Jackson's String deserializer), an object or array is refused."""
    value = node.get("interval_type")
    if value is None or is_null(value):
        return "constant"
    if not isinstance(value, Scalar):
        refusals.append(Refusal(refused_conversion("string type", "interval_type", value), value.span,
                                "interval_type", value))
        return "constant"
    text = scalar_text(value)
    found = next((kind for kind in INTERVAL_TYPES if equals_ignore_case(text, kind)), None)
    if found is None:
        refusals.append(Refusal(f"Invalid retry_interval_type: {excerpt(text)}", value.span, "interval_type", value))
        return "constant"
    return found


def equals_ignore_case(text: str, other: str) -> bool:
    """Java's ``String.equalsIgnoreCase``: same length, and each pair of characters equal, or equal once
    upper-cased, or once upper- then lower-cased, one ``char`` at a time (so the long s, U+017F, matches ``s`` and the
    Kelvin sign ``k``, where Python's ``lower()`` of the whole text would not)."""
    if len(text) != len(other):
        return False
    for mine, theirs in zip(text, other, strict=True):
        if mine == theirs:
            continue
        upper, upper_other = _char_upper(mine), _char_upper(theirs)
        if upper != upper_other and _char_lower(upper) != _char_lower(upper_other):
            return False
    return True


def _char_upper(char: str) -> str:
    """``Character.toUpperCase``: one character to one (a character Python upper-cases into several,
    such as ``ß``, stays itself)."""
    upper = char.upper()
    return upper if len(upper) == 1 else char


def _char_lower(char: str) -> str:
    lower = char.lower()
    return lower if len(lower) == 1 else char
