"""``dig-lint``: lint digdag projects from the command line, in CI and in pre-commit.

Exit codes: 0 nothing at or above ``--fail-on`` (or ``--exit-zero``); 1 findings; 2 a usage or
configuration error, or a failure of the tool itself (a crashed check reports ``DL000``).
Options follow ruff's where ruff has one (``--output-format``, ``--statistics``, ``--exit-zero``,
``-`` for standard input), so people and CI scripts need not learn a second set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from dig_lsp import __version__
from dig_lsp.config import PROFILES, ConfigError, Settings, closest, find_config, load_settings, with_overrides
from dig_lsp.diagnostics import RULE_DOCS, Diagnostic, Severity
from dig_lsp.model.targets import Unit
from dig_lsp.text.quote import excerpt

if TYPE_CHECKING:
    from dig_lsp.cache import ResultCache

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"
STDIN_DEFAULT_NAME = "stdin.dig"


def _parser() -> argparse.ArgumentParser:
    from dig_lsp.cli.formats import FORMATS

    parser = argparse.ArgumentParser(
        prog="dig-lint",
        description="Lint digdag / Treasure Workflow projects (.dig files). "
        "Subcommands: 'dig-lint rules' lists every check, 'dig-lint rule CODE' prints one check's docs, "
        "'dig-lint dry-run PATH [WORKFLOW]' simulates a workflow session.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to lint (default: the current directory); directories "
                        "are searched recursively for projects; '-' reads standard input")
    parser.add_argument("--output-format", "--format", dest="format", choices=FORMATS, default="text",
                        help="output format (default: text; concise: one line per problem)")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="read the text of one file from standard input and lint it as if it were NAME")
    parser.add_argument("--statistics", action="store_true",
                        help="print the number of problems per rule instead of the problems")
    parser.add_argument("--fix", action="store_true",
                        help="apply the safe fixes to the files, then report what remains (standard input: print "
                        "the fixed text)")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix or --diff: apply the unsafe fixes too (renames guessed from spelling...)")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of what --fix would change, and write nothing (exit code 1 "
                        "when there is a change)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit with 0 even when problems are found (2 still means a usage or internal error)")
    parser.add_argument("--select", metavar="CODES",
                        help="comma-separated codes, code prefixes (DL2) or rule names to run (default: all)")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes, prefixes or names to skip")
    parser.add_argument("--fail-on", choices=[s.label for s in Severity],
                        help="lowest severity that makes the exit code 1 (default: warning)")
    parser.add_argument("--profile", choices=PROFILES,
                        help="target platform: plain digdag or Treasure Data's Treasure Workflow")
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: nearest .dig-lint.toml or pyproject.toml "
                        "with [tool.dig-lint])")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the result cache ($DIG_LINT_CACHE_DIR, else ~/.cache/dig-lint)")
    parser.add_argument("--jobs", type=_positive_int, metavar="N", help="worker processes (default: all cores)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in text output (default: auto = only on a terminal, and not with NO_COLOR)")
    parser.add_argument("--version", action="version", version=f"dig-lint {__version__}")
    return parser


def _positive_int(text: str) -> int:
    """``--jobs``: argparse's ``int`` would take 0 or -3 (and then silently run on one core)."""
    try:
        value = int(text)
    except ValueError:  # also a number of more than 4,300 digits
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {excerpt(text)!r}")
    return value


def _split(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _rule_problem(pattern: str) -> str | None:
    """What is wrong with a select/ignore pattern: None when it matches a rule, else the message.
    Codes get no did-you-mean (DL999 is as near DL909 as DL990); rule names do."""
    from dig_lsp.checks import REGISTRY  # only when needed: importing the checks is most of start-up

    if REGISTRY.knows(pattern):
        return None
    looks_like_code = pattern.upper().startswith("DL") and pattern[2:].isdigit()
    close = None if looks_like_code else closest(pattern, [rule.name for rule in REGISTRY])
    hint = f"did you mean {close!r}?" if close else "see 'dig-lint rules'"
    return f"unknown code or rule {excerpt(pattern)!r} ({hint})"


def _settings(args: argparse.Namespace, inputs: list[str]) -> Settings:
    if args.config and not os.path.isfile(args.config):
        raise ConfigError(f"configuration file {args.config!r} does not exist")
    config_path = args.config or find_config(inputs[0] if inputs else ".")
    settings = load_settings(config_path, _rule_problem)
    for option in ("select", "ignore"):
        for pattern in _split(getattr(args, option)) or ():
            problem = _rule_problem(pattern)
            if problem is not None:
                raise ConfigError(f"--{option}: {problem}")
    return with_overrides(
        settings,
        select=_split(args.select),
        ignore=_split(args.ignore),
        profile=args.profile,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
    )


def _inputs(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The paths to lint, and the name standard input is linted as (None: it is not read).

    Standard input (``-``, or ``--stdin-filename`` alone) is linted on its own, as ruff does: mixed
    with other paths it would be unclear which project the buffer belongs to.
    """
    paths = list(args.paths)
    if args.stdin_filename is None and STDIN not in paths:
        return paths or ["."], None
    if any(path != STDIN for path in paths) or paths.count(STDIN) > 1:
        raise ConfigError("standard input ('-' or --stdin-filename) is linted alone: give no other PATH")
    name = args.stdin_filename or STDIN_DEFAULT_NAME
    return [name], name


def _lint(args: argparse.Namespace) -> int:
    import time

    from dig_lsp.cache import ResultCache, default_cache_dir
    from dig_lsp.text.files import normalise

    if args.unsafe_fixes and not (args.fix or args.diff):
        raise ConfigError("--unsafe-fixes applies only with --fix or --diff")
    if args.diff and args.statistics:
        raise ConfigError("--diff prints only the changes: it cannot be combined with --statistics")
    started_ns = time.time_ns()
    paths, stdin_name = _inputs(args)
    run_key = _run_key(args, paths, stdin_name)
    if run_key is not None:
        from dig_lsp.cli import run_cache

        hit = run_cache.load(default_cache_dir(), run_key, [normalise(p) for p in paths])
        if hit is not None:  # nothing changed since a run with the same inputs: print what it found
            _print(_output(args, hit.diagnostics, hit.checked, hit.roots, {}, paths, docs_url=hit.docs_url))
            return _exit_code(hit.diagnostics, hit.fail_on, args.exit_zero)

    from dig_lsp.model.targets import plan_with_inputs
    from dig_lsp.runner import run

    settings = _settings(args, paths)
    overlays: dict[str, bytes] = {}
    if stdin_name is not None:
        overlays[normalise(stdin_name)] = sys.stdin.buffer.read()
    else:
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise ConfigError(f"no such file or directory: {', '.join(missing)}")
    planned = plan_with_inputs(paths)
    units = planned.units
    warned = False
    if stdin_name is not None:
        units = _with_stdin(units, normalise(stdin_name))
    else:
        warned = _warn_without_workflows(paths, units)
    cache = None if args.no_cache else ResultCache(default_cache_dir(), settings)
    if args.fix or args.diff:
        stdin = None if stdin_name is None else normalise(stdin_name)
        return _fix(args, units, settings, cache, overlays, paths, stdin)
    result = run(units, settings, cache, overlays or None, args.jobs)
    checked, roots = len(result.checked), _roots(units)
    _print(_output(args, result.diagnostics, checked, roots, overlays, paths, docs_url=settings.docs_url))
    code = _exit_code(result.diagnostics, settings.fail_on, args.exit_zero)
    if run_key is not None and not warned and not any(d.code == "DL000" for d in result.diagnostics):
        from dig_lsp.cli import run_cache

        run_cache.store(default_cache_dir(), run_key, started_ns,
                        run_cache.Hit(result.diagnostics, checked, roots, settings.fail_on, settings.docs_url),
                        result.files, planned.listings, planned.files, [normalise(p) for p in paths])
    return code


def _run_key(args: argparse.Namespace, paths: list[str], stdin_name: str | None) -> str | None:
    """The run-level cache entry of this run (``cli/run_cache.py``); None when the run is not one to
    answer from it: no cache, standard input, fixes, or an input path or configuration file that does
    not exist (the normal path reports those)."""
    if args.no_cache or stdin_name is not None or args.fix or args.diff:
        return None
    if (args.config and not os.path.isfile(args.config)) or not all(os.path.exists(p) for p in paths):
        return None
    from dig_lsp.cli.run_cache import run_key
    from dig_lsp.text.files import normalise

    config_path = os.path.abspath(args.config) if args.config else find_config(paths[0])
    options = {"select": args.select, "ignore": args.ignore, "profile": args.profile, "fail_on": args.fail_on}
    return run_key([normalise(p) for p in paths], options, config_path)


def _fix(args: argparse.Namespace, units: list[Unit], settings: Settings, cache: ResultCache | None,
         overlays: dict[str, bytes], paths: list[str], stdin: str | None) -> int:
    """``--fix`` / ``--diff``: apply the fixes (see cli/fixing.py), then write the files, print the fixed
    standard input, or print the diff; report what remains, and what was fixed."""
    from dig_lsp.cli.fixing import MAX_PASSES, fix_units, write
    from dig_lsp.cli.formats import fix_summary, visible

    def warn(message: str) -> None:
        print(f"dig-lint: warning: {visible(message)}", file=sys.stderr)

    outcome = fix_units(units, settings, cache, overlays, args.jobs, args.unsafe_fixes, stdin)
    if not outcome.converged:
        warn(f"fixes were still being applied after {MAX_PASSES} passes; stopped there")
    remaining = outcome.diagnostics
    held_back = 0 if args.unsafe_fixes else sum(1 for d in remaining if d.fix is not None and d.fix.applies(True))
    show = _display(any(os.path.isabs(p) for p in paths))
    if args.diff:
        _write_out("".join(fixed.diff(visible(show(fixed.path))) for fixed in outcome.files))
        print(fix_summary(outcome.applied, len(outcome.files), held_back, would=True), file=sys.stderr)
        if any(d.code == "DL000" for d in remaining):
            return EXIT_ERROR
        return EXIT_FINDINGS if outcome.files else EXIT_OK
    files = outcome.files if stdin is not None else write(outcome.files, warn)
    line = fix_summary(sum(fixed.fixes for fixed in files), len(files), held_back)
    fixed_texts = {**overlays, **{fixed.path: fixed.after for fixed in outcome.files}}
    in_report = args.format in ("text", "concise") and not args.statistics
    report = _output(args, remaining, _checked(units), _roots(units), fixed_texts, paths,
                     line if in_report else None, settings.docs_url)
    if stdin is not None:  # the fixed text is the output; the report goes to standard error
        _write_out(fixed_texts.get(stdin, b""))
        print(report, file=sys.stderr)
    else:
        _print(report)
    if not in_report:
        print(line, file=sys.stderr)
    return _exit_code(remaining, settings.fail_on, args.exit_zero)


def _write_out(output: str | bytes) -> None:
    """Write text or bytes to standard output as is (no line break added)."""
    try:
        if isinstance(output, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(output)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(output)
            sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _with_stdin(units: list[Unit], target: str) -> list[Unit]:
    """The units that analyse a buffer read from standard input as ``target``.

    A top-level ``.dig`` is a workflow of its folder, even unsaved and in a folder that does not exist
    yet (the language server treats an unsaved buffer the same way) -- unless a parent project reaches
    it through ``call>`` or ``!include``, which analyses it in that context.
    """
    from dig_lsp.model.discovery import is_ignored
    from dig_lsp.model.targets import reached_from

    directory = os.path.dirname(target)
    if not target.endswith(".dig") or is_ignored(directory, target):
        return units
    own = [unit for unit in units if unit.root == directory]
    if own:
        return [Unit(u.root, (*u.workflows, target), u.report) if u in own and target not in u.workflows else u
                for u in units]
    if any(target in reached_from(unit.root) for unit in units):
        return units
    return [Unit(directory, (target,), (target,))]


def _warn_without_workflows(paths: list[str], units: list[Unit]) -> bool:
    """A path that no unit reports on most likely is a typo or the wrong folder: say so, as ruff does,
    but it is no error (a CI job over a repository that has no workflows yet should pass). True when
    something was said."""
    from dig_lsp.cli.formats import visible
    from dig_lsp.text.files import normalise

    warned = False
    for path in paths:
        if not any(_covers(normalise(path), unit) for unit in units):
            where = "in" if os.path.isdir(path) else "for"
            print(f"dig-lint: warning: no .dig file found {where} {visible(path)}", file=sys.stderr)
            warned = True
    return warned


def _covers(path: str, unit: Unit) -> bool:
    """Whether ``unit`` lints workflows ``path`` holds: a project found in it, or ``path`` itself reported
    (a file, or a folder whose workflows a parent project calls)."""
    return _under(unit.root, path) or path in (unit.report or ())


def _under(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def _checked(units: list[Unit]) -> int:
    """How many workflow files the units check (the summary line's count)."""
    return len({wf for unit in units for wf in unit.workflows if unit.wants(wf)})


def _roots(units: list[Unit]) -> list[str]:
    return sorted({unit.root for unit in units})


def _output(args: argparse.Namespace, diagnostics: list[Diagnostic], checked: int, roots: list[str],
            overlays: dict[str, bytes], paths: list[str], fixes: str | None = None,
            docs_url: str = RULE_DOCS) -> str:
    """The report as ``args`` asks for it; ``checked`` and ``roots`` come from the units (or a stored run)."""
    from dig_lsp.cli.formats import render, render_statistics

    colour = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if args.statistics:
        return render_statistics(diagnostics, "json" if args.format == "json" else "text", checked)
    show = _display(any(os.path.isabs(p) for p in paths))
    return render(args.format, diagnostics, show, _text_getter(roots, overlays), colour, checked, fixes,
                  docs_url)


def _display(absolute: bool) -> Callable[[str], str]:
    cwd = os.getcwd()
    shown: dict[str, str] = {}  # a file's many diagnostics ask for its name again and again

    def show(path: str) -> str:
        if absolute:
            return path
        found = shown.get(path)
        if found is None:
            relative = os.path.relpath(path, cwd)
            found = shown[path] = path if relative.startswith(".." + os.sep + "..") else relative
        return found

    return show


def _text_getter(roots: list[str], overlays: dict[str, bytes]) -> Callable[[str], str | None]:
    from dig_lsp.text.files import read_project_file

    def text_of(path: str) -> str | None:
        """A file's text for snippets, through the read gate: a cached diagnostic may name any path."""
        if path in overlays:
            return overlays[path].decode("utf-8", errors="replace")
        for root in roots:
            data = read_project_file(path, root)
            if data is not None:
                return data.decode("utf-8", errors="replace")
        return None

    return text_of


def _print(output: str) -> None:
    if not output:
        return
    try:
        print(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `dig-lint ... | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _exit_code(diagnostics: list[Diagnostic], fail_on: Severity, exit_zero: bool = False) -> int:
    if any(d.code == "DL000" for d in diagnostics):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(d.severity >= fail_on for d in diagnostics) else EXIT_OK


def _rules(argv: Sequence[str]) -> int:
    import json

    from dig_lsp.checks import REGISTRY

    parser = argparse.ArgumentParser(
        prog="dig-lint rules", description="List every check: code, name, default severity and summary.")
    parser.add_argument("--output-format", "--format", dest="format", choices=("text", "json"), default="text",
                        help="text (default), or json: a list of objects with code, name, severity and summary")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code == 0 else EXIT_ERROR
    if args.format == "json":
        _print(json.dumps([{"code": rule.code, "name": rule.name, "severity": rule.severity.label,
                            "summary": rule.summary} for rule in REGISTRY], indent=2, ensure_ascii=False))
    else:
        _print("\n".join(f"{rule.code}  {rule.name:<32} {rule.severity.label:<8} {rule.summary}" for rule in REGISTRY))
    return EXIT_OK


def _rule(argv: Sequence[str]) -> int:
    from dig_lsp.checks import REGISTRY

    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: dig-lint rule CODE\n\nPrint the documentation of one check (by code or name).",
              file=sys.stderr if len(argv) != 1 else sys.stdout)
        return EXIT_OK if argv and argv[0] in ("-h", "--help") else EXIT_ERROR
    rule = REGISTRY.get(argv[0])
    if rule is None:
        print(f"dig-lint: {_rule_problem(argv[0]) or f'unknown rule {excerpt(argv[0])!r}'}", file=sys.stderr)
        return EXIT_ERROR
    print(f"# {rule.code} {rule.name} ({rule.severity.label})\n")
    print(rule.help)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dig-lint`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "rules":
        return _rules(argv[1:])
    if argv and argv[0] == "rule":
        return _rule(argv[1:])
    if argv and argv[0] == "dry-run":
        from dig_lsp.cli.dry_run import main as dry_run_main

        return dry_run_main(argv[1:])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code == 0 else EXIT_ERROR
    try:
        return _lint(args)
    except ConfigError as error:
        from dig_lsp.cli.formats import visible

        print(f"dig-lint: {visible(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
