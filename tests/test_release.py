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
    assert json.loads((L / datapackage.NAME).read_text(encoding="utf-8"))["version"] == DATA_VERSION
    seen.add(datapackage.NAME)
    generated = {p.name for p in L.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert generated == seen, f"outputs not checked: {sorted(generated - seen)}"


def test_gdal_reads_the_geojson_licence() -> None:
    """`ogrinfo -al -so layers/markets.geojson | grep -i licen` finds the licence (GDAL reads the
    top-level description member as the layer's DESCRIPTION)."""
    proc = _ogrinfo("-al", "-so", str(L / "markets.geojson"))
    lines = [ln for ln in proc.stdout.splitlines() if re.search("licen", ln, re.IGNORECASE)]
    assert lines and "ODbL" in lines[0] and DATA_VERSION in lines[0]


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
