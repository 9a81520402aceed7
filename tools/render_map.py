"""Render the story map from files on disk, without the rest of the pipeline (a developer's tool).

    python tools/render_map.py [--out maps/frontier.html] [--screenshot docs/map-desktop.png] [--measure]

Reads layers/*.geojson, layers/claims.json, seeds/article.txt and seeds/sources.csv (or, with
--assemble, builds every layer in memory from seeds/). ``geo build`` remains the way to make the map; this only re-renders it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the checkout's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import settings


def assembled_inputs() -> dict[str, Any]:
    """render_map's arguments built in memory by geo.pipeline.assemble() (writes nothing)."""
    from geo import pipeline

    b = pipeline.assemble()
    return {
        "layers": b.layers,
        "claims": b.claims or {"claims": []},
        "article": b.article or {"title": "", "publisher": "", "paragraphs": []},
        "sources": b.sources,
    }


def load_inputs(root: Path | None = None) -> dict[str, Any]:
    """render_map's arguments from a repository checkout's layers/ and seeds/."""
    from geo.render.story import load_inputs as load

    root = root or settings.ROOT
    return load(root / "layers", root / "seeds")


def browser_metrics(html_path: Path, screenshot: Path | None = None, *, runs: int = 5) -> dict[str, Any]:
    """Open the map ``runs`` times in headless Debian Chromium (network blocked); median timings.

    time_to_interactive_ms is navigation start -> ``window.atlas.ready`` (every layer drawn,
    panels built, deep link applied), as measured by performance.now() in the page.
    """
    import statistics

    from tools.map_browser import browser, open_map

    tti, init = [], []
    out: dict[str, Any] = {}
    with browser() as b:
        for i in range(max(1, runs)):
            with open_map(html_path, viewport=(1400, 860), b=b) as page:
                tti.append(page.evaluate("window.atlas.readyMs"))
                init.append(page.evaluate("window.atlas.initMs"))
                if i == 0:
                    out["counts"] = page.evaluate("window.atlas.counts()")
                    out["console_errors"] = list(page.atlas_errors)
                    out["blocked_requests"] = list(page.atlas_blocked)
                    if screenshot is not None:
                        page.wait_for_timeout(400)
                        screenshot.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(screenshot))
    out["runs"] = len(tti)
    out["time_to_interactive_ms_median"] = round(statistics.median(tti))
    out["time_to_interactive_ms_max"] = round(max(tti))
    out["atlas_init_ms_median"] = round(statistics.median(init))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/render_map.py", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=settings.MAPS_DIR / "frontier.html")
    ap.add_argument(
        "--assemble",
        action="store_true",
        help="build every layer in memory from seeds/ (geo.pipeline.assemble) instead of reading layers/",
    )
    ap.add_argument("--screenshot", type=Path, default=None)
    ap.add_argument("--measure", action="store_true", help="report size and time-to-interactive (Chromium)")
    ap.add_argument("--runs", type=int, default=5, help="page loads for --measure (median reported)")
    args = ap.parse_args(argv)
    from geo.render import render_map

    t0 = time.perf_counter()
    inputs = assembled_inputs() if args.assemble else load_inputs()
    layers = inputs.pop("layers")
    html = render_map(layers, **inputs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    size = len(html.encode("utf-8"))
    print(
        f"wrote {args.out} ({size / 1e6:.3f} MB, layers: {', '.join(layers) or 'none'}) "
        f"in {time.perf_counter() - t0:.2f} s",
        file=sys.stderr,
    )
    if args.measure or args.screenshot:
        m = browser_metrics(args.out, args.screenshot, runs=args.runs if args.measure else 1)
        print(json.dumps({"size_bytes": size, **m}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
