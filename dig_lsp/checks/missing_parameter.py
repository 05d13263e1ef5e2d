"""A required parameter that nothing supplies.

## What it does
Reports operator tasks that lack a parameter digdag requires (from `schemas/operators/`), after
looking where digdag looks: the task's own keys, the value after `op>:`, every ancestor's
`_export` (plain keys and the operator's namespace, e.g. `_export: td: database:`), and for a
`call>`ed workflow its callers' exports. When one of several forms is needed (a SQL file or
`query:`; `_do` or `_else_do` for `if>`), it reports that none is given. Parameters a secret can supply are reported by
`DL404` instead. A required parameter written under the operator key (`mail>:` with `to:` indented
below it) is reported at that key: a value there is the operator's command, not its parameters.

## Why is this bad?
The task fails at run time with `Parameter 'x' is required but not set`, typically in the middle
of a scheduled run.

## Example
```yaml
+load:
  td_table_export>:
  table: access_log
```

## Use instead
```yaml
+load:
  td_table_export>:
  table: access_log
  file_format: jsonl.gz
  from: 2024-01-01 00:00:00
  to: 2024-01-02 00:00:00
  s3_bucket: my-bucket
  s3_path_prefix: exports/access_log
  database: analytics
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import export_index, operator_tasks
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.model.operators import OperatorTask
from dig_lsp.syntax.nodes import Mapping
from dig_lsp.text.span import Span

CODE = "DL403"
NAME = "missing-parameter"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    index = export_index(ctx)
    for _, op in operator_tasks(ctx):
        chain = index.chain(op.task)
        if chain.open_ended:
            continue
        use = op.task.operator
        assert use is not None
        for parameter in op.spec.required():
            if parameter.secrets or op.given(parameter.name, chain) is not None:
                continue
            yield _missing(op, use.key_span, parameter.name)
        for group in (*op.spec.one_of, *op.spec.any_of):
            if not any(op.given(name, chain) is not None for name in group):
                forms = " or ".join(_form(op, name) for name in group)
                yield Finding(use.key_span, f"{op.spec.name}> needs {forms}; none is given")


def _form(op: OperatorTask, name: str) -> str:
    return f"a value after `{op.operator_key}`" if name == "_command" else f"`{name}`"


def _missing(op: OperatorTask, span: Span, name: str) -> Finding:
    nested = op.command.entry(name) if isinstance(op.command, Mapping) and name != "_command" else None
    if nested is not None:  # `td_result_export>:` with `database:` indented below it
        return Finding(nested.key_span, f"{op.spec.name}> requires '{name}', which is written under "
                       f"`{op.operator_key}`: a value there is the operator's command, not its parameters; write "
                       f"'{name}' beside `{op.operator_key}`")
    if name == "_command":
        description = op.spec.parameters["_command"].description
        return Finding(span, f"{op.spec.name}> needs a value after `{op.operator_key}`",
                       (Related(span, description),) if description else ())
    where = f" or in `_export: {op.spec.namespaces[0]}:`" if op.spec.namespaces else " or in `_export`"
    return Finding(span, f"{op.spec.name}> requires '{name}', which nothing sets; set it on the task{where}")
