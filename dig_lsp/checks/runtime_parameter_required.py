"""A `${...}` name the workflow never defines, so it must be passed at run time.

## What it does
Reports names used in templates that nothing in the project defines and that resemble no defined
name: they can only come from runtime parameters (`digdag run -p name=value`, `-P params.yml`,
or parameters set on the server; with the `treasure-data` profile, the parameters Treasure Data
passes to a workflow run as an Activation Action, such as `segment_id`). Also a member of an object
that tasks only store into (`${bq.dataset_name}` where only `bq>` stores `bq.last_job_id`): digdag merges a
store into the parameters (`ParameterUpdate.applyTo`), so the rest of `bq` may be a runtime parameter's.
A name that is exported inside a mapping (`${user}` where `mysql.user` is) is named as what may have been
meant.
Declare the names your workflows expect in the `runtime-params`
setting to silence this and let the other checks treat them as defined.

## Why is this bad?
A run without that parameter fails with `ReferenceError: name is not defined`. Declaring
expected parameters documents them and lets typos stand out (a misspelt name close to a defined
one is reported by `DL502` as an error).

## Example
```yaml
+load:
  sh>: ./load.sh ${target_env}
```

## Use instead
```toml
# .dig-lint.toml
runtime-params = ["target_env"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.resolve import Outcome
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import (
    activation_parameter,
    defined_elsewhere,
    resolved_references,
    scopes,
    secret_keys,
)
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.text.quote import excerpt

CODE = "DL508"
NAME = "runtime-parameter-required"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    for resolved in resolved_references(ctx):
        item, reference, resolution = resolved.item, resolved.reference, resolved.resolution
        site = item.site
        if item.is_shell_style:
            continue
        root = reference.path[0]
        activation = activation_parameter(ctx, root)
        if resolution.outcome is Outcome.UNDEFINED and (activation or not resolution.suggestion) and \
                root not in secret_keys(site.task, ctx) and root not in site.later_names and \
                defined_elsewhere(ctx, site, reference.path) is None:
            span = site.source_span(reference.start, reference.end)
            if activation:
                yield Finding(span, f"'{root}' is defined nowhere in the project: Treasure Data passes it when "
                              "Audience Studio runs the workflow as an Activation Action; otherwise pass it with `-p`",
                              context=site.rendering)
                continue
            if resolution.detail:  # a member of an object that tasks only store into
                yield Finding(span, f"'{excerpt('.'.join(reference.path[:2]), 60)}' is defined nowhere in the "
                              f"project ({resolution.detail}); pass '{excerpt(root, 40)}' with `-p` at run time",
                              context=site.rendering)
                continue
            nested = scopes(ctx).scope(site.task)
            meant = [] if nested is None or len(reference.path) > 1 else [
                name for name in nested.nested_names(root)
                if nested.variables[name].value is not site.node][:3]  # not `td: {apikey: ${apikey}}` itself
            if meant:  # `${user}` where `mysql.user` is exported
                shown = " or ".join(f"'{excerpt(name, 40)}'" for name in meant)
                yield Finding(span, f"'{excerpt(root, 40)}' is defined nowhere in the project; did you mean {shown}? "
                              "(else pass it with `-p` at run time)", context=site.rendering)
                continue
            yield Finding(span, f"'{excerpt(root, 40)}' is defined nowhere in the project; pass it with `-p` at run "
                          "time",
                          (Related(span, "list it in the runtime-params setting if that is intended; otherwise the "
                                         "task fails with a ReferenceError"),), context=site.rendering)
