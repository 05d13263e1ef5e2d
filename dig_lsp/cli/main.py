"""``dig-lint``: lint digdag projects from the command line, in CI and in pre-commit.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 a usage or configuration
error, or a failure of the tool itself (a crashed check reports ``DL000``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dig_lsp import __version__
from dig_lsp.config import PROFILES, ConfigError, Settings, find_config, load_settings, with_overrides
from dig_lsp.diagnostics import Diagnostic, Severity
from dig_lsp.model.targets import Unit

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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
                        "are searched recursively for projects")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="read the text of one file from standard input and lint it as if it were NAME")
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
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in text output (default: auto = only on a terminal, and not with NO_COLOR)")
    parser.add_argument("--version", action="version", version=f"dig-lint {__version__}")
    return parser


def _split(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _settings(args: argparse.Namespace) -> Settings:
    start = args.stdin_filename or (args.paths[0] if args.paths else ".")
    config_path = args.config or find_config(start)
    if args.config and not os.path.isfile(args.config):
        raise ConfigError(f"configuration file {args.config!r} does not exist")
    settings = load_settings(config_path)
    settings = with_overrides(
        settings,
        select=_split(args.select),
        ignore=_split(args.ignore),
        profile=args.profile,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
    )
    patterns = (*settings.select, *settings.ignore)
    if patterns:
        from dig_lsp.checks import REGISTRY  # only when needed: importing the checks is most of start-up

        unknown = [pattern for pattern in patterns if not REGISTRY.knows(pattern)]
        if unknown:
            raise ConfigError(f"unknown code or rule {unknown[0]!r} in select/ignore (see 'dig-lint rules')")
    return settings


def _display(absolute: bool) -> object:
    cwd = os.getcwd()

    def show(path: str) -> str:
        if absolute:
            return path
        relative = os.path.relpath(path, cwd)
        return path if relative.startswith(".." + os.sep + "..") else relative

    return show


def _lint(args: argparse.Namespace) -> int:
    from dig_lsp.cache import ResultCache, default_cache_dir
    from dig_lsp.cli.formats import render
    from dig_lsp.model.targets import plan
    from dig_lsp.runner import run
    from dig_lsp.text.files import normalise, read_project_file

    settings = _settings(args)
    overlays: dict[str, bytes] = {}
    if args.stdin_filename:
        target = normalise(args.stdin_filename)
        overlays[target] = sys.stdin.buffer.read()
        paths = [args.stdin_filename]
    else:
        paths = args.paths or ["."]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            print(f"dig-lint: no such file or directory: {', '.join(missing)}", file=sys.stderr)
            return EXIT_ERROR
    units = plan(paths)
    if args.stdin_filename:
        units = [_with_stdin_workflow(unit, normalise(args.stdin_filename)) for unit in units] or [
            Unit(os.path.dirname(target), (target,), (target,))]
    cache = None if args.no_cache else ResultCache(default_cache_dir(), settings)
    result = run(units, settings, cache, overlays or None, args.jobs)
    show = _display(any(os.path.isabs(p) for p in paths))
    colour = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))

    roots = sorted({unit.root for unit in units})

    def text_of(path: str) -> str | None:
        """A file's text for snippets, through the read gate: a cached diagnostic may name any path."""
        if path in overlays:
            return overlays[path].decode("utf-8", errors="replace")
        for root in roots:
            data = read_project_file(path, root)
            if data is not None:
                return data.decode("utf-8", errors="replace")
        return None

    files = len({wf for unit in units for wf in unit.workflows})
    output = render(args.format, result.diagnostics, show, text_of, colour, files)  # type: ignore[arg-type]
    if output:
        try:
            print(output)
            sys.stdout.flush()
        except BrokenPipeError:  # `dig-lint ... | head`: the reader left, which is not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return _exit_code(result.diagnostics, settings.fail_on)


def _with_stdin_workflow(unit: Unit, target: str) -> Unit:
    if os.path.dirname(target) == unit.root and target.endswith(".dig") and target not in unit.workflows:
        return Unit(unit.root, (*unit.workflows, target), unit.report)
    return unit


def _exit_code(diagnostics: list[Diagnostic], fail_on: Severity) -> int:
    if any(d.code == "DL000" for d in diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(d.severity >= fail_on for d in diagnostics) else EXIT_OK


def _rules(argv: Sequence[str]) -> int:
    from dig_lsp.checks import REGISTRY

    if argv and argv[0] in ("-h", "--help"):
        print("usage: dig-lint rules\n\nList every check: code, name, default severity and summary.")
        return EXIT_OK
    for rule in REGISTRY:
        print(f"{rule.code}  {rule.name:<32} {rule.severity.label:<8} {rule.summary}")
    return EXIT_OK


def _rule(argv: Sequence[str]) -> int:
    from dig_lsp.checks import REGISTRY

    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: dig-lint rule CODE\n\nPrint the documentation of one check (by code or name).",
              file=sys.stderr if len(argv) != 1 else sys.stdout)
        return EXIT_OK if argv and argv[0] in ("-h", "--help") else EXIT_ERROR
    rule = REGISTRY.get(argv[0])
    if rule is None:
        print(f"dig-lint: unknown rule {argv[0]!r} (see 'dig-lint rules')", file=sys.stderr)
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
        print(f"dig-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
