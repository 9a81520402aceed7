"""Admin-1 layer: every province and territory of Iran and Pakistan (layers/admin1.geojson).

Source: Natural Earth 1:10m admin-1 (seeds/basemap/ne_admin1.geojson, every IRN and PAK unit),
made consistent with the atlas's own high-resolution outlines:

* Sistan and Baluchestan (IR-11) and Balochistan (PK-BA) are the polygons of
  layers/provinces.geojson, vertex for vertex, so the Iran–Pakistan edge is border-osm.
* Every other unit is its Natural Earth polygon minus the units already built (IR-11 and PK-BA
  first, then by ISO code), overlaid on the files' 6-decimal grid, so no two units overlap. Only
  IR-11 and PK-BA touch the Iran–Pakistan border, and their inner edges are Natural Earth's own
  edges, so the units meet without gaps; their coasts are Natural Earth's (1:10m).
* Natural Earth v4.1.0 still has the Federally Administered Tribal Areas; they were merged into
  Khyber Pakhtunkhwa in 2018 (25th Amendment) and ISO 3166-2 no longer lists them, so NE's
  F.A.T.A. polygon is part of PK-KP here.
"""

from __future__ import annotations

from typing import Any

import pycountry
import shapely

from geo import catalog, io, settings
from geo.build.seeds import seed_properties
from geo.errors import GeoError

#: Natural Earth admin-1 id (seeds/basemap/ne_admin1.geojson) -> ISO 3166-2 code.
NE_TO_ISO: dict[str, str] = {
    "IRN-Markazi": "IR-00", "IRN-Gilan": "IR-01", "IRN-Mazandaran": "IR-02", "IRN-East_Azarbaijan": "IR-03",
    "IRN-West_Azarbaijan": "IR-04", "IRN-Kermanshah": "IR-05", "IRN-Khuzestan": "IR-06", "IRN-Fars": "IR-07",
    "IRN-Kerman": "IR-08", "IRN-Razavi_Khorasan": "IR-09", "IRN-Esfahan": "IR-10",
    "IRN-Sistan_and_Baluchestan": "IR-11", "IRN-Kordestan": "IR-12", "IRN-Hamadan": "IR-13",
    "IRN-Chahar_Mahall_and_Bakhtiari": "IR-14", "IRN-Lorestan": "IR-15", "IRN-Ilam": "IR-16",
    "IRN-Kohgiluyeh_and_Buyer_Ahmad": "IR-17", "IRN-Bushehr": "IR-18", "IRN-Zanjan": "IR-19",
    "IRN-Semnan": "IR-20", "IRN-Yazd": "IR-21", "IRN-Hormozgan": "IR-22", "IRN-Tehran": "IR-23",
    "IRN-Ardebil": "IR-24", "IRN-Qom": "IR-25", "IRN-Qazvin": "IR-26", "IRN-Golestan": "IR-27",
    "IRN-North_Khorasan": "IR-28", "IRN-South_Khorasan": "IR-29", "IRN-Alborz": "IR-30",
    "PAK-Baluchistan": "PK-BA", "PAK-Northern_Areas": "PK-GB", "PAK-FCT": "PK-IS", "PAK-Azad_Kashmir": "PK-JK",
    "PAK-KP": "PK-KP", "PAK-FATA": "PK-KP", "PAK-Punjab": "PK-PB", "PAK-Sind": "PK-SD",
}
#: How the NE name of a unit differs from the name used here (English short names).
NAMES: dict[str, str] = {
    "PK-BA": "Balochistan", "PK-GB": "Gilgit-Baltistan", "PK-IS": "Islamabad Capital Territory",
    "PK-JK": "Azad Jammu and Kashmir", "PK-KP": "Khyber Pakhtunkhwa", "PK-SD": "Sindh",
}
#: The coordinate grid of the written files (settings.COORD_DECIMALS = 6).
GRID = 10.0 ** -settings.COORD_DECIMALS
#: ISO 3166-2's category for Azad Jammu and Kashmir (PK-JK) and Gilgit-Baltistan (PK-GB): both are
#: parts of the Kashmir region, disputed between India and Pakistan, that Pakistan administers.
DISPUTED_TYPE = "Pakistan administered area"
DISPUTE_NOTE = ("Disputed: part of the Kashmir region claimed by both India and Pakistan and administered by "
                "Pakistan; ISO 3166-2 lists it under PK as a 'Pakistan administered area', and this atlas files "
                "it under Pakistan as ISO does, without taking a position on the dispute.")
#: Units taken from layers/provinces.geojson unchanged.
FRONTIER = ("IR-11", "PK-BA")


#: Units whose bounding boxes are further apart than this (degrees; 100 grid cells, far more than
#: the half cell that snap-rounding on the grid can move a vertex) cannot change each other's overlay.
NEAR_PAD = 100 * GRID


def _boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float], pad: float) -> bool:
    return a[0] - pad <= b[2] and b[0] - pad <= a[2] and a[1] - pad <= b[3] and b[1] - pad <= a[3]


def fill_gaps(geoms: dict[str, Any], polygonal: Any) -> dict[str, list[Any]]:
    """Give every gap inside a country (a hole of the union of its units that no unit covers: where
    Natural Earth's and the OSM-derived outlines disagree) to the unit sharing the longest edge with
    it, a non-frontier unit when one touches it (IR-11 and PK-BA stay the provinces layer's, vertex
    for vertex). Changes ``geoms`` in place; returns unit -> the gaps it took."""
    taken: dict[str, list[Any]] = {}
    for prefix in ("IR", "PK"):
        mine = sorted(i for i in geoms if i.startswith(prefix))
        union = shapely.union_all([geoms[i] for i in mine], grid_size=GRID)
        holes = [shapely.geometry.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
        for hole in sorted(holes, key=lambda h: h.representative_point().coords[0]):
            edge = hole.exterior.buffer(GRID * 2)
            touching = [(shapely.intersection(geoms[i].boundary, edge).length, i) for i in mine
                        if geoms[i].distance(hole) <= GRID * 2]
            if not touching:
                continue
            candidates = [c for c in touching if c[1] not in FRONTIER] or touching
            _, best = max(candidates)
            geoms[best] = io.rounded(polygonal(shapely.union(geoms[best], hole, grid_size=GRID)))
            taken.setdefault(best, []).append(hole)
    return taken


def build_admin1(*, ne1: dict[str, Any], ne1_props: dict[str, dict[str, Any]], provinces: dict[str, Any],
                 polygonal: Any, area_km2: Any, source_fields: Any, osm_attr: str, ne_attr: str) -> dict[str, Any]:
    """The admin-1 FeatureCollection from the Natural Earth units ``ne1`` (shapely, by NE id) and the
    written provinces layer ``provinces`` (its IR-11 and PK-BA are reused)."""
    missing = sorted(k for k in NE_TO_ISO if k not in ne1)
    if missing:
        raise GeoError(f"seeds/basemap/ne_admin1.geojson: no feature {missing[0]!r}")
    # NE units per ISO code (FATA joins KP)
    units: dict[str, Any] = {}
    for ne_id, iso in NE_TO_ISO.items():
        units[iso] = ne1[ne_id] if iso not in units else units[iso].union(ne1[ne_id])
    prov = {f["id"]: f for f in provinces["features"]}
    geoms: dict[str, Any] = {}
    taken: dict[str, list[Any]] = {"IRN": [], "PAK": []}
    order = list(FRONTIER) + sorted(iso for iso in units if iso not in FRONTIER)
    for iso in order:
        a3 = "IRN" if iso.startswith("IR") else "PAK"
        if iso in FRONTIER:
            geom = io.shape(prov[iso]["geometry"])
        else:
            raw = units[iso]
            # overlay on the written grid (1e-6 degree), so rounding on writing cannot re-create overlaps
            # minus the units before it that come near it (bounding boxes within NEAR_PAD): the same
            # area as minus all of them, without growing one union of the whole country unit by unit
            near = [g for g in taken[a3] if _boxes_meet(raw.bounds, g.bounds, NEAR_PAD)]
            geom = io.rounded(polygonal(shapely.difference(raw, shapely.union_all(near), grid_size=GRID)))
        geoms[iso] = geom
        taken[a3].append(geom)
    gaps_filled = fill_gaps(geoms, polygonal)
    feats = []
    for iso in sorted(geoms):
        sub = pycountry.subdivisions.get(code=iso)
        if sub is None:
            raise GeoError(f"pycountry has no subdivision {iso}")
        ne_ids = sorted(k for k, v in NE_TO_ISO.items() if v == iso)
        country_iso = iso[:2]
        if iso in FRONTIER:
            derivation = ("layers/provinces.geojson, unchanged: Iran–Pakistan edge is border-osm; coast and "
                          "Afghanistan edge from the OSM-derived outline; other edges Natural Earth")
        else:
            derivation = ("Natural Earth 1:10m admin-1 polygon (edges and coast), minus IR-11 and PK-BA and the "
                          "units before it in ISO order (no overlap); its edge with IR-11 or PK-BA is Natural Earth's")
        if iso == "PK-KP":
            derivation += "; includes NE's F.A.T.A. (merged into Khyber Pakhtunkhwa in 2018)"
        if gaps_filled.get(iso):
            derivation += (f"; takes {len(gaps_filled[iso])} gap(s) no unit covered, "
                           f"{sum(area_km2(g) for g in gaps_filled[iso]):.1f} km² (on its longest shared edge)")
        name = NAMES.get(iso) or ne1_props[ne_ids[0]]["name"]
        feats.append(io.feature(iso, seed_properties("admin1", {}, {
            "name": name, "name_iso": sub.name, "type_iso": sub.type,
            "disputed": sub.type == DISPUTED_TYPE, "dispute_note": DISPUTE_NOTE if sub.type == DISPUTED_TYPE else None,
            "country": "Iran" if country_iso == "IR" else "Pakistan", "country_iso": country_iso,
            "iso_3166_2": iso, "ne_ids": ";".join(ne_ids), "area_km2": round(area_km2(geoms[iso]), 1),
            "edge_derivation": derivation,
            "source": "Natural Earth 1:10m admin-1 v4.1.0 + OSM-derived land outline; ISO codes from pycountry",
            "license": "ODbL 1.0 (contains OpenStreetMap-derived edges); Natural Earth parts public domain",
            "attribution": f"{osm_attr}; {ne_attr}",
            **source_fields(["NE-ADMIN1", "OSM-GEOMAPS"]),
        }), prov[iso]["geometry"] if iso in FRONTIER else geoms[iso]))
    return io.collection(
        "admin1", feats, title=catalog.get("admin1").title,
        description="Every ISO 3166-2 province/territory of Iran (31) and Pakistan (7), without overlaps, so every "
        "event joins to its province(s). IR-11 and PK-BA are the polygons of layers/provinces.geojson (their "
        "shared edge is border-osm). Areas are geodesic (WGS84).",
        sources=["NE-ADMIN1", "OSM-GEOMAPS"],
    )
