"""The pipeline layer: GEM's traced route (seeds/gem/P0452.geojson) split at the atlas's segment
ends, and a geodesic chord only where GEM traces nothing (South Pars field -> Asaluyeh).

Split points: every waypoint of a traced segment is projected onto the GEM route (the nearest
point of the route, found every gem.PROBE_STEP_KM); the border waypoint is where the route
crosses border-osm, snapped to the nearest vertex of border-osm so the segment ends exactly on the
border line. Between split points the GEM vertices are kept and joined by geodesics densified every
DENSIFY_STEP_KM, so what Leaflet draws is what was measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from geo import catalog, files, geodesy, io, settings
from geo.build import gem
from geo.build.common import GEOD, densify, line_length_km, rounded_coords, source_fields
from geo.build.seeds import PLACES, SEGMENTS, WAYPOINTS, seed_properties
from geo.errors import SeedError

#: Spacing of the vertices inserted along each geodesic pipeline leg.
DENSIFY_STEP_KM: float = 5.0
#: 1 MMcf (million cubic feet) in million cubic metres.
MCF_TO_M3: float = 0.028316846592
#: How far (km) a drawn route of each GEM accuracy class may stray: used to judge how far a land
#: segment may run over water. An atlas convention (GEM publishes the classes, not distances).
ROUTE_ACCURACY_KM: dict[str, float] = {"very high": 0.1, "high": 1.0, "medium": 2.5, "low": 5.0, "very low": 50.0}
#: Step (km) of the fine densification used to measure the length over water.
SEA_STEP_KM: float = 0.5


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


def over_water(coords: list[tuple[float, float]], land: Any) -> tuple[float, float]:
    """(km of the line outside ``land``, largest distance in km of such a part from the land)."""
    fine = LineString(densify(coords, SEA_STEP_KM))
    sea = fine.difference(land)
    if sea.is_empty:
        return 0.0, 0.0
    km = geodesy.length_m(sea) / 1000.0
    edge = land.boundary
    far = 0.0
    for part in getattr(sea, "geoms", [sea]):
        for x, y in part.coords:
            q = nearest_points(edge, Point(x, y))[0]
            far = max(far, GEOD.inv(x, y, q.x, q.y)[2] / 1000.0)
    return round(km, 3), round(far, 3)


def max_offset_km(coords: list[tuple[float, float]], route: list[tuple[float, float]]) -> float:
    """Largest distance (km) from a drawn vertex to the GEM route (nearest point, geodesic)."""
    line = LineString(route)
    far = 0.0
    for x, y in coords:
        q = nearest_points(line, Point(x, y))[0]
        far = max(far, GEOD.inv(x, y, q.x, q.y)[2] / 1000.0)
    return round(far, 3)


def build_pipeline(seeds: dict[str, Any], pos: dict[str, dict[str, Any]], base: Any,
                   gem_dir: Any = None, seeds_dir: Any = None) -> tuple[dict[str, Any], dict[str, list]]:
    src = seeds["sources"]
    wps = {w["id"]: w for w in seeds[WAYPOINTS.filename]}
    places = {p["id"]: p for p in seeds[PLACES.filename]}
    outline = base.admin1 or {**base.context, **base.provinces}
    land = shapely.union_all([io.shape(f["geometry"]) for f in outline.values()])
    routes: dict[str, list[tuple[float, float]]] = {}
    cuts: dict[tuple[str, str], gem.Cut] = {}
    notes: dict[str, str] = {}
    for s in seeds[SEGMENTS.filename]:
        pid = s["gem_project_id"]
        if s["route_source"] != "gem":
            continue
        where = f"{files.display(Path(seeds_dir or settings.SEEDS_DIR) / SEGMENTS.filename)} row {s['_row']}"
        if not pid:
            raise SeedError(f"{where}, column gem_project_id: a GEM-traced segment needs a ProjectID")
        route = routes.setdefault(pid, gem.load_route(pid, gem_dir))
        for w in s["waypoints"]:
            if (pid, w) in cuts:
                continue
            if wps[w]["kind"] == "border":
                cut, exact, metres = gem.crossing(route, base.border_coords)
                notes[w] = (f"{w}: where GEM {pid} crosses border-osm ({exact[0]:.5f} E {exact[1]:.5f} N), "
                            f"snapped to the nearest border-osm vertex ({metres:.0f} m away)")
            else:
                q = pos[wps[w]["place"]]
                cut = gem.project(route, q["lon"], q["lat"])
                notes[w] = (f"{w}: the point of GEM {pid} nearest {places[wps[w]['place']]['name']} "
                            f"({cut.distance_km:.1f} km from the town point)")
            cuts[(pid, w)] = cut
    ends: dict[str, tuple[float, float]] = {w: c.point for (_, w), c in cuts.items()}
    feats = []
    lines: dict[str, list[tuple[float, float]]] = {}
    for s in seeds[SEGMENTS.filename]:
        where = f"{files.display(Path(seeds_dir or settings.SEEDS_DIR) / SEGMENTS.filename)} row {s['_row']}"
        if len(s["waypoints"]) < 2:
            raise SeedError(f"{where}, column waypoints: need at least two")
        pid = s["gem_project_id"]
        if s["route_source"] == "gem":
            route = routes[pid]
            parts: list[tuple[float, float]] = []
            for a, b in zip(s["waypoints"], s["waypoints"][1:], strict=False):
                parts.extend(gem.between(route, cuts[(pid, a)], cuts[(pid, b)]))
            coords = rounded_coords(densify(parts, DENSIFY_STEP_KM))
            offset: float | None = max_offset_km(coords, route)
            gem_km: float | None = round(line_length_km(rounded_coords(parts)), 3)
            split = "; ".join(notes[w] for w in s["waypoints"])
        else:
            pts = [ends.get(w) or (pos[wps[w]["place"]]["lon"], pos[wps[w]["place"]]["lat"]) for w in s["waypoints"]]
            coords = rounded_coords(densify(pts, DENSIFY_STEP_KM))
            offset, gem_km = None, None
            split = "chord: geodesic between the waypoints (no traced route exists for this segment)"
        route_km = round(line_length_km(coords), 3)
        lines[s["id"]] = coords
        sea_km, sea_far = over_water(coords, land)
        known = s["length_known_km"]
        mmcfd, mcm = capacity_normalised(s["capacity_reported"], s["capacity_units"])
        props = seed_properties("pipeline", s, {
            "kind": "segment", "route_split": split,
            "capacity_mmcfd": mmcfd, "capacity_mcm_d": mcm,
            "length_route_km": route_km, "length_gem_km": gem_km,
            "wiggle_factor": round(known / route_km, 3) if known else None,
            "gem_max_offset_km": offset, "water_km": sea_km, "water_max_offshore_km": sea_far,
            "waypoints": ";".join(s["waypoints"]), **source_fields(s["sources"], src),
        })
        feats.append(io.feature(s["id"], props, {"type": "LineString", "coordinates": [list(c) for c in coords]}))
    fields = []
    for w in seeds[WAYPOINTS.filename]:
        if w["kind"] != "field":
            continue
        place = places[w["place"]]
        if w["status"] is None:
            raise SeedError(f"{files.display(Path(seeds_dir or settings.SEEDS_DIR) / WAYPOINTS.filename)} row {w['_row']}, "
                            "column status: a field needs a status")
        props = dict.fromkeys(catalog.property_names("pipeline"))
        props.update({
            "kind": "field", "name": w["name"], "status": w["status"], "status_date": w["status_date"],
            "status_source": w["status_source"], "status_note": w["status_note"], "route_note": place["location_note"],
            "countries": place["country_iso"], "waypoints": w["id"], **source_fields(w["sources"], src),
            "verified": place["verified"],
        })
        q = pos[w["place"]]
        fields.append(io.feature(w["id"].removeprefix("wp-"), props, {"type": "Point", "coordinates": [q["lon"], q["lat"]]}))
    prov = gem.provenance(gem_dir)
    fc = io.collection(
        "pipeline", fields + feats, title=catalog.get("pipeline").title,
        description="GEM-style segments from the South Pars field to Nawabshah. Land segments follow Global "
        "Energy Monitor's traced route P0452 (seeds/gem/, commit " + prov["files"]["P0452.geojson"]["commit"][:12]
        + "), split at Asaluyeh, Iranshahr, the border (snapped onto border-osm), Gwadar and Nawabshah; the "
        "offshore South Pars -> Asaluyeh link, which GEM does not trace, is a geodesic chord (route_source=chord). "
        "Status (GEM vocabulary) with date and source, known length (published) kept apart from the geodesic "
        f"length of the drawn route; vertices every {DENSIFY_STEP_KM:g} km along geodesics.",
        sources=sorted({x for r in seeds[SEGMENTS.filename] for x in r["sources"]} | {"GEM-ROUTES", "OSM-GEOMAPS"}),
    )
    return fc, lines
