"""The typed field plan every tabular format shares: which columns a layer gets, of which type, and
their values as numpy columns; plus the WKB geometry column of one geometry family.

One home for the GeoPackage (geo/export/gpkg.py), GeoParquet and FlatGeobuf (geo/export/arrow.py), so that
the same property has the same type and value in every format. Types come from the layer's JSON
Schema through the catalog (geo/catalog.py), never from the data of one build.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo import catalog, dates, io
from geo.errors import GeoError
from geo.version import DATA_VERSION

CRS = "EPSG:4326"
_FAMILY = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "area", "MultiPolygon": "area",
}
_SINGLE = {"point": "Point", "line": "LineString", "area": "Polygon"}


def field_plan(layer: str, features: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """``[(field name, kind, property)]`` for ``layer``; kind: str, int, float, bool, date, date_iso.

    Known layers follow their schema (types do not depend on the data, so the GeoPackage's
    table definitions never change between builds); unknown layers are inferred.
    """
    # a table of rows without feature ids (articles) has no id column
    plan: list[tuple[str, str, str]] = [] if layer == catalog.ARTICLES_TABLE else [("id", "str", "")]
    if catalog.has(layer) or layer in ("claims", catalog.ARTICLES_TABLE):
        for name, spec in catalog.fields(layer).items():
            if layer == "claims" and name == "id":
                continue
            types = spec.get("type", "string")
            types = [types] if isinstance(types, str) else list(types)
            if spec.get("format") == "partial-date":
                plan += [(name, "date", name), (f"{name}_iso", "date_iso", name)]
            elif "integer" in types:
                plan.append((name, _int_kind(spec), name))
            elif "number" in types and "string" not in types:
                plan.append((name, "float", name))
            elif "boolean" in types:
                plan.append((name, "bool", name))
            else:
                plan.append((name, "str", name))
        return plan
    seen: dict[str, str] = {}
    for f in features:
        for k, v in (f.get("properties") or {}).items():
            if v is None:
                seen.setdefault(k, "")
                continue
            kind = ("bool" if isinstance(v, bool) else "int" if isinstance(v, int)
                    else "float" if isinstance(v, float) else "str")
            old = seen.get(k) or kind
            seen[k] = kind if old == kind else ("float" if {old, kind} == {"int", "float"} else "str")
    return plan + [(k, v or "str", k) for k, v in seen.items()]


#: Integer kinds and their numpy types: the schema's range picks the narrowest OGR subtype that holds
#: it (Int16 for small codes such as geo_precision; Integer otherwise), so KML, CSV and R read
#: small codes as integers rather than 64-bit numbers that some tools turn into decimals.
INT_DTYPES = {"int16": "int16", "int32": "int32", "int": "int64"}


def _int_kind(spec: Mapping[str, Any]) -> str:
    """``int16`` when the schema bounds the integer within -32768..32767 (an enum or min/max), else ``int32``."""
    values = [v for v in spec.get("enum", []) if isinstance(v, int)]
    lo = min(values) if values else spec.get("minimum")
    hi = max(values) if values else spec.get("maximum")
    if lo is not None and hi is not None and -32768 <= lo and hi <= 32767:
        return "int16"
    return "int32"


def column(kind: str, values: list[Any]) -> tuple[Any, Any]:
    import numpy as np

    if kind in ("str", "date_iso"):
        out = np.array([None if v is None else (";".join(v) if isinstance(v, list) else str(v)) for v in values],
                       dtype=object)
        return out, None
    if kind == "date":
        days = []
        for v in values:
            day = None
            if isinstance(v, str):
                try:
                    first, _, prec = dates.parse_partial_date(v)
                    day = first.isoformat() if prec == "day" else None
                except ValueError:
                    day = None
            days.append(day or "NaT")
        return np.array(days, dtype="datetime64[D]"), None
    if kind in INT_DTYPES:
        mask = np.array([v is None for v in values], dtype=bool)
        ints = [0 if v is None else int(v) for v in values]
        info = np.iinfo(INT_DTYPES[kind])
        bad = [v for v in ints if not info.min <= v <= info.max]
        if bad:
            raise GeoError(f"integer {bad[0]} does not fit the {kind} field its schema declares")
        return np.array(ints, dtype=INT_DTYPES[kind]), mask
    if kind == "float":
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64"), None
    if kind == "bool":
        mask = np.array([v is None for v in values], dtype=bool)
        return np.array([bool(v) for v in values], dtype=bool), mask
    raise AssertionError(kind)


def geometry_column(family: str | None, feats: list[dict[str, Any]]) -> tuple[Any, str]:
    import numpy as np
    import shapely

    geoms = [io.shape(f["geometry"]) for f in feats]
    single = _SINGLE.get(family or "", "Unknown")
    if any(g.geom_type.startswith("Multi") for g in geoms):
        geoms = [g if g.geom_type.startswith("Multi") else
                 getattr(shapely, "Multi" + g.geom_type)([g]) for g in geoms]
        single = "Multi" + single
    return shapely.to_wkb(np.array(geoms, dtype=object), output_dimension=2, byte_order=1), single


def layer_meta(name: str, fc: Mapping[str, Any]) -> dict[str, str]:
    """The release statement every format carries: title, description, licence, attribution, version."""
    meta = fc.get("metadata") or {}
    return {
        "title": str(meta.get("title", name)),
        "description": str(fc.get("description") or meta.get("description", "")),
        "license": str(meta.get("license", "")),
        "license_id": str(meta.get("license_id", "")),
        "attribution": str(meta.get("attribution", "")),
        "data_version": DATA_VERSION,
    }
