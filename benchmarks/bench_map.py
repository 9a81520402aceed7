"""Story map against a plain Leaflet page with the same layers and popups, as a reader feels it.

    python3 benchmarks/bench_map.py [--runs 5] [--out /tmp/bench]

Renders maps/frontier.html's equivalent from layers/ and seeds/, and a baseline page: Leaflet
alone, every catalog layer on the map as plain L.geoJSON (full layer geometry, default styles,
each feature with a popup listing its properties, no panels). Measured in headless Debian
Chromium, every request blocked, on a desktop (1440x900, mouse) and a phone (390x844, touch), at
normal CPU and slowed 4x (CDP Emulation.setCPUThrottlingRate):

* **tap -> popup**: navigation start -> a tap (click) on Balochistan has opened its popup (on the
  atlas's phone layout: its details in the sheet, where the popup's content goes). The
  tap is repeated from the moment the page can say where the province is on screen, so a page
  that shows the map but does not yet answer taps is measured as late as it is;
* **first paint**, and the **longest task after first paint** (Long Tasks API, a task > 50 ms).

The two pages are loaded alternately (A B A B ..., ``--runs`` each), medians reported with the
machine's load average before and after each configuration. A benchmark, not a test: it prints
figures (JSON) and exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Error as PlaywrightError

from geo import catalog
from geo.render import assets
from geo.render.story import load_inputs, render_map
from tools.map_browser import browser, watch_page

#: A point inside Balochistan that no other feature covers (the tap's target on both pages).
TAP = (28.2, 65.3)
PROVINCE = "Balochistan"

#: Injected before the page's own scripts (CDP, not subject to the page's policy): when the first
#: popup appears, long tasks, first paint.
PROBE = """
window.__bench = {popupAt: null, popupText: '', tasks: []};
new MutationObserver(function () {
  if (window.__bench.popupAt !== null) return;
  // a popup, or on the atlas's phone the details sheet the popup's content moves to (details.js)
  var p = Array.prototype.filter.call(document.querySelectorAll('.leaflet-popup-content, #atlas-details .details-body'),
    function (e) { return e.textContent.indexOf('%s') >= 0; })[0];
  if (p) { window.__bench.popupAt = performance.now(); window.__bench.popupText = p.textContent.slice(0, 80); }
}).observe(document, {subtree: true, childList: true, characterData: true});
try { new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { window.__bench.tasks.push([e.startTime, e.duration]); }); })
  .observe({type: 'longtask', buffered: true}); } catch (e) {}
""".replace("%s", PROVINCE)

#: Where Balochistan is on screen now (the atlas's map or the baseline's), or null before a map is there.
WHERE = """ll => { var m = (window.atlas && window.atlas.map) || window.__m; if (!m || !m._loaded) return null;
  var p = m.latLngToContainerPoint(ll), r = m.getContainer().getBoundingClientRect();
  return [p.x + r.left, p.y + r.top]; }"""


def baseline_page(layers: dict) -> str:
    data = json.dumps({n: layers[n] for n in catalog.map_order() if n in layers}, separators=(",", ":"))
    data = data.replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{assets.leaflet_css()}</style><style>html,body,#m{{height:100%;margin:0}}</style>"
        f"<script>{assets.script_safe(assets.leaflet_js())}</script></head><body><div id='m'></div>"
        f"<script type='application/json' id='d'>{data}</script><script>"
        "var m=L.map('m',{preferCanvas:false}).setView([28.5,61.5],6);window.__m=m;"
        "var d=JSON.parse(document.getElementById('d').textContent);"
        "function pop(f){var t=document.createElement('table');var p=f.properties||{};Object.keys(p).forEach(function(k){"
        "var r=t.insertRow();r.insertCell().textContent=k;r.insertCell().textContent=String(p[k]);});return t;}"
        "var b=null;Object.keys(d).forEach(function(n){var g=L.geoJSON(d[n],{pointToLayer:function(f,ll){return L.circleMarker(ll);},"
        # as in the atlas, an event drawn as an area takes no clicks (the province beneath answers)
        "onEachFeature:function(f,l){if(n==='events'&&/Polygon/.test(f.geometry.type)){l.options.interactive=false;return;}"
        "if(n!=='context')l.bindPopup(function(){return pop(f);});},"
        "interactive:n!=='context'}).addTo(m);"
        "if(n==='provinces'){b=g.getBounds();}});"
        "if(b)m.fitBounds(b,{animate:false});window.atlas_ready=true;"
        "</script></body></html>"
    )


def tap_to_popup(b, path: Path, *, phone: bool, throttle: float) -> dict:
    vp = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
    ctx = b.new_context(viewport=vp, is_mobile=phone, has_touch=phone)
    try:
        page = watch_page(ctx.new_page(), path.as_uri())
        page.add_init_script(PROBE)
        if throttle > 1:
            cdp = ctx.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(path.as_uri(), wait_until="commit")
        end = time.monotonic() + 90
        while time.monotonic() < end:
            try:
                at = page.evaluate(WHERE, list(TAP))
            except PlaywrightError:  # the page is still being replaced by the navigation
                at = None
            if at is not None:
                if phone:
                    page.touchscreen.tap(at[0], at[1])
                else:
                    page.mouse.click(at[0], at[1])
                if page.evaluate("window.__bench.popupAt !== null"):
                    break
            page.wait_for_timeout(25)
        res = page.evaluate("""() => { var fp = performance.getEntriesByType('paint').filter(e => e.name === 'first-paint')[0];
          var t0 = fp ? fp.startTime : 0;
          return {popup_ms: window.__bench.popupAt, text: window.__bench.popupText, first_paint_ms: fp ? fp.startTime : null,
            longest_task_after_paint_ms: Math.max(0, ...window.__bench.tasks.filter(t => t[0] + t[1] > t0).map(t => t[1]))}; }""")
        assert not page.atlas_blocked, page.atlas_blocked
        assert res["popup_ms"] is not None, f"{path.name}: no popup for {PROVINCE} within 90 s"
        return res
    finally:
        ctx.close()


def run_config(b, atlas: Path, base: Path, runs: int, *, phone: bool, throttle: float) -> dict:
    load0 = os.getloadavg()[0]
    a_runs, p_runs = [], []
    for _ in range(runs):  # interleaved: A B A B ...
        a_runs.append(tap_to_popup(b, atlas, phone=phone, throttle=throttle))
        p_runs.append(tap_to_popup(b, base, phone=phone, throttle=throttle))
    load1 = os.getloadavg()[0]

    def med(rs: list[dict], k: str) -> float:
        return round(statistics.median(float(r[k] or 0) for r in rs))

    a, p = med(a_runs, "popup_ms"), med(p_runs, "popup_ms")
    return {
        "atlas_tap_to_popup_ms": a, "plain_tap_to_popup_ms": p, "ratio": round(a / p, 2),
        "atlas_first_paint_ms": med(a_runs, "first_paint_ms"), "plain_first_paint_ms": med(p_runs, "first_paint_ms"),
        "atlas_longest_task_after_paint_ms": med(a_runs, "longest_task_after_paint_ms"),
        "plain_longest_task_after_paint_ms": med(p_runs, "longest_task_after_paint_ms"),
        "atlas_runs_ms": [round(r["popup_ms"]) for r in a_runs], "plain_runs_ms": [round(r["popup_ms"]) for r in p_runs],
        "load_avg_1min": [round(load0, 2), round(load1, 2)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-map-"))
    out.mkdir(parents=True, exist_ok=True)
    inputs = load_inputs()
    layers = inputs.pop("layers")
    atlas, base = out / "frontier.html", out / "baseline.html"
    html = render_map(layers, **inputs)
    atlas.write_text(html, encoding="utf-8")
    base.write_text(baseline_page(layers), encoding="utf-8")
    raw = html.encode("utf-8")
    res: dict = {"size_bytes": len(raw), "size_gzip_bytes": len(gzip.compress(raw, 9, mtime=0)), "runs": args.runs}
    res["cpus"] = os.cpu_count()
    with browser() as b:
        for device in ("desktop", "phone"):
            for label, rate in (("cpu1x", 1.0), ("cpu4x", 4.0)):
                res[f"{device}_{label}"] = run_config(b, atlas, base, args.runs, phone=device == "phone", throttle=rate)
                print(device, label, json.dumps(res[f"{device}_{label}"]), file=sys.stderr, flush=True)
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
