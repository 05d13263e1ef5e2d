"""The HTML timeline (``dig-lint dry-run --format html``), loaded in headless Chromium: where the
browser draws the bars, the axis, the SLA line and the critical path is where the simulation says,
groups fold, a click shows the rendered command and SQL, and hostile text stays text.

The page is measured, not compared by pixels: a copy of it gets a probe script (allowed by adding
its hash to the page's Content-Security-Policy, so the policy stays on) that writes bounding boxes
and computed styles into the DOM, which ``--dump-dom`` prints. Skipped, with the reason, when
Chromium is not installed, as the other tests of optional tools are (``.ci/run`` installs it);
the tests of the page's text that need no browser are at the end and always run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dig_lsp.cli.main import main
from dig_lsp.dryrun.clock import duration_text, ticks, wall_clock
from dig_lsp.dryrun.options import Durations, FailRule, Options
from dig_lsp.dryrun.timeline import MAX_TEXTS_CHARS, to_html
from tests.test_dryrun import run_file

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
                 if (found := shutil.which(name)) is not None), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does): the HTML "
    "timeline is not loaded in a browser")

HOSTILE = "</script><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> &amp;"

_QUOTED = HOSTILE.replace('"', '\\"')
WORKFLOW = f"""\
timezone: Asia/Tokyo
sla:
  duration: 00:20:00
+prepare:
  echo>: prepare ${{session_date}}
+load:
  _parallel: true
  +a:
    echo>: a
  +b:
    td>: queries/b.sql
    database: db
+flaky:
  _retry:
    limit: 1
    interval: 30
  sh>: echo flaky  # echo> ignores _retry
+after:
  echo>: "{_QUOTED}"
"""

SQL = "-- </pre></script><!-- hostile\nSELECT '${session_date}' AS day, '${database}' AS db\n"

DURATIONS = {"+prepare": 60, "+a": 120, "+b": 300, "+flaky": 180, "+after": 60}
# the simulated timeline (seconds): prepare 0-60, a 60-180, b 60-360, flaky fails 360-540, waits
# 540-570, succeeds 570-750, after 750-810; the SLA deadline is 1200
CRITICAL = {"+wf+prepare", "+wf+load+b", "+wf+flaky", "+wf+after"}

PROBE = """
(function () {
  "use strict";
  function box(e) { var r = e.getBoundingClientRect(); return {left: r.left, width: r.width, top: r.top,
                                                               height: r.height}; }
  function colourless(text) { return text.replace(/rgba?\\([^)]*\\)/g, "C"); }
  var data = JSON.parse(document.getElementById("dryrun-data").textContent);
  function row(name) {
    return Array.from(document.querySelectorAll("[data-i]")).filter(function (r) {
      return data.tasks[Number(r.getAttribute("data-i"))].name === name; })[0];
  }
  var out = {ready: document.documentElement.getAttribute("data-ready"), title: document.title,
             images: document.querySelectorAll("img").length, scripts: document.scripts.length};
  out.lanes = Array.from(document.querySelectorAll(".rows .lane"), function (l) {
    return [box(l).left, box(l).width]; });
  out.bars = Array.from(document.querySelectorAll(".rows .bar, .rows .span-bar"), function (bar) {
    var r = bar.closest("[data-i]"), style = getComputedStyle(bar), after = getComputedStyle(bar, "::after");
    return {task: data.tasks[Number(r.getAttribute("data-i"))].name, cls: bar.className,
            t0: Number(bar.getAttribute("data-t0")), t1: Number(bar.getAttribute("data-t1")), box: box(bar),
            pattern: colourless(style.backgroundImage), colour: style.backgroundColor,
            border: style.borderTopStyle + " " + style.borderLeftStyle,
            after: after.content !== "none" && after.display !== "none" ? after.height : null,
            marked: r.querySelector(".crit-mark") !== null};
  });
  var sla = document.getElementById("sla-line");
  out.sla = sla ? box(sla) : null;
  out.ticks = Array.from(document.querySelectorAll(".axis .tick"), function (t) {
    return {text: t.lastChild.textContent, box: box(t)}; });
  var group = row("+wf+load").parentElement, next = row("+wf+flaky");
  function visible() { return ["+wf+load+a", "+wf+load+b"].map(function (n) { return row(n).checkVisibility(); }); }
  out.fold = {before: visible(), nextTop: box(next).top, summary: box(row("+wf+load")).height};
  group.open = false;
  out.fold.after = visible();
  out.fold.nextTopAfter = box(next).top;
  out.fold.summaryAfter = box(row("+wf+load")).height;
  group.open = true;
  function click(name) {
    row(name).querySelector(".bar").dispatchEvent(new MouseEvent("click", {bubbles: true}));
    var panel = document.getElementById("panel");
    return {hidden: panel.hidden, text: panel.textContent, images: panel.querySelectorAll("img").length,
            pres: Array.from(panel.querySelectorAll("pre"), function (p) { return p.textContent; })};
  }
  out.panelB = click("+wf+load+b");
  out.panelAfter = click("+wf+after");
  out.titleAfter = document.title;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def _chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--force-device-scale-factor=1", f"--user-data-dir={profile}", "--window-size=1300,900", *arguments],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "queries").mkdir(parents=True)
    (project / "wf.dig").write_text(WORKFLOW, encoding="utf-8")
    (project / "queries" / "b.sql").write_text(SQL, encoding="utf-8")
    (project / "durations.json").write_text(json.dumps(DURATIONS), encoding="utf-8")
    return project


def _page(tmp_path: Path) -> Path:
    project = _project(tmp_path)
    page = tmp_path / "timeline.html"
    assert main(["dry-run", str(project / "wf.dig"), "--session-time", "2024-01-01T00:00:00",
                 "--durations", str(project / "durations.json"), "--fail", "+flaky:1",
                 "--format", "html", "--output", str(page)]) == 0
    return page


def _probe(tmp_path: Path, page: Path) -> dict[str, Any]:
    """Load a copy of ``page`` with the probe and return what it measured."""
    text = page.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(PROBE.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r"script-src ('sha256-[^']+')", text)
    assert policy is not None, "the page allows only its own script"
    probed = tmp_path / "probed.html"
    probed.write_text(text.replace(policy.group(0), f"{policy.group(0)} 'sha256-{digest}'", 1)
                      .replace("</body>", f"<script>{PROBE}</script></body>"), encoding="utf-8")
    completed = _chromium("--dump-dom", probed.as_uri(), profile=tmp_path / "profile")
    found = re.search(r'<pre id="probe">(.*?)</pre>', completed.stdout, re.DOTALL)
    assert found is not None, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    tmp_path = tmp_path_factory.mktemp("timeline")
    return _probe(tmp_path, _page(tmp_path))


def _scale(measured: dict[str, Any]) -> tuple[float, float]:
    """(x of the simulated clock's zero, pixels per second), from the lanes and the bars' widths."""
    lanes = {tuple(round(v, 1) for v in lane) for lane in measured["lanes"]}
    assert len(lanes) == 1, f"every row's lane spans the same x range: {lanes}"
    rates = [bar["box"]["width"] / (bar["t1"] - bar["t0"]) for bar in measured["bars"] if bar["t1"] > bar["t0"]]
    return measured["lanes"][0][0], statistics.median(rates)


@needs_chromium
def test_bars_sit_on_the_axis_by_start_time_with_widths_proportional_to_durations(measured: dict[str, Any]) -> None:
    zero, rate = _scale(measured)
    timed = [bar for bar in measured["bars"] if bar["t1"] > bar["t0"]]
    assert len(timed) >= 9
    for bar in timed:
        assert bar["box"]["left"] == pytest.approx(zero + bar["t0"] * rate, abs=1.5), bar
        assert bar["box"]["width"] == pytest.approx((bar["t1"] - bar["t0"]) * rate, abs=1.0), bar
    ordered = sorted(timed, key=lambda bar: (bar["t0"], bar["box"]["left"]))
    assert all(a["box"]["left"] <= b["box"]["left"] + 0.5 for a, b in itertools.pairwise(ordered))
    runs = {bar["task"]: bar for bar in timed if " run " in f" {bar['cls']} " and "success" in bar["cls"]}
    # +a and +b start together (parallel); +flaky starts where +b, the longer one, ends
    assert runs["+wf+load+a"]["box"]["left"] == pytest.approx(runs["+wf+load+b"]["box"]["left"], abs=0.5)
    b = runs["+wf+load+b"]["box"]
    failed = next(bar for bar in timed if bar["task"] == "+wf+flaky" and "error" in bar["cls"])
    assert failed["box"]["left"] == pytest.approx(b["left"] + b["width"], abs=1.0)
    assert runs["+wf+load+b"]["box"]["width"] == pytest.approx(2.5 * runs["+wf+load+a"]["box"]["width"], rel=0.02)


@needs_chromium
def test_axis_shows_clock_times_in_the_workflows_zone_and_the_sla_line(measured: dict[str, Any]) -> None:
    zero, rate = _scale(measured)
    # the session starts at midnight in Asia/Tokyo; the axis reaches the SLA deadline (20 minutes)
    assert [tick["text"] for tick in measured["ticks"]] == ["00:00", "00:05", "00:10", "00:15", "00:20"]
    for number, tick in enumerate(measured["ticks"]):
        centre = tick["box"]["left"] + tick["box"]["width"] / 2
        assert centre == pytest.approx(zero + number * 300 * rate, abs=1.5), tick
    sla = measured["sla"]
    assert sla is not None
    assert sla["left"] + sla["width"] / 2 == pytest.approx(zero + 1200 * rate, abs=1.5)
    last_end = max(bar["box"]["left"] + bar["box"]["width"] for bar in measured["bars"])
    assert sla["left"] > last_end  # the session (810 s) ends before the deadline


@needs_chromium
def test_critical_path_and_failures_are_marked_by_more_than_colour(measured: dict[str, Any]) -> None:
    bars = [bar for bar in measured["bars"] if "span-bar" not in bar["cls"]]
    marked = {bar["task"] for bar in bars if "crit" in bar["cls"].split()}
    assert marked == CRITICAL
    for bar in bars:
        on_path = "crit" in bar["cls"].split()
        assert bar["marked"] is (bar["task"] in CRITICAL), bar  # the diamond before the name
        if on_path and "instant" not in bar["cls"]:
            assert bar["after"] == "3px", bar  # the black rule under each bar on the path

    def kind(task: str, *classes: str) -> dict[str, Any]:
        return next(bar for bar in bars if bar["task"] == task and all(c in bar["cls"].split() for c in classes))

    ran, critical = kind("+wf+load+a", "run", "success"), kind("+wf+load+b", "run", "success")
    failed, waiting = kind("+wf+flaky", "run", "error"), kind("+wf+flaky", "wait")
    assert ran["colour"] != critical["colour"]
    # told apart without colour: pattern, border style and the rule under the bar
    signatures = {(bar["pattern"], bar["border"], bar["after"]) for bar in (ran, critical, failed, waiting)}
    assert len(signatures) == 4, signatures
    assert "repeating-linear-gradient" in failed["pattern"]
    assert "solid" in failed["border"]
    assert "dotted" in waiting["border"]


@needs_chromium
def test_groups_fold(measured: dict[str, Any]) -> None:
    fold = measured["fold"]
    assert fold["before"] == [True, True]
    assert fold["after"] == [False, False]
    assert fold["summaryAfter"] == fold["summary"] > 0  # the group's own row stays
    assert fold["nextTopAfter"] < fold["nextTop"] - 30  # the rows below move up


@needs_chromium
def test_details_panel_shows_rendered_command_and_sql_as_text(measured: dict[str, Any]) -> None:
    panel = measured["panelB"]
    assert panel["hidden"] is False
    assert "SELECT '2024-01-01' AS day, 'db' AS db" in "\n".join(panel["pres"])
    assert "-- </pre></script><!-- hostile" in "\n".join(panel["pres"])
    assert "queries/b.sql" in panel["text"]
    hostile = measured["panelAfter"]
    assert HOSTILE in "\n".join(hostile["pres"])
    assert hostile["images"] == 0
    assert measured["images"] == 0
    assert measured["title"] == measured["titleAfter"] == "Dry run: wf"
    assert measured["ready"] == "1"
    assert measured["scripts"] == 3  # the data block, the page's script and the probe


@needs_chromium
def test_page_script_runs_under_its_own_policy(tmp_path: Path) -> None:
    """Unmodified, the page's script runs (its hash is in the policy); nothing else does."""
    page = _page(tmp_path)
    completed = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert 'data-ready="1"' in completed.stdout, completed.stderr[-3000:]
    assert "<title>Dry run: wf</title>" in completed.stdout


@needs_chromium
def test_screenshot_of_the_example(tmp_path: Path) -> None:
    """The README's timeline renders (a screenshot is taken; look at it with --basetemp to keep it)."""
    root = Path(__file__).resolve().parent.parent
    page = tmp_path / "timeline.html"
    assert main(["dry-run", str(root / "examples"), "weekly_report", "--durations",
                 str(root / "examples" / "durations.yml"), "--fail", "+weekly_report+build_report:1",
                 "--store", '+weekly_report+build_report.report={"title":"Weekly sales","table":"t"}',
                 "--format", "html", "-o", str(page)]) == 0
    shot = tmp_path / "timeline.png"
    completed = _chromium("--run-all-compositor-stages-before-draw", f"--screenshot={shot}", page.as_uri(),
                          profile=tmp_path / "profile")
    assert shot.is_file(), completed.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


# ------------------------------------------------------------------------------ without a browser


def test_user_text_never_reaches_the_page_as_markup(tmp_path: Path) -> None:
    run = run_file(str(_project(tmp_path) / "wf.dig"), Options(render_files=True))
    page = to_html(run)
    assert "<img" not in page
    assert page.count("<script") == page.count("</script>") == 2
    assert "<script>document.title" not in page
    assert "document.title=&#x27;pwned&#x27;" in page  # in the bar's title attribute, escaped
    data = page.split('<script type="application/json" id="dryrun-data">', 1)[1].split("</script>", 1)[0]
    assert not {"<", ">", "&"} & set(data)
    decoded = json.loads(data)
    assert HOSTILE in decoded["texts"]
    assert any("</pre></script><!-- hostile" in text for text in decoded["texts"])


def test_a_thousand_tasks_make_a_small_page_with_big_groups_folded(tmp_path: Path) -> None:
    body = "  echo>: step ${i} of a long command " + "x" * 200 + "\n"
    (tmp_path / "wf.dig").write_text("+fan:\n  loop>: 332\n  _parallel: {limit: 50}\n  _do:\n    +one:\n"
                                     + body.replace("  echo", "      echo") + "    +two:\n      echo>: two ${i}\n",
                                     encoding="utf-8")
    run = run_file(str(tmp_path / "wf.dig"), Options(durations=Durations(default=30)))
    assert run.state == "success"
    assert len(run.tasks) == 999  # the root, +fan, ^sub, and 332 groups of two
    page = to_html(run)
    assert len(page.encode("utf-8")) < 2_000_000
    assert page.count("data-i=") == len(run.tasks)
    # the root and the small groups are open; +fan and ^sub (996 tasks below) start folded
    assert page.count("<details class=\"group\" open>") == 1 + 332
    assert page.count("<details class=\"group\">") == 2


def test_long_texts_are_cut_and_bounded(tmp_path: Path) -> None:
    sql = "SELECT 1 -- ${i}\n" + "-- filler\n" * 20_000
    (tmp_path / "q.sql").write_text(sql, encoding="utf-8")
    (tmp_path / "wf.dig").write_text("+fan:\n  loop>: 300\n  _do:\n    td>: q.sql\n", encoding="utf-8")
    run = run_file(str(tmp_path / "wf.dig"), Options(render_files=True, durations=Durations(default=1)))
    page = to_html(run)
    assert "cut at 20,000 characters" in page
    assert "this page's room for texts is used up" in page
    assert len(page.encode("utf-8")) < MAX_TEXTS_CHARS + 1_000_000


def test_sla_far_after_the_end_is_an_arrow_not_a_squeezed_axis(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text("sla:\n  duration: 05:00:00\n+a:\n  echo>: a\n", encoding="utf-8")
    page = to_html(run_file(str(tmp_path / "wf.dig")))
    assert 'id="sla-line"' not in page
    assert "sla-flag beyond" in page
    assert "4h 59m after the end" in page


def test_failed_attempts_are_drawn_per_attempt(tmp_path: Path) -> None:
    (tmp_path / "wf.dig").write_text("+a:\n  _retry: 2\n  sh>: echo a\n", encoding="utf-8")
    run = run_file(str(tmp_path / "wf.dig"), Options(fails=[FailRule.parse("+a:2")]))
    page = to_html(run)
    drawn = re.findall(r'class="(bar [^"]*)" data-t0', page)  # (the legend's samples have no time)
    assert [bar.split()[1:3] for bar in drawn] == [["run", "error"], ["wait", "success"], ["run", "error"],
                                                   ["wait", "success"], ["run", "success"]]


# ------------------------------------------------------------------------------ clock


def test_clock_times_cross_daylight_saving_changes_by_elapsed_time() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    origin = datetime(2024, 3, 10, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    later = wall_clock(origin, 2 * 3600)
    assert later is not None
    assert later.isoformat() == "2024-03-10T04:00:00-04:00"
    assert [t.label for t in ticks(origin, 2 * 3600, most=4)] == ["01:00", "01:30", "03:00", "03:30", "04:00"]
    assert wall_clock(origin, 1e13) is None
    assert ticks(origin, 1e13)[1].label.startswith("+")


def test_duration_text() -> None:
    assert [duration_text(s) for s in (0, 45, 60, 150, 3600, 3660, 90061, 86400)] == [
        "0s", "45s", "1m", "2m 30s", "1h", "1h 1m", "1d 1h", "1d"]
