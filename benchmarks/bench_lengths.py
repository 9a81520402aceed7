"""Benchmark `geo lengths` against the naive approaches, in one run, on this machine.

    python3 benchmarks/bench_lengths.py            # full run (~150 MB, 8 M vertices; a few minutes)
    python3 benchmarks/bench_lengths.py --vertices 400000 --runs 1   # quick smoke run

What it does (nothing is written to the repository; the data lives in a temp dir):
1. Generates a GeoJSON FeatureCollection of random-walk routes in the pipeline corridor
   (55-69 E, 25-30 N, like the Asaluyeh-Multan route; 5 decimals, as GIS exports usually are): ``--vertices`` in total,
   2,000 routes of ~3,500 vertices and one single route of 1 million vertices, so bounded
   memory is shown within a feature, not only across features.
   The same routes are written as GeoParquet (WKB, row groups of ``PARQUET_ROW_GROUP`` routes).
2. Times, each in a fresh subprocess with its own peak RSS (os.wait4):
   - ``geo lengths big.geojson --json`` (ours: streamed, geodesic);
   - ``geo lengths big.parquet --json`` (ours: GeoParquet read by row group with pyarrow);
   - naive: ``json.load`` + a per-ring ``Geod.line_length`` loop (geodesic, same result);
   - geopandas ``read_file`` + ``to_crs(UTM 41N).length`` (projected: fast to write, wrong);
   - geopandas ``read_file`` + ``to_crs(Web Mercator).length`` (very wrong).
3. Times ``geo lengths small.geojson`` end to end, hyperfine-style: median of N runs, and
   the bare interpreter start (``python3 -c pass``) for reference.
Prints a Markdown table (time, peak memory, total length, error vs the geodesic total).
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

NAIVE = """
import json, sys
from pyproj import Geod
g = Geod(ellps="WGS84")
with open(sys.argv[1]) as fh:
    data = json.load(fh)
total = 0.0
for f in data["features"]:
    geom = f["geometry"]
    lines = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
    for ring in lines:
        total += g.line_length([p[0] for p in ring], [p[1] for p in ring])
print(json.dumps({"total_m": total}))
"""

GEOPANDAS = """
import json, sys
import geopandas as gpd
gdf = gpd.read_file(sys.argv[1])
print(json.dumps({"total_m": float(gdf.to_crs(sys.argv[2]).length.sum())}))
"""


#: Routes per row group of the benchmark's GeoParquet file.
PARQUET_ROW_GROUP = 100


def _wkb_line(lon: Any, lat: Any) -> bytes:
    import struct

    import numpy as np

    return struct.pack("<BII", 1, 2, len(lon)) + np.column_stack([lon, lat]).astype("<f8").tobytes()


def generate(path: Path, vertices: int, seed: int = 42, parquet: Path | None = None) -> tuple[int, int]:
    """Write the test file (and the same routes as GeoParquet); return (bytes, vertices)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    big = min(1_000_000, vertices // 8)
    rest = vertices - big
    n_small = 2000
    sizes = [rest // n_small] * n_small
    sizes[-1] += rest - sum(sizes)
    sizes.append(big)
    written = 0
    writer = None
    batch: list[tuple[str, bytes]] = []
    if parquet is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        geo = {"version": "1.1.0", "primary_column": "geometry",
               "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["LineString"]}}}
        schema = pa.schema([("id", pa.string()), ("geometry", pa.binary())], metadata={"geo": json.dumps(geo)})
        writer = pq.ParquetWriter(parquet, schema, compression="zstd")

    def flush() -> None:
        if writer is not None and batch:
            writer.write_table(pa.table({"id": [b[0] for b in batch], "geometry": [b[1] for b in batch]},
                                        schema=schema))
            batch.clear()

    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","name":"bench","features":[\n')
        for i, n in enumerate(sizes):
            lon = np.clip(rng.uniform(55.0, 69.0) + np.cumsum(rng.normal(0, 0.0004, n)), 52.0, 72.0)
            lat = np.clip(rng.uniform(25.5, 29.5) + np.cumsum(rng.normal(0, 0.0004, n)), 24.0, 31.0)
            xy = np.char.add(np.char.add(np.char.add("[", np.char.mod("%.5f", lon)), ","),
                             np.char.add(np.char.mod("%.5f", lat), "]"))
            coords = ",".join(xy.tolist())
            sep = "" if i == 0 else ",\n"
            fh.write(f'{sep}{{"type":"Feature","id":"route-{i}","properties":{{"name":"Route {i}",'
                     f'"length_known_km":null}},"geometry":{{"type":"LineString","coordinates":[{coords}]}}}}')
            written += n
            if writer is not None:
                batch.append((f"route-{i}", _wkb_line(np.round(lon, 5), np.round(lat, 5))))
                if len(batch) >= PARQUET_ROW_GROUP:
                    flush()
        fh.write("\n]}\n")
    flush()
    if writer is not None:
        writer.close()
    return path.stat().st_size, written


def timed_rss(cmd: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s (user+sys), the child's own peak RSS in MB via os.wait4, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])} failed ({p.returncode}): {err.read().decode()[-800:]}")
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, out.read().decode()


def median_run(cmd: list[str], runs: int) -> tuple[float, float, float, str, list[float]]:
    """(median wall s, median CPU s, max peak MB, last stdout, every wall time)."""
    walls, cpus, rss, out = [], [], [], ""
    for _ in range(runs):
        w, c, r, out = timed_rss(cmd)
        walls.append(w)
        cpus.append(c)
        rss.append(r)
    return statistics.median(walls), statistics.median(cpus), max(rss), out, walls


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vertices", type=int, default=8_000_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each large-file method (median)")
    ap.add_argument("--small-runs", type=int, default=20, help="runs of the small-file start-up test")
    ap.add_argument("--skip-geopandas", action="store_true")
    ap.add_argument("--json-out", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    py = sys.executable
    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        big = Path(tmp) / "big.geojson"
        t0 = time.perf_counter()
        big_pq = Path(tmp) / "big.parquet"
        # in a child: a child's peak RSS starts at its parent's when it forks, so this process
        # stays small (no numpy) for the memory figures to mean anything
        made = subprocess.run([py, "-c", "import json, sys; sys.path.insert(0, 'benchmarks'); "
                               "from pathlib import Path; from bench_lengths import generate; "
                               "print(json.dumps(generate(Path(sys.argv[1]), int(sys.argv[2]), "
                               "parquet=Path(sys.argv[3]))))", str(big), str(args.vertices), str(big_pq)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        size, nv = json.loads(made.stdout)
        print(f"generated {big.name}: {size / 1e6:.1f} MB, {nv:,} vertices, 2,001 features "
              f"(largest 1 feature of {min(1_000_000, args.vertices // 8):,}) in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        results["file"] = {"bytes": size, "vertices": nv}
        rows = []

        def add(name: str, cmd: list[str], runs: int) -> None:
            print(f"running: {name} ...", file=sys.stderr)
            wall, cpu, rss, out, walls = median_run(cmd, runs)
            data = json.loads(out)
            total_m = data["total_m"] if "total_m" in data else sum(
                f["length_m"] for s in data["sources"] for f in s["features"])
            rows.append({"method": name, "wall_s": wall, "cpu_s": cpu, "walls_s": walls, "peak_mb": rss,
                         "total_m": total_m})
            print(f"  {wall:.2f} s wall (runs {', '.join(f'{w:.2f}' for w in walls)}), {cpu:.2f} s CPU, "
                  f"{rss:.0f} MB", file=sys.stderr)

        add("geo lengths (streamed, geodesic)", [py, "-m", "geo", "lengths", str(big), "--json"], args.runs)
        results["parquet_bytes"] = big_pq.stat().st_size
        add(f"geo lengths on GeoParquet ({big_pq.stat().st_size / 1e6:.0f} MB, row groups of {PARQUET_ROW_GROUP})",
            [py, "-m", "geo", "lengths", str(big_pq), "--json"], args.runs)
        add("naive json.load + per-ring Geod loop", [py, "-c", NAIVE, str(big)], max(1, args.runs // 3))
        if not args.skip_geopandas:
            add("geopandas read_file + to_crs(UTM 41N).length", [py, "-c", GEOPANDAS, str(big), "EPSG:32641"], 1)
            add("geopandas read_file + to_crs(Web Mercator).length", [py, "-c", GEOPANDAS, str(big), "EPSG:3857"], 1)

        small = Path(tmp) / "small.geojson"
        small.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "r1", "properties": {"name": "Route", "length_known_km": 300,
                                                           "length_known_source": "S1"},
             "geometry": {"type": "LineString", "coordinates": [[61.0, 27.0], [62.0, 27.5], [63.0, 28.0]]}}]}))
        print(f"running: small file x{args.small_runs} ...", file=sys.stderr)
        _, small_cpu, _, _, small_walls = median_run([py, "-m", "geo", "lengths", str(small)], args.small_runs)
        _, bare_cpu, _, _, bare_walls = median_run([py, "-c", "pass"], args.small_runs)
        load = os.getloadavg()

    ours = rows[0]
    ref_m = ours["total_m"]
    print(f"\nInput: {size / 1e6:.1f} MB GeoJSON, {nv:,} vertices; {os.cpu_count()} CPUs; Python {results['python']}; "
          f"load average at the end {load[0]:.1f}.\n")
    print("| method | wall time (median) | CPU time | peak memory | total length | error vs geodesic | time vs ours |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        err = (r["total_m"] - ref_m) / ref_m * 100
        print(f"| {r['method']} | {r['wall_s']:.2f} s | {r['cpu_s']:.2f} s | {r['peak_mb']:.0f} MB | "
              f"{r['total_m'] / 1000:,.3f} km | {err:+.3f} % | {r['wall_s'] / ours['wall_s']:.1f}x |")
    med, best = statistics.median(small_walls), min(small_walls)
    print(f"\n`geo lengths small.geojson`: median {med * 1000:.0f} ms wall ({small_cpu * 1000:.0f} ms CPU), "
          f"min {best * 1000:.0f} ms, over {len(small_walls)} runs; bare `python3 -c pass`: median "
          f"{statistics.median(bare_walls) * 1000:.0f} ms wall ({bare_cpu * 1000:.0f} ms CPU).")
    results.update(rows=rows, small_ms=[w * 1000 for w in small_walls], bare_ms=[w * 1000 for w in bare_walls])
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
