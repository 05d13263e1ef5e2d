"""The style sheet and the script of the HTML timeline (:mod:`dig_lsp.dryrun.timeline`), kept apart
from the Python that writes the markup.

What the styles encode, so a printout in greyscale still tells them apart: a run is a solid bar; a
failed attempt is hatched diagonally inside a heavy border; a wait before a retry is a dotted band;
the critical path has its own colour, vertical stripes and a black rule under every bar on it (and
a diamond before the task's name); a task that takes no time of its own is a diamond on the axis;
a group is a bracket from its first start to its last end (dashed when it failed); the SLA deadline
is a dashed vertical line, labelled on the axis.

The script only reads the page's JSON data block and writes with ``textContent``: no text from the
project is ever parsed as HTML. It fills the details panel on a click, folds or unfolds every group,
and marks the page ready (``data-ready``) for tools that load it.
"""

from __future__ import annotations

STYLE = r"""
:root{--ok:#3b6fb6;--crit:#e8590c;--bad:#c92a2a;--good:#2b8a3e;--wait:#5c636a;--ink:#212529;--muted:#6c757d;
--line:#dee2e6;--gutter:16px;--row:22px;--indent:14px;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);
background:var(--bg)}
header{padding:14px 18px 4px}
h1{font-size:20px;margin:0 0 2px;word-break:break-all}
.badge{font-size:12px;font-weight:600;padding:1px 9px;border-radius:10px;vertical-align:middle;border:1.5px solid}
.badge.success{background:#ebfbee;color:var(--good)}
.badge.error{background:#fff5f5;color:var(--bad);border-style:dashed}
.path{color:var(--muted);margin:0 0 8px;font-size:12px;word-break:break-all}
.facts{display:flex;flex-wrap:wrap;gap:4px 20px;margin:0}
.facts div{display:flex;gap:6px}
.facts dt{color:var(--muted)}
.facts dd{margin:0;font-weight:600}
.problems{color:var(--bad);margin:8px 0 0;padding-left:18px}
.toolbar{padding:8px 18px 2px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.toolbar button{font:inherit;padding:2px 10px;border:1px solid #adb5bd;background:#f8f9fa;border-radius:4px;
cursor:pointer}
.toolbar button:hover{background:#e9ecef}
.hint{color:var(--muted);margin-left:6px}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;margin:0;padding:6px 18px 10px;color:#495057}
.legend li{display:flex;align-items:center;gap:7px}
.swatch{position:relative;display:inline-block;width:36px;height:var(--row);flex:none}
.swatch .bar,.swatch .span-bar{left:0;width:100%}
.swatch .bar.instant{left:18px;width:10px}
.swatch .sla-swatch{position:absolute;left:17px;top:1px;bottom:1px;border-left:2px dashed var(--bad)}
.chart{position:relative;isolation:isolate;margin:0 0 48px;border-top:1px solid var(--line)}
.axis,.row{display:grid;grid-template-columns:var(--names) minmax(0,1fr);align-items:center}
.axis{position:sticky;top:0;z-index:4;background:var(--bg);height:40px;border-bottom:1px solid #adb5bd}
.axis .name{display:block;height:auto;padding:0 6px 0 18px;color:var(--muted);font:11px/1.3 system-ui,sans-serif;
white-space:normal;overflow:hidden;cursor:default}
.axis .name b{display:block;color:var(--ink);font-weight:600}
.lane{position:relative;display:block;height:var(--row);margin:0 var(--gutter)}
.axis .lane{height:40px}
.tick{position:absolute;bottom:3px;transform:translateX(-50%);font-size:11px;color:#343a40;white-space:nowrap;
font-variant-numeric:tabular-nums;text-align:center;line-height:1.2}
.tick .day{display:block;font-size:10px;color:var(--muted)}
.sla-flag{position:absolute;top:2px;transform:translateX(-50%);font-size:11px;font-weight:700;color:var(--bad);
background:var(--bg);padding:0 4px;border:1.5px dashed var(--bad);border-radius:3px;white-space:nowrap;z-index:1}
.sla-flag.beyond{right:0;transform:none}
.sla-flag.met{color:var(--good);border-color:var(--good)}
.rows{position:relative}
.row{min-height:var(--row);border-bottom:1px solid #f1f3f5;position:relative;z-index:1}
.row:hover{background:rgba(51,154,240,.08)}
.row.selected{background:rgba(51,154,240,.18)}
.name{display:flex;align-items:center;gap:5px;min-width:0;width:100%;height:var(--row);
padding:0 6px 0 calc(6px + var(--depth) * var(--indent));
font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
color:var(--ink);background:none;border:0;text-align:left;cursor:pointer;white-space:nowrap;overflow:hidden}
button.name:focus-visible,summary:focus-visible{outline:2px solid #1c7ed6;outline-offset:-2px}
.label{overflow:hidden;text-overflow:ellipsis;min-width:0}
.tag{font:10px/1.35 system-ui,sans-serif;padding:0 4px;border-radius:3px;background:#f1f3f5;color:#495057;flex:none}
.tag.error{background:#fff5f5;color:var(--bad);border:1px solid var(--bad)}
.tag.skipped{background:none;border:1px dotted var(--muted)}
.tag.retried{background:#fff3bf;color:#7a4d00}
.tag.count{background:none;color:var(--muted)}
.crit-mark{color:var(--crit);flex:none;font-size:11px}
.row.skipped .label{color:var(--muted);text-decoration:line-through}
summary{display:grid;list-style:none;cursor:pointer}
summary::-webkit-details-marker{display:none}
.twisty{flex:none;width:10px;color:var(--muted)}
.twisty::before{content:"\25b8"}
details[open]>summary .twisty::before{content:"\25be"}
summary .label{font-weight:700}
.bar,.span-bar{position:absolute;top:4px;height:14px;border-radius:2px}
.bar.run.success{background:var(--ok)}
.bar.run.crit{background-color:var(--crit);
background-image:repeating-linear-gradient(90deg,rgba(255,255,255,.5) 0 2px,transparent 2px 6px)}
.bar.run.error{background-color:#fff;
background-image:repeating-linear-gradient(45deg,var(--bad) 0 2px,transparent 2px 6px);
border:2px solid var(--bad)}
.bar.wait{top:6px;height:10px;border-radius:0;background:none;border-top:2px dotted var(--wait);
border-bottom:2px dotted var(--wait)}
.bar.crit::after{content:"";position:absolute;left:0;right:0;bottom:-5px;height:3px;background:#111}
.bar.wait.crit::after{bottom:-7px}
.bar.instant{width:10px;height:10px;top:6px;margin-left:-5px;transform:rotate(45deg);border-radius:1px;
background:#495057;border:0}
.bar.instant.crit{background:var(--crit);outline:2px solid #111}
.bar.instant.error{background:#fff;border:2px solid var(--bad)}
.bar.instant::after{display:none}
.span-bar{top:9px;height:7px;border:2px solid #495057;border-top:0;border-radius:0}
.span-bar.error{border-color:var(--bad);border-style:dashed}
.dur{position:absolute;left:100%;margin-left:5px;top:-1px;font-size:11px;line-height:14px;color:#495057;
white-space:nowrap;pointer-events:none;background:none}
.span-bar .dur{top:-7px}
.dur.before{left:auto;right:100%;margin:0 5px 0 0}
.dur.inside{left:auto;right:3px;margin:0;padding:0 3px;border-radius:2px;background:rgba(255,255,255,.88)}
.span-bar .dur.inside{top:-8px;background:none}
.overlay{position:absolute;top:0;bottom:0;left:calc(var(--names) + var(--gutter));right:var(--gutter);
pointer-events:none}
.overlay.grid{z-index:0}
.overlay.marks{z-index:3}
.grid-line{position:absolute;top:40px;bottom:0;border-left:1px solid #e9ecef}
.sla-line{position:absolute;top:0;bottom:0;margin-left:-1px;border-left:2px dashed var(--bad)}
.sla-line.met{border-left-color:var(--good)}
.panel{position:fixed;top:0;right:0;bottom:0;width:min(600px,55vw);background:var(--bg);border-left:1px solid #ced4da;
box-shadow:-6px 0 18px rgba(0,0,0,.14);overflow:auto;padding:14px 16px 32px;z-index:10}
.panel[hidden]{display:none}
#panel-close{position:absolute;top:6px;right:10px;font-size:22px;line-height:1;border:0;background:none;
cursor:pointer}
.panel h2{font:600 13px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;
margin:0 30px 8px 0}
.panel h3{font-size:12px;font-weight:600;color:#495057;margin:14px 0 4px;word-break:break-all}
.panel pre{background:#f8f9fa;border:1px solid #e9ecef;padding:8px;overflow:auto;max-height:55vh;margin:0;
font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre}
.panel table{border-collapse:collapse;width:100%;font-size:12px}
.panel th,.panel td{text-align:left;padding:2px 8px 2px 0;border-bottom:1px solid #f1f3f5;vertical-align:top}
.panel th{color:var(--muted);font-weight:400;white-space:nowrap}
.panel table.facts th{width:1%;padding-right:18px}
.panel ul{margin:0;padding-left:18px}
.panel .bad{color:var(--bad)}
@media print{.toolbar,.panel{display:none}.axis{position:static}}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dryrun-data").textContent);
  var panel = document.getElementById("panel");
  var body = document.getElementById("panel-body");
  var selected = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function section(title, node) {
    body.appendChild(el("h3", null, title));
    body.appendChild(node);
  }
  function list(items, cls) {
    var ul = el("ul", cls);
    items.forEach(function (item) { ul.appendChild(el("li", null, item)); });
    return ul;
  }
  function table(rows, head, cls) {
    var t = el("table", cls);
    if (head) {
      var tr = el("tr");
      head.forEach(function (cell) { tr.appendChild(el("th", null, cell)); });
      t.appendChild(tr);
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (cell, i) { tr.appendChild(el(i === 0 && !head ? "th" : "td", null, cell)); });
      t.appendChild(tr);
    });
    return t;
  }
  function show(index, row) {
    var task = data.tasks[index];
    if (!task) { return; }
    body.textContent = "";
    body.appendChild(el("h2", null, task.name));
    var facts = [["state", task.state], ["operator", task.operator ? task.operator + ">" : "(group)"],
                 ["from", task.from], ["to", task.to], ["takes", task.takes],
                 ["attempts", task.attempts], ["retries", task.retries]];
    body.appendChild(table(facts.filter(function (f) { return f[1] !== null && f[1] !== undefined; }), null, "facts"));
    if (task.segments.length) {
      section("Attempts", table(task.segments.map(function (s) {
        return [s.what + (s.critical ? " \u25c6" : ""), s.state, s.from, s.to, s.takes, s.message];
      }), ["", "outcome", "from", "to", "takes", "message"]));
    }
    if (task.command !== null) { section("Command (rendered)", el("pre", null, data.texts[task.command])); }
    if (task.params !== null) { section("Parameters (evaluated)", el("pre", null, data.texts[task.params])); }
    task.files.forEach(function (f) {
      section(f.path + " (" + f.parameter + ", rendered)",
              f.text === null ? el("p", "bad", f.problem) : el("pre", null, data.texts[f.text]));
      if (f.unevaluated.length) { section("Not evaluated in " + f.path, list(f.unevaluated)); }
      if (f.errors.length) { section("Would fail at run time in " + f.path, list(f.errors, "bad")); }
    });
    if (task.unevaluated.length) { section("Not evaluated", list(task.unevaluated)); }
    if (task.errors.length) { section("Would fail at run time", list(task.errors, "bad")); }
    if (task.notes.length) { section("Notes", list(task.notes)); }
    if (task.upstream.length) { section("Waits for", list(task.upstream)); }
    panel.hidden = false;
    if (selected) { selected.classList.remove("selected"); }
    selected = row;
    row.classList.add("selected");
  }
  function close() {
    panel.hidden = true;
    if (selected) { selected.classList.remove("selected"); selected = null; }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var action = target.closest("[data-act]");
    if (action) {
      var open = action.getAttribute("data-act") === "expand";
      document.querySelectorAll("details.group").forEach(function (d) { d.open = open; });
      return;
    }
    if (target.closest("#panel-close")) { close(); return; }
    var row = target.closest("[data-i]");
    if (!row) { return; }
    if (row.tagName === "SUMMARY") {
      if (!target.closest(".lane")) { return; }
      event.preventDefault();
    }
    show(Number(row.getAttribute("data-i")), row);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
"""
