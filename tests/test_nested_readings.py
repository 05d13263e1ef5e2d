"""``_export``, ``_env`` and ``_secrets`` are read once, as digdag reads them (``task.export``,
``task.env``, ``task.secrets``), with digdag's refusals.

Facts: ``Config.getNestedOrGetEmpty`` (digdag-client/.../config/Config.java: absent or null is empty,
another non-object is ``Parameter '<key>' must be an object``); ``GrantedPrivilegedVariables.build``
(digdag-core/.../agent/: each ``_env`` value with ``get(key, String.class)``); ``CommandOperators``
(digdag-plugin-utils/.../util/: ``Invalid _env key name``); ``DefaultSecretProvider.remount``
(digdag-core/.../agent/: ``Illegal value in _secrets``); ``_error`` by ``WorkflowCompiler.
validateSpecialSubtasks`` and ``_check`` by ``TaskConfig.getCheckConfig``, both ``getNestedOrGetEmpty``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dig_lsp.dryrun.options import Options
from dig_lsp.dryrun.run import dry_run
from dig_lsp.model.project import load_project
from dig_lsp.model.workflow import Task, build_workflow
from dig_lsp.syntax.loader import parse
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.files import DiskReader
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
    assert task.export.refusals == ()
    assert task.env.key is None
    assert task.retry.key is None


def test_error_and_check_read_as_objects() -> None:
    task = _task("sh>: x\n_error:\n  - echo>: e\n_check: {echo>: c}")
    assert _messages(task.error.refusals) == ["Parameter '_error' must be an object"]
    assert task.check.refusals == ()
    assert task.check.value.entries[0].key == "echo>"


def test_dry_run_refuses_an_error_task_that_is_not_an_object(tmp_path: Path) -> None:
    """``WorkflowCompiler.validateSpecialSubtasks`` reads ``_error`` with ``getNestedOrGetEmpty`` when it
    compiles the workflow, so a list there (or a text) stops digdag before anything runs, as DL207 says;
    the dry run used to simulate the workflow."""
    path = tmp_path / "wf.dig"
    path.write_text("+a:\n  sh>: x\n  _error:\n    - echo>: e\n", encoding="utf-8")
    project = load_project(str(tmp_path), [str(path)], DiskReader())
    workflow = project.workflow(str(path))
    assert workflow is not None
    run = dry_run(project, workflow, Options(session_time=datetime(2024, 1, 31)))
    assert run.state == "error"
    assert run.tasks == []
    assert run.refused == [f"{path}:4:5: Parameter '_error' must be an object"]
