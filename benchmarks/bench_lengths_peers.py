"""`geo lengths` against its peers, each ratio measured in one run, interleaved, with the load.

    pip install -e '.[bench,dask]'          # DuckDB + its spatial extension, dask-geopandas
    python3 benchmarks/bench_lengths_peers.py                    # 1 M and 16 M vertices, 3 rounds
    python3 benchmarks/bench_lengths_peers.py --small 1000000 --big 4000000 --rounds 1   # quicker

Files (a temp dir; nothing is written to the repository): the random-walk routes of
bench_lengths.py (2,000 routes and one long one, all longer in a bigger file) as GeoJSON and
GeoParquet (row groups of 100 routes), the same GeoParquet rewritten as ONE row group, and the small
file's routes repeated big/small times (a file that grows by more routes of the same sizes). Every command runs in a fresh
process; CPU = user + system of the process and its children, peak memory = the largest
process's own peak RSS (os.wait4). Each round runs every command of a comparison back to back
(A, B, A, B...), and the 1-minute load average is recorded at each run: on a shared machine,
compare ratios from the same round, not absolute times.

Ratios reported (issue 22):
  parquet-vs-duckdb   CPU of `geo lengths big.parquet` / DuckDB spatial ST_Length_Spheroid on the
                      same file (coordinates flipped to lat/lon first: DuckDB's spheroid functions
                      take lat/lon; see docs/lengths.md), both files (many / one row group); our
                      peak memory on the same routes written by DuckDB (zstd, snappy)
  parquet-memory      peak memory 16 M / 1 M vertices (longer routes; and more routes of the same
                      sizes), and GeoParquet / GeoJSON path at 16 M
  jobs                wall time --jobs 2 / --jobs 1, GeoParquet and GeoJSON
  dask                wall time --engine dask with 2 workers / 1 worker, and 2 workers / --jobs 2
  small               CPU of `geo lengths small.geojson` / `python -c "import pyproj"`
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
PY = sys.executable

#: Files are made in a child process: a child's peak RSS starts at its parent's when it forks, so
#: this process must stay small (no numpy, no pyarrow here) for the memory figures to mean anything.
GENERATE = """
import sys
from pathlib import Path
sys.path.insert(0, "benchmarks")
from bench_lengths import generate
import pyarrow.parquet as pq
tmp, small, big = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for tag, n in (("small", small), ("big", big)):
    generate(tmp / f"{tag}.geojson", n, parquet=tmp / f"{tag}.parquet")
pq.write_table(pq.read_table(tmp / "big.parquet"), tmp / "big-1rg.parquet", row_group_size=1 << 40,
               compression="zstd")
# the small file's routes big / small times over (ids made unique): a file that grows by more routes
# of the same sizes, where big.parquet's routes grow longer (2,000 routes whatever the size)
import pyarrow as pa
t = pq.read_table(tmp / "small.parquet")
ids = t.column("id").to_pylist()
copies = [t.set_column(0, "id", pa.array([f"{k}-{v}" for v in ids])) for k in range(max(1, big // small))]
pq.write_table(pa.concat_tables(copies).replace_schema_metadata(t.schema.metadata), tmp / "many.parquet",
               row_group_size=100, compression="zstd")
"""

DUCKDB = """
import pathlib, sys
import duckdb, duckdb_ext
ext = next(pathlib.Path(duckdb_ext.__path__[0]).rglob("spatial.duckdb_extension"))
con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
con.execute(f"LOAD '{ext}'")
q = "SELECT sum(ST_Length_Spheroid(ST_FlipCoordinates(geometry))) FROM read_parquet(?)"
print(con.execute(q, [sys.argv[1]]).fetchone()[0])
"""

#: The same routes written by DuckDB (its own pages: 874 rows each, 105 MB at 16 M vertices), zstd and snappy.
DUCKDB_WRITE = """
import json, sys
import duckdb
geo = json.dumps({"version": "1.1.0", "primary_column": "geometry",
                  "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["LineString"]}}}).replace("'", "''")
con = duckdb.connect()
for comp in ("zstd", "snappy"):
    con.execute(f"COPY (SELECT * FROM read_parquet('{sys.argv[1]}')) TO '{sys.argv[2]}-{comp}.parquet' "
                f"(FORMAT parquet, COMPRESSION {comp}, KV_METADATA {{geo: '{geo}'}})")
"""

DASK = """
import sys
from distributed import Client, LocalCluster
from geo.lengths.dask_engine import read_paths
with LocalCluster(n_workers=int(sys.argv[2]), threads_per_worker=1, dashboard_address=None) as c, Client(c) as cl:
    src = read_paths([sys.argv[1]], client=cl)
print(sum(f.length_m for s in src for f in s.features))
"""


#: Children write and use cached bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE
#: set (as some sandboxes and CI images do) every run of ours compiles our sources again (129 ms of
#: CPU against 106 ms for the small file here), while pyproj's installed wheel has its bytecode.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> dict[str, float]:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=CHILD_ENV)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode() if p.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])} failed: {err[-600:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
            "load": os.getloadavg()[0]}


def compare(name: str, cmds: dict[str, list[str]], rounds: int, results: dict[str, object]) -> dict[str, list]:
    """Run each command once per round, interleaved; keep every run."""
    runs: dict[str, list] = {k: [] for k in cmds}
    for r in range(rounds):
        for k, cmd in cmds.items():
            m = run(cmd)
            runs[k].append(m)
            print(f"  [{name} round {r + 1}] {k}: {m['wall']:.2f} s wall, {m['cpu']:.2f} s CPU, "
                  f"{m['rss_mb']:.0f} MB, load {m['load']:.1f}", file=sys.stderr)
    results[name] = runs
    return runs


def med(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def ratio_line(label: str, a: list, b: list, key: str) -> str:
    per_round = [x[key] / y[key] for x, y in zip(a, b, strict=True)]
    loads = [x["load"] for x in a] + [y["load"] for y in b]
    return (f"| {label} | {med(a, key):.2f} | {med(b, key):.2f} | **{statistics.median(per_round):.2f}×** "
            f"(rounds: {', '.join(f'{v:.2f}' for v in per_round)}) | {min(loads):.1f}–{max(loads):.1f} |")


def _autogroup_note() -> str:
    """Linux's autogroup gives each session one share of a busy machine, however many processes it
    runs: under load, --jobs 2 cannot get more CPU than --jobs 1, and its wall-time ratio says nothing."""
    try:
        on = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return ""
    return ("; sched_autogroup is on: with other sessions busy, wall-time ratios of --jobs and dask are "
            "not what idle CPUs give" if on else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=1_000_000, help="vertices of the small file (memory baseline)")
    ap.add_argument("--big", type=int, default=16_000_000, help="vertices of the big file")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip", nargs="*", default=[], choices=["duckdb", "memory", "jobs", "dask", "small"])
    ap.add_argument("--json-out", metavar="FILE")
    args = ap.parse_args()
    results: dict[str, object] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        subprocess.run([PY, "-c", GENERATE, tmp, str(args.small), str(args.big)], cwd=ROOT, check=True)
        files = {tag: (Path(tmp) / f"{tag}.geojson", Path(tmp) / f"{tag}.parquet") for tag in ("small", "big")}
        one_rg = Path(tmp) / "big-1rg.parquet"
        print(f"generated {args.small:,} and {args.big:,}-vertex files in {tmp}", file=sys.stderr)
        ours = [PY, "-m", "geo", "lengths", "--json"]
        big_gj, big_pq = files["big"]
        head = "| ratio | A | B | A / B (median of rounds) | load (1 min) |\n|---|---:|---:|---:|---:|"
        if "duckdb" not in args.skip:
            duck = Path(tmp) / "duckdb-written"
            subprocess.run([PY, "-c", DUCKDB_WRITE, str(big_pq), str(duck)], cwd=ROOT, check=True)
            r = compare("parquet-vs-duckdb", {
                "ours": [*ours, str(big_pq)], "duckdb": [PY, "-c", DUCKDB, str(big_pq)],
                "ours-1rg": [*ours, str(one_rg)], "duckdb-1rg": [PY, "-c", DUCKDB, str(one_rg)],
                "ours-duckdb-zstd": [*ours, f"{duck}-zstd.parquet"], "ours-duckdb-snappy": [*ours, f"{duck}-snappy.parquet"],
            }, args.rounds, results)
            lines.append(ratio_line(f"CPU s: ours / DuckDB spatial, GeoParquet {args.big:,} vertices",
                                    r["ours"], r["duckdb"], "cpu"))
            lines.append(ratio_line("CPU s: same, one row group", r["ours-1rg"], r["duckdb-1rg"], "cpu"))
            lines.append(ratio_line("peak MB: ours / DuckDB", r["ours"], r["duckdb"], "rss_mb"))
            lines.append(ratio_line("peak MB: ours, the file as DuckDB writes it (its own pages, zstd) / as pyarrow "
                                    "writes it", r["ours-duckdb-zstd"], r["ours"], "rss_mb"))
            lines.append(ratio_line("peak MB: same, snappy (a page is decompressed whole)",
                                    r["ours-duckdb-snappy"], r["ours"], "rss_mb"))
        if "memory" not in args.skip:
            r = compare("parquet-memory", {
                "big": [*ours, str(big_pq)], "small": [*ours, str(files["small"][1])],
                "big-1rg": [*ours, str(one_rg)], "big-geojson": [*ours, str(big_gj)],
                "many": [*ours, str(Path(tmp) / "many.parquet")],
            }, args.rounds, results)
            lines.append(ratio_line(f"peak MB: GeoParquet {args.big:,} / {args.small:,} vertices",
                                    r["big"], r["small"], "rss_mb"))
            lines.append(ratio_line(f"peak MB: {args.big // args.small} x the {args.small:,}-vertex file's routes "
                                    f"(more routes, same sizes) / {args.small:,} vertices", r["many"], r["small"], "rss_mb"))
            lines.append(ratio_line("peak MB: one row group / row groups of 100 rows", r["big-1rg"], r["big"], "rss_mb"))
            lines.append(ratio_line("peak MB: GeoParquet / GeoJSON path", r["big"], r["big-geojson"], "rss_mb"))
        if "jobs" not in args.skip:
            r = compare("jobs", {
                "pq-2": [*ours, str(big_pq), "--jobs", "2"], "pq-1": [*ours, str(big_pq), "--jobs", "1"],
                "gj-2": [*ours, str(big_gj), "--jobs", "2"], "gj-1": [*ours, str(big_gj), "--jobs", "1"],
            }, args.rounds, results)
            lines.append(ratio_line("wall s: --jobs 2 / --jobs 1, GeoParquet", r["pq-2"], r["pq-1"], "wall"))
            lines.append(ratio_line("wall s: --jobs 2 / --jobs 1, one GeoJSON file (cut in byte ranges)",
                                    r["gj-2"], r["gj-1"], "wall"))
            # what --jobs costs in CPU (spawning, imports, the parts' merge): load moves it little
            lines.append(ratio_line("CPU s: --jobs 2 / --jobs 1, GeoParquet", r["pq-2"], r["pq-1"], "cpu"))
            lines.append(ratio_line("CPU s: --jobs 2 / --jobs 1, one GeoJSON file", r["gj-2"], r["gj-1"], "cpu"))
        if "dask" not in args.skip:
            r = compare("dask", {
                "dask-2": [PY, "-c", DASK, str(big_pq), "2"], "dask-1": [PY, "-c", DASK, str(big_pq), "1"],
                "jobs-2": [*ours, str(big_pq), "--jobs", "2"],
            }, args.rounds, results)
            lines.append(ratio_line("wall s: dask 2 workers / 1 worker", r["dask-2"], r["dask-1"], "wall"))
            lines.append(ratio_line("wall s: dask 2 workers / --jobs 2", r["dask-2"], r["jobs-2"], "wall"))
        if "small" not in args.skip:
            small = Path(tmp) / "small.geojson"
            small.write_text(json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "r1", "properties": {"name": "Route", "length_known_km": 300},
                 "geometry": {"type": "LineString", "coordinates": [[61.0, 27.0], [62.0, 27.5], [63.0, 28.0]]}}]}))
            run([PY, "-m", "geo", "lengths", str(small)])  # bytecode cached, as an installed package has it
            r = compare("small", {"ours": [PY, "-m", "geo", "lengths", str(small)],
                                  "import-pyproj": [PY, "-c", "import pyproj"]}, max(args.rounds, 1) * 7, results)
            lines.append(ratio_line("CPU s: geo lengths small.geojson / import pyproj", r["ours"],
                                    r["import-pyproj"], "cpu"))
    print(f"\n{os.cpu_count()} CPUs, Python {results['python']}, load average at the end "
          f"{os.getloadavg()[0]:.1f}{_autogroup_note()}\n\n{head}")
    print("\n".join(lines))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
