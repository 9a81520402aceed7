"""Geodesy and source helpers shared by the layer builders (pyproj Geod on WGS84)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from geo import geodesy, settings
from geo.build.seeds import source_urls
from geo.geodesy import GEOD

#: Vertices of a geodesic uncertainty circle (events drawn as areas).
CIRCLE_VERTICES: int = 72


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance (km) between two (lon, lat) points."""
    return geodesy.distance_m(a[0], a[1], b[0], b[1]) / 1000.0


def line_length_km(coords: list[tuple[float, float]] | list[list[float]]) -> float:
    arr = np.asarray(coords, dtype=float)
    return geodesy.line_length_m(arr[:, 0], arr[:, 1]) / 1000.0


def nearest_vertex(coords: np.ndarray, lon: float, lat: float) -> tuple[float, float]:
    """The vertex of a line (array of lon, lat) geodesically nearest to (lon, lat)."""
    n = len(coords)
    _, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), coords[:, 0], coords[:, 1])
    i = int(np.argmin(dist))
    return float(coords[i, 0]), float(coords[i, 1])


def distance_to_line_km(line_coords: np.ndarray, lon: float, lat: float) -> float:
    """Distance (km) from a point to a lon/lat polyline, in an azimuthal equidistant projection
    centred on the point (distances from the centre are geodesic)."""
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps={settings.GEOD_ELLPS} +units=m", always_xy=True
    )
    x, y = tr.transform(line_coords[:, 0], line_coords[:, 1])
    return float(LineString(np.column_stack([x, y])).distance(Point(0, 0))) / 1000.0


def densify(points: list[tuple[float, float]], step_km: float) -> list[tuple[float, float]]:
    """Join points by geodesics with a vertex about every ``step_km`` (ends kept exactly)."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(math.ceil(geodesic_km(a, b) / step_km) - 1, 0)
        if n:
            out.extend(GEOD.npts(a[0], a[1], b[0], b[1], n))
        out.append(b)
    return [(float(x), float(y)) for x, y in out]


def rounded_coords(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Coordinates as written (settings.COORD_DECIMALS), consecutive duplicates dropped."""
    nd = settings.COORD_DECIMALS
    out: list[tuple[float, float]] = []
    for x, y in points:
        p = (round(x, nd) + 0.0, round(y, nd) + 0.0)
        if not out or out[-1] != p:
            out.append(p)
    return out


def geodesic_circle(lon: float, lat: float, radius_km: float) -> Polygon:
    az = np.linspace(0.0, 360.0, CIRCLE_VERTICES, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(az.size, lon), np.full(az.size, lat), az, np.full(az.size, radius_km * 1000.0))
    return Polygon(list(zip(lons, lats, strict=True)))


def source_fields(ids: list[str], sources: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``sources`` and ``source_urls`` of a record."""
    return {"sources": ";".join(ids), "source_urls": source_urls(ids, sources)}
