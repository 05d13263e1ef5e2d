"""Which keys digdag accepts where, each list once (the checks, the dry run's compiler and messages use them).

* ``GROUPING_KEYS``: ``digdag-core/src/main/java/io/digdag/core/workflow/WorkflowCompiler.java``
  (``GROUPING_TASK_CONFIG_KEYS``, in the source's order): the only keys a group task may have besides
  ``+tasks`` (``_disable`` is handled before: a disabled task's config is emptied).
* ``TOP_LEVEL_KEYS``: ``digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java``:
  ``timezone`` and ``_export`` are taken out first, then ``TOP_LEVEL_CONFIG`` (schedule, sla, _error,
  _check, _retry, _parallel); any other key besides ``+tasks`` is refused.
"""

from __future__ import annotations

GROUPING_KEYS = ("timezone", "schedule", "sla", "_parallel", "_background", "_after", "_error", "_check",
                 "_retry", "_export", "_secrets")
TOP_LEVEL_KEYS = ("timezone", "_export", "schedule", "sla", "_error", "_check", "_retry", "_parallel")
