"""Rules between layers: provinces meet the border and do not overlap, border sites lie on the
border, places and events lie in the area they name, the pipeline crosses the border once.

Distances are geodesic (geo/geodesy.py). Planar degree distances bound metres from above
(geodesy.metres_at_most), so only the worst candidates are measured geodesically.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo import catalog, geodesy, settings
from geo.check.problems import is_number, problem

#: A place, event or border site may lie this far outside the area it names: province and
#: country outlines away from the border come from Natural Earth 1:10m (generalised coast).
AREA_TOLERANCE_KM: float = 5.0
#: Two pipeline/border intersections closer than this are one crossing (segment joints).
CROSSING_CLUSTER_KM: float = 0.5
#: A border site's ``distance_to_border_km`` may differ this much from the recomputed one.
DISTANCE_PROPERTY_TOLERANCE_KM: float = 0.2

Shapes = Mapping[str, Mapping[str, Any]]
Props = Mapping[str, Mapping[str, Mapping[str, Any]]]

_distance_m = geodesy.nearest_points_distance_m


class Target:
    """A geometry prepared for many vertex-distance queries: containment + an STRtree of its edges."""

    def __init__(self, geoms: Any) -> None:
        import numpy as np
        import shapely

        self.parts = list(geoms) if isinstance(geoms, (list, tuple)) else [geoms]
        self.polygons = [g for g in self.parts if g.geom_type in ("Polygon", "MultiPolygon")]
        segs = []
        for g in self.parts:
            shapely.prepare(g)
            edges = shapely.boundary(g) if g in self.polygons else g
            for line in shapely.get_parts(edges):
                c = shapely.get_coordinates(line)
                if len(c) >= 2:
                    segs.append(shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1)))
        self.segments = np.concatenate(segs) if segs else np.array([], dtype=object)
        self.tree = shapely.STRtree(self.segments)

    def distances_deg(self, pts: Any) -> tuple[Any, Any]:
        """(planar distance in degrees, index of the nearest edge) for each point; 0 inside a polygon."""
        import numpy as np

        out = np.zeros(len(pts))
        edge = np.zeros(len(pts), dtype=int)
        outside = np.flatnonzero(~self.covers(pts))
        if len(outside) and len(self.segments):
            idx, dist = self.tree.query_nearest(pts[outside], return_distance=True, all_matches=False)
            out[outside[idx[0]]] = dist
            edge[outside[idx[0]]] = idx[1]
        return out, edge

    def covers(self, pts: Any) -> Any:
        """Mask of points inside (or on) any polygonal part."""
        import numpy as np
        import shapely

        mask = np.zeros(len(pts), dtype=bool)
        for g in self.polygons:
            mask |= shapely.covers(g, pts)
        return mask


def max_vertex_distance_m(geom: Any, target: Target, *, land: Any = None) -> tuple[float, Any]:
    """Largest geodesic distance from a vertex of ``geom`` to ``target`` (0 inside a polygon).

    With ``land``, vertices outside it (at sea: the atlas has no maritime areas) are skipped.
    Degree distances bound metres from above, so only the worst candidates are measured.
    """
    import numpy as np
    import shapely

    pts = shapely.points(shapely.get_coordinates(geom))
    if land is not None and len(pts):
        pts = pts[land.covers(pts)]
    if not len(pts):
        return 0.0, None
    deg, edge = target.distances_deg(pts)
    upper = geodesy.metres_at_most(deg)
    order = np.argsort(-upper, kind="stable")
    best, where = 0.0, None
    for i in order[:50]:
        if upper[i] <= best:
            break
        d = _distance_m(pts[i], target.segments[edge[i]])
        if d > best:
            best, where = d, pts[i]
    return best, where


def border_line(shapes: Shapes, props: Props) -> Any:
    """The full-resolution border line (``border-osm``, else the ``osm_10m`` variant), or None."""
    border = shapes.get("border", {})
    if "border-osm" in border:
        return border["border-osm"]
    for fid, p in props.get("border", {}).items():
        if p.get("variant") == "osm_10m" and fid in border:
            return border[fid]
    return None


def area_index(shapes: Shapes, props: Props) -> tuple[dict[str, Any], dict[str, Any]]:
    """Province lookup (by id, ISO 3166-2, name, local name) and country lookup (ISO a2/a3, name)."""
    provinces: dict[str, Any] = {}
    for fid, shp in shapes.get("provinces", {}).items():
        p = props["provinces"].get(fid, {})
        for key in (fid, p.get("iso_3166_2"), p.get("name"), p.get("name_local")):
            if isinstance(key, str) and key:
                provinces[key.casefold()] = (fid, shp)
    countries: dict[str, Any] = {}
    for fid, shp in shapes.get("context", {}).items():
        p = props["context"].get(fid, {})
        for key in (fid, p.get("iso_a2"), p.get("iso_a3"), p.get("name")):
            if isinstance(key, str) and key:
                countries[key.casefold()] = (fid, shp)
    _admin1(shapes, props, provinces, countries)
    return provinces, countries


def _admin1(shapes: Shapes, props: Props, provinces: dict[str, Any], countries: dict[str, Any]) -> None:
    """admin-1 (every province of Iran and Pakistan): its units are provinces too, and a country that
    has them is their union (the atlas's own outline, which the events layer draws)."""
    import shapely

    by_country: dict[str, list[Any]] = {}
    for fid, shp in shapes.get("admin1", {}).items():
        p = props.get("admin1", {}).get(fid, {})
        by_country.setdefault(str(p.get("country_iso")), []).append(shp)
        for key in (fid, p.get("name"), p.get("name_iso")):
            if isinstance(key, str) and key and key.casefold() not in provinces:
                provinces[key.casefold()] = (fid, shp)
    for a2, parts in sorted(by_country.items()):
        hit = countries.get(a2.casefold())
        if hit:
            union = shapely.union_all(parts)
            for key, (cid, _) in list(countries.items()):
                if cid == hit[0]:
                    countries[key] = (cid, union)


def named(value: Any) -> list[str]:
    """The names of a ``;``-separated text value (empty for anything else)."""
    if not isinstance(value, str) or not value.strip():
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


# ---------------------------------------------------------------- the rules


def _provinces(prov: Mapping[str, Any], border: Any) -> list[str]:
    """Rules provinces-overlap (wider than the coincidence tolerance) and province-border."""
    problems: list[str] = []
    tol_m = settings.BORDER_COINCIDENCE_TOLERANCE_M
    tol_deg = geodesy.degrees_within(tol_m)
    ids = sorted(prov)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            inter = prov[a].intersection(prov[b])
            if inter.area > 0 and not inter.buffer(-tol_deg).is_empty:
                area_km2 = geodesy.area_m2(inter) / 1e6
                rp = inter.representative_point()
                problems.append(problem("provinces", a, "provinces-overlap",
                                        f"overlaps {b} by {area_km2:.3f} km2 (wider than {tol_m} m) near "
                                        f"{rp.x:.6f} {rp.y:.6f}"))
    if border is not None:
        for fid in ids:
            d, where = max_vertex_distance_m(border, Target(prov[fid].boundary))
            if d > tol_m:
                problems.append(problem("provinces", fid, "province-border",
                                        f"the border line (border-osm) runs {d:.1f} m from this province's edge "
                                        f"at {where.x:.6f} {where.y:.6f}; tolerance {tol_m} m"))
    return problems


def _border_sites(shapes: Shapes, props: Props, border: Any) -> list[str]:
    """Rule border-site: border sites (markets, crossings) near the border, their distance property right."""
    problems: list[str] = []
    site_tol_km = settings.BORDER_SITE_TOLERANCE_KM
    for layer in catalog.border_site_layers():
        for fid, shp in sorted(shapes.get(layer, {}).items()):
            d_km = _distance_m(shp, border) / 1000
            if d_km > site_tol_km:
                problems.append(problem(layer, fid, "border-site",
                                        f"lies {d_km:.2f} km from the border; a border site is within {site_tol_km} km"))
            stated: Any = props[layer].get(fid, {}).get("distance_to_border_km")
            if is_number(stated) and abs(stated - d_km) > DISTANCE_PROPERTY_TOLERANCE_KM:
                problems.append(problem(layer, fid, "border-site",
                                        f"distance_to_border_km is {stated} but the point lies {d_km:.3f} km "
                                        "from border-osm"))
    return problems


class _Areas:
    """Rule inside-area: a feature lies in (or within AREA_TOLERANCE_KM of) the area it names."""

    def __init__(self, shapes: Shapes, props: Props) -> None:
        self.problems: list[str] = []
        self.prov = shapes.get("provinces", {})
        self.provinces, self.countries = area_index(shapes, props)
        self.cache: dict[tuple[str, ...], Target] = {}
        # Land = context countries + provinces; a vertex at sea cannot be "in" a land area.
        land_parts = list(shapes.get("context", {}).values()) + list(self.prov.values())
        self.land = Target(land_parts) if shapes.get("context") else None

    def check(self, layer: str, fid: str, shp: Any, targets: list[tuple[str, Any]], what: str) -> None:
        if not targets:
            return
        tol_km = AREA_TOLERANCE_KM
        key = tuple(sorted(t[0] for t in targets))
        if key not in self.cache:
            self.cache[key] = Target([t[1] for t in targets])
        d_m, where = max_vertex_distance_m(shp, self.cache[key], land=self.land)
        names = "+".join(t[0] for t in targets)
        if d_m > tol_km * 1000:
            self.problems.append(problem(layer, fid, "inside-area",
                                         f"lies {d_m / 1000:.2f} km outside {what} {names} (at {where.x:.6f} "
                                         f"{where.y:.6f}); tolerance {tol_km} km"))
            return
        # within tolerance of the named area, but clearly inside a different province?
        if shp.geom_type == "Point" and d_m > settings.BORDER_COINCIDENCE_TOLERANCE_M:
            for ofid, oshp in self.prov.items():
                if ofid not in {t[0] for t in targets} and oshp.contains(shp):
                    self.problems.append(problem(layer, fid, "inside-area", f"lies inside {ofid}, not in {what} {names}"))

    def resolve(self, admin1: Any, country: Any, iso2: Any = None) -> tuple[list[tuple[str, Any]], str]:
        """The provinces a feature names (by ISO 3166-2, else admin1), else its countries."""
        found = [hit for name in named(iso2) or named(admin1) if (hit := self.provinces.get(name.casefold()))]
        if found:
            return found, "province"
        found = [hit for name in named(country) if (hit := self.countries.get(name.casefold()))]
        return found, "country"

    def places(self, shapes: Shapes, props: Props) -> None:
        for fid, shp in sorted(shapes.get("places", {}).items()):
            p = props["places"].get(fid, {})
            targets, what = self.resolve(p.get("admin1"), p.get("country_iso"), p.get("iso_3166_2"))
            self.check("places", fid, shp, targets, what)

    def event(self, fid: str, shp: Any, p: Mapping[str, Any], border_t: Target | None) -> None:
        basis = p.get("geometry_basis")
        iso = None
        if isinstance(basis, str) and basis.startswith("province:"):
            iso = basis.split(":", 1)[1]
        elif isinstance(basis, str) and basis.startswith("area:") and basis.count(":") >= 3:
            iso = basis.split(":")[2]  # area:<place>:<province iso>:<r>km
        elif isinstance(basis, str) and basis.startswith("country:"):
            found = self.countries.get(basis.split(":", 1)[1].casefold())
            if found:
                self.check("events", fid, shp, [found], "country")
                return
        if basis == "border" and border_t is not None:
            d_m, _ = max_vertex_distance_m(shp, border_t)
            if d_m > settings.BORDER_SITE_TOLERANCE_KM * 1000:
                self.problems.append(problem("events", fid, "inside-area",
                                             f"geometry_basis is 'border' but the geometry lies {d_m / 1000:.2f} km "
                                             "from the border"))
            return
        targets, what = self.resolve(p.get("admin1"), p.get("country_iso"), iso)
        self.check("events", fid, shp, targets, what)

    def border_sites(self, shapes: Shapes) -> None:
        if not self.prov:
            return
        frontier = Target(list(self.prov.values()))
        for layer in catalog.border_site_layers():
            for fid, shp in sorted(shapes.get(layer, {}).items()):
                d_m, _ = max_vertex_distance_m(shp, frontier)
                if d_m > AREA_TOLERANCE_KM * 1000:
                    self.problems.append(problem(layer, fid, "inside-area",
                                                 f"lies {d_m / 1000:.2f} km outside the frontier provinces "
                                                 f"({'+'.join(sorted(self.prov))})"))


def _inside_areas(shapes: Shapes, props: Props, border: Any) -> list[str]:
    areas = _Areas(shapes, props)
    areas.places(shapes, props)
    border_t = Target(border) if border is not None else None
    for fid, shp in sorted(shapes.get("events", {}).items()):
        areas.event(fid, shp, props["events"].get(fid, {}), border_t)
    areas.border_sites(shapes)
    return areas.problems


def _pipeline_crossing(shapes: Shapes, props: Props, border: Any) -> list[str]:
    """Rule pipeline-crossing: the pipeline segments cross the border exactly once."""
    import shapely

    pipe = {fid: shp for fid, shp in shapes.get("pipeline", {}).items()
            if props["pipeline"].get(fid, {}).get("kind") == "segment" and shp.geom_type.endswith("LineString")}
    if border is None or not pipe:
        return []
    problems: list[str] = []
    points: list[tuple[Any, str]] = []
    for fid, shp in sorted(pipe.items()):
        inter = shp.intersection(border)
        if inter.is_empty:
            continue
        if inter.length > 0:
            problems.append(problem("pipeline", fid, "pipeline-crossing",
                                    f"runs along the border for {inter.length * 111.0:.2f} km (approx.)"))
        for pt in shapely.get_parts(shapely.extract_unique_points(inter)):
            points.append((pt, fid))
    clusters: list[tuple[Any, list[str]]] = []
    for pt, fid in points:
        for c in clusters:
            if _distance_m(pt, c[0]) <= CROSSING_CLUSTER_KM * 1000:
                c[1].append(fid)
                break
        else:
            clusters.append((pt, [fid]))
    if len(clusters) != 1:
        where = "; ".join(f"{c[0].x:.6f} {c[0].y:.6f} ({', '.join(sorted(set(c[1])))})" for c in clusters[:5])
        problems.append(problem("pipeline", "*", "pipeline-crossing",
                                f"the pipeline crosses the border {len(clusters)} times"
                                f"{': ' + where if where else ''}; expected exactly once"))
    return problems


def topology(shapes: Shapes, props: Props) -> list[str]:
    """Every cross-layer problem; a rule runs when the layers it needs are present."""
    border = border_line(shapes, props)
    problems = _provinces(shapes.get("provinces", {}), border)
    if border is not None:
        problems += _border_sites(shapes, props, border)
    problems += _inside_areas(shapes, props, border)
    problems += _pipeline_crossing(shapes, props, border)
    return problems
