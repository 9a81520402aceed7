"""The still images of `geo build`, against a baseline commit, in one run (issue 22).

    python3 benchmarks/bench_static.py [--baseline REF] [--rounds N]

Each round runs, in fresh processes, this checkout's `geo.static.outputs()` (the A4 page composed
once and saved as SVG and PDF, the 1600x900 and 1080x1080 cards) and the same call on REF's
`geo/` (default: `main`, exported with `git archive` into a temporary directory), alternating
which goes first (A B, B A, ...). Each process reads layers/ once, renders once to warm up
(imports, font cache), then times one render: CPU time of the process (what a shared machine's
waiting does not inflate), wall time, and the per-step split (compose, save). The machine's load
(1-minute load average) is recorded before every run. Prints the medians, the ratio this/baseline,
and checks that both give the same bytes twice (reproducible) — not the same bytes as each other
when the change is meant to change the pictures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from geo import static
layers, article = static.read_layers(Path(sys.argv[2]))
static.outputs(layers, maps_dir=Path("maps"), article=article)  # warm: imports, fonts, caches
steps = {}
c0, w0 = time.process_time(), time.perf_counter()
out = {}
t = time.process_time()
a4 = static.figure(layers, fmt="svg", article=article)
steps["A4 compose"] = time.process_time() - t
for fmt in ("svg", "pdf"):
    t = time.process_time()
    out["frontier." + fmt] = static.save(a4.fig, fmt)
    steps["A4 save " + fmt] = time.process_time() - t
for name, (fmt, size) in static.PRODUCTS.items():
    if size is None:
        continue
    t = time.process_time()
    res = static.figure(layers, fmt=fmt, size=size, article=article)
    steps[name + " compose"] = time.process_time() - t
    t = time.process_time()
    out[name] = static.save(res.fig, fmt)
    steps[name + " save"] = time.process_time() - t
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
again = static.outputs(layers, maps_dir=Path("maps"), article=article)
same = all(again[Path("maps") / k] == v for k, v in out.items())
print(json.dumps({"cpu": cpu, "wall": wall, "steps": steps, "reproducible": same,
                  "sha": {k: hashlib.sha256(v).hexdigest()[:12] for k, v in out.items()}}))
"""


def _export(ref: str, dest: Path) -> None:
    """REF's geo/ package into ``dest`` (git archive: no checkout, the working tree untouched)."""
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "geo"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=arch.stdout, check=True)


def _run(tree: Path, layers: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(layers)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="main", help="git ref to compare with (default: main)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--layers", default=str(ROOT / "layers"))
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"this": [], "baseline": []}
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-static-") as tmp:
        base = Path(tmp)
        _export(args.baseline, base)
        trees = {"this": ROOT, "baseline": base}
        for r in range(args.rounds):
            order = ("this", "baseline") if r % 2 == 0 else ("baseline", "this")
            for who in order:
                loads.append(os.getloadavg()[0])
                runs[who].append(_run(trees[who], Path(args.layers)))
    med = {who: statistics.median(x["cpu"] for x in rs) for who, rs in runs.items()}
    wall = {who: statistics.median(x["wall"] for x in rs) for who, rs in runs.items()}
    print(f"still images of geo build: {args.rounds} interleaved rounds, baseline {args.baseline}; "
          f"load (1-min) {min(loads):.2f}-{max(loads):.2f}, median {statistics.median(loads):.2f} on "
          f"{os.cpu_count()} cores")
    print(f"{'step':28s} {'this CPU s':>11s} {'baseline':>9s} {'ratio':>6s}")
    for step in runs["this"][0]["steps"]:
        a = statistics.median(x["steps"][step] for x in runs["this"])
        b = statistics.median(x["steps"].get(step, float("nan")) for x in runs["baseline"])
        print(f"{step:28s} {a:11.3f} {b:9.3f} {a / b:6.2f}")
    print(f"{'all four images (CPU)':28s} {med['this']:11.3f} {med['baseline']:9.3f} "
          f"{med['this'] / med['baseline']:6.2f}")
    print(f"{'all four images (wall)':28s} {wall['this']:11.3f} {wall['baseline']:9.3f} "
          f"{wall['this'] / wall['baseline']:6.2f}")
    repro = {who: all(x["reproducible"] for x in rs) and len({json.dumps(x["sha"]) for x in rs}) == 1
             for who, rs in runs.items()}
    print(f"reproducible (same bytes in every run and render): this {repro['this']}, "
          f"baseline {repro['baseline']}")
    return 0 if repro["this"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
