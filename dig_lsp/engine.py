"""analyse(unit, settings) -> diagnostics: load, run every enabled check, apply suppressions.

This is the pure analysis core the CLI and the language server share; it knows nothing
about output formats or LSP. A check that raises is isolated: its exception becomes an
``DL000 internal-error`` diagnostic and every other check still runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from dig_lsp.analysis.sites import project_sites
from dig_lsp.checks import REGISTRY
from dig_lsp.checks.base import CheckContext, Finding, Rule
from dig_lsp.config import Settings
from dig_lsp.diagnostics import Diagnostic, Severity
from dig_lsp.model.project import ProjectModel, load_project
from dig_lsp.model.targets import Unit
from dig_lsp.syntax.parsed_files import ParseCache
from dig_lsp.syntax.suppressions import Suppression, parse_suppressions
from dig_lsp.text.files import DiskReader, FileReader
from dig_lsp.text.limits import recursion_headroom
from dig_lsp.text.span import Position, Span

INTERNAL_ERROR_CODE = "DL000"
INTERNAL_ERROR_NAME = "internal-error"


@dataclass
class Analysis:
    """The result of analysing one unit.

    ``findings``: every check's diagnostics before configured ignores, inline suppressions and the
    unit's report filter (what an incremental re-analysis starts from; only those in reported files when
    analysed with ``reported_only``); ``template_count``: the
    template sites found, up to ``MAX_TEMPLATES`` + 1; ``incremental``: whether only the edited
    part was checked (see :mod:`dig_lsp.incremental`).
    """

    diagnostics: list[Diagnostic]
    files_read: list[str] = field(default_factory=list)
    model: ProjectModel | None = None
    findings: tuple[Diagnostic, ...] = ()
    template_count: int = 0
    incremental: bool = False


def analyse(unit: Unit, settings: Settings, reader: FileReader | None = None,
            cache: ParseCache | None = None, reported_only: bool = False) -> Analysis:
    """Analyse one unit and return its diagnostics, sorted and de-duplicated (``cache``: parses kept
    by a long-running caller between analyses; ``reported_only``: see :func:`analyse_model`)."""
    return analyse_prepared(prepare(unit, settings, reader, reported_only, cache))


@dataclass(frozen=True)
class Prepared:
    """One unit loaded, in the context its checks will run in (see :func:`prepare`)."""

    unit: Unit
    context: CheckContext


def prepare(unit: Unit, settings: Settings, reader: FileReader | None = None, reported_only: bool = False,
            cache: ParseCache | None = None) -> Prepared:
    """Load one unit for :func:`analyse_prepared`, so that several can share a :func:`prefetch` first."""
    with recursion_headroom():  # loading walks trees as deep as the loader accepts
        model = load_project(unit.root, list(unit.workflows), reader or DiskReader(), cache)
    return Prepared(unit, _context(model, unit, settings, reported_only))


def prefetch(prepared: list[Prepared], settings: Settings) -> None:
    """The work the enabled checks share across analyses (their ``prefetch``), once for all of ``prepared``:
    what each analysis then asks for is remembered. The diagnostics are those of :func:`analyse` each."""
    seen: set[object] = set()
    for rule in REGISTRY:
        if rule.prefetch is None or rule.prefetch in seen or not settings.is_enabled(rule.code, rule.name):
            continue
        seen.add(rule.prefetch)
        try:
            with recursion_headroom():
                rule.prefetch([item.context for item in prepared])
        except Exception:  # a bug there is the check's: its own run reports it (DL000)
            continue


def analyse_prepared(prepared: Prepared) -> Analysis:
    """:func:`analyse` of a unit :func:`prepare` loaded."""
    context = prepared.context
    with recursion_headroom():  # the checks walk trees as deep as the loader accepts
        findings = run_checks(context)
        count = len(project_sites(context.project))
    return conclude(findings, context.project, prepared.unit, context.settings, count)


def analyse_model(model: ProjectModel, unit: Unit, settings: Settings, reported_only: bool = False) -> Analysis:
    """Run every enabled check over a loaded project (see :func:`analyse`).

    ``reported_only``: the checks may skip work whose findings the unit does not report
    (:meth:`CheckContext.reports`; ``dig-lint FILE`` shows one file of a whole project). The diagnostics are
    the same; ``Analysis.findings`` then lacks findings in unreported files, which an incremental
    re-analysis (:mod:`dig_lsp.incremental`) would start from: the language server keeps them all."""
    return analyse_prepared(Prepared(unit, _context(model, unit, settings, reported_only)))


def _context(model: ProjectModel, unit: Unit, settings: Settings, reported_only: bool) -> CheckContext:
    return CheckContext(model, settings, report=unit.report if reported_only else None)


def run_checks(context: CheckContext) -> tuple[Diagnostic, ...]:
    """Every enabled check's diagnostics in this context, before ignores and suppressions."""
    settings = context.settings
    diagnostics: list[Diagnostic] = []
    for rule in REGISTRY:
        if rule.check is not None and settings.is_enabled(rule.code, rule.name):
            diagnostics.extend(_run(rule, context, settings))
    return tuple(diagnostics)


def conclude(findings: Iterable[Diagnostic], model: ProjectModel, unit: Unit, settings: Settings,
             template_count: int, incremental: bool = False) -> Analysis:
    """The analysis made of the checks' diagnostics: configured ignores and inline suppressions
    applied, only what the unit reports, sorted and de-duplicated."""
    findings = tuple(findings)
    diagnostics = [d for d in findings if not settings.ignored_at(d.path, d.code, d.name)
                   and not _in_unparsed_text(d, model)]
    diagnostics = _apply_suppressions(diagnostics, model, settings)
    diagnostics = sorted({d for d in diagnostics if unit.wants(d.path)}, key=Diagnostic.sort_key)
    return Analysis(diagnostics, model.files.paths_read(), model, findings, template_count, incremental)


def _in_unparsed_text(diagnostic: Diagnostic, model: ProjectModel) -> bool:
    """Whether a check's diagnostic lies in a part of a file that is not valid YAML and was left out of
    its tree (``syntax/recover.py``): the YAML error is all there is to say there. File-level problems
    (``DL1xx``: the YAML error itself, encoding...) are always kept."""
    if diagnostic.code.startswith("DL1") or not diagnostic.path.endswith((".dig", ".yml", ".yaml")):
        return False
    parsed = model.files.parsed(diagnostic.path)
    if parsed is None or not parsed.unparsed:
        return False
    start = diagnostic.span.start
    return any(region.start <= start <= region.end for region in parsed.unparsed)


def _run(rule: Rule, context: CheckContext, settings: Settings) -> list[Diagnostic]:
    assert rule.check is not None
    try:
        return [_diagnostic(rule, finding, settings) for finding in _merge_contexts(rule.check(context))]
    except Exception as error:  # one check's bug must not hide the other checks' results
        import traceback  # only on a check's bug: 2 ms of every start otherwise

        where = traceback.extract_tb(error.__traceback__)[-1]
        message = (f"check {rule.code} ({rule.name}) failed: {type(error).__name__}: {error} "
                   f"at {os.path.basename(where.filename)}:{where.lineno}; please report this")
        path = context.workflows[0].path if context.workflows else context.project.root
        span = Span(path, Position(0, 0), Position(0, 0))
        return [Diagnostic(INTERNAL_ERROR_CODE, INTERNAL_ERROR_NAME, Severity.ERROR, message, span)]


def _merge_contexts(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per span for findings made in several contexts (a file rendered by several tasks):
    the first one's message, with every context as related information."""
    merged: list[Finding] = []
    by_span: dict[Span, int] = {}
    for finding in findings:
        if finding.context is None:
            merged.append(finding)
            continue
        index = by_span.get(finding.span)
        if index is None:
            by_span[finding.span] = len(merged)
            merged.append(replace(finding, related=(*finding.related, finding.context)))
        elif finding.context not in merged[index].related:
            first = merged[index]
            merged[index] = replace(first, related=(*first.related, finding.context))
    return merged


def _diagnostic(rule: Rule, finding: Finding, settings: Settings) -> Diagnostic:
    severity = settings.severity_for(rule.code, rule.name, rule.severity)
    return Diagnostic(rule.code, rule.name, severity, finding.message, finding.span, finding.related, finding.fix)


def _apply_suppressions(diagnostics: list[Diagnostic], model: ProjectModel,
                        settings: Settings) -> list[Diagnostic]:
    suppressions = _suppressions(model, {d.path for d in diagnostics} | _dig_files(model))
    if not suppressions:
        return diagnostics
    rule = next(rule for rule in REGISTRY if rule.post_check is not None)  # DL901 unused-suppression
    assert rule.post_check is not None
    def code_state(code: str) -> str:
        known = REGISTRY.get(code)
        if known is None:
            return "enabled" if code == INTERNAL_ERROR_CODE else "unknown"
        return "enabled" if settings.is_enabled(known.code, known.name) else "disabled"

    kept, findings = rule.post_check(diagnostics, suppressions, code_state)
    if settings.is_enabled(rule.code, rule.name):
        kept.extend(_diagnostic(rule, finding, settings) for finding in findings)
    return kept


def _dig_files(model: ProjectModel) -> set[str]:
    return {path for path in model.files.paths_read() if path.endswith(".dig")}


def _suppressions(model: ProjectModel, paths: Iterable[str]) -> dict[str, list[Suppression]]:
    found: dict[str, list[Suppression]] = {}
    for path in paths:
        source = model.files.source(path)
        if source is None:
            continue
        parsed = model.files.parsed(path) if path.endswith((".dig", ".yml", ".yaml")) else None
        entries = parse_suppressions(source, parsed.root if parsed else None)
        if entries:
            found[path] = entries
    return found
