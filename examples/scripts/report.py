"""Weekly report task, run by digdag as ``py>: scripts.report.Report.run``.

digdag imports this module, creates ``Report`` with the parameters whose names match the
``__init__`` arguments, then calls ``run`` the same way. Nothing happens at import time.
"""

from __future__ import annotations

import digdag  # provided by the py> runner at execution time


class Report:
    """Builds the report title and stores it for the tasks that run after this one."""

    def __init__(self, weekly_table: str) -> None:
        self.weekly_table = weekly_table

    def run(self, session_date: str, timezone: str = "UTC") -> None:
        """Store ``report.title`` and ``report.table`` (visible to later tasks as ``${report.*}``)."""
        title = f"Weekly sales report for the week before {session_date} ({timezone})"
        digdag.env.store({"report": {"title": title, "table": self.weekly_table}})
