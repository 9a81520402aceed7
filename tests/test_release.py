"""The release as GIS users take it: every file opens in GDAL 3.6 (ogrinfo), pyogrio and geopandas
without warnings; GeoParquet 1.1 metadata is right; the data package and CITATION.cff validate;
every output names the data version and its licence; styles list only the classes present."""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyogrio
import pytest

from geo import catalog, settings
from geo.export import datapackage, kml, styles
from geo.export import gpkg as export
from geo.version import DATA_VERSION

L = settings.LAYERS_DIR
ROOT = settings.ROOT
OGRINFO = shutil.which("ogrinfo")
CFFCONVERT = ROOT / ".cache" / "cffconvert" / "bin" / "cffconvert"


def _layer(name: str) -> dict[str, Any]:
    return json.loads((L / f"{name}.geojson").read_text(encoding="utf-8"))


def _ogrinfo(*args: str) -> subprocess.CompletedProcess[str]:
    assert OGRINFO, "ogrinfo missing: bash .ci/install --test installs Debian gdal-bin (GDAL 3.6)"
    return subprocess.run([OGRINFO, *args], capture_output=True, text=True, timeout=120, check=False)


# ---------------------------------------------------------------------------- version
def test_one_version_everywhere() -> None:
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in py["project"] and py["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "geo.version.DATA_VERSION"}
    assert re.fullmatch(r"20\d\d\.(0?[1-9]|1[0-2])\.\d+", DATA_VERSION)
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{DATA_VERSION}"' in cff
    assert f"## [{DATA_VERSION}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_geo_version_flag() -> None:
    proc = subprocess.run([sys.executable, "-m", "geo", "--version"], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert proc.returncode == 0 and proc.stdout.split()[-1] == DATA_VERSION


def test_version_and_licence_in_every_output() -> None:
    """Each generated file of layers/ names the data version and (data files) its licence."""
    seen = set()
    for name in catalog.names():
        lyr = catalog.get(name)
        fc = _layer(name)
        assert fc["metadata"]["data_version"] == DATA_VERSION and fc["metadata"]["license_id"] == lyr.license
        assert DATA_VERSION in fc["description"] and lyr.license in fc["description"]
        seen.add(f"{name}.geojson")
        import pyarrow.parquet as pq

        md = pq.read_schema(L / f"{name}.parquet").metadata
        assert md[b"data_version"].decode() == DATA_VERSION and lyr.license in md[b"license"].decode()
        seen.add(f"{name}.parquet")
        fmd = pyogrio.read_info(L / f"{name}.fgb")["layer_metadata"]
        assert fmd["DATA_VERSION"] == DATA_VERSION and fmd["LICENSE_ID"] == lyr.license
        seen.add(f"{name}.fgb")
        for ext in ("qml", "sld"):
            assert DATA_VERSION in (L / f"{name}.{ext}").read_text(encoding="utf-8"), (name, ext)
            seen.add(f"{name}.{ext}")
    claims = json.loads((L / "claims.json").read_text(encoding="utf-8"))
    assert claims["metadata"]["data_version"] == DATA_VERSION and claims["metadata"]["license_id"] == "CC-BY-4.0"
    seen.add("claims.json")
    with sqlite3.connect(L / export.GPKG_NAME) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE table_name != 'layer_styles'")]
    for t in tables:
        md = pyogrio.read_info(L / export.GPKG_NAME, layer=t)["layer_metadata"]
        assert md["DATA_VERSION"] == DATA_VERSION and md["LICENSE"], t
    seen.add(export.GPKG_NAME)
    kml_text = (L / kml.KML_NAME).read_text(encoding="utf-8")
    assert DATA_VERSION in kml_text and "ODbL" in kml_text
    seen.add(kml.KML_NAME)
    head = (L / "events.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].endswith(",license,data_version") and head[1].endswith(f",ODbL-1.0,{DATA_VERSION}")
    seen.add("events.csv")
    head = (L / catalog.ARTICLES_CSV).read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].endswith(",license,data_version") and head[1].endswith(f",CC-BY-4.0,{DATA_VERSION}")
    seen.add(catalog.ARTICLES_CSV)
    md = pq.read_schema(L / catalog.ARTICLES_PARQUET).metadata
    assert md[b"data_version"].decode() == DATA_VERSION and md[b"license_id"].decode() == "CC-BY-4.0"
    seen.add(catalog.ARTICLES_PARQUET)
    assert json.loads((L / datapackage.NAME).read_text(encoding="utf-8"))["version"] == DATA_VERSION
    seen.add(datapackage.NAME)
    generated = {p.name for p in L.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert generated == seen, f"outputs not checked: {sorted(generated - seen)}"


def test_gdal_reads_the_geojson_licence() -> None:
    """`ogrinfo -al -so layers/markets.geojson | grep -i licen` finds the licence (GDAL reads the
    top-level description member as the layer's DESCRIPTION)."""
    proc = _ogrinfo("-al", "-so", str(L / "markets.geojson"))
    lines = [ln for ln in proc.stdout.splitlines() if re.search("licen", ln, re.IGNORECASE)]
    assert lines and catalog.get("markets").license in lines[0] and DATA_VERSION in lines[0]


# ---------------------------------------------------------------------------- opening
def _release_files() -> list[Path]:
    return sorted([*L.glob("*.geojson"), *L.glob("*.fgb"), L / export.GPKG_NAME, L / kml.KML_NAME])


@pytest.mark.parametrize("path", _release_files(), ids=lambda p: p.name)
def test_gdal36_opens_without_warnings(path: Path) -> None:
    proc = _ogrinfo("-al", "-so", str(path))
    assert proc.returncode == 0, proc.stderr
    noise = [ln for ln in (proc.stderr + proc.stdout).splitlines() if re.match(r"(Warning|ERROR) \d", ln)]
    assert not noise, noise


def test_geopackage_is_1_2_with_geopackage_date_times() -> None:
    with sqlite3.connect(L / export.GPKG_NAME) as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        stamps = {r[0] for r in con.execute("SELECT update_time FROM layer_styles")}
        slds = [r[0] for r in con.execute("SELECT styleSLD FROM layer_styles")]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps)
    assert all(s.startswith("<?xml") and "StyledLayerDescriptor" in s for s in slds)


def _all_tables() -> list[tuple[Path, str | None]]:
    out: list[tuple[Path, str | None]] = [(L / export.GPKG_NAME, t) for t, _ in pyogrio.list_layers(L / export.GPKG_NAME)]
    out += [(p, None) for p in sorted([*L.glob("*.geojson"), *L.glob("*.fgb")])]
    out += [(L / kml.KML_NAME, t) for t, _ in pyogrio.list_layers(L / kml.KML_NAME)]
    return out


def test_geopandas_reads_everything_without_warnings() -> None:
    import geopandas as gpd

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path, layer in _all_tables():
            df = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
            assert len(df), (path.name, layer)
        for name in catalog.names():
            df = gpd.read_parquet(L / f"{name}.parquet")
            assert df.crs is not None and df.crs.equals("OGC:CRS84") and len(df) == len(_layer(name)["features"])


def test_every_date_field_is_typed_the_same_way() -> None:
    """A date X is a calendar date (GeoPackage DATE, Parquet date32) and X_iso text, in every layer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name in catalog.names():
        plan = export.field_plan(name, [])
        schema = pq.read_schema(L / f"{name}.parquet")
        for fname, kind, _ in plan:
            if kind == "date":
                assert schema.field(fname).type == pa.date32(), (name, fname)
                assert schema.field(f"{fname}_iso").type == pa.string(), (name, fname)


# ---------------------------------------------------------------------------- GeoParquet
@pytest.mark.parametrize("name", catalog.names())
def test_geoparquet_1_1_metadata(name: str) -> None:
    import geoparquet_validator as gpv
    import pyarrow.parquet as pq
    from shapely import from_wkb

    path = L / f"{name}.parquet"
    pf = pq.ParquetFile(path)
    geo = json.loads(pf.schema_arrow.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    col = geo["columns"]["geometry"]
    fc = _layer(name)
    assert col["encoding"] == "WKB"
    assert set(col["geometry_types"]) == {f["geometry"]["type"] for f in fc["features"]}
    assert col["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    table = pf.read()
    assert table.column("id").to_pylist() == [f["id"] for f in fc["features"]]
    geoms = [from_wkb(b) for b in table.column("geometry").to_pylist()]
    xs = [g.bounds[0] for g in geoms]
    assert table.column("bbox").combine_chunks().field("xmin").to_pylist() == xs
    report = gpv.check(str(path))
    assert gpv.conformant(report, "core"), gpv.failed(report)
    assert any(o["status"] == "pass" for o in report["outcomes"])


# ---------------------------------------------------------------------------- KML
def test_kml_story_has_names_dates_and_descriptions() -> None:
    folders = dict(pyogrio.list_layers(L / kml.KML_NAME))
    assert len(folders) == len(kml.KML_LAYERS)
    events = _layer("events")["features"]
    df = pyogrio.read_dataframe(L / kml.KML_NAME, layer=next(t for t in folders if "Events" in t))
    assert len(df) == len(events)
    assert df["Name"].notna().all() and df["description"].str.len().gt(0).all()
    dated = (df["timestamp"].notna() | df["begin"].notna()).tolist()
    days = [len(f["properties"]["event_date"]) == 10 for f in events]
    assert all(d for d, day in zip(dated, days, strict=True) if day)  # GDAL parses full dates as times
    root = ET.parse(L / kml.KML_NAME).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    whens = {pm.get("id"): pm.findtext("k:TimeStamp/k:when", namespaces=ns) or pm.findtext("k:TimeSpan/k:begin",
                                                                                          namespaces=ns)
             for pm in root.iterfind(".//k:Placemark", ns)}
    for f in events:  # partial dates kept as KML's gYear / gYearMonth
        assert whens[f["id"]] == f["properties"]["event_date"], f["id"]


# ---------------------------------------------------------------------------- data package
def _frictionless(pkg: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", str(pkg)],
                          capture_output=True, text=True, timeout=300, check=False, cwd=pkg.parent)
    return json.loads(proc.stdout)


def test_datapackage_is_valid_and_describes_every_layer() -> None:
    report = _frictionless(L / datapackage.NAME)
    assert report["valid"], [e["note"] for t in report["tasks"] for e in t["errors"]][:5]
    pkg = json.loads((L / datapackage.NAME).read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in pkg["resources"]}
    for name in [*catalog.names(), "claims"]:
        res = by_name[name]
        assert res["licenses"][0]["name"] == (catalog.get(name).license if name != "claims" else "CC-BY-4.0")
        assert res["sources"] and all(f["description"] for f in res["schema"]["fields"]), name
    paths = {r["path"] for r in pkg["resources"]}
    assert {p.name for p in L.iterdir() if p.suffix in (".geojson", ".parquet", ".fgb", ".gpkg", ".kml", ".csv")} | {
        "claims.json"} <= paths
    ev = {f["name"]: f for f in by_name["events"]["schema"]["fields"]}
    assert ev["geo_precision"]["constraints"]["enum"] == [1, 2, 3] and ev["fatalities"]["unit"] == "people"


def test_datapackage_checks_the_rows(tmp_path: Path) -> None:
    """Frictionless reads the rows: a package whose allowed values exclude a status present is invalid."""
    for p in L.iterdir():
        if p.is_file():
            shutil.copy(p, tmp_path / p.name)
    pkg = json.loads((L / datapackage.NAME).read_text(encoding="utf-8"))
    bad = copy.deepcopy(pkg)
    res = next(r for r in bad["resources"] if r["name"] == "markets")
    status = next(f for f in res["schema"]["fields"] if f["name"] == "status")
    status["constraints"]["enum"] = ["closed"]
    (tmp_path / datapackage.NAME).write_text(json.dumps(bad), encoding="utf-8")
    report = _frictionless(tmp_path / datapackage.NAME)
    assert not report["valid"]
    assert {e["type"] for t in report["tasks"] for e in t["errors"]} == {"constraint-error"}


def test_data_dictionary_in_sync() -> None:
    doc = (ROOT / datapackage.DICTIONARY).read_text(encoding="utf-8")
    assert doc == datapackage.dictionary_markdown(), "docs/data-dictionary.md is stale: python -m geo.export.datapackage"


def test_every_schema_property_is_described() -> None:
    for name in [*catalog.names(), "claims"]:
        props = catalog.fields(name)
        missing = [k for k, v in props.items() if not str(v.get("description", "")).strip()]
        assert not missing, (name, missing)
        assert all(isinstance(v.get("unit", ""), str) for v in props.values())


# ---------------------------------------------------------------------------- citation, licence
def test_citation_cff_is_valid() -> None:
    assert CFFCONVERT.exists(), "cffconvert missing: bash .ci/install --test makes .cache/cffconvert"
    proc = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_license_file_states_each_layers_licence() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    block = text.split("------", 1)[1]
    words = {"ODbL-1.0": "ODbL 1.0", "CC-BY-4.0": "CC BY 4.0", "PD-NaturalEarth": "Public domain"}
    paragraphs = re.split(r"\n  (?=\S)", block)
    for name in catalog.names():
        para = next(p for p in paragraphs if re.search(rf"\b{name}\b", p))
        assert para.startswith(words[catalog.get(name).license]), name


# ---------------------------------------------------------------------------- styles
@pytest.mark.parametrize("name", catalog.names())
def test_legends_list_only_classes_present(name: str) -> None:
    fc = _layer(name)
    root = ET.fromstring((L / f"{name}.qml").read_text(encoding="utf-8").split("\n", 1)[1])
    labels = [r.get("label") for r in root.iter("rule")]
    full = ET.fromstring(styles.style_qml(name, fc, only_present=False).split("\n", 1)[1])  # type: ignore[union-attr]
    assert len(labels) <= len(fc["features"]) and set(labels) <= {r.get("label") for r in full.iter("rule")}
    if name == "events":
        types = {f["properties"]["event_type"] for f in fc["features"]}
        assert {lab.split(":")[0] for lab in labels} == types
    # the SLD has the same classes, and its rules draw every feature exactly once
    sld = ET.fromstring((L / f"{name}.sld").read_bytes())
    ns = {"s": "http://www.opengis.net/sld", "o": "http://www.opengis.net/ogc"}
    assert [r.findtext("s:Title", namespaces=ns) for r in sld.iterfind(".//s:Rule", ns)] == labels
    ids = [lit.text for lit in sld.iterfind(".//o:Literal", ns)]
    assert sorted(ids) == sorted(f["id"] for f in fc["features"])


# ---------------------------------------------------------------------------- CLI
def test_validate_says_which_formats_it_checks() -> None:
    proc = subprocess.run([sys.executable, "-m", "geo", "validate", str(L / "markets.fgb")], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "checks GeoJSON only" in proc.stderr and "UTF-8" not in proc.stderr and proc.stderr.count("\n") == 1


def test_build_prints_sizes_in_bytes(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "geo", "build", "--no-map", "--layers", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    sizes = dict(re.findall(r"^(\S+) \(([\d,]+) bytes, \w+\)$", proc.stderr, re.MULTILINE))
    assert sizes
    for path, size in sizes.items():
        assert Path(path).stat().st_size == int(size.replace(",", "")), path


# ---------------------------------------------------------------------------- issue 19: licences
def _attr_rows(text: str, field: str) -> list[str]:
    return re.findall(rf"^  {field} \(String\) = (.*)$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("name", catalog.names())
def test_every_feature_keeps_licence_and_attribution_in_every_format(name: str, tmp_path: Path) -> None:
    """Formats without layer metadata keep only attributes: every feature of every layer carries
    its layer's SPDX licence and attribution in GeoJSON, GeoParquet, FlatGeobuf and the GeoPackage,
    and keeps them through `ogr2ogr -f "ESRI Shapefile"` and ogrinfo of GDAL 3.6 (which truncates
    field names to 10 characters and strings to 254 bytes)."""
    import pyarrow.parquet as pq

    lyr = catalog.get(name)
    fc = _layer(name)
    assert len(lyr.attribution.encode("utf-8")) <= 254, name
    for f in fc["features"]:
        assert (f["properties"]["license"], f["properties"]["attribution"]) == (lyr.license, lyr.attribution)
    table = pq.read_table(L / f"{name}.parquet", columns=["license", "attribution"]).to_pylist()
    assert table == [{"license": lyr.license, "attribution": lyr.attribution}] * len(fc["features"])
    fgb = _ogrinfo("-ro", "-al", "-geom=NO", str(L / f"{name}.fgb")).stdout
    assert _attr_rows(fgb, "license") == [lyr.license] * len(fc["features"])
    assert _attr_rows(fgb, "attribution") == [lyr.attribution] * len(fc["features"])
    ogr2ogr = shutil.which("ogr2ogr")
    assert ogr2ogr, "ogr2ogr missing: Debian gdal-bin"
    types = sorted({f["geometry"]["type"] for f in fc["features"]})
    seen = 0
    for t in types:  # a Shapefile holds one geometry type: split as a GIS user would
        out = tmp_path / f"{name}_{t}.shp"
        subprocess.run([ogr2ogr, "-f", "ESRI Shapefile", str(out), str(L / f"{name}.geojson"),
                        "-where", f"OGR_GEOMETRY='{t.upper()}'"], check=True, capture_output=True, timeout=120)
        text = _ogrinfo("-ro", "-al", "-geom=NO", str(out)).stdout
        n = sum(1 for f in fc["features"] if f["geometry"]["type"] == t)
        assert _attr_rows(text, "license") == [lyr.license] * n, (name, t)
        assert _attr_rows(text, "attributio") == [lyr.attribution] * n, (name, t)
        seen += n
    assert seen == len(fc["features"])
    with sqlite3.connect(L / export.GPKG_NAME) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type='features'")]
        for t in [t for t in tables if t == name or t.startswith(f"{name}_")]:
            rows = con.execute(f'SELECT DISTINCT license, attribution FROM "{t}"').fetchall()
            assert rows in ([], [(lyr.license, lyr.attribution)]), (name, t, rows)


def test_kml_placemarks_carry_licence_and_attribution() -> None:
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(L / kml.KML_NAME).getroot()
    marks = list(root.iterfind(".//k:Placemark", ns))
    assert marks
    for pm in marks:
        data = {d.get("name"): d.findtext("k:value", namespaces=ns) for d in pm.iterfind(".//k:Data", ns)}
        assert data.get("license") in catalog.LICENSES and data.get("attribution"), pm.get("id")
    text = _ogrinfo("-ro", "-al", "-geom=NO", str(L / kml.KML_NAME)).stdout  # as GDAL 3.6 reads it
    assert len(_attr_rows(text, "license")) == len(_attr_rows(text, "attribution")) == len(marks)


def test_one_odbl_extract_rule_for_every_layer() -> None:
    """docs/sources.md states the rule once, and every layer follows it: a layer is ODbL 1.0 exactly
    when it reuses OpenStreetMap-derived lines or areas (two or more border-osm vertices in one
    feature); the others take at most one border vertex per feature, under 100 in all."""
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert text.count(catalog.ODBL_EXTRACT_RULE) == 1
    osm = next(f for f in _layer("border")["features"] if f["id"] == "border-osm")
    vertices = {tuple(c) for c in osm["geometry"]["coordinates"]}

    def coords(x: Any) -> list[tuple[float, float]]:
        return [tuple(x)] if isinstance(x[0], (int, float)) else [c for y in x for c in coords(y)]

    points = 0
    for name in catalog.names():
        per = [sum(1 for c in coords(f["geometry"]["coordinates"]) if c in vertices)
               for f in _layer(name)["features"]]
        if name in ("border", "provinces", "admin1", "events"):
            assert catalog.get(name).license == "ODbL-1.0" and max(per) >= 2, name
        elif name != "context":
            assert catalog.get(name).license == "CC-BY-4.0" and max(per) <= 1, name
            assert "OpenStreetMap" in catalog.get(name).attribution, name
            points += sum(per)
    assert 0 < points < 100


def test_citation_licence_is_the_code_s_and_names_the_data_licences(tmp_path: Path) -> None:
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["license"] == "MIT"  # one identifier, never a list ("any one of")
    words = {"ODbL-1.0": set(), "CC-BY-4.0": set()}
    for lyr in catalog.LAYERS:
        if lyr.license in words:
            words[lyr.license].add(lyr.name)
    for spdx, names in words.items():
        sentence = cff["message"].split(spdx, 1)[1].split(";", 1)[0]
        assert all(re.search(rf"\b{n}\b", sentence) for n in names), (spdx, sentence)
    assert CFFCONVERT.exists(), "cffconvert missing: bash .ci/install --test makes .cache/cffconvert"
    proc = subprocess.run([str(CFFCONVERT), "-i", str(ROOT / "CITATION.cff"), "-f", "schema.org"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(proc.stdout)["license"] == "https://spdx.org/licenses/MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").count("SPDX-License-Identifier: MIT") == 1


def test_datapackage_hashes_every_file() -> None:
    """Every resource, the GeoParquet files and the claims ledger included, has the sha256 of its
    file (Frictionless does not check Parquet or JSON hashes itself, so this test does)."""
    import hashlib

    pkg = json.loads((L / datapackage.NAME).read_text(encoding="utf-8"))
    paths = set()
    for res in pkg["resources"]:
        data = (L / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), res["path"]
        paths.add(res["path"])
    assert {f"{n}.parquet" for n in catalog.names()} | {"claims.json"} <= paths


# ---------------------------------------------------------------------------- issue 19: events.csv
def test_events_csv_is_acled_shaped() -> None:
    """ACLED's columns first, event_date a full day, one coordinate pair, one country a row (an
    event in both countries has a row in each), numeric iso; each row's point joins its admin1 unit
    of its own country (geopandas sjoin on the admin1 layer)."""
    import csv as _csv

    import geopandas as gpd

    from geo.export import csv as csvexport

    rows = list(_csv.DictReader((L / "events.csv").open(encoding="utf-8")))
    header = list(rows[0])
    assert header[: len(csvexport.ACLED_COLUMNS)] == list(csvexport.ACLED_COLUMNS)
    assert "lon" not in header and "lat" not in header and len(header) == len(set(header))
    events = _layer("events")["features"]
    assert len(rows) == sum(len(f["properties"]["country_iso"].split(";")) for f in events)
    assert len({r["event_id_cnty"] for r in rows}) == len(rows)
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["event_date"]), r["event_id_cnty"]
        assert (r["country_iso"], r["iso"], r["country"]) in (("IR", "364", "Iran"), ("PK", "586", "Pakistan"))
        assert r["event_id_cnty"].startswith({"IR": "IRN", "PK": "PAK"}[r["country_iso"]])
        assert r["source"] and r["region"] and ";" not in r["country"] + r["iso"] + r["admin1"]
    two = [f["id"] for f in events if ";" in f["properties"]["country_iso"]]
    assert two and all(sorted(r["country_iso"] for r in rows if r["id"] == i) == ["IR", "PK"] for i in two)
    admin1 = gpd.read_file(L / "admin1.geojson")
    pts = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([float(r["longitude"]) for r in rows],
                                                             [float(r["latitude"]) for r in rows]), crs=admin1.crs)
    joined = gpd.sjoin(pts, admin1[["name", "country_iso", "geometry"]], how="left", predicate="intersects",
                       lsuffix="row", rsuffix="unit")
    for key, group in joined.groupby("event_id_cnty"):
        mine = group[group["country_iso_unit"] == group["country_iso_row"]]
        assert len(mine) == 1 and mine["name"].iloc[0] == mine["admin1"].iloc[0], key


# ---------------------------------------------------------------------------- issue 19: admin1
def test_admin1_tiles_both_countries_and_every_place_joins_one_unit() -> None:
    """No gap inside either country and no overlap (geodesic km², beyond the 6-decimal grid's
    slivers); lakes are inside their units (no unit has a hole another unit does not fill); every
    Iranian and Pakistani place of seeds/places.csv joins exactly one unit (geopandas sjoin), the
    places on the border line one in each country."""
    import geopandas as gpd
    import shapely
    import shapely.ops
    from pyproj import Geod
    from shapely.geometry import Polygon, shape

    geod = Geod(ellps="WGS84")

    def km2(g: Any) -> float:
        return abs(geod.geometry_area_perimeter(g)[0]) / 1e6

    units = {f["id"]: shape(f["geometry"]) for f in _layer("admin1")["features"]}
    for prefix in ("IR", "PK"):
        union = shapely.union_all([g for k, g in units.items() if k.startswith(prefix)])
        gaps = [Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
        assert sum(km2(g) for g in gaps) < 0.001, prefix
    for k, g in units.items():
        for p in getattr(g, "geoms", [g]):
            for r in p.interiors:  # a hole is another unit's enclave, never water left out
                hole = Polygon(r)
                assert any(o != k and o[:2] == k[:2] and units[o].intersection(hole).area > 0.99 * hole.area
                           for o in units), k
    ids = sorted(units)
    overlap = sum(km2(units[a].intersection(units[b])) for i, a in enumerate(ids) for b in ids[i + 1:]
                  if units[a].intersects(units[b]) and units[a].intersection(units[b]).area > 0)
    assert overlap < 0.001
    admin1 = gpd.read_file(L / "admin1.geojson")
    places = gpd.read_file(L / "places.geojson")
    joined = gpd.sjoin(places, admin1[["iso_3166_2", "geometry"]], how="left", predicate="intersects",
                       lsuffix="place", rsuffix="unit")
    admin0 = {f["id"]: shape(f["geometry"]) for f in json.loads(
        (ROOT / "seeds" / "basemap" / "ne_admin0.geojson").read_text(encoding="utf-8"))["features"]}
    offshore = []
    for pid, group in joined.groupby("id"):
        countries = str(group["country_iso"].iloc[0]).split(";")
        got = sorted(str(x)[:2] for x in group["iso_3166_2_unit"].dropna())
        pt = group.geometry.iloc[0]
        if "(offshore)" in str(group["feature_class"].iloc[0]):  # the South Pars field point: at sea
            assert not got, pid
            continue
        if not got and len(countries) == 1 and not admin0[{"IR": "IRN", "PK": "PAK"}[countries[0]]].covers(pt):
            # beyond every 1:10m coast the atlas has (Natural Earth admin-1 and admin-0): joins the one
            # unit of its country within 1 km (the coast's stated accuracy), and is listed in docs/methods.md
            near = [k for k, g in units.items() if k[:2] == countries[0] and geod.inv(
                pt.x, pt.y, *shapely.ops.nearest_points(g, pt)[0].coords[0])[2] < 1000]
            assert len(near) == 1, (pid, near)
            offshore.append(pid)
            continue
        assert got == sorted(countries), (pid, got)
    assert len(offshore) <= 1, offshore
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert all(p in methods for p in offshore)


def test_admin1_marks_the_disputed_territories() -> None:
    feats = {f["id"]: f["properties"] for f in _layer("admin1")["features"]}
    disputed = {k for k, p in feats.items() if p["disputed"]}
    assert disputed == {"PK-JK", "PK-GB"}
    for k in disputed:
        assert "Kashmir" in feats[k]["dispute_note"] and "India" in feats[k]["dispute_note"]
    assert all(p["dispute_note"] is None for k, p in feats.items() if k not in disputed)


def test_geopackage_dates_are_the_release_s() -> None:
    import yaml

    from geo.version import RELEASE_DATE

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["date-released"]) == RELEASE_DATE
    with sqlite3.connect(L / export.GPKG_NAME) as con:
        changes = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
    assert changes and all(c.startswith(RELEASE_DATE) for c in changes), changes
