"""The ``dig-lsp`` command line: options read before anything heavy is imported.

Why a module of its own: the server needs pygls and lsprotocol (a third of a second to import) and the
analysis core; ``dig-lsp --version`` and ``--help``, and a wrong option, need none of that, and an editor
probing the executable should get its answer at once. The server is imported once the options are known.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import sys
from collections.abc import Sequence

from dig_lsp import __version__
from dig_lsp.lsp.memory import steady_allocator

DRY_RUN_SECONDS = 30.0  # a dry run started from a code lens is stopped after this long (wall-clock)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dig-lsp", description="Language server for digdag .dig workflow files "
                                     "(speaks LSP over standard input/output unless --tcp is given).")
    parser.add_argument("--tcp", metavar="HOST:PORT", type=_host_port, help="listen on a TCP socket instead of stdio")
    parser.add_argument("--log-file", metavar="PATH", help="write a debug log to PATH (default: warnings to stderr)")
    parser.add_argument("--dry-run-seconds", metavar="SECONDS", type=_seconds, default=DRY_RUN_SECONDS,
                        help=f"stop a dry run started from a code lens after this long (default {DRY_RUN_SECONDS:g})")
    parser.add_argument("--version", action="version", version=f"dig-lsp {__version__}")
    return parser


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 24 * 3600:
        raise argparse.ArgumentTypeError(f"expected a number of seconds up to a day, got {value!r}")
    return seconds


def _configure_logging(log_file: str | None) -> None:
    handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if log_file else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dig-lsp`` console script."""
    args = _parser().parse_args(argv)
    try:
        _configure_logging(args.log_file)
    except OSError as error:
        print(f"dig-lsp: cannot open log file: {error}", file=sys.stderr)
        return 2
    # Imports build hundreds of thousands of objects that live as long as the process: the cyclic
    # collector would walk them again and again while they are made (a tenth of the start-up's CPU
    # time). It is switched back on, with everything imported frozen, once the server is built.
    thresholds = gc.get_threshold()
    gc.disable()
    steady_allocator()  # before any large block is freed (see dig_lsp.lsp.memory)
    handover = None
    if args.tcp is None:  # the first messages, answered before pygls is imported (see dig_lsp.lsp.front)
        from dig_lsp.lsp.front import serve_first_document

        handover = serve_first_document(sys.stdin.buffer, sys.stdout.buffer)
        if handover.analyser is not None:
            # The first diagnostics are out (or on their way): pygls is imported with the collector on,
            # so its garbage does not add to the peak memory (a fifth less; the import is a tenth slower).
            gc.set_threshold(*thresholds)
            gc.enable()
    from dig_lsp.lsp.server import run  # the server, only now

    run(args.tcp, args.dry_run_seconds, handover)
    return 0  # not reached: run() ends the process with the exit code LSP asks for
