"""`geo lengths` data model: what is measured (Measured, Source), stated lengths and their comparison."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard

from geo.lengths import measure

GEOJSON_SUFFIXES = (".geojson", ".json")


OGR_SUFFIXES = (".gpkg", ".shp", ".fgb", ".gpx", ".kml", ".kmz")
#: GeoParquet, read by row group with pyarrow (geo/lengths/parquet.py).
PARQUET_SUFFIXES = (".parquet", ".geoparquet")


LINE_TYPES = ("LineString", "MultiLineString")


AREA_TYPES = ("Polygon", "MultiPolygon")


#: GEM flags drawn/known length ratios beyond +/-33 % (GGIT QC); our schematic routes are
#: drawn via towns, so they legitimately run short of the built route by up to that much.
DEFAULT_TOLERANCE_PCT = 33.0


class Stated(NamedTuple):
    """A published length carried by a feature: value, the property it came from, its source.
    (Values that never change are NamedTuples: a dataclass costs 0.3-0.6 ms to make at import,
    a tenth of what `geo lengths` adds to Python's start on a small file.)"""

    field: str
    km: float
    source: str | None


@dataclass
class Measured:
    """One feature's measurement (all lengths in metres)."""

    path: str
    layer: str
    index: int
    fid: str
    name: str | None
    geometry_type: str
    parts: int
    vertices: int
    length_m: float = 0.0
    chord_m: float | None = None
    stated: list[Stated] = field(default_factory=list)
    by_country_m: dict[str, float] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    coords: list[measure.Part] | None = None  # kept only when a split or curve needs them

    @property
    def is_perimeter(self) -> bool:
        return self.geometry_type in AREA_TYPES


@dataclass
class Source:
    """One file (or one layer of a multi-layer file) and its measured features."""

    path: str
    layer: str
    crs: str | None
    features: list[Measured]
    alternatives: bool = False  # features are variants of one line: a total makes no sense
    skipped: dict[str, int] = field(default_factory=dict)  # geometry type -> count
    bbox: tuple[float, float, float, float] | None = None  # lon/lat extent of what was read
    warnings: list[str] = field(default_factory=list)  # for stderr: unusable stated lengths, fields renamed


def _usable_km(value: Any) -> TypeGuard[float]:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value > 0)


def stated_lengths(props: dict[str, Any], problems: list[str] | None = None) -> list[Stated]:
    """Published lengths in a feature's properties.

    ``length_known_km`` (+ ``length_known_source``) and every ``published_length_km_<tag>``
    (+ ``published_length_source_<tag>``). A bridged stretch of the border repeats the whole
    border's published figures; they do not describe the stretch, so they are ignored there.
    A value that is present (not null or empty) but not a positive finite number ("abc",
    "902" as text, 0, NaN) is not compared, and ``problems`` gets a sentence saying so.
    """
    out: list[Stated] = []
    if not props:
        return out
    keys = ["length_known_km"]
    if props.get("kind") != "bridged_stretch":
        keys += [k for k in props if k.startswith("published_length_km_")]
    for key in keys:
        val = props.get(key)
        if _usable_km(val):
            source_key = ("length_known_source" if key == "length_known_km"
                          else "published_length_source_" + key[len("published_length_km_") :])
            out.append(Stated(key, float(val), props.get(source_key)))
        elif problems is not None and val is not None and val != "":
            shown = repr(val) if len(repr(val)) <= 40 else repr(val)[:39] + "…"
            problems.append(f"{key} is {shown}, not a positive number of km: not compared")
    return out


#: One message for a NaN or infinite coordinate, whichever reader finds it.
NONFINITE = "coordinates include NaN or infinity"


class Comparison(NamedTuple):
    feature: Measured
    stated: Stated
    difference_m: float  # measured - stated
    ratio: float | None  # stated / measured: GEM's wiggle factor
    status: str  # ok | outside | impossible


def compare(f: Measured, tolerance_pct: float) -> list[Comparison]:
    """Each stated length of ``f`` against its measured length.

    outside: the wiggle factor (stated / measured) differs from 1 by more than the tolerance.
    impossible: the stated length is shorter than the geodesic chord between the line's ends.
    """
    out = []
    for s in f.stated:
        stated_m = s.km * 1000.0
        ratio = stated_m / f.length_m if f.length_m > 0 else None
        if f.chord_m is not None and stated_m < f.chord_m:
            status = "impossible"
        elif ratio is None or abs(ratio - 1.0) * 100.0 > tolerance_pct:
            status = "outside"
        else:
            status = "ok"
        out.append(Comparison(f, s, f.length_m - stated_m, ratio, status))
    return out
