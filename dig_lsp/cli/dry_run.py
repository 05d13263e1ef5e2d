"""``dig-lint dry-run PATH [WORKFLOW]``: simulate a session of a workflow without running anything.

Exit codes: 0 the simulated session succeeds; 1 it fails (a workflow digdag refuses to compile,
a ``fail>`` task, a ``${...}`` that throws, an injected failure, a task-count limit); 2 a usage
error (including a ``--fail`` pattern that matches no operator task, or a malformed count).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from dig_lsp.dryrun.options import (
    DEFAULT_DURATION,
    Durations,
    FailRule,
    OptionError,
    Options,
    StoreRule,
    parse_rows,
    parse_seconds,
)
from dig_lsp.dryrun.report import FORMATS, render

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    """The ``dry-run`` subcommand's arguments."""
    cli = argparse.ArgumentParser(
        prog="dig-lint dry-run",
        description="Simulate one session of a digdag workflow: task order, rendered ${...}, retries, "
        "timing. Nothing from the project is executed.",
    )
    cli.add_argument("path", metavar="PATH", help="a .dig file, or a project directory")
    cli.add_argument("workflow", metavar="WORKFLOW", nargs="?",
                     help="workflow name (file name without .dig) when PATH is a directory")
    cli.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="session parameter (a string, like digdag's -p); repeatable")
    cli.add_argument("-P", "--params-file", action="append", default=[], metavar="FILE",
                     help="YAML/JSON file of session parameters; repeatable")
    cli.add_argument("--session-time", metavar="ISO8601",
                     help="session time (default: the schedule's next session time, else now); a time "
                     "without offset is read in the workflow's time zone")
    cli.add_argument("--store", action="append", default=[], metavar="TASK.key=value",
                     help="value a task stores when it succeeds (JSON or text), e.g. "
                     "'+wf+query.td.last_results={\"n\":3}'; 'TASK.rows=[...]' gives td_for_each> rows")
    cli.add_argument("--rows", metavar="FILE",
                     help="td_for_each> rows: a YAML/JSON list of row objects, or task glob -> list")
    cli.add_argument("--fail", action="append", default=[], metavar="GLOB[:N]",
                     help="make matching operator tasks fail N times (always without :N); repeatable")
    cli.add_argument("--durations", metavar="FILE",
                     help="YAML/JSON mapping: task-name glob -> seconds or duration (5m), 'op>' -> default")
    cli.add_argument("--default-duration", default=str(int(DEFAULT_DURATION)), metavar="DURATION",
                     help="duration of every other operator task (default: 60 = 1 minute)")
    cli.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    cli.add_argument("--show-rendered", action="store_true",
                     help="text and JSON: add each operator task's parameters and the files its operator renders "
                     "(td> SQL, mail> bodies...) as they would run in this session (the HTML timeline always "
                     "shows them)")
    cli.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    return cli


def _load_data(path: str) -> object:
    from ruamel.yaml import YAML

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        return json.loads(text)
    except ValueError:
        return YAML(typ="safe", pure=True).load(text)


def options_from(args: argparse.Namespace) -> Options:
    """Build :class:`Options` from parsed arguments (raises OptionError or OSError)."""
    options = Options()
    for path in args.params_file:
        data = _load_data(path)
        if not isinstance(data, dict):
            raise OptionError(f"{path}: a params file must hold a mapping")
        options.params.update({str(k): v for k, v in data.items()})
    for item in args.param:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise OptionError(f"-p {item!r}: expected KEY=VALUE")
        options.params[key] = value
    if args.session_time:
        try:
            options.session_time = datetime.fromisoformat(args.session_time)
        except ValueError:
            raise OptionError(f"--session-time {args.session_time!r} is not an ISO 8601 date-time") from None
    options.stores = [StoreRule.parse(item) for item in args.store]
    options.fails = [FailRule.parse(item) for item in args.fail]
    default = parse_seconds(args.default_duration)
    options.durations = Durations.from_mapping(_load_data(args.durations), default) if args.durations \
        else Durations(default=default)
    if args.rows:
        options.rows = parse_rows(_load_data(args.rows))
    options.render_files = args.show_rendered or args.format == "html"
    return options


def _choose(path: str, name: str | None) -> tuple[str, list[str], str]:
    """(project root, workflow files, the chosen file)."""
    from dig_lsp.model.discovery import workflow_files
    from dig_lsp.text.files import normalise

    path = normalise(path)
    root = os.path.dirname(path) if os.path.isfile(path) else path
    files = [normalise(f) for f in workflow_files(root)]
    if os.path.isfile(path):
        chosen = path
    else:
        names = {os.path.basename(f)[:-4]: f for f in files}
        if name is None and len(files) == 1:
            chosen = files[0]
        elif name is None:
            raise OptionError(f"{root} holds several workflows; name one of: {', '.join(sorted(names))}")
        elif name.removesuffix(".dig") in names:
            chosen = names[name.removesuffix(".dig")]
        else:
            raise OptionError(f"no workflow {name!r} in {root} (found: {', '.join(sorted(names)) or 'none'})")
    if chosen not in files:
        files.append(chosen)
    return root, files, chosen


def main(argv: Sequence[str]) -> int:
    """Run the subcommand; returns the exit code."""
    from dig_lsp.dryrun.run import dry_run
    from dig_lsp.model.project import load_project
    from dig_lsp.text.files import DiskReader
    from dig_lsp.text.limits import recursion_headroom

    try:
        args = parser().parse_args(list(argv))
    except SystemExit as exit_:
        return EXIT_OK if exit_.code == 0 else EXIT_ERROR
    try:
        if not os.path.exists(args.path):
            raise OptionError(f"no such file or directory: {args.path}")
        options = options_from(args)
        root, files, chosen = _choose(args.path, args.workflow)
    except (OptionError, OSError) as error:
        print(f"dig-lint dry-run: {error}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # a broken params/rows/durations file (YAML or JSON errors)
        print(f"dig-lint dry-run: {error}", file=sys.stderr)
        return EXIT_ERROR
    with recursion_headroom():  # trees as deep as the loader accepts are walked recursively
        project = load_project(root, files, DiskReader())
        workflow = project.workflow(chosen)
        if workflow is None:
            print(f"dig-lint dry-run: {chosen} could not be loaded (run dig-lint on it to see why)",
                  file=sys.stderr)
            return EXIT_ERROR
        result = dry_run(project, workflow, options)
        if result.unmatched_fails:
            for text in result.unmatched_fails:
                print(f"dig-lint dry-run: --fail {text!r} matches no operator task of this session "
                      f"(full names look like +{workflow.name}+task; a bare +task matches at any depth)",
                      file=sys.stderr)
            return EXIT_ERROR
        output = render(result, args.format, args.show_rendered)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(output)
    else:
        sys.stdout.write(output)
    return EXIT_OK if result.state == "success" else EXIT_FAILED
