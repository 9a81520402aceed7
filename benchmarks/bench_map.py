"""Story-map size and speed against a plain Leaflet page with the same layers, measured in one run.

    python3 benchmarks/bench_map.py [--runs 5] [--out /tmp/bench]

Renders maps/frontier.html's equivalent from layers/ and seeds/, and a baseline page: Leaflet
alone, every catalog layer on the map as plain L.geoJSON (full layer geometry, default styles, no
panels). Both are opened ``--runs`` times in headless Debian Chromium with every request blocked;
"ready" is navigation start -> the page's own ready flag (the atlas: every layer drawn, panels
built, deep link applied; the baseline: every layer added). Reported: medians at normal CPU and
with the CPU slowed 4x (CDP Emulation.setCPUThrottlingRate), their ratio, and the file's size raw
and gzipped. A benchmark, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import catalog
from geo.render import assets
from geo.render.story import load_inputs, render_map
from tools.map_browser import browser, wait_ready, watch_page


def baseline_page(layers: dict) -> str:
    data = json.dumps({n: layers[n] for n in catalog.map_order() if n in layers}, separators=(",", ":"))
    data = data.replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<style>{assets.leaflet_css()}</style><style>html,body,#m{{height:100%;margin:0}}</style>"
        f"<script>{assets.script_safe(assets.leaflet_js())}</script></head><body><div id='m'></div>"
        f"<script type='application/json' id='d'>{data}</script><script>"
        "var m=L.map('m',{preferCanvas:false}).setView([28.5,61.5],6);var d=JSON.parse(document.getElementById('d').textContent);"
        "var b=null;Object.keys(d).forEach(function(n){var g=L.geoJSON(d[n],{pointToLayer:function(f,ll){return L.circleMarker(ll);}}).addTo(m);"
        "if(n!=='context'){b=b?b.extend(g.getBounds()):L.latLngBounds(g.getBounds().getSouthWest(),g.getBounds().getNorthEast());}});"
        "if(b)m.fitBounds(b,{animate:false});window.atlas={ready:true,readyMs:performance.now()};"
        "</script></body></html>"
    )


def measure(b, path: Path, runs: int, throttle: float) -> list[float]:
    out = []
    for _ in range(runs):
        ctx = b.new_context(viewport={"width": 1440, "height": 900})
        page = watch_page(ctx.new_page(), path.as_uri())
        if throttle > 1:
            cdp = ctx.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(path.as_uri())
        wait_ready(page, timeout_s=60)
        out.append(float(page.evaluate("window.atlas.readyMs")))
        assert not page.atlas_blocked, page.atlas_blocked
        ctx.close()
    return out


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
    with browser() as b:
        for label, rate in (("normal", 1.0), ("cpu4x", 4.0)):
            a = statistics.median(measure(b, atlas, args.runs, rate))
            p = statistics.median(measure(b, base, args.runs, rate))
            res[label] = {"atlas_ready_ms": round(a), "plain_leaflet_ready_ms": round(p), "ratio": round(a / p, 2)}
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
