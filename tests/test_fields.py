"""One truth per field (issue 21): a property's JSON Schema entry (geo/schemas/) declares its seed
column, its place in the property order, its title and unit; the seed tables, the builders, the
exports, the data dictionary and the map's popup field list all follow it.

``test_new_field_is_the_csv_column_plus_the_schema_entry`` adds a field the way a contributor would
(a column in seeds/markets.csv and an entry in markets.schema.json, nothing else) in a copy of the
repository, runs ``geo build`` there and finds the field in every product.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import repo_copy

from geo import catalog
from geo.build import seeds
from geo.errors import GeoError
from geo.render import story

# ---------------------------------------------------------------- the schema drives the seed tables


def test_seed_columns_follow_the_schema() -> None:
    """Type from x-seed, required from nullability unless x-seed-check says so, choices from the enum,
    bounds from the schema (an integer enum gives them too)."""
    cols = {c.name: c for c in seeds.MARKETS.columns}
    status = catalog.fields("markets")["status"]
    assert cols["status"].type == "enum" and cols["status"].choices == tuple(status["enum"])
    assert cols["county_ir"].required is False  # nullable in the schema, no x-seed-check
    assert catalog.fields("markets")["name_pk"]["x-seed-check"] == {"required": True}
    assert cols["name_pk"].required is True
    assert (cols["geo_precision"].min, cols["geo_precision"].max) == (1, 3)  # from enum [1, 2, 3]
    diameter = {c.name: c for c in seeds.SEGMENTS.columns}["diameter_in"]
    assert (diameter.min, diameter.max, diameter.min_exclusive) == (1, 100, False)  # x-seed-check wins
    known = {c.name: c for c in seeds.SEGMENTS.columns}["length_known_km"]
    assert (known.min, known.min_exclusive) == (0, True)  # schema exclusiveMinimum
    # derived properties are not seed columns; seed-only columns keep their place in the CSV header
    assert "distance_to_border_km" not in cols
    assert seeds.MARKETS.names[:6] == ["id", "name", "name_pk", "name_ir", "place", "status"]
    assert seeds.MARKETS.names[-1] == "sources"


def test_every_seed_property_has_a_column_and_every_property_a_title() -> None:
    tables = {"markets": seeds.MARKETS, "crossings": seeds.CROSSINGS, "places": seeds.PLACES,
              "events": seeds.EVENTS, "pipeline": seeds.SEGMENTS, "claims": seeds.CLAIMS}
    for layer in [*catalog.names(), "claims"]:
        for name, spec in catalog.fields(layer).items():
            assert spec.get("title"), (layer, name)
            assert ("x-seed" in spec) != bool(spec.get("x-derived")), (layer, name)
            if "x-seed" in spec:
                assert name in tables[layer].names, (layer, name)


def test_a_seed_type_that_does_not_fit_the_schema_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = catalog.fields("markets")
    fields["geo_precision"] = {**fields["geo_precision"], "x-seed": "date"}
    monkeypatch.setattr(catalog, "fields", lambda name: fields)
    with pytest.raises(GeoError, match=r"markets.schema.json, property geo_precision: x-seed 'date' does not fit"):
        seeds.schema_column("markets", "geo_precision")


def test_seed_properties_orders_by_schema_and_refuses_undeclared_values() -> None:
    order = catalog.property_names("places")
    row = {name: f"v-{name}" for name, s in catalog.fields("places").items() if "x-seed" in s}
    row["lat"] = 27.0  # a seed-only column is not copied
    derived = {"source_urls": "https://example.org", "sources": "S1"}  # given out of order
    props = seeds.seed_properties("places", row, derived)
    assert list(props) == order
    assert props["name"] == "v-name" and props["sources"] == "S1" and "lat" not in props
    with pytest.raises(KeyError, match="does not declare as derived"):
        seeds.seed_properties("places", row, {**derived, "colour": "red"})
    with pytest.raises(KeyError, match="source_urls"):
        seeds.seed_properties("places", row, {"sources": "S1"})


def test_popup_fields_come_from_the_schema() -> None:
    fields = story.popup_fields("markets")
    names = [f["name"] for f in fields]
    spec = catalog.fields("markets")
    assert names == [n for n in spec if spec[n].get("x-map") is not False and n not in story.DROPPED_PROPERTIES]
    assert "name" not in names and "sources" not in names  # the heading and the source list show them
    dist = next(f for f in fields if f["name"] == "distance_to_border_km")
    assert dist == {"name": "distance_to_border_km", "title": spec["distance_to_border_km"]["title"], "unit": "km"}
    assert "unit" not in next(f for f in fields if f["name"] == "status")


# ---------------------------------------------------------------- adding a field: two hand edits

NEW = "area_acres"
NEW_SPEC = {
    "title": "Area of the market site",
    "type": ["number", "null"],
    "description": "Area of the market site as a source gives it (null when none does).",
    "minimum": 0,
    "unit": "acres",
    "x-seed": "float",
}
#: The Mand-Pishin market is "about 10 acres" (seeds/markets.csv notes, source S56).
VALUES = {"mkt-mand-pishin": "10"}


def _add_field(repo: Path) -> None:
    """The two hand edits: the CSV column (before ``sources``, where the schema order puts it) and the
    schema entry (after ``location_evidence``)."""
    path = repo / "seeds" / "markets.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    at = rows[0].index("sources")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0][:at], NEW, *rows[0][at:]])
    for r in rows[1:]:
        writer.writerow([*r[:at], VALUES.get(r[0], ""), *r[at:]])
    path.write_text(out.getvalue(), encoding="utf-8")
    spath = repo / "geo" / "schemas" / "markets.schema.json"
    sch = json.loads(spath.read_text(encoding="utf-8"))
    props = sch["properties"]["properties"]["properties"]
    items = list(props.items())
    at = [k for k, _ in items].index("location_evidence") + 1
    sch["properties"]["properties"]["properties"] = dict([*items[:at], (NEW, NEW_SPEC), *items[at:]])
    spath.write_text(json.dumps(sch, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _payload(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.DOTALL)
    assert m, "no atlas-data payload in the map"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


@pytest.mark.slow
def test_new_field_is_the_csv_column_plus_the_schema_entry(tmp_path: Path) -> None:
    repo = repo_copy.make(tmp_path / "repo")
    _add_field(repo)
    proc = repo_copy.geo(repo, "build", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    layers = repo / "layers"
    order = list(json.loads((repo / "geo" / "schemas" / "markets.schema.json").read_text(encoding="utf-8"))
                 ["properties"]["properties"]["properties"])
    assert order[order.index(NEW) - 1] == "location_evidence"

    # GeoJSON: in schema order, the value typed by the schema (a number), null where the cell is empty
    fc = json.loads((layers / "markets.geojson").read_text(encoding="utf-8"))
    got = {f["id"]: f["properties"] for f in fc["features"]}
    assert all(list(p) == order for p in got.values())
    assert got["mkt-mand-pishin"][NEW] == 10.0
    assert {p[NEW] for fid, p in got.items() if fid not in VALUES} == {None}

    # GeoPackage: a REAL column between location_evidence and sources
    with sqlite3.connect(layers / "frontier.gpkg") as db:
        cols = [(r[1], r[2]) for r in db.execute("PRAGMA table_info(markets)")]
        names = [c for c, _ in cols]
        assert names[names.index(NEW) - 1:names.index(NEW) + 2] == ["location_evidence", NEW, "sources"]
        assert dict(cols)[NEW] == "REAL"
        assert db.execute(f"SELECT {NEW} FROM markets WHERE id = 'mkt-mand-pishin'").fetchone() == (10.0,)

    # GeoParquet: a float64 column with the value
    table = pq.read_table(layers / "markets.parquet")
    assert str(table.schema.field(NEW).type) == "double"
    ids = table.column("id").to_pylist()
    assert table.column(NEW).to_pylist()[ids.index("mkt-mand-pishin")] == 10.0

    # Data Package (written by the build) and the data dictionary (generated from the schemas)
    pkg = json.loads((layers / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == "markets")
    field = next(f for f in res["schema"]["fields"] if f["name"] == NEW)
    assert field["unit"] == "acres" and field["type"] == "number"
    (repo / "docs").mkdir()
    gen = repo_copy.module(repo, "geo.export.datapackage")
    assert gen.returncode == 0, gen.stderr[-2000:]
    doc = (repo / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert f"| `{NEW}` | number, nullable | acres |" in doc

    # the map's payload lists it for the popup, with its title and unit, in schema order
    payload = _payload((repo / "maps" / "frontier.html").read_text(encoding="utf-8"))
    listed = payload["layers"]["markets"]["fields"]
    assert {"name": NEW, "title": NEW_SPEC["title"], "unit": "acres"} in listed
    names = [f["name"] for f in listed]
    assert names == [n for n in order if n in names]
    assert names[names.index(NEW) - 1] == "location_evidence"


def test_committed_layers_follow_their_schema_order() -> None:
    """Every layer in layers/ (basemap layers included) has its schema's properties in schema order."""
    from geo import settings

    for lyr in catalog.LAYERS:
        fc = json.loads(lyr.path(settings.LAYERS_DIR).read_text(encoding="utf-8"))
        order = catalog.property_names(lyr.name)
        assert all(list(f["properties"]) == order for f in fc["features"]), lyr.name
