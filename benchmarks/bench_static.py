"""Time the still images of `geo build` (budget: 5 s for all four on this machine).

    python3 benchmarks/bench_static.py [--repeat N]

Reads layers/ once, then renders maps/frontier.svg + .pdf (one A4 figure saved twice),
frontier-social.png (1600x900) and frontier-square.png (1080x1080) into memory, N times;
prints the best and median wall time of the whole set and of each product, and the CPU time
(on a machine shared with other jobs the wall time includes waiting for a core).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import static

BUDGET_S = 5.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    n = ap.parse_args().repeat
    t0 = time.perf_counter()
    layers, article = static.read_layers()
    t_read = time.perf_counter() - t0
    totals: list[float] = []
    cpu: list[float] = []
    parts: dict[str, list[float]] = {}
    for _ in range(n):
        t_all = time.perf_counter()
        c_all = time.process_time()
        t = time.perf_counter()
        a4 = static.figure(layers, fmt="svg", article=article)
        for fmt in ("svg", "pdf"):
            static.save(a4.fig, fmt)
        parts.setdefault("A4 svg+pdf", []).append(time.perf_counter() - t)
        for name, (fmt, size) in static.PRODUCTS.items():
            if size is None:
                continue
            t = time.perf_counter()
            static.render(layers, fmt=fmt, size=size, article=article)
            parts.setdefault(name, []).append(time.perf_counter() - t)
        totals.append(time.perf_counter() - t_all)
        cpu.append(time.process_time() - c_all)
    print(f"read layers: {t_read:.2f} s")
    for k, v in parts.items():
        print(f"{k:22s} best {min(v):.2f} s  median {statistics.median(v):.2f} s")
    best = min(totals)
    print(f"{'all still images':22s} best {best:.2f} s  median {statistics.median(totals):.2f} s "
          f"(budget {BUDGET_S:g} s: {'ok' if best <= BUDGET_S else 'OVER'})")
    print(f"{'  CPU time (this process)':22s} best {min(cpu):.2f} s  (wall minus waiting for a shared core)")
    return 0 if best <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
