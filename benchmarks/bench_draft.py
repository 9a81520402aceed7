"""Benchmark `geo draft` on a 1,000-word article: wall time (loading included), CPU time, the split
(imports, gazetteer, parsing, output) and peak memory, against a baseline measured in the same run.

    python3 benchmarks/bench_draft.py              # 5 interleaved rounds
    python3 benchmarks/bench_draft.py --runs 2     # quick

The article is the atlas's current article (seeds/, 1,065 words): a real news text. Each round runs,
in fresh subprocesses and interleaved so that both see the same load:
- baseline: ``python -c "import geo.cli"`` (the interpreter and the command line, nothing drafted);
- the floor any spaCy-based drafter pays: ``python -c "import spacy; spacy.blank('en')"``;
- ``python -m geo draft ARTICLE --date 2024-04-24 --out TMP`` with GEO_DRAFT_TIMINGS=1 (the split).
Peak memory is the child's ru_maxrss (os.wait4). The GeoNames index is built first if missing (a
one-off of about a minute, reported separately): the bar is for a warm cache, as a user has it
from the second article on. The machine's load average is printed with every round: on 2 shared
cores the wall time is the CPU time times the queue, so the CPU time (user + sys) is the figure
that compares across runs.
Targets (issue 17): <= 2 s wall, <= 400 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def article() -> Path:
    new = ROOT / "seeds" / "articles" / "gulf-2024-04-raisi-visit" / "article.txt"
    return new if new.is_file() else ROOT / "seeds" / "article.txt"


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall s, cpu s, peak RSS MB, stderr) of one fresh subprocess, via os.wait4."""
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {text.strip()[-400:]}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    env = {**os.environ, "GEO_DRAFT_TIMINGS": "1"}
    src = article()
    words = len(src.read_text(encoding="utf-8").split())
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "draft")
        draft = [py, "-m", "geo", "draft", str(src), "--date", "2024-04-24", "--out", out]
        base = [py, "-c", "import geo.cli"]
        floor = [py, "-c", "import spacy; spacy.blank('en')"]
        # warm-up: builds the GeoNames index if this machine has none yet (one-off)
        wall, cpu, rss, _ = run_measured(draft, env)
        print(f"warm-up (may build the GeoNames index): {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB peak")
        rows = []
        for i in range(args.runs):
            load = os.getloadavg()[0]
            bw, bc, brss, _ = run_measured(base, env)
            fw, fc, _, _ = run_measured(floor, env)
            dw, dc, drss, err = run_measured(draft, env)
            split = json.loads(err.strip().splitlines()[-1])
            rows.append((load, bw, bc, brss, dw, dc, drss, split, fw, fc))
            print(f"round {i + 1}: load {load:.2f}  baseline {bw:.2f} s wall / {bc:.2f} s CPU  "
                  f"spaCy floor {fw:.2f} s wall / {fc:.2f} s CPU  "
                  f"draft {dw:.2f} s wall / {dc:.2f} s CPU / {drss:.0f} MB  split {split}")
    med = statistics.median
    print()
    print(f"geo draft on a {words}-word article ({src.relative_to(ROOT)}), {args.runs} interleaved rounds, medians:")
    print("| measure | baseline (import geo.cli) | geo draft | ratio |")
    print("|---|---|---|---|")
    bw, dw = med(r[1] for r in rows), med(r[4] for r in rows)
    bc, dc = med(r[2] for r in rows), med(r[5] for r in rows)
    print(f"| wall | {bw:.2f} s | {dw:.2f} s | {dw / bw:.1f}x |")
    print(f"| CPU (user+sys) | {bc:.2f} s | {dc:.2f} s | {dc / bc:.1f}x |")
    fw, fc = med(r[8] for r in rows), med(r[9] for r in rows)
    print(f"| spaCy floor: import spacy + spacy.blank('en') | wall {fw:.2f} s, CPU {fc:.2f} s | "
          f"{dc / fc:.1f}x of it (CPU) | |")
    print(f"| peak RSS | {med(r[3] for r in rows):.0f} MB | {max(r[6] for r in rows):.0f} MB (max) | |")
    keys = ("imports", "gazetteer", "parsing", "output", "command")
    print("| split (inside the command) | " + " | ".join(f"{k} {med(r[7][k] for r in rows):.2f} s" for k in keys) + " |")
    print(f"load average (1 min) during the rounds: {min(r[0] for r in rows):.2f}-{max(r[0] for r in rows):.2f} "
          f"on {os.cpu_count()} cores")
    ok_mem = max(r[6] for r in rows) <= 400
    print(f"targets: wall <= 2 s: {'met' if dw <= 2 else 'NOT met'} ({dw:.2f} s); "
          f"peak <= 400 MB: {'met' if ok_mem else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
