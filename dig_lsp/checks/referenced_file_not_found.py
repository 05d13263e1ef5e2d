"""A file named by a task that does not exist.

## What it does
Resolves files named by operator parameters (from `x-dig-file` in `schemas/operators/`): SQL files
of `td>`, `td_wait>`, `td_for_each>`, `pg>`, `redshift>`, `bq>`; `mail>` bodies; `embulk>` and
`td_load>` yml; `py>` modules (`tasks.MyWorkflow.step` -> `tasks/MyWorkflow.py` or
`tasks/__init__.py`); `rb>` `require`; a relative script at the start of a `sh>` command
(`tasks/run.sh`, `bash scripts/x.sh`). Paths resolve against the task's working directory: the
project root, or the called file's folder inside a `call>`ed workflow — never an `!include`d
file's folder. Names containing `${...}` are checked when every template is an `_export`ed
constant. (`call>` targets are `DL112`.) A path with one sure near miss in the project
(`queries/extrct.sql` beside `queries/extract.sql`: a name one edit away, or two from eight letters
on, with the same extension and numbers; a folder name too) gets a did-you-mean and an unsafe fix.

## Why is this bad?
The task fails when it runs (`FileNotFoundException`, `ImportError`, `No such file or directory`),
usually at night. It is a warning rather than an error because some projects generate files
before `digdag push`.

## Example
```yaml
+load:
  td>: queries/lod.sql
```

## Use instead
```yaml
+load:
  td>: queries/load.sql
```
```sql
-- file: queries/load.sql
SELECT 1
```
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.file_support import task_file_references
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.model.files import FileReference
from dig_lsp.text.files import is_inside, project_directory_names, unreadable_reason
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import contradicts, edit_distance

# Did-you-mean looks for at most this many missing paths per analysis (each lists a folder of up to
# 2,000 names): a project of thousands of missing files still costs little.
_MAX_SEARCHES = 500

# a value that is SQL text rather than a file name: a statement's first word, then more words
_INLINE_SQL = re.compile(r"\s*(select|with|insert|create|delete|update|drop|alter|merge|show|describe)\s+\S",
                         re.IGNORECASE)

CODE = "DL407"
NAME = "referenced-file-not-found"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    for op, ref in task_file_references(ctx):
        if not ref.inside or ctx.project.files.source(ref.path) is not None:
            continue
        if ref.kind == "python-module" and ref.written.split(".")[0] in sys.stdlib_module_names:
            continue  # `tokenize.main` imports the standard library's module, not a project file
        shown = os.path.relpath(ref.path, ctx.project.root)
        if ref.kind == "python-module":
            message = (f"py> module for '{excerpt(ref.written, 40)}' is not in the project; install it where the "
                       "task runs")
            yield Finding(ref.span, message, (Related(ref.span, f"looked for '{excerpt(shown)}' and the other "
                                                                "candidates; without the module the task fails with "
                                                                "ImportError"),))
            continue
        message = f"{op.spec.name}> {_what(ref.kind)} '{excerpt(shown)}' {unreadable_reason(ref.path)}"
        if ref.kind == "sql" and ref.parameter == "_command" and "query" in op.spec.parameters and \
                _INLINE_SQL.match(ref.written):
            # `td>: SELECT ...`: Workspace.templateCommand reads the value after `td>` as a file name
            yield Finding(ref.span, f"{message}: the value after `{op.operator_key}` names a file; SQL text goes "
                          "in `query:`")
            continue
        written = _written_at(ctx, ref)
        instead = _existing_instead(ctx, ref) if written is not None else None
        if written is None or instead is None:
            yield Finding(ref.span, message)
            continue
        fix = Fix(f"Replace '{excerpt(ref.written)}' with '{excerpt(instead)}'", (TextEdit(written, instead),),
                  Applicability.UNSAFE)
        yield Finding(ref.span, f"{message}; did you mean '{excerpt(instead)}'?", fix=fix)


def _written_at(ctx: CheckContext, ref: FileReference) -> Span | None:
    """Where the path is written as is in the file (once inside the reference's span), else None: a
    name built from ``${...}``, completed with a suffix, or written with escapes gets no suggestion."""
    source = ctx.project.files.source(ref.span.path)
    if source is None:
        return None
    text = source.text[ref.span.start_offset:ref.span.end_offset]
    if "${" in text or "\\" in text or text.count(ref.written) != 1:
        return None
    start = ref.span.start_offset + text.index(ref.written)
    return source.span(start, start + len(ref.written))


def _existing_instead(ctx: CheckContext, ref: FileReference) -> str | None:
    """The path the written one most likely misspells, written the same way (``queries/extrct.sql`` ->
    ``queries/extract.sql``, ``querys/x.sql`` -> ``queries/x.sql``): each folder or file name that does
    not exist replaced by the one near name beside it (see :func:`_near_name`), at most two of them, and
    the result a file the project can read. None when that is not one sure answer."""
    parts = ref.written.split("/")
    if not ref.workdir or "\\" in ref.written or "" in parts[:-1] or not parts[-1]:
        return None
    searches: list[int] = ctx.shared("referenced-file-searches", list)
    if len(searches) >= _MAX_SEARCHES:
        return None
    searches.append(1)
    listings: dict[tuple[str, bool], list[str]] = ctx.shared("referenced-file-listings", dict)
    root = ctx.project.root
    current, fixed, replaced = ref.workdir, [], 0
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


def _what(kind: str) -> str:
    return {"sql": "SQL file", "mail-body": "mail body file", "yml": "config file", "json-or-yml": "file",
            "ruby-file": "Ruby file", "script": "script", "dig": "workflow file"}.get(kind, "file")
