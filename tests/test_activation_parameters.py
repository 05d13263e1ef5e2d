"""Parameters Treasure Data passes to a workflow that Audience Studio runs as an Activation Action
(``segment_id``, ``activation_actions_table``...): with the ``treasure-data`` profile such a name is no
typo of a defined name it resembles (DL508, info, saying where it comes from); with digdag's profile the
name is what it looks like, a near miss (DL502)."""

from __future__ import annotations

from pathlib import Path

from dig_lsp.config import Settings
from tests.conftest import lint_text

WORKFLOW = "_export:\n  segment_ids: [1, 2]\n+echo:\n  echo>: ${segment_id} ${unknown_thing}\n"


def _found(tmp_path: Path, profile: str) -> list[tuple[str, int, int, str]]:
    settings = Settings(select=("DL502", "DL508"), profile=profile)
    return [(d.code, d.span.start.line, d.span.start.column, d.message)
            for d in lint_text(tmp_path, WORKFLOW, settings=settings)]


def test_treasure_data_passes_activation_parameters(tmp_path: Path) -> None:
    assert _found(tmp_path, "treasure-data") == [
        ("DL508", 3, 11, "'segment_id' is defined nowhere in the project: Treasure Data passes it when Audience "
                         "Studio runs the workflow as an Activation Action; otherwise pass it with `-p`"),
        ("DL508", 3, 25, "'unknown_thing' is defined nowhere in the project; pass it with `-p` at run time"),
    ]


def test_digdag_reads_a_near_miss(tmp_path: Path) -> None:
    assert _found(tmp_path, "digdag") == [
        ("DL502", 3, 11, "'segment_id' is not defined in +wf+echo; did you mean 'segment_ids'?"),
        ("DL508", 3, 25, "'unknown_thing' is defined nowhere in the project; pass it with `-p` at run time"),
    ]
