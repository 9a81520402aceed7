"""The layer catalog (geo/catalog.py) is the one list of layers: every stage reads it.

The ``toy_layer`` fixture adds a layer the way a contributor would (one ``Layer`` entry plus its
JSON Schema, and nothing else) and the tests show that validation, styles, the exports and the
build's file list take it up without any other edit.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyogrio
import pytest

from geo import catalog, io, pipeline, settings
from geo.build import layers as article_layers
from geo.build import seeds
from geo.check import command as validate
from geo.export import gpkg as export
from geo.export import styles

SCHEMAS = settings.ROOT / "geo" / "schemas"

TOY = catalog.Layer("wells", "Water wells (toy layer of the catalog test)", "point", "layers", "Wells", 640,
                    qgis_labels=True)
TOY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "id", "properties", "geometry"],
    "properties": {
        "type": {"const": "Feature"},
        "id": {"type": "string", "pattern": "^well-[a-z0-9-]+$"},
        "geometry": {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"enum": ["Point"]}}},
        "properties": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "state", "depth_m", "dug_date", "verified", "sources", "source_urls"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "description": "Name of the well."},
                "state": {"type": "string", "enum": ["dry", "wet"], "description": "Whether it holds water."},
                "depth_m": {"type": ["integer", "null"], "description": "Depth.", "unit": "m"},
                "dug_date": {"type": ["string", "null"], "format": "partial-date", "description": "When dug."},
                "verified": {"type": "boolean", "description": "The position has a source."},
                "sources": {"type": "string", "minLength": 1, "description": "Source ids."},
                "source_urls": {"type": "string", "description": "Source URLs."},
            },
        },
    },
}


@pytest.fixture
def toy_layer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> catalog.Layer:
    """The catalog with one more layer, ``wells``, and its schema (in a copy of geo/schemas/)."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    (schemas / TOY.schema_file).write_text(json.dumps(TOY_SCHEMA), encoding="utf-8")
    monkeypatch.setattr(catalog, "SCHEMAS_DIR", schemas)
    monkeypatch.setattr(catalog, "LAYERS", (*catalog.LAYERS, TOY))
    return TOY


def _well(fid: str = "well-kuh-1", **props: Any) -> dict[str, Any]:
    p = {"name": "Kuh well", "state": "wet", "depth_m": 12, "dug_date": "1998-05", "verified": True,
         "sources": "S1", "source_urls": "https://example.org/s1"}
    p.update(props)
    return io.feature(fid, p, {"type": "Point", "coordinates": [61.5, 27.5]})


def _wells(*feats: dict[str, Any]) -> dict[str, Any]:
    return io.collection("wells", list(feats) or [_well()], title=TOY.title, description="Wells.",
                         sources=["S1"], license="CC BY 4.0", attribution="this atlas")


# ---------------------------------------------------------------- the catalog itself


def test_names_unique_and_families_known() -> None:
    names = catalog.names()
    assert len(set(names)) == len(names)
    assert all(lyr.geometry in catalog.GEOMETRY_FAMILIES for lyr in catalog.LAYERS)
    assert {lyr.built_by for lyr in catalog.LAYERS} <= {"basemap", "layers"}
    panes = [lyr.map_pane for lyr in catalog.LAYERS]
    assert len(set(panes)) == len(panes), "two layers share a map pane z-index"


def test_every_layer_has_a_schema_and_every_schema_a_layer() -> None:
    shipped = {p.name for p in SCHEMAS.glob("*.json")}
    declared = {lyr.schema_file for lyr in catalog.LAYERS} | {catalog.CLAIMS_SCHEMA_FILE}
    assert shipped == declared


def test_committed_layers_carry_the_catalog_title() -> None:
    for lyr in catalog.LAYERS:
        fc = json.loads(lyr.path().read_text(encoding="utf-8"))
        assert fc["name"] == lyr.name
        assert fc["metadata"]["title"] == lyr.title, lyr.name


def test_enum_reads_the_schema_and_drops_null() -> None:
    raw = catalog.schema("pipeline")["properties"]["properties"]["properties"]["route_accuracy"]["enum"]
    assert None in raw
    assert catalog.enum("pipeline", "route_accuracy") == tuple(v for v in raw if v is not None)
    assert catalog.enum("claims", "verdict")[0] == "supported"
    with pytest.raises(KeyError):
        catalog.enum("places", "name")  # a field with no enumeration
    with pytest.raises(KeyError):
        catalog.enum("nowhere", "status")


def test_seed_enum_columns_allow_exactly_what_the_layer_schema_allows() -> None:
    """A seed value the schema would reject fails at reading time, with its row, not in validation."""
    tables = {v.filename: v for mod in (article_layers, seeds) for v in vars(mod).values()
              if isinstance(v, seeds.Table)}
    # (seed file, column) -> (layer, field) it is written to
    written = {("pipeline_waypoints.csv", "status"): ("pipeline", "status"),
               ("pipeline_segments.csv", "status"): ("pipeline", "status"),
               ("pipeline_segments.csv", "route_accuracy"): ("pipeline", "route_accuracy"),
               ("markets.csv", "status"): ("markets", "status"),
               ("crossings.csv", "status"): ("crossings", "status"),
               ("events.csv", "date_precision"): ("events", "date_precision"),
               ("claims.csv", "verdict"): ("claims", "verdict")}
    for (fname, column), (layer, field) in written.items():
        col = next(c for c in tables[fname].columns if c.name == column)
        assert col.type == "enum"
        assert col.choices == catalog.enum(layer, field), (fname, column)


def test_map_order_draws_by_pane() -> None:
    order = catalog.map_order()
    panes = [catalog.get(n).map_pane for n in order]
    assert panes == sorted(panes)
    assert set(order) == {lyr.name for lyr in catalog.LAYERS if lyr.on_map}


# ---------------------------------------------------------------- a new layer needs no other edit


def test_toy_layer_is_validated_against_its_schema(toy_layer: catalog.Layer) -> None:
    assert "wells" in catalog.names()
    assert catalog.enum("wells", "state") == ("dry", "wet")
    assert validate.validate_layers({"wells": _wells()}) == []
    bad = _wells(_well(state="flooded"), _well("well-b", dug_date="1998-13"),
                 _well("well-c", name="<b>x</b>"))
    problems = validate.validate_layers({"wells": bad})
    assert any(p.startswith("wells:well-kuh-1: schema: properties.state: 'flooded' is not one of") for p in problems)
    assert any(p.startswith("wells:well-b: schema: properties.dug_date:") for p in problems)
    assert any(p.startswith("wells:well-c: markup:") for p in problems)


def test_toy_layer_gets_the_collection_order_and_extent_rules(toy_layer: catalog.Layer) -> None:
    fc = _wells(_well())
    fc["name"] = "springs"
    fc["features"][0]["properties"] = dict(reversed(list(fc["features"][0]["properties"].items())))
    fc["features"][0]["geometry"]["coordinates"] = [27.5, 61.5]
    problems = validate.validate_layers({"wells": fc})
    rules = {p.split(": ")[1] for p in problems}
    assert {"collection", "property-order", "extent"} <= rules, problems


def test_toy_border_site_layer_gets_the_border_rules(monkeypatch: pytest.MonkeyPatch,
                                                     toy_layer: catalog.Layer) -> None:
    from dataclasses import replace

    from trust_fixtures import good_layers

    sites = replace(toy_layer, border_sites=True)
    monkeypatch.setattr(catalog, "LAYERS", (*catalog.LAYERS[:-1], sites))
    far = _wells(_well())
    far["features"][0]["geometry"]["coordinates"] = [64.5, 27.0]  # ~270 km east of the synthetic border
    base = {k: v for k, v in good_layers().items() if k in ("border", "provinces")}
    problems = validate.validate_layers({**base, "wells": far})
    assert any(p.startswith("wells:well-kuh-1: border-site: lies ") for p in problems), problems
    monkeypatch.setattr(catalog, "LAYERS", (*catalog.LAYERS[:-1], toy_layer))
    assert not any(":border-site:" in p or " border-site: " in p
                   for p in validate.validate_layers({**base, "wells": far}))


def test_toy_layer_files_are_found_by_name(toy_layer: catalog.Layer, tmp_path: Path) -> None:
    named = tmp_path / "wells.geojson"
    other = tmp_path / "renamed.geojson"
    for p in (named, other):
        p.write_text(io.dumps(_wells()), encoding="utf-8")
    layers, _ = validate.load_paths([other])
    assert list(layers) == ["wells"]  # from the collection's ``name``
    layers, _ = validate.load_paths([named])
    assert list(layers) == ["wells"]


def test_toy_layer_is_styled_from_its_geometry(toy_layer: catalog.Layer) -> None:
    qml = styles.style_qml("wells", _wells())
    assert qml is not None
    root = ET.fromstring(qml.split("\n", 1)[1])
    assert root.findtext("layerGeometryType") == "0"  # point
    assert root.find("labeling") is not None  # qgis_labels=True
    kinds = {s.get("type") for s in root.iter("symbol")}
    assert kinds == {"marker"}


def test_toy_layer_is_exported_with_schema_types(toy_layer: catalog.Layer, tmp_path: Path) -> None:
    files = export.exports({"wells": _wells()})
    assert set(files) == {"frontier.gpkg", "wells.qml", "wells.sld", "wells.parquet", "wells.fgb"}
    gpkg = tmp_path / "frontier.gpkg"
    gpkg.write_bytes(files["frontier.gpkg"])
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["wells", "layer_styles"]
    info = pyogrio.read_info(gpkg, layer="wells")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["depth_m"] == "int32"  # an integer with no bounds in its schema: Int32
    assert types["verified"] == "bool"
    assert types["dug_date_iso"] == "object"
    assert "dug_date" in types


def test_toy_layer_is_written_by_the_build(toy_layer: catalog.Layer, tmp_path: Path) -> None:
    build = pipeline.Build(layers={"wells": _wells()})
    out = pipeline.outputs(build, layers_dir=tmp_path / "layers", maps_dir=tmp_path / "maps", render=False)
    assert tmp_path / "layers" / "wells.geojson" in out
    assert tmp_path / "layers" / "wells.qml" in out


def test_catalog_imports_nothing_but_settings() -> None:
    """Every stage may import the catalog: it must not pull in another stage."""
    import ast

    tree = ast.parse((settings.ROOT / "geo" / "catalog.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    geo_mods = {m for m in imported if m == "geo" or m.startswith("geo.")}
    assert geo_mods <= {"geo"}
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "geo"
             for a in n.names}
    assert names <= {"settings"}
    assert not {m.split(".")[0] for m in imported} - {"__future__", "json", "dataclasses", "functools",
                                                      "importlib", "pathlib", "typing", "geo"}
