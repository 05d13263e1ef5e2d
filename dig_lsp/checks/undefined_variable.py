"""A `${...}` that uses a variable which is not defined where the task runs.

## What it does
Resolves every name a template uses against the scope of its task (built-in variables, every
ancestor's `_export`, values stored by tasks that have finished, loop variables, `error.*` in
`_error`, runtime parameters from the `runtime-params` setting, and keys written earlier in the
same mapping) and reports names defined nowhere, with a did-you-mean; `last_session_*` /
`next_session_*` in a workflow without `schedule:`; and values that are only stored with a flag
(`td.last_results` without `store_last_results: true`) when read further than the value
itself (`${td.last_results.cnt}`); the value alone renders as an empty string (`DL504`).
Values stored by a later, parallel or background task are `DL503`. A name the project defines elsewhere, but not where this task can
see it (a sibling's `_export`), is reported with where it is defined. A name that is defined
nowhere and resembles no defined name may be a runtime parameter (`digdag run -p name=...`): that is `DL508`, unless it is a `_secrets`
key (secrets are not variables: use `${secret:name}` where the operator supports it), or, with the
`treasure-data` profile, a parameter Treasure Data passes to a workflow run as an Activation Action
(`segment_id`, `activation_actions_table`...), whatever defined name it resembles.

## Why is this bad?
The task fails when it starts: `Failed to evaluate a variable ${x} (ReferenceError: x is not
defined)` — the most common run-time failure of digdag workflows.

## Example
```yaml
+count:
  td>: queries/count.sql
+check:
  if>: ${td.last_results.cnt > 0}
```

## Use instead
```yaml
+count:
  td>: queries/count.sql
  store_last_results: true
+check:
  if>: ${td.last_results.cnt > 0}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dig_lsp.analysis.facts import ResolvedReference
from dig_lsp.analysis.resolve import Outcome
from dig_lsp.analysis.scope import Origin, Variable
from dig_lsp.analysis.sites import Site
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import (
    activation_parameter,
    callers_missing,
    conditional_message,
    defined_elsewhere,
    renders_empty,
    resolved_references,
    secret_keys,
)
from dig_lsp.diagnostics import Applicability, Fix, Related, Severity, TextEdit
from dig_lsp.embedded.js import Reference
from dig_lsp.model.workflow import Task
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span

CODE = "DL502"
NAME = "undefined-variable"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    for resolved in resolved_references(ctx):
        if not resolved.item.is_shell_style:  # DL506 explains those
            for finding in _findings(ctx, resolved):
                yield replace(finding, context=resolved.item.site.rendering)


def _findings(ctx: CheckContext, resolved: ResolvedReference) -> Iterator[Finding]:
    item, reference, resolution = resolved.item, resolved.reference, resolved.resolution
    site = item.site
    span = site.source_span(reference.start, reference.end)
    root = excerpt(reference.path[0], 40)
    if resolution.outcome is Outcome.UNDEFINED:
        if reference.path[0] in site.later_names:
            yield Finding(span, f"'{root}' is not defined yet: it is written after this value in "
                          f"{site.task.full_name}", (Related(span, "a task's keys are evaluated in order"),))
        elif reference.path[0] in secret_keys(site.task, ctx):
            yield Finding(span, f"'{root}' is a `_secrets` key, not a variable; use ${{secret:{root}}} where the "
                          "operator reads secrets")
        elif resolution.suggestion and not activation_parameter(ctx, reference.path[0]):
            yield Finding(span, f"'{root}' is not defined in {site.task.full_name}; did you mean "
                          f"'{resolution.suggestion}'?", fix=_fix(site, reference, resolution.suggestion))
        elif (defined := defined_elsewhere(ctx, site, reference.path)) is not None:
            yield _not_visible(site, span, root, defined)
    elif resolution.outcome is Outcome.DEFINED and (missing := callers_missing(ctx, site, resolution.variable)):
        yield _missing_in_caller(site, span, resolution.variable, missing)
    elif resolution.outcome is Outcome.SCHEDULE_ONLY:
        yield Finding(span, f"{resolution.detail}, and {site.workflow.name} has none")
    elif resolution.outcome is Outcome.CONDITIONAL and not renders_empty(reference, resolution):
        yield Finding(span, conditional_message(reference, resolution), (Related(span, resolution.detail),))


def _missing_in_caller(site: Site, span: Span, variable: Variable | None, missing: list[Task]) -> Finding:
    """A name some callers of the workflow give it and another does not: the task fails when run from it."""
    assert variable is not None
    first = missing[0]
    related = tuple(Related(task.key_span, f"called here without '{variable.name}'") for task in missing)
    return Finding(span, f"'{excerpt(variable.name, 40)}' is not defined when {site.workflow.name} is called from "
                   f"{first.full_name}; only other callers give it", related)


def _not_visible(site: Site, span: Span, root: str, defined: Variable) -> Finding:
    """A name the project defines, but not where this task can see it (a sibling's `_export`, a value
    another workflow stores): digdag gives a task only its ancestors' exports and what finished
    tasks stored (``WorkflowExecutor.collectParams``)."""
    if defined.origin is Origin.EXPORT:
        owner = defined.detail.removeprefix("_export of ")
        what = f"exported by {owner} to the tasks below it only"
    else:
        what = f"{defined.detail}, for the tasks after it only"
    related = () if defined.span is None else (Related(defined.span, f"'{root}' is defined here"),)
    return Finding(span, f"'{excerpt(root, 40)}' is not visible in {site.task.full_name}: it is {what}", related)


def _fix(site: Site, reference: Reference, suggestion: str) -> Fix | None:
    """Replace the undefined name with the suggestion (unsafe: a guess at what was meant)."""
    root = reference.path[0]
    span = site.source_span(reference.start, reference.start + len(root))
    if site.source.slice(span) != root:
        return None  # written with escapes: the name's characters are not contiguous in the file
    return Fix(f"Replace '{root}' with '{suggestion}'", (TextEdit(span, suggestion),), Applicability.UNSAFE)
