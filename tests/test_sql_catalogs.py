"""The SQL catalogs of ``schemas/sql/`` (see its README): shape, sources, and what the corpora call."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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


def test_a_short_name_is_a_near_miss_only_of_its_letters_swapped() -> None:
    """One edit makes ``g`` Hive's ``e`` and ``sqr`` Trino's ``sqrt``: short names are more often the
    warehouse's own functions than typos, so only a swap of two letters is offered."""
    hive, trino = builtins("hive"), builtins("trino")
    assert near_miss("g", hive) is None
    assert near_miss("sqr", trino) is None
    assert near_miss("nl", hive) == "ln"
    assert near_miss("pwo", trino) == "pow"


def test_trino_arity_is_generated_from_the_signatures() -> None:
    """``trino_arity.json`` is what ``trino_arity.py build`` makes of ``trino_signatures.txt``."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(SQL / "trino_arity.py"), "build", "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_trino_arity_reads_each_kind_of_signature() -> None:
    from dig_lsp.embedded.trino_functions import trino_arities

    arities = trino_arities()
    assert arities["round"].counts == {1, 2}
    assert arities["lag"].counts == {1, 2, 3}  # lag(x[, offset [, default_value]])
    assert arities["rand"].counts == {0, 1, 2}  # an alias takes every form of what it stands for
    assert arities["count"].counts == {0, 1}  # count(*) is count()
    assert arities["array_join"].counts == {2, 3}  # the newer page documents the 2-argument form
    assert arities["concat"].at_least == 1
    assert arities["format"].at_least == 1
    assert arities["coalesce"].at_least == 2  # Trino's parser says so
    assert arities["greatest"].at_least == 1  # the page writes two; capped at one
    for special in ("cast", "try_cast", "extract", "position", "trim", "ltrim", "listagg", "approx_percentile"):
        assert special not in arities
    assert not set(arities) & {name.lower() for name in td_names()}
    assert set(arities) <= builtins("trino")
    assert len(arities) > 200
    assert arities["lead"].describe() == "1 to 3 arguments"
    assert arities["map"].describe() == "0 or 2 arguments"
    assert arities["row_number"].describe() == "no arguments"
    assert arities["array_agg"].describe() == "1 argument"


def test_trino_signatures_can_be_extracted_from_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``trino_arity.py extract`` reads both page formats into the sections ``build`` reads."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("trino_arity", SQL / "trino_arity.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    rst = ".. function:: round(x) -> [same as input]\n\n    Rounds.\n\n.. function:: round(x, d) -> [same as input]\n"
    md = (":::{function} lpad(string, size, padstring) -> varchar\nPads.\n:::\n\n"
          "::::{function} position(substring IN string) -> bigint\n")
    (tmp_path / "math.rst").write_text(rst + "    :noindex:\n", encoding="utf-8")
    (tmp_path / "string.md").write_text(md + "::::\n", encoding="utf-8")
    commit = "0" * 40
    text = module.extract(tmp_path, commit)
    assert text.splitlines() == [
        f"## docs/src/main/sphinx/functions/math.rst @ {commit}", "round(x) -> [same as input]",
        "round(x, d) -> [same as input]", "",
        f"## docs/src/main/sphinx/functions/string.md @ {commit}", "lpad(string, size, padstring) -> varchar",
        "position(substring IN string) -> bigint"]
    signatures = tmp_path / "signatures.txt"
    signatures.write_text(text, encoding="utf-8")
    assert {name: [line for line, _ in lines] for name, lines in module.read_signatures(signatures).items()} == {
        "round": ["round(x) -> [same as input]", "round(x, d) -> [same as input]"],
        "lpad": ["lpad(string, size, padstring) -> varchar"],
        "position": ["position(substring IN string) -> bigint"]}
