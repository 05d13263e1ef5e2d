"""editors/dig-lint-problem-matcher.json against real ``dig-lint`` text output.

Every finding of the JSON output must be matched, with the same file, line, column, severity,
code and message, by exactly one of the matchers; no other line (source excerpts, notes, help,
the summary) may match. The regexes are JavaScript ones; these use no syntax Python reads
differently.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MATCHER = ROOT / "editors" / "dig-lint-problem-matcher.json"
GITHUB_SEVERITY = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}


def _dig_lint(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "dig_lsp.cli.main", "--no-cache", "--color", "never", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout


def _matchers() -> list[dict[str, Any]]:
    config: dict[str, Any] = json.loads(MATCHER.read_text(encoding="utf-8"))
    return list(config["problemMatcher"])


def _match(line: str) -> list[dict[str, Any]]:
    """What the matchers make of one line: a list of annotations (normally 0 or 1)."""
    found = []
    for matcher in _matchers():
        (pattern,) = matcher["pattern"]
        m = re.search(pattern["regexp"], line)
        if m is None:
            continue
        found.append({
            "path": m.group(pattern["file"]),
            "line": int(m.group(pattern["line"])),
            "column": int(m.group(pattern["column"])),
            "severity": m.group(pattern["severity"]) if "severity" in pattern else matcher["severity"],
            "code": m.group(pattern["code"]),
            "message": m.group(pattern["message"]),
        })
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """examples/broken (errors and warnings, notes, multi-line output) plus an info finding."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "examples" / "broken" / "bom.dig").write_bytes("\ufeff+a:\n  echo>: hi\n".encode())
    return tmp_path


def test_matchers_are_well_formed() -> None:
    matchers = _matchers()
    assert {m["owner"] for m in matchers} == {"dig-lint", "dig-lint-notice"}
    for matcher in matchers:
        for pattern in matcher["pattern"]:
            compiled = re.compile(pattern["regexp"])
            groups = [v for k, v in pattern.items() if k != "regexp"]
            assert max(groups) == compiled.groups


def test_every_finding_is_matched_exactly(project: Path) -> None:
    text = _dig_lint(project, "examples/broken").splitlines()
    findings = json.loads(_dig_lint(project, "--format", "json", "examples/broken"))
    assert {f["severity"] for f in findings} >= {"error", "warning", "info"}
    expected = [
        {"path": f["path"], "line": f["line"], "column": f["column"], "severity": GITHUB_SEVERITY[f["severity"]],
         "code": f["code"], "message": f["message"]}
        for f in findings
    ]
    matched = [annotation for line in text for annotation in _match(line)]
    assert all(len(_match(line)) <= 1 for line in text)
    assert sorted(matched, key=json.dumps) == sorted(expected, key=json.dumps)


def test_other_lines_do_not_match(project: Path) -> None:
    text = _dig_lint(project, "examples/broken").splitlines()
    others = [line for line in text if not re.match(r"^\S.*:\d+:\d+: (error|warning|info|hint)\[", line)]
    assert any(line.lstrip().startswith("note:") for line in others)
    assert any(line.startswith("Found ") for line in others)
    assert [line for line in others if _match(line)] == []


def test_windows_paths_and_colons_in_messages() -> None:
    (annotation,) = _match(r"C:\work\wf.dig:3:5: error[DL202] invalid key 'a: b' on group task +t")
    assert annotation["path"] == r"C:\work\wf.dig"
    assert (annotation["line"], annotation["column"], annotation["code"]) == (3, 5, "DL202")
    assert annotation["message"] == "invalid key 'a: b' on group task +t"
