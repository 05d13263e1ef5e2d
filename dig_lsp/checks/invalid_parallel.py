"""A `_parallel` value digdag cannot read.

## What it does
Reports `_parallel` values that are not `true`/`false` (a boolean, or the strings `true`, `True`, `false`, `False`) or a mapping `{limit: N}` with an integer `N`. On a group task and at the top level the value is read when the workflow is compiled, so a `${...}` there is reported too. On `loop>`, `for_each>`, `for_range>` and `td_for_each>` tasks the value is evaluated first, so `${...}` is accepted there. Other operator tasks never read `_parallel` and are not checked; disabled tasks are skipped.

## Why is this bad?
On a group digdag refuses to compile the workflow (`Invalid _parallel format: <json>`, `Parameter 'limit' is required but not set`, or `Expected 'true' or 'false' for key '_parallel' but got "${parallel}" (string)`), so `digdag check`, `push` and `run` fail before anything runs. On a loop task the task fails when it starts.

## Example
```yaml
+load:
  _parallel: ${parallel}
  +a:
    td>: queries/a.sql
  +b:
    td>: queries/b.sql
```

## Use instead
```yaml
+load:
  _parallel: true
  +a:
    td>: queries/a.sql
  +b:
    td>: queries/b.sql
```
"""

# Facts:
# * digdag-plugin-utils/src/main/java/io/digdag/util/ParallelControl.java: a boolean or text node is
#   read with Config.get("_parallel", boolean.class, false); an object needs `limit` read with
#   get("limit", int.class) (required); anything else (numbers, arrays, null) throws
#   "Invalid _parallel format: <json>".
# * digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java: group tasks (and the
#   root, compiled as a group) run ParallelControl.of(config) on the raw, unevaluated config.
# * Loop/ForEach/ForRange/TdForEach operator factories (digdag-standards) call
#   ParallelControl.of(params) on the evaluated params; no other main code reads `_parallel`.
# * digdag-client/src/main/java/io/digdag/client/config/Config.java: message texts; conversions are
#   Jackson 2.9 (build.gradle jacksonVersion) with default features: a string is trimmed, then
#   "true"/"True"/"false"/"False" are booleans and "" or "null" read as false (0 for int); an
#   integer reads as a boolean (0 is false); a float reads as an int by truncation.
# Corpus: core/workflow/parallel_variable_group.dig, acceptance/parallel/parallel_variable_group.dig.

from __future__ import annotations

import difflib
from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.digdag.coerce import is_null, json_sample
from dig_lsp.digdag.directives import Refusal
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Mapping, Node, Scalar
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position
from dig_lsp.text.suggest import contradicts

CODE = "DL211"
NAME = "invalid-parallel"
SEVERITY = Severity.ERROR

# Operators that read their own `_parallel` (evaluated) and copy it onto the generated `^sub` group.
LOOP_OPERATORS = frozenset({"loop", "for_each", "for_range", "td_for_each"})



# ----- the check -----

def check(ctx: CheckContext) -> Iterator[Finding]:
    """Check `_parallel` on groups (raw) and loop-like operator tasks (evaluated)."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        if task.parallel.key is None or task.disabled or not _reads_parallel(task):
            continue
        for finding in _problems(task.parallel.refusals, raw=task.is_group):
            where = (finding.span.path, finding.span.start)
            if where not in seen:
                seen.add(where)
                yield finding


def _reads_parallel(task: Task) -> bool:
    operator = task.operator
    return operator is None or operator.name in LOOP_OPERATORS


def _problems(refusals: tuple[Refusal, ...], raw: bool) -> Iterator[Finding]:
    """Word the reading's refusals (``task.parallel``, read as written): a `${...}` is refused on a group,
    which never evaluates it, and left to the evaluation on a loop operator."""
    for refusal in refusals:
        node = refusal.node
        if node is None:
            continue
        if refusal.templated:
            if raw:
                yield Finding(node.span, _template_message(node, refusal.key))
        elif refusal.missing and isinstance(node, Mapping):
            yield Finding(node.span, _no_limit_message(node))
        elif refusal.key == "limit":
            yield Finding(node.span, "`limit` of `_parallel` is empty; set an integer" if is_null(node) else
                          f"`limit` of `_parallel` must be an integer, not {_shown(node)}")
        elif isinstance(node, Scalar) and isinstance(node.value, (bool, str)):
            yield Finding(node.span, f"`_parallel` must be true or false (or {{limit: N}}), not {_shown(node)}")
        else:
            hint = f"; write `_parallel: {{limit: {node.value}}}` to cap it" if (
                isinstance(node, Scalar) and isinstance(node.value, int)) else ""
            yield Finding(node.span, f"`_parallel` must be true, false or {{limit: N}}, not {_shown(node)}{hint}")


def _no_limit_message(node: Mapping) -> str:
    written = list(node.keys())
    close = difflib.get_close_matches("limit", [k for k in written if not contradicts(k, "limit")], n=1, cutoff=0.6)
    hint = f"did you mean 'limit' for {close[0]!r}?" if close else "write `_parallel: {limit: N}`"
    return f"`_parallel` mapping has no `limit`; {hint}"


def _template_message(node: Node, key: str) -> str:
    label = "`_parallel`" if key == "_parallel" else "`_parallel.limit`"
    return f"{label} of a group task must be written out: {_shown(node)} is not evaluated there"


def _shown(node: Node) -> str:
    return excerpt(json_sample(node), 40)
