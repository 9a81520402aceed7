"""`geo validate`: RFC 7946, OGC validity, JSON Schema and topology rules; every problem at once.

Each problem is one line ``<layer>:<feature id>: <rule>: <detail>`` so a person (or grep) sees
where and what. Rules (see README.md, `geo validate`, for the full table):

* collection     FeatureCollection structure: type, name, metadata, features list
* crs            a ``crs`` member (RFC 7946 section 4 removed it)
* feature        Feature structure: type, string id, properties object, geometry
* duplicate-id   two features share an id
* coordinates    a position that is not 2 or 3 finite numbers, or wrong nesting
* range          longitude outside [-180, 180] or latitude outside [-90, 90]
* extent         a position outside the atlas extent (often: lon/lat swapped)
* precision      more than 7 decimals (RFC 7946 section 11.2)
* empty          empty geometry (no coordinates, an empty part)
* ring-closed    a ring that is not closed or has fewer than 4 positions
* duplicate-vertex  two consecutive identical positions
* ogc-valid      not OGC-valid (shapely/GEOS reason, e.g. "Self-intersection[61 28]")
* winding        exterior ring not counter-clockwise or hole not clockwise (right-hand rule)
* schema         the layer's JSON Schema (geo/schemas/<layer>.schema.json): required
                 properties, types, enumerations, id patterns, date formats
* property-order properties not in the order of the schema (the fixed order of design.md)
* field-type     one property holding two JSON types in one layer
* markup         HTML or script inside a text property
* dates          impossible or inconsistent dates (end before start, precision mismatch)
* article-span   article_quote length differs from article_end - article_start
* provinces-overlap, province-border, border-site, inside-area, pipeline-crossing: topology
* claims-ref     a claim names a feature id that no layer holds
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from geo import catalog, files, settings
from geo.dates import PARTIAL_DATE, parse_partial_date
from geo.errors import InputError

#: RFC 7946 section 11.2 (and sgillies): never more than 7 decimals. We write 6.
MAX_DECIMALS: int = 7
#: Every non-context layer lies inside this box (west, south, east, north); a point outside it
#: is nearly always a swapped lon/lat pair. Context countries may reach beyond (AFG, OMN...).
ATLAS_EXTENT: tuple[float, float, float, float] = settings.CONTEXT_BBOX
#: A place, event or border site may lie this far outside the area it names: province and
#: country outlines away from the border come from Natural Earth 1:10m (generalised coast).
AREA_TOLERANCE_KM: float = 5.0
#: Two pipeline/border intersections closer than this are one crossing (segment joints).
CROSSING_CLUSTER_KM: float = 0.5
#: A border site's ``distance_to_border_km`` may differ this much from the recomputed one.
DISTANCE_PROPERTY_TOLERANCE_KM: float = 0.2
#: Metres per degree, upper bound (a meridian degree is 110.57-111.69 km): degree distances
#: times this never under-estimate metres, so only candidates are measured geodesically.
_M_PER_DEG_MAX = 111_700.0
#: Longest detail kept in a problem line (a 10 MB string must not be echoed).
_DETAIL_MAX = 240

_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|javascript:|\bon[a-z]+\s*=", re.IGNORECASE)
_DATE = PARTIAL_DATE
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
_OK_REASON = "Valid Geometry"


# ---------------------------------------------------------------- helpers


def _short(text: Any, limit: int = _DETAIL_MAX) -> str:
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _problem(layer: str, fid: str, rule: str, detail: str) -> str:
    return f"{layer}:{fid}: {rule}: {_short(detail)}"


def _fmt_pos(pos: Any) -> str:
    try:
        return f"[{_short(pos[0], 24)}, {_short(pos[1], 24)}]"
    except (TypeError, IndexError, KeyError):
        return _short(repr(pos), 40)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _decimals(x: float) -> int:
    if isinstance(x, int):
        return 0
    r = repr(x)
    if "e" not in r and "E" not in r:
        return len(r) - r.index(".") - 1 if "." in r else 0
    exp = Decimal(r).as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


# ---------------------------------------------------------------- schemas




#: Layer name -> (its schema, the validator compiled from it): compiled once per schema.
_VALIDATORS: dict[str, tuple[dict[str, Any], Any]] = {}


def _validator(name: str) -> Any:
    sch = catalog.schema(name)
    hit = _VALIDATORS.get(name)
    if hit is None or hit[0] is not sch:
        hit = (sch, _compile(sch))
        _VALIDATORS[name] = hit
    return hit[1]


def _compile(sch: dict[str, Any]) -> Any:
    import jsonschema

    checker = jsonschema.FormatChecker()

    @checker.checks("partial-date", raises=ValueError)
    def _partial_date(value: object) -> bool:
        if isinstance(value, str):
            parse_partial_date(value)
        return True

    cls = jsonschema.validators.validator_for(sch)
    return cls(sch, format_checker=checker)


def _schema_problems(name: str, instance: Any) -> list[tuple[list[Any], str]]:
    out = []
    for err in _validator(name).iter_errors(instance):
        path = list(err.absolute_path)
        where = ".".join(str(p) for p in path)
        if err.validator == "format":
            msg = f"{_short(repr(err.instance), 60)} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
        elif err.validator in ("pattern", "enum", "type", "const", "minLength"):
            # jsonschema repeats the (possibly huge) instance: keep it short.
            msg = f"{_short(repr(err.instance), 60)} {err.message.split(' ', 1)[1] if ' ' in err.message else err.message}"
            if err.validator == "type":
                msg = f"{_short(repr(err.instance), 60)} is not of type {err.validator_value}"
            elif err.validator == "enum":
                msg = f"{_short(repr(err.instance), 60)} is not one of {err.validator_value}"
            elif err.validator == "pattern":
                msg = f"{_short(repr(err.instance), 60)} does not match {err.validator_value}"
        else:
            msg = err.message
        out.append((path, f"{where}: {msg}" if where else msg))
    out.sort(key=lambda t: (len(t[0]), [str(p) for p in t[0]], t[1]))
    return out


# ---------------------------------------------------------------- geometry (RFC 7946 + OGC)


def _walk_positions(coords: Any, depth: int, path: str, out: list[tuple[str, str]],
                    positions: list[tuple[str, Any]]) -> bool:
    """Check nesting and positions; collect (path, position). Return False if structure is broken."""
    if depth == 0:
        if (not isinstance(coords, list) or len(coords) not in (2, 3)
                or not all(_is_number(c) for c in coords)):
            shown = _fmt_pos(coords) if isinstance(coords, list) else _short(repr(coords), 40)
            out.append(("coordinates", f"{path}: {shown} is not a position (2 or 3 numbers)"))
            return False
        if not all(math.isfinite(c) for c in coords):
            out.append(("coordinates", f"{path}: {_fmt_pos(coords)} is not finite"))
            return False
        positions.append((path, coords))
        return True
    if not isinstance(coords, list):
        out.append(("coordinates", f"{path}: expected an array, got {type(coords).__name__}"))
        return False
    if depth == 1 and all(type(c) is list and len(c) == 2 and type(c[0]) is float and type(c[1]) is float
                          and math.isfinite(c[0]) and math.isfinite(c[1]) for c in coords):
        positions.extend((f"{path}[{i}]", c) for i, c in enumerate(coords))
        return True
    ok = True
    for i, c in enumerate(coords):
        ok &= _walk_positions(c, depth - 1, f"{path}[{i}]", out, positions)
    return ok


def _too_precise(positions: list[tuple[str, Any]]) -> list[tuple[str, float]]:
    """(path, value) of every coordinate with more than MAX_DECIMALS decimals."""
    import numpy as np

    flat = [x for _, c in positions for x in c[:2]]
    arr = np.array(flat, dtype=float)
    cand = np.flatnonzero(np.round(arr, MAX_DECIMALS) != arr)  # numpy pre-filter, exact check below
    out = []
    for i in cand:
        path, c = positions[i // 2]
        x = c[i % 2]
        if _decimals(x) > MAX_DECIMALS:
            out.append((path, x))
    for path, c in positions:  # a third (elevation) value is rare; check it exactly
        if len(c) > 2 and _decimals(c[2]) > MAX_DECIMALS:
            out.append((path, c[2]))
    return out


def _ring_area2(ring: list[list[float]]) -> float:
    """Twice the signed planar area (positive = counter-clockwise)."""
    s = 0.0
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        s += x1 * y2 - x2 * y1
    return s


def _rings(gtype: str, coords: list[Any]) -> list[tuple[str, int, list[Any]]]:
    """(path, index within its polygon, ring) for every ring of a (Multi)Polygon."""
    polys = [coords] if gtype == "Polygon" else coords
    out = []
    for pi, poly in enumerate(polys):
        for ri, ring in enumerate(poly):
            p = f"ring {ri}" if gtype == "Polygon" else f"polygon {pi} ring {ri}"
            out.append((p, ri, ring))
    return out


def _lines(gtype: str, coords: list[Any]) -> list[tuple[str, list[Any]]]:
    if gtype == "LineString":
        return [("line", coords)]
    if gtype == "MultiLineString":
        return [(f"line {i}", c) for i, c in enumerate(coords)]
    if gtype in ("Polygon", "MultiPolygon"):
        return [(p, r) for p, _, r in _rings(gtype, coords)]
    return []


def check_geometry(geom: Any, *, extent: tuple[float, float, float, float] | None = None
                   ) -> tuple[list[tuple[str, str]], Any]:
    """RFC 7946 and OGC checks of one GeoJSON geometry dict.

    Returns ``([(rule, detail), ...], shapely geometry or None)``; the geometry is returned
    only when it is structurally sound and OGC-valid, for the topology rules.
    """
    out: list[tuple[str, str]] = []
    if not isinstance(geom, dict):
        return [("feature", f"geometry is {_short(repr(geom), 40)}, expected a geometry object")], None
    if "crs" in geom:
        out.append(("crs", "geometry has a 'crs' member; RFC 7946 coordinates are always WGS84 lon/lat"))
    gtype = geom.get("type")
    if gtype == "GeometryCollection":
        out.append(("feature", "GeometryCollection: use one geometry type per feature (QGIS skips collections)"))
        return out, None
    if gtype not in _DEPTH:
        out.append(("feature", f"geometry type {_short(repr(gtype), 40)} is not a GeoJSON geometry type"))
        return out, None
    coords = geom.get("coordinates")
    if coords is None or coords == []:
        out.append(("empty", f"{gtype} has no coordinates"))
        return out, None
    positions: list[tuple[str, Any]] = []
    if not _walk_positions(coords, _DEPTH[gtype], "coordinates", out, positions):
        return out, None

    # empty parts
    structural_ok = True
    if gtype in ("MultiPoint", "MultiLineString", "MultiPolygon", "Polygon"):
        for i, part in enumerate(coords):
            if part == []:
                out.append(("empty", f"{gtype} part {i} is empty"))
                structural_ok = False
    if gtype == "MultiPolygon":
        for i, poly in enumerate(coords):
            for j, ring in enumerate(poly):
                if ring == []:
                    out.append(("empty", f"polygon {i} ring {j} is empty"))
                    structural_ok = False

    # ranges, extent, precision
    bad_range = [(p, c) for p, c in positions if not (-180 <= c[0] <= 180 and -90 <= c[1] <= 90)]
    if bad_range:
        p, c = bad_range[0]
        out.append(("range", (f"{len(bad_range)} position(s) outside lon [-180, 180] / lat [-90, 90], "
                              f"first {_fmt_pos(c)} at {p}")))
        structural_ok = False
    elif extent is not None:
        w, s, e, n = extent
        outside = [(p, c) for p, c in positions if not (w <= c[0] <= e and s <= c[1] <= n)]
        if outside:
            p, c = outside[0]
            hint = "; lon and lat look swapped" if (w <= c[1] <= e and s <= c[0] <= n) else ""
            out.append(("extent", (f"{len(outside)} position(s) outside the atlas extent "
                                   f"({w}..{e} E, {s}..{n} N), first {_fmt_pos(c)} at {p}{hint}")))
    precise = _too_precise(positions)
    if precise:
        p, x = precise[0]
        out.append(("precision", (f"{len(precise)} coordinate(s) with more than {MAX_DECIMALS} decimals, "
                                  f"first {x!r} at {p}")))

    # lines and rings: length, closure, duplicate vertices
    for path, line in _lines(gtype, coords):
        if not line:
            continue
        pos2 = [c[:2] for c in line]
        dupes = [i for i in range(1, len(pos2)) if pos2[i] == pos2[i - 1]]
        if dupes:
            out.append(("duplicate-vertex", (f"{len(dupes)} consecutive duplicate position(s) in {path}, "
                                             f"first {_fmt_pos(pos2[dupes[0]])} at vertex {dupes[0]}")))
        if gtype in ("Polygon", "MultiPolygon"):
            if pos2[0] != pos2[-1]:
                out.append(("ring-closed", f"{path} is not closed: first {_fmt_pos(pos2[0])} != last {_fmt_pos(pos2[-1])}"))
                structural_ok = False
            elif len(pos2) < 4:
                out.append(("ring-closed", f"{path} has {len(pos2)} positions; a linear ring needs at least 4"))
                structural_ok = False
        elif len(pos2) < 2:
            out.append(("coordinates", f"{path} has {len(pos2)} position(s); a LineString needs at least 2"))
            structural_ok = False
    if not structural_ok:
        return out, None

    # OGC validity, then winding (meaningful only for simple rings)
    import shapely
    from shapely.geometry import shape

    try:
        shp = shape({"type": gtype, "coordinates": coords})
    except Exception as exc:  # noqa: BLE001 - GEOS refuses some degenerate input
        out.append(("ogc-valid", f"cannot build geometry: {exc}"))
        return out, None
    if shp.is_empty:
        out.append(("empty", f"{gtype} is empty"))
        return out, None
    reason = shapely.is_valid_reason(shp)
    if reason != _OK_REASON:
        out.append(("ogc-valid", str(reason)))
        return out, None
    if gtype in ("Polygon", "MultiPolygon"):
        wrong = []
        for path, ri, ring in _rings(gtype, coords):
            a2 = _ring_area2(ring)
            if ri == 0 and a2 < 0:
                wrong.append(f"{path} (exterior) is clockwise")
            elif ri > 0 and a2 > 0:
                wrong.append(f"{path} (hole) is counter-clockwise")
        if wrong:
            out.append(("winding", "; ".join(wrong[:3]) + (f" (+{len(wrong) - 3} more)" if len(wrong) > 3 else "")
                        + "; RFC 7946 wants exteriors counter-clockwise, holes clockwise"))
    return out, shp


# ---------------------------------------------------------------- one layer


def _check_properties(layer: str, fid: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Checks JSON Schema cannot express: markup, date logic, article spans, property order."""
    out: list[tuple[str, str]] = []
    for key, value in props.items():
        if isinstance(value, str) and _MARKUP.search(value) and not key.endswith("url") and key != "source_urls":
            out.append(("markup", f"properties.{key}: contains HTML or script ({_short(repr(value), 60)})"))
    if catalog.has(layer):
        order = catalog.property_names(layer)
        keys = list(props)
        if set(keys) == set(order) and keys != order:
            first = next(i for i, (a, b) in enumerate(zip(keys, order, strict=True)) if a != b)
            out.append(("property-order", (f"property {first + 1} is {keys[first]!r}, expected {order[first]!r} "
                                           f"(order: {', '.join(order)})")))
    # date logic
    start_s, end_s, prec = props.get("event_date"), props.get("event_date_end"), props.get("date_precision")
    if isinstance(start_s, str):
        try:
            start = parse_partial_date(start_s)
        except ValueError:
            start = None
        end = None
        if isinstance(end_s, str):
            try:
                end = parse_partial_date(end_s)
            except ValueError:
                end = None
        if start and end and end[1] < start[0]:
            out.append(("dates", f"event_date_end {end_s!r} is before event_date {start_s!r}"))
        if start and prec in ("day", "month", "year") and start[2] != prec:
            out.append(("dates", f"date_precision is {prec!r} but event_date {start_s!r} has {start[2]} precision"))
        if prec == "range" and end_s is None:
            out.append(("dates", "date_precision is 'range' but event_date_end is null"))
    for key in ("status_date", "opened_date", "agreed_date"):
        v = props.get(key)
        if isinstance(v, str):
            try:
                first, _, _ = parse_partial_date(v)
            except ValueError:
                continue
            if first.year < 1900 or first.year > 2100:
                out.append(("dates", f"{key} {v!r} is outside 1900-2100"))
    out.extend(_article_span(props))
    return out


def _article_span(rec: Mapping[str, Any]) -> list[tuple[str, str]]:
    s, e, q = rec.get("article_start"), rec.get("article_end"), rec.get("article_quote")
    if not (isinstance(s, int) and isinstance(e, int)) or isinstance(s, bool) or isinstance(e, bool):
        return []
    if e <= s:
        return [("article-span", f"article_end {e} is not after article_start {s}")]
    if isinstance(q, str) and len(q) != e - s:
        return [("article-span", f"article_quote has {len(q)} characters but article_end - article_start = {e - s}")]
    return []


def _check_collection(layer: str, fc: Any, shapes: dict[str, dict[str, Any]],
                      props_by_id: dict[str, dict[str, Mapping[str, Any]]]) -> tuple[list[str], int]:
    problems: list[str] = []

    def add(fid: str, rule: str, detail: str) -> None:
        problems.append(_problem(layer, fid, rule, detail))

    if not isinstance(fc, dict):
        add("*", "collection", f"expected a FeatureCollection object, got {type(fc).__name__}")
        return problems, 0
    if fc.get("type") != "FeatureCollection":
        add("*", "collection", f"type is {_short(repr(fc.get('type')), 40)}, expected 'FeatureCollection'")
    if "crs" in fc:
        add("*", "crs", "FeatureCollection has a 'crs' member; RFC 7946 removed it (coordinates are WGS84 lon/lat)")
    feats = fc.get("features")
    if not isinstance(feats, list):
        add("*", "collection", "'features' is missing or not an array")
        return problems, 0
    if catalog.has(layer):
        if fc.get("name") != layer:
            add("*", "collection", f"name is {_short(repr(fc.get('name')), 40)}, expected {layer!r}")
        meta = fc.get("metadata")
        if not isinstance(meta, dict):
            add("*", "collection", "no 'metadata' member (title, description, sources, license, attribution)")
        else:
            for key in ("title", "description", "license", "attribution"):
                if not isinstance(meta.get(key), str) or not meta.get(key):
                    add("*", "collection", f"metadata.{key} is missing or empty")
            if not isinstance(meta.get("sources"), list) or not meta.get("sources"):
                add("*", "collection", "metadata.sources is missing or empty")
        if not feats:
            add("*", "collection", "layer has no features")
    extent = ATLAS_EXTENT if not catalog.has(layer) or catalog.get(layer).in_atlas_extent else None
    seen: dict[str, int] = {}
    types: dict[str, dict[str, str]] = {}
    layer_shapes = shapes.setdefault(layer, {})
    layer_props = props_by_id.setdefault(layer, {})
    for i, feat in enumerate(feats):
        fid = f"#{i + 1}"
        try:
            if not isinstance(feat, dict):
                add(fid, "feature", f"expected a Feature object, got {type(feat).__name__}")
                continue
            raw_id = feat.get("id")
            if isinstance(raw_id, str) and raw_id:
                fid = _short(raw_id, 80)
                if not re.fullmatch(r"[^\s:]+", fid):
                    fid = repr(fid)  # keep "<layer>:<id>: <rule>" parseable
                if raw_id in seen:
                    add(fid, "duplicate-id", f"id also used by feature {seen[raw_id]}")
                else:
                    seen[raw_id] = i + 1
            else:
                add(fid, "feature", f"id is {_short(repr(raw_id), 40)}; every feature needs a non-empty string id")
            if feat.get("type") != "Feature":
                add(fid, "feature", f"type is {_short(repr(feat.get('type')), 40)}, expected 'Feature'")
            if "crs" in feat:
                add(fid, "crs", "feature has a 'crs' member")
            props = feat.get("properties")
            if not isinstance(props, dict):
                add(fid, "feature", "properties is not an object")
                props = {}
            geom = feat.get("geometry")
            if geom is None:
                add(fid, "empty", "geometry is null; every feature of an atlas layer has a geometry")
                shp = None
            else:
                geo_problems, shp = check_geometry(geom, extent=extent)
                for rule, detail in geo_problems:
                    add(fid, rule, detail)
            if catalog.has(layer):
                for _, msg in _schema_problems(layer, feat):
                    add(fid, "schema", msg)
            for rule, detail in _check_properties(layer, fid, props):
                add(fid, rule, detail)
            for key, value in props.items():
                jt = _json_type(value)
                if jt != "null":
                    types.setdefault(key, {}).setdefault(jt, fid)
            if isinstance(raw_id, str) and raw_id and raw_id not in layer_props:
                layer_props[raw_id] = props
                if shp is not None:
                    layer_shapes[raw_id] = shp
        except Exception as exc:  # noqa: BLE001 - a checker bug must still be one line, not a traceback
            add(fid, "check-error", f"{type(exc).__name__}: {exc}")
    for key, seen_types in types.items():
        if len(seen_types) > 1:
            which = ", ".join(f"{t} (e.g. {f})" for t, f in sorted(seen_types.items()))
            add("*", "field-type", f"property {key!r} holds several JSON types: {which}")
    return problems, len(feats)


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


# ---------------------------------------------------------------- topology


def _geod() -> Any:
    from pyproj import Geod

    return Geod(ellps=settings.GEOD_ELLPS)


def _distance_m(a: Any, b: Any) -> float:
    """Geodesic distance (m) between the nearest points of shapely geometries a and b."""
    from shapely.ops import nearest_points

    pa, pb = nearest_points(a, b)
    if pa.equals(pb):
        return 0.0
    _, _, d = _geod().inv(pa.x, pa.y, pb.x, pb.y)
    return float(d)


class _Target:
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


def _max_vertex_distance_m(geom: Any, target: _Target, *, land: Any = None) -> tuple[float, Any]:
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
    upper = deg * _M_PER_DEG_MAX
    order = np.argsort(-upper, kind="stable")
    best, where = 0.0, None
    for i in order[:50]:
        if upper[i] <= best:
            break
        d = _distance_m(pts[i], target.segments[edge[i]])
        if d > best:
            best, where = d, pts[i]
    return best, where


def _border_line(shapes: Mapping[str, Mapping[str, Any]], props: Mapping[str, Mapping[str, Any]]) -> Any:
    border = shapes.get("border", {})
    if "border-osm" in border:
        return border["border-osm"]
    for fid, p in props.get("border", {}).items():
        if p.get("variant") == "osm_10m" and fid in border:
            return border[fid]
    return None


def _area_index(shapes: Mapping[str, Mapping[str, Any]], props: Mapping[str, Mapping[str, Mapping[str, Any]]]
                ) -> tuple[dict[str, Any], dict[str, Any]]:
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
    # admin-1 (every province of Iran and Pakistan): its units are provinces too, and a country that
    # has them is their union (the atlas's own outline, which the events layer draws)
    by_country: dict[str, list[Any]] = {}
    for fid, shp in shapes.get("admin1", {}).items():
        p = props.get("admin1", {}).get(fid, {})
        by_country.setdefault(str(p.get("country_iso")), []).append(shp)
        for key in (fid, p.get("name"), p.get("name_iso")):
            if isinstance(key, str) and key and key.casefold() not in provinces:
                provinces[key.casefold()] = (fid, shp)
    import shapely

    for a2, parts in sorted(by_country.items()):
        hit = countries.get(a2.casefold())
        if hit:
            union = shapely.union_all(parts)
            for key, (cid, _) in list(countries.items()):
                if cid == hit[0]:
                    countries[key] = (cid, union)
    return provinces, countries


def _named(value: Any) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def _topology(shapes: dict[str, dict[str, Any]], props: dict[str, dict[str, Mapping[str, Any]]]) -> list[str]:
    import shapely

    problems: list[str] = []
    border = _border_line(shapes, props)
    prov = shapes.get("provinces", {})
    border_t = _Target(border) if border is not None else None
    area_cache: dict[tuple[str, ...], _Target] = {}

    # provinces do not overlap (more than the coincidence tolerance) and meet the border
    tol_m = settings.BORDER_COINCIDENCE_TOLERANCE_M
    tol_deg = tol_m / _M_PER_DEG_MAX
    ids = sorted(prov)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            inter = prov[a].intersection(prov[b])
            if inter.area > 0 and not inter.buffer(-tol_deg).is_empty:
                area_km2 = abs(_geod().geometry_area_perimeter(inter)[0]) / 1e6
                rp = inter.representative_point()
                problems.append(_problem("provinces", a, "provinces-overlap",
                                         f"overlaps {b} by {area_km2:.3f} km2 (wider than {tol_m} m) near "
                                         f"{rp.x:.6f} {rp.y:.6f}"))
    if border is not None:
        for fid in ids:
            d, where = _max_vertex_distance_m(border, _Target(prov[fid].boundary))
            if d > tol_m:
                problems.append(_problem("provinces", fid, "province-border",
                                         f"the border line (border-osm) runs {d:.1f} m from this province's edge "
                                         f"at {where.x:.6f} {where.y:.6f}; tolerance {tol_m} m"))

    # border sites within tolerance of the border, and their distance property right
    if border is not None:
        site_tol_km = settings.BORDER_SITE_TOLERANCE_KM
        for layer in ("markets", "crossings"):
            for fid, shp in sorted(shapes.get(layer, {}).items()):
                d_km = _distance_m(shp, border) / 1000
                if d_km > site_tol_km:
                    problems.append(_problem(layer, fid, "border-site",
                                             f"lies {d_km:.2f} km from the border; a border site is within {site_tol_km} km"))
                stated = props[layer].get(fid, {}).get("distance_to_border_km")
                if _is_number(stated) and abs(stated - d_km) > DISTANCE_PROPERTY_TOLERANCE_KM:
                    problems.append(_problem(layer, fid, "border-site",
                                             f"distance_to_border_km is {stated} but the point lies {d_km:.3f} km "
                                             "from border-osm"))

    # features inside the province or country they name
    provinces, countries = _area_index(shapes, props)
    tol_km = AREA_TOLERANCE_KM
    frontier = _Target(list(prov.values())) if prov else None
    # Land = context countries + provinces; a vertex at sea cannot be "in" a land area.
    land_parts = list(shapes.get("context", {}).values()) + list(prov.values())
    land = _Target(land_parts) if shapes.get("context") else None

    def check_inside(layer: str, fid: str, shp: Any, targets: list[tuple[str, Any]], what: str) -> None:
        if not targets:
            return
        key = tuple(sorted(t[0] for t in targets))
        if key not in area_cache:
            area_cache[key] = _Target([t[1] for t in targets])
        d_m, where = _max_vertex_distance_m(shp, area_cache[key], land=land)
        names = "+".join(t[0] for t in targets)
        if d_m > tol_km * 1000:
            problems.append(_problem(layer, fid, "inside-area",
                                     f"lies {d_m / 1000:.2f} km outside {what} {names} (at {where.x:.6f} "
                                     f"{where.y:.6f}); tolerance {tol_km} km"))
            return
        # within tolerance of the named area, but clearly inside a different province?
        if shp.geom_type == "Point" and d_m > tol_m:
            for ofid, oshp in prov.items():
                if ofid not in {t[0] for t in targets} and oshp.contains(shp):
                    problems.append(_problem(layer, fid, "inside-area",
                                             f"lies inside {ofid}, not in {what} {names}"))

    def resolve(admin1: Any, country: Any, iso2: Any = None) -> tuple[list[tuple[str, Any]], str]:
        found = []
        for name in _named(iso2) or _named(admin1):
            hit = provinces.get(name.casefold())
            if hit:
                found.append(hit)
        if found:
            return found, "province"
        for name in _named(country):
            hit = countries.get(name.casefold())
            if hit:
                found.append(hit)
        return found, "country"

    for fid, shp in sorted(shapes.get("places", {}).items()):
        p = props["places"].get(fid, {})
        targets, what = resolve(p.get("admin1"), p.get("country_iso"), p.get("iso_3166_2"))
        check_inside("places", fid, shp, targets, what)
    for fid, shp in sorted(shapes.get("events", {}).items()):
        p = props["events"].get(fid, {})
        basis = p.get("geometry_basis")
        iso = None
        if isinstance(basis, str) and basis.startswith("province:"):
            iso = basis.split(":", 1)[1]
        elif isinstance(basis, str) and basis.startswith("area:") and basis.count(":") >= 3:
            iso = basis.split(":")[2]  # area:<place>:<province iso>:<r>km
        elif isinstance(basis, str) and basis.startswith("country:"):
            found = countries.get(basis.split(":", 1)[1].casefold())
            if found:
                check_inside("events", fid, shp, [found], "country")
                continue
        if basis == "border" and border is not None:
            d_m, where = _max_vertex_distance_m(shp, border_t)
            if d_m > settings.BORDER_SITE_TOLERANCE_KM * 1000:
                problems.append(_problem("events", fid, "inside-area",
                                         f"geometry_basis is 'border' but the geometry lies {d_m / 1000:.2f} km "
                                         "from the border"))
            continue
        targets, what = resolve(p.get("admin1"), p.get("country_iso"), iso)
        check_inside("events", fid, shp, targets, what)
    if frontier is not None:
        for layer in ("markets", "crossings"):
            for fid, shp in sorted(shapes.get(layer, {}).items()):
                d_m, _ = _max_vertex_distance_m(shp, frontier)
                if d_m > tol_km * 1000:
                    problems.append(_problem(layer, fid, "inside-area",
                                             f"lies {d_m / 1000:.2f} km outside the frontier provinces "
                                             f"({'+'.join(sorted(prov))})"))

    # the pipeline crosses the border exactly once
    pipe = {fid: shp for fid, shp in shapes.get("pipeline", {}).items()
            if props["pipeline"].get(fid, {}).get("kind") == "segment" and shp.geom_type.endswith("LineString")}
    if border is not None and pipe:
        points: list[tuple[Any, str]] = []
        for fid, shp in sorted(pipe.items()):
            inter = shp.intersection(border)
            if inter.is_empty:
                continue
            if inter.length > 0:
                problems.append(_problem("pipeline", fid, "pipeline-crossing",
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
            problems.append(_problem("pipeline", "*", "pipeline-crossing",
                                     f"the pipeline crosses the border {len(clusters)} times"
                                     f"{': ' + where if where else ''}; expected exactly once"))
    return problems


# ---------------------------------------------------------------- claims


def _check_claims(claims: Any, all_ids: set[str] | None) -> tuple[list[str], int]:
    problems: list[str] = []
    if not isinstance(claims, dict) or not isinstance(claims.get("claims"), list):
        return [_problem("claims", "*", "collection", "expected an object with a 'claims' array")], 0
    items = claims["claims"]
    by_index: dict[int, str] = {}
    seen: set[str] = set()
    for i, c in enumerate(items):
        cid = c.get("id") if isinstance(c, dict) else None
        name = _short(cid, 80) if isinstance(cid, str) and cid else f"#{i + 1}"
        by_index[i] = name
        if isinstance(cid, str):
            if cid in seen:
                problems.append(_problem("claims", name, "duplicate-id", "id used twice"))
            seen.add(cid)
        if isinstance(c, dict):
            for rule, detail in _article_span(c):
                problems.append(_problem("claims", name, rule, detail))
            for key, value in c.items():
                if isinstance(value, str) and _MARKUP.search(value) and key != "source_urls":
                    problems.append(_problem("claims", name, "markup", f"{key}: contains HTML or script"))
            refs = c.get("feature_ids")
            if all_ids is not None and isinstance(refs, list):
                missing = [r for r in refs if isinstance(r, str) and r not in all_ids]
                if missing:
                    problems.append(_problem("claims", name, "claims-ref",
                                             f"feature_ids {missing} are in no layer"))
    for path, msg in _schema_problems("claims", claims):
        if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
            sub = ".".join(str(p) for p in path[2:])
            detail = msg.split(": ", 1)[1] if ": " in msg else msg
            problems.append(_problem("claims", by_index.get(path[1], f"#{path[1] + 1}"), "schema",
                                     f"{sub}: {detail}" if sub else detail))
        else:
            problems.append(_problem("claims", "*", "schema", msg))
    return problems, len(items)


# ---------------------------------------------------------------- entry points


def _ordered(names: Iterable[str]) -> list[str]:
    known = [n for n in catalog.names() if n in names]
    return known + sorted(n for n in names if not catalog.has(n))


def validate_layers(layers: Mapping[str, Any], *, claims: Any = None) -> list[str]:
    """Every problem of ``layers`` (name -> FeatureCollection dict) and ``claims``, at once.

    Layers may be missing; cross-layer topology rules run when the layers they need are
    present. Each problem reads ``<layer>:<feature id>: <rule>: <detail>``.
    """
    return _validate(layers, claims)[0]


def _validate(layers: Mapping[str, Any], claims: Any) -> tuple[list[str], int]:
    problems: list[str] = []
    shapes: dict[str, dict[str, Any]] = {}
    props: dict[str, dict[str, Mapping[str, Any]]] = {}
    count = 0
    for name in _ordered(layers):
        p, n = _check_collection(name, layers[name], shapes, props)
        problems.extend(p)
        count += n
    try:
        problems.extend(_topology(shapes, props))
    except Exception as exc:  # noqa: BLE001 - keep the one-line contract even if GEOS raises
        problems.append(_problem("topology", "*", "check-error", f"{type(exc).__name__}: {exc}"))
    if claims is not None:
        all_ids = None
        if all(n in layers for n in catalog.names()):
            all_ids = {fid for layer in props.values() for fid in layer}
        p, n = _check_claims(claims, all_ids)
        problems.extend(p)
        count += n
    return problems, count


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {_short(repr(k), 40)} in one object")
        out[k] = v
    return out


#: Largest file ``geo validate`` reads (our biggest layer is a few MB).
MAX_FILE_BYTES: int = 256_000_000


def load_json(path: Path) -> Any:
    """Read a JSON file strictly; raise InputError naming the file (and line) on any problem."""
    return files.load_json(path, max_bytes=MAX_FILE_BYTES, what="GeoJSON FeatureCollection",
                           object_pairs_hook=_no_duplicate_keys)


def load_paths(paths: Iterable[Path]) -> tuple[dict[str, Any], Any]:
    """Load layer files and a claims file; layer name = file stem, else the collection's ``name``."""
    layers: dict[str, Any] = {}
    origin: dict[str, str] = {}
    claims = None
    for path in paths:
        doc = load_json(path)
        name = files.display(path)
        if isinstance(doc, dict) and "claims" in doc and "type" not in doc:
            if claims is not None:
                raise InputError(f"{name}: a second claims file; pass one")
            claims = doc
            continue
        if not isinstance(doc, dict):
            raise InputError(f"{name}: top level is a JSON {_json_type(doc)}, expected a FeatureCollection object")
        if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
            raise InputError(f"{name}: not a GeoJSON FeatureCollection (type {_short(repr(doc.get('type')), 40)}, "
                             "expected 'FeatureCollection' with a 'features' array)")
        stem = path.name.split(".")[0]
        name_member = doc.get("name")
        layer = (stem if catalog.has(stem) else name_member if isinstance(name_member, str)
                 and catalog.has(name_member) else stem)
        if layer in layers:
            raise InputError(f"{name}: layer {layer!r} was already given by {origin[layer]}")
        layers[layer] = doc
        origin[layer] = name
    return layers, claims


def default_paths(layers_dir: Path | None = None) -> list[Path]:
    """Every ``*.geojson`` in layers/ plus ``claims.json`` when present."""
    d = settings.LAYERS_DIR if layers_dir is None else layers_dir
    paths = sorted(d.glob("*.geojson"))
    if (d / catalog.CLAIMS_FILE).exists():
        paths.append(d / catalog.CLAIMS_FILE)
    return paths


#: What `geo validate` reads: GeoJSON layers and the claims ledger (JSON).
VALIDATED_SUFFIXES: tuple[str, ...] = (".geojson", ".json")


def run_cli(args: Any) -> int:
    """`geo validate [PATHS]`: print every problem to stderr; 0 when clean, 1 when not."""
    paths = [Path(p) for p in (getattr(args, "paths", None) or [])] or default_paths()
    if not paths:
        raise InputError(f"{files.display(settings.LAYERS_DIR)}: no layer files (run `geo build` first)")
    for given in paths:  # say what is checked rather than report a binary file as bad UTF-8
        if given.suffix.lower() not in VALIDATED_SUFFIXES:
            raise InputError(f"{files.display(given)}: geo validate checks GeoJSON only (.geojson layers and the .json "
                             f"claims ledger), not {given.suffix or 'files without an extension'}; validate the GeoJSON "
                             "that GeoPackage, GeoParquet, FlatGeobuf and KML files are built from")
    layers, claims = load_paths(paths)
    problems, count = _validate(layers, claims)
    n_layers = len(layers) + (claims is not None)
    if problems:
        for p in problems:
            print(files.escape(p), file=sys.stderr)
        print(f"geo: {len(problems)} validation problem(s) in {n_layers} layers, {count} features", file=sys.stderr)
        return 1
    print(f"{n_layers} layers, {count} features: ok")
    return 0
