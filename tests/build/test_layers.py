"""Tests for geo/build/layers.py: the article layers and the claims ledger.

Two kinds of base geography:

* ``tiny_base``: a hand-made border, provinces and countries (a few vertices, not real data) that
  exercises the build logic in milliseconds;
* ``real_base``: the basemap layers in layers/ (border.geojson, provinces.geojson, context.geojson)
  or, when they have not been written yet, built from seeds/basemap/ by geo.build.basemap. The
  integration tests (inside province, crosses the border once, lengths) run against it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.ops import unary_union

from geo import catalog, io, settings
from geo.build import common, layers
from geo.build import seeds as tables
from geo.build.pipeline import DENSIFY_STEP_KM, capacity_normalised
from geo.errors import GeoError, SeedError

GEOD = Geod(ellps="WGS84")
SEEDS = settings.SEEDS_DIR

# --- fixtures -------------------------------------------------------------------------------

_TINY_BORDER = [(60.87, 29.86), (61.58, 28.93), (62.78, 28.10), (63.30, 27.12), (62.75, 26.60),
                (62.27, 26.40), (61.83, 26.06), (61.64, 25.25), (61.62, 25.17)]


def _fc(name: str, feats: list[dict[str, Any]]) -> dict[str, Any]:
    return io.collection(name, feats, title=name, description="hand-made test fixture")


@pytest.fixture(scope="session")
def tiny_base() -> dict[str, dict[str, Any]]:
    """A tiny synthetic border, two provinces and two countries (NOT real geography)."""
    pk = Polygon(_TINY_BORDER + [(61.62, 24.9), (66.8, 24.9), (66.8, 31.0)])
    ir = Polygon(_TINY_BORDER + [(61.62, 24.9), (58.8, 25.3), (58.8, 31.0)])
    pak = Polygon(_TINY_BORDER + [(61.62, 23.0), (76.0, 23.0), (76.0, 37.0), (60.0, 37.0)])
    irn = Polygon(_TINY_BORDER + [(61.62, 23.0), (44.0, 23.0), (44.0, 40.0), (60.0, 40.0)])
    border = _fc("border", [
        io.feature("border-osm", {"kind": "boundary", "length_km": None}, LineString(_TINY_BORDER)),
        io.feature("border-ne10m", {"kind": "boundary", "length_km": None}, LineString(_TINY_BORDER[::2])),
    ])
    provinces = _fc("provinces", [io.feature("PK-BA", {}, pk), io.feature("IR-11", {}, ir)])
    context = _fc("context", [io.feature("PAK", {}, pak), io.feature("IRN", {}, irn)])
    return {"border": border, "provinces": provinces, "context": context}


@pytest.fixture(scope="session")
def real_base() -> dict[str, dict[str, Any]]:
    """The real basemap layers: layers/*.geojson if written, else built from seeds/basemap/."""
    names = tuple(lyr.name for lyr in catalog.built_by("basemap"))
    paths = {n: settings.LAYERS_DIR / f"{n}.geojson" for n in names}
    if all(p.exists() for p in paths.values()):
        return {n: json.loads(p.read_text(encoding="utf-8")) for n, p in paths.items()}
    from geo.build import basemap, seeds
    return basemap.build_base_layers(sources=seeds.read_sources(SEEDS))


@pytest.fixture(scope="session")
def built(real_base: dict[str, dict[str, Any]]) -> layers.Build:
    return layers.build(SEEDS, real_base)


@pytest.fixture(scope="session")
def border_line(real_base: dict[str, dict[str, Any]]) -> LineString:
    f = next(f for f in real_base["border"]["features"] if f["id"] == "border-osm")
    return shape(f["geometry"])


def _feats(b: layers.Build, name: str) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in b.layers[name]["features"]}


# --- unit: helpers --------------------------------------------------------------------------


def test_capacity_conversion() -> None:
    assert capacity_normalised(750.0, "MMcf/d") == (750.0, 21.24)
    mmcfd, mcm = capacity_normalised(110.0, "million m3/day")
    assert mcm == 110.0 and mmcfd == pytest.approx(3884.6, abs=0.1)
    assert capacity_normalised(None, None) == (None, None)


def test_densify_keeps_ends_and_spacing() -> None:
    pts = [(60.68476, 27.20245), (61.63929, 25.25242)]
    out = layers.densify(pts, 5.0)
    assert out[0] == pts[0] and out[-1] == pts[-1]
    arr = np.array(out)
    steps = GEOD.line_lengths(arr[:, 0], arr[:, 1]) / 1000.0
    assert steps.max() <= 5.0 + 1e-6
    # the densified polyline has the geodesic's length
    assert common.line_length_km(out) == pytest.approx(common.geodesic_km(*pts), rel=1e-6)


def test_distance_to_line_is_geodesic() -> None:
    line = np.array([[61.0, 25.0], [61.0, 27.0]])
    d = common.distance_to_line_km(line, 62.0, 26.0)
    assert d == pytest.approx(GEOD.inv(61.0, 26.0, 62.0, 26.0)[2] / 1000.0, rel=2e-3)


# --- unit: the build on a tiny synthetic base -----------------------------------------------


def test_build_on_tiny_base(tiny_base: dict[str, dict[str, Any]]) -> None:
    b = layers.build(SEEDS, tiny_base)
    assert set(b.layers) == {"pipeline", "markets", "crossings", "places", "events"}
    line = LineString(_TINY_BORDER)
    for name in ("markets", "crossings"):
        for f in b.layers[name]["features"]:
            assert line.distance(Point(f["geometry"]["coordinates"])) < 1e-9, f["id"]
    pipes = [shape(f["geometry"]) for f in b.layers["pipeline"]["features"] if f["properties"]["kind"] == "segment"]
    hit = unary_union(pipes).intersection(line)
    assert hit.geom_type == "Point"


def test_bad_quote_is_a_seed_error(tmp_path: Path, tiny_base: dict[str, dict[str, Any]]) -> None:
    import shutil

    shutil.copytree(SEEDS, tmp_path / "seeds", ignore=shutil.ignore_patterns("basemap"))
    ev = tmp_path / "seeds" / "events.csv"
    ev.write_text(ev.read_text(encoding="utf-8").replace("Conceived in the 1990s", "Conceived in the 1980s", 1),
                  encoding="utf-8")
    with pytest.raises(SeedError, match=r"events\.csv row \d+: article_quote"):
        layers.build(tmp_path / "seeds", tiny_base)


def test_unknown_place_is_a_seed_error(tmp_path: Path, tiny_base: dict[str, dict[str, Any]]) -> None:
    import shutil

    shutil.copytree(SEEDS, tmp_path / "seeds", ignore=shutil.ignore_patterns("basemap"))
    mk = tmp_path / "seeds" / "markets.csv"
    mk.write_text(mk.read_text(encoding="utf-8").replace(",pl-mand-pishin,", ",pl-nowhere,", 1), encoding="utf-8")
    with pytest.raises(SeedError, match=r"markets\.csv row 2, column place: unknown place 'pl-nowhere'"):
        layers.build(tmp_path / "seeds", tiny_base)


# --- integration: article links -------------------------------------------------------------


def test_every_event_and_claim_quotes_the_article(built: layers.Build) -> None:
    paras = built.article["paragraphs"]
    records = [f["properties"] for f in built.layers["events"]["features"]] + built.claims["claims"]
    for p in records:
        text = paras[p["article_paragraph"] - 1]
        assert text[p["article_start"]:p["article_end"]] == p["article_quote"]
        assert p["article_quote"].strip()


def test_article_metadata(built: layers.Build) -> None:
    a = built.article
    assert a["title"] == "Iran and Pakistan Strengthen Ties Amid Regional Challenges"
    assert a["publisher"] == "gulf magazine"
    assert not any(p.startswith(("Do follow", "for more information")) for p in a["paragraphs"])
    assert len(a["paragraphs"]) == 33


#: (event id, event_date, date_precision) every build must contain: the article's events.
REQUIRED_EVENTS = [
    ("ev-2024-01-16-iran-strike-panjgur", "2024-01-16", "day"),
    ("ev-2024-01-18-pakistan-strike-saravan", "2024-01-18", "day"),
    ("ev-2024-01-29-fm-visit-islamabad", "2024-01-29", "day"),
    ("ev-2024-02-08-pakistan-general-elections", "2024-02-08", "day"),
    ("ev-2024-04-22-raisi-visit-pakistan", "2024-04-22", "range"),
    ("ev-2024-04-22-arrival-islamabad", "2024-04-22", "day"),
    ("ev-2024-04-22-talks-sharif", "2024-04-22", "day"),
    ("ev-2024-04-22-meeting-zardari", "2024-04-22", "day"),
    ("ev-2024-04-22-meeting-munir", "2024-04-22", "day"),
    ("ev-2024-04-22-joint-press-conference", "2024-04-22", "day"),
    ("ev-2024-04-22-eight-accords-signed", "2024-04-22", "day"),
    ("ev-2024-04-22-security-cooperation-border", "2024-04-22", "range"),
    ("ev-2024-04-22-special-trade-zones", "2024-04-22", "range"),
    ("ev-2024-04-22-border-markets-transit-routes", "2024-04-22", "range"),
    ("ev-2024-04-22-border-fence-fast-track", "2024-04-22", "range"),
    ("ev-2024-04-23-lahore-leg", "2024-04-23", "day"),
    ("ev-2024-04-23-karachi-leg", "2024-04-23", "day"),
    ("ev-2024-04-23-business-forum-karachi", "2024-04-23", "day"),
    ("ev-2024-04-24-departure-karachi", "2024-04-24", "day"),
    ("ev-2024-04-24-joint-statement-pipeline", "2024-04-24", "day"),
    ("ev-1995-pipeline-conceived", "1995", "year"),
    ("ev-2011-pipeline-initiated", "2011", "year"),
    ("ev-2011-06-iran-section-complete-claim", "2011-06", "month"),
    ("ev-2024-02-23-pakistan-approves-phase-1", "2024-02-23", "day"),
    ("ev-2025-10-pipeline-construction-projected", "2025-10", "range"),
]


def test_required_events_present(built: layers.Build) -> None:
    ev = _feats(built, "events")
    for fid, date, precision in REQUIRED_EVENTS:
        assert fid in ev, fid
        p = ev[fid]["properties"]
        assert (p["event_date"], p["date_precision"]) == (date, precision), fid
    visit = ev["ev-2024-04-22-raisi-visit-pakistan"]["properties"]
    assert visit["event_date_end"] == "2024-04-24"
    # unverified / projected records are marked as such
    assert ev["ev-2025-10-pipeline-construction-projected"]["properties"]["verified"] is False
    assert ev["ev-2024-04-22-border-fence-fast-track"]["properties"]["verified"] is False
    assert ev["ev-2011-06-iran-section-complete-claim"]["properties"]["verified"] is False


def test_event_dates_match_precision(built: layers.Build) -> None:
    pat = {"day": r"^\d{4}-\d{2}-\d{2}$", "month": r"^\d{4}-\d{2}$", "year": r"^\d{4}$"}
    for f in built.layers["events"]["features"]:
        p = f["properties"]
        if p["date_precision"] == "range":
            assert p["event_date_end"] and p["event_date_end"] >= p["event_date"], f["id"]
        else:
            assert re.match(pat[p["date_precision"]], p["event_date"]), f["id"]
        assert f["id"].startswith("ev-" + p["event_date"]), f["id"]
        assert p["geo_precision"] in (1, 2, 3)


def test_event_geometry_fits_basis(built: layers.Build, real_base: dict[str, dict[str, Any]]) -> None:
    border = next(f for f in real_base["border"]["features"] if f["id"] == "border-osm")
    for f in built.layers["events"]["features"]:
        basis, g = f["properties"]["geometry_basis"], f["geometry"]
        if basis == "border":
            assert g["coordinates"] == border["geometry"]["coordinates"]
            assert f["properties"]["geo_precision"] == 3
        elif basis.startswith("place:"):
            assert g["type"] == "Point"
        elif basis.startswith("places:"):
            assert g["type"] == "MultiPoint"
        elif basis.startswith(("country:", "province:", "area:")):
            assert g["type"] in ("Polygon", "MultiPolygon")
        elif basis.startswith("pipeline:"):
            assert g["type"] in ("LineString", "MultiLineString")
    strikes = _feats(built, "events")
    for fid in ("ev-2024-01-16-iran-strike-panjgur", "ev-2024-01-18-pakistan-strike-saravan"):
        assert strikes[fid]["geometry"]["type"] in ("Polygon", "MultiPolygon")  # an area, not a pin
        assert strikes[fid]["properties"]["geo_precision"] >= 2


# --- integration: inside the province or country named --------------------------------------

ISO3 = {"PK": "PAK", "IR": "IRN"}


@pytest.fixture(scope="session")
def regions(real_base: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Province (PK-BA, IR-11) and country (ISO3) polygons of the real base, parsed once. Iran and
    Pakistan are the union of their admin-1 units: the atlas's own outline, which events draw."""
    import shapely

    out = {f["id"]: shape(f["geometry"]) for f in real_base["context"]["features"]}
    out.update({f["id"]: shape(f["geometry"]) for f in real_base["provinces"]["features"]})
    for a3, a2 in (("IRN", "IR"), ("PAK", "PK")):
        union = shapely.union_all([shape(f["geometry"]) for f in real_base["admin1"]["features"]
                                   if f["properties"]["country_iso"] == a2])
        # a country's territory includes its inland water (the land outline's holes)
        out[a3] = shapely.union_all([Polygon(p.exterior) for p in getattr(union, "geoms", [union])])
    return out


def _region(regions: dict[str, Any], iso2: str, subdivision: str | None) -> Any:
    return regions[subdivision] if subdivision in ("PK-BA", "IR-11") else regions[ISO3[iso2]]


@pytest.fixture(scope="session")
def buffered(regions: dict[str, Any]) -> Callable[[str, float], Any]:
    """``buffered(key, deg)``: a region (``IRN+PAK`` = both countries) grown by ``deg`` degrees, once."""
    cache: dict[tuple[str, float], Any] = {}

    def get(key: str, deg: float) -> Any:
        if (key, deg) not in cache:
            geom = regions["IRN"].union(regions["PAK"]) if key == "IRN+PAK" else regions[key]
            cache[(key, deg)] = geom.buffer(deg)
        return cache[(key, deg)]

    return get


def _km(geom_a: Any, pt: Point) -> float:
    """Rough distance (km) from a point to a geometry (degrees -> km at these latitudes)."""
    return geom_a.distance(pt) * 111.0


def test_places_inside_named_region(built: layers.Build, regions: dict[str, Any]) -> None:
    for f in built.layers["places"]["features"]:
        p = f["properties"]
        pt = Point(f["geometry"]["coordinates"])
        if "offshore" in p["feature_class"]:
            assert _km(_region(regions, "IR", None), pt) < 150, f["id"]  # field ~100 km off the coast
            continue
        for iso2, sub in zip(p["country_iso"].split(";"), p["iso_3166_2"].split(";"), strict=True):
            region = _region(regions, iso2, sub)
            # on-border points may sit on either side of the line by rounding; context is generalized (~1 km)
            tol = 1.0 if ";" in p["country_iso"] else (0.0 if sub in ("PK-BA", "IR-11") else 2.0)
            assert region.contains(pt) or _km(region, pt) <= tol, (f["id"], sub)


def test_events_inside_named_region(built: layers.Build, regions: dict[str, Any],
                                    buffered: Callable[[str, float], Any]) -> None:
    names = {"Balochistan": "PK-BA", "Sistan and Baluchestan": "IR-11"}
    south_pars = Point(52.068, 26.6191).buffer(1.5)
    for f in built.layers["events"]["features"]:
        p = f["properties"]
        g = shape(f["geometry"])
        if ";" in p["country_iso"]:
            if p["geometry_basis"].startswith("pipeline:"):
                # the whole route lies in Iran or Pakistan, apart from the offshore field leg and the
                # schematic chords that cut across the bays beside Gwadar (within 25 km of land)
                assert buffered("IRN+PAK", 25 / 111).union(south_pars).contains(g), f["id"]
            else:  # border-wide: the border line itself, or points on it: next to both provinces
                for sub in ("PK-BA", "IR-11"):
                    for pt in (getattr(g, "geoms", None) or [g]):
                        assert _km(regions[sub], pt.representative_point()) <= 1.0, (f["id"], sub)
            continue
        sub = names.get(p["admin1"] or "")
        key = sub or ISO3[p["country_iso"]]
        region = regions[key]
        if g.geom_type in ("Polygon", "MultiPolygon"):
            assert buffered(key, 0.01).contains(g.buffer(-0.001)), f["id"]
        elif g.geom_type in ("Point", "MultiPoint"):
            for pt in getattr(g, "geoms", [g]):
                assert region.contains(pt) or _km(region, pt) <= 2.0, f["id"]
        else:  # pipeline routes: within the region named (schematic chords may cut a bay: 25 km)
            assert buffered(key, 25 / 111).contains(g), f["id"]


def test_markets_and_crossings_on_the_border(built: layers.Build, border_line: LineString) -> None:
    tol = settings.BORDER_SITE_TOLERANCE_KM
    coords = np.asarray(border_line.coords)
    for name in ("markets", "crossings"):
        for f in built.layers[name]["features"]:
            p = f["properties"]
            lon, lat = f["geometry"]["coordinates"]
            d = common.distance_to_line_km(coords, lon, lat)
            assert d <= tol, f["id"]
            assert p["distance_to_border_km"] == pytest.approx(d, abs=0.01)
            sd = p["source_distance_to_border_km"]
            assert p["border_flag"] == (sd is not None and sd > tol), f["id"]
            if p["border_flag"]:
                assert "FLAGGED" in p["location_note"]
            assert p["verified"] is False and p["location_note"]
            assert p["geo_precision"] in (2, 3)


def test_border_sites_inside_both_provinces(built: layers.Build, regions: dict[str, Any]) -> None:
    """A border site names a Pakistani district and an Iranian county: it touches both provinces."""
    prov = regions
    for name in ("markets", "crossings"):
        for f in built.layers[name]["features"]:
            pt = Point(f["geometry"]["coordinates"])
            for iso in ("PK-BA", "IR-11"):
                assert prov[iso].contains(pt) or _km(prov[iso], pt) <= 1.0, (f["id"], iso)


def test_far_source_position_is_flagged(tmp_path: Path, tiny_base: dict[str, dict[str, Any]]) -> None:
    import shutil

    shutil.copytree(SEEDS, tmp_path / "seeds", ignore=shutil.ignore_patterns("basemap"))
    pl = tmp_path / "seeds" / "places.csv"
    text = pl.read_text(encoding="utf-8")
    assert ",27.1,63.3," in text
    pl.write_text(text.replace(",27.1,63.3,", ",27.1,63.7,", 1), encoding="utf-8")  # ~40 km east of the line
    b = layers.build(tmp_path / "seeds", tiny_base)
    site = _feats(b, "crossings")["xing-chedgi-kuhak"]["properties"]
    assert site["border_flag"] is True and "FLAGGED" in site["location_note"]
    assert site["source_distance_to_border_km"] > settings.BORDER_SITE_TOLERANCE_KM
    assert site["distance_to_border_km"] < 1e-6  # drawn on the line, but flagged, not silently moved


def test_mand_pishin_market_opened(built: layers.Build) -> None:
    m = _feats(built, "markets")["mkt-mand-pishin"]["properties"]
    assert (m["status"], m["opened_date"], m["agreed_date"]) == ("operating", "2023-05-18", "2021-04-21")
    for fid, f in _feats(built, "markets").items():
        if fid != "mkt-mand-pishin":
            assert f["properties"]["status"] in ("agreed", "proposed")


# --- integration: pipeline ------------------------------------------------------------------


def test_pipeline_crosses_border_exactly_once(built: layers.Build, border_line: LineString) -> None:
    segs = {f["id"]: shape(f["geometry"]) for f in built.layers["pipeline"]["features"]
            if f["properties"]["kind"] == "segment"}
    hit = unary_union(list(segs.values())).intersection(border_line)
    assert hit.geom_type == "Point", hit.wkt[:200]
    zero = hit.coords[0]
    assert segs["pipe-iranshahr-border"].coords[-1] == zero
    assert segs["pipe-border-gwadar"].coords[0] == zero
    assert tuple(zero) in {tuple(c) for c in border_line.coords}  # a vertex: exactly on the line
    for fid, g in segs.items():
        if fid not in ("pipe-iranshahr-border", "pipe-border-gwadar"):
            assert not g.intersects(border_line), fid


def test_pipeline_segments_and_field(built: layers.Build) -> None:
    f = _feats(built, "pipeline")
    assert list(f) == ["south-pars", "pipe-south-pars-asaluyeh", "pipe-asaluyeh-iranshahr",
                       "pipe-iranshahr-border", "pipe-border-gwadar", "pipe-gwadar-nawabshah"]
    assert f["south-pars"]["geometry"]["type"] == "Point" and f["south-pars"]["properties"]["kind"] == "field"
    assert f["pipe-border-gwadar"]["properties"]["length_known_km"] == 80.0
    assert f["pipe-asaluyeh-iranshahr"]["properties"]["length_known_km"] == 902.0
    assert "claim" in f["pipe-iranshahr-border"]["properties"]["status_note"]
    for p in (x["properties"] for x in f.values()):
        assert p["status"] in tables.GEM_STATUS
        if p["kind"] == "segment":
            assert p["route_accuracy"] in tables.GEM_ROUTE_ACCURACY
    # consecutive segments join
    segs = [x for x in f.values() if x["properties"]["kind"] == "segment"]
    for a, b in itertools.pairwise(segs):
        assert a["geometry"]["coordinates"][-1] == b["geometry"]["coordinates"][0]


def test_route_length_is_the_drawn_geodesic(built: layers.Build) -> None:
    for f in built.layers["pipeline"]["features"]:
        if f["properties"]["kind"] != "segment":
            continue
        arr = np.asarray(f["geometry"]["coordinates"])
        steps = GEOD.line_lengths(arr[:, 0], arr[:, 1]) / 1000.0
        assert steps.max() <= DENSIFY_STEP_KM + 0.01, f["id"]  # densified: Mercator drawing = geodesic
        assert f["properties"]["length_route_km"] == pytest.approx(steps.sum(), abs=0.001)
        if f["properties"]["route_source"] != "chord":
            continue  # traced segments: see test_traced_segments_follow_gem
        # a chord: each vertex lies on the geodesic between the segment's end points (within 1 m)
        a, b = arr[0], arr[-1]
        az, _, total = GEOD.inv(a[0], a[1], b[0], b[1])
        for v in arr[1:-1]:
            _, _, d = GEOD.inv(a[0], a[1], v[0], v[1])
            x, y, _ = GEOD.fwd(a[0], a[1], az, d)
            assert GEOD.inv(x, y, v[0], v[1])[2] < 1.0
        assert total > 0


#: Band for a traced route: GEM's trace (36 vertices ~51 km apart) cannot be longer than the pipe,
#: except for the offset of the split points from the real pipe ends (ENDPOINT_TOL_KM); and real
#: pipelines run at most ~35 % longer than such a trace (GEM's wiggle factor; ours are
#: 1.09-1.22), so known <= MAX_WIGGLE x route.
ENDPOINT_TOL_KM = 10.0
MAX_WIGGLE = 1.35


def test_measured_lengths_agree_with_known(built: layers.Build) -> None:
    rows = {r["id"]: r for r in layers.load_seeds(SEEDS)[tables.SEGMENTS.filename]}
    checked = 0
    for f in built.layers["pipeline"]["features"]:
        p = f["properties"]
        if p["kind"] != "segment" or p["length_known_km"] is None:
            continue
        r = rows[f["id"]]
        lo, hi = r["length_known_min_km"], r["length_known_max_km"]
        assert lo <= p["length_known_km"] <= hi
        assert p["route_source"] == "gem"
        route = p["length_route_km"]
        assert route <= hi + ENDPOINT_TOL_KM, f["id"]
        assert lo <= MAX_WIGGLE * route, f["id"]
        assert p["wiggle_factor"] == pytest.approx(p["length_known_km"] / route, abs=0.001)
        checked += 1
    # every segment but South Pars -> Asaluyeh: its only published length (105 km, S108) is for
    # subsea lines from platforms nearer the shore than the field point it is drawn from
    assert checked == 4


# --- integration: claims --------------------------------------------------------------------

REQUIRED_CLAIMS = [
    "cl-border-959-km", "cl-trade-2-billion", "cl-eight-mous", "cl-mou-sectors", "cl-750-mmcfd",
    "cl-conceived-1990s", "cl-initiated-2011", "cl-iran-completed-portion", "cl-february-2024-approval",
    "cl-construction-late-2025", "cl-business-forum-islamabad", "cl-fence-fast-track",
    "cl-first-head-of-state", "cl-three-day-visit", "cl-sunni-extremist-target",
]


def test_claims_ledger(built: layers.Build, real_base: dict[str, dict[str, Any]]) -> None:
    claims = {c["id"]: c for c in built.claims["claims"]}
    for cid in REQUIRED_CLAIMS:
        assert cid in claims, cid
    for c in claims.values():
        assert c["verdict"] in tables.VERDICTS
        assert c["sources"] and c["what_sources_say"]
    osm = next(f for f in real_base["border"]["features"] if f["id"] == "border-osm")
    border = claims["cl-border-959-km"]
    assert border["measured_value"] == pytest.approx(osm["properties"]["length_km"], abs=0.001)
    assert "border-ne10m" in border["measured_note"] or len(real_base["border"]["features"]) == 1
    assert claims["cl-business-forum-islamabad"]["verdict"] == "contradicted"
    assert claims["cl-mou-sectors"]["verdict"] == "contradicted"
    assert claims["cl-construction-late-2025"]["verdict"] == "unsupported"
    appr = claims["cl-february-2024-approval"]
    assert appr["measured_value"] == _feats(built, "pipeline")["pipe-border-gwadar"]["properties"]["length_route_km"]


# --- integration: sources and schema --------------------------------------------------------


def test_no_record_without_a_source(built: layers.Build) -> None:
    from geo import release

    for name, fc in built.layers.items():
        # the licence is the catalog's alone: the builder leaves its slot empty, the release stamp fills it
        assert fc["metadata"]["license"] == "" and fc["metadata"]["attribution"] == "", name
        stamped = release.stamp_collection(name, fc)["metadata"]
        assert stamped["license"].startswith(catalog.LICENSES[catalog.get(name).license][0]), name
        assert stamped["attribution"] == catalog.get(name).attribution, name
        assert fc["metadata"]["sources"], name
        for f in fc["features"]:
            ids = f["properties"]["sources"].split(";")
            assert ids and all(i in built.sources for i in ids), (name, f["id"])
            urls = [built.sources[i]["url"] for i in ids if built.sources[i]["url"]]
            assert f["properties"]["source_urls"] == " ".join(urls)
    for c in built.claims["claims"]:
        assert all(i in built.sources for i in c["sources"].split(";")), c["id"]


def test_property_order_and_types(built: layers.Build) -> None:
    """Every feature has exactly its schema's properties, in the schema's order (the one truth of the
    order: the builders fill values, geo.build.seeds.seed_properties orders them), each of one type."""
    for name in ("pipeline", "markets", "crossings", "places", "events"):
        order = catalog.property_names(name)
        types: dict[str, set[str]] = {}
        for f in built.layers[name]["features"]:
            assert list(f["properties"]) == order, (name, f["id"])
            assert isinstance(f["id"], str)
            for k, v in f["properties"].items():
                if v is not None:
                    types.setdefault(k, set()).add("number" if isinstance(v, (int, float)) and not isinstance(v, bool)
                                                   else type(v).__name__)
        mixed = {k: t for k, t in types.items() if len(t) > 1}
        assert not mixed, (name, mixed)
    claim_keys = catalog.property_names("claims")
    assert all(list(c) == claim_keys for c in built.claims["claims"])


def test_ids_follow_design(built: layers.Build) -> None:
    pats = {"pipeline": r"^(pipe-[a-z0-9-]+|south-pars)$", "markets": r"^mkt-[a-z]+-[a-z]+$",
            "crossings": r"^xing-[a-z]+-[a-z]+$", "places": r"^(gn-\d+|pl-[a-z0-9-]+)$",
            "events": r"^ev-\d{4}(-\d{2}){0,2}-[a-z0-9-]+$"}
    for name, pat in pats.items():
        for f in built.layers[name]["features"]:
            assert re.match(pat, f["id"]), f["id"]
    for f in built.layers["places"]["features"]:
        if f["id"].startswith("gn-"):
            assert f["properties"]["geonames_id"] == int(f["id"][3:])


def test_deterministic_and_rfc7946(built: layers.Build, real_base: dict[str, dict[str, Any]]) -> None:
    again = layers.build(SEEDS, real_base)
    for name, fc in built.layers.items():
        text = io.dumps(fc)
        assert text == io.dumps(again.layers[name]), name
        assert '"crs"' not in text
        for f in fc["features"]:
            for x, y in _all_positions(f["geometry"]["coordinates"]):
                assert -180 <= x <= 180 and -90 <= y <= 90
                assert round(x, 6) == x and round(y, 6) == y
    assert io.dumps_json(built.claims) == io.dumps_json(again.claims)


def _all_positions(coords: Any) -> list[tuple[float, float]]:
    if coords and isinstance(coords[0], (int, float)):
        return [(coords[0], coords[1])]
    out: list[tuple[float, float]] = []
    for c in coords:
        out.extend(_all_positions(c))
    return out


def test_unverified_places_are_derived_not_typed(built: layers.Build) -> None:
    for f in built.layers["places"]["features"]:
        p = f["properties"]
        if p["geonames_id"] is None and f["id"] != "pl-south-pars":
            assert p["verified"] is False and p["location_note"], f["id"]


def test_write_claims_json_roundtrip(built: layers.Build) -> None:
    text = io.dumps_json(built.claims)
    assert json.loads(text)["claims"][0]["id"].startswith("cl-")


# --- issue 10: the pipeline on GEM's traced route ---------------------------------------------


def _gem_route() -> LineString:
    data = json.loads((SEEDS / "gem" / "P0452.geojson").read_text(encoding="utf-8"))
    return LineString(data["features"][0]["geometry"]["coordinates"])


def test_traced_segments_follow_gem(built: layers.Build) -> None:
    """Every land segment lies within its route accuracy of GEM's P0452 trace (measured here on the
    committed extract, not read from the layer), and only the offshore link is a chord."""
    from shapely.ops import nearest_points

    from geo.build.pipeline import ROUTE_ACCURACY_KM

    route = _gem_route()
    chords = []
    for f in built.layers["pipeline"]["features"]:
        p = f["properties"]
        if p["kind"] != "segment":
            continue
        if p["route_source"] == "chord":
            chords.append(f["id"])
            assert p["gem_project_id"] is None and p["route_accuracy"] == "very low"
            continue
        assert p["gem_project_id"] == "P0452" and p["gem_status"] in tables.GEM_STATUS
        tol = ROUTE_ACCURACY_KM[p["route_accuracy"]]
        far = 0.0
        for x, y in f["geometry"]["coordinates"]:
            q = nearest_points(route, Point(x, y))[0]
            far = max(far, GEOD.inv(x, y, q.x, q.y)[2] / 1000.0)
        assert far <= tol, (f["id"], far)
        assert p["gem_max_offset_km"] == pytest.approx(far, abs=0.01)
    assert chords == ["pipe-south-pars-asaluyeh"]


def test_land_segments_stay_on_land(built: layers.Build, real_base: dict[str, dict[str, Any]]) -> None:
    """No land segment runs over water farther from the shore than its route accuracy; the water
    left (lagoons GEM's coarse trace cuts across) is reported on the segment."""
    import shapely
    from shapely.geometry import shape

    from geo.build.pipeline import ROUTE_ACCURACY_KM

    land = shapely.union_all([shape(f["geometry"]) for f in real_base["admin1"]["features"]])
    for f in built.layers["pipeline"]["features"]:
        p = f["properties"]
        if p["kind"] != "segment" or p["route_source"] != "gem":
            continue
        line = LineString(f["geometry"]["coordinates"])
        outside = line.difference(land.buffer(ROUTE_ACCURACY_KM[p["route_accuracy"]] / 111.0))
        assert outside.is_empty or GEOD.geometry_length(outside) < 1.0, f["id"]
        assert p["water_km"] is not None and p["water_km"] < 0.06 * p["length_route_km"], f["id"]


def test_gem_extract_matches_provenance(tmp_path: Path) -> None:
    """The committed extract has the recorded sha256, and refresh re-derives it byte for byte from
    a clone (a tiny git repository built here from the committed file)."""
    import hashlib
    import shutil
    import subprocess

    from geo.build import gem
    prov = gem.provenance(SEEDS / "gem")
    rec = prov["files"]["P0452.geojson"]
    data = (SEEDS / "gem" / "P0452.geojson").read_bytes()
    assert hashlib.sha256(data).hexdigest() == rec["sha256"]
    assert "CC BY 4.0" in prov["license"] and "No licence file" in prov["license"]
    clone = tmp_path / "clone"
    (clone / Path(rec["path"]).parent).mkdir(parents=True)
    (clone / rec["path"]).write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(SEEDS / "gem" / "PROVENANCE.json", out / "PROVENANCE.json")
    # a plain checkout (no git): read from the work tree
    assert gem.refresh(clone, out) == {"P0452.geojson": rec["sha256"]}
    assert (out / "P0452.geojson").read_bytes() == data
    # a changed file is refused and nothing is written
    (clone / rec["path"]).write_bytes(data + b" ")
    (out / "P0452.geojson").unlink()
    with pytest.raises(GeoError, match="sha256"):
        gem.refresh(clone, out)
    assert not (out / "P0452.geojson").exists()
    # a git clone: read at the recorded commit would need GEM's history; a commit of our own
    # has another id, so git show must fail with a one-line error
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(clone)], check=True)
        with pytest.raises(GeoError, match="git show"):
            gem.refresh(clone, out)
    mirror = Path("/work/.mirror/GlobalEnergyMonitor+GOIT-GGIT-pipeline-routes/repo")
    if mirror.is_dir():  # on the development machine only: the real repository
        assert gem.refresh(mirror, out) == {"P0452.geojson": rec["sha256"]}


def test_events_join_to_admin1(real_base: dict[str, dict[str, Any]]) -> None:
    """geopandas sjoin: every point event lies in exactly one admin-1 unit, every other event
    overlaps (not only touches) the units it spans, and no event overlaps a country it does not name."""
    import geopandas as gpd

    ev = gpd.read_file(settings.LAYERS_DIR / "events.geojson")
    a1 = gpd.GeoDataFrame.from_features(real_base["admin1"]["features"], crs="EPSG:4326")
    a1["unit"] = [f["id"] for f in real_base["admin1"]["features"]]
    j = gpd.sjoin(ev[["id", "country_iso", "geometry"]], a1[["unit", "country_iso", "geometry"]],
                  how="left", predicate="intersects", lsuffix="ev", rsuffix="a1")
    assert len(real_base["admin1"]["features"]) == 38
    for eid, rows in j.groupby("id"):
        g = ev.loc[ev["id"] == eid].geometry.iloc[0]
        units = []
        for _, r in rows.iterrows():
            if not isinstance(r["unit"], str):
                continue
            inter = g.intersection(a1.loc[a1["unit"] == r["unit"]].geometry.iloc[0])
            if g.geom_type.endswith("Point"):
                overlaps = not inter.is_empty
            elif g.geom_type.endswith("LineString"):
                overlaps = GEOD.geometry_length(inter) > 1.0  # metres along the unit, not a touch
            else:
                overlaps = abs(GEOD.geometry_area_perimeter(inter)[0]) > 1.0  # more than 1 m2 inside
            if overlaps:
                units.append(r["unit"])
        assert units, eid
        if g.geom_type == "Point":
            assert len(units) == 1, (eid, units)
        for u in units:
            assert u[:2] in rows["country_iso_ev"].iloc[0].split(";"), (eid, u)


def test_acled_columns(built: layers.Build) -> None:
    from shapely.geometry import shape

    for f in built.layers["events"]["features"]:
        p = f["properties"]
        assert len(p["acled_date"]) == 10 and p["year"] == int(p["acled_date"][:4])
        assert p["acled_date"] >= p["event_date"][: len(p["acled_date"])] or p["acled_date"].startswith(p["event_date"])
        expect = {"day": 1}.get(p["date_precision"])
        if expect:
            assert p["time_precision"] == 1 and p["acled_date"] == p["event_date"]
        else:
            assert p["time_precision"] in (2, 3)
        g = shape(f["geometry"])
        assert g.buffer(1e-6).contains(Point(p["longitude"], p["latitude"])), f["id"]
        assert isinstance(p["timestamp"], int)


def test_claims_show_evidence_on_both_sides(built: layers.Build) -> None:
    """Every verdict shows the strongest evidence for and against, each dated and sourced (or an
    explicit 'None found'); the two disputed verdicts of issue 10 rest on the sources that decided them."""
    date = re.compile(r"\b(19|20)\d\d\b")
    for c in built.claims["claims"]:
        for side in ("evidence_for", "evidence_against"):
            text = c[side]
            assert text, (c["id"], side)
            if not text.startswith(("None found", "Not in any source")):
                assert date.search(text) or "(S1)" in text or "(S44)" in text, (c["id"], side)
                assert re.search(r"\b(S\d+|GEM-GGIT|A1)\b", text), (c["id"], side)
    claims = {c["id"]: c for c in built.claims["claims"]}
    iran = claims["cl-iran-completed-portion"]
    assert iran["verdict"] == "unsupported" and "S110" in iran["evidence_against"] and "S110" in iran["sources"]
    finance = claims["cl-delay-sanctions-finance"]
    assert finance["verdict"] == "supported"
    assert {"S111", "S112"} <= set(finance["sources"].split(";")) and "S111" in finance["evidence_for"]


def test_sites_without_a_gate_coordinate_stay_unverified(built: layers.Build) -> None:
    """Crossings and markets record what sources give about their position; none is verified while
    no source gives a gate coordinate."""
    for name in ("crossings", "markets"):
        for f in built.layers[name]["features"]:
            p = f["properties"]
            assert p["location_evidence"] and "coordinate" in p["location_evidence"], f["id"]
            if "No source gives" in p["location_evidence"]:
                assert p["verified"] is False, f["id"]


@pytest.mark.parametrize(("table", "old", "new", "message"), [
    ("places.csv", ",border_nearest,gn-1159975,", ",border_nearest,pl-tripoint,",
     r"places\.csv row \d+, column anchor: pl-tripoint has no stored coordinate"),
    ("claims.csv", ",route_length:", ",route_length:zz-no-segment;",
     r"claims\.csv row \d+, column measure: unknown pipeline segment\(s\) \['zz-no-segment'\]"),
])
def test_seed_errors_name_the_seeds_folder_in_use(tmp_path: Path, tiny_base: dict[str, dict[str, Any]],
                                                  table: str, old: str, new: str, message: str) -> None:
    """An error in another seeds folder (geo build --seeds DIR, an article's draft) names that
    folder's file, not the repository's seeds/."""
    import shutil

    from geo import files

    shutil.copytree(SEEDS, tmp_path / "seeds", ignore=shutil.ignore_patterns("basemap"))
    path = tmp_path / "seeds" / table
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SeedError, match=message) as err:
        layers.build(tmp_path / "seeds", tiny_base)
    assert str(err.value).startswith(files.display(path) + " row "), str(err.value)
