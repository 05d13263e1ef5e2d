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
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
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
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    async def run(self, path: str, documents: Mapping[str, OpenDocument]) -> str | None:
        """The text report of a dry run of the workflow in ``path`` (None when it is no workflow).

        Cancelling the awaiting task kills the child.
        """
        result = await self.run_all(path, documents)
        return None if result is None else result.text

    async def run_all(self, path: str, documents: Mapping[str, OpenDocument]) -> DryRunResult | None:
        """The dry run of the workflow in ``path`` as text, HTML timeline and summary (None when it is no
        workflow; a failed or stopped run has only text, saying why)."""
        payload = json.dumps({"path": path, "documents": [asdict(doc) for doc in documents.values()]})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-P", "-m", __name__, repr(self.seconds), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self._running.add(process)
        try:
            output, errors = await asyncio.wait_for(process.communicate(payload.encode("ascii")), self.seconds)
        except TimeoutError:
            logger.warning("dry run of %s stopped after %g s", path, self.seconds)
            return DryRunResult(f"dry run stopped: it took more than {self.seconds:g} s (dig-lsp --dry-run-seconds)")
        finally:
            self._running.discard(process)
            if process.returncode is None:
                _kill(process)
                await process.wait()
        return _report(output, errors, process.returncode)

    def save_timeline(self, path: str, html: str) -> Path:
        """Write a workflow's HTML timeline where the browser can open it: one file per workflow in a
        private folder of this server (mode 0700, removed at exit), rewritten by each dry run."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="dig-lsp-dry-run-")
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(os.path.basename(path))[0]) or "workflow"
        target = Path(self._folder.name) / f"{name}.html"
        target.write_text(html, encoding="utf-8")
        return target

    def kill_all(self) -> None:
        """Stop every running dry run and remove the timelines written (the server is exiting)."""
        for process in list(self._running):
            _kill(process)
        if self._folder is not None:
            with contextlib.suppress(OSError):
                self._folder.cleanup()


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()


@dataclass(frozen=True)
class DryRunResult:
    """What a dry run gives the editor: the text report (or why there is none), and for a run that ended,
    the HTML timeline and a one-line summary."""

    text: str
    html: str | None = None
    summary: str | None = None


def _report(output: bytes, errors: bytes, returncode: int | None) -> DryRunResult | None:
    """What the child printed, or why it printed nothing usable."""
    try:
        result = json.loads(output)
    except ValueError:
        result = None
    if isinstance(result, dict) and returncode == 0:
        report, error = result.get("report"), result.get("error")
        if isinstance(error, str):
            return DryRunResult(f"dry run failed: {error}")
        if not isinstance(report, str):
            return None
        html, summary = result.get("html"), result.get("summary")
        return DryRunResult(report, html if isinstance(html, str) else None,
                            summary if isinstance(summary, str) else None)
    logger.warning("the dry-run process failed (exit %s): %s", returncode, errors[-2000:].decode(errors="replace"))
    return DryRunResult(f"dry run failed: the dry-run process exited with {returncode}")


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


def _dry_run(request: dict[str, Any]) -> dict[str, str] | None:
    from dig_lsp.ide.code_lens import dry_run_reports

    path = request["path"]
    view = DocumentAnalyser().project_for(path, _documents(request["documents"]))
    reports = None if view is None else dry_run_reports(view.model, path)
    if reports is None:
        return None
    report = reports.text
    if len(report) > MAX_REPORT_CHARS:
        report = report[:MAX_REPORT_CHARS] + "\n... (report cut)\n"
    return {"report": report, "html": reports.html, "summary": reports.summary}


def child_main(argv: list[str]) -> int:
    """Run one dry run: the request on standard input, ``{"report": ..., "html": ..., "summary": ...}``
    (``{"report": null}`` for no workflow, ``{"error": ...}`` for a failure) on standard output."""
    _limit_cpu(float(argv[0]) if argv else DRY_RUN_SECONDS)
    request = json.loads(sys.stdin.buffer.read())
    try:
        found = _dry_run(request)
        result: dict[str, str | None] = {"report": None} if found is None else dict(found)
    except Exception as error:
        logger.exception("dry run of %s failed", request.get("path"))
        result = {"error": str(error)}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
