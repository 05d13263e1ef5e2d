"""``_export``, ``_env`` and ``_secrets`` are read once, as digdag reads them (``task.export``,
``task.env``, ``task.secrets``), with digdag's refusals.

Facts: ``Config.getNestedOrGetEmpty`` (digdag-client/.../config/Config.java: absent or null is empty,
another non-object is ``Parameter '<key>' must be an object``); ``GrantedPrivilegedVariables.build``
(digdag-core/.../agent/: each ``_env`` value with ``get(key, String.class)``); ``CommandOperators``
(digdag-plugin-utils/.../util/: ``Invalid _env key name``); ``DefaultSecretProvider.remount``
(digdag-core/.../agent/: ``Illegal value in _secrets``).
"""

from __future__ import annotations

from dig_lsp.model.workflow import Task, build_workflow
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.source import SourceFile


def _task(body: str) -> Task:
    source = SourceFile("/p/wf.dig", "+t:\n" + "".join(f"  {line}\n" for line in body.splitlines()))
    parsed = parse(source)
    assert isinstance(parsed.root, Mapping)
    return build_workflow("wf", "/p/wf.dig", parsed.root, parsed.root.span).root.children[0]


def _messages(refusals: tuple[object, ...]) -> list[str]:
    return [getattr(refusal, "message", "") for refusal in refusals]


def test_export_reads_as_a_mapping() -> None:
    task = _task("_export: {a: 1}\nsh>: x")
    assert [entry.key for entry in task.export.value.entries] == ["a"]
    assert task.export.refusals == ()


def test_export_null_is_empty_and_a_list_is_refused() -> None:
    assert _task("_export:\nsh>: x").export.value.entries == ()
    refused = _task("_export: [a]\nsh>: x").export
    assert refused.value.entries == ()
    assert _messages(refused.refusals) == ["Parameter '_export' must be an object"]


def test_env_values_read_as_text_and_names_are_checked() -> None:
    env = _task("_env: {A: 1, B: true, 1X: y, C: null, D: [1]}\nsh>: x").env
    assert [(v.name, v.value, v.valid_name) for v in env.value] == [
        ("A", "1", True), ("B", "true", True), ("1X", "y", False), ("C", None, True), ("D", None, True)]
    assert _messages(env.refusals) == [
        "Invalid _env key name: 1X", "Parameter 'C' is required but null",
        "Expected string type for key 'D' but got [1] (array)"]


def test_env_that_is_not_an_object_is_refused() -> None:
    assert _messages(_task("_env: A=1\nsh>: x").env.refusals) == ["Parameter '_env' must be an object"]
    assert _task("_env:\nsh>: x").env.refusals == ()


def test_secrets_leaves() -> None:
    secrets = _task("_secrets: {a: true, b: other.key, c: {d: 1}, e: false}\nsh>: x").secrets
    assert _messages(secrets.refusals) == ["Illegal value in _secrets: 1", "Illegal value in _secrets: false"]
    assert [r.key for r in secrets.refusals] == ["d", "e"]


def test_a_disabled_task_reads_nothing() -> None:
    task = _task("_disable: true\n_export: [a]\n_env: 1\n_retry: x")
    assert task.export.refusals == () and task.env.key is None and task.retry.key is None
