"""geo/export/gpkg.py: the GeoPackage opens in GDAL with every layer, field type, CRS, style and metadata;
events.csv round-trips; two exports are byte-identical."""

from __future__ import annotations

import csv
import io as _io
import json
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from shapely import wkt
from shapely.geometry import shape
from trust_fixtures import good_claims, good_layers

from geo import catalog, geodesy, settings
from geo.export import gpkg as export
from geo.version import DATA_VERSION

FEATURE_TABLES = {
    "border": ("LineString", 3), "provinces": ("Polygon", 2), "admin1": ("Polygon", 2), "context": ("Polygon", 2),
    "pipeline_point": ("Point", 1), "pipeline_line": ("LineString", 2), "markets": ("Point", 1),
    "crossings": ("Point", 1), "places": ("Point", 2), "events_point": ("Point", 1),
    "events_line": ("LineString", 1), "events_area": ("Polygon", 1),
}
OGR_TYPE = {"str": "OFTString", "date_iso": "OFTString", "date": "OFTDate", "int": "OFTInteger64",
            "int16": "OFTInteger", "int32": "OFTInteger", "float": "OFTReal", "bool": "OFTInteger"}


@pytest.fixture(scope="module")
def files(synthetic_exports: dict[str, bytes]) -> dict[str, bytes]:
    return synthetic_exports


@pytest.fixture(scope="module")
def gpkg(files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("gpkg") / "frontier.gpkg"
    p.write_bytes(files["frontier.gpkg"])
    return p


def test_file_names(files: dict[str, bytes]) -> None:
    assert set(files) == {"frontier.gpkg", "events.csv", "frontier-story.kml",
                          *(lyr.style_file for lyr in catalog.LAYERS if lyr.styled),
                          *(f"{n}.{ext}" for n in catalog.names() for ext in ("sld", "parquet", "fgb"))}


def test_every_layer_name_count_type_crs(gpkg: Path) -> None:
    listed = {name: gtype for name, gtype in pyogrio.list_layers(gpkg)}
    assert set(listed) == set(FEATURE_TABLES) | {"claims", "layer_styles"}
    for table, (gtype, count) in FEATURE_TABLES.items():
        info = pyogrio.read_info(gpkg, layer=table)
        assert info["geometry_type"] == gtype, table
        assert info["features"] == count, table
        assert info["crs"] == "EPSG:4326", table
        assert info["fields"][0] == "id"
    assert pyogrio.read_info(gpkg, layer="claims")["features"] == 1


def test_field_types_follow_schema(gpkg: Path) -> None:
    layers = good_layers()
    for table, layer, _, feats in export.tables(layers):
        info = pyogrio.read_info(gpkg, layer=table)
        plan = export.field_plan(layer, feats)
        assert list(info["fields"]) == [p[0] for p in plan], table
        got = dict(zip(info["fields"], zip(info["ogr_types"], info["ogr_subtypes"], strict=True), strict=True))
        for name, kind, _ in plan:
            assert got[name][0] == OGR_TYPE[kind], (table, name)
            if kind == "bool":
                assert got[name][1] == "OFSTBoolean", (table, name)
    ev = dict(zip(*(pyogrio.read_info(gpkg, layer="events_point")[k] for k in ("fields", "ogr_types")), strict=True))
    assert ev["event_date"] == "OFTDate" and ev["event_date_iso"] == "OFTString"
    assert ev["fatalities"] == "OFTInteger" and ev["verified"] == "OFTInteger"
    sub = dict(zip(*(pyogrio.read_info(gpkg, layer="events_point")[k] for k in ("fields", "ogr_subtypes")),
                   strict=True))
    assert sub["geo_precision"] == "OFSTInt16"  # a small code: 16-bit, never a 64-bit number
    b = dict(zip(*(pyogrio.read_info(gpkg, layer="border")[k] for k in ("fields", "ogr_types")), strict=True))
    assert b["length_km"] == "OFTReal" and b["vertex_count"] == "OFTInteger"


def test_values_dates_and_nulls(gpkg: Path) -> None:
    df = pyogrio.read_dataframe(gpkg, layer="events_point")
    row = df.iloc[0]
    assert str(row["event_date"])[:10] == "2024-01-16" and row["event_date_iso"] == "2024-01-16"
    line = pyogrio.read_dataframe(gpkg, layer="events_line").iloc[0]
    assert str(line["event_date"]) == "NaT" and line["event_date_iso"] == "2024-04"  # month precision
    assert line["event_date_end_iso"] is None
    m = pyogrio.read_dataframe(gpkg, layer="markets").iloc[0]
    assert str(m["opened_date"]) == "NaT" and m["opened_date_iso"] is None
    assert bool(m["verified"]) is False and int(m["geo_precision"]) == 2
    p = pyogrio.read_dataframe(gpkg, layer="places").set_index("id")
    assert int(p.loc["gn-1176615", "geonames_id"]) == 1176615
    assert p.loc["pl-zahedan", "geonames_id"] != p.loc["pl-zahedan", "geonames_id"]  # null -> NaN
    c = pyogrio.read_dataframe(gpkg, layer="claims").iloc[0]
    assert c["id"] == "cl-border-length" and c["feature_ids"] == "border-osm" and c["measured_value"] == 900.1


def test_geometries_equal_geojson(gpkg: Path) -> None:
    layers = good_layers()
    for table, _, _, feats in export.tables(layers):
        df = pyogrio.read_dataframe(gpkg, layer=table).set_index("id")
        for f in feats:
            assert df.loc[f["id"], "geometry"].equals(shape(f["geometry"])), (table, f["id"])


def test_metadata(gpkg: Path) -> None:
    info = pyogrio.read_info(gpkg, layer="provinces")
    md = info["layer_metadata"]
    assert md["LICENSE"] == "ODbL" and md["ATTRIBUTION"] == "© OpenStreetMap contributors"
    assert md["SOURCE"] == "S1" and md["DESCRIPTION"] == "d" and md["GEOJSON"] == "provinces.geojson"
    assert "<license>ODbL</license>" in md["GPKG_METADATA_ITEM_1"]  # QGIS layer metadata (.qmd XML)
    with sqlite3.connect(gpkg) as con:
        qmd = con.execute("SELECT r.table_name, m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r "
                          "ON r.md_file_id = m.id WHERE m.md_standard_uri = 'http://mrcc.com/qgis.dtd'").fetchall()
        rows = con.execute("SELECT table_name, identifier, description, last_change FROM gpkg_contents").fetchall()
    # every table, the claims ledger included, carries its licence and the data version
    assert sorted(t for t, _ in qmd) == sorted([*FEATURE_TABLES, "claims"])
    for _, xml in qmd:
        root = ET.fromstring(xml.split("\n", 1)[1])
        assert root.findtext("license") and root.findtext("rights") and root.findtext("title")
        assert DATA_VERSION in (root.findtext("abstract") or "")
    for table in [*FEATURE_TABLES, "claims"]:
        md = pyogrio.read_info(gpkg, layer=table)["layer_metadata"]
        assert md["LICENSE"] and md["DATA_VERSION"] == DATA_VERSION, table
    assert {r[3] for r in rows} == {export.EXPORT_TIMESTAMP}
    assert all(r[1] for r in rows)
    assert len({r[1] for r in rows}) == len(rows)


def test_styles_in_gpkg(gpkg: Path) -> None:
    df = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    assert sorted(df["f_table_name"]) == sorted(FEATURE_TABLES)
    assert df["useAsDefault"].astype(bool).all() and set(df["f_geometry_column"]) == {"geom"}
    want = {"Point": "marker", "LineString": "line", "Polygon": "fill"}
    for _, row in df.iterrows():
        root = ET.fromstring(row["styleQML"].split("\n", 1)[1])
        assert root.tag == "qgis"
        types = {s.get("type") for s in root.iter("symbol")}
        assert types == {want[FEATURE_TABLES[row["f_table_name"]][0]]}, row["f_table_name"]
        names = {s.get("name") for s in root.find("renderer-v2/symbols")}
        assert all(r.get("symbol") in names for r in root.iter("rule"))


@pytest.mark.parametrize("layer", catalog.names())
def test_qml_sidecars(files: dict[str, bytes], layer: str) -> None:
    text = files[f"{layer}.qml"].decode("utf-8")
    assert text.startswith("<!DOCTYPE qgis")
    root = ET.fromstring(text.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "RuleRenderer"
    names = {s.get("name") for s in renderer.find("symbols")}
    rules = list(root.iter("rule"))
    assert rules and all(r.get("symbol") in names for r in rules)
    # every field a rule filters on exists in the layer
    fields = set(catalog.property_names(layer))
    for r in rules:
        for name in __import__("re").findall(r'"([a-z_0-9]+)"', r.get("filter", "")):
            assert name in fields, (layer, name)


def test_border_style_dashes_bridges(files: dict[str, bytes]) -> None:
    root = ET.fromstring(files["border.qml"].decode().split("\n", 1)[1])
    rules = {r.get("filter"): r.get("symbol") for r in root.iter("rule")}
    sym = {s.get("name"): s for s in root.find("renderer-v2/symbols")}
    bridge = next(v for k, v in rules.items() if "bridged_stretch" in k)
    styles = [o.get("value") for o in sym[bridge].iter("Option") if o.get("name") == "line_style"]
    assert "dash" in styles
    ne = next(v for k, v in rules.items() if "natural_earth_10m" in k)
    widths = [float(o.get("value")) for o in sym[ne].iter("Option") if o.get("name") == "line_width"]
    assert max(widths) <= 0.3


def test_events_csv(files: dict[str, bytes]) -> None:
    """events.csv is ACLED-shaped: ACLED's columns first in ACLED's order, event_date a full day,
    one coordinate pair, one country a row (an event in both countries gets a row in each, its point
    and admin1 in that country), then the atlas's columns, WKT, licence and version."""
    from shapely.geometry import Point
    from shapely.ops import unary_union

    from geo.export import csv as csvexport

    rows = list(csv.DictReader(_io.StringIO(files["events.csv"].decode("utf-8"))))
    layers = good_layers()
    events = layers["events"]["features"]
    header = list(rows[0])
    assert header[: len(csvexport.ACLED_COLUMNS)] == list(csvexport.ACLED_COLUMNS)
    assert header[-4:] == ["wkt", "wkt_simplified_m", "license", "data_version"]
    assert "lon" not in header and "lat" not in header and len(header) == len(set(header))
    countries = {f["id"]: f["properties"]["country_iso"].split(";") for f in events}
    assert [r["id"] for r in rows] == [f["id"] for f in events for _ in countries[f["id"]]]
    units = {c: [(u["properties"]["name"], shape(u["geometry"])) for u in layers["admin1"]["features"]
                 if u["properties"]["country_iso"] == c] for c in ("IR", "PK")}
    by_id = {f["id"]: f for f in events}
    for number, f in enumerate(events, 1):
        mine = [r for r in rows if r["id"] == f["id"]]
        g = shape(f["geometry"])
        for i, (r, iso2) in enumerate(zip(mine, countries[f["id"]], strict=True)):
            alpha3, numeric, name = {"IR": ("IRN", "364", "Iran"), "PK": ("PAK", "586", "Pakistan")}[iso2]
            assert r["event_id_cnty"] == f"{alpha3}{number}" and r["iso"] == numeric and r["country"] == name
            assert r["country_iso"] == iso2 and r["event_rows"] == str(len(mine))
            assert r["region"] == {"IR": "Middle East", "PK": "South Asia"}[iso2]
            pt = Point(float(r["longitude"]), float(r["latitude"]))
            assert g.buffer(1e-5).covers(pt), f["id"]  # on the event, within a metre
            land = unary_union([u for _, u in units[iso2]])
            assert land.contains(pt), (f["id"], iso2)  # strictly inside the row's country
            assert r["admin1"] == min(units[iso2], key=lambda u: u[1].distance(pt))[0]
            assert r["fatalities"] == ("" if i else str(f["properties"]["fatalities"] or "")), f["id"]
            assert wkt.loads(r["wkt"]).equals(g) and r["wkt_simplified_m"] == "0.0"
            assert r["event_date_partial"] == by_id[f["id"]]["properties"]["event_date"]
            assert r["geometry_type"] == g.geom_type and r["verified"] in ("true", "false")
    assert any(len(c) == 2 for c in countries.values())  # the fixture has a two-country event
    assert {(r["license"], r["data_version"]) for r in rows} == {("ODbL-1.0", DATA_VERSION)}


def test_real_events_csv_fits_spreadsheets_and_says_what_it_simplified() -> None:
    """Every WKT cell of the real events.csv fits Excel's 32,767-character cell and Python's csv
    field limit; a simplified one stays within its stated tolerance of the layer geometry."""
    data = (settings.LAYERS_DIR / "events.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(_io.StringIO(data)))  # the default 131,072 field limit must hold
    layer = {f["id"]: shape(f["geometry"]) for f in json.loads(
        (settings.LAYERS_DIR / "events.geojson").read_text(encoding="utf-8"))["features"]}
    simplified = 0
    for r in rows:
        assert len(r["wkt"]) <= 32_767, r["id"]
        g, written, tol_m = layer[r["id"]], wkt.loads(r["wkt"]), float(r["wkt_simplified_m"])
        if tol_m == 0:
            assert written.equals_exact(g, 1e-6), r["id"]
        else:
            simplified += 1
            assert geodesy.metres_at_most(g.hausdorff_distance(written)) <= tol_m, r["id"]
    assert simplified >= 1  # the border-wide events carry the 7,000-vertex border line


def test_export_is_deterministic(files: dict[str, bytes]) -> None:
    assert export.exports(good_layers(), claims=good_claims()) == files
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # not leaked


_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {tests!r})
from trust_fixtures import good_layers, good_claims
from geo.export import gpkg as export
files = export.exports(good_layers(), claims=good_claims())
print(hashlib.sha256(files["frontier.gpkg"]).hexdigest())
"""


def test_export_identical_across_processes_and_time() -> None:
    code = _SCRIPT.format(tests=str(Path(__file__).resolve().parents[1]))  # tests/ holds trust_fixtures
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=settings.ROOT)
    time.sleep(1.1)  # a wall-clock timestamp anywhere in the file would now differ
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=settings.ROOT)
    assert first.stdout == second.stdout and len(first.stdout.strip()) == 64


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1713916800")  # 2024-04-24T00:00:00Z
    data = export.gpkg_bytes({"markets": good_layers()["markets"]})
    p = tmp_path / "x.gpkg"
    p.write_bytes(data)
    with sqlite3.connect(p) as con:
        assert con.execute("SELECT last_change FROM gpkg_contents WHERE table_name='markets'").fetchone()[0] == \
            "2024-04-24T00:00:00.000Z"


def test_unknown_layer_inferred() -> None:
    fc: dict[str, Any] = {"type": "FeatureCollection", "name": "extra", "features": [
        {"type": "Feature", "id": "a", "properties": {"n": 1, "x": 1.5, "s": "t", "b": True},
         "geometry": {"type": "Point", "coordinates": [61.0, 28.0]}},
        {"type": "Feature", "id": "b", "properties": {"n": None, "x": 2, "s": None, "b": None},
         "geometry": {"type": "MultiPoint", "coordinates": [[61.0, 28.0]]}}]}
    plan = export.field_plan("extra", fc["features"])
    assert plan == [("id", "str", ""), ("n", "int", "n"), ("x", "float", "x"), ("s", "str", "s"), ("b", "bool", "b")]
    assert export.tables({"extra": fc})[0][:3] == ("extra", "extra", "point")
    assert export.gpkg_bytes({"extra": fc})[:16] == b"SQLite format 3\x00"


def test_real_gpkg_matches_geojson() -> None:
    """The committed GeoPackage holds every committed GeoJSON layer, feature for feature."""
    gp = settings.LAYERS_DIR / export.GPKG_NAME
    assert gp.exists(), "layers/frontier.gpkg missing: run geo build"
    listed = dict(pyogrio.list_layers(gp))
    for path in sorted(settings.LAYERS_DIR.glob("*.geojson")):
        fc = json.loads(path.read_text(encoding="utf-8"))
        for table, _, _, feats in export.tables({path.stem: fc}):
            assert table in listed, table
            info = pyogrio.read_info(gp, layer=table)
            assert info["features"] == len(feats) and info["crs"] == "EPSG:4326", table
            plan = export.field_plan(path.stem, feats)
            assert list(info["fields"]) == [p[0] for p in plan], table
            assert list(info["ogr_types"]) == [OGR_TYPE[p[1]] for p in plan], table
    df = pyogrio.read_dataframe(gp, layer="layer_styles", read_geometry=False)
    assert set(df["f_table_name"]) == {n for n, t in listed.items() if t is not None}
    head = gp.read_bytes()[:100]
    # an SQLite file whose application_id (offset 68) is "GPKG" and user_version (60) is 10200 (1.2)
    assert head[:16] == b"SQLite format 3\x00" and head[68:72] == b"GPKG"
    assert int.from_bytes(head[60:64], "big") == 10200


_QGIS_CHECK = r"""
import os, sqlite3, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsExpressionContextUtils, QgsRenderContext, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
gpkg = sys.argv[1]
tables = [r[0] for r in sqlite3.connect(gpkg).execute(
    "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")]
for t in tables:
    lyr = QgsVectorLayer(f"{gpkg}|layername={t}", t, "ogr")
    msg, loaded = lyr.loadDefaultStyle()
    r = lyr.renderer()
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(lyr))
    r.startRender(ctx, lyr.fields())
    drawn = 0
    for f in lyr.getFeatures():
        ctx.expressionContext().setFeature(f)
        drawn += bool(r.symbolsForFeature(f, ctx))
    r.stopRender(ctx)
    print(t, lyr.isValid(), loaded, r.type(), lyr.crs().authid(), drawn, lyr.featureCount(),
          bool(lyr.metadata().licenses()) and bool(lyr.metadata().rights()))
app.exitQgis()
"""


def test_qgis_opens_styled(gpkg: Path) -> None:
    """Optional (needs Debian's python3-qgis): QGIS opens every table with its default style from
    layer_styles, in EPSG:4326, with licence and rights in its layer metadata, and every feature
    matches a rule of that style."""
    qgis_python = Path("/usr/bin/python3")
    probe = subprocess.run([str(qgis_python), "-c", "import qgis.core"], capture_output=True, check=False) \
        if qgis_python.exists() else None
    if probe is None or probe.returncode != 0:
        pytest.skip("QGIS Python bindings not installed (apt-get install python3-qgis)")
    proc = subprocess.run([str(qgis_python), "-c", _QGIS_CHECK, str(gpkg)], capture_output=True, text=True,
                          check=False, timeout=300)
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip()]
    assert {r[0] for r in rows} == set(FEATURE_TABLES), proc.stdout + proc.stderr[-2000:]
    for name, valid, loaded, renderer, crs, drawn, count, licensed in rows:
        assert (valid, loaded, renderer, crs, licensed) == ("True", "True", "RuleRenderer", "EPSG:4326", "True"), name
        assert drawn == count, f"{name}: {drawn} of {count} features match a style rule"
