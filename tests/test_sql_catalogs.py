"""The SQL catalogs of ``schemas/sql/`` (see its README): shape, sources, and what the corpora call."""

from __future__ import annotations

import json
import re

from dig_lsp.embedded.td_functions import builtins, near_miss, td_catalog, td_names
from tests.conftest import ROOT

SQL = ROOT / "schemas" / "sql"


def test_every_catalog_names_its_source() -> None:
    trino = json.loads((SQL / "trino.json").read_text(encoding="utf-8"))
    hive = json.loads((SQL / "hive.json").read_text(encoding="utf-8"))
    td = json.loads((SQL / "td.json").read_text(encoding="utf-8"))
    assert trino["grammar"]["source"]
    assert trino["functions"]["source"]
    assert all(hive[part]["source"] for part in ("builtins", "hivemall", "grammar"))
    assert all(entry["source"] and entry["engines"] for entry in td["functions"].values())
    for names in (trino["functions"]["names"], hive["builtins"]["names"], hive["hivemall"]["names"]):
        assert names == sorted(set(names))
        assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", n) for n in names)
    assert all(re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) for name in td["functions"])
    assert len(trino["functions"]["names"]) > 400
    assert len(hive["builtins"]["names"]) > 200


def test_signatures_are_consistent() -> None:
    for function in td_catalog().values():
        assert function.engines
        assert set(function.engines) <= {"presto", "hive"}
        assert function.signature.startswith(function.name + "(")


def test_near_miss_is_only_a_close_unique_name() -> None:
    trino = builtins("trino")
    assert near_miss("caolesce", trino) == "coalesce"
    assert near_miss("aray_agg", trino) == "array_agg"
    assert near_miss("coalesce", trino) is None  # a known name is no miss
    assert near_miss("my_own_thing", trino) is None
    assert near_miss("TD_TIME_RANG", td_names()) == "TD_TIME_RANGE"
