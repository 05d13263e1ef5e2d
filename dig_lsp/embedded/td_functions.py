"""Function catalogs as data: Treasure Data's UDFs, Trino's and Hive's built-ins, Hivemall.

* ``schemas/sql/td.json``: Treasure Data's own functions (``TD_*``, ``SMART_DIGEST``), each with its
  source, the engines it was documented for, and its arguments when the signature is certain (only
  then is their count checked, DL603). Names known to exist without a citable signature have no
  arguments listed; the ``TD_IP_TO_*`` and ``TD_URL_*`` families are known as families.
* ``schemas/sql/trino.json`` ``functions``: every function of Trino's function list (Treasure Data
  runs Trino 423).
* ``schemas/sql/hive.json``: Hive 2.3.2's built-ins and Hivemall's functions.

An unknown name is only ever reported when it is a near miss of a known one (a likely typo), so a
real function missing from a list never produces a warning on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from dig_lsp.text.suggest import contradicts, one_swap


@dataclass(frozen=True)
class TdFunction:
    """A Treasure Data function: required and optional arguments, and where the facts come from."""

    name: str
    returns: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    source: str
    engines: tuple[str, ...] = ("presto", "hive")

    @property
    def min_args(self) -> int:
        """Fewest arguments accepted."""
        return len(self.required)

    @property
    def max_args(self) -> int:
        """Most arguments accepted."""
        return len(self.required) + len(self.optional)

    @property
    def signature(self) -> str:
        """``TD_TIME_ADD(time, duration [, default_timezone])``."""
        shown = ", ".join(self.required)
        for argument in self.optional:
            shown += f" [, {argument}]" if shown else f"[{argument}]"
        return f"{self.name}({shown})"


def _read(name: str) -> dict[str, Any]:
    from dig_lsp.model.catalog import schema_root

    data: dict[str, Any] = json.loads(schema_root().joinpath("sql", name).read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _td() -> dict[str, Any]:
    return _read("td.json")


@lru_cache(maxsize=1)
def td_catalog() -> dict[str, TdFunction]:
    """Treasure Data functions whose arguments are certain, by upper-case name."""
    found: dict[str, TdFunction] = {}
    for name, entry in _td()["functions"].items():
        if "required" in entry:
            found[name] = TdFunction(name, entry.get("returns", ""), tuple(entry["required"]),
                                     tuple(entry["optional"]), entry["source"], tuple(entry["engines"]))
    return found


@lru_cache(maxsize=1)
def td_names() -> frozenset[str]:
    """Every Treasure Data function name known to exist (upper case)."""
    return frozenset(_td()["functions"])


def is_known(name: str) -> bool:
    """Whether ``name`` (upper case) is a Treasure Data function this catalog knows of."""
    return name in td_names() or name.startswith(tuple(_td()["unchecked_prefixes"]))


@lru_cache(maxsize=2)
def builtins(engine: str) -> frozenset[str]:
    """The built-in function names (lower case) of ``trino`` or ``hive`` (with Hivemall)."""
    if engine == "trino":
        return frozenset(_read("trino.json")["functions"]["names"])
    data = _read("hive.json")
    return frozenset(data["builtins"]["names"]) | frozenset(data["hivemall"]["names"]) | frozenset(
        data["grammar"]["names"])


_MIN_EDITED = 4


def near_miss(name: str, known: frozenset[str]) -> str | None:
    """The known name ``name`` is most likely a typo of: one edit away (two for names of seven letters
    or more), a swap of two letters counting as one; None when there is none or several at the best
    distance. A name of one to three letters is a typo only of its own letters swapped: one edit turns
    ``g`` into Hive's ``e`` and ``ln`` into ``l``, and such short names are far more often a function the
    query's warehouse defines than a slip of the finger."""
    if len(name) < _MIN_EDITED:
        swapped = [c for c in known if one_swap(name, c)]
        return swapped[0] if len(swapped) == 1 and not contradicts(name, swapped[0]) else None
    limit = 1 if len(name) < 7 else 2
    best: list[str] = []
    best_distance = limit + 1
    for candidate in known:
        if abs(len(candidate) - len(name)) > limit:
            continue
        distance = OSA.distance(name, candidate, score_cutoff=limit)
        if distance > limit:
            continue
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance:
            best.append(candidate)
    if len(best) != 1 or best_distance == 0 or contradicts(name, best[0]):
        return None  # a tie, or a word that means otherwise (the rule of every did-you-mean: text/suggest.py)
    return best[0]

