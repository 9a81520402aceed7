"""geo/check/command.py: every rule fires precisely on a broken synthetic layer; clean layers pass.

Property-based tests (hypothesis) cover the writer/validator pair: write -> read keeps the
geometry within the written precision, a random simple polygon passes, a random bow-tie fails
with GEOS's self-intersection reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, shape
from trust_fixtures import BORDER, IR11, PKBA, good_claims, good_layers

from geo import catalog, check, io, settings
from geo.check import command as validate
from geo.cli import main
from geo.errors import GeoError

PROBLEM = re.compile(r"^[a-z_]+:([^:\s]+|'[^']*'): [a-z0-9-]+: .+$")


def feat(layers: dict[str, Any], layer: str, fid: str) -> dict[str, Any]:
    return next(f for f in layers[layer]["features"] if f["id"] == fid)


def props(layers: dict[str, Any], layer: str, fid: str) -> dict[str, Any]:
    return feat(layers, layer, fid)["properties"]


def set_geom(layers: dict[str, Any], layer: str, fid: str, geom: Any) -> None:
    feat(layers, layer, fid)["geometry"] = geom if isinstance(geom, dict) else io.geometry_mapping(geom)


def test_good_layers_pass() -> None:
    assert validate.validate_layers(good_layers(), claims=good_claims()) == []


def test_missing_layers_are_fine() -> None:
    layers = good_layers()
    for keep in (["border"], ["markets"], ["events", "places"], []):
        assert validate.validate_layers({k: layers[k] for k in keep}) == []


def _bowtie(layers: dict[str, Any]) -> None:
    set_geom(layers, "provinces", "IR-11",
             {"type": "Polygon", "coordinates": [[[60, 27], [61, 28], [61, 27], [60, 28], [60, 27]]]})


def _rev_ring(layers: dict[str, Any]) -> None:
    g = feat(layers, "provinces", "PK-BA")["geometry"]
    g["coordinates"][0] = g["coordinates"][0][::-1]


def _unclosed(layers: dict[str, Any]) -> None:
    g = feat(layers, "provinces", "PK-BA")["geometry"]
    g["coordinates"][0] = g["coordinates"][0][:-1]


def _hole_ccw(layers: dict[str, Any]) -> None:
    poly = Polygon(PKBA.exterior.coords, [[(64, 27), (64.5, 27), (64.5, 27.5), (64, 27.5)]])
    g = io.geometry_mapping(poly)
    g["coordinates"][1] = g["coordinates"][1][::-1]
    set_geom(layers, "provinces", "PK-BA", g)


def _dup_vertex(layers: dict[str, Any]) -> None:
    c = feat(layers, "border", "border-ne10m")["geometry"]["coordinates"]
    c.insert(1, list(c[1]))


def _swap(layers: dict[str, Any]) -> None:
    g = feat(layers, "places", "gn-1176615")["geometry"]
    g["coordinates"] = g["coordinates"][::-1]


def _pipeline_twice(layers: dict[str, Any]) -> None:
    set_geom(layers, "pipeline", "pipe-border-gwadar", LineString([(61.8, 27.2), (62.3, 26.0), (61.0, 26.0)]))


def _pipeline_never(layers: dict[str, Any]) -> None:
    set_geom(layers, "pipeline", "pipe-iranshahr-border", LineString([(60.7, 27.2), (61.3, 27.25)]))
    set_geom(layers, "pipeline", "pipe-border-gwadar", LineString([(62.5, 27.2), (62.3, 25.2)]))


def _overlap(layers: dict[str, Any]) -> None:
    set_geom(layers, "provinces", "IR-11", shapely.affinity.translate(IR11, xoff=0.2))


def _edge_off(layers: dict[str, Any]) -> None:
    # the shared edge of IR-11 moved ~100 m west: no overlap, but it no longer meets the border
    set_geom(layers, "provinces", "IR-11", shapely.affinity.translate(IR11, xoff=-0.001))


Mutation = Callable[[dict[str, Any]], None]

# (name, mutation, expected layer:id, rule, words in the detail)
CASES: list[tuple[str, Mutation, str, str, str]] = [
    ("crs member", lambda L: L["provinces"].__setitem__("crs", {"type": "name"}), "provinces:*", "crs", "RFC 7946"),
    ("crs on geometry", lambda L: feat(L, "markets", "mkt-mand-pishin")["geometry"].__setitem__("crs", {}),
     "markets:mkt-mand-pishin", "crs", "geometry"),
    ("lat out of range", lambda L: feat(L, "places", "pl-zahedan")["geometry"].__setitem__("coordinates", [60.8, 95.0]),
     "places:pl-zahedan", "range", "[60.8, 95.0]"),
    ("swapped lon/lat", _swap, "places:gn-1176615", "extent", "swapped"),
    ("clockwise exterior", _rev_ring, "provinces:PK-BA", "winding", "clockwise"),
    ("counter-clockwise hole", _hole_ccw, "provinces:PK-BA", "winding", "hole"),
    ("unclosed ring", _unclosed, "provinces:PK-BA", "ring-closed", "not closed"),
    ("8 decimals", lambda L: feat(L, "places", "pl-zahedan")["geometry"].__setitem__("coordinates", [60.12345678, 29.5]),
     "places:pl-zahedan", "precision", "60.12345678"),
    ("empty geometry", lambda L: feat(L, "crossings", "xing-taftan-mirjaveh")["geometry"].__setitem__("coordinates", []),
     "crossings:xing-taftan-mirjaveh", "empty", "no coordinates"),
    ("null geometry", lambda L: feat(L, "markets", "mkt-mand-pishin").__setitem__("geometry", None),
     "markets:mkt-mand-pishin", "empty", "null"),
    ("duplicate vertex", _dup_vertex, "border:border-ne10m", "duplicate-vertex", "vertex 2"),
    ("bow-tie", _bowtie, "provinces:IR-11", "ogc-valid", "Self-intersection"),
    ("bad position", lambda L: feat(L, "places", "pl-zahedan")["geometry"].__setitem__("coordinates", ["60", 29]),
     "places:pl-zahedan", "coordinates", "not a position"),
    ("geometry collection", lambda L: feat(L, "places", "pl-zahedan").__setitem__(
        "geometry", {"type": "GeometryCollection", "geometries": []}), "places:pl-zahedan", "feature", "GeometryCollection"),
    ("duplicate id", lambda L: L["places"]["features"].append(json.loads(json.dumps(L["places"]["features"][0]))),
     "places:gn-1176615", "duplicate-id", "feature 1"),
    ("missing id", lambda L: L["places"]["features"][1].pop("id"), "places:#2", "feature", "string id"),
    ("missing property", lambda L: props(L, "crossings", "xing-taftan-mirjaveh").pop("status"),
     "crossings:xing-taftan-mirjaveh", "schema", "'status' is a required property"),
    ("extra property", lambda L: props(L, "markets", "mkt-mand-pishin").__setitem__("colour", "red"),
     "markets:mkt-mand-pishin", "schema", "'colour' was unexpected"),
    ("bad status", lambda L: props(L, "markets", "mkt-mand-pishin").__setitem__("status", "open"),
     "markets:mkt-mand-pishin", "schema", "properties.status: 'open' is not one of"),
    ("bad route accuracy", lambda L: props(L, "pipeline", "pipe-border-gwadar").__setitem__("route_accuracy", "exact"),
     "pipeline:pipe-border-gwadar", "schema", "properties.route_accuracy"),
    ("bad precision code", lambda L: props(L, "events", "ev-2024-04-fence").__setitem__("geo_precision", 4),
     "events:ev-2024-04-fence", "schema", "properties.geo_precision: 4"),
    ("impossible date", lambda L: props(L, "events", "ev-2024-01-16-iran-strike").__setitem__("event_date", "2024-02-30"),
     "events:ev-2024-01-16-iran-strike", "schema", "'2024-02-30' is not a valid date"),
    ("date format", lambda L: props(L, "markets", "mkt-mand-pishin").__setitem__("agreed_date", "18/05/2023"),
     "markets:mkt-mand-pishin", "schema", "properties.agreed_date"),
    ("wrong type", lambda L: props(L, "border", "border-osm").__setitem__("length_km", "600 km"),
     "border:border-osm", "schema", "properties.length_km: '600 km' is not of type"),
    ("mixed field types", lambda L: props(L, "border", "border-osm").__setitem__("length_km", "600 km"),
     "border:*", "field-type", "'length_km'"),
    ("bad id pattern", lambda L: feat(L, "markets", "mkt-mand-pishin").__setitem__("id", "market 1"),
     "markets:'market 1'", "schema", "id: 'market 1' does not match"),
    ("no sources", lambda L: props(L, "places", "pl-zahedan").__setitem__("sources", ""),
     "places:pl-zahedan", "schema", "properties.sources"),
    ("script in text", lambda L: props(L, "events", "ev-2024-04-fence").__setitem__("notes", "<script>alert(1)</script>"),
     "events:ev-2024-04-fence", "markup", "properties.notes"),
    ("event handler in text", lambda L: props(L, "places", "pl-zahedan").__setitem__("role", 'x" onmouseover="alert(1)'),
     "places:pl-zahedan", "markup", "properties.role"),
    ("end before start", lambda L: props(L, "events", "ev-2024-01-16-iran-strike").__setitem__("event_date_end", "2023-12"),
     "events:ev-2024-01-16-iran-strike", "dates", "before event_date"),
    ("precision mismatch", lambda L: props(L, "events", "ev-2024-04-fence").__setitem__("date_precision", "day"),
     "events:ev-2024-04-fence", "dates", "month precision"),
    ("article span", lambda L: props(L, "events", "ev-2024-04-fence").__setitem__("article_end", 99),
     "events:ev-2024-04-fence", "article-span", "article_quote has 11 characters"),
    ("property order", lambda L: feat(L, "places", "pl-zahedan").__setitem__(
        "properties", dict(reversed(list(props(L, "places", "pl-zahedan").items())))),
     "places:pl-zahedan", "property-order", "expected 'name'"),
    ("collection name", lambda L: L["markets"].__setitem__("name", "shops"), "markets:*", "collection", "'shops'"),
    ("no license", lambda L: L["markets"]["metadata"].__setitem__("license", ""), "markets:*", "collection",
     "metadata.license"),
    ("provinces overlap", _overlap, "provinces:IR-11", "provinces-overlap", "overlaps PK-BA"),
    ("province edge off the border", _edge_off, "provinces:IR-11", "province-border", "m from this province's edge"),
    ("market far from border", lambda L: set_geom(L, "markets", "mkt-mand-pishin", Point(63.0, 27.0)),
     "markets:mkt-mand-pishin", "border-site", "km from the border"),
    ("wrong distance property", lambda L: props(L, "crossings", "xing-taftan-mirjaveh").__setitem__(
        "distance_to_border_km", 3.0), "crossings:xing-taftan-mirjaveh", "border-site", "distance_to_border_km is 3.0"),
    ("place in the other province", lambda L: set_geom(L, "places", "pl-zahedan", Point(61.2, 29.5)),
     "places:pl-zahedan", "inside-area", "lies inside PK-BA"),
    ("place far outside its province", lambda L: set_geom(L, "places", "pl-zahedan", Point(63.0, 29.5)),
     "places:pl-zahedan", "inside-area", "outside province IR-11"),
    ("event in the wrong country", lambda L: set_geom(L, "events", "ev-2024-01-18-pakistan-strike", PKBA),
     "events:ev-2024-01-18-pakistan-strike", "inside-area", "outside province IR-11"),
    ("border event away from the border", lambda L: set_geom(L, "events", "ev-2024-04-fence",
                                                             LineString([(64, 27), (65, 28)])),
     "events:ev-2024-04-fence", "inside-area", "geometry_basis is 'border'"),
    ("area event in the wrong province", lambda L: props(L, "events", "ev-2024-01-16-iran-strike").update(
        geometry_basis="area:pl-x:IR-11:30km", admin1=None), "events:ev-2024-01-16-iran-strike", "inside-area",
     "outside province IR-11"),
    ("country event outside its country", lambda L: props(L, "events", "ev-2024-01-18-pakistan-strike").update(
        geometry_basis="country:PAK"), "events:ev-2024-01-18-pakistan-strike", "inside-area", "outside country PAK"),
    ("bad geometry_basis", lambda L: props(L, "events", "ev-2024-01-16-iran-strike").__setitem__(
        "geometry_basis", "area:pl-x:Balochistan"), "events:ev-2024-01-16-iran-strike", "schema",
     "properties.geometry_basis"),
    ("pipeline crosses twice", _pipeline_twice, "pipeline:*", "pipeline-crossing", "crosses the border 2 times"),
    ("pipeline never crosses", _pipeline_never, "pipeline:*", "pipeline-crossing", "0 times"),
]


@pytest.mark.parametrize(("mutate", "where", "rule", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_fires(mutate: Mutation, where: str, rule: str, words: str) -> None:
    layers = good_layers()
    mutate(layers)
    problems = validate.validate_layers(layers, claims=good_claims())
    hits = [p for p in problems if p.startswith(f"{where}: {rule}: ")]
    assert hits, f"expected {where}: {rule}: ...{words}... in {problems}"
    assert any(words in p for p in hits), hits
    for p in problems:
        assert PROBLEM.match(p), p
        assert "\n" not in p


def test_pipeline_crossing_counts_joint_once() -> None:
    # two segments meeting exactly on the border are one crossing
    assert not [p for p in validate.validate_layers(good_layers()) if "pipeline-crossing" in p]


def test_every_problem_at_once() -> None:
    layers = good_layers()
    chosen = ["crs member", "lat out of range", "swapped lon/lat", "clockwise exterior", "empty geometry",
              "duplicate vertex", "bow-tie", "bad status"]
    for name, mutate, *_ in CASES:
        if name in chosen:
            mutate(layers)
    problems = validate.validate_layers(layers)
    rules = {p.split(": ")[1] for p in problems}
    assert {"crs", "range", "extent", "winding", "empty", "duplicate-vertex", "ogc-valid", "schema"} <= rules


def test_claims_rules() -> None:
    claims = good_claims()
    claims["claims"][0]["verdict"] = "true"
    claims["claims"][0]["feature_ids"] = ["border-osm", "ev-nope"]
    claims["claims"].append(dict(claims["claims"][0]))
    problems = validate.validate_layers(good_layers(), claims=claims)
    assert "claims:cl-border-length: schema: verdict: 'true' is not one of" in "\n".join(problems)
    assert any("claims-ref" in p and "ev-nope" in p for p in problems)
    assert any("duplicate-id" in p for p in problems)
    assert validate.validate_layers({}, claims={"nope": 1}) == [
        "claims:*: collection: expected an object with a 'claims' array"]


def test_huge_values_are_not_echoed() -> None:
    layers = good_layers()
    props(layers, "places", "pl-zahedan")["name"] = "<b>" + "x" * 1_000_000
    props(layers, "places", "pl-zahedan")["population"] = "y" * 1_000_000
    problems = validate.validate_layers(layers)
    assert problems and max(len(p) for p in problems) < 400


def test_junk_never_raises() -> None:
    junk: list[Any] = [None, 1, "x", [], {"type": "FeatureCollection"}, {"type": "FeatureCollection", "features": [1, None]},
                       {"type": "FeatureCollection", "features": [{"type": "Feature", "id": 5, "geometry": {"type": "Pt"}}]},
                       {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "properties": [],
                                                                   "geometry": {"type": "Polygon", "coordinates": [[]]}}]}]
    for j in junk:
        problems = validate.validate_layers({"places": j, "provinces": j, "border": j})
        assert problems and all(PROBLEM.match(p) for p in problems), problems


# ---------------------------------------------------------------- CLI


def _write_layers(tmp: Path, layers: dict[str, Any], claims: dict[str, Any] | None = None) -> list[Path]:
    paths = []
    for name, fc in layers.items():
        p = tmp / f"{name}.geojson"
        p.write_text(io.dumps(fc), encoding="utf-8")
        paths.append(p)
    if claims is not None:
        p = tmp / "claims.json"
        p.write_text(io.dumps_json(claims), encoding="utf-8")
        paths.append(p)
    return paths


def test_cli_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _write_layers(tmp_path, good_layers(), good_claims())
    assert main(["validate", *map(str, paths)]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == "10 layers, 20 features: ok"  # the nine catalog layers + claims


def test_cli_default_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write_layers(tmp_path, good_layers(), good_claims())
    monkeypatch.setattr(settings, "LAYERS_DIR", tmp_path)
    assert main(["validate"]) == 0
    assert "10 layers" in capsys.readouterr().out
    monkeypatch.setattr(settings, "LAYERS_DIR", tmp_path / "empty")
    assert main(["validate"]) == 2
    assert "no layer files" in capsys.readouterr().err


def test_cli_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = good_layers()
    _rev_ring(layers)
    _swap(layers)
    paths = _write_layers(tmp_path, layers)
    assert main(["validate", *map(str, paths)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("provinces:PK-BA: winding: ") for line in err)
    assert any(line.startswith("places:gn-1176615: extent: ") for line in err)
    assert err[-1].startswith("geo: ") and "validation problem" in err[-1]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "file is empty"),
    (b'{"type": "FeatureCollection", "features": [', "line 1 column"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"type": "Feature", "geometry": null}', "not a GeoJSON FeatureCollection"),
    (b"[1, 2]", "top level is a JSON array"),
    (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "NaN"),
    (b'{"type": "FeatureCollection", "type": "x", "features": []}', "duplicate key"),
    (b"<html><script>alert(1)</script></html>", "invalid JSON"),
])
def test_cli_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: str) -> None:
    p = tmp_path / "places.geojson"
    p.write_bytes(content)
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "places.geojson" in err and words in err, err


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.geojson")]) == 2
    assert "nope.geojson: file not found" in capsys.readouterr().err


def test_layer_name_from_collection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = good_layers()
    props(layers, "markets", "mkt-mand-pishin")["status"] = "bogus"
    fc = layers["markets"]
    p = tmp_path / "my-markets-copy.geojson"
    p.write_text(io.dumps(fc), encoding="utf-8")
    assert main(["validate", str(p)]) == 1
    assert "markets:mkt-mand-pishin: schema: " in capsys.readouterr().err


# ---------------------------------------------------------------- the real layers


def test_committed_layers_pass() -> None:
    paths = validate.default_paths()
    assert any(p.name.endswith(".geojson") for p in paths), "layers/ is empty: run geo build"
    layers, claims = validate.load_paths(paths)
    assert validate.validate_layers(layers, claims=claims) == []


def test_schemas_match_design_doc() -> None:
    """Every property of design.md's layer sections is in the schema, in the same order."""
    design = (settings.ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for layer in catalog.names():
        heading = f"### {layer}.geojson properties" if layer not in ("markets", "crossings") else \
            "### markets.geojson / crossings.geojson properties"
        if heading not in design:
            continue
        section = design.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        schema_props = catalog.property_names(layer)
        documented = [n for n in re.findall(r"`([a-z_0-9]+)`", section) if n in schema_props]
        assert documented == [n for n in schema_props if n in documented], layer
        missing = [n for n in schema_props if n not in documented]
        assert not missing, f"{layer}: schema properties not in design.md: {missing}"


# ---------------------------------------------------------------- property-based

coord = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
center = st.tuples(st.floats(min_value=50.0, max_value=70.0), st.floats(min_value=22.0, max_value=38.0))


@st.composite
def star_polygons(draw: st.DrawFn) -> Polygon:
    """Random simple polygons: vertices at increasing angles around a centre, random radii."""
    cx, cy = draw(center)
    degrees = sorted(draw(st.sets(st.integers(min_value=0, max_value=71), min_size=3, max_size=30)))
    radii = draw(st.lists(st.floats(min_value=0.05, max_value=1.0), min_size=len(degrees), max_size=len(degrees)))
    pts = [(cx + r * math.cos(math.radians(d * 5)), cy + r * math.sin(math.radians(d * 5)))
           for d, r in zip(degrees, radii, strict=True)]
    return Polygon(pts)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(star_polygons(), st.booleans())
def test_write_read_keeps_geometry(poly: Polygon, clockwise: bool) -> None:
    if not poly.is_valid:
        return
    if clockwise:
        poly = Polygon(list(poly.exterior.coords)[::-1])
    fc = io.collection("provinces", [io.feature("PK-BA", {}, poly)], title="t", description="d")
    back = json.loads(io.dumps(fc))
    assert io.dumps(back) == io.dumps(fc)  # writer is idempotent
    geom = back["features"][0]["geometry"]
    problems, shp = check.check_geometry(geom)
    assert problems == [] and shp is not None  # rounding kept it valid and CCW
    assert shp.hausdorff_distance(poly) <= 0.5e-6 * math.sqrt(2) + 1e-12
    assert check.check_geometry(io.geometry_mapping(poly))[0] == []


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(min_value=44, max_value=78), st.floats(min_value=20, max_value=40)),
                min_size=2, max_size=20, unique=True))
@example([(44.0, 20.0), (44.00000000000001, 20.0)])  # found by hypothesis: distinct floats, one written position
def test_write_read_line(points: list[tuple[float, float]]) -> None:
    rounded = [(round(x, 6), round(y, 6)) for x, y in points]
    if len(set(rounded)) == 1:  # the line collapses at the written precision: the writer refuses it
        with pytest.raises(GeoError, match="collapses to one position"):
            io.feature("a", {}, LineString(points))
        return
    fc = io.collection("x", [io.feature("a", {}, LineString(points))], title="t", description="d")
    coords = json.loads(io.dumps(fc))["features"][0]["geometry"]["coordinates"]
    rounded = [(round(x, 6), round(y, 6)) for x, y in points]
    dedup = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    assert [tuple(c) for c in coords] == dedup
    for (x, y), (rx, ry) in zip(points, rounded, strict=True):
        assert abs(x - rx) <= 0.5e-6 + 1e-12 and abs(y - ry) <= 0.5e-6 + 1e-12
    if len(dedup) >= 2:
        problems, _ = check.check_geometry({"type": "LineString", "coordinates": coords}, extent=(44, 20, 78, 40))
        assert not [p for p in problems if p[0] in ("precision", "range", "extent", "duplicate-vertex")]


@hsettings(max_examples=60, deadline=None)
@given(center, st.floats(min_value=0.01, max_value=2.0),
       st.lists(st.integers(min_value=0, max_value=359), min_size=4, max_size=4, unique=True))
def test_random_bowtie_fails_with_reason(c: tuple[float, float], r: float, degrees: list[int]) -> None:
    d = sorted(degrees)
    if min((d[(i + 1) % 4] - d[i]) % 360 for i in range(4)) < 15:
        return  # nearly coincident corners: GEOS may call it a different defect
    p = [[round(c[0] + r * math.cos(math.radians(a)), 6), round(c[1] + r * math.sin(math.radians(a)), 6)] for a in d]
    ring = [p[0], p[2], p[1], p[3], p[0]]  # diagonals as edges: they cross
    problems, shp = check.check_geometry({"type": "Polygon", "coordinates": [ring]})
    assert shp is None
    assert any(rule == "ogc-valid" and detail.startswith("Self-intersection") for rule, detail in problems), problems


@hsettings(max_examples=100, deadline=None)
@given(st.floats(min_value=-180, max_value=180, allow_nan=False), st.integers(min_value=0, max_value=12))
def test_precision_rule(x: float, nd: int) -> None:
    """Flagged exactly when the value as written has more than 7 decimals, i.e. when rounding it
    to 7 decimals changes it (the shortest repr of a float round-trips)."""
    v = round(x, nd)
    problems, _ = check.check_geometry({"type": "Point", "coordinates": [v, 0.0]})
    assert any(r == "precision" for r, _ in problems) == (round(v, check.MAX_DECIMALS) != v)
    if nd <= check.MAX_DECIMALS:
        assert not any(r == "precision" for r, _ in problems)


@pytest.mark.parametrize(("value", "flagged"), [
    (61.1234567, False), (61.12345678, True), (61.0, False), (61, False),
    (1e-07, False), (1.5e-07, True), (3e-09, True), (25.000000001, True),
])
def test_precision_rule_examples(value: float, flagged: bool) -> None:
    problems, _ = check.check_geometry({"type": "Point", "coordinates": [value, 0.0]})
    precision = [d for r, d in problems if r == "precision"]
    assert bool(precision) == flagged
    if flagged:
        assert precision[0].endswith(f"first {value!r} at coordinates")


def test_check_geometry_returns_shape_for_valid() -> None:
    problems, shp = check.check_geometry(io.geometry_mapping(PKBA))
    assert problems == [] and shp.equals(shape(io.geometry_mapping(PKBA)))
    assert BORDER[0] in [tuple(c) for c in io.geometry_mapping(LineString(BORDER))["coordinates"]]


def test_one_problem_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 20: `geo validate` on a file with one problem printed it and then a summary (two
    lines); now one line says both."""
    layers = good_layers()
    _rev_ring(layers)
    paths = _write_layers(tmp_path, layers)
    assert main(["validate", *map(str, paths)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("geo: 1 validation problem in ") and ": provinces:PK-BA: winding: " in err[0]
