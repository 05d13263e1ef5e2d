"""Shared plumbing for the ``${...}`` checks (not a check itself: it is not registered).

Sites, parsed expressions, scopes and resolved references are facts of the analysis
(:class:`dig_lsp.analysis.facts.Facts`, ``ctx.facts``), computed once, so seven checks cost one parse of
each template; this module is the checks' spelling of them, plus what only the checks conclude from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as TypingMapping

from dig_lsp.analysis.facts import AnalysedSite, ResolvedReference
from dig_lsp.analysis.resolve import Outcome, Resolution
from dig_lsp.analysis.scope import Origin, ScopeIndex, Variable
from dig_lsp.analysis.sites import RENDERED_KINDS, Site
from dig_lsp.checks.base import CheckContext
from dig_lsp.checks.operator_support import export_index
from dig_lsp.digdag.secrets import secret_mounts
from dig_lsp.embedded.js import Reference, parse_expression
from dig_lsp.model.calls import runs_in_callers
from dig_lsp.model.files import file_references
from dig_lsp.model.operators import operator_task
from dig_lsp.model.workflow import Task, Workflow
from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text import limits
from dig_lsp.text.quote import excerpt


def scopes(ctx: CheckContext) -> ScopeIndex:
    """Every task's scope, built once per analysis."""
    return ctx.facts.scopes


def callers_missing(ctx: CheckContext, site: Site, variable: Variable | None) -> list[Task]:
    """The ``call>`` tasks in whose context a caller-provided ``variable`` is not defined, when other
    callers do provide it (a called workflow is analysed with the union of its callers' names)."""
    if variable is None or variable.origin in (Origin.BUILTIN, Origin.RUNTIME):
        return []
    workflow = site.workflow
    calls = ctx.project.callers.get(workflow.path, [])
    if len(calls) < 2 or not runs_in_callers(ctx.project, workflow):
        return []
    index = scopes(ctx)
    if index.stored_before(site.task, variable.name):
        return []  # an earlier task of the workflow stores it: an earlier call's store is not what it reads
    provided, missing = False, []
    for _, task in calls:
        scope = index.scope(task)
        if scope is None or scope.open_world:
            return []  # a context whose names cannot all be known
        if scope.variables.get(variable.name) is variable:
            provided = True
        elif scope.lookup(tuple(variable.name.split("."))) is None:
            missing.append(task)
    return missing if provided else []


def defined_elsewhere(ctx: CheckContext, site: Site, path: tuple[str, ...]) -> Variable | None:
    """Where the workflows that run with the site's exports or stores the value ``path`` reads, if one does
    (for a name not visible where it is used)."""
    return scopes(ctx).defined_elsewhere(site.workflow, path)


def template_sites(ctx: CheckContext) -> tuple[Site, ...]:
    """The template sites the checks report on (:attr:`Facts.template_sites
    <dig_lsp.analysis.facts.Facts.template_sites>`)."""
    return ctx.facts.template_sites


def unanalysed_sites(ctx: CheckContext) -> tuple[Site, ...]:
    """Templates past the first ``MAX_TEMPLATES`` of the project: found, but not parsed or checked."""
    return ctx.facts.unanalysed_sites


def analysed_sites(ctx: CheckContext) -> tuple[AnalysedSite, ...]:
    """Every evaluated template of the project (up to ``MAX_TEMPLATES``) in a file the run reports
    (:meth:`CheckContext.reports`), parsed, with its scope: a finding about a site is placed at the site."""
    return ctx.facts.analysed_sites


def secret_keys(task: Task, ctx: CheckContext) -> frozenset[str]:
    """Top-level keys of `_secrets` on the task (:attr:`Task.secrets`) and in `_export`s above it, each read
    the same way (:func:`secret_mounts`): grants, not variables."""
    names = {entry.key for entry in task.secrets.value.entries}
    for mapping in export_index(ctx).chain(task).mappings:
        names.update(entry.key for entry in secret_mounts(mapping).value.entries)
    return frozenset(names)


def resolved_references(ctx: CheckContext) -> tuple[ResolvedReference, ...]:
    """References of every evaluated, parseable template with a scope (of :func:`analysed_sites`), each
    resolved once per analysis."""
    return ctx.facts.resolved_references


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


def keys_read_by_templates(ctx: CheckContext) -> TypingMapping[int, frozenset[str] | None]:
    """For each task (by id) whose keys the run reports (:meth:`CheckContext.reports_keys`), its own keys
    that one of its templates reads, or None when not every template that may read them can be seen.

    digdag evaluates a task's values in key order, each seeing the keys before it
    (``digdag-core/.../agent/ConfigEvalEngine.java``: ``evalValue`` adds the mapping's evaluated keys to
    the parameters), and an operator renders its command file with all of the task's evaluated keys
    plus its namespace defaults (``TdOperatorFactory``: ``config.mergeDefault(config.getNestedOrGetEmpty
    ("td"))`` then ``workspace.templateCommand``): a key such a template reads is used, not unknown.
    """
    return _template_key_reads(ctx)[0]


def own_keys_not_seen(ctx: CheckContext) -> TypingMapping[int, TypingMapping[str, Site]]:
    """For each task (by id), its own keys that a template of the task names where it cannot see them,
    with that template: inside a mapping nested in one of its values (``rename_tables: [{from:
    "t${suffix}"}]``). digdag evaluates a nested mapping with its own keys only
    (``ConfigEvalEngine.evalObjectRecursive`` starts each mapping empty, and ``evalArrayRecursive`` hands
    a mapping item no keys), so such a template reads the name from the parameters, not from the task."""
    return _template_key_reads(ctx)[1]


_KeyReads = tuple[dict[int, frozenset[str] | None], dict[int, dict[str, Site]]]


def _template_key_reads(ctx: CheckContext) -> _KeyReads:
    """:func:`keys_read_by_templates` and :func:`own_keys_not_seen`, found in one pass over the templates."""

    def build() -> _KeyReads:
        found: dict[int, set[str]] = {}
        unseen: dict[int, dict[str, Site]] = {}
        # every site, not only those in reported files (:attr:`Facts.analysed_sites`): a key is read by a
        # template in the file its task renders, which the run need not report
        reported: dict[int, bool] = {}
        for site in template_sites(ctx)[:limits.MAX_TEMPLATES]:
            if site.raw_reason is not None:
                continue
            wanted = reported.get(id(site.task))
            if wanted is None:
                wanted = reported[id(site.task)] = ctx.reports_keys(site.task)
            if not wanted:
                continue
            parsed = parse_expression(site.template.expression)
            if parsed.problem is None:
                names = {reference.path[0] for reference in parsed.references}
            else:  # unparseable: any identifier in it may be a read
                names = set(_IDENTIFIER.findall(site.template.expression))
            # a key read before it is written is still meant to be read (DL502 reports the order)
            visible = {name for name in names if name in site.local_names or name in site.later_names}
            found.setdefault(id(site.task), set()).update(visible)
            if parsed.problem is None and site.node is not None:
                for name in names - visible:
                    if name != site.key and site.task.config.entry(name) is not None:
                        unseen.setdefault(id(site.task), {}).setdefault(name, site)
        result: dict[int, frozenset[str] | None] = {key: frozenset(names) for key, names in found.items()}
        over_limit = ctx.facts.over_template_limit
        for workflow, task in ctx.tasks():
            if ctx.reports_keys(task) and (over_limit or _renders_unseen_file(ctx, workflow, task)):
                result[id(task)] = None
        return result, unseen

    return ctx.shared("keys-read-by-templates", build)


def _renders_unseen_file(ctx: CheckContext, workflow: Workflow, task: Task) -> bool:
    """Whether the task's operator renders a file whose templates cannot be read: a name built with
    ``${...}``, or a file that is missing or outside the project (reported by the file checks)."""
    op = operator_task(task)
    if op is None:
        return False
    for name, kind in op.spec.file_parameters:
        if kind not in RENDERED_KINDS:
            continue
        node = op.command if name == "_command" else task.config.get(name)
        if isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value:
            return True
    workdir = ctx.project.workdirs.get(workflow.path, ctx.project.root)
    return any(ref.kind in RENDERED_KINDS and (not ref.inside or ctx.project.files.source(ref.path) is None)
               for ref in file_references(op, workdir, ctx.project.root))


def renders_empty(reference: Reference, resolution: Resolution) -> bool:
    """A value stored only with a flag (``td.last_results`` without ``store_last_results``), read as the last
    member of a value that is there (``${td.last_results}`` after a ``td>`` task): it is ``undefined``, which
    digdag's template renders as an empty string (``digdag.js``: ``(__t=(...))==null?'':__t``), so the task
    runs (DL504 warns); read further, or without its parent, it fails (DL502)."""
    return (resolution.outcome is Outcome.CONDITIONAL and bool(resolution.known)
            and len(reference.path) == len(resolution.known) + 1)


_FLAG = re.compile(r"with `([^`]+): true`")


def conditional_message(reference: Reference, resolution: Resolution) -> str:
    """What DL502 and DL504 say of a value stored only with a flag."""
    name = ".".join(reference.path[: len(resolution.known) + 1])
    flag = _FLAG.search(resolution.detail)
    needs = f": it needs `{flag.group(1)}: true`" if flag else ""
    return f"'{excerpt(name, 40)}' is not set here{needs}"


# Parameters Treasure Data passes to a workflow that Audience Studio runs as an Activation Action:
# treasure-boxes' activation_actions/filter_by_target_list/README.md ("automatically passed from Activation
# Actions": activation_actions_db, activation_actions_table; result_connection_name and
# result_connection_settings in its td> example), and scenarios/activations_counter/activation_counter.dig
# (echoes segment_id, segment_name, activation_id, audience_id as "activation actions parameters").
ACTIVATION_ACTION_PARAMETERS = frozenset({
    "activation_actions_db", "activation_actions_table", "result_connection_name", "result_connection_settings",
    "segment_id", "segment_name", "activation_id", "audience_id",
})


def activation_parameter(ctx: CheckContext, name: str) -> bool:
    """Whether Treasure Data may give ``name`` at run time (profile ``treasure-data``): such a name is no
    typo of a defined one, whatever it resembles (DL508 says where it comes from, DL502 stays silent)."""
    return ctx.settings.profile == "treasure-data" and name in ACTIVATION_ACTION_PARAMETERS
