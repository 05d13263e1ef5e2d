"""A parameter the operator does not read.

## What it does
Reports keys of an operator task that the operator never reads and no template of the task reads,
with a did-you-mean from the operator's parameters (from `schemas/operators/`) or from digdag's
directives for `_` keys. A key that a later value of the task reads (`suffix: _x` then
`create_table: t${suffix}`) or that the command file reads (`td>: q.sql` with `${region}` in `q.sql`)
is used: digdag evaluates a task's keys in order and renders the file with all of them. Also
reports a parameter the operator ignores because the task gives an alternative that takes
precedence (`td>: q.sql` with `query:`: `Workspace.templateCommand` reads the file), and `data:`
written beside `td>:` instead of below it (inline text is the command's `data`). A key that only a
template inside a nested mapping names (`suffix:` with `rename_tables: [{from: "t${suffix}"}]`) is not
read either: digdag evaluates a mapping inside a value with its own keys only, and the message says so.
Operators that pass every parameter on are not checked: `sh>` turns parameters into environment
variables, `py>`/`rb>` map them to function arguments, `param_get>`/`param_set>` treat every key as
data.

## Why is this bad?
digdag never checks parameters before a task runs (reference §1.8). A misspelt `create_tabel`
is silently ignored: the query runs, its results go nowhere, and the task succeeds.

## Example
```yaml
+summary:
  td>: queries/summary.sql
  create_tabel: daily_summary
```

## Use instead
```yaml
+summary:
  td>: queries/summary.sql
  create_table: daily_summary
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import keys_read_by_templates, own_keys_not_seen
from dig_lsp.checks.fix_support import key_rename_fix
from dig_lsp.checks.operator_support import closest_name, operator_tasks, suggest
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity
from dig_lsp.model.operators import DIRECTIVES, OperatorTask
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import contradicts, edit_distance

CODE = "DL402"
NAME = "unknown-parameter"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    read_by_templates = keys_read_by_templates(ctx)
    for _, op in operator_tasks(ctx):
        if op.spec.passes_all_params or not ctx.reports_keys(op.task):
            continue  # (a finding is placed at one of the task's keys)
        known = [name for name in op.spec.parameters if name != "_command"]
        read = read_by_templates.get(id(op.task), frozenset())
        for entry in op.task.config.entries:
            key = entry.key
            if read is not None and key in read:
                continue  # a template of the task (a later value, the rendered command file) reads it
            overridden = _overridden_by(op, key)
            if overridden is not None:
                yield Finding(entry.key_span, f"{op.spec.name}> ignores '{key}' because {overridden} is given")
                continue
            if key.startswith("+") or key == op.operator_key or key in DIRECTIVES or key in op.spec.parameters:
                continue
            if read is not None and key in read:
                continue  # a template of the task (a later value, the rendered command file) reads it
            if read is None and not key.startswith("_") and not _misspelt(key, known):
                continue  # a file the task renders cannot be read: the key may be read there
            if key.endswith(">"):
                continue  # a second operator: DL205 (multiple-operators) reports it
            if key.startswith("_"):
                hint = suggest(key, sorted(DIRECTIVES)) or suggest(key, known)
                yield Finding(entry.key_span, f"'{key}' is not a digdag directive and {op.spec.name}> does not "
                              f"read it{hint}", fix=_rename(ctx, entry.key_span, key, sorted(DIRECTIVES), known))
                continue
            if key == "data" and op.spec.takes_inline_data:
                # `data:` beside `td>:` rather than below it: not a misspelt `database`
                yield Finding(entry.key_span, f"{op.spec.name}> has no parameter 'data'; inline text goes under "
                              f"the operator: `{op.operator_key}:` with `data: ...` indented below it")
                continue
            hint = suggest(key, known)
            shown = excerpt(key, 40)
            message = (f"{op.spec.name}> has no parameter '{shown}'{hint}" if hint or known else
                       f"{op.spec.name}> takes no parameters; '{shown}' is ignored")
            related: tuple[Related, ...] = (
                () if hint or not known else (Related(entry.key_span, _known_list(op.spec.name, known)),))
            unseen = own_keys_not_seen(ctx).get(id(op.task), {}).get(key)
            if unseen is not None:  # `suffix: _x` beside `rename_tables: [{from: "t${suffix}"}]`
                message += (f"; the `${{{shown}}}` in {excerpt(unseen.key, 40)} does not read it: a mapping inside a "
                            "value is evaluated with its own keys only")
                related += (Related(unseen.span, f"reads '{shown}' from the parameters (an _export), not the task"),)
            yield Finding(entry.key_span, message, related, _rename(ctx, entry.key_span, key, known))


def _misspelt(key: str, known: list[str]) -> bool:
    """Whether ``key`` is a parameter name with a slip of the keyboard (one or two edits, a swap of two
    letters counting as one: ``create_tabel``); looser likenesses (``target_table``, ``create_table``)
    may well be names the rendered file reads."""
    return len(key) >= 5 and any(edit_distance(key, name, 2) <= 2 and not contradicts(key, name)
                                 for name in known)


def _overridden_by(op: OperatorTask, key: str) -> str | None:
    """The task's own parameter that makes digdag ignore ``key`` (``td>: q.sql`` with ``query:``), as
    the schemas' ``x-dig-first-wins`` groups say; defaults from ``_export`` never count."""
    for group in op.spec.first_wins:
        if key not in group[1:]:
            continue
        for earlier in group[: group.index(key)]:
            if earlier == "_command" and op.command is not None:
                return f"a value after `{op.operator_key}`"
            if earlier != "_command" and op.task.config.entry(earlier) is not None:
                return f"'{earlier}'"
    return None


def _rename(ctx: CheckContext, span: Span, key: str, *candidates: list[str]) -> Fix | None:
    """The did-you-mean of the message as a fix (unsafe: the renamed key starts to take effect)."""
    for names in candidates:
        close = closest_name(key, names)  # what `suggest` names in the message
        if close:
            return key_rename_fix(ctx, span, key, close, Applicability.UNSAFE)
    return None


def _known_list(operator: str, known: list[str]) -> str:
    return f"{operator}> reads " + ", ".join(sorted(known))
