"""How digdag reads a directive (``_parallel``, ``_background``, ``_after``, ``_disable``), each rule once;
and ``Config.getNestedOrGetEmpty``, which reads ``_export``, ``_env`` and ``_secrets`` (:func:`nested_or_empty`).

All four are read by ``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``
(``Context.collect``) on the raw, unevaluated config, when the workflow is compiled:

* ``config.get("_disable", boolean.class, false)`` first, on every task;
* a group's ``_parallel`` with ``ParallelControl.of(config)``
  (``digdag-plugin-utils/src/main/java/io/digdag/util/ParallelControl.java``): a boolean or a text read
  as a boolean, or an object whose ``limit`` is read as an ``int`` (a limit of 0 or less: no limit);
  anything else is ``Invalid _parallel format``. The loop operators read the same way their evaluated
  params (``LoopOperatorFactory``... ``ParallelControl.of(params).copyIfNeeded(generated)``);
* each child's ``_background`` with ``get("_background", boolean.class, false)``;
* each child's ``_after`` with ``getListOrEmpty("_after", String.class)``.

A reading gives what digdag uses and, when digdag throws instead, why (its message, the value quoted
briefly: ``text/quote.py``). What the readings mean for the order of a group's children is
``model/order.py``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from dig_lsp.digdag.coerce import BOOLEAN_TYPE, INT_TYPE, as_boolean, as_int, has_template, is_null, scalar_text
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence, from_python, to_python
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why digdag refuses a value (a ``ConfigException``), and where. ``key``: the key digdag was reading
    when it threw (``limit`` of ``_retry``...); ``node``: the value it refused or, when the key is
    ``missing``, the object that lacks it: what a check needs to word the refusal its own way without
    reading the YAML again."""

    message: str
    span: Span
    key: str = ""
    node: Node | None = None
    missing: bool = False

    @property
    def templated(self) -> bool:
        """The refused value is a text holding ``${...}``: refused as written, it may read once evaluated
        (an operator's config is evaluated before it is read; a group's never is)."""
        return not self.missing and self.node is not None and has_template(self.node)


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    """A directive as digdag reads it: ``value`` (the default when it is absent) and, when digdag throws
    instead of reading it, ``refusals`` (then ``value`` is the default, or what could be read); ``key``:
    where the directive is written (``config.has(key)``), None when it is not; ``node``: its value as
    written, for a message that quotes it (never to be read again)."""

    value: T
    refusals: tuple[Refusal, ...] = ()
    key: Span | None = None
    node: Node | None = None


@dataclass(frozen=True, slots=True)
class Parallel:
    """``ParallelControl``: whether a group's children run in parallel, and in chunks of ``limit`` when it
    is above 0 (``getParallelLimit``)."""

    parallel: bool = False
    limit: int = 0


SEQUENTIAL = Parallel()
# What an absent directive reads as, made once: a task tree has tens of thousands of tasks and most write
# none of them, so each builder asking made a reading per task (a Reading is immutable, safe to share).
_NO_PARALLEL: Reading[Parallel] = Reading(SEQUENTIAL)
_NO_BOOLEAN: Reading[bool] = Reading(False)


@dataclass(frozen=True, slots=True)
class AfterName:
    """One name of an ``_after`` list, as text, with where it is written."""

    name: str
    span: Span


def parallel_control(config: Mapping) -> Reading[Parallel]:
    """``ParallelControl.of(config)``: a refused ``_parallel`` reads as sequential, with the refusal."""
    entry = config.entry("_parallel")
    if entry is None:
        return _NO_PARALLEL
    node, key = entry.value, entry.key_span
    if isinstance(node, Mapping):
        limit = node.get("limit")
        if limit is None:
            return Reading(SEQUENTIAL, (Refusal("Parameter 'limit' is required but not set", node.span, "limit", node,
                                                missing=True),), key, node)
        if is_null(limit):
            return Reading(SEQUENTIAL, (Refusal("Parameter 'limit' is required but null", node.span, "limit",
                                                limit),), key, node)
        number = as_int(limit)
        if number is None:
            return Reading(SEQUENTIAL, (Refusal(refused_conversion(INT_TYPE, "limit", limit), limit.span, "limit",
                                                limit),), key, node)
        return Reading(Parallel(True, max(number, 0)), key=key, node=node)
    if isinstance(node, Scalar) and isinstance(node.value, bool | str):
        value = as_boolean(node)
        if value is None:
            return Reading(SEQUENTIAL, (Refusal(refused_conversion(BOOLEAN_TYPE, "_parallel", node), node.span,
                                                "_parallel", node),), key, node)
        return Reading(Parallel(value), key=key, node=node)
    return Reading(SEQUENTIAL, (Refusal(f"Invalid _parallel format: {_json(node)}", node.span, "_parallel", node),),
                   key, node)


def evaluated_parallel(value: object, span: Span) -> Reading[Parallel]:
    """``ParallelControl.of`` on a loop operator's evaluated params (``LoopOperatorFactory``... call it
    before ``copyIfNeeded``): the generated group's ``_parallel``, or why the operator fails. ``value`` is
    the evaluated value: ``ConfigEvalEngine.evalValue`` (``digdag-core/.../agent/ConfigEvalEngine.java``)
    makes every evaluated ``${...}`` a text node, so ``_parallel: ${p}`` is read as text (corpus
    ``acceptance/parallel/invalid_parallel_variable_loop.dig``): a number there is refused."""
    if value is None:
        return Reading(SEQUENTIAL)
    return parallel_control(Mapping((Entry("_parallel", span, from_python(value, span)),), span))


def background(config: Mapping) -> Reading[bool]:
    """``get("_background", boolean.class, false)``: absent or null is false."""
    return _boolean(config, "_background")


def disabled(config: Mapping) -> Reading[bool]:
    """``get("_disable", boolean.class, false)``: absent or null is false."""
    return _boolean(config, "_disable")


def after(config: Mapping) -> Reading[tuple[AfterName, ...]]:
    """``getListOrEmpty("_after", String.class)``: an array of texts (a number reads as its text); absent
    or null is empty. With refusals, ``value`` holds the items that did read as text."""
    entry = config.entry("_after")
    if entry is None:
        return Reading(())
    node = entry.value
    if is_null(node):
        return Reading((), key=entry.key_span, node=node)
    if not isinstance(node, Sequence):
        return Reading((), (Refusal(refused_conversion("array type", "_after", node), node.span, "_after", node),),
                       entry.key_span, node)
    names = tuple(AfterName(scalar_text(item), item.span) for item in node.items if isinstance(item, Scalar))
    refusals = tuple(Refusal(refused_conversion("string type", "_after", item), item.span, "_after", item)
                     for item in node.items if not isinstance(item, Scalar))
    return Reading(names, refusals, entry.key_span, node)


def _boolean(config: Mapping, key: str) -> Reading[bool]:
    entry = config.entry(key)
    if entry is None:
        return _NO_BOOLEAN
    node = entry.value
    if is_null(node):
        return Reading(False, key=entry.key_span, node=node)
    value = as_boolean(node)
    if value is None:
        return Reading(False, (Refusal(refused_conversion(BOOLEAN_TYPE, key, node), node.span, key, node),),
                       entry.key_span, node)
    return Reading(value, key=entry.key_span, node=node)


def _json(node: Node) -> str:
    return excerpt(json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str))


def refused_conversion(type_name: str, key: str, node: Node) -> str:
    """``Config.propagateConvertException``'s text, the value quoted briefly."""
    kinds = {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}
    kind = "object" if isinstance(node, Mapping) else "array" if isinstance(node, Sequence) \
        else kinds.get(type(node.value), "string")
    return f"Expected {type_name} for key '{key}' but got {_json(node)} ({kind})"


def nested_or_empty(config: Mapping, key: str) -> Reading[Mapping]:
    """``Config.getNestedOrGetEmpty(key)`` (``digdag-client/.../config/Config.java``): absent or null is an
    empty object; any other value that is not an object is refused (``Parameter '<key>' must be an
    object``) and reads as empty. How digdag reads ``_export`` (``TaskConfig.validate``,
    ``WorkflowFile.fromConfig``), ``_env`` (``OperatorManager.callExecutor``) and ``_secrets``."""
    entry = config.entry(key)
    if entry is None:
        return Reading(Mapping((), config.span))
    node = entry.value
    if isinstance(node, Mapping):
        return Reading(node, key=entry.key_span, node=node)
    empty = Mapping((), node.span)
    if is_null(node):
        return Reading(empty, key=entry.key_span, node=node)
    refusal = Refusal(f"Parameter '{key}' must be an object", node.span, key, node)
    return Reading(empty, (refusal,), entry.key_span, node)
