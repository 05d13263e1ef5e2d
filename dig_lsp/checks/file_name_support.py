"""Did-you-mean for a file name that names no file (DL407, DL108): the existing file it most likely
misspells (not a check itself: it is not registered)."""

from __future__ import annotations

import os
import re

from dig_lsp.checks.base import CheckContext
from dig_lsp.text.files import is_inside, project_directory_names
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import contradicts, edit_distance

# Did-you-mean looks for at most this many missing paths per analysis (each lists a folder of up to
# 2,000 names): a project of thousands of missing files still costs little.
_MAX_SEARCHES = 500


def written_at(ctx: CheckContext, span: Span, written: str) -> Span | None:
    """Where the path is written as is in the file (once inside the reference's span), else None: a
    name built from ``${...}``, completed with a suffix, or written with escapes gets no suggestion."""
    source = ctx.project.files.source(span.path)
    if source is None:
        return None
    text = source.slice(span)
    if "${" in text or "\\" in text or text.count(written) != 1:
        return None
    start = source.at(span.start) + text.index(written)
    return source.span(start, start + len(written))


def existing_instead(ctx: CheckContext, written: str, workdir: str) -> str | None:
    """The path the written one most likely misspells, written the same way (``queries/extrct.sql`` ->
    ``queries/extract.sql``, ``querys/x.sql`` -> ``queries/x.sql``): each folder or file name that does
    not exist replaced by the one near name beside it (see :func:`_near_name`), at most two of them, and
    the result a file the project can read. None when that is not one sure answer."""
    parts = written.split("/")
    if not workdir or "\\" in written or "" in parts[:-1] or not parts[-1]:
        return None
    searches: list[int] = ctx.shared("referenced-file-searches", list)
    if len(searches) >= _MAX_SEARCHES:
        return None
    searches.append(1)
    listings: dict[tuple[str, bool], list[str]] = ctx.shared("referenced-file-listings", dict)
    root = ctx.project.root
    current, fixed, replaced = workdir, [], 0
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        path = os.path.join(current, part)
        if part in (".", "..") or (os.path.isfile(path) if last else os.path.isdir(path)):
            fixed.append(part)
            current = os.path.normpath(path)
            continue
        if (current, not last) not in listings:
            listings[current, not last] = project_directory_names(current, root, directories=not last)
        near = _near_name(part, listings[current, not last], last)
        replaced += 1
        if near is None or replaced > 2:
            return None
        fixed.append(near)
        current = os.path.join(current, near)
    if not replaced or not is_inside(current, root) or ctx.project.files.source(current) is None:
        return None  # read through the project's gate (and so part of the result cache's key)
    return "/".join(fixed)


def _near_name(name: str, names: list[str], is_file: bool) -> str | None:
    """The one name of ``names`` that ``name`` misspells: the same but for letter case, else a file of the
    same extension whose stem is one edit away (two from eight letters on; a swap of neighbours is one
    edit), with the same numbers (``step1`` is not a slip of ``step2``) and no contradicting verb
    (``delete_users`` is not one of ``create_users``). Ties are no answer."""
    same_case = [n for n in names if n.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0]
    stem, extension = os.path.splitext(name) if is_file else (name, "")
    if len(stem) < 3:
        return None
    allowed = 2 if len(stem) >= 8 else 1
    scored: list[tuple[int, str]] = []
    for candidate in names:
        other, other_extension = os.path.splitext(candidate) if is_file else (candidate, "")
        if other_extension != extension or re.findall(r"\d+", other) != re.findall(r"\d+", stem):
            continue
        distance = edit_distance(stem.lower(), other.lower(), allowed)
        if distance <= allowed and not contradicts(stem, other):
            scored.append((distance, candidate))
    if not scored:
        return None
    best = min(distance for distance, _ in scored)
    found = [candidate for distance, candidate in scored if distance == best]
    return found[0] if len(found) == 1 else None
