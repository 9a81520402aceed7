"""Tiny synthetic layers following docs/design.md, for the validate/export/bad-input tests.

Geometry is schematic (a five-vertex border near 61-62 E) but every rule of `geo validate`
passes on it: the tests then break one thing at a time.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point, Polygon

from geo import catalog, io, release

SRC = {"sources": "S1", "source_urls": "https://example.org/s1"}
BORDER = [(61.0, 29.8), (61.5, 29.0), (62.0, 28.3), (61.8, 27.2), (61.6, 25.2)]
IR11 = Polygon(BORDER + [(58.5, 25.3), (58.5, 29.9)])
PKBA = Polygon(BORDER + [(66.0, 25.0), (66.0, 30.0)])
META: dict[str, Any] = {"title": "t", "description": "d", "sources": ["S1"], "license": "ODbL",
                        "attribution": "© OpenStreetMap contributors"}


def _border() -> dict[str, Any]:
    common = {
        "country_a_iso": "IR", "country_b_iso": "PK",
    }
    feats = []
    for fid, kind, variant, geom in [
        ("border-osm", "boundary", "osm_10m", LineString(BORDER)),
        ("border-ne10m", "boundary", "natural_earth_10m", LineString([(61.01, 29.8), (62.0, 28.31), (61.6, 25.21)])),
        ("border-bridge-1", "bridged_stretch", "bridge", LineString(BORDER[1:3])),
    ]:
        feats.append(io.feature(fid, {
            "kind": kind, "name": "Iran-Pakistan border", **common, "variant": variant, "length_km": 600.5,
            "vertex_count": len(geom.coords), "resolution": "~10 m", "published_length_km_factbook": 959.0,
            "published_length_source_factbook": "S2", "published_length_km_older": 909.0,
            "published_length_source_older": "S3", "bridged_km": 13.6, "bridges": "3 gaps bridged",
            "method": "shared vertices", "source": "OSM", "license": "ODbL",
            "attribution": "© OpenStreetMap contributors", **SRC}, geom))
    return io.collection("border", feats, **META)


def _province(fid: str, name: str, country: str, iso: str, geom: Polygon) -> dict[str, Any]:
    return io.feature(fid, {
        "name": name, "name_local": None, "name_iso": name, "country": country, "country_iso": iso, "iso_3166_2": fid,
        "capital": "X", "area_km2": 100000.0, "area_km2_published": None, "area_source": None,
        "edge_derivation": "border edge from border-osm", "source": "NE", "license": "public domain",
        "attribution": "Natural Earth", **SRC}, geom)


def _admin1(fid: str, name: str, country: str, iso: str, geom: Polygon) -> dict[str, Any]:
    return io.feature(fid, {
        "name": name, "name_iso": name, "type_iso": "Province", "disputed": False, "dispute_note": None,
        "country": country, "country_iso": iso,
        "iso_3166_2": fid, "ne_ids": "NE-" + fid, "area_km2": 100000.0, "edge_derivation": "provinces layer",
        "source": "NE", "license": "public domain", "attribution": "Natural Earth", **SRC}, geom)


def _site(name: str, status: str, dist: float | None) -> dict[str, Any]:
    return {"name": name, "name_pk": "A", "name_ir": "B", "status": status, "status_date": "2024-04",
            "opened_date": None, "agreed_date": "2023-05-18", "district_pk": "Kech", "county_ir": "Rask",
            "geo_precision": 2, "verified": False, "location_note": "near the border", "distance_to_border_km": dist,
            "source_distance_to_border_km": None, "border_flag": False, "notes": None, **SRC,
            "article_ids": "test-article"}


def _event(date: str, prec: str, basis: str, admin1: str | None, country: str | None) -> dict[str, Any]:
    quote = "Iran struck"
    return {"article_id": "test-article", "event_date": date, "event_date_end": None, "date_precision": prec, "display_date": "16 January 2024",
            "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "actor1": "Iran",
            "actor2": None, "location": "Panjgur", "admin1": admin1, "country_iso": country, "geo_precision": 2,
            "geometry_basis": basis, "fatalities": 2, "article_paragraph": 3, "article_start": 10,
            "article_end": 10 + len(quote), "article_quote": quote, "notes": None, "verified": True, **SRC,
            "source": "Dawn", "source_scale": "National"}


def good_layers() -> dict[str, dict[str, Any]]:
    """A fresh copy of the synthetic layers (every catalog layer)."""
    pipe_props = {
        "kind": "segment", "name": "IP gas pipeline", "segment": "Iranshahr-border", "status": "construction",
        "status_date": "2024", "status_source": "S4", "status_note": "Iran says complete: a claim, not verified",
        "route_accuracy": "low", "route_method": "waypoints", "route_note": None, "diameter_in": 56.0,
        "diameter_source": "S4", "capacity_reported": 750.0, "capacity_units": "mmcfd", "capacity_mmcfd": 750.0,
        "capacity_mcm_d": 21.2, "capacity_source": "S4", "length_known_km": 250.0, "length_known_source": "S4",
        "length_route_km": 120.0, "wiggle_factor": 1.1, "countries": "IR", "start_location": "Iranshahr",
        "end_location": "border", "waypoints": "wp-1;wp-2", **SRC, "verified": False}
    pipe2 = dict(pipe_props, segment="border-Gwadar", countries="PK", status="proposed")
    field = dict(pipe_props, kind="field", name="South Pars", segment=None, route_accuracy=None, countries="IR")
    layers = {
        "border": _border(),
        "provinces": io.collection("provinces", [
            _province("PK-BA", "Balochistan", "Pakistan", "PK", PKBA),
            _province("IR-11", "Sistan and Baluchestan", "Iran", "IR", IR11),
        ], **META),
        "admin1": io.collection("admin1", [
            _admin1("IR-11", "Sistan and Baluchestan", "Iran", "IR", IR11),
            _admin1("PK-BA", "Balochistan", "Pakistan", "PK", PKBA),
        ], **META),
        "context": io.collection("context", [
            io.feature("IRN", {"name": "Iran", "iso_a3": "IRN", "iso_a2": "IR", "role": "focus", "label_lon": 54.0,
                               "label_lat": 32.0, "source": "NE", "license": "public domain", **SRC},
                       Polygon(BORDER + [(44.0, 25.0), (44.0, 39.0), (61.0, 37.0)])),
            io.feature("PAK", {"name": "Pakistan", "iso_a3": "PAK", "iso_a2": "PK", "role": "focus",
                               "label_lon": 69.0, "label_lat": 30.0, "source": "NE", "license": "public domain", **SRC},
                       Polygon(BORDER + [(70.0, 23.0), (76.0, 36.0)])),
        ], **META),
        "pipeline": io.collection("pipeline", [
            io.feature("pipe-iranshahr-border", pipe_props, LineString([(60.7, 27.2), (61.3, 27.25), (61.8, 27.2)])),
            io.feature("pipe-border-gwadar", pipe2, LineString([(61.8, 27.2), (62.3, 25.2)])),
            io.feature("south-pars", field, Point(52.6, 26.6)),
        ], **META),
        "markets": io.collection("markets", [
            io.feature("mkt-mand-pishin", _site("Mand-Pishin", "operating", None), Point(61.82, 27.3)),
        ], **META),
        "crossings": io.collection("crossings", [
            io.feature("xing-taftan-mirjaveh", _site("Taftan-Mirjaveh", "open", None), Point(61.49, 29.02)),
        ], **META),
        "places": io.collection("places", [
            io.feature("gn-1176615", {"name": "Gwadar", "name_alt": None, "country_iso": "PK", "admin1": "Balochistan",
                                      "iso_3166_2": "PK-BA", "geonames_id": 1176615, "population": 51901,
                                      "feature_class": "P", "role": "port", "in_article": True, "verified": True,
                                      "location_note": "GeoNames", **SRC, "article_ids": "test-article"},
                       Point(62.32, 25.2)),
            io.feature("pl-zahedan", {"name": "Zahedan", "name_alt": None, "country_iso": "IR", "admin1": None,
                                      "iso_3166_2": "IR-11", "geonames_id": None, "population": None,
                                      "feature_class": "P", "role": "capital", "in_article": False, "verified": True,
                                      "location_note": "GeoNames", **SRC, "article_ids": None},
                       Point(60.86, 29.5)),
        ], **META),
        "events": io.collection("events", [
            io.feature("ev-2024-01-16-iran-strike", _event("2024-01-16", "day", "place:pl-x", "Balochistan", "PK"),
                       Point(64.1, 26.96)),
            io.feature("ev-2024-01-18-pakistan-strike", _event("2024-01-18", "day", "province:IR-11", None, "IR"),
                       IR11),
            io.feature("ev-2024-04-fence", _event("2024-04", "month", "border", None, "IR;PK"),
                       LineString(BORDER[:3])),
        ], **META),
    }
    # every feature carries its layer's licence (SPDX) and attribution, as the build stamps them
    for name, fc in layers.items():
        lyr = catalog.get(name)
        fc["features"] = [release.stamp_feature(f, lyr.license, lyr.attribution) for f in fc["features"]]
        for f in fc["features"]:  # article_ids follows the licence in the schemas' order
            if "article_ids" in f["properties"]:
                f["properties"]["article_ids"] = f["properties"].pop("article_ids")
    return copy.deepcopy(layers)


def good_claims() -> dict[str, Any]:
    quote = "959 km"
    return {"name": "claims", "metadata": {"title": "Claims", "description": "d", "license": "CC BY 4.0"},
            "claims": [{
        "id": "cl-border-length", "article_id": "test-article", "topic": "border", "article_paragraph": 2, "article_start": 5,
        "article_end": 5 + len(quote), "article_quote": quote, "claim": "The border is 959 km long",
        "what_sources_say": "Factbook: 959 km", "verdict": "partly supported", "measured_value": 900.1,
        "measured_unit": "km", "measured_note": "geodesic", "feature_ids": ["border-osm"], **SRC}]}


# ---------------------------------------------------------------- real builds (fixture real_build: conftest.py)

#: The ``real_build`` fixture: ``real_build(tag)`` -> (layers dir, maps dir) of a fresh real build.
RealBuild = Callable[..., tuple[Path, Path]]


def tree_hashes(*dirs: Path) -> dict[str, str]:
    """sha256 of every file under ``dirs`` (relative name -> hex digest)."""
    out = {}
    for d in dirs:
        for p in sorted(d.rglob("*")) if d.exists() else []:
            if p.is_file():
                out[f"{d.name}/{p.relative_to(d)}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def memoise_basemap() -> Any:
    """Memoise geo.build.basemap.build_base_layers by the bytes of the extracts (and the sources),
    while the generator is suspended (the ``memo_basemap`` fixture of conftest.py)."""
    from geo.build import basemap

    real = basemap.build_base_layers
    cache: dict[str, Any] = {}

    def memo(bdir: Path, *args: Any, **kwargs: Any) -> Any:
        h = hashlib.sha256(repr(sorted(kwargs.get("sources", {}) or {})).encode())
        for f in sorted(Path(bdir).glob("*")):
            # a FIFO or device is named, never read, here: the code under test must refuse it
            h.update(f.name.encode() + (f.read_bytes() if f.is_file() else b"\0special"))
        key = h.hexdigest()
        if key not in cache:
            cache[key] = real(bdir, *args, **kwargs)
        return copy.deepcopy(cache[key])

    basemap.build_base_layers = memo
    yield
    basemap.build_base_layers = real
