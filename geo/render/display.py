"""Display copies of layers: simplified (at most DISPLAY_TOLERANCE_M from the layer) and rounded.

Only the map's embedded copy is simplified; the GeoJSON layers keep full precision.
"""

from __future__ import annotations

import copy
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
