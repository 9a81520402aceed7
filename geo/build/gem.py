"""Global Energy Monitor pipeline routes: the committed extract (seeds/gem/), its provenance check,
the refresh from a local clone, and splitting a route at the atlas's segment ends.

seeds/gem/PROVENANCE.json records, for every extracted file, the repository, commit, path and
sha256. :func:`load_route` refuses a file whose bytes differ from the record. ``python3 -m geo.build.gem
refresh --clone PATH`` reads each file from a local clone of GlobalEnergyMonitor/GOIT-GGIT-pipeline-routes
at the recorded commit (``git show COMMIT:PATH``; a plain checkout without git history is read from
its work tree), checks the sha256 and rewrites the extract byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LineString, Point

from geo import files, settings
from geo.errors import GeoError, SourceError
from geo.geodesy import GEOD

GEM_DIR: Path = settings.SEEDS_DIR / "gem"
PROVENANCE = "PROVENANCE.json"
#: Spacing (km) of the probe points used to find where a waypoint projects onto a route.
PROBE_STEP_KM: float = 0.1
#: Largest GEM file read (the committed route extracts are a few kB).
MAX_GEM_BYTES: int = 16_000_000


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def provenance(gem_dir: Path | None = None) -> dict[str, Any]:
    path = Path(gem_dir or GEM_DIR) / PROVENANCE
    return files.load_json(path, max_bytes=MAX_GEM_BYTES, what="GEM provenance", error=GeoError)


def load_route(project_id: str, gem_dir: Path | None = None) -> list[tuple[float, float]]:
    """The (lon, lat) vertices of GEM route ``project_id`` from the committed extract, after
    checking its sha256 against the provenance record."""
    gdir = Path(gem_dir or GEM_DIR)
    prov = provenance(gdir)
    fname = f"{project_id}.geojson"
    rec = prov["files"].get(fname)
    if rec is None:
        raise GeoError(f"{gdir / PROVENANCE}: no record for {fname}")
    path = gdir / fname
    data = files.read_bytes(path, max_bytes=MAX_GEM_BYTES, what="GEM route extract", error=GeoError)
    if sha256_bytes(data) != rec["sha256"]:
        raise SourceError(f"{path}: sha256 {sha256_bytes(data)} differs from the recorded {rec['sha256']}")
    feats = json.loads(data)["features"]
    geom = feats[0]["geometry"] if len(feats) == 1 else None
    if not geom or geom["type"] != "LineString":
        raise GeoError(f"{path}: expected one LineString feature")
    return [(float(x), float(y)) for x, y in geom["coordinates"]]


def _read_from_clone(clone: Path, commit: str, path: str) -> bytes:
    if (clone / ".git").exists() or (clone / "HEAD").is_file():
        res = subprocess.run(["git", "-C", str(clone), "show", f"{commit}:{path}"], capture_output=True, check=False)
        if res.returncode != 0:
            msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(f"{clone}: git show {commit[:12]}:{path} failed ({msg[-1] if msg else 'no output'})")
        return res.stdout
    try:
        return (clone / path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{clone / path}: cannot read ({exc.strerror})") from None


def refresh(clone: Path, out: Path | None = None) -> dict[str, str]:
    """Re-derive every extracted file from a local clone; {file name: sha256}. Nothing is written
    unless every file matches its recorded sha256."""
    odir = Path(out or GEM_DIR)
    prov = provenance(odir)
    got: dict[str, bytes] = {}
    for fname, rec in prov["files"].items():
        data = _read_from_clone(Path(clone), rec["commit"], rec["path"])
        if sha256_bytes(data) != rec["sha256"]:
            raise SourceError(
                f"{clone}: {rec['path']} at {rec['commit'][:12]} has sha256 {sha256_bytes(data)}, "
                f"recorded {rec['sha256']}"
            )
        got[fname] = data
    for fname, data in got.items():
        (odir / fname).write_bytes(data)
    return {f: sha256_bytes(d) for f, d in got.items()}


# --- splitting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cut:
    """A point on a route: after vertex ``index`` (0-based), at ``point`` (lon, lat)."""

    index: int
    point: tuple[float, float]
    distance_km: float  # from the anchor it was projected from (0 for an exact crossing)


def project(route: list[tuple[float, float]], lon: float, lat: float) -> Cut:
    """The point of ``route`` geodesically nearest (lon, lat), probed every PROBE_STEP_KM."""
    best: Cut | None = None
    for i, (a, b) in enumerate(itertools.pairwise(route)):
        d = GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0
        n = max(int(d / PROBE_STEP_KM), 1)
        pts = [a, *GEOD.npts(a[0], a[1], b[0], b[1], n - 1), b] if n > 1 else [a, b]
        arr = np.asarray(pts)
        dist = GEOD.inv(np.full(len(arr), lon), np.full(len(arr), lat), arr[:, 0], arr[:, 1])[2] / 1000.0
        k = int(np.argmin(dist))
        if best is None or dist[k] < best.distance_km:
            best = Cut(i, (float(arr[k, 0]), float(arr[k, 1])), float(dist[k]))
    assert best is not None
    return best


def crossing(route: list[tuple[float, float]], border: np.ndarray) -> tuple[Cut, tuple[float, float], float]:
    """Where ``route`` crosses the border line: (cut at the border vertex nearest the crossing,
    the exact crossing, metres between them). Raises GeoError unless it crosses exactly once."""
    line = LineString(border)
    hits = []
    for i, (a, b) in enumerate(itertools.pairwise(route)):
        x = LineString([a, b]).intersection(line)
        for p in getattr(x, "geoms", [x]):
            if isinstance(p, Point):
                hits.append((i, (p.x, p.y)))
    if len(hits) != 1:
        raise GeoError(f"GEM route crosses border-osm {len(hits)} times, expected once")
    i, (x, y) = hits[0]
    dist = GEOD.inv(np.full(len(border), x), np.full(len(border), y), border[:, 0], border[:, 1])[2]
    k = int(np.argmin(dist))
    snapped = (float(border[k, 0]), float(border[k, 1]))
    return Cut(i, snapped, 0.0), (x, y), float(dist[k])


def between(route: list[tuple[float, float]], a: Cut, b: Cut) -> list[tuple[float, float]]:
    """The part of ``route`` from cut ``a`` to cut ``b`` (a before b)."""
    if b.index < a.index:
        raise GeoError("route cuts out of order")
    return [a.point, *route[a.index + 1: b.index + 1], b.point]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geo.build.gem", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refresh", help="check a local clone against the recorded sha256 and re-derive seeds/gem/")
    r.add_argument("--clone", required=True, help="path of a clone of GlobalEnergyMonitor/GOIT-GGIT-pipeline-routes")
    r.add_argument("--out", default=None, help="extract folder (default seeds/gem)")
    args = ap.parse_args(argv)
    try:
        for fname, digest in refresh(Path(args.clone), Path(args.out) if args.out else None).items():
            print(f"{fname}: sha256 {digest} (matches the record)")
    except GeoError as exc:
        print(f"geo: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
