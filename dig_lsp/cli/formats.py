"""Output formats: text (with source snippets), JSON, SARIF 2.1.0 and GitHub annotations.

Every renderer takes diagnostics plus two callables -- how to show a path, and how to get a
file's text for snippets -- so that stdin input and path display rules live in one place.
Lines and columns are 1-based code points in every format.

Paths, messages and source lines are the user's text, and the line-based formats (text, github)
go to CI logs and terminals: a folder named ``x\\n::warning ...`` would add a GitHub Actions command,
an escape sequence would drive the terminal. So every control character is written as an escape
(:func:`visible`), and no text line starts with ``::``. JSON and SARIF need nothing more: a JSON
string cannot hold a raw control character, and every line of the document starts with JSON syntax.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from dig_lsp import __version__
from dig_lsp.diagnostics import RULE_DOCS, Diagnostic, Fix, Severity, is_absolute_url, rule_url

FORMATS = ("text", "concise", "json", "sarif", "github")
PathShower = Callable[[str], str]
TextGetter = Callable[[str], str | None]

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36", Severity.HINT: "2"}
# C0 and C1 controls but the tab, DEL, the Unicode line and paragraph separators, and the bidirectional
# controls (which reorder what a reader sees): everything that breaks a line or acts on a terminal.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every control character written as its Python escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def _shown_path(path: str) -> str:
    """A path as the first thing on a text line: visible, and never starting with ``::`` (after leading
    spaces, as the GitHub Actions runner reads a line), which would make the line a workflow command."""
    shown = visible(path)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def render(fmt: str, diagnostics: list[Diagnostic], show: PathShower, text_of: TextGetter,
           colour: bool = False, files_checked: int = 0, fixes: str | None = None,
           docs_url: str = RULE_DOCS) -> str:
    """Render ``diagnostics`` in format ``fmt``; ``fixes`` replaces the text formats' line about the
    available fixes (``--fix`` says what it did instead); ``docs_url`` is the base of the rule pages' links."""
    if fmt == "json":
        return render_json(diagnostics, show, docs_url)
    if fmt == "sarif":
        return render_sarif(diagnostics, show, docs_url)
    if fmt == "github":
        return render_github(diagnostics, show)
    if fmt == "concise":
        return render_concise(diagnostics, show, colour, files_checked, fixes)
    return render_text(diagnostics, show, text_of, colour, files_checked, fixes)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def render_text(diagnostics: list[Diagnostic], show: PathShower, text_of: TextGetter,
                colour: bool = False, files_checked: int = 0, fixes: str | None = None) -> str:
    """``path:line:col: severity[CODE] message``, the source line, a caret underline, a summary."""
    lines: list[str] = []
    cache: dict[str, list[str] | None] = {}
    for d in diagnostics:
        lines.append(_headline(d, show, colour))
        lines.extend(_snippet(d, cache, text_of, colour))
        for related in d.related:
            r = related.span.start
            lines.append(f"  note: {visible(show(related.span.path))}:{r.line + 1}:{r.column + 1}: "
                         f"{visible(related.message)}")
        if d.fix is not None:
            lines.append(f"  help: {visible(d.fix.title)}{_FIX_MARK[_fix_kind(d)]}")
    lines.append(summary(diagnostics, files_checked))
    lines.extend(_fix_lines(diagnostics, fixes))
    return "\n".join(lines)


def render_concise(diagnostics: list[Diagnostic], show: PathShower, colour: bool = False,
                   files_checked: int = 0, fixes: str | None = None) -> str:
    """One line per diagnostic (``path:line:col: severity[CODE] message``) and the summary: for logs and
    editors' problem matchers, where a snippet is noise."""
    return "\n".join([*(_headline(d, show, colour) for d in diagnostics), summary(diagnostics, files_checked),
                      *_fix_lines(diagnostics, fixes)])


# the unsafe ones say so: --fix alone leaves them (display-only fixes are suggestions, never applied)
_FIX_MARK = {"safe": "", "unsafe": " (unsafe fix)", "none": ""}


def _fix_kind(d: Diagnostic) -> str:
    if d.fix is None or not d.fix.applies(True):
        return "none"
    return "safe" if d.fix.applies(False) else "unsafe"


def _fix_lines(diagnostics: list[Diagnostic], fixes: str | None) -> list[str]:
    line = fixes if fixes is not None else fixable_line(diagnostics)
    return [line] if line else []


def fixable_line(diagnostics: Iterable[Diagnostic]) -> str:
    """How many problems ``--fix`` would fix, and how many more ``--unsafe-fixes`` (as ruff says it)."""
    found = list(diagnostics)
    safe = sum(1 for d in found if d.fix is not None and d.fix.applies(False))
    unsafe = sum(1 for d in found if d.fix is not None and d.fix.applies(True)) - safe
    if safe and unsafe:
        return f"{safe} fixable with --fix ({unsafe} more with --fix --unsafe-fixes)."
    if safe:
        return f"{safe} fixable with --fix."
    if unsafe:
        return f"{_plural(unsafe, 'fix')} available with --fix --unsafe-fixes."
    return ""


def fix_summary(applied: int, files: int, held_back: int, would: bool = False) -> str:
    """What ``--fix`` did (``--diff``: would do), and how many unsafe fixes it held back."""
    if applied:
        done = f"{'Would apply' if would else 'Applied'} {_plural(applied, 'fix')} to {_plural(files, 'file')}."
    else:
        done = "No fixes to apply." if would else "No fixes applied."
    if held_back:
        done += f" {held_back} more {'fix' if held_back == 1 else 'fixes'} available with --unsafe-fixes."
    return done


def _headline(d: Diagnostic, show: PathShower, colour: bool) -> str:
    start = d.span.start
    label = _paint(f"{d.severity.label}[{d.code}]", _COLOURS[d.severity], colour)
    return (f"{_paint(_shown_path(show(d.path)), '1', colour)}:{start.line + 1}:{start.column + 1}: "
            f"{label} {visible(d.message)}")


def _snippet(d: Diagnostic, cache: dict[str, list[str] | None], text_of: TextGetter,
             colour: bool) -> list[str]:
    if d.path not in cache:
        text = text_of(d.path)
        cache[d.path] = None if text is None else text.splitlines()
    source = cache[d.path]
    start, end = d.span.start, d.span.end
    if source is None or start.line >= len(source):
        return []
    written, first, prefix = _window(source[start.line].replace("\t", " "), start.column)
    line = prefix + visible(written)
    # Where the caret goes, in terminal cells once controls are escaped: a wide character (Japanese,
    # most emoji) takes two cells and a combining mark none, so counting characters would drift.
    column = len(prefix) + display_width(visible(written[:start.column - first]))
    width = display_width(line)
    stop = len(prefix) + display_width(visible(written[:end.column - first])) if end.line == start.line else width
    underline = "^" + "~" * max(0, min(stop, width) - column - 1)
    number = str(start.line + 1)
    gutter = " " * len(number)
    return [f"{gutter} |", f"{number} | {line}",
            f"{gutter} | {' ' * column}{_paint(underline, _COLOURS[d.severity], colour)}"]


SNIPPET_CHARS = 160  # a longer line is shown as a window around the finding
_BEFORE = 60  # characters of the window before the finding


def _window(line: str, column: int) -> tuple[str, int, str]:
    """The part of ``line`` a snippet shows, the column it starts at, and the marker before it.

    A line of minified SQL or a generated value can be megabytes long: printing it whole floods the
    terminal and the CI log for one caret. Lines up to :data:`SNIPPET_CHARS` are shown whole.
    """
    if len(line) <= SNIPPET_CHARS:
        return line, 0, ""
    first = max(0, min(column - _BEFORE, len(line) - SNIPPET_CHARS))
    shown = line[first:first + SNIPPET_CHARS]
    return shown + ("…" if first + SNIPPET_CHARS < len(line) else ""), first, "…" if first else ""


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes (wcwidth: East Asian wide characters and emoji two,
    zero-width joiners and combining marks none); its length where wcwidth finds it unprintable."""
    if text.isascii():  # printable once controls are escaped: one cell each, and no import (~50 ms)
        return len(text)
    from wcwidth import wcswidth

    width: int = wcswidth(text)
    return width if width >= 0 else len(text)


def summary(diagnostics: Iterable[Diagnostic], files_checked: int = 0) -> str:
    """One line: the problems by severity and how many files hold them; with none, how many files
    were checked."""
    found = list(diagnostics)
    if not found:
        return f"No problems found{_in_files(files_checked)}."
    counts = Counter(d.severity for d in found)
    parts = [_plural(counts[s], s.label) for s in sorted(counts, reverse=True)]
    return f"Found {_plural(len(found), 'problem')}{_in_files(len({d.path for d in found}))} ({', '.join(parts)})."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{('es' if noun.endswith('x') else 's') if count != 1 else ''}"


def _in_files(count: int) -> str:
    return f" in {_plural(count, 'file')}" if count else ""


def statistics(diagnostics: Iterable[Diagnostic]) -> list[tuple[str, str, int]]:
    """``(code, name, count)`` per rule, most frequent first (then by code)."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    return sorted(((code, name, count) for (code, name), count in counts.items()), key=lambda s: (-s[2], s[0]))


def render_statistics(diagnostics: list[Diagnostic], fmt: str = "text", files_checked: int = 0) -> str:
    """``--statistics``: a count per rule -- a JSON list of ``{code, name, count}`` for ``json``, else
    aligned text lines and the summary -- to see where a large project's problems are."""
    rows = statistics(diagnostics)
    if fmt == "json":
        return json.dumps([{"code": code, "name": name, "count": count} for code, name, count in rows], indent=2)
    width = max((len(str(count)) for _, _, count in rows), default=1)
    return "\n".join([*(f"{count:>{width}}  {code}  {name}" for code, name, count in rows),
                      summary(diagnostics, files_checked)])


def _json_item(d: Diagnostic, show: PathShower, docs_url: str = RULE_DOCS) -> dict[str, Any]:
    item: dict[str, Any] = {
        "path": show(d.path),
        "line": d.span.start.line + 1,
        "column": d.span.start.column + 1,
        "end_line": d.span.end.line + 1,
        "end_column": d.span.end.column + 1,
        "severity": d.severity.label,
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "url": rule_url(d.code, docs_url),
    }
    if d.related:
        item["related"] = [
            {"path": show(r.span.path), "line": r.span.start.line + 1, "column": r.span.start.column + 1,
             "message": r.message}
            for r in d.related
        ]
    if d.fix is not None:
        item["fix"] = {
            "title": d.fix.title,
            "applicability": d.fix.applicability.value,
            "edits": [
                {"path": show(e.span.path), "line": e.span.start.line + 1, "column": e.span.start.column + 1,
                 "end_line": e.span.end.line + 1, "end_column": e.span.end.column + 1, "new_text": e.new_text}
                for e in d.fix.edits
            ],
        }
    return item


def render_json(diagnostics: list[Diagnostic], show: PathShower, docs_url: str = RULE_DOCS) -> str:
    """A JSON list of diagnostic objects."""
    return json.dumps([_json_item(d, show, docs_url) for d in diagnostics], indent=2, ensure_ascii=False)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def _sarif_region(d_span: Any) -> dict[str, int]:
    return {
        "startLine": d_span.start.line + 1,
        "startColumn": d_span.start.column + 1,
        "endLine": d_span.end.line + 1,
        "endColumn": d_span.end.column + 1,
    }


def _sarif_location(span: Any, show: PathShower, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": show(span.path).replace("\\", "/")},
                             "region": _sarif_region(span)}
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


def _sarif_fix(fix: Fix, show: PathShower) -> dict[str, Any]:
    """A SARIF ``fix``: one ``artifactChange`` per file, each edit a ``replacement`` of a region (an empty
    one inserts); the applicability (safe or unsafe) in its property bag."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        changes.setdefault(edit.span.path, []).append(
            {"deletedRegion": _sarif_region(edit.span), "insertedContent": {"text": edit.new_text}})
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{"artifactLocation": {"uri": show(path).replace("\\", "/")}, "replacements": edits}
                            for path, edits in changes.items()],
        "properties": {"applicability": fix.applicability.value},
    }


def render_sarif(diagnostics: list[Diagnostic], show: PathShower, docs_url: str = RULE_DOCS) -> str:
    """A SARIF 2.1.0 log with one run; every rule is described in ``tool.driver.rules``."""
    from dig_lsp.checks import REGISTRY

    rules = list(REGISTRY)
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [_sarif_location(d.span, show)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [
                {**_sarif_location(r.span, show, r.message), "id": i} for i, r in enumerate(d.related)
            ]
        if d.fix is not None and d.fix.applies(True):
            result["fixes"] = [_sarif_fix(d.fix, show)]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dig-lint",
                "version": __version__,
                "rules": [
                    {
                        "id": rule.code,
                        "name": rule.name,
                        "shortDescription": {"text": rule.summary},
                        "fullDescription": {"text": rule.help},
                        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                        # SARIF wants an absolute URI here: with the default (a path in dig-lsp's
                        # repository) the page's text is in fullDescription only
                        **({"helpUri": rule_url(rule.code, docs_url)} if is_absolute_url(docs_url) else {}),
                    }
                    for rule in rules
                ],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    """GitHub's own escapes for line breaks (the runner turns them back into an annotation's lines),
    then every other control character made visible."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice",
                   Severity.HINT: "notice"}


def render_github(diagnostics: list[Diagnostic], show: PathShower) -> str:
    """GitHub Actions workflow commands, one annotation per diagnostic."""
    lines = []
    for d in diagnostics:
        s = d.span
        props = (f"file={_escape_property(show(d.path))},line={s.start.line + 1},col={s.start.column + 1},"
                 f"endLine={s.end.line + 1},endColumn={s.end.column + 1},"
                 f"title={_escape_property(f'{d.code} {d.name}')}")
        lines.append(f"::{_GITHUB_COMMAND[d.severity]} {props}::{_escape_data(d.message)}")
    return "\n".join(lines)
