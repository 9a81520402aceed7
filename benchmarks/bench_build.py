"""`geo build` end to end, against a baseline commit, in one run (issue 22 item 4).

    python3 benchmarks/bench_build.py [--baseline REF] [--rounds N] [--modes cold,warm]

Each round runs `python -m geo build` of this checkout and of REF (default: `main`; its geo/, seeds/
and pyproject.toml exported with `git archive` into a temporary directory), alternating which goes
first (A B, B A, ...), each into its own temporary layers/ and maps/ (the checkout's are not
touched). Two modes:

* cold: GEO_NO_CACHE=1, every stage computed (the topology cache and geo/build/cache.py's stages off);
* warm: a cache folder per tree (GEO_CACHE_DIR), filled by one build before the timed rounds: the
  case of rebuilding unchanged seeds (a test run, an edit of code the build does not read is not this).

Per run: CPU time of the build process and its children (user + sys, from wait4: what
`/usr/bin/time -v` reports; a shared machine's waiting does not inflate it), wall time, peak RSS, and
the 1-minute load average before the run. Prints the medians and the ratio this/baseline per mode,
and checks that every run of both trees wrote the same bytes (sha256 of every file under layers/ and
maps/); a difference is reported by file. No farm or network: the baseline is a local git ref.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = Path("geo") / "render" / "js" / "node_modules"


def _export(ref: str, dest: Path) -> None:
    """REF's geo/, seeds/ and pyproject.toml into ``dest`` (git archive: the working tree untouched);
    node_modules linked to this checkout's (the map inlines the pinned packages)."""
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "geo", "seeds", "pyproject.toml"],
                          capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=arch.stdout, check=True)
    if (ROOT / NODE_MODULES).exists() and not (dest / NODE_MODULES).exists():
        (dest / NODE_MODULES).symlink_to((ROOT / NODE_MODULES).resolve())


def _tree_hashes(*dirs: Path) -> dict[str, str]:
    return {f"{d.name}/{p.relative_to(d)}": hashlib.sha256(p.read_bytes()).hexdigest()
            for d in dirs for p in sorted(d.rglob("*")) if p.is_file()}


def _run(tree: Path, out: Path, env: dict[str, str]) -> dict:
    """One `geo build` of ``tree`` into ``out``: CPU (user+sys of the process and its children), wall,
    peak RSS, load before, and the sha256 of every output."""
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with open(out.parent / f"{out.name}.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "geo", "build", "--layers", str(out / "layers"),
                                 "--maps", str(out / "maps")], cwd=tree, env={**env, "PYTHONPATH": str(tree)},
                                stdout=log, stderr=log)
        _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"geo build in {tree} failed ({proc.returncode}); see {out.parent / out.name}.log")
    return {"cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime, "sys": ru.ru_stime, "wall": wall,
            "rss_mib": ru.ru_maxrss / 1024, "load": load, "sha": _tree_hashes(out / "layers", out / "maps")}


def _env(mode: str, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEO_NO_CACHE", "GEO_CACHE_DIR")}
    if mode == "cold":
        env["GEO_NO_CACHE"] = "1"
    else:
        env["GEO_CACHE_DIR"] = str(cache)
    return env


def _bench_mode(mode: str, trees: dict[str, Path], tmp: Path, rounds: int) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    envs = {name: _env(mode, tmp / f"cache-{name}") for name in trees}
    if mode == "warm":
        for name, tree in trees.items():  # fill each tree's cache (not timed)
            _run(tree, tmp / f"fill-{name}", envs[name])
    names = list(trees)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            res = _run(trees[name], tmp / f"{mode}-{name}", envs[name])
            runs[name].append(res)
            print(f"  {mode} round {r + 1} {name:8} cpu {res['cpu']:6.2f} s  wall {res['wall']:6.2f} s  "
                  f"rss {res['rss_mib']:5.0f} MiB  load {res['load']:.2f}", flush=True)
    return runs


def _summary(runs: dict[str, list[dict]]) -> dict:
    med = {name: {k: statistics.median(r[k] for r in rs) for k in ("cpu", "user", "sys", "wall", "rss_mib")}
           for name, rs in runs.items()}
    return {"median": med, "ratio_cpu": med["this"]["cpu"] / med["baseline"]["cpu"],
            "ratio_wall": med["this"]["wall"] / med["baseline"]["wall"],
            "loads": {name: [round(r["load"], 2) for r in rs] for name, rs in runs.items()}}


def _differences(all_runs: list[dict]) -> list[str]:
    ref = all_runs[0]["sha"]
    bad: set[str] = set()
    for r in all_runs[1:]:
        bad |= {k for k in set(ref) | set(r["sha"]) if ref.get(k) != r["sha"].get(k)}
    return sorted(bad)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="main", help="git ref to compare with (default: main)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--modes", default="cold,warm")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    report: dict = {"baseline": args.baseline, "rounds": args.rounds, "python": sys.version.split()[0],
                    "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmpname:
        tmp = Path(tmpname)
        base = tmp / "baseline-tree"
        base.mkdir()
        _export(args.baseline, base)
        trees = {"this": ROOT, "baseline": base}
        all_runs: list[dict] = []
        for mode in args.modes.split(","):
            runs = _bench_mode(mode, trees, tmp, args.rounds)
            all_runs += [r for rs in runs.values() for r in rs]
            report[mode] = _summary(runs)
            s = report[mode]
            print(f"{mode}: this {s['median']['this']['cpu']:.2f} s CPU (median), baseline "
                  f"{s['median']['baseline']['cpu']:.2f} s: {s['ratio_cpu']:.2f}x CPU, {s['ratio_wall']:.2f}x wall; "
                  f"peak RSS {s['median']['this']['rss_mib']:.0f} vs {s['median']['baseline']['rss_mib']:.0f} MiB",
                  flush=True)
        report["differing_files"] = _differences(all_runs)
        report["files"] = len(all_runs[0]["sha"])
    print("outputs: " + ("identical in every run of both trees" if not report["differing_files"]
                         else "DIFFER: " + ", ".join(report["differing_files"])) + f" ({report['files']} files)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0 if not report["differing_files"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
