"""Geodesy: the one ellipsoid, lengths, areas, metres <-> degrees and simplify-within-metres.

Every length and area of the atlas is geodesic on ``settings.GEOD_ELLPS`` (WGS84), computed by
pyproj.Geod (Karney's algorithm, via PROJ) through the single :data:`GEOD` below.

Degrees are turned into metres only where an upper bound is enough: :data:`METRES_PER_DEGREE_MAX`
is at least the length of one degree along any direction on WGS84, so ``d`` degrees of planar
shift are never more than ``d * METRES_PER_DEGREE_MAX`` metres on the ground. A tolerance of ``t``
metres becomes ``t / METRES_PER_DEGREE_MAX`` degrees, and a simplification at that tolerance
moves no vertex by more than ``t`` metres.

Imports: pyproj only at import time; shapely and numpy inside the functions that need them
(the `geo lengths` path imports this module and must start fast, without geopandas or folium).
"""

from __future__ import annotations

import math
from typing import Any

from pyproj import Geod

from geo import settings

#: The one ellipsoid of every length and area (settings.GEOD_ELLPS = WGS84).
GEOD: Geod = Geod(ellps=settings.GEOD_ELLPS)

#: Metres per degree, an upper bound: one degree of latitude is 110,574 m at the equator and
#: 111,694 m at the poles; one degree of longitude is at most 111,320 m (equator).
METRES_PER_DEGREE_MAX: float = 111_700.0


# ---------------------------------------------------------------- distances and lengths


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance between two points, metres."""
    _, _, d = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d)


def line_length_m(lon: Any, lat: Any) -> float:
    """Geodesic length of a polyline (sum of its segments), metres. Lists or arrays."""
    if len(lon) < 2:
        return 0.0
    if not hasattr(lon, "dtype"):
        lon, lat = [float(v) for v in lon], [float(v) for v in lat]
    return float(GEOD.line_length(lon, lat))


def length_m(geom: Any) -> float:
    """Geodesic length of a shapely geometry (lines; the perimeter of areas), metres."""
    return float(GEOD.geometry_length(geom))


def area_m2(geom: Any) -> float:
    """Geodesic area of a shapely (Multi)Polygon, m² (rings oriented first, so holes subtract)."""
    import shapely

    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom, exterior_cw=False))
    return abs(float(area))


def nearest_points_distance_m(a: Any, b: Any) -> float:
    """Geodesic distance (m) between the nearest points of shapely geometries ``a`` and ``b``.

    The nearest points are found in the plane of lon/lat degrees, then measured geodesically.
    """
    from shapely.ops import nearest_points

    pa, pb = nearest_points(a, b)
    if pa.equals(pb):
        return 0.0
    return distance_m(pa.x, pa.y, pb.x, pb.y)


# ---------------------------------------------------------------- metres <-> degrees


def degrees_within(metres: float) -> float:
    """Planar degrees that never exceed ``metres`` on the ground (metres / METRES_PER_DEGREE_MAX)."""
    return metres / METRES_PER_DEGREE_MAX


def metres_at_most(degrees: Any) -> Any:
    """An upper bound, in metres, of a planar distance of ``degrees`` (numbers or numpy arrays)."""
    return degrees * METRES_PER_DEGREE_MAX


def rounding_shift_m(decimals: int) -> float:
    """Largest shift of a point whose two coordinates are rounded to ``decimals`` decimals, metres."""
    return math.sqrt(2) * 0.5 * 10.0**-decimals * METRES_PER_DEGREE_MAX


# ---------------------------------------------------------------- simplification


def simplify_within(geom: Any, tolerance_m: float, *, preserve_topology: bool = True) -> Any:
    """Douglas-Peucker simplification of a shapely geometry that moves nothing by more than
    ``tolerance_m`` metres (the tolerance in degrees is :func:`degrees_within` of it)."""
    import shapely

    return shapely.simplify(geom, degrees_within(tolerance_m), preserve_topology=preserve_topology)
