"""More release formats from the same build: GeoParquet 1.1 and FlatGeobuf per layer (the KML story: geo/export/kml.py).

Every format reads the same field plan as the GeoPackage (geo/export/fields.py ``field_plan``, from the
JSON Schemas), so a field has the same name and type everywhere: integers as Int16/Int32, numbers
as float64, booleans as booleans, and every date property ``X`` twice, ``X`` as a calendar date
(null unless the date is a full day) and ``X_iso`` as text that keeps partial dates (``2024-01``).
FlatGeobuf has no date-only type, so there ``X`` is a DateTime at 00:00 (GDAL's mapping).

Each file carries the layer's title, licence, attribution and the data version (geo/version.py):
GeoParquet in its key-value metadata (``license``, ``attribution``, ``data_version``) beside the
``geo`` key, FlatGeobuf in its header's title/description/metadata, KML in the document's and each
folder's description. All bytes are a function of the input (tested by building twice).

GeoParquet: WKB geometry column ``geometry`` (ISO WKB, little endian), a ``bbox`` covering column
(GeoParquet 1.1), CRS as PROJJSON of OGC:CRS84 (longitude, latitude), zstd compression,
``ROW_GROUP_SIZE`` rows per row group so readers can stream big files.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo import catalog, release
from geo import io as geo_io
from geo.export import fields as fieldplan
from geo.version import DATA_VERSION

#: Rows per Parquet row group (the unit `geo lengths` streams by).
ROW_GROUP_SIZE = 1024


#: What a column derived from a date property says beyond the property's own description.
_DATE_NOTES = {
    "date_iso": "As ISO text, keeping partial dates (YYYY, YYYY-MM).",
    "date": "As a calendar date; null unless the date is a full day.",
}


def _description(kind: str, prop: str | None, descr: Mapping[str, str]) -> str:
    """A column's description (GeoParquet and FlatGeobuf field metadata): the schema's, plus what a
    date column does with partial dates."""
    text = descr.get(prop, "") if prop else ""
    return f"{text} {_DATE_NOTES[kind]}".strip() if kind in _DATE_NOTES else text


def _descriptions(layer: str) -> dict[str, str]:
    """Property -> description from the layer's JSON Schema (empty for unknown layers)."""
    if not catalog.has(layer):
        return {}
    props = catalog.fields(layer)
    return {k: str(v.get("description", "")) for k, v in props.items()}


# ---------------------------------------------------------------------------- GeoParquet
def _arrow_type(kind: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return {"str": pa.string(), "date_iso": pa.string(), "date": pa.date32(), "int16": pa.int16(),
            "int32": pa.int32(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}[kind]


def geoparquet_bytes(name: str, fc: Mapping[str, Any]) -> bytes:
    """One layer as GeoParquet 1.1 (WKB, bbox covering, CRS84), with licence and version metadata."""
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
    import shapely  # type: ignore[import-untyped]
    from pyproj import CRS


    feats = list(fc.get("features", []))
    plan = fieldplan.field_plan(name, feats)
    descr = _descriptions(name)
    arrays, fields = [], []
    for fname, kind, prop in plan:
        values = [f.get("id") if not prop else (f.get("properties") or {}).get(prop) for f in feats]
        data, mask = fieldplan.column(kind, values)  # same values as the GeoPackage
        if kind == "date":
            arr = pa.array(data, type=pa.date32(), from_pandas=True)
        elif mask is not None:
            arr = pa.array(data, type=_arrow_type(kind), mask=mask)
        elif kind == "float":
            arr = pa.array(data, type=pa.float64(), from_pandas=True)  # NaN = null
        else:
            arr = pa.array(list(data), type=_arrow_type(kind))
        text = _description(kind, prop, descr) if prop else "Feature id (the GeoJSON id member)."
        fields.append(pa.field(fname, arr.type, metadata={"description": text} if text else None))
        arrays.append(arr)
    geoms = [geo_io.shape(f["geometry"]) for f in feats]
    wkb = shapely.to_wkb(np.array(geoms, dtype=object), output_dimension=2, byte_order=1, flavor="iso")
    bounds = shapely.bounds(np.array(geoms, dtype=object)) if geoms else np.zeros((0, 4))
    bbox = pa.StructArray.from_arrays([pa.array(bounds[:, i], type=pa.float64()) for i in range(4)],
                                      names=["xmin", "ymin", "xmax", "ymax"])
    fields += [pa.field("geometry", pa.binary()), pa.field("bbox", bbox.type)]
    arrays += [pa.array(list(wkb), type=pa.binary()), bbox]
    total = ([float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()),
              float(bounds[:, 3].max())] if geoms else [])
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {
            "encoding": "WKB",
            "geometry_types": sorted({g.geom_type for g in geoms}),
            "crs": CRS("OGC:CRS84").to_json_dict(),
            "edges": "planar",
            "bbox": total,
            "covering": {"bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}},
        }},
    }
    meta = {"geo": json.dumps(geo, separators=(",", ":")), **fieldplan.layer_meta(name, fc)}
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)
    return buf.getvalue()


def table_parquet_bytes(name: str, rows: list[dict[str, Any]]) -> bytes:
    """A table without geometry (the articles table) as plain Parquet: the field plan's columns and
    types, each column's description, and the table's licence and data version in the metadata."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    feats: list[dict[str, Any]] = [{"id": None, "properties": r} for r in rows]
    descr = {k: str(v.get("description", "")) for k, v in catalog.fields(name).items()}
    arrays, fields = [], []
    for fname, kind, prop in fieldplan.field_plan(name, feats):
        data, mask = fieldplan.column(kind, [r.get(prop) for r in rows])
        if kind == "date":
            arr = pa.array(data, type=pa.date32(), from_pandas=True)
        elif mask is not None:
            arr = pa.array(data, type=_arrow_type(kind), mask=mask)
        else:
            arr = pa.array(list(data), type=_arrow_type(kind))
        text = _description(kind, prop, descr)
        fields.append(pa.field(fname, arr.type, metadata={"description": text} if text else None))
        arrays.append(arr)
    spdx, statement, attribution, _ = release.layer_license(name)
    meta = {"title": "Articles", "description": release.description(name, "Articles"), "license": statement,
            "license_id": spdx, "attribution": attribution, "data_version": DATA_VERSION}
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)
    return buf.getvalue()


# ---------------------------------------------------------------------------- FlatGeobuf
def flatgeobuf_bytes(name: str, fc: Mapping[str, Any]) -> bytes:
    """One layer as FlatGeobuf (spatial index on), licence and version in the header metadata."""
    from pyogrio import raw  # type: ignore[import-untyped]


    feats = list(fc.get("features", []))
    plan = fieldplan.field_plan(name, feats)
    names, data, masks = [], [], []
    for fname, kind, prop in plan:
        values = [f.get("id") if not prop else (f.get("properties") or {}).get(prop) for f in feats]
        arr, mask = fieldplan.column(kind, values)
        names.append(fname)
        data.append(arr)
        masks.append(mask)
    fams = {fieldplan._FAMILY.get((f.get("geometry") or {}).get("type", "")) for f in feats} - {None}
    if len(fams) == 1:
        geometry, gtype = fieldplan.geometry_column(next(iter(fams)), feats)
    else:  # a layer mixing points, lines and areas: FlatGeobuf's "Unknown" (any) geometry type
        import numpy as np
        import shapely  # type: ignore[import-untyped]

        geometry = shapely.to_wkb(np.array([geo_io.shape(f["geometry"]) for f in feats], dtype=object),
                                  output_dimension=2, byte_order=1)
        gtype = "Unknown"
    meta = fieldplan.layer_meta(name, fc)
    with tempfile.TemporaryDirectory(prefix="geo-fgb-") as tmp:
        path = str(Path(tmp) / f"{name}.fgb")
        raw.write(path, geometry, data, names, field_mask=masks, layer=name, driver="FlatGeobuf",
                  geometry_type=gtype, crs=fieldplan.CRS,
                  layer_options={"TITLE": meta["title"], "DESCRIPTION": meta["description"], "SPATIAL_INDEX": "YES"},
                  layer_metadata={k.upper(): v for k, v in meta.items() if k not in ("title", "description")})
        return Path(path).read_bytes()


def release_files(layers: Mapping[str, Mapping[str, Any]]) -> dict[str, bytes]:
    """File name -> bytes: ``<layer>.parquet`` and ``<layer>.fgb`` per layer."""
    out: dict[str, bytes] = {}
    for name in [n for n in catalog.names() if n in layers and catalog.get(n).exported]:
        out[f"{name}.parquet"] = geoparquet_bytes(name, layers[name])
        out[f"{name}.fgb"] = flatgeobuf_bytes(name, layers[name])
    return out
