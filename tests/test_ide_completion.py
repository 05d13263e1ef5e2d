"""Completion as a pure function: the context read from text, and the items offered there."""

from __future__ import annotations

from pathlib import Path

import pytest

from dig_lsp.ide.completion import Completions, Item, ItemKind, complete, plain_text
from dig_lsp.model.project import load_project
from dig_lsp.text.files import OverlayReader

CURSOR = "@"


def _complete(root: Path, text: str, name: str = "wf.dig", files: dict[str, str] | None = None,
              runtime: tuple[str, ...] = ()) -> tuple[Completions, str]:
    """Write the project, put the buffer (with ``@`` as the cursor) over ``name`` and complete there."""
    for relative, content in (files or {}).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    offset = text.index(CURSOR)
    buffer = text[:offset] + text[offset + 1:]
    path = str(root / name)
    (root / name).write_text(buffer, encoding="utf-8")
    workflows = sorted(str(p) for p in root.glob("*.dig"))
    project = load_project(str(root), workflows, OverlayReader({path: buffer.encode("utf-8")}))
    return complete(project, path, offset, runtime), buffer


def _labels(result: Completions) -> list[str]:
    return [item.label for item in result.items]


def _item(result: Completions, label: str) -> Item:
    found = [item for item in result.items if item.label == label]
    assert found, f"{label!r} not in {_labels(result)}"
    return found[0]


def _applied(buffer: str, item: Item, snippet: bool = False) -> str:
    text = item.snippet if snippet and item.snippet is not None else item.text
    return buffer[: item.start] + text + buffer[item.end:]


# ------------------------------------------------------------------------------------------ keys


def test_top_level_keys_skip_present_ones_and_offer_a_task_skeleton(tmp_path: Path) -> None:
    result, buffer = _complete(tmp_path, "timezone: UTC\n@\n+a:\n  echo>: x\n")
    labels = _labels(result)
    for key in ("_export", "schedule", "sla", "_error", "_check", "_retry", "_parallel", "+task"):
        assert key in labels
    assert "timezone" not in labels
    assert "td>" not in labels
    skeleton = _item(result, "+task")
    assert skeleton.snippet == "+${1:name}:\n  $0"
    assert skeleton.kind == ItemKind.TASK
    schedule = _item(result, "schedule")
    assert "scheduler" in schedule.documentation
    assert _applied(buffer, schedule) == "timezone: UTC\nschedule:\n  \n+a:\n  echo>: x\n"


def test_empty_task_offers_operators_with_required_parameter_snippets(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  @\n")
    pg = _item(result, "pg>")
    assert pg.kind == ItemKind.OPERATOR
    assert pg.snippet == "pg>: ${1:queries/dedup_master_table.sql}\n  host: $2\n  user: $3\n  database: $4"
    assert pg.text == "pg>: queries/dedup_master_table.sql\n  host: \n  user: \n  database: "
    assert "requires host, user, database" in pg.detail
    assert "+task" in _labels(result)
    assert "_parallel" in _labels(result)  # a group directive: the task has no operator yet
    assert "_do" not in _labels(result)


def test_operator_snippet_leaves_out_parameters_supplied_by_export(tmp_path: Path) -> None:
    text = "_export:\n  td:\n    database: analytics\n+a:\n  +b:\n    @\n"
    result, _ = _complete(tmp_path, text)
    assert _item(result, "td>").snippet == "td>: ${1:queries/daily.sql}"
    assert _item(result, "td_ddl>").snippet == "td_ddl>:"


def test_parameters_of_the_operator_not_yet_written(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  td>: q.sql\n  engine: hive\n  @\n")
    labels = _labels(result)
    assert "engine" not in labels
    assert "td>" not in labels
    assert "sh>" not in labels
    database = _item(result, "database")
    assert database.kind == ItemKind.PARAMETER
    assert database.detail == "required, string"
    assert database.sort < _item(result, "priority").sort
    priority = _item(result, "priority")
    assert priority.detail == "integer, default: 0"
    assert priority.snippet == "priority: ${1:0}"
    assert "_retry" in labels
    assert "_error" in labels
    assert "_check" in labels
    assert "_parallel" not in labels  # only groups and loop operators use it
    assert "_env" not in labels  # only sh>, py>, rb>, embulk>


def test_required_parameter_given_by_export_is_not_marked_required(tmp_path: Path) -> None:
    text = "_export:\n  td:\n    database: analytics\n+a:\n  td>: q.sql\n  @\n"
    result, _ = _complete(tmp_path, text)
    assert _item(result, "database").detail == "required (set by _export), string"


def test_enum_parameter_snippet_offers_its_values_default_first(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  td>: q.sql\n  @\n")
    engine = _item(result, "engine")
    assert engine.snippet == "engine: ${1|presto,hive|}"
    assert "presto | hive" in engine.detail
    assert engine.text == "engine: presto"


def test_directives_depend_on_the_operator_and_the_parent(tmp_path: Path) -> None:
    loop, _ = _complete(tmp_path, "+a:\n  loop>: 3\n  @\n")
    assert "_do" in _labels(loop)
    assert "_parallel" in _labels(loop)
    assert "_else_do" not in _labels(loop)
    shell, _ = _complete(tmp_path, "+a:\n  sh>: run.sh\n  @\n")
    assert "_env" in _labels(shell)
    parallel, _ = _complete(tmp_path, "+p:\n  _parallel: true\n  +a:\n    echo>: x\n  +b:\n    echo>: y\n    @\n")
    assert "_after" in _labels(parallel)
    assert "_background" not in _labels(parallel)
    sequential, _ = _complete(tmp_path, "+p:\n  +a:\n    echo>: x\n  +b:\n    echo>: y\n    @\n")
    assert "_background" in _labels(sequential)
    assert "_after" not in _labels(sequential)


def test_group_disable_only_offers_true_first(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+g:\n  +a:\n    echo>: x\n  @\n")
    assert _item(result, "_disable").snippet == "_disable: ${1|true,false|}"


def test_key_with_colon_already_written_is_replaced_alone(tmp_path: Path) -> None:
    result, buffer = _complete(tmp_path, "+a:\n  ec@ho>: hi\n")
    echo = _item(result, "echo>")
    assert echo.snippet is None
    assert _applied(buffer, echo) == "+a:\n  echo>: hi\n"
    assert "sh>" in _labels(result)  # the key being edited does not count as present


def test_schedule_types_with_their_formats(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "schedule:\n  @\n+a:\n  echo>: x\n")
    daily = _item(result, "daily>")
    assert daily.snippet == "daily>: ${1:07:00:00}"
    assert "07:00:00" in daily.detail
    assert "Sun,09:00:00" in _item(result, "weekly>").detail
    assert "skip_on_overtime" in _labels(result)
    chosen, _ = _complete(tmp_path, "schedule:\n  daily>: 07:00:00\n  @\n+a:\n  echo>: x\n")
    assert "hourly>" not in _labels(chosen)
    assert "start" in _labels(chosen)
    value, _ = _complete(tmp_path, "schedule:\n  weekly>: @\n+a:\n  echo>: x\n")
    assert _labels(value) == ["Sun,09:00:00"]


def test_export_offers_namespaces_then_their_parameters(tmp_path: Path) -> None:
    top, _ = _complete(tmp_path, "_export:\n  @\n+a:\n  echo>: x\n")
    assert "td" in _labels(top)
    assert "_workdir" in _labels(top)
    nested, _ = _complete(tmp_path, "_export:\n  td:\n    @\n+a:\n  echo>: x\n")
    assert "database" in _labels(nested)
    assert "engine" in _labels(nested)


def test_retry_mapping_keys_and_values(tmp_path: Path) -> None:
    keys, _ = _complete(tmp_path, "+a:\n  echo>: x\n  _retry:\n    limit: 3\n    @\n")
    assert set(_labels(keys)) == {"interval", "interval_type", "max_interval"}
    values, _ = _complete(tmp_path, "+a:\n  echo>: x\n  _retry:\n    interval_type: @\n")
    assert _labels(values) == ["constant", "exponential"]


def test_no_completion_in_a_comment(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  echo>: x  # td@\n")
    assert result.items == ()


# ---------------------------------------------------------------------------------------- values


def test_timezone_values_replace_what_was_typed(tmp_path: Path) -> None:
    result, buffer = _complete(tmp_path, "timezone: Asia/To@\n+a:\n  echo>: x\n")
    tokyo = _item(result, "Asia/Tokyo")
    assert tokyo.kind == ItemKind.TIMEZONE
    assert _applied(buffer, tokyo).startswith("timezone: Asia/Tokyo\n")
    assert "UTC" in _labels(result)


def test_value_right_after_the_colon_gets_a_space(tmp_path: Path) -> None:
    result, buffer = _complete(tmp_path, "+a:\n  td>: q.sql\n  engine:@\n")
    assert _labels(result) == ["presto", "hive"]
    assert _item(result, "presto").detail == "default"
    assert _applied(buffer, _item(result, "hive")) == "+a:\n  td>: q.sql\n  engine: hive\n"


def test_boolean_parameter_values(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  td>: q.sql\n  use_ssl: @\n")
    assert _labels(result) == ["true", "false"]


def test_sql_files_under_the_typed_folder(tmp_path: Path) -> None:
    files = {"queries/a.sql": "select 1", "queries/notes.txt": "", "queries/more/b.sql": "", "queries/.hidden.sql": ""}
    result, buffer = _complete(tmp_path, "+a:\n  td>: queries/@\n", files=files)
    assert sorted(_labels(result)) == ["a.sql", "more/"]
    sql = _item(result, "a.sql")
    assert sql.kind == ItemKind.FILE
    assert _applied(buffer, sql) == "+a:\n  td>: queries/a.sql\n"
    top, _ = _complete(tmp_path, "+a:\n  td>: @\n")
    assert "queries/" in _labels(top)


def test_call_lists_workflow_files_but_not_itself(tmp_path: Path) -> None:
    files = {"other.dig": "+x:\n  echo>: x\n", "sub/inner.dig": "+y:\n  echo>: y\n"}
    result, _ = _complete(tmp_path, "+a:\n  call>: @\n", files=files)
    assert sorted(_labels(result)) == ["other.dig", "sub/"]
    inner, _ = _complete(tmp_path, "+a:\n  call>: sub/@\n", files=files)
    assert _labels(inner) == ["inner.dig"]


def test_require_lists_other_workflow_names(tmp_path: Path) -> None:
    files = {"daily.dig": "+x:\n  echo>: x\n", "hourly.dig": "+y:\n  echo>: y\n"}
    result, _ = _complete(tmp_path, "+a:\n  require>: @\n", files=files)
    assert _labels(result) == ["daily", "hourly"]
    assert _item(result, "daily").kind == ItemKind.WORKFLOW


def test_after_offers_earlier_siblings_not_yet_listed(tmp_path: Path) -> None:
    text = "+p:\n  _parallel: true\n  +a:\n    echo>: a\n  +b:\n    echo>: b\n  +c:\n    _after: @\n    echo>: c\n"
    result, buffer = _complete(tmp_path, text)
    assert _labels(result) == ["+a", "+b"]
    assert _applied(buffer, _item(result, "+a")).count("_after: [+a]") == 1
    listed, _ = _complete(tmp_path, text.replace("_after: @", "_after: [+a, @]"))
    assert _labels(listed) == ["+b"]
    block, _ = _complete(tmp_path, text.replace("_after: @", "_after:\n      - @"))
    assert _labels(block) == ["+a", "+b"]


# -------------------------------------------------------------------------------------- templates


def test_variables_in_scope_with_their_origin(tmp_path: Path) -> None:
    text = "_export:\n  td:\n    database: db\n  region: us\n+load:\n  td>: q.sql\n+use:\n  echo>: ${@}\n"
    result, _ = _complete(tmp_path, text, runtime=("target",))
    labels = _labels(result)
    assert "session_time" in labels
    assert "region" in labels
    assert "td" in labels
    assert "target" in labels
    assert "last_session_time" not in labels  # no schedule
    assert _item(result, "region").detail.startswith("_export")
    assert _item(result, "session_time").detail.startswith("built-in")
    assert _item(result, "target").detail.startswith("runtime parameter")
    assert _item(result, "moment").kind == ItemKind.FUNCTION
    assert "__t" not in labels


def test_members_after_a_dotted_prefix(tmp_path: Path) -> None:
    text = "_export:\n  td:\n    database: db\n+load:\n  td>: q.sql\n+use:\n  echo>: ${td.la@}\n"
    result, buffer = _complete(tmp_path, text)
    labels = _labels(result)
    assert "database" in labels
    assert "last_job_id" in labels
    member = _item(result, "last_job_id")
    assert member.detail.startswith("stored")
    assert _applied(buffer, member).endswith("echo>: ${td.last_job_id}\n")


def test_moment_methods(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  echo>: ${moment(session_time).add(1, 'days').@}\n")
    labels = _labels(result)
    assert labels[:3] == ["format", "add", "subtract"]
    assert "tz" not in labels
    assert _item(result, "format").snippet == "format($0)"


def test_earlier_keys_of_the_task_are_visible(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  td>: q.sql\n  engine: hive\n  create_table: t_${@}\n  insert_into: x\n")
    assert _item(result, "engine").detail == "earlier key of this task"
    assert "insert_into" not in _labels(result)


def test_no_variables_inside_a_string_or_a_raw_value(tmp_path: Path) -> None:
    in_string, _ = _complete(tmp_path, "+a:\n  echo>: ${'abc@'}\n")
    assert in_string.items == ()
    raw, _ = _complete(tmp_path, "timezone: ${@}\n+a:\n  echo>: x\n")
    assert raw.items == ()
    closed, _ = _complete(tmp_path, "+a:\n  echo>: ${x} tail@\n")
    assert "session_time" not in _labels(closed)


def test_template_in_a_block_scalar_with_non_ascii_text(tmp_path: Path) -> None:
    text = "+a:\n  sh>: |\n    echo 'héllo 😀' ${sess@\n"
    result, buffer = _complete(tmp_path, text)
    item = _item(result, "session_time")
    assert buffer[item.start:item.end] == "sess"
    assert _applied(buffer, item).endswith("${session_time\n")


def test_loop_variable_inside_do(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "+a:\n  loop>: 3\n  _do:\n    echo>: ${@}\n")
    assert _item(result, "i").detail.startswith("loop")


# ------------------------------------------------------------------------------- broken documents


def test_broken_yaml_still_offers_operators_and_keys(tmp_path: Path) -> None:
    text = "_export:\n  td:\n    database: db\n+a:\n  echo>: x\n+b:\n  t@\n+c:\n  sh>: y\n"
    result, buffer = _complete(tmp_path, text)
    td = _item(result, "td>")
    assert td.snippet == "td>: ${1:queries/daily.sql}"  # database comes from the repaired model's _export
    assert buffer[td.start:td.end] == "t"


def test_broken_yaml_keeps_variables_and_parameters(tmp_path: Path) -> None:
    text = "_export:\n  region: us\n+a:\n  echo>: \"${reg@\n+b:\n  sh>: y\n"
    result, _ = _complete(tmp_path, text)
    assert "region" in _labels(result)
    params, _ = _complete(tmp_path, "+a:\n  td>: q.sql\n  eng@\n  database: d\n")
    assert "engine" in _labels(params)
    assert "database" not in _labels(params)


def test_file_that_is_not_a_mapping_yet(tmp_path: Path) -> None:
    result, _ = _complete(tmp_path, "@")
    assert "timezone" in _labels(result)
    assert "+task" in _labels(result)


# ------------------------------------------------------------------------------------ snippet text


@pytest.mark.parametrize(("snippet", "plain"), [
    ("a: ${1|x,y|}", "a: x"),
    ("k: ${2:de\\}f} $0", "k: de}f "),
    ("echo \\$x $1", "echo $x "),
    ("+${1:name}:\n  $0", "+name:\n  "),
])
def test_plain_text_of_snippets(snippet: str, plain: str) -> None:
    assert plain_text(snippet) == plain
