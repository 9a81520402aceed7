"""One GeoJSON geometry: RFC 7946 structure (geo/check/rfc7946.py), then OGC validity and winding."""

from __future__ import annotations

from typing import Any

from geo.check import rfc7946
from geo.check.problems import short

_OK_REASON = "Valid Geometry"


def check_geometry(geom: Any, *, extent: tuple[float, float, float, float] | None = None
                   ) -> tuple[list[tuple[str, str]], Any]:
    """RFC 7946 and OGC checks of one GeoJSON geometry dict.

    Returns ``([(rule, detail), ...], shapely geometry or None)``; the geometry is returned
    only when it is structurally sound and OGC-valid, for the topology rules.
    """
    out: list[tuple[str, str]] = []
    coords = _coordinates(geom, out)
    if coords is None:
        return out, None
    gtype = geom["type"]
    positions: rfc7946.Positions = []
    if not rfc7946.walk_positions(coords, rfc7946.DEPTH[gtype], "coordinates", out, positions):
        return out, None
    structural_ok = rfc7946.empty_parts(gtype, coords, out)
    structural_ok &= rfc7946.ranges(positions, extent, out)
    rfc7946.precision(positions, out)
    structural_ok &= rfc7946.line_shapes(gtype, coords, out)
    if not structural_ok:
        return out, None
    return _ogc(gtype, coords, out)


def _coordinates(geom: Any, out: list[tuple[str, str]]) -> Any:
    """The coordinates of a geometry object of a GeoJSON type, else None (with the problem in ``out``)."""
    if not isinstance(geom, dict):
        out.append(("feature", f"geometry is {short(repr(geom), 40)}, expected a geometry object"))
        return None
    if "crs" in geom:
        out.append(("crs", "geometry has a 'crs' member; RFC 7946 coordinates are always WGS84 lon/lat"))
    gtype = geom.get("type")
    if gtype == "GeometryCollection":
        out.append(("feature", "GeometryCollection: use one geometry type per feature (QGIS skips collections)"))
        return None
    if gtype not in rfc7946.DEPTH:
        out.append(("feature", f"geometry type {short(repr(gtype), 40)} is not a GeoJSON geometry type"))
        return None
    coords = geom.get("coordinates")
    if coords is None or coords == []:
        out.append(("empty", f"{gtype} has no coordinates"))
        return None
    return coords


def _ogc(gtype: str, coords: Any, out: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], Any]:
    """OGC validity (shapely/GEOS reason), then winding (meaningful only for simple rings)."""
    import shapely
    from shapely.geometry import shape

    try:
        shp = shape({"type": gtype, "coordinates": coords})
    except Exception as exc:  # noqa: BLE001 - GEOS refuses some degenerate input
        out.append(("ogc-valid", f"cannot build geometry: {exc}"))
        return out, None
    if shp.is_empty:
        out.append(("empty", f"{gtype} is empty"))
        return out, None
    reason = shapely.is_valid_reason(shp)
    if reason != _OK_REASON:
        out.append(("ogc-valid", str(reason)))
        return out, None
    if gtype in ("Polygon", "MultiPolygon"):
        wrong = rfc7946.winding(gtype, coords)
        if wrong:
            out.append(("winding", "; ".join(wrong[:3]) + (f" (+{len(wrong) - 3} more)" if len(wrong) > 3 else "")
                        + "; RFC 7946 wants exteriors counter-clockwise, holes clockwise"))
    return out, shp
