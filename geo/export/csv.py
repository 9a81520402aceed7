"""layers/events.csv: the events as one CSV (ACLED-style columns, a point, the geometry as WKT)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from geo import catalog, geodesy
from geo.files import CSVWriter
from geo.version import DATA_VERSION

EVENTS_CSV = "events.csv"

#: Longest WKT cell written to events.csv: under Excel's 32,767-character cell limit and Python
#: csv's default field limit (131,072), so the file opens in the tools people use for CSV.
CSV_WKT_MAX_CHARS: int = 32_000
#: Simplification tolerances tried, in order, when a geometry's WKT is longer than that (metres).
CSV_WKT_TOLERANCES_M: tuple[float, ...] = (10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)


def csv_wkt(geom: Any) -> tuple[str, float]:
    """WKT of ``geom`` (6 decimals) and the simplification tolerance in metres (0 = exact) used to
    keep it under CSV_WKT_MAX_CHARS."""
    import shapely

    text = shapely.to_wkt(geom, rounding_precision=6, trim=True)
    for tol_m in CSV_WKT_TOLERANCES_M:
        if len(text) <= CSV_WKT_MAX_CHARS:
            break
        simpler = geodesy.simplify_within(geom, tol_m)
        text = shapely.to_wkt(simpler, rounding_precision=6, trim=True)
    else:
        tol_m = CSV_WKT_TOLERANCES_M[-1]
    if text == shapely.to_wkt(geom, rounding_precision=6, trim=True):
        return text, 0.0
    return text, tol_m


def events_csv(fc: Mapping[str, Any]) -> bytes:
    """Events as CSV: id, geometry type, a point (lon/lat: the point; for several points the first,
    else a point on the geometry), every property in schema order (dates as ISO text), the geometry
    as WKT, simplified only when its WKT would not fit a spreadsheet cell (``wkt_simplified_m``),
    then the row's licence (SPDX id) and the data version."""
    from shapely.geometry import shape

    feats = list(fc.get("features", []))
    props = catalog.property_names("events")
    extra = sorted({k for f in feats for k in (f.get("properties") or {})} - set(props))
    # the licence (SPDX id) and data version on every row: a CSV has no metadata, a header comment
    # breaks spreadsheets and most CSV readers, and a sidecar file gets lost when the CSV is copied
    spdx = str((fc.get("metadata") or {}).get("license_id") or catalog.get("events").license)
    cols = ["id", "geometry_type", "lon", "lat", *props, *extra, "wkt", "wkt_simplified_m", "license", "data_version"]
    buf = io.StringIO()
    w = CSVWriter(buf)  # formula-leading text gets OWASP's apostrophe (issue 20)
    w.writerow(cols)
    for f in feats:
        g = shape(f["geometry"])
        pt = g if g.geom_type == "Point" else g.geoms[0] if g.geom_type == "MultiPoint" else g.representative_point()
        p = f.get("properties") or {}
        row: list[Any] = [f.get("id"), g.geom_type, _num(round(pt.x, 6)), _num(round(pt.y, 6))]
        for k in [*props, *extra]:
            v = p.get(k)
            row.append("" if v is None else "true" if v is True else "false" if v is False
                       else ";".join(map(str, v)) if isinstance(v, list) else _num(v) if isinstance(v, float) else v)
        text, tol_m = csv_wkt(g)
        row.extend([text, _num(tol_m), spdx, DATA_VERSION])
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def _num(x: float) -> str:
    return repr(x + 0.0)
