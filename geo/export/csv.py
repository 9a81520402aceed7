"""layers/events.csv: the events as one ACLED-shaped CSV (ACLED's columns first, one country a row, the
atlas's columns after, the geometry as WKT)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from geo import catalog, geodesy
from geo import io as geo_io
from geo.files import CSVWriter
from geo.version import DATA_VERSION

EVENTS_CSV = "events.csv"

#: Longest WKT cell written to events.csv: under Excel's 32,767-character cell limit and Python
#: csv's default field limit (131,072), so the file opens in the tools people use for CSV.
CSV_WKT_MAX_CHARS: int = 32_000
#: Simplification tolerances tried, in order, when a geometry's WKT is longer than that (metres).
CSV_WKT_TOLERANCES_M: tuple[float, ...] = (10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)


def csv_wkt(geom: Any) -> tuple[str, float]:
    """WKT of ``geom`` (6 decimals) and the simplification tolerance in metres (0 = exact) used to
    keep it under CSV_WKT_MAX_CHARS."""
    import shapely

    text = shapely.to_wkt(geom, rounding_precision=6, trim=True)
    for tol_m in CSV_WKT_TOLERANCES_M:
        if len(text) <= CSV_WKT_MAX_CHARS:
            break
        simpler = geodesy.simplify_within(geom, tol_m)
        text = shapely.to_wkt(simpler, rounding_precision=6, trim=True)
    else:
        tol_m = CSV_WKT_TOLERANCES_M[-1]
    if text == shapely.to_wkt(geom, rounding_precision=6, trim=True):
        return text, 0.0
    return text, tol_m


#: ACLED's export columns, in ACLED's order (ACLED Codebook, 2023-2024 exports); events.csv starts
#: with them and adds the atlas's own columns after. Columns the atlas does not code (associated
#: actors, actor and interaction codes, civilian targeting, admin2/3, tags) are present and empty.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
#: The atlas's columns after ACLED's (then any other layer property, then WKT, licence, version).
ATLAS_COLUMNS: tuple[str, ...] = (
    "id", "event_date_partial", "event_date_end", "date_precision", "display_date", "country_iso", "event_rows",
    "geometry_type", "geometry_basis", "article_paragraph", "article_start", "article_end", "article_quote",
    "verified", "sources", "source_urls", "attribution",
)
#: ACLED's region of each country (ACLED's region list: Iran is in "Middle East", Pakistan in "South Asia").
ACLED_REGION: dict[str, str] = {"IR": "Middle East", "PK": "South Asia"}
#: ACLED's disorder type of each event type (ACLED Codebook; riots can be either, so are left empty).
DISORDER_TYPE: dict[str, str] = {
    "Battles": "Political violence", "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence", "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# layer properties that events.csv writes under ACLED's or its own names, not again as extras
PLACED = {"event_date", "acled_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
           "actor2", "location", "admin1", "country_iso", "geo_precision", "latitude", "longitude", "fatalities",
           "notes", "source", "source_scale", "timestamp", "license", "attribution"}


def _country(alpha2: str) -> tuple[str, str, str]:
    """(ISO 3166-1 numeric, alpha-3, English short name) of ``alpha2`` (pycountry)."""
    import pycountry

    c = pycountry.countries.get(alpha_2=alpha2)
    if c is None:
        raise ValueError(f"unknown country code {alpha2!r}")
    return str(int(c.numeric)), c.alpha_3, {"IR": "Iran"}.get(alpha2, c.name)


def _point_on(geom: Any) -> Any:
    """ACLED's point of a geometry part: the point, the first of several, the middle of the longest
    line, a point inside an area (as the events layer's latitude/longitude)."""
    if geom.geom_type == "Point":
        return geom
    parts = list(getattr(geom, "geoms", [geom]))
    if geom.geom_type == "MultiPoint":
        return parts[0]
    lines = [g for g in parts if g.geom_type in ("LineString", "MultiLineString")]
    if lines and not any(g.geom_type in ("Polygon", "MultiPolygon") for g in parts):
        flat = [x for g in lines for x in getattr(g, "geoms", [g])]
        return max(flat, key=lambda x: x.length).interpolate(0.5, normalized=True)
    points = [g for g in parts if g.geom_type == "Point"]
    return geom.representative_point() if not points else points[0]


class _Units:
    """The admin-1 units of each country (from the admin1 layer), for a row's point and admin1."""

    def __init__(self, admin1: Mapping[str, Any] | None) -> None:
        from shapely import union_all

        self.units: dict[str, list[tuple[str, Any]]] = {}
        for f in (admin1 or {}).get("features", []):
            p = f.get("properties") or {}
            self.units.setdefault(str(p.get("country_iso")), []).append((str(p.get("name")), geo_io.shape(f["geometry"])))
        self.land = {c: union_all([g for _, g in u]) for c, u in self.units.items()}
        #: each country's land grown by 1e-6 degree, made once (a country-wide buffer is the
        #: costliest step of a row; every row of that country tests against the same one)
        self._near_land: dict[str, Any] = {}

    def near_land(self, iso2: str) -> Any:
        grown = self._near_land.get(iso2)
        if grown is None:
            from shapely import prepare

            grown = self._near_land[iso2] = self.land[iso2].buffer(1e-6)
            prepare(grown)  # many covers() tests against it: the answers are the same, only faster
        return grown

    def place(self, iso2: str, geom: Any, point: Any, admin1: str | None) -> tuple[Any, str]:
        """(the row's point, its admin1) for the part of ``geom`` in country ``iso2``: the event's own
        point when it lies in that country, else a point on the event's part there; admin1 is the
        country's unit nearest that point (the event's own admin1 when no admin1 layer is given)."""
        from shapely.geometry import Point
        from shapely.ops import nearest_points

        if iso2 not in self.land:
            return point, admin1 or ""
        land = self.land[iso2]
        if not self.near_land(iso2).covers(point):
            part = geom.intersection(land)
            if not part.is_empty:
                point = _point_on(part)
        name, unit = min(self.units[iso2], key=lambda u: (u[1].distance(point), u[0]))
        point = Point(round(point.x, 6), round(point.y, 6))
        if not unit.contains(point):  # on the border line (a border-wide event) or rounded across it:
            inner = unit.buffer(-3e-6)  # step inside the row's unit, by under a metre
            q = nearest_points(inner, point)[0]
            q = Point(round(q.x, 6), round(q.y, 6))
            if unit.contains(q):
                point = q
        return point, name


def events_csv(fc: Mapping[str, Any], admin1: Mapping[str, Any] | None = None) -> bytes:
    """Events as an ACLED-shaped CSV: ACLED's columns in ACLED's order (event_date a full day, the
    atlas's partial date in ``event_date_partial``; one coordinate pair; ``event_id_cnty``, numeric
    ``iso``, ``country``, ``region``, ``source``, ``source_scale``), one country per row (an event
    in both countries gets one row each, numbered alike: IRN7 and PAK7, ``event_rows`` = 2, each
    with a point and admin1 in its own country), then the atlas's columns, the geometry as WKT
    (simplified only when it would not fit a spreadsheet cell: ``wkt_simplified_m``), the row's
    licence (SPDX id) and the data version. Fatalities of a two-country event stay on its first
    country's row, so that a sum over rows counts them once."""
    from shapely.geometry import Point

    feats = list(fc.get("features", []))
    props = catalog.property_names("events")
    seen = {k for f in feats for k in (f.get("properties") or {})}
    extra = [k for k in props if k not in PLACED and k not in ATLAS_COLUMNS] + sorted(
        seen - set(props) - PLACED - set(ATLAS_COLUMNS))
    # the licence (SPDX id) and data version on every row: a CSV has no metadata, a header comment
    # breaks spreadsheets and most CSV readers, and a sidecar file gets lost when the CSV is copied
    spdx = str((fc.get("metadata") or {}).get("license_id") or catalog.get("events").license)
    attribution = str((fc.get("metadata") or {}).get("attribution") or catalog.get("events").attribution)
    units = _Units(admin1)
    cols = [*ACLED_COLUMNS, *ATLAS_COLUMNS, *extra, "wkt", "wkt_simplified_m", "license", "data_version"]
    buf = io.StringIO()
    w = CSVWriter(buf)  # formula-leading text gets OWASP's apostrophe (issue 20)
    w.writerow(cols)
    for number, f in enumerate(feats, 1):
        g = geo_io.shape(f["geometry"])
        p = dict(f.get("properties") or {})
        countries = [c for c in str(p.get("country_iso") or "").split(";") if c]
        own = Point(p["longitude"], p["latitude"]) if p.get("longitude") is not None else _point_on(g)
        text, tol_m = csv_wkt(g)
        for i, iso2 in enumerate(countries):
            numeric, alpha3, name = _country(iso2)
            pt, unit = units.place(iso2, g, own, p.get("admin1") if len(countries) == 1 else None)
            acled = {
                "event_id_cnty": f"{alpha3}{number}", "event_date": p.get("acled_date"), "year": p.get("year"),
                "time_precision": p.get("time_precision"),
                "disorder_type": DISORDER_TYPE.get(str(p.get("event_type")), ""),
                "event_type": p.get("event_type"), "sub_event_type": p.get("sub_event_type"),
                "actor1": p.get("actor1"), "actor2": p.get("actor2"), "iso": numeric,
                "region": ACLED_REGION.get(iso2, ""), "country": name, "admin1": unit,
                "location": p.get("location"), "latitude": round(pt.y, 6), "longitude": round(pt.x, 6),
                "geo_precision": p.get("geo_precision"), "source": p.get("source"),
                "source_scale": p.get("source_scale"), "notes": p.get("notes"),
                "fatalities": p.get("fatalities") if i == 0 else None, "timestamp": p.get("timestamp"),
            }
            atlas = {
                "id": f.get("id"), "event_date_partial": p.get("event_date"), "event_rows": len(countries),
                "country_iso": iso2, "geometry_type": g.geom_type, "attribution": p.get("attribution") or attribution,
            }
            row = [acled.get(k) for k in ACLED_COLUMNS]
            row += [atlas[k] if k in atlas else p.get(k) for k in ATLAS_COLUMNS]
            row += [p.get(k) for k in extra]
            row += [text, tol_m, spdx, DATA_VERSION]
            w.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _cell(v: Any) -> Any:
    return ("" if v is None else "true" if v is True else "false" if v is False
            else ";".join(map(str, v)) if isinstance(v, list) else _num(v) if isinstance(v, float) else v)


def _num(x: float) -> str:
    return repr(x + 0.0)


def articles_csv(rows: list[dict[str, Any]]) -> bytes:
    """The articles table as CSV: the columns of geo/schemas/articles.json, in that order (empty =
    null), then each row's licence (SPDX id) and the data version, as in events.csv."""
    cols = catalog.property_names(catalog.ARTICLES_TABLE)
    buf = io.StringIO()
    w = CSVWriter(buf)  # formula-leading text gets OWASP's apostrophe, as in events.csv
    w.writerow([*cols, "license", "data_version"])
    for r in rows:
        w.writerow(["" if r.get(c) is None else r[c] for c in cols] + [catalog.ARTICLES_LICENSE, DATA_VERSION])
    return buf.getvalue().encode("utf-8")
