"""Display copies of layers: simplified (at most DISPLAY_TOLERANCE_M from the layer) and rounded.

Only the map's embedded copy is simplified; the GeoJSON layers keep full precision.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from geo import io
from geo.geodesy import METRES_PER_DEGREE_MAX

#: Largest allowed distance, in metres, between a displayed line and the layer geometry.
DISPLAY_TOLERANCE_M: float = 25.0
#: Decimals of displayed coordinates (1e-5 degree is at most 1.11 m).
DISPLAY_DECIMALS: int = 5
#: Worst-case shift from rounding both coordinates to DISPLAY_DECIMALS.
ROUNDING_SHIFT_M: float = (2**0.5) * 0.5 * 10**-DISPLAY_DECIMALS * METRES_PER_DEGREE_MAX


def tolerance_degrees(tolerance_m: float = DISPLAY_TOLERANCE_M) -> float:
    """Douglas-Peucker tolerance in degrees that keeps simplification + rounding within tolerance_m."""
    return (tolerance_m - ROUNDING_SHIFT_M) / METRES_PER_DEGREE_MAX


def _count(coords: Any) -> int:
    if coords and isinstance(coords[0], (int, float)):
        return 1
    return sum(_count(c) for c in coords)


def display_geometry(
    geom: dict[str, Any] | None, *, tolerance_m: float = DISPLAY_TOLERANCE_M
) -> dict[str, Any] | None:
    """Simplified, rounded copy of a GeoJSON geometry dict (points are only rounded)."""
    if geom is None:
        return None
    gtype = geom.get("type")
    if gtype in ("Point", "MultiPoint"):
        return {"type": gtype, "coordinates": io.round_coords(geom["coordinates"], DISPLAY_DECIMALS)}
    if gtype == "GeometryCollection":
        return {
            "type": gtype,
            "geometries": [display_geometry(g, tolerance_m=tolerance_m) for g in geom["geometries"]],
        }
    if _count(geom.get("coordinates") or []) <= 4:
        return {"type": gtype, "coordinates": io.round_coords(geom["coordinates"], DISPLAY_DECIMALS)}
    import shapely
    from shapely.geometry import mapping, shape

    shp = shape(geom)
    simple = shapely.simplify(shp, tolerance_degrees(tolerance_m), preserve_topology=True)
    if simple.is_empty:
        simple = shp
    out = mapping(simple)
    return {"type": out["type"], "coordinates": io.round_coords(_lists(out["coordinates"]), DISPLAY_DECIMALS)}


def _lists(c: Any) -> Any:
    if isinstance(c, (list, tuple)):
        return [_lists(x) for x in c]
    return c


def display_collection(fc: dict[str, Any], *, tolerance_m: float = DISPLAY_TOLERANCE_M) -> dict[str, Any]:
    """Display copy of a FeatureCollection: same features, ids and properties, lighter geometry."""
    out = {k: copy.deepcopy(v) for k, v in fc.items() if k != "features"}
    out["features"] = [
        {
            "type": "Feature",
            "id": f.get("id"),
            "properties": f.get("properties") or {},
            "geometry": display_geometry(f.get("geometry"), tolerance_m=tolerance_m),
        }
        for f in fc.get("features") or []
    ]
    return out


#: Grid of the map's topology: coordinates are quantized to this many steps across its bounding box.
TOPOLOGY_QUANTIZATION: int = 300_000


def _bbox(geoms: list[Any]) -> tuple[float, float, float, float]:
    import shapely

    b = shapely.total_bounds(geoms)
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def quantization_shift_m(bbox: tuple[float, float, float, float], q: int = TOPOLOGY_QUANTIZATION) -> float:
    """Worst-case shift, in metres, of a point snapped to the topology's grid."""
    sx = (bbox[2] - bbox[0]) / (q - 1)
    sy = (bbox[3] - bbox[1]) / (q - 1)
    return 0.5 * (sx * sx + sy * sy) ** 0.5 * METRES_PER_DEGREE_MAX


#: Where :func:`topology` keeps its results between builds (.cache/ is not tracked by git).
#: GEO_CACHE_DIR moves it (tests share one); GEO_NO_CACHE=1 turns it off.
TOPOLOGY_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "topology"
#: A cache file larger than this is not read (it is rebuilt).
TOPOLOGY_CACHE_MAX_BYTES = 64 << 20


def _cache_dir() -> Path | None:
    if os.environ.get("GEO_NO_CACHE") == "1":
        return None
    env = os.environ.get("GEO_CACHE_DIR")
    return Path(env) / "topology" if env else TOPOLOGY_CACHE_DIR


def _topology_key(layers: dict[str, dict[str, Any]], tolerance_m: float) -> str:
    """SHA-256 of everything the topology depends on: each line and area geometry with its layer
    and index, the tolerance, the grid, this module's code and the versions of topojson, shapely
    and GEOS. Properties are left out: they do not change the topology."""
    import shapely
    import topojson as tp

    h = hashlib.sha256()
    h.update(json.dumps([tolerance_m, TOPOLOGY_QUANTIZATION, tp.__version__, shapely.__version__,
                         shapely.geos_version_string]).encode())
    h.update(Path(__file__).read_bytes())
    for name, fc in layers.items():
        for i, f in enumerate(fc.get("features") or []):
            g = f.get("geometry")
            if g is None or g.get("type") in ("Point", "MultiPoint", "GeometryCollection"):
                continue
            h.update(json.dumps([name, i, g], separators=(",", ":"), allow_nan=False).encode())
    return h.hexdigest()


def _cache_read(path: Path, key: str) -> dict[str, Any] | None:
    """The cached topology if the file is exactly what :func:`_cache_write` writes for ``key``;
    None on anything else (missing, too big, not JSON, another key, content not matching its
    hash, wrong shape): the caller then rebuilds it. The file is treated as hostile input."""
    try:
        if path.stat().st_size > TOPOLOGY_CACHE_MAX_BYTES:
            return None
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or set(doc) != {"key", "sha256", "topology"} or doc["key"] != key:
        return None
    topo = doc["topology"]
    body = json.dumps(topo, separators=(",", ":"), ensure_ascii=False).encode()
    if hashlib.sha256(body).hexdigest() != doc["sha256"]:
        return None
    ok = (isinstance(topo, dict) and topo.get("type") == "Topology" and isinstance(topo.get("objects"), dict)
          and isinstance(topo.get("arcs"), list) and all(isinstance(a, str) for a in topo["arcs"])
          and topo.get("arcs_encoding") == "polyline-delta")
    return topo if ok else None


def _cache_write(path: Path, key: str, topo: dict[str, Any]) -> None:
    """Write atomically (a temporary file, then rename); a cache that cannot be written is skipped."""
    body = json.dumps(topo, separators=(",", ":"), ensure_ascii=False)
    doc = {"key": key, "sha256": hashlib.sha256(body.encode()).hexdigest(), "topology": topo}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def topology(layers: dict[str, dict[str, Any]], *, tolerance_m: float = DISPLAY_TOLERANCE_M,
             cache: bool = True) -> dict[str, Any]:
    """:func:`build_topology`, kept between builds: the same layer geometries (and code and library
    versions) give the same topology, so it is read back from ``.cache/topology/`` instead of being
    computed again (a quarter of the build's CPU outside the still maps). The cache is keyed by a
    hash of every input and validated on reading; anything amiss and it is rebuilt. The result is
    the same either way (a test compares them)."""
    where = _cache_dir() if cache else None
    if where is None:
        return build_topology(layers, tolerance_m=tolerance_m)
    key = _topology_key(layers, tolerance_m)
    path = where / f"{key}.json"
    hit = _cache_read(path, key)
    if hit is not None:
        return hit
    topo = build_topology(layers, tolerance_m=tolerance_m)
    # what is returned is what a later build reads back: one JSON round trip, so both are equal
    topo = json.loads(json.dumps(topo, ensure_ascii=False))
    _cache_write(path, key, topo)
    return topo


def build_topology(layers: dict[str, dict[str, Any]], *, tolerance_m: float = DISPLAY_TOLERANCE_M) -> dict[str, Any]:
    """One TopoJSON topology of every line and area of ``layers`` (points are left out).

    Each object is named after its layer; each geometry carries ``properties.i``, the index of its
    feature in the layer. Lines shared by several features (the border, which both provinces and
    some events follow) become one arc, simplified once (Douglas-Peucker on arcs, so shared edges
    stay shared) and the whole is quantized and delta-encoded. Simplification plus quantization
    keep every drawn vertex and segment within ``tolerance_m`` of the layer's geometry.
    """
    import geopandas as gpd  # type: ignore[import-untyped]
    import topojson as tp
    from shapely.geometry import shape

    frames, names, all_geoms = [], [], []
    for name, fc in layers.items():
        idx, geoms = [], []
        for i, f in enumerate(fc.get("features") or []):
            g = f.get("geometry")
            if g is None or g.get("type") in ("Point", "MultiPoint", "GeometryCollection"):
                continue
            idx.append(i)
            geoms.append(shape(g))
        if geoms:
            frames.append(gpd.GeoDataFrame({"i": idx}, geometry=geoms, crs="EPSG:4326"))
            names.append(name)
            all_geoms += geoms
    if not frames:
        return {"type": "Topology", "objects": {}, "arcs": []}
    shift = quantization_shift_m(_bbox(all_geoms))
    tol_deg = (tolerance_m - shift - 0.5) / METRES_PER_DEGREE_MAX
    topo = tp.Topology(
        frames,
        object_name=names,
        prequantize=False,
        topology=True,
        toposimplify=tol_deg,
        simplify_with="shapely",
        simplify_algorithm="dp",
        prevent_oversimplify=True,
        topoquantize=TOPOLOGY_QUANTIZATION,
    )
    out = _merge_equal_arcs(topo.to_dict())
    out.pop("bbox", None)
    # each arc's delta-encoded integers as one string (the encoded-polyline scheme: zigzag, 5-bit
    # groups, chr(63 + group)): about 5 characters a vertex instead of 11; decoded in the page
    out["arcs"] = [encode_arc(a) for a in out["arcs"]]
    out["arcs_encoding"] = "polyline-delta"
    return out


def _encode_int(v: int) -> str:
    v = ~(v << 1) if v < 0 else v << 1
    chars = []
    while v >= 0x20:
        chars.append(chr((0x20 | (v & 0x1F)) + 63))
        v >>= 5
    chars.append(chr(v + 63))
    return "".join(chars)


def encode_arc(arc: list[list[int]]) -> str:
    """One arc's [dx, dy] integer pairs as an encoded-polyline string (x then y for each vertex)."""
    return "".join(_encode_int(int(dx)) + _encode_int(int(dy)) for dx, dy in arc)


def _merge_equal_arcs(topo: dict[str, Any]) -> dict[str, Any]:
    """Store once the arcs that simplification and quantization made equal (either way round)."""
    first: dict[tuple[tuple[int, int], ...], int] = {}
    remap: dict[int, int] = {}
    kept: list[Any] = []
    for i, arc in enumerate(topo["arcs"]):
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x, y))
        key, rev = tuple(pts), tuple(reversed(pts))
        if key in first:
            remap[i] = first[key]
        elif rev in first:
            remap[i] = ~first[rev]
        else:
            first[key] = len(kept)
            remap[i] = len(kept)
            kept.append(arc)

    def ref(a: int) -> int:
        return remap[a] if a >= 0 else ~remap[~a]

    def walk(a: Any) -> Any:
        return [walk(x) for x in a] if isinstance(a, list) else ref(a)

    for obj in topo["objects"].values():
        for g in obj.get("geometries", []):
            if "arcs" in g:
                g["arcs"] = walk(g["arcs"])
    topo["arcs"] = kept
    return topo
