"""One layer: the FeatureCollection, each feature's structure, geometry, schema and properties."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from geo import catalog, settings
from geo.check.geometry import check_geometry
from geo.check.problems import MARKUP, json_type, problem, short
from geo.check.schema import schema_problems
from geo.dates import parse_partial_date

#: Every layer but the display basemap lies inside this box (west, south, east, north); a point
#: outside it is nearly always a swapped lon/lat pair. Context countries may reach beyond (AFG, OMN...).
ATLAS_EXTENT: tuple[float, float, float, float] = settings.CONTEXT_BBOX

Issues = list[tuple[str, str]]


# ---------------------------------------------------------------- properties


def check_properties(layer: str, fid: str, props: Mapping[str, Any]) -> Issues:
    """Checks JSON Schema cannot express: markup, date logic, article spans, property order."""
    out: Issues = []
    for key, value in props.items():
        if isinstance(value, str) and MARKUP.search(value) and not key.endswith("url") and key != "source_urls":
            out.append(("markup", f"properties.{key}: contains HTML or script ({short(repr(value), 60)})"))
    if catalog.has(layer):
        order = catalog.property_names(layer)
        keys = list(props)
        if set(keys) == set(order) and keys != order:
            first = next(i for i, (a, b) in enumerate(zip(keys, order, strict=True)) if a != b)
            out.append(("property-order", (f"property {first + 1} is {keys[first]!r}, expected {order[first]!r} "
                                           f"(order: {', '.join(order)})")))
    out.extend(_event_dates(props))
    out.extend(_status_dates(props))
    out.extend(article_span(props))
    return out


def _date_or_none(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parse_partial_date(value)
    except ValueError:
        return None


def _event_dates(props: Mapping[str, Any]) -> Issues:
    """Rule ``dates`` for events: the end after the start, the precision the dates have."""
    start_s, end_s, prec = props.get("event_date"), props.get("event_date_end"), props.get("date_precision")
    if not isinstance(start_s, str):
        return []
    out: Issues = []
    start, end = _date_or_none(start_s), _date_or_none(end_s)
    if start and end and end[1] < start[0]:
        out.append(("dates", f"event_date_end {end_s!r} is before event_date {start_s!r}"))
    if start and prec in ("day", "month", "year") and start[2] != prec:
        out.append(("dates", f"date_precision is {prec!r} but event_date {start_s!r} has {start[2]} precision"))
    if prec == "range" and end_s is None:
        out.append(("dates", "date_precision is 'range' but event_date_end is null"))
    return out


def _status_dates(props: Mapping[str, Any]) -> Issues:
    """Rule ``dates`` for status, opening and agreement dates: within 1900-2100."""
    out: Issues = []
    for key in ("status_date", "opened_date", "agreed_date"):
        v = props.get(key)
        parsed = _date_or_none(v)
        if parsed is not None and (parsed[0].year < 1900 or parsed[0].year > 2100):
            out.append(("dates", f"{key} {v!r} is outside 1900-2100"))
    return out


def article_span(rec: Mapping[str, Any]) -> Issues:
    """Rule ``article-span``: the quote is exactly article_end - article_start characters long."""
    s, e, q = rec.get("article_start"), rec.get("article_end"), rec.get("article_quote")
    if not (isinstance(s, int) and isinstance(e, int)) or isinstance(s, bool) or isinstance(e, bool):
        return []
    if e <= s:
        return [("article-span", f"article_end {e} is not after article_start {s}")]
    if isinstance(q, str) and len(q) != e - s:
        return [("article-span", f"article_quote has {len(q)} characters but article_end - article_start = {e - s}")]
    return []


# ---------------------------------------------------------------- one collection


def _header(layer: str, fc: Mapping[str, Any], feats: list[Any]) -> Issues:
    """Rule ``collection`` for a catalog layer: its name, metadata and at least one feature."""
    out: Issues = []
    if fc.get("name") != layer:
        out.append(("collection", f"name is {short(repr(fc.get('name')), 40)}, expected {layer!r}"))
    meta = fc.get("metadata")
    if not isinstance(meta, dict):
        out.append(("collection", "no 'metadata' member (title, description, sources, license, attribution)"))
    else:
        for key in ("title", "description", "license", "attribution"):
            if not isinstance(meta.get(key), str) or not meta.get(key):
                out.append(("collection", f"metadata.{key} is missing or empty"))
        if not isinstance(meta.get("sources"), list) or not meta.get("sources"):
            out.append(("collection", "metadata.sources is missing or empty"))
    if not feats:
        out.append(("collection", "layer has no features"))
    return out


class _Layer:
    """The state of one layer being checked: its problems, ids seen, property types, shapes."""

    def __init__(self, layer: str, shapes: dict[str, Any], props: dict[str, Mapping[str, Any]]) -> None:
        self.layer = layer
        self.known = catalog.has(layer)
        self.extent = ATLAS_EXTENT if not self.known or catalog.get(layer).in_atlas_extent else None
        self.problems: list[str] = []
        self.seen: dict[str, int] = {}
        self.types: dict[str, dict[str, str]] = {}
        self.shapes = shapes
        self.props = props

    def add(self, fid: str, rule: str, detail: str) -> None:
        self.problems.append(problem(self.layer, fid, rule, detail))

    def feature_id(self, i: int, raw_id: Any) -> str:
        """The id shown in problem lines (``#<n>`` when the feature has none); rule duplicate-id."""
        fid = f"#{i + 1}"
        if not (isinstance(raw_id, str) and raw_id):
            self.add(fid, "feature", f"id is {short(repr(raw_id), 40)}; every feature needs a non-empty string id")
            return fid
        fid = short(raw_id, 80)
        if not re.fullmatch(r"[^\s:]+", fid):
            fid = repr(fid)  # keep "<layer>:<id>: <rule>" parseable
        if raw_id in self.seen:
            self.add(fid, "duplicate-id", f"id also used by feature {self.seen[raw_id]}")
        else:
            self.seen[raw_id] = i + 1
        return fid

    def feature(self, i: int, feat: Any) -> None:
        if not isinstance(feat, dict):
            self.add(f"#{i + 1}", "feature", f"expected a Feature object, got {type(feat).__name__}")
            return
        raw_id = feat.get("id")
        fid = self.feature_id(i, raw_id)
        try:
            self._feature_body(fid, raw_id, feat)
        except Exception as exc:  # noqa: BLE001 - a checker bug must still be one line, not a traceback
            self.add(fid, "check-error", f"{type(exc).__name__}: {exc}")

    def _feature_body(self, fid: str, raw_id: Any, feat: dict[str, Any]) -> None:
        if feat.get("type") != "Feature":
            self.add(fid, "feature", f"type is {short(repr(feat.get('type')), 40)}, expected 'Feature'")
        if "crs" in feat:
            self.add(fid, "crs", "feature has a 'crs' member")
        props = feat.get("properties")
        if not isinstance(props, dict):
            self.add(fid, "feature", "properties is not an object")
            props = {}
        geom = feat.get("geometry")
        shp = None
        if geom is None:
            self.add(fid, "empty", "geometry is null; every feature of an atlas layer has a geometry")
        else:
            geo_problems, shp = check_geometry(geom, extent=self.extent)
            for rule, detail in geo_problems:
                self.add(fid, rule, detail)
        if self.known:
            for _, msg in schema_problems(self.layer, feat):
                self.add(fid, "schema", msg)
        for rule, detail in check_properties(self.layer, fid, props):
            self.add(fid, rule, detail)
        for key, value in props.items():
            jt = json_type(value)
            if jt != "null":
                self.types.setdefault(key, {}).setdefault(jt, fid)
        if isinstance(raw_id, str) and raw_id and raw_id not in self.props:
            self.props[raw_id] = props
            if shp is not None:
                self.shapes[raw_id] = shp

    def field_types(self) -> None:
        """Rule ``field-type``: one JSON type per property in the whole layer."""
        for key, seen_types in self.types.items():
            if len(seen_types) > 1:
                which = ", ".join(f"{t} (e.g. {f})" for t, f in sorted(seen_types.items()))
                self.add("*", "field-type", f"property {key!r} holds several JSON types: {which}")


def check_collection(layer: str, fc: Any, shapes: dict[str, dict[str, Any]],
                     props_by_id: dict[str, dict[str, Mapping[str, Any]]]) -> tuple[list[str], int]:
    """Every problem of one layer, and its feature count; fills ``shapes`` and ``props_by_id``
    (feature id -> shapely geometry / properties) for the topology rules."""
    def fail(rule: str, detail: str) -> tuple[list[str], int]:
        return [problem(layer, "*", rule, detail)], 0

    if not isinstance(fc, dict):
        return fail("collection", f"expected a FeatureCollection object, got {type(fc).__name__}")
    problems: list[str] = []
    if fc.get("type") != "FeatureCollection":
        problems.append(problem(layer, "*", "collection",
                                f"type is {short(repr(fc.get('type')), 40)}, expected 'FeatureCollection'"))
    if "crs" in fc:
        problems.append(problem(layer, "*", "crs", "FeatureCollection has a 'crs' member; RFC 7946 removed it "
                                "(coordinates are WGS84 lon/lat)"))
    feats = fc.get("features")
    if not isinstance(feats, list):
        problems.append(problem(layer, "*", "collection", "'features' is missing or not an array"))
        return problems, 0
    state = _Layer(layer, shapes.setdefault(layer, {}), props_by_id.setdefault(layer, {}))
    if state.known:
        problems.extend(problem(layer, "*", rule, detail) for rule, detail in _header(layer, fc, feats))
    for i, feat in enumerate(feats):
        state.feature(i, feat)
    state.field_types()
    return problems + state.problems, len(feats)
