"""Did-you-mean never offers a word whose verb or pole contradicts the written one (dig_lsp/text/suggest.py),
in a message or as a fix, wherever a suggestion is made."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rapidfuzz.distance import OSA

from dig_lsp.config import Settings, closest
from dig_lsp.text.suggest import close_matches, contradicts, edit_distance, one_edit_distance, plausible
from tests.conftest import lint_text


@pytest.mark.parametrize(("written", "candidate"), [
    ("delete_table", "create_tables"),
    ("delete_tables", "empty_tables"),  # another action, not a synonym: empties what was meant to be dropped
    ("drop_tabel", "create_table"),
    ("create_tables", "drop_tables"),
    ("insert_into", "delete_from"),
    ("delet_table", "create_table"),  # a slip of the keyboard of delete is still delete
    ("dorp_table", "create_table"),
    ("param_gte", "param_set"),  # gte: get with two letters swapped
    ("redshift_unlod", "redshift_load"),
    ("redshift_load", "redshift_unload"),
    ("createTable", "dropTable"),  # camelCase
    ("createtables", "droptables"),  # a verb at the start of a longer word
    ("enabled", "disable"),  # inflected
    ("start_date", "end_date"),
    ("min_value", "max_value"),
    ("no_cache", "cache"),  # a negation added or dropped
    ("valid", "invalid"),
    ("yes", "no"),
    ("upload_file", "download_file"),
    ("rename_tables", "create_tables"),
])
def test_contradicting_words(written: str, candidate: str) -> None:
    assert contradicts(written, candidate)


@pytest.mark.parametrize(("written", "candidate"), [
    ("create_tabel", "create_table"),
    ("delete_tables", "drop_tables"),  # synonyms: the same action
    ("creat_table", "create_table"),
    ("param_gte", "param_get"),
    ("redshift_unlod", "redshift_unload"),
    ("strat", "start"),
    ("ture", "true"),
    ("selct", "select"),
    ("_retyr", "_retry"),
    ("_exprot", "_export"),
    ("greetin", "greeting"),
    ("Asia/Tokio", "Asia/Tokyo"),
    ("queries/extrct.sql", "queries/extract.sql"),
    ("mode", "load_mode"),  # 'mode' is one edit from 'move', but the candidate has 'mode' as written
    ("create_table", "create_tables"),
])
def test_plausible_words(written: str, candidate: str) -> None:
    assert not contradicts(written, candidate)


def test_close_matches_skips_a_contradiction_for_the_next_plausible_word() -> None:
    names = ["create_tables", "empty_tables", "drop_tables", "rename_tables"]
    assert close_matches("delete_tables", names) == ["drop_tables"]
    assert close_matches("param_gte", ["param_set", "param_get"]) == ["param_get"]
    assert close_matches("delete_table", ["create_table"]) == []
    assert plausible("delete_table", ["create_table", "delete_tables"]) == ["delete_tables"]


def test_configuration_did_you_mean_follows_the_rule() -> None:
    assert closest("unlod", ["load", "unload"]) == "unload"
    assert closest("gte", ["set"]) is None


def _messages_and_fixes(tmp_path: Path, text: str, code: str, files: dict[str, str] | None = None) -> list[str]:
    found = lint_text(tmp_path, text, settings=Settings(select=(code,)), files=files)
    return [d.message + ("" if d.fix is None else f" | fix: {d.fix.title}") for d in found]


def test_no_parameter_rename_between_opposite_verbs(tmp_path: Path) -> None:
    found = _messages_and_fixes(tmp_path, "+a:\n  td_ddl>:\n  delete_table: [t]\n", "DL402")
    assert len(found) == 1
    assert "create_tables" not in found[0]
    assert "empty_tables" not in found[0]
    assert "did you mean 'drop_tables'?" in found[0]
    assert "fix: Rename 'delete_table' to 'drop_tables'" in found[0]


def test_no_parameter_rename_when_only_opposites_are_close(tmp_path: Path) -> None:
    found = _messages_and_fixes(tmp_path, "+a:\n  td>: q.sql\n  delete_table: t\n", "DL402",
                                {"q.sql": "SELECT 1\n"})
    assert len(found) == 1
    assert "did you mean" not in found[0]  # the list of parameters instead
    assert "| fix:" not in found[0]


def test_no_operator_rename_between_opposite_verbs(tmp_path: Path) -> None:
    found = _messages_and_fixes(tmp_path, "+a:\n  param_gte>: k\n", "DL401")
    assert len(found) == 1
    assert "param_get" in found[0]
    assert "param_set" not in found[0]
    found = _messages_and_fixes(tmp_path, "+a:\n  redshift_unlod>: q.sql\n", "DL401")
    assert "'redshift_unload'" in found[0]
    assert "'redshift_load'" not in found[0]


def test_no_variable_suggestion_between_opposite_verbs(tmp_path: Path) -> None:
    text = "_export:\n  create_table_name: t\n+a:\n  echo>: ${delete_table_name}\n"
    found = lint_text(tmp_path, text, settings=Settings(select=("DL502", "DL508")))
    assert all("create_table_name" not in d.message and d.fix is None for d in found)


def test_one_edit_distance_is_rapidfuzz_cut_at_one() -> None:
    """The pure-Python one-edit test (which spares a one-file run importing rapidfuzz) answers as
    rapidfuzz's optimal string alignment with ``score_cutoff=1`` does, for every pair of words of up to
    four letters over three: substitutions, insertions, deletions, neighbour swaps and everything further."""
    words = ["".join(letters) for size in range(5) for letters in itertools.product("abc", repeat=size)]
    for first, second in itertools.product(words, repeat=2):
        assert one_edit_distance(first, second) == OSA.distance(first, second, score_cutoff=1), (first, second)
        assert edit_distance(first, second, 2) == OSA.distance(first, second, score_cutoff=2), (first, second)
