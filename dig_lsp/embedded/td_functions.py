"""Treasure Data's own SQL functions (UDFs), as data: name, argument count, what each argument is.

Facts come from Treasure Data's public documentation ("Supported Presto and TD Functions" /
"Supported Hive UDFs", https://docs.treasuredata.com and https://api-docs.treasuredata.com),
as quoted by the pages cited on each entry. The catalog is deliberately limited to functions
whose signatures those pages give; other ``TD_*`` functions that exist but whose signatures
could not be cited (the ``TD_IP_TO_*`` and ``TD_URL_*`` families, ``TD_PARSE_AGENT``...) are
listed in ``UNCHECKED`` / ``UNCHECKED_PREFIXES``: known to exist, arguments not checked. An
unknown ``TD_*`` name is only reported when it is close to a catalogued one (a likely typo),
so a real function missing from this list never produces a warning on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

_TD_DOCS = "https://docs.treasuredata.com (Supported Presto and TD Functions)"
_QIITA_TIME = "https://qiita.com/KamekoKameKame/items/11b9b16806754cb44ddf (quotes the TD signatures)"
_QIITA_RANGE = "https://qiita.com/dich1/items/aace84e145dc86d834b6 (quotes support.treasuredata.com)"
_QIITA_ADD = "https://qiita.com/KamekoKameKame/items/3db8a9ee10e4564c13ef (quotes the TD signature)"
_TD_SKILLS = "https://github.com/treasure-data/td-skills sql-skills/time-filtering/SKILL.md, sql-skills/trino/SKILL.md"
_QIITA_SCHEDULED = "https://qiita.com/AkiQ/items/20c4bed4bd2ba3aa0ea0 (TD_SCHEDULED_TIME takes no arguments)"


@dataclass(frozen=True)
class TdFunction:
    """A Treasure Data function: required and optional arguments, and where the facts come from."""

    name: str
    returns: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    source: str

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


CATALOG: dict[str, TdFunction] = {f.name: f for f in (
    TdFunction("TD_TIME_RANGE", "boolean", ("unix_timestamp", "start_time"),
               ("end_time (NULL or omitted: no upper bound)", "default_timezone = 'UTC'"),
               f"{_TD_DOCS}; {_QIITA_RANGE} (`TD_TIME_RANGE(time, '2019-01-01 PDT')` is valid)"),
    TdFunction("TD_TIME_ADD", "long", ("time", "duration ('1d', '-2h', '30m', '10s')"),
               ("default_timezone = 'UTC'",), f"{_TD_DOCS}; {_QIITA_ADD}"),
    TdFunction("TD_TIME_FORMAT", "string", ("unix_timestamp", "format"), ("timezone = 'UTC'",),
               f"{_TD_DOCS}; {_QIITA_TIME}"),
    TdFunction("TD_TIME_PARSE", "long", ("time",), ("default_timezone = 'UTC'",), f"{_TD_DOCS}; {_QIITA_TIME}"),
    TdFunction("TD_DATE_TRUNC", "long", ("unit", "time"), ("default_timezone = 'UTC'",),
               f"{_TD_DOCS}; {_QIITA_TIME}"),
    TdFunction("TD_SCHEDULED_TIME", "long", (), (), f"{_TD_DOCS}; {_QIITA_SCHEDULED}"),
    TdFunction("TD_INTERVAL", "boolean", ("time", "interval ('-1d', '-7d', '-1M/0M', ...)"),
               ("timezone = 'UTC'", "reference time (e.g. TD_SCHEDULED_TIME())"), f"{_TD_DOCS}; {_TD_SKILLS}"),
    TdFunction("TD_TIME_STRING", "string", ("time", "format ('d!', 'h!', 's', ...)"), ("timezone = 'UTC'",),
               f"{_TD_DOCS}; {_TD_SKILLS}"),
)}

UNCHECKED = frozenset({
    "TD_INTERVAL_RANGE", "TD_SESSIONIZE", "TD_SESSIONIZE_WINDOW", "TD_PARSE_AGENT", "TD_PARSE_USER_AGENT",
    "TD_MD5", "TD_FIRST", "TD_LAST", "TD_X_RANK", "TD_LAT_LONG_TO_COUNTRY", "TD_SUBSTRING_INENCODING",
    "TD_DIVIDE", "TD_SUMIF", "TD_AVGIF", "TD_NUMERIC_RANGE", "TD_ARRAY_INDEX", "TD_CURRENCY_CONV",
})
"""Names that exist but are not catalogued: ``TD_SESSIONIZE``/``TD_SESSIONIZE_WINDOW``/``TD_PARSE_AGENT``/
``TD_INTERVAL_RANGE`` appear in TD's own examples (td-skills) and public queries; the rest are recalled
from TD's UDF list without a citable signature. Listing a name only silences the did-you-mean warning
for it; nothing about its arguments is checked."""

UNCHECKED_PREFIXES = ("TD_IP_TO_", "TD_URL_")
"""Function families (``TD_IP_TO_COUNTRY_CODE``, ``TD_URL_ENCODE``...) known to exist, not catalogued."""


def is_known(name: str) -> bool:
    """Whether ``name`` (upper case) is a Treasure Data function this module knows of."""
    return name in CATALOG or name in UNCHECKED or name.startswith(UNCHECKED_PREFIXES)
