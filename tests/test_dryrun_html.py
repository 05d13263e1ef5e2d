"""The HTML timeline, loaded in headless Chromium: the bars it draws are where the simulation says.

Skipped (with the reason) when Chromium is not installed; `apt-get install chromium` provides it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dig_lsp.cli.main import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

WORKFLOW = """\
+load:
  _parallel: true
  +a:
    echo>: a
  +b:
    echo>: b
+after:
  echo>: done
"""


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_html_timeline_draws_the_bars(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    (tmp_path / "wf.dig").write_text(WORKFLOW)
    page = tmp_path / "timeline.html"
    assert main(["dry-run", str(tmp_path / "wf.dig"), "--session-time", "2024-01-01T00:00:00Z",
                 "--format", "html", "--output", str(page)]) == 0
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1200,600", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    layout = re.search(r'<pre id="layout" hidden="">(.*?)</pre>', completed.stdout, re.DOTALL)
    assert layout is not None, completed.stderr[-2000:]
    bars = json.loads(html.unescape(layout.group(1)))
    runs = {bar["task"]: bar for bar in bars if " run " in f" {bar['cls']} "}
    assert set(runs) == {"+a", "+b", "+after"}
    assert all(bar["width"] > 10 for bar in runs.values())
    # +a and +b run in parallel (same start); +after starts where they end
    assert abs(runs["+a"]["left"] - runs["+b"]["left"]) < 1
    assert runs["+after"]["left"] >= runs["+a"]["left"] + runs["+a"]["width"] - 1
    assert any("critical" in bar["cls"] for bar in bars)
