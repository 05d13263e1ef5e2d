"""An operator or parameter Treasure Workflow does not run (profile `treasure-data`).

## What it does
With `--profile treasure-data` (or `profile = "treasure-data"` in the configuration), reports
operators Treasure Data's hosted digdag does not provide (`sh>`, `rb>`, `embulk>`, `emr>`,
`param_get>`, `param_set>`) and parameters it does not support (`td>` `download_file`), as marked
by `x-dig-treasure-data` in `schemas/operators/`.

## Why is this bad?
The workflow may pass `digdag check` locally and then fail on Treasure Workflow, where those
operators are not installed or not allowed.

## Example
<!-- test: profile=treasure-data -->
```yaml
+prepare:
  sh>: ./prepare.sh
```

## Use instead
<!-- test: profile=treasure-data -->
```yaml
+prepare:
  py>: tasks.prepare.run
  docker:
    image: digdag/digdag-python:3.9
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import operator_tasks
from dig_lsp.diagnostics import Severity

CODE = "DL410"
NAME = "unsupported-on-treasure-data"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.settings.profile != "treasure-data":
        return
    for _, op in operator_tasks(ctx):
        use = op.task.operator
        assert use is not None
        if not op.spec.supported_on_treasure_data:
            yield Finding(use.key_span, f"{op.spec.name}> is not available on Treasure Workflow "
                          "(profile treasure-data)")
            continue
        for entry in op.own_parameters():
            parameter = op.spec.parameters.get(entry.key)
            if parameter is not None and parameter.schema.get("x-dig-treasure-data") == "unsupported":
                yield Finding(entry.key_span, f"{op.spec.name}> '{entry.key}' is not supported on Treasure "
                              "Workflow (profile treasure-data)")
