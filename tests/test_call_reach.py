"""Which project a called workflow belongs to, and what calls reach it (issue: precision on unseen
projects). digdag resolves a called workflow's paths against its folder in the pushed project
(``ProjectArchiveLoader.loadWorkflowFile`` sets ``_workdir``), evaluates a ``call>`` name at run time
(``CallOperatorFactory``), and compiles what ``sla:`` holds besides its options as the ``^sla`` task
(``WorkflowExecutor.addMonitorTask``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dig_lsp.model.targets import plan
from tests.conftest import codes, lint_paths


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _roots(root: Path) -> list[str]:
    return sorted(os.path.relpath(unit.root, root) for unit in plan([str(root)]))


def test_a_chain_of_calls_belongs_to_the_outermost_project(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": "_export:\n  td:\n    database: db\n+main:\n  call>: a/b.dig\n",
        "a/b.dig": "+sub:\n  call>: c/d.dig\n",
        "a/c/d.dig": "+q:\n  td>: ../../queries/q.sql\n",
        "queries/q.sql": "SELECT 1\n",
    })
    assert _roots(tmp_path) == ["."]
    assert lint_paths([tmp_path]) == []


def test_an_sla_that_calls_a_workflow_reaches_it(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": "timezone: UTC\nsla:\n  duration: 01:00:00\n  call>: sub/notify.dig\n+main:\n  echo>: hi\n",
        "sub/notify.dig": "+m:\n  mail>: ../body.txt\n  subject: late\n  to: [a@example.com]\n",
        "body.txt": "late\n",
    })
    assert _roots(tmp_path) == ["."]
    assert "DL408" not in codes(lint_paths([tmp_path]))


def test_a_templated_call_reaches_the_workflows_its_pattern_fits(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": ("_export:\n  td:\n    database: db\n+loop:\n  td_for_each>: queries/list.sql\n  _do:\n"
                   "    call>: \"${td.each.kind == 'x' ? 'sub/' : 'other/'}${td.each.name}\"\n"
                   "+check:\n  if>: ${td.last_results.cnt > 0}\n  _do:\n    echo>: rows\n"),
        "sub/x.dig": ("+count:\n  td>: ../queries/q.sql\n  store_last_results: true\n"
                      "+q:\n  td>: ../queries/q.sql\n  create_table: ${td.each.name}\n"),
        "queries/list.sql": "SELECT 'x' AS name, 'x' AS kind\n",
        "queries/q.sql": "SELECT count(*) AS cnt FROM t\n",
    })
    assert _roots(tmp_path) == ["."]
    # sub/x.dig runs in the project, in the loop's context (td.each), and may store td.last_results
    found = codes(lint_paths([tmp_path]))
    assert not {"DL408", "DL504", "DL502"} & set(found), found


def test_a_templated_call_runs_only_what_fits(tmp_path: Path) -> None:
    _write(tmp_path, {
        "wf.dig": "_export:\n  name: x\n+main:\n  call>: sub/job_${name}.dig\n",
        "sub/job_x.dig": "+a:\n  echo>: ${name}\n",
        "sub/other.dig": "+b:\n  echo>: ${undefined_here}\n",
    })
    assert _roots(tmp_path) == [".", "sub"]


def test_a_workflow_called_twice_reads_what_it_stored_itself(tmp_path: Path) -> None:
    """The second call sees what the first call stored, but the workflow stores the value itself before
    reading it (``call>`` runs the file's tasks as subtasks: CallOperatorFactory), so no caller lacks it."""
    sub = ("+q:\n  td>:\n  query: select 1 as status\n  database: db\n  store_last_results: true\n"
           "+check:\n  echo>: ${td.last_results.status}\n")
    _write(tmp_path, {"main.dig": "+first:\n  call>: sub.dig\n+second:\n  call>: sub.dig\n", "sub.dig": sub})
    assert codes(lint_paths([tmp_path])) == []
    # read before the workflow stores it, only the second call has it (from the first): DL502 stays
    _write(tmp_path, {"sub.dig": "+check:\n  echo>: ${td.last_results.status}\n" + sub.replace("+check", "+again")})
    assert codes(lint_paths([tmp_path])) == ["DL502"]


def test_a_nested_workflow_that_reads_its_project_is_a_piece_of_it(tmp_path: Path) -> None:
    """``digs/common/notice.dig`` calls nothing and nothing calls it, but it reads ``../../contents``: the
    project's folder, which it leaves as a project of its own. It is analysed with the project, as run by a
    call the files do not show (its names come from that call: no DL508)."""
    _write(tmp_path, {
        "wf.dig": "+main:\n  call>: digs/process.dig\n",
        "digs/process.dig": "+start:\n  call>: common/start.dig\n",
        "digs/common/start.dig": "+s:\n  echo>: start\n",
        "digs/common/notice.dig": "+notice:\n  mail>: ../../contents/body.txt\n  subject: ${mail.subject}\n"
                                  "  to: [a@example.com]\n",
        "contents/body.txt": "done\n",
    })
    assert _roots(tmp_path) == ["."]
    [unit] = plan([str(tmp_path)])
    assert os.path.relpath(unit.workflows[-1], tmp_path) == os.path.join("digs", "common", "notice.dig")
    assert codes(lint_paths([tmp_path])) == []
    assert codes(lint_paths([tmp_path / "digs" / "common" / "notice.dig"])) == []  # one file, as an editor asks
    # without the climb, or with a schedule of its own, it stays a project of its own (pushed alone)
    _write(tmp_path, {"digs/common/notice.dig": "+notice:\n  echo>: ${mail_subject}\n"})
    assert _roots(tmp_path) == [".", os.path.join("digs", "common")]
    _write(tmp_path, {"digs/common/notice.dig": "schedule:\n  daily>: 07:00:00\n+notice:\n  sh>: ../../run.sh\n"})
    assert _roots(tmp_path) == [".", os.path.join("digs", "common")]


def test_the_summary_counts_the_workflows_a_project_calls(tmp_path: Path) -> None:
    """`sub/x.dig` is checked as a workflow `wf.dig` calls: the summary line counts it."""
    _write(tmp_path, {"wf.dig": "+a:\n  call>: sub/x.dig\n", "sub/x.dig": "+b:\n  echo>: hi\n"})
    result = subprocess.run([str(Path(sys.executable).parent / "dig-lint"), "--no-cache", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout.strip().splitlines()[-1] == "No problems found in 2 files."
