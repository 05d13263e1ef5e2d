"""``dig-lint dry-run --show-rendered``: each operator task's parameters and the files its operator
renders, as they would run in the simulated session (text and JSON, pinned here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from dig_lsp.cli.main import main
from tests.conftest import ROOT

FILES = {
    "wf.dig": """\
timezone: UTC
_export:
  td:
    database: sales
  table: t_${session_date_compact}
+load:
  td>: queries/load.sql
  insert_into: ${table}
+mail:
  mail>: body.txt
  subject: "done ${session_date}"
  to: [a@example.com]
+broken:
  mail>: broken.txt
  subject: report
  to: [a@example.com]
+missing:
  td>: queries/nope.sql
+sub:
  call>: sub/called.dig
""",
    "queries/load.sql": "SELECT * FROM src\nWHERE d = '${session_date}' AND db = '${database}' -- ${table}\n",
    "broken.txt": "Rows: ${nope.x}\n",
    "body.txt": "Hello,\nthe load of ${session_date} into ${table} is done.\n",
    "sub/called.dig": "+inner:\n  td>: q.sql\n",
    "sub/q.sql": "SELECT '${session_date}' -- ${td.database}\n",
}

EXPECTED_TEXT = """\
Rendered (what each operator task runs with in this session; its latest attempt):
  +wf+load
    td>: queries/load.sql
    insert_into: t_20240130
    td: {"database": "sales"}
    queries/load.sql (_command), rendered:
      | SELECT * FROM src
      | WHERE d = '2024-01-30' AND db = 'sales' -- t_20240130
  +wf+mail
    mail>: body.txt
    subject: done 2024-01-30
    to: ["a@example.com"]
    body.txt (_command), rendered:
      | Hello,
      | the load of 2024-01-30 into t_20240130 is done.
  +wf+broken
    mail>: broken.txt
    subject: report
    to: ["a@example.com"]
    broken.txt (_command), rendered:
      | Rows: ${nope.x}
      would fail at run time: ${nope.x}: ReferenceError: "nope" is not defined (in broken.txt)
  +wf+missing
    td>: queries/nope.sql
    td: {"database": "sales"}
    queries/nope.sql (_command): not read: no such file (or not a regular file)
  +wf+sub
    call>: sub/called.dig
  +wf+sub^sub+inner
    td>: q.sql
    td: {"database": "sales"}
    sub/q.sql (_command), rendered:
      | SELECT '2024-01-30' -- sales
"""

SCHEMA = json.loads((ROOT / "schemas" / "dryrun.json").read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for relative, text in FILES.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    return tmp_path


def _run(project: Path, *options: str) -> str:
    out = project / "out.txt"
    assert main(["dry-run", str(project / "wf.dig"), "--session-time", "2024-01-30T00:00:00Z",
                 "-o", str(out), *options]) == 0
    return out.read_text(encoding="utf-8")


def test_text_shows_parameters_and_rendered_files(project: Path) -> None:
    text = _run(project, "--show-rendered")
    assert text.endswith("\n\n" + EXPECTED_TEXT)


def test_text_without_the_option_is_unchanged(project: Path) -> None:
    text = _run(project)
    assert "Rendered (" not in text
    assert "t_20240130" not in text  # parameters other than the command are not shown


def test_json_carries_the_same_and_validates(project: Path) -> None:
    document = json.loads(_run(project, "--format", "json", "--show-rendered"))
    Draft202012Validator(SCHEMA).validate(document)
    tasks = {task["full_name"]: task for task in document["tasks"]}
    assert tasks["+wf+load"]["rendered"] == {
        "params": {"td>": "queries/load.sql", "insert_into": "t_20240130", "td": {"database": "sales"}},
        "files": [{"parameter": "_command", "path": "queries/load.sql",
                   "text": "SELECT * FROM src\nWHERE d = '2024-01-30' AND db = 'sales' -- t_20240130\n",
                   "templates": 3, "unevaluated": [], "errors": [], "problem": None}],
    }
    assert tasks["+wf+broken"]["rendered"]["files"][0]["errors"] == [
        '${nope.x}: ReferenceError: "nope" is not defined']
    assert tasks["+wf+missing"]["rendered"]["files"][0]["text"] is None
    assert tasks["+wf"]["rendered"] == {"params": {}, "files": []}
    plain = json.loads(_run(project, "--format", "json"))
    Draft202012Validator(SCHEMA).validate(plain)
    assert all("rendered" not in task for task in plain["tasks"])


def test_a_failed_template_in_the_task_leaves_its_files_unrendered(project: Path) -> None:
    (project / "wf.dig").write_text("+load:\n  td>: queries/load.sql\n  insert_into: ${nope.table}\n",
                                    encoding="utf-8")
    out = project / "out.txt"
    assert main(["dry-run", str(project / "wf.dig"), "--session-time", "2024-01-30T00:00:00Z",
                 "--show-rendered", "-o", str(out)]) == 1
    section = out.read_text(encoding="utf-8").split("Rendered (", 1)[1]
    assert "insert_into: ${nope.table}" in section
    assert "rendered:" not in section  # the operator never starts: digdag stops at the task's own ${...}


def test_files_outside_the_project_are_not_read(project: Path) -> None:
    (project / "wf.dig").write_text("+load:\n  td>: ../outside.sql\n", encoding="utf-8")
    (project.parent / "outside.sql").write_text("SELECT 'secret'\n", encoding="utf-8")
    text = _run(project, "--show-rendered")
    assert "secret" not in text
    assert "../outside.sql (_command): not read: outside the project" in text


def test_schema_examples_validate() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    for example in SCHEMA["examples"]:
        Draft202012Validator(SCHEMA).validate(example)
