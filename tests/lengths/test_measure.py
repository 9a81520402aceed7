"""Geodesic maths: agreement with GeographicLib (independent implementation) and properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.lengths import measure

WGS84 = Geodesic.WGS84
REL = 1e-9

lat = st.floats(-90, 90, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)
point = st.tuples(lon, lat)


def reference_m(xs, ys) -> float:
    """Length by GeographicLib (Karney's own Python package), summed exactly."""
    return math.fsum(WGS84.Inverse(ys[i], xs[i], ys[i + 1], xs[i + 1])["s12"] for i in range(len(xs) - 1))


def close(a: float, b: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-6  # 1 micrometre floor for ~zero lengths


@settings(max_examples=300, deadline=None)
@given(st.lists(point, min_size=2, max_size=12))
def test_random_lines_agree_with_geographiclib(pts):
    xs, ys = zip(*pts, strict=True)
    assert close(measure.line_length_m(xs, ys), reference_m(xs, ys))


@settings(max_examples=200, deadline=None)
@given(lon, st.floats(-89, 89), st.floats(-0.5, 0.5), st.floats(-0.5, 0.5))
def test_near_antipodal_geodesics_agree(x, y, dx, dy):
    # Vincenty fails to converge near the antipode; Karney's algorithm must not.
    x2 = ((x + 180 + dx + 180) % 360) - 180
    y2 = max(-90.0, min(90.0, -y + dy))
    got = measure.line_length_m([x, x2], [y, y2])
    assert close(got, reference_m([x, x2], [y, y2]))
    assert got > 19_900_000  # about half the meridian


@settings(max_examples=200, deadline=None)
@given(lon, st.floats(89.0, 90.0), lon, st.floats(89.0, 90.0), st.booleans())
def test_polar_geodesics_agree(x1, y1, x2, y2, south):
    if south:
        y1, y2 = -y1, -y2
    assert close(measure.line_length_m([x1, x2], [y1, y2]), reference_m([x1, x2], [y1, y2]))


def test_known_values():
    # Equator, one degree: a * pi / 180 exactly on the ellipsoid's equator.
    assert measure.line_length_m([0, 1], [0, 0]) == pytest.approx(6378137 * math.pi / 180, rel=1e-12)
    # Exact antipodes across a pole (meridional): half the meridian, 20003931.4586 m (GeographicLib).
    assert measure.line_length_m([0, 180], [0, 0]) == pytest.approx(20003931.4586, abs=1e-3)


@settings(max_examples=150, deadline=None)
@given(st.lists(point, min_size=2, max_size=15))
def test_reversal_gives_the_same_length(pts):
    xs, ys = map(np.array, zip(*pts, strict=True))
    assert close(measure.line_length_m(xs, ys), measure.line_length_m(xs[::-1], ys[::-1]))


@settings(max_examples=150, deadline=None)
@given(st.lists(point, min_size=3, max_size=15), st.data())
def test_splitting_at_a_vertex_sums_to_the_whole(pts, data):
    xs, ys = map(np.array, zip(*pts, strict=True))
    k = data.draw(st.integers(1, len(xs) - 2))
    parts = measure.line_length_m(xs[: k + 1], ys[: k + 1]) + measure.line_length_m(xs[k:], ys[k:])
    assert close(parts, measure.line_length_m(xs, ys))


@settings(max_examples=150, deadline=None)
@given(point, point, st.integers(1, 50))
def test_densifying_a_geodesic_segment_does_not_change_its_length(a, b, n):
    whole = measure.line_length_m([a[0], b[0]], [a[1], b[1]])
    if whole > 19_000_000:
        return  # near-antipodal: the shortest geodesic is not unique, npts may take another one
    x, y = measure.densify(a[0], a[1], b[0], b[1], n)
    assert close(measure.line_length_m(x, y), whole)


def test_batch_measurer_matches_direct_measurement_across_batches_and_parts():
    rng = np.random.default_rng(7)
    feats = []
    for _ in range(12):
        parts = []
        for _ in range(int(rng.integers(1, 4))):
            n = int(rng.integers(1, 40))
            parts.append((61 + np.cumsum(rng.normal(0, 0.01, n)), 27 + np.cumsum(rng.normal(0, 0.01, n))))
        feats.append(parts)
    for batch in (1, 2, 3, 7, 1000):
        bm = measure.BatchMeasurer(batch_positions=batch)
        for owner, parts in enumerate(feats):
            for x, y in parts:
                # feed each part in uneven chunks; only the first position starts the part
                cuts = sorted({0, len(x), *rng.integers(0, len(x), 2).tolist()})
                for a, b in itertools.pairwise(cuts):
                    new = np.zeros(b - a, dtype=bool)
                    new[0] = a == 0
                    bm.add(owner, x[a:b], y[a:b], new)
        got = bm.totals_m(len(feats))
        want = [measure.parts_length_m(p) for p in feats]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_lonlat_range_problem_and_swapped_hint():
    assert measure.lonlat_range_problem((61, 25, 63, 30)) is None
    assert "outside longitude/latitude" in measure.lonlat_range_problem((500000, 3e6, 6e5, 3.1e6))
    assert "lat/lon order" in measure.lonlat_range_problem((25, 150, 30, 170))
    assert "NaN" in measure.lonlat_range_problem((float("nan"), 0, 1, 1))
    assert measure.looks_swapped((25.0, 61.0, 30.0, 63.0))
    assert not measure.looks_swapped((61.0, 25.0, 63.0, 30.0))


def test_split_by_country_cuts_at_the_border():
    border = [(np.array([61.0, 61.0]), np.array([20.0, 35.0]))]
    countries = {
        "IRN": {"type": "Polygon", "coordinates": [[[55, 20], [61, 20], [61, 35], [55, 35], [55, 20]]]},
        "PAK": {"type": "Polygon", "coordinates": [[[61, 20], [70, 20], [70, 35], [61, 35], [61, 20]]]},
    }
    x, y = np.array([60.0, 60.5, 62.0]), np.array([27.0, 27.0, 27.0])
    got = measure.split_by_country([(x, y)], border, countries)
    assert set(got) == {"IRN", "PAK"}
    # the cut is located in lon/lat: within a few parts per million of the geodesic crossing
    assert got["IRN"] == pytest.approx(measure.line_length_m([60, 60.5, 61], [27, 27, 27]), rel=1e-5)
    assert got["IRN"] + got["PAK"] == pytest.approx(measure.line_length_m(x, y), rel=1e-12)
    at_sea = measure.split_by_country([(np.array([80.0, 81.0]), np.array([10.0, 10.0]))], border, countries)
    assert list(at_sea) == [measure.OUTSIDE]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_simplifying_more_never_lengthens(seed):
    rng = np.random.default_rng(seed)
    n = 200
    parts = [(61 + np.cumsum(rng.normal(0, 0.003, n)), 27 + np.cumsum(rng.normal(0, 0.003, n)))]
    full = measure.parts_length_m(parts)
    prev = full
    for tol in (0.0, 10.0, 100.0, 1000.0, 1e7):
        s = measure.simplify_parts(parts, tol)
        length = measure.parts_length_m(s)
        assert length <= prev + 1e-6
        prev = length
        assert s[0][0][0] == parts[0][0][0] and s[0][0][-1] == parts[0][0][-1]  # ends kept, exactly
    assert measure.parts_length_m(measure.simplify_parts(parts, 0.0)) == pytest.approx(full, rel=1e-12)
    assert len(measure.simplify_parts(parts, 1e7)[0][0]) == 2
