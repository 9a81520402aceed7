"""Reproducible builds: `geo build` twice gives byte-identical layers/ and maps/ (GeoPackage
included), and the committed layers/ are exactly what seeds/ + code build (the CI stale check)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from trust_fixtures import RealBuild, tree_hashes

from geo import catalog, settings
from geo.export import csv as csvexport
from geo.export import gpkg as export

#: Generated files in layers/ (anything else there - a README, .gitkeep - is not compared).
GENERATED = ("*.geojson", "*.gpkg", "*.csv", "*.qml", "*.sld", "*.parquet", "*.fgb", "*.kml", "claims.json",
             "datapackage.json")


def _generated(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for pat in GENERATED for p in sorted(d.glob(pat)) if p.is_file()}


def test_build_twice_is_byte_identical(real_build: RealBuild) -> None:
    a = real_build("a")
    b = real_build("b")
    ha, hb = tree_hashes(*a), tree_hashes(*b)
    assert ha.keys() == hb.keys()
    differ = sorted(k for k in ha if ha[k] != hb[k])
    assert not differ, f"not reproducible: {differ}"
    names = set(ha)
    assert "layers/frontier.gpkg" in names and "layers/events.csv" in names
    assert {"layers/events.parquet", "layers/events.fgb", "layers/frontier-story.kml"} <= names
    assert any(n.startswith("maps/") and n.endswith(".html") for n in names)


def test_gpkg_has_no_wall_clock_time(real_build: RealBuild) -> None:
    layers, _ = real_build("a")
    with sqlite3.connect(layers / export.GPKG_NAME) as con:
        stamps = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
        styles = {r[0] for r in con.execute("SELECT update_time FROM layer_styles")}
    assert stamps == {export.EXPORT_TIMESTAMP}
    assert {s[:10] for s in styles} == {export.EXPORT_TIMESTAMP[:10]}


def test_committed_layers_are_fresh(real_build: RealBuild) -> None:
    """CI stale check: layers/ must equal a fresh build of seeds/ with this code, byte for byte."""
    built, _ = real_build("a")
    fresh = _generated(built)
    committed = _generated(settings.LAYERS_DIR)
    stale = sorted(n for n in fresh if committed.get(n) != fresh[n])
    orphans = sorted(set(committed) - set(fresh))
    if stale or orphans:
        detail = []
        if stale:
            detail.append("stale or missing: " + ", ".join(stale))
        if orphans:
            detail.append("not produced by the build any more: " + ", ".join(orphans))
        pytest.fail(f"layers/ is out of date ({'; '.join(detail)}); run `geo build` and commit layers/")
    # the comparison covered every output: each catalog layer, its style, the ledger and the exports
    expected = {lyr.file for lyr in catalog.LAYERS} | {lyr.style_file for lyr in catalog.LAYERS if lyr.styled}
    expected |= {catalog.CLAIMS_FILE, export.GPKG_NAME, csvexport.EVENTS_CSV}
    assert expected <= set(fresh), f"the build did not produce {sorted(expected - set(fresh))}"
