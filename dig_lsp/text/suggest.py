"""Did-you-mean: which known word a misspelt one may stand for, and which it never stands for.

Every suggestion dig-lint makes (in a message or as a fix) goes through :func:`close_matches` or
:func:`plausible`, so one rule holds everywhere: a word is never offered for one whose verb (or other
polar word) it contradicts. Spelling similarity alone would offer ``create_tables`` for
``delete_tables`` (they share most letters), ``param_set>`` for ``param_gte>`` or ``redshift_load>``
for ``redshift_unlod>``; applied, such a rename does the opposite of what was written. Precision
over recall: when in doubt the suggestion is dropped, and the finding stays without one.

How a word is read: it is cut into segments (``_``, ``-``, ``.``, ``/``, ``>``, spaces, camelCase,
letters/digits), each segment lower-cased and brought to a base form (``created``, ``creates``,
``creating`` -> ``create``). A segment of the *written* word may also be a slip of the keyboard of a
polar word (``delet``, ``dorp``, ``gte``: one edit from ``delete``, ``drop``, ``get``); a candidate is
a known, correctly spelt word, so its segments are read as written.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

# Actions: groups of verbs that mean the same thing. Two different actions always disagree: a different
# action is never a spelling slip (``delete_tables`` -> ``empty_tables`` empties the table it meant to
# drop), while a synonym can be (``delete_tables`` -> ``drop_tables``).
_ACTIONS: dict[str, tuple[str, ...]] = {
    "create": ("create", "make", "build", "generate"),
    "remove": ("drop", "delete", "del", "remove", "rm", "destroy", "erase", "purge"),
    "empty": ("empty", "truncate", "clear", "wipe"),
    "insert": ("insert", "add", "append", "prepend"),
    "update": ("update", "modify", "alter"),
    "upsert": ("upsert", "merge"),
    "replace": ("replace", "overwrite"),
    "rename": ("rename",),
    "copy": ("copy", "cp"),
    "move": ("move", "mv"),
    "keep": ("keep", "retain", "preserve"),
    "enable": ("enable", "activate"),
    "disable": ("disable", "deactivate"),
    "start": ("start", "begin"),
    "stop": ("stop", "end", "finish", "halt"),
    "open": ("open",),
    "close": ("close",),
    "load": ("load",),
    "unload": ("unload",),
    "upload": ("upload",),
    "download": ("download",),
    "import": ("import",),
    "export": ("export",),
    "include": ("include",),
    "exclude": ("exclude",),
    "allow": ("allow", "permit", "accept"),
    "deny": ("deny", "reject", "forbid", "block"),
    "grant": ("grant",),
    "revoke": ("revoke",),
    "attach": ("attach",),
    "detach": ("detach",),
    "read": ("read",),
    "write": ("write",),
    "get": ("get", "fetch"),
    "set": ("set", "put"),
    "push": ("push",),
    "pull": ("pull",),
    "send": ("send",),
    "receive": ("receive",),
    "show": ("show",),
    "hide": ("hide",),
    "encrypt": ("encrypt",),
    "decrypt": ("decrypt",),
    "encode": ("encode",),
    "decode": ("decode",),
    "compress": ("compress",),
    "decompress": ("decompress", "uncompress"),
    "lock": ("lock",),
    "unlock": ("unlock",),
    "commit": ("commit",),
    "rollback": ("rollback",),
    "increment": ("increment", "inc", "increase"),
    "decrement": ("decrement", "dec", "decrease"),
}
# Poles: words that are not actions but have an opposite; only the pairs listed disagree.
_POLES: dict[str, tuple[str, ...]] = {
    "min": ("min", "minimum"), "max": ("max", "maximum"), "first": ("first",), "last": ("last",),
    "before": ("before",), "after": ("after",), "prev": ("prev", "previous"), "next": ("next",),
    "upper": ("upper",), "lower": ("lower",), "asc": ("asc", "ascending"), "desc": ("desc", "descending"),
    "head": ("head",), "tail": ("tail",), "left": ("left",), "right": ("right",), "inner": ("inner",),
    "outer": ("outer",), "input": ("input",), "output": ("output",), "in": ("in",), "out": ("out",),
    "source": ("source", "src"), "destination": ("destination", "dest", "dst"), "true": ("true",),
    "false": ("false",), "on": ("on",), "off": ("off",), "up": ("up",), "down": ("down",), "old": ("old",),
    "new": ("new",), "success": ("success", "succeed"), "failure": ("failure", "fail"), "with": ("with",),
    "without": ("without",),
}
_OPPOSITES: tuple[tuple[str, str], ...] = (
    ("min", "max"), ("first", "last"), ("before", "after"), ("prev", "next"), ("upper", "lower"), ("asc", "desc"),
    ("head", "tail"), ("left", "right"), ("inner", "outer"), ("input", "output"), ("in", "out"),
    ("source", "destination"), ("true", "false"), ("on", "off"), ("up", "down"), ("old", "new"),
    ("success", "failure"), ("with", "without"),
)
# A segment that negates what follows (``no_cache``): present in one word only, the words disagree.
_NEGATIONS = frozenset({"no", "not", "non", "never", "dont", "without"})
# Prefixes that negate a word (``unload``, ``disable``, ``invalid``), when the rest is a word of its own.
_NEGATING_PREFIXES = ("un", "dis", "non", "de", "in", "im", "ir", "il")

_GROUP_OF: dict[str, str] = {word: group for table in (_ACTIONS, _POLES) for group, words in table.items()
                             for word in words}
_OPPOSITE: dict[str, frozenset[str]] = {
    group: frozenset({b for a, b in _OPPOSITES if a == group} | {a for a, b in _OPPOSITES if b == group})
    for group in _POLES
}
_SEGMENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_MIN_FUZZY = 4  # shorter segments one edit apart are as likely different words (set, get, put)
_MIN_PREFIX = 4  # a polar word this long at the start of a segment is read in it ("createtable")


def edit_distance(first: str, second: str, score_cutoff: int | None = None) -> int:
    """Optimal string alignment distance (a swap of two neighbours is one edit), rapidfuzz's: past
    ``score_cutoff`` any larger number stands for "too far".

    Why this wrapper: rapidfuzz is imported when a two-edit likeness is first asked (a misspelt parameter
    or file name), not at start-up. Importing it costs 10-25 ms (its distance modules, its CPU-feature
    probe), a third of what yamllint spends on a whole one-file run; one-edit questions, which even a clean
    file asks, go to :func:`one_edit_distance`.
    """
    return int(_osa().distance(first, second, score_cutoff=score_cutoff))


def one_edit_distance(first: str, second: str) -> int:
    """``edit_distance(first, second, 1)`` without rapidfuzz: 0 (equal), 1 (one substitution, insertion,
    deletion or swap of two neighbours) or 2 (more).

    Why: the one-edit questions (a misspelt variable, a slip of a verb) are asked even by a clean
    one-file run (DL508's did-you-mean for ``${user_id}``), and answering them here in a few string
    comparisons spares that run importing rapidfuzz (10-25 ms, see :func:`edit_distance`).
    """
    if first == second:
        return 0
    if len(first) == len(second):
        differ = [index for index, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differ) == 1:
            return 1
        if len(differ) == 2 and differ[1] == differ[0] + 1:
            i = differ[0]
            return 1 if first[i] == second[i + 1] and first[i + 1] == second[i] else 2
        return 2
    shorter, longer = (first, second) if len(first) < len(second) else (second, first)
    if len(longer) - len(shorter) != 1:
        return 2
    i = next((index for index, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
    return 1 if shorter[i:] == longer[i + 1:] else 2


@functools.cache
def _osa() -> ModuleType:
    from rapidfuzz.distance import OSA

    return OSA


def load_distance() -> None:
    """Import rapidfuzz now rather than at the first two-edit likeness (the CLI, before forking its
    workers: see ``dig_lsp.runner``)."""
    _osa()


def close_matches(word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """difflib's closest ``n`` candidates at ``cutoff`` or above, best first, leaving out every candidate
    that contradicts ``word`` (:func:`contradicts`) before choosing: the best *plausible* ones."""
    options = list(candidates)
    ranked = difflib.get_close_matches(word, options, n=len(options), cutoff=cutoff) if options else []
    return [candidate for candidate in ranked if not contradicts(word, candidate)][:n]


def plausible(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates that do not contradict ``word``, in their order (for callers with their own
    measure of closeness)."""
    return [candidate for candidate in candidates if not contradicts(word, candidate)]


def slips(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates ``word`` is one slip of the keyboard away from (one edit, a swap of neighbours
    counting as one; for three letters only a swap), that do not contradict it: the surest did-you-mean."""
    lowered = word.lower()
    return [c for c in candidates if c != word and (c.lower() == lowered or _slip(lowered, c.lower()))
            and not contradicts(word, c)]


def contradicts(written: str, candidate: str) -> bool:
    """Whether offering ``candidate`` for ``written`` would swap a verb or pole for its opposite
    (``delete_table`` / ``create_tables``, ``param_gte`` / ``param_set``, ``unlod`` / ``load``), or add
    or drop a negation (``no_cache`` / ``cache``)."""
    return _contradicts(written, candidate)


@functools.lru_cache(maxsize=4096)
def _contradicts(written: str, candidate: str) -> bool:
    mine, theirs = _segments(written), _segments(candidate)
    # a segment the candidate has as written is that word, not a slip of a polar one (``mode``, not ``move``)
    my_groups = {group for segment in mine for group in _readings(segment, fuzzy=segment not in theirs)}
    their_groups = {group for segment in theirs for group in _readings(segment, fuzzy=False)}
    my_actions, their_actions = my_groups & _ACTIONS.keys(), their_groups & _ACTIONS.keys()
    if my_actions - their_actions and their_actions - my_actions:
        return True
    for group in (my_groups - their_groups) & _POLES.keys():
        if (_OPPOSITE[group] & their_groups) - my_groups:
            return True
    if {s for s in mine if s in _NEGATIONS} != {s for s in theirs if s in _NEGATIONS}:
        return True
    return any(_negates(a, b) or _negates(b, a) for a in mine for b in theirs if a != b)


def _segments(word: str) -> tuple[str, ...]:
    """The lower-cased words of an identifier, path or key (``createTable_v2`` -> create, table, v, 2)."""
    return tuple(part.lower() for part in _SEGMENT.findall(word))


def _base_forms(segment: str) -> set[str]:
    """The segment and what it may inflect (``created`` -> create, ``dropping`` -> drop)."""
    forms = {segment}
    for suffix, replacements in (("ing", ("", "e")), ("ed", ("", "e")), ("es", ("", "e")), ("s", ("",)),
                                 ("d", ("",)), ("ied", ("y",)), ("ies", ("y",))):
        if segment.endswith(suffix) and len(segment) - len(suffix) >= 2:
            stem = segment[: -len(suffix)]
            forms.update(stem + tail for tail in replacements)
            if len(stem) >= 3 and stem[-1] == stem[-2]:  # stopped, dropping
                forms.add(stem[:-1])
    return forms


@functools.lru_cache(maxsize=8192)
def _readings(segment: str, fuzzy: bool) -> frozenset[str]:
    """The polar groups a segment reads as: a word of one (inflected, or at the start of a longer
    segment); with ``fuzzy``, also one edit from such a word when only one group is that near."""
    if not segment.isalpha():
        return frozenset()  # a number
    forms = _base_forms(segment)
    found = {_GROUP_OF[form] for form in forms if form in _GROUP_OF}
    if found:
        return frozenset(found)
    found = {group for word, group in _GROUP_OF.items()
             if len(word) >= _MIN_PREFIX and segment.startswith(word) and len(segment) > len(word)}
    if found or not fuzzy or len(segment) < 3:
        return frozenset(found)
    near = {group for word, group in _GROUP_OF.items() for form in forms if _slip(form, word)}
    return frozenset(near) if len(near) == 1 else frozenset()


def _slip(form: str, word: str) -> bool:
    """Whether ``form`` is one slip of the keyboard from ``word``: one edit for words of four letters or
    more, only a swap of two neighbours for three-letter ones (``gte``: get; ``set`` is no slip of it)."""
    if len(word) < 3 or abs(len(form) - len(word)) > 1 or form == word:
        return False
    if len(word) < _MIN_FUZZY or len(form) < _MIN_FUZZY:
        return one_swap(form, word)
    return one_edit_distance(form, word) <= 1


def one_swap(form: str, word: str) -> bool:
    """Whether ``form`` is ``word`` with two neighbouring letters swapped: the only slip a short word is
    read as (one edit of a two- or three-letter word is as likely another word)."""
    return len(form) == len(word) and sorted(form) == sorted(word) and one_edit_distance(form, word) == 1


def _negates(a: str, b: str) -> bool:
    """Whether segment ``a`` is segment ``b`` with a negating prefix (``unload``/``load``,
    ``invalid``/``valid``); the rest must be a word of at least four letters."""
    for prefix in _NEGATING_PREFIXES:
        if a.startswith(prefix) and len(a) - len(prefix) >= 4:
            rest = a[len(prefix):]
            if _base_forms(rest) & _base_forms(b):
                return True
    return False
