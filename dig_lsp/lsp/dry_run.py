"""The dry run the code lens starts (``workspace/executeCommand``), run in a child process.

In the server's own process the dry run blocked the event loop: nothing was read, answered or
published until it ended, and its bounds are per expression (a step and a time budget each), so
a workflow of a thousand costly expressions took minutes. A thread would not do: Python cannot
stop one. A child process can be stopped, so the dry run is:

* off the event loop: the server awaits the child and keeps answering;
* cancellable: ``$/cancelRequest`` (or ``shutdown``, or ``exit``) kills the child;
* bounded in total: the child is killed after :data:`DRY_RUN_SECONDS` of wall-clock time (the
  ``--dry-run-seconds`` option), and it limits its own CPU time too, so an orphan (a server
  killed with SIGKILL) stops by itself.

The child gets a snapshot of the open documents on its standard input and loads the project the
way the server does (:meth:`DocumentAnalyser.project_for`), so unsaved buffers count. It is
started with ``-P``: the server's working directory is usually the user's repository, and a
``dig_lsp`` folder or a module named like a standard one there must not be imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import sys
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from dig_lsp.lsp.documents import DocumentAnalyser, OpenDocument
from dig_lsp.lsp.main import DRY_RUN_SECONDS

logger = logging.getLogger(__name__)


MAX_REPORT_CHARS = 2_000_000
"""A longer report is cut (a thousand tasks, digdag's limit per attempt, take some 300 kB)."""
_CPU_MARGIN_SECONDS = 5  # the child's own CPU limit: the wall-clock bound plus this much


class DryRunner:
    """Dry runs in child processes, each bounded by ``seconds``; all killed by :meth:`kill_all`."""

    def __init__(self, seconds: float = DRY_RUN_SECONDS) -> None:
        self.seconds = seconds
        self._running: set[asyncio.subprocess.Process] = set()

    async def run(self, path: str, documents: Mapping[str, OpenDocument]) -> str | None:
        """The text report of a dry run of the workflow in ``path`` (None when it is no workflow).

        Cancelling the awaiting task kills the child.
        """
        payload = json.dumps({"path": path, "documents": [asdict(doc) for doc in documents.values()]})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-P", "-m", __name__, repr(self.seconds), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self._running.add(process)
        try:
            output, errors = await asyncio.wait_for(process.communicate(payload.encode("ascii")), self.seconds)
        except TimeoutError:
            logger.warning("dry run of %s stopped after %g s", path, self.seconds)
            return f"dry run stopped: it took more than {self.seconds:g} s (dig-lsp --dry-run-seconds)"
        finally:
            self._running.discard(process)
            if process.returncode is None:
                _kill(process)
                await process.wait()
        return _report(output, errors, process.returncode)

    def kill_all(self) -> None:
        """Stop every running dry run (the server is exiting)."""
        for process in list(self._running):
            _kill(process)


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()


def _report(output: bytes, errors: bytes, returncode: int | None) -> str | None:
    """What the child printed, or why it printed nothing usable."""
    try:
        result = json.loads(output)
    except ValueError:
        result = None
    if isinstance(result, dict) and returncode == 0:
        report, error = result.get("report"), result.get("error")
        if isinstance(error, str):
            return f"dry run failed: {error}"
        return report if isinstance(report, str) else None
    logger.warning("the dry-run process failed (exit %s): %s", returncode, errors[-2000:].decode(errors="replace"))
    return f"dry run failed: the dry-run process exited with {returncode}"


# ---------------------------------------------------------------------------------------- the child


def _limit_cpu(seconds: float) -> None:
    """Bound the child's CPU time, so that it ends even when nobody is left to kill it."""
    if sys.platform == "win32":
        return
    import resource

    limit = math.ceil(seconds) + _CPU_MARGIN_SECONDS
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit))


def _documents(items: list[dict[str, Any]]) -> dict[str, OpenDocument]:
    return {item["path"]: OpenDocument(item["uri"], item["path"], item["version"], item["text"]) for item in items}


def _dry_run(request: dict[str, Any]) -> str | None:
    from dig_lsp.ide.code_lens import dry_run_report

    path = request["path"]
    view = DocumentAnalyser().project_for(path, _documents(request["documents"]))
    report = None if view is None else dry_run_report(view.model, path)
    if report is not None and len(report) > MAX_REPORT_CHARS:
        report = report[:MAX_REPORT_CHARS] + "\n... (report cut)\n"
    return report


def child_main(argv: list[str]) -> int:
    """Run one dry run: the request on standard input, ``{"report": ...}`` (or ``{"error": ...}``,
    as the server answered before the dry run had a process of its own) on standard output."""
    _limit_cpu(float(argv[0]) if argv else DRY_RUN_SECONDS)
    request = json.loads(sys.stdin.buffer.read())
    try:
        result = {"report": _dry_run(request)}
    except Exception as error:
        logger.exception("dry run of %s failed", request.get("path"))
        result = {"error": str(error)}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
