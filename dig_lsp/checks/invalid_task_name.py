"""A `+task` name with characters digdag does not allow, or too long.

## What it does
Checks `+name` keys the way digdag's `ModelValidator` does: after the `+`, only ASCII letters, digits and `_ - = [ ] { } % & @ , . ^` and the backtick are allowed (no spaces, `$`, `/`, `:`, non-ASCII letters...), top-level task names must not contain `^`, and names are at most 255 characters. Offers an (unsafe) rename that replaces each bad character with `_`; it is unsafe because `_after` lists naming the task must be changed too.

## Why is this bad?
digdag refuses the workflow with `Validating workflow failed` / `task name must not contain character ' '`, so `digdag check`, `push` and `run` fail before anything runs.

## Example
```yaml
+load data:
  td>: queries/load.sql
+集計:
  td>: queries/aggregate.sql
```

## Use instead
```yaml
+load_data:
  td>: queries/load.sql
+aggregate:
  td>: queries/aggregate.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/repository/ModelValidator.java
# (checkTaskName for top-level keys, called from archive/WorkflowFile.check; checkRawTaskName
# for the `+` keys of group tasks, called from workflow/WorkflowCompiler.Context.collect; the
# RAW_TASK_NAME_CHARS regex is applied to the name after its first character; lengths are Java
# String lengths, i.e. UTF-16 code units). A bare `+` is not rejected: checkNotEmpty tests the
# whole key, which still holds the '+'.

from __future__ import annotations

import re
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.model.workflow import Task, TaskRole
from dig_lsp.syntax.nodes import Entry, Mapping
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL203"
NAME = "invalid-task-name"
SEVERITY = Severity.ERROR

MAX_LENGTH = 255
_BAD_CHAR = re.compile(r"[^a-zA-Z_0-9\-=\[\]{}%&@`,.^]")
_GOOD_CHARS = re.compile(r"[a-zA-Z_0-9\-=\[\]{}%&@`,.^]*")  # ASCII only: its length is Java's
_ALLOWED_TEXT = "ASCII letters, digits and _ - = [ ] { } % & @ , . ^ `"
_FLOW_CHARS = set("[]{},")
_TEMPLATE = re.compile(r"\$\{[^}]*\}")  # a name's `${...}` stays as written: the rename drops it


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check the `+` keys digdag validates: those of the top level and of every enabled group."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        entries = _named_entries(task)
        siblings = {entry.key for entry in entries}
        for entry in entries:
            where = (entry.key_span.path, entry.key_span.start)
            if where in seen:
                continue
            seen.add(where)
            finding = _check_name(ctx, entry, task.role is TaskRole.ROOT, siblings)
            if finding is not None:
                yield finding


def _named_entries(task: Task) -> list[Entry]:
    """The `+` keys digdag checks: the top level always, other tasks only when they are groups."""
    if task.role is TaskRole.ROOT and isinstance(task.value, Mapping):
        config = task.value
    elif task.disabled or not task.is_group:
        return []
    else:
        config = task.config
    return [entry for entry in config.entries if entry.key.startswith("+")]


def _check_name(ctx: CheckContext, entry: Entry, top_level: bool, siblings: set[str]) -> Finding | None:
    name = entry.key
    problems = _problems(name, top_level)
    if not problems:
        return None
    message = f"task name {_quote(name)} " + "; ".join(problems)
    renamed = _renamed(name, top_level)
    fix = None
    if renamed != name and any(char.isalnum() for char in renamed):
        message += f"; rename it, e.g. to {_quote(renamed)}"
        if renamed not in siblings:
            fix = _rename_fix(ctx, entry, renamed)
    related = (Related(entry.key_span, f"after the '+' a task name may use {_ALLOWED_TEXT}"),) if _bad_characters(name) else ()
    return Finding(entry.key_span, message, related, fix)


def _problems(name: str, top_level: bool) -> list[str]:
    """What digdag's validator says about the name, in its order and wording."""
    if _GOOD_CHARS.fullmatch(name, 1) and len(name) <= MAX_LENGTH and not (top_level and "^" in name):
        return []  # the common case, told at once (a keystroke checks every top-level name of its workflow)
    problems = []
    if top_level and "^" in name:
        problems.append("must not contain '^' at the top level")
    bad = _bad_characters(name)
    if bad:
        problems.append(f"must not contain {', '.join(_show_char(c) for c in bad)}"
                        + (" (`${...}` is not evaluated in keys)" if _TEMPLATE.search(name) else ""))
    length = _java_length(name)
    if length > MAX_LENGTH:
        problems.append(f"has {length} characters, more than {MAX_LENGTH}")
    return problems


def _bad_characters(name: str) -> list[str]:
    """Distinct disallowed characters after the first, in order of appearance."""
    found: list[str] = []
    for match in _BAD_CHAR.finditer(name[1:]):
        if match.group() not in found:
            found.append(match.group())
    return found


def _show_char(char: str) -> str:
    return f"'{char}'" if char.isprintable() else repr(char)


def _quote(name: str) -> str:
    return '"' + excerpt(name, 40).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _java_length(text: str) -> int:
    """Java's String.length(): UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _renamed(name: str, top_level: bool) -> str:
    """The name with every disallowed character (and `^` at the top level) replaced by `_`."""
    rest = name[1:]
    if _TEMPLATE.search(rest):
        rest = _TEMPLATE.sub("", rest).strip("_-") or rest
    rest = _BAD_CHAR.sub("_", rest)
    if top_level:
        rest = rest.replace("^", "_")
    return name[:1] + rest


def _rename_fix(ctx: CheckContext, entry: Entry, renamed: str) -> Fix | None:
    """Rewrite the key, keeping the quote style it was written with."""
    source = ctx.project.files.source(entry.key_span.path)
    if source is None:
        return None
    written = source.slice(entry.key_span)
    if written[:1] in ("'", '"'):
        new_text = written[0] + renamed + written[0]
    elif _FLOW_CHARS & set(renamed):
        new_text = f'"{renamed}"'
    else:
        new_text = renamed
    title = f"Rename {entry.key!r} to {renamed!r} (update any _after lists that name it)"
    return Fix(title, (TextEdit(entry.key_span, new_text),), Applicability.UNSAFE)
