"""Argument counts of Trino's built-in functions, from the signature lines of its function reference.

Two steps, so that the data can be regenerated and reviewed:

* ``extract DOCS_DIR COMMIT``: print the signature lines of a checkout's ``docs/src/main/sphinx/functions``
  pages (``.. function:: abs(x) -> [same as input]`` in ``.rst``, ``:::{function} ...`` in ``.md``),
  one ``## page @ commit`` section per page, for ``trino_signatures.txt``;
* ``build``: read ``trino_signatures.txt`` and write ``trino_arity.json``: for each function, the
  argument counts some documented overload takes (the union over every page and revision that
  documents it), and for a variadic one the fewest arguments it takes. ``--check`` only compares
  (``tests/test_sql_catalogs.py`` runs it).

What a signature says, and what it is taken to mean:

* ``f(a, b)``: two arguments; ``f()``: none; ``count(*)``: none (Trino's ``count(*)`` is ``count()``);
* ``lead(x[, offset [, default_value]])``: one to three (a part in brackets may be left out);
* ``concat(string1, ..., stringN)``, ``coalesce(value1, value2[, ...])``, ``format(format, args...)``:
  variadic; at least the parameters written before the ellipsis, but never more than one (whether
  ``greatest(x)`` or ``concat_ws(sep)`` is refused is not written anywhere citable), except where
  Trino's own source says more (``AT_LEAST`` below);
* a parameter list with SQL keywords (``cast(value AS type)``, ``extract(field FROM x)``,
  ``position(substring IN string)``, ``trim([...] FROM source)``, ``overlay(... PLACING ...)``): the
  function has a syntax of its own; it is not checked at all.

A function is left out (never checked) when it is in ``UNCHECKED`` below, with the reason, or when any
of its documented signatures has a syntax of its own.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIGNATURES = HERE / "trino_signatures.txt"
OUTPUT = HERE / "trino_arity.json"

# Functions whose documented signatures do not settle their argument counts in Trino 423.
UNCHECKED: dict[str, str] = {
    "trim": "TRIM has a syntax of its own (TRIM(BOTH 'x' FROM s)); the reference also lists trim(string)",
    "ltrim": "the reference lists one argument, but TRIM's characters-to-remove form may rest on "
             "undocumented two-argument forms of ltrim/rtrim",
    "rtrim": "the reference lists one argument, but TRIM's characters-to-remove form may rest on "
             "undocumented two-argument forms of ltrim/rtrim",
    "approx_percentile": "Presto also had forms with an accuracy argument (approx_percentile(x, w, percentage, "
                         "accuracy)); the reference does not say whether Trino 423 still takes them",
    "approx_set": "listed on the aggregate page as a cross-reference only; its overloads are on the "
                  "HyperLogLog page, not read",
    "merge": "listed on the aggregate page as cross-references only (HyperLogLog, qdigest, tdigest pages, not read)",
    "qdigest_agg": "listed on the aggregate page as a cross-reference only (qdigest page, not read)",
    "tdigest_agg": "listed on the aggregate page as a cross-reference only (tdigest page, not read)",
    "listagg": "LISTAGG has a syntax of its own (WITHIN GROUP, ON OVERFLOW); its separator is optional",
}

# Names the reference calls "an alias for" another ("rand: This is an alias for random()"): an alias
# takes every form of what it stands for, documented under either name (the reference shows `rand()`
# only, but Trino's MathFunctions registers each `random` overload with `alias = "rand"`).
ALIASES: dict[str, str] = {
    "arbitrary": "any_value", "ceil": "ceiling", "day_of_month": "day", "dow": "day_of_week", "doy": "day_of_year",
    "every": "bool_and", "pow": "power", "rand": "random", "stddev": "stddev_samp", "substr": "substring",
    "variance": "var_samp", "week_of_year": "week", "yow": "year_of_week",
}

# Variadic minimums Trino's source confirms beyond the cap of one.
AT_LEAST: dict[str, tuple[int, str]] = {
    "coalesce": (2, "Trino's parser refuses coalesce(5): \"The 'coalesce' function must have at least two "
                    "arguments\" (AstBuilder.visitFunctionCall, tested in TestSqlParser)"),
}

_EXTRACT = re.compile(r"^\s*(?:\.\. (?:js:)?function::|:{3,4}\{(?:js:)?function\})\s*(?P<signature>.+?)\s*$")
_KEYWORDS = re.compile(r"\b(?:AS|FROM|IN|PLACING|FOR)\b")
_HEADER = re.compile(r"^## (?P<page>\S+) @ (?P<commit>[0-9a-f]{40})$")


@dataclass(frozen=True)
class Shape:
    """What one signature accepts: fixed counts, or at least ``minimum`` (variadic); ``special`` when its
    parameter list uses SQL keywords (a syntax of its own)."""

    counts: frozenset[int]
    minimum: int | None
    special: bool


def _parameters(text: str) -> list[tuple[str, int]]:
    """Top-level parameters of a parameter list, each with the bracket depth it starts at."""
    found: list[tuple[str, int]] = []
    depth = brackets = 0
    current = ""
    start_brackets = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "[" and depth == 0:
            brackets += 1
            continue
        elif char == "]" and depth == 0:
            brackets -= 1
            continue
        elif char == "," and depth == 0:
            if current.strip():
                found.append((current.strip(), start_brackets))
            current, start_brackets = "", brackets
            continue
        if not current.strip():
            start_brackets = brackets
        current += char
    if current.strip():
        found.append((current.strip(), start_brackets))
    return found


def parse(signature: str) -> tuple[str, Shape] | None:
    """The function name and what it accepts, or None for a line that is not ``name(...)``."""
    match = re.match(r"(?P<name>[a-z_][a-z0-9_]*)\s*\(", signature)
    if match is None:
        return None
    depth, index = 0, match.end() - 1
    for index in range(match.end() - 1, len(signature)):
        depth += {"(": 1, ")": -1}.get(signature[index], 0)
        if depth == 0:
            break
    inner = signature[match.end():index]
    name = match.group("name")
    if _KEYWORDS.search(inner):
        return name, Shape(frozenset(), None, True)
    parameters = _parameters(inner)
    if [text for text, _ in parameters] == ["*"]:
        return name, Shape(frozenset({0}), None, False)
    required = optional = 0
    for text, brackets in parameters:
        if text.endswith("..."):  # `...`, `args...`: what comes before is required, capped at one
            return name, Shape(frozenset(), min(required, 1), False)
        if brackets:
            optional += 1
        else:
            required += 1
    return name, Shape(frozenset(range(required, required + optional + 1)), None, False)


def read_signatures(path: Path = SIGNATURES) -> dict[str, list[tuple[str, str]]]:
    """Signature lines by function name, each with the ``page@commit`` it was read from."""
    found: dict[str, list[tuple[str, str]]] = {}
    where = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        header = _HEADER.match(line)
        if header:
            where = f"{header['page']}@{header['commit'][:12]}"
            continue
        if not line.strip() or line.startswith("#"):
            continue
        parsed = parse(line)
        if parsed is not None:
            found.setdefault(parsed[0], []).append((line, where))
    return found


def build(path: Path = SIGNATURES) -> dict[str, object]:
    """The content of ``trino_arity.json``."""
    functions: dict[str, object] = {}
    skipped: dict[str, str] = {}
    listed = set(json.loads((HERE / "trino.json").read_text(encoding="utf-8"))["functions"]["names"])
    signatures = read_signatures(path)
    for alias, target in ALIASES.items():  # each side takes the other's forms
        both = signatures.get(alias, []) + signatures.get(target, [])
        signatures[alias] = signatures[target] = both
    for name, lines in sorted(signatures.items()):
        shapes = [shape for shape in (parse(line) for line, _ in lines) if shape is not None]
        if name not in listed:
            skipped[name] = "documented after Trino 423 only (not in trino.json's function list)"
            continue
        if name in UNCHECKED:
            skipped[name] = UNCHECKED[name]
            continue
        if any(shape.special for _, shape in shapes):
            skipped[name] = "a syntax of its own (SQL keywords among its arguments)"
            continue
        counts = sorted(set().union(*(shape.counts for _, shape in shapes)))
        minimums = [shape.minimum for _, shape in shapes if shape.minimum is not None]
        entry: dict[str, object] = {"counts": counts}
        if minimums:
            minimum = min(minimums)
            if name in AT_LEAST:
                minimum, why = AT_LEAST[name]
                entry["at_least_source"] = why
            entry["at_least"] = minimum
        entry["sources"] = sorted({where for _, where in lines})
        functions[name] = entry
    return {
        "$comment": "Argument counts of Trino's built-in functions where the function reference settles them. "
                    "Generated by trino_arity.py from trino_signatures.txt: do not edit by hand.",
        "engine": "trino",
        "version": 423,
        "source": "Trino's function reference (docs/src/main/sphinx/functions/*.rst and *.md of "
                  "github.com/trinodb/trino), one revision of each page from before the move to Markdown and "
                  "one recent (after 423); "
                  "each function accepts the union of what its documented overloads take. counts: the "
                  "numbers of arguments some overload takes; at_least: a variadic overload's fewest.",
        "functions": functions,
        "unchecked": skipped,
    }


def extract(docs: Path, commit: str) -> str:
    """Signature lines of every page under ``docs`` (a checkout's ``functions`` folder, at ``commit``)."""
    sections: list[str] = []
    for page in sorted(docs.glob("*.*")):
        if page.suffix not in (".rst", ".md"):
            continue
        lines = [m["signature"] for m in map(_EXTRACT.match, page.read_text(encoding="utf-8").splitlines()) if m]
        if lines:
            sections.append("\n".join([f"## docs/src/main/sphinx/functions/{page.name} @ {commit}", *lines]))
    return "\n\n".join(sections) + "\n"


def _render(data: dict[str, object]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    extract_command = commands.add_parser("extract", help="print the signature lines of a docs checkout")
    extract_command.add_argument("docs", type=Path)
    extract_command.add_argument("commit", help="the commit the checkout is at (40 hex digits)")
    build_command = commands.add_parser("build", help="write trino_arity.json from trino_signatures.txt")
    build_command.add_argument("--check", action="store_true", help="only say whether the file is up to date")
    arguments = parser.parse_args(argv)
    if arguments.command == "extract":
        sys.stdout.write(extract(arguments.docs, arguments.commit))
        return 0
    rendered = _render(build())
    if arguments.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != rendered:
            sys.stderr.write(f"{OUTPUT.name} is out of date: run python {Path(__file__).name} build\n")
            return 1
        return 0
    OUTPUT.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
