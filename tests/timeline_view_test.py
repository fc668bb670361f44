#!/usr/bin/python3
"""Opens a `dtruss --timeline` file in headless Chromium's trace viewer and checks what it shows.

Traces the proc_threads fixture (two processes of two threads each) with
`dtruss -f --timeline FILE`, starts headless Chromium through chromedriver, opens the Performance
panel of the DevTools front end that Chromium ships (devtools://devtools/bundled/trace_app.html:
Debian's chromium is built without chrome://tracing, whose catapult viewer it leaves out, and
Perfetto's UI needs the network), loads the file through the panel's own file input (the
detached <input type=file> of its Load button, given the file with CDP DOM.setFileInputFiles),
waits until the tracks are drawn, saves a PNG screenshot (--png, kept) and asserts that:
  - the viewer parsed the file without a warning;
  - it shows one track per thread, named after the file's thread_name (comm/tid), under the
    group of its process (named after the file's process_name), and no other track;
  - it holds, per thread, as many slices as the file has complete ("X") events, and draws as
    many entries in its flame chart;
  - the screenshot is not blank: the track area has many distinct colours.
Fails (never skips) when chromium, chromedriver, selenium or PIL is missing:
scripts/install-test-deps.sh installs them (Debian packages chromium, chromium-driver,
python3-selenium, python3-pil), for /usr/bin/python3, which is why the test runs with it.

Usage: timeline_view_test.py --dtruss build/dtruss --fixture build/tests/fixtures/proc_threads
       --png build/timeline-view.png [--chromium /usr/bin/chromium]
       [--chromedriver /usr/bin/chromedriver]
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

VIEWER = "devtools://devtools/bundled/trace_app.html"
WINDOW = (1280, 800)
TIMEOUT_S = 20  # for each wait on the page
MIN_COLOURS = 12  # distinct colours the drawn track area must have


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def require_tools(args):
    """Fails with what to install when a tool of the test is missing."""
    missing = [p for p in (args.chromium, args.chromedriver) if not os.access(p, os.X_OK)]
    for module in ("selenium", "PIL"):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"the Python module {module} (for {sys.executable})")
    check(not missing, "missing: " + ", ".join(missing) + "; run scripts/install-test-deps.sh "
          "(Debian packages chromium, chromium-driver, python3-selenium, python3-pil)")


# ---- the file ---------------------------------------------------------------------------------

Expected = collections.namedtuple("Expected", "process_names thread_names pid_of slices")


def read_timeline(path):
    """What the viewer must show: names from the metadata events, and X events per thread."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    process_names, thread_names, pid_of = {}, {}, {}
    slices = collections.Counter()
    for e in doc["traceEvents"]:
        pid_of[e["tid"]] = e["pid"]
        if e["ph"] == "M" and e["name"] == "process_name":
            process_names[e["pid"]] = e["args"]["name"]
        elif e["ph"] == "M" and e["name"] == "thread_name":
            thread_names[e["tid"]] = e["args"]["name"]
        elif e["ph"] == "X":
            slices[e["tid"]] += 1
    return Expected(process_names, thread_names, pid_of, slices)


def trace_fixture(args, timeline):
    r = subprocess.run([args.dtruss, "-f", "--timeline", timeline, args.fixture],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    check(r.returncode == 0, f"dtruss exited with {r.returncode}: {r.stderr}")
    exp = read_timeline(timeline)
    check(len(exp.process_names) == 2 and len(exp.slices) == 4,
          f"the fixture should make 2 processes and 4 threads with slices: {exp}")
    return exp


# ---- the viewer -------------------------------------------------------------------------------

# Imports the panel's modules (the page's own instances: same URLs) as T and UI, then runs BODY.
JS_PRELUDE = """
const T = await import('./panels/timeline/timeline.js');
const UI = await import('./ui/legacy/legacy.js');
const panel = () => T.TimelinePanel.TimelinePanel.instance();
"""

# Shows the Performance panel, telling it first that its keyboard help was seen (else it opens it
# over the tracks on the first load).
JS_OPEN = """
const C = await import('./core/common/common.js');
C.Settings.Settings.instance()
    .createSetting('timeline.user-had-shortcuts-dialog-opened-once', false).set(true);
await UI.ViewManager.ViewManager.instance().showView('timeline');
return !!panel().fileSelectorElement;
"""

# Closes the dialog the page opens by itself (its host connection is lost: there is none), hides
# the sidebar and expands every track group.
JS_TIDY = """
const dialogs = [...UI.Dialog.Dialog.dialogs];
for (const d of dialogs) d.hide();
const buttons = [];
(function walk(n) {
  if (n.shadowRoot) walk(n.shadowRoot);
  if (n.tagName === 'BUTTON' && n.getAttribute('aria-label') === 'Hide sidebar' &&
      n.getClientRects().length) buttons.push(n);
  for (const c of n.children || []) walk(c);
})(document.documentElement);
for (const b of buttons) b.click();
const view = panel().getFlameChart();
view.mainDataProvider.timelineData().groups.forEach((g, i) => {
  if (!g.expanded) view.mainFlameChart.toggleGroupExpand(i);
});
// Until the chart stops moving (the sidebar slides away) and has drawn.
const frame = () => new Promise(r => requestAnimationFrame(r));
let last = '';
for (let i = 0; i < 100; i++) {
  await frame();
  const box = JSON.stringify(view.mainFlameChart.element.getBoundingClientRect());
  if (box === last) break;
  last = box;
}
await frame();
return {dialogs: dialogs.length, sidebar: buttons.length};
"""

# What the viewer made of the file: its tracks, its slices per thread, the flame chart's
# entries, its warnings, and where the flame chart is on the page.
JS_MODEL = """
const p = panel();
const parsed = p.getParsedTraceForLayoutTests();
const view = p.getFlameChart();
const data = view.mainDataProvider.timelineData();
const slices = {};
for (const [, proc] of parsed.Renderer.processes)
  for (const [tid, th] of proc.threads) slices[tid] = th.entries.length;
const chart = view.mainFlameChart;
const r = chart.element.getBoundingClientRect();
return {
  groups: data.groups.map((g, i) => ({name: g.name, nesting: g.style.nestingLevel ?? 0,
                                      expanded: !!g.expanded, hidden: !!g.hidden,
                                      y: chart.groupIndexToOffsetForTest(i)})),
  slices, entries: data.entryLevels.length,
  warnings: [...parsed.Warnings.perWarning.keys()],
  generic: parsed.Meta.traceIsGeneric,
  chart: [r.left, r.top, r.right, r.bottom].map(Math.round),
  ratio: window.devicePixelRatio,
};
"""


def run_js(driver, body):
    """Runs an async JS body (after JS_PRELUDE) in the page; its exceptions become failures."""
    script = ("const done = arguments[arguments.length - 1];"
              "(async () => {" + JS_PRELUDE + body + "})().then("
              "v => done({ok: v}), e => done({err: String(e) + '\\n' + e.stack}));")
    out = driver.execute_async_script(script)
    check("err" not in out, f"in the page: {out.get('err')}")
    return out.get("ok")


def wait_for(what, fn):
    deadline = time.monotonic() + TIMEOUT_S
    last = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # the page not ready yet: a script error, until the deadline
            last = e
        time.sleep(0.2)
    raise Failure(f"timed out after {TIMEOUT_S} s waiting for {what}" + (f": {last}" if last else ""))


def start_chromium(args, profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", f"--user-data-dir={profile}",
              f"--window-size={WINDOW[0]},{WINDOW[1]}", "--force-device-scale-factor=1",
              "--no-first-run", "--disable-gpu"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=opts)
    driver.set_script_timeout(TIMEOUT_S)
    return driver


def load_in_viewer(driver, timeline):
    """Opens the Performance panel and gives the file to the input of its Load button."""
    driver.get(VIEWER)
    wait_for("the Performance panel", lambda: run_js(driver, JS_OPEN))
    found = driver.execute_cdp_cmd("Runtime.evaluate", {
        "expression": "(async () => { const T = await import('./panels/timeline/timeline.js');"
                      " return T.TimelinePanel.TimelinePanel.instance().fileSelectorElement; })()",
        "awaitPromise": True})
    input_id = found.get("result", {}).get("objectId")
    check(input_id, f"the panel has no file input: {found}")
    driver.execute_cdp_cmd("DOM.setFileInputFiles", {"files": [timeline], "objectId": input_id})
    wait_for("the trace to be loaded and its tracks drawn",
             lambda: run_js(driver, "const p = panel(); return p.state === 'Idle' &&"
                                    " p.hasActiveTrace() && !!p.getParsedTraceForLayoutTests() &&"
                                    " p.getFlameChart().mainDataProvider.timelineData()"
                                    ".groups.length > 0;"))


# ---- the checks -------------------------------------------------------------------------------


def names(title, name, task_id):
    """Whether a track's title shows this name and id: the viewer may add the id after the name
    ("prog (12)", "prog/12 (12)"), and the name must not be the start of a longer word."""
    if not title.startswith(name):
        return False
    rest = title[len(name):]
    return (not rest or not rest[0].isalnum()) and re.search(rf"\b{task_id}\b", title) is not None


def check_tracks(model, exp):
    """One track per thread, named comm/tid, in the group of its process; no other track."""
    groups = [g for g in model["groups"] if not g["hidden"]]
    check(groups, "the viewer shows no track")
    seen_processes, seen_threads = {}, {}
    current = None  # the pid of the process group the tracks below belong to
    for g in groups:
        if g["nesting"] == 0:
            pids = [pid for pid, name in exp.process_names.items() if names(g["name"], name, pid)]
            check(len(pids) == 1, f"top-level track {g['name']!r} is not one of the processes "
                                  f"{sorted(exp.process_names.values())}")
            current = pids[0]
            check(current not in seen_processes, f"process {current} shown twice")
            seen_processes[current] = g["name"]
        else:
            tids = [tid for tid, name in exp.thread_names.items() if names(g["name"], name, tid)]
            check(len(tids) == 1, f"track {g['name']!r} is not one thread of the file: "
                                  f"{sorted(exp.thread_names.values())}")
            tid = tids[0]
            check(tid not in seen_threads, f"thread {tid} has two tracks")
            check(current == exp.pid_of[tid], f"thread track {g['name']!r} is not under its "
                                              f"process {exp.pid_of[tid]} but under {current}")
            check(g["expanded"], f"track {g['name']!r} is collapsed")
            seen_threads[tid] = g["name"]
    check(set(seen_processes) == set(exp.process_names),
          f"processes shown {seen_processes}, in the file {exp.process_names}")
    check(set(seen_threads) == set(exp.slices),
          f"thread tracks shown {seen_threads}, threads with slices in the file "
          f"{dict(exp.slices)}")
    return seen_processes, seen_threads


def check_slices(model, exp):
    got = {int(tid): n for tid, n in model["slices"].items()}
    check(got == dict(exp.slices), f"slices per thread in the viewer {got}, in the file "
                                   f"{dict(exp.slices)}")
    total = sum(exp.slices.values())
    check(model["entries"] == total,
          f"the flame chart has {model['entries']} entries, the file {total} slices")


def coloured(pixel):
    return max(pixel) - min(pixel) >= 50  # the slices' colours, not the greys of text and grid


def check_picture(png, model, threads):
    """The drawn track area is not blank: many distinct colours, and each thread's track has
    coloured slices drawn on its rows. Returns the number of colours and the coloured pixels of
    each thread track."""
    from PIL import Image

    ratio = model["ratio"] or 1
    left, top, right, bottom = (round(v * ratio) for v in model["chart"])
    check(right - left > 100 and bottom - top > 100,
          f"the flame chart is too small on the page: {model['chart']}")
    with Image.open(png) as img:
        area = img.convert("RGB").crop((left, top, right, bottom))
    colours = area.getcolors(maxcolors=1 << 20)
    check(colours is not None and len(colours) >= MIN_COLOURS,
          f"the track area {model['chart']} of {png} looks blank: "
          f"{len(colours) if colours else 'too many'} distinct colours, want >= {MIN_COLOURS}")
    groups = model["groups"]
    drawn = {}
    for i, g in enumerate(groups):
        if g["name"] not in threads.values():
            continue
        # The track's rows: from its header to the next group's, or one track's height.
        y0 = round(g["y"] * ratio)
        y1 = round(groups[i + 1]["y"] * ratio) if i + 1 < len(groups) else y0 + round(38 * ratio)
        band = area.crop((0, y0, area.width, min(y1, area.height)))
        drawn[g["name"]] = sum(1 for p in band.getdata() if coloured(p))
        check(drawn[g["name"]] >= 100, f"no slices drawn on the track {g['name']!r} "
                                       f"(rows {top + y0}..{top + y1} of {png}): {drawn}")
    return len(colours), drawn


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtruss", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--png", required=True, help="where to save the screenshot (kept)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args()
    start = time.monotonic()
    try:
        require_tools(args)
        timeline = os.path.splitext(os.path.abspath(args.png))[0] + ".json"
        exp = trace_fixture(args, timeline)
        with tempfile.TemporaryDirectory(prefix="dtruss-chromium-") as profile:
            driver = start_chromium(args, profile)
            try:
                load_in_viewer(driver, timeline)
                closed = run_js(driver, JS_TIDY)
                model = run_js(driver, JS_MODEL)
                check(driver.save_screenshot(args.png), f"could not save {args.png}")
                console = [m["message"] for m in driver.get_log("browser")
                           if m["level"] == "SEVERE"]
            finally:
                driver.quit()  # chromium and chromedriver with it
        print(f"timeline: {timeline}\nscreenshot: {os.path.abspath(args.png)}")
        print(f"viewer: {VIEWER} (generic trace: {model['generic']}; closed: {closed})")
        for line in console:
            print(f"page console error: {line}")
        check(not model["warnings"], f"the viewer warned about the file: {model['warnings']}")
        processes, threads = check_tracks(model, exp)
        for pid, name in sorted(processes.items()):
            print(f"process track {name!r}")
            for tid, tname in sorted(threads.items()):
                if exp.pid_of[tid] == pid:
                    print(f"  thread track {tname!r}: {exp.slices[tid]} slices")
        check_slices(model, exp)
        colours, drawn = check_picture(args.png, model, threads)
        print(f"track area {model['chart']}: {colours} distinct colours; coloured pixels per "
              f"thread track: {drawn}")
    except Failure as e:
        print(f"timeline_view_test: FAIL: {e}", file=sys.stderr)
        return 1
    print(f"timeline_view_test: OK in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
