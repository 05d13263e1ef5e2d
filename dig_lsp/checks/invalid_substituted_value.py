"""A `${name}` whose known value does not fit where it is used.

## What it does
When a parameter (or `_parallel` of a loop operator) is exactly one `${name}` and `name` is an
`_export`ed constant, substitutes the constant and checks the result as if it had been written
there: type and allowed values from `schemas/operators/`, and `true`/`false` for `_parallel`.

## Why is this bad?
digdag evaluates the template when the task starts and then fails on the value:
`Expected 'true' or 'false' for key '_parallel' but got "tru"`, `Unknown 'engine:' option` —
far from where the typo is.

## Example
```yaml
_export:
  parallel: tru
+loop:
  loop>: 2
  _parallel: ${parallel}
  _do:
    +t:
      echo>: ${i}
```

## Use instead
```yaml
_export:
  parallel: true
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.analysis.resolve import Outcome, resolve_at
from dig_lsp.analysis.scope import Origin
from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.expression_support import analysed_sites
from dig_lsp.diagnostics import Related, Severity
from dig_lsp.digdag.coerce import scalar_text
from dig_lsp.digdag.directives import evaluated_parallel
from dig_lsp.model.catalog import catalog
from dig_lsp.model.values import validate_value
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text.quote import excerpt

CODE = "DL509"
NAME = "invalid-substituted-value"
SEVERITY = Severity.ERROR

_LOOP_OPERATORS = frozenset({"loop", "for_each", "for_range", "td_for_each"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    for item in analysed_sites(ctx):
        site = item.site
        template = site.template
        if site.node is None:
            continue
        whole = isinstance(site.node.value, str) and site.node.value.strip() == site.node.value[
            template.start:template.end].strip() and site.node.value.strip().startswith("${")
        if item.scope is None or site.raw_reason or not whole or len(item.parsed.references) != 1:
            continue
        if site.task.config.get(site.key) is not site.node:
            continue  # only a parameter's whole value, not a value nested inside it
        reference = item.parsed.references[0]
        if reference.start != len(template.expression) - len(template.expression.lstrip()) or \
                reference.end != len(template.expression.rstrip()):
            continue  # an expression, not a plain name
        resolution = resolve_at(site, reference, item.scope)
        variable = resolution.variable
        if resolution.outcome is not Outcome.DEFINED or variable is None or variable.origin is not Origin.EXPORT \
                or resolution.known != reference.path:
            continue  # only a value the files give whole (not a member read from a null or an open object)
        value = variable.value
        if not isinstance(value, Scalar) or value.value is None or (isinstance(value.value, str)
                                                                     and "${" in value.value):
            continue
        problem = _problem(site.task.operator.name if site.task.operator else None, site.key, site.node, value)
        if problem is not None:
            related = (Related(value.span, f"'{variable.name}' is set here ({variable.detail})"),)
            yield Finding(site.span, f"${{{excerpt(template.expression.strip(), 40)}}} is {excerpt(value.raw, 40)!r} "
                          f"here, but {problem}", related)


def _problem(operator: str | None, key: str, node: Scalar, value: Scalar) -> str | None:
    if key == "_parallel":
        # the loop operator reads its evaluated `_parallel`, and an evaluated `${...}` is text (a number too)
        if operator in _LOOP_OPERATORS and evaluated_parallel(scalar_text(value), value.span).refusals:
            return "`_parallel` needs true or false"
        return None
    spec = catalog().operator(operator) if operator else None
    parameter = spec.parameters.get(key) if spec else None
    if parameter is None:
        return None
    substituted = Scalar(value.value, value.raw, value.style, node.span)
    problems = list(validate_value(substituted, parameter.schema))
    if not problems:
        return None
    message = problems[0].message
    if message.startswith("expected "):
        return f"'{key}' expects {message.split(', got ')[0].removeprefix('expected ')}"
    return f"'{key}': {message}"
