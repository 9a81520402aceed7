"""The events layer: one geometry per event from its geometry_basis, ACLED-compatible columns
(acled_date, year, time_precision, latitude, longitude, timestamp) and the article span."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point

from geo import catalog, dates, files, io, settings
from geo.build.article import locate
from geo.build.common import geodesic_circle, nearest_vertex, source_fields
from geo.build.seeds import EVENTS, seed_properties
from geo.errors import SeedError

#: The coordinate grid of the written files.
GRID = 10.0 ** -settings.COORD_DECIMALS


def _src(ids: list[str], sources: Any) -> dict[str, str]:
    return source_fields(ids, sources)


# --- events ---------------------------------------------------------------------------------


def event_geometry(basis: str, radius_km: float | None, *, base: Any, pos: dict[str, dict[str, Any]],
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
    if kind == "province":
        return base.polygon(kind, rest, where=where)
    if kind == "country":
        return base.country(rest, where=where)
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
        province = base.polygon("province", prov, where=where)
        area = snap_to_vertices(io.rounded(circle.intersection(province)), province)
        if area.is_empty:
            raise SeedError(f"{where}, column geometry_basis: area does not overlap province {prov}")
        return area
    raise SeedError(
        f"{where}, column geometry_basis: {basis!r} is not one of border | place:<id> | places:<id;id> | "
        "province:<iso> | country:<iso3> | pipeline:<id;id> | area:<place>:<province>"
    )


def snap_to_vertices(area: Any, province: Any) -> Any:
    """``area`` (clipped to ``province``) with every vertex that lies on the province's edge but is not
    one of its vertices moved to the nearest province vertex: a point between two vertices cannot
    be written exactly on the edge (6 decimals), and would leave a sliver across it."""
    from shapely.geometry import MultiPolygon, Polygon

    edge = province.boundary
    pv = np.asarray([c for ring in _rings(province) for c in ring.coords])
    known = {tuple(c) for c in pv}

    def fix(ring: Any) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for x, y in ring.coords:
            if (x, y) not in known and edge.distance(Point(x, y)) < 2 * GRID:
                x, y = nearest_vertex(pv, x, y)
            if not out or out[-1] != (x, y):
                out.append((x, y))
        return out

    polys = [Polygon(fix(p.exterior), [fix(r) for r in p.interiors]) for p in getattr(area, "geoms", [area])]
    fixed = shapely.make_valid(MultiPolygon(polys) if len(polys) > 1 else polys[0])
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _rings(geom: Any) -> list[Any]:
    return [r for p in getattr(geom, "geoms", [geom]) for r in (p.exterior, *p.interiors)]


def representative_point(geom: Any) -> Any:
    """ACLED's latitude/longitude of an event: the point itself, the first of several points, the
    middle of a line (by length), a point inside an area (shapely point_on_surface)."""
    g = io.rounded(geom)
    if g.geom_type == "Point":
        return g
    if g.geom_type == "MultiPoint":
        return g.geoms[0]
    if g.geom_type in ("LineString", "MultiLineString"):
        line = g if g.geom_type == "LineString" else max(g.geoms, key=lambda x: x.length)
        return line.interpolate(0.5, normalized=True)
    return g.representative_point()


def build_events(seeds: dict[str, Any], base: Any, pos: dict[str, dict[str, Any]], pipe: dict[str, list],
                 article: dict[str, Any], seeds_dir: Any = None) -> dict[str, Any]:
    src = seeds["sources"]
    paragraphs = article["paragraphs"]
    feats = []
    rows = sorted(seeds[EVENTS.filename], key=lambda r: (r["event_date"], r["id"]))
    seeds_file = files.display(Path(seeds_dir or settings.SEEDS_DIR) / EVENTS.filename)  # the file in use
    for r in rows:
        where = f"{seeds_file} row {r['_row']}"
        start, end = locate(paragraphs, r["article_paragraph"], r["article_quote"], where=where)
        if r["date_precision"] == "range" and not r["event_date_end"]:
            raise SeedError(f"{where}, column event_date_end: date_precision range needs an end date")
        if r["event_date_end"] and r["event_date_end"] < r["event_date"]:
            raise SeedError(f"{where}, column event_date_end: ends before it starts")
        geom = event_geometry(r["geometry_basis"], r["area_radius_km"], base=base, pos=pos, pipe=pipe, where=where)
        day, tprec = dates.acled_date(r["event_date"], r["event_date_end"])
        rep = representative_point(geom)
        basis = r["geometry_basis"]
        if basis.startswith("area:"):
            basis = f"{basis}:{r['area_radius_km']:g}km"
        props = seed_properties("events", r, {
            "acled_date": day, "year": int(day[:4]), "time_precision": tprec,
            "latitude": round(rep.y, 6), "longitude": round(rep.x, 6),
            "geometry_basis": basis, "article_start": start, "article_end": end,
            **_src(r["sources"], src), "timestamp": dates.unix_time(day),
        })
        feats.append(io.feature(r["id"], props, geom))
    return io.collection(
        "events", feats, title=catalog.get("events").title,
        description="Every event the article reports, linked to its words (article_paragraph, article_start, "
        "article_end into seeds/article.txt paragraphs), with ACLED-style geo_precision (1 town, 2 near a town "
        "or part of a district, 3 province/border-wide) and date_precision. Geometry: a town point, town "
        "points, the pipeline route, the border line (border-osm), a country polygon, or an uncertainty area.",
        sources=sorted({s for r in rows for s in r["sources"]}),
    )
