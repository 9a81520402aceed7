"""geo/geodesy.py: the one ellipsoid, checked against GeographicLib (an independent implementation),
and the metres <-> degrees bound that display, export and validation rely on."""

from __future__ import annotations

import math

import pytest
import shapely
from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from geo import geodesy
from geo import settings as geo_settings

WGS84 = Geodesic.WGS84
lat = st.floats(-89.9, 89.9, allow_nan=False)
lon = st.floats(-179.9, 179.9, allow_nan=False)
frontier_lon = st.floats(55.0, 70.0, allow_nan=False)
frontier_lat = st.floats(23.0, 33.0, allow_nan=False)


def _s12(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])


def test_the_ellipsoid_is_the_settings_one() -> None:
    assert geo_settings.GEOD_ELLPS == "WGS84"
    assert geodesy.GEOD.a == pytest.approx(6_378_137.0)
    assert geodesy.GEOD.f == pytest.approx(1 / 298.257223563)


@settings(max_examples=200, deadline=None)
@given(lon, lat, lon, lat)
def test_distance_agrees_with_geographiclib(x1: float, y1: float, x2: float, y2: float) -> None:
    assert geodesy.distance_m(x1, y1, x2, y2) == pytest.approx(_s12(x1, y1, x2, y2), rel=1e-9, abs=1e-6)


def test_lengths_of_lines_and_geometries() -> None:
    xs, ys = [61.0, 61.5, 62.0], [27.0, 27.4, 27.1]
    want = _s12(xs[0], ys[0], xs[1], ys[1]) + _s12(xs[1], ys[1], xs[2], ys[2])
    assert geodesy.line_length_m(xs, ys) == pytest.approx(want, rel=1e-12)
    assert geodesy.length_m(LineString(zip(xs, ys, strict=True))) == pytest.approx(want, rel=1e-12)
    assert geodesy.line_length_m([61.0], [27.0]) == 0.0


def test_area_agrees_with_geographiclib_whatever_the_ring_orientation() -> None:
    ring = [(60.0, 26.0), (63.0, 26.0), (63.0, 29.0), (60.0, 29.0)]
    hole = [(61.0, 27.0), (61.0, 28.0), (62.0, 28.0), (62.0, 27.0)]
    ref = PolygonArea(WGS84)
    for x, y in ring:
        ref.AddPoint(y, x)
    outer = abs(ref.Compute()[2])
    ref = PolygonArea(WGS84)
    for x, y in hole:
        ref.AddPoint(y, x)
    inner = abs(ref.Compute()[2])
    ccw = Polygon(ring, [hole])
    assert geodesy.area_m2(ccw) == pytest.approx(outer - inner, rel=1e-9)
    cw = Polygon(ring[::-1], [hole[::-1]])  # the wrong way round: still the same area
    assert geodesy.area_m2(cw) == pytest.approx(outer - inner, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(lon, lat, st.floats(0.0, 3.0), st.floats(0.0, 360.0))
def test_degrees_never_understate_metres(x: float, y: float, deg: float, bearing: float) -> None:
    """A planar shift of ``deg`` degrees moves a point at most metres_at_most(deg) on the ground."""
    x2 = x + deg * math.cos(math.radians(bearing))
    y2 = max(-90.0, min(90.0, y + deg * math.sin(math.radians(bearing))))
    assert _s12(x, y, x2, y2) <= geodesy.metres_at_most(deg) + 1e-6
    assert geodesy.degrees_within(geodesy.metres_at_most(deg)) == pytest.approx(deg)


def test_metres_per_degree_bound_is_tight() -> None:
    """The bound is the longest degree on WGS84 (a meridian degree at the pole), rounded up by < 10 m."""
    polar = _s12(0.0, 89.0, 0.0, 90.0)
    assert polar <= geodesy.METRES_PER_DEGREE_MAX < polar + 10.0


@settings(max_examples=100, deadline=None)
@given(frontier_lon, frontier_lat, st.integers(3, 7))
def test_rounding_shift_bounds_rounding(x: float, y: float, decimals: int) -> None:
    assert _s12(x, y, round(x, decimals), round(y, decimals)) <= geodesy.rounding_shift_m(decimals) + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(frontier_lon, frontier_lat), min_size=3, max_size=40, unique=True),
       st.sampled_from([10.0, 25.0, 100.0, 1000.0]))
def test_simplify_within_moves_nothing_further_than_the_tolerance(pts: list[tuple[float, float]],
                                                                  tol_m: float) -> None:
    line = LineString(pts)
    simple = geodesy.simplify_within(line, tol_m)
    # every vertex of the original lies within tol_m of the simplified line, measured geodesically
    for x, y in line.coords:
        assert geodesy.nearest_points_distance_m(Point(x, y), simple) <= tol_m * 1.0001 + 1e-6
    assert shapely.get_num_coordinates(simple) <= shapely.get_num_coordinates(line)


def test_nearest_points_distance() -> None:
    assert geodesy.nearest_points_distance_m(Point(61, 27), LineString([(61, 27), (62, 27)])) == 0.0
    d = geodesy.nearest_points_distance_m(Point(61.5, 27.1), LineString([(61, 27), (62, 27)]))
    assert d == pytest.approx(_s12(61.5, 27.1, 61.5, 27.0), rel=1e-9)
