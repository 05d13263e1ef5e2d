"""Variables digdag defines for every task (reference §3, ``core/agent/RuntimeParams.java``)."""

from __future__ import annotations

_TIME_SUFFIXES = ("time", "date", "date_compact", "local_time", "tz_offset", "unixtime")

ALWAYS = frozenset({
    "timezone", "project_id", "session_uuid", "session_id", "attempt_id", "task_name",
    *(f"session_{suffix}" for suffix in _TIME_SUFFIXES),
    # always defined; real values only with a schedule and an earlier executed session
    *(f"last_executed_session_{suffix}" for suffix in _TIME_SUFFIXES),
})
"""Defined in every task of every workflow."""

SCHEDULED_ONLY = frozenset({
    *(f"last_session_{suffix}" for suffix in _TIME_SUFFIXES),
    *(f"next_session_{suffix}" for suffix in _TIME_SUFFIXES),
})
"""Defined only when the workflow has a ``schedule:`` (``core/workflow/AttemptBuilder.java``)."""

SOMETIMES = frozenset({"retry_attempt_name"})
"""Defined only when the attempt has a retry name."""


def builtin_names(scheduled: bool) -> frozenset[str]:
    """Every built-in variable name visible in a workflow with or without a schedule."""
    return ALWAYS | SOMETIMES | (SCHEDULED_ONLY if scheduled else frozenset())
