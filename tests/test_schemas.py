"""The operator catalog: every schema is valid 2020-12, its examples validate, and it is complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from dig_lsp.model.catalog import catalog
from dig_lsp.model.values import digdag_validator
from tests.conftest import ROOT

# schemas/sql/ holds catalogs (data with their sources, not JSON Schemas): tests/test_sql_catalogs.py
SCHEMAS = sorted(path for path in (ROOT / "schemas").rglob("*.json") if path.parent.name != "sql")
# reference §8: every built-in operator
BUILT_IN = sorted([
    "echo", "fail", "if", "loop", "for_each", "for_range", "wait", "notify", "sh", "py", "rb", "embulk", "mail",
    "http", "http_call", "call", "require", "param_get", "param_set", "td", "td_run", "td_load", "td_ddl",
    "td_table_export", "td_wait", "td_wait_table", "td_for_each", "td_partial_delete", "td_result_export", "pg",
    "redshift", "redshift_load", "redshift_unload", "s3_wait", "emr", "bq", "bq_load", "bq_extract", "bq_ddl",
    "gcs_wait",
])
FILE_KINDS = {"sql", "dig", "yml", "mail-body", "json-or-yml", "python-module", "ruby-file", "script"}


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.relative_to(ROOT / "schemas").as_posix() for p in SCHEMAS])
def test_schema_is_valid_and_its_examples_validate(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    assert schema.get("description"), "every schema describes itself"
    examples = schema.get("examples", [])
    assert examples, "every schema has at least one example"
    for example in examples:
        digdag_validator()(schema).validate(example)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_operator_parameter_is_documented(name: str) -> None:
    spec = catalog().operator(name)
    if spec is None:
        pytest.fail(f"schemas/operators/{name}.json is missing")
    assert spec.schema.get("x-dig-operator") == f"{name}>"
    assert spec.schema.get("x-dig-retry") in ("honoured", "ignored")
    assert spec.schema.get("x-dig-source"), "cite the digdag source files"
    for parameter in spec.parameters.values():
        assert parameter.description, f"{name}.{parameter.name} has no description"
        assert parameter.file_kind in (None, *FILE_KINDS)
    for group in (*spec.one_of, *spec.exclusive, *spec.requires.values()):
        assert set(group) <= set(spec.parameters), f"{name}: unknown parameter in a group {group}"


def test_catalog_has_exactly_the_built_in_operators() -> None:
    assert [spec.name for spec in catalog()] == BUILT_IN
