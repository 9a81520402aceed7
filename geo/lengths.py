"""`geo lengths`: read line features from our layers or any route file and measure them.

This module reads and measures; :mod:`geo.lengths_cli` parses arguments and prints.
GeoJSON is streamed by :mod:`geo.geojson_stream` (bounded memory); GeoPackage, Shapefile,
FlatGeobuf, GPX and KML go through pyogrio/GDAL (imported only for those formats).
Never imports geopandas or folium; shapely only for the per-country split.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import measure, settings
from geo.errors import InputError

if TYPE_CHECKING:
    import numpy as np

# numpy (and the numpy-based stream reader) are imported only for files larger than
# SMALL_FILE_BYTES or when coordinates must be kept: one small file must start and finish
# in well under 0.3 s, and numpy alone costs ~0.15 s to import here.

GEOJSON_SUFFIXES = (".geojson", ".json")
OGR_SUFFIXES = (".gpkg", ".shp", ".fgb", ".gpx", ".kml", ".kmz")
LINE_TYPES = ("LineString", "MultiLineString")
AREA_TYPES = ("Polygon", "MultiPolygon")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")

#: GEM flags drawn/known length ratios beyond +/-33 % (GGIT QC); our schematic routes are
#: drawn via towns, so they legitimately run short of the built route by up to that much.
DEFAULT_TOLERANCE_PCT = 33.0


@dataclass
class Stated:
    """A published length carried by a feature: value, the property it came from, its source."""

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


# -- input checks ------------------------------------------------------------------------------


def check_path(path: str) -> Path:
    """Refuse URLs and GDAL virtual paths before touching anything; check the file exists."""
    if _URL.match(path) or path.startswith("/vsi") or path.lower().startswith(("vsi", "zip:")):
        raise InputError(f"{path}: URLs and GDAL virtual paths are refused (geo lengths never "
                         "touches the network); download the file and pass its local path")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    suffix = p.suffix.lower()
    if suffix not in GEOJSON_SUFFIXES + OGR_SUFFIXES:
        kinds = ", ".join(GEOJSON_SUFFIXES + OGR_SUFFIXES)
        raise InputError(f"{path}: unknown format {suffix or '(no extension)'!r}; expected one of {kinds}")
    return p


def _usable_km(value: Any) -> bool:
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


def _crs_transformer(crs: Any, path: str) -> tuple[Any, str | None]:
    """(pyproj Transformer to lon/lat WGS84 or None, CRS label) for a declared CRS."""
    if crs is None:
        return None, None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        c = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"{path}: cannot understand its CRS {str(crs)[:80]!r} ({exc})") from None
    label = c.to_string()
    if c.equals("OGC:CRS84") or c.equals("EPSG:4326", ignore_axis_order=True):
        return None, label  # lon/lat WGS84 already (GeoJSON and GDAL use x=lon)
    return Transformer.from_crs(c, "OGC:CRS84", always_xy=True), label


def _legacy_crs(value: Any, path: str) -> Any:
    """The CRS named by a pre-RFC 7946 GeoJSON ``crs`` member."""
    if value is None:
        return None
    if isinstance(value, dict):
        props = value.get("properties") or {}
        if value.get("type") == "name" and isinstance(props.get("name"), str):
            return props["name"]
        if value.get("type") == "EPSG" and props.get("code") is not None:
            return f"EPSG:{props['code']}"
    raise InputError(f"{path}: unsupported 'crs' member {json.dumps(value)[:80]}")


# -- the measuring sink ------------------------------------------------------------------------


class _Feature:
    __slots__ = ("chunks", "first", "last", "owner", "parts", "vertices")

    def __init__(self, owner: int, keep: bool) -> None:
        self.owner = owner
        self.vertices = 0
        self.parts = 0
        self.first: tuple[float, float] | None = None
        self.last: tuple[float, float] | None = None
        self.chunks: list[tuple[Any, Any, Any]] | None = [] if keep else None


class MeasureSink:
    """Receives positions (from the GeoJSON stream or OGR), transforms and measures them."""

    def __init__(self, path: str, layer: str, *, keep_coords: bool, crs: Any = None) -> None:
        self.path = path
        self.layer = layer
        self.keep = keep_coords
        self.measurer = measure.BatchMeasurer()
        self.transformer, self.crs_label = _crs_transformer(crs, path)
        self.declared_crs = crs is not None
        self.late_crs: Any = None
        self.seen_positions = False
        self.out_of_range: tuple[float, float, float, float] | None = None
        self.nonfinite = False  # a NaN or infinite coordinate (after any CRS transform)
        self.where = path  # how messages name the source (read_ogr adds the layer)
        self.field_aliases: dict[str, str] = {}  # file field name -> name read as (Shapefile)
        self.bbox = [math.inf, math.inf, -math.inf, -math.inf]
        self._stack: list[_Feature] = []
        self._owners = 0
        # small features decoded whole, waiting to be measured in bulk
        self._sx: list[float] = []
        self._sy: list[float] = []
        self._sown: list[int] = []
        self._snew: list[bool] = []
        self._spend: list[tuple[_Feature, int, int]] = []
        self.done: list[tuple[_Feature, dict[str, Any]]] = []

    def crs(self, value: Any) -> None:
        name = _legacy_crs(value, self.path)
        if self.seen_positions:
            self.late_crs = name  # the caller reads the file again with it
        else:
            self.transformer, self.crs_label = _crs_transformer(name, self.path)
            self.declared_crs = name is not None

    def begin_feature(self) -> None:
        self._flush_small()  # a streamed feature's chunks must not interleave with pending ones
        self._stack.append(_Feature(self._owners, self.keep))
        self._owners += 1

    def _accept(self, x: np.ndarray, y: np.ndarray) -> bool:
        """Extend the bbox; False when the numbers cannot be lon/lat (and no CRS says so)."""
        w, s, e, n = float(x.min()), float(y.min()), float(x.max()), float(y.max())  # NaN propagates
        if not (math.isfinite(w) and math.isfinite(s) and math.isfinite(e) and math.isfinite(n)):
            self.nonfinite = True  # nothing (not even a late 'crs' member) can explain these
            return False
        b = self.bbox
        b[0], b[1], b[2], b[3] = min(b[0], w), min(b[1], s), max(b[2], e), max(b[3], n)
        if self.out_of_range is not None or measure.lonlat_range_problem((w, s, e, n)):
            self.out_of_range = tuple(b)  # type: ignore[assignment]
            return False  # keep reading: a late 'crs' member may still explain the numbers
        return True

    def _to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        if self.transformer is None:
            return x, y
        tx, ty = self.transformer.transform(x, y)
        return np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)

    def positions(self, x: np.ndarray, y: np.ndarray, new_part: np.ndarray) -> None:
        self.seen_positions = True
        x, y = self._to_lonlat(x, y)
        if not self._accept(x, y):
            return
        f = self._stack[-1]
        new_part = new_part.copy()
        if f.vertices == 0:
            new_part[0] = True
        f.vertices += len(x)
        f.parts += int(new_part.sum())
        if f.first is None:
            f.first = (float(x[0]), float(y[0]))
        f.last = (float(x[-1]), float(y[-1]))
        if f.chunks is not None:
            f.chunks.append((x.copy(), y.copy(), new_part))
        self.measurer.add(f.owner, x, y, new_part)

    def feature_dict(self, obj: dict[str, Any]) -> None:
        """A small feature decoded whole: its positions wait in Python lists and are
        converted, transformed and measured in bulk (per-feature numpy calls would cost
        more than the parsing)."""
        self.seen_positions = True
        geom = obj.get("geometry")
        fid = obj.get("id")
        label = str(fid) if fid is not None else f"#{len(self.done) + 1}"
        rec = _Feature(self._owners, self.keep)
        self._owners += 1
        start = len(self._sx)
        try:
            for part in _quick_parts(geom):
                self._sx.extend([p[0] for p in part])
                self._sy.extend([p[1] for p in part])
                self._snew.append(True)
                self._snew.extend([False] * (len(part) - 1))
                rec.vertices += len(part)
                rec.parts += 1
        except (TypeError, IndexError, KeyError, AttributeError):
            del self._sx[start:], self._sy[start:], self._snew[start:]
            _line_parts(geom, self.path, label)  # the validating walk names the problem
            raise InputError(f"{self.path}: feature {label}: invalid coordinates") from None
        end = len(self._sx)
        if end > start:
            self._sown.extend([rec.owner] * (end - start))
            self._spend.append((rec, start, end))
        gtype = geom.get("type") if isinstance(geom, dict) else None
        self.done.append((rec, {"id": fid, "properties": obj.get("properties"), "geometry_type": gtype,
                                "is_collection": False}))
        if end >= 1 << 16:
            self._flush_small()

    def _flush_small(self) -> None:
        import numpy as np

        if not self._sx:
            return
        x, y = np.array(self._sx), np.array(self._sy)
        if x.dtype.kind not in "fiu" or y.dtype.kind not in "fiu" or x.ndim != 1 or y.ndim != 1:
            raise InputError(f"{self.path}: invalid coordinates: a position must be an array of numbers")
        x, y = x.astype(np.float64, copy=False), y.astype(np.float64, copy=False)
        own = np.array(self._sown, dtype=np.int64)
        new = np.array(self._snew, dtype=bool)
        pending = self._spend
        self._sx, self._sy, self._sown, self._snew, self._spend = [], [], [], [], []
        x, y = self._to_lonlat(x, y)
        if not self._accept(x, y):
            return
        for rec, a, b in pending:
            rec.first = (float(x[a]), float(y[a]))
            rec.last = (float(x[b - 1]), float(y[b - 1]))
            if rec.chunks is not None:
                rec.chunks.append((x[a:b].copy(), y[a:b].copy(), new[a:b].copy()))
        self.measurer.add(own, x, y, new)

    def end_feature(self, members: dict[str, Any]) -> None:
        self.done.append((self._stack.pop(), members))
        if not self._stack and not members.get("type") and not members.get("is_collection"):
            raise InputError(f"{self.path}: not GeoJSON: the top-level object has no 'type' member")

    def results(self) -> list[tuple[_Feature, dict[str, Any], float]]:
        self._flush_small()
        totals = self.measurer.totals_m(self._owners)
        return [(f, m, float(totals[f.owner])) for f, m in self.done]


def _parts_from_chunks(chunks: list[tuple[Any, Any, Any]]) -> list[measure.Part]:
    import numpy as np

    if not chunks:
        return []
    x = np.concatenate([c[0] for c in chunks])
    y = np.concatenate([c[1] for c in chunks])
    new = np.concatenate([c[2] for c in chunks])
    starts = list(np.flatnonzero(new)) + [len(x)]
    return [(x[a:b], y[a:b]) for a, b in itertools.pairwise(starts)]


def _chords_m(records: list[tuple[_Feature, dict[str, Any], float]]) -> dict[int, float]:
    """Geodesic distance between the ends of every single-part line, in one pyproj call."""
    idx = [i for i, (f, m, _) in enumerate(records)
           if m.get("geometry_type") in LINE_TYPES and f.parts == 1 and f.first and f.last]
    if not idx:
        return {}
    firsts = [records[i][0].first for i in idx]
    lasts = [records[i][0].last for i in idx]
    cols: list[Any] = [[p[k] for p in ends] for ends in (firsts, lasts) for k in (0, 1)]  # type: ignore[index]
    if "numpy" in sys.modules:  # already paid for: pyproj converts arrays far faster than lists
        import numpy as np

        cols = [np.array(c, dtype=np.float64) for c in cols]
    _, _, d = measure.GEOD.inv(*cols)
    return {i: float(v) for i, v in zip(idx, d, strict=True)}


def _finish(sink: MeasureSink, records: list[tuple[_Feature, dict[str, Any], float]]) -> Source:
    """Turn raw records into a Source; reject empty or out-of-range input."""
    if sink.nonfinite:
        raise InputError(f"{sink.where}: {NONFINITE}")
    if sink.out_of_range is not None:
        problem = measure.lonlat_range_problem(sink.out_of_range)
        raise InputError(f"{sink.path}: {problem}")
    feats: list[Measured] = []
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    problems: list[str] = []
    chords = _chords_m(records)
    for i, (f, m, length_m) in enumerate(records):
        gtype = m.get("geometry_type")
        if m.get("is_collection") and f.vertices == 0:
            continue  # the FeatureCollection itself
        if gtype not in LINE_TYPES + AREA_TYPES + ("GeometryCollection",):
            skipped[str(gtype)] = skipped.get(str(gtype), 0) + 1
            continue
        fid = m.get("id")
        props = m.get("properties") if isinstance(m.get("properties"), dict) else {}
        label = str(fid) if fid is not None else f"#{i + 1}"
        if f.vertices == 0:
            raise InputError(f"{sink.path}: feature {label}: empty geometry")
        if gtype in LINE_TYPES and f.vertices < 2 * max(f.parts, 1):
            raise InputError(f"{sink.path}: feature {label}: a line needs at least 2 positions")
        chord = chords.get(i)
        name = props.get("name")
        stated = stated_lengths(props, problems)
        if problems:
            aliases = sink.field_aliases
            warnings += [f"{sink.where}: feature {label}: {_alias_note(p, aliases)}" for p in problems]
            problems.clear()
        feats.append(
            Measured(
                path=sink.path, layer=sink.layer, index=i, fid=label,
                name=str(name) if name is not None else None, geometry_type=str(gtype),
                parts=f.parts, vertices=f.vertices, length_m=length_m, chord_m=chord,
                stated=stated, properties=props,
                coords=_parts_from_chunks(f.chunks) if f.chunks is not None else None,
            )
        )
    alternatives = any("variant" in (m.properties or {}) for m in feats)
    bbox = tuple(sink.bbox) if math.isfinite(sink.bbox[0]) else None
    return Source(sink.path, sink.layer, sink.crs_label, feats, alternatives, skipped, bbox,  # type: ignore[arg-type]
                  warnings)


#: One message for a NaN or infinite coordinate, whichever reader finds it.
NONFINITE = "coordinates include NaN or infinity"


def _alias_note(problem: str, aliases: dict[str, str]) -> str:
    """Name the field as the file spells it when it was read under another name."""
    for file_name, read_as in aliases.items():
        if problem.startswith(read_as + " "):
            return f"{read_as} (field {file_name!r}){problem[len(read_as):]}"
    return problem


# -- readers -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_errors(path: str) -> Iterator[None]:
    """The ways reading a GeoJSON file can fail besides its syntax, as one InputError each."""
    try:
        yield
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be GeoJSON") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def read_geojson(path: str, *, keep_coords: bool = False, crs: Any = None) -> Source:
    """Stream a GeoJSON file and measure every line (and polygon perimeter) in it."""
    if not keep_coords and crs is None:
        try:
            small = Path(path).stat().st_size <= SMALL_FILE_BYTES
        except OSError:
            small = False
        if small:
            return read_geojson_small(path)
    from geo import geojson_stream
    from geo.geojson_stream import GeoJSONSyntaxError

    sink = MeasureSink(path, Path(path).stem, keep_coords=keep_coords, crs=crs)
    try:
        with _read_errors(path):
            geojson_stream.read(path, sink)
    except GeoJSONSyntaxError as exc:
        raise InputError(f"{path}: {exc}") from None
    if sink.late_crs is not None and crs is None:
        sink.measurer.totals_m(0)  # let worker threads finish before reading again
        return read_geojson(path, keep_coords=keep_coords, crs=sink.late_crs)
    return _finish(sink, sink.results())


#: GeoJSON files up to this size are read with json.loads and measured without numpy.
SMALL_FILE_BYTES = 2_000_000


class _SmallSink:
    """What _finish needs from a sink, for the numpy-free small-file path."""

    def __init__(self, path: str, crs_label: str | None) -> None:
        self.path = path
        self.layer = Path(path).stem
        self.crs_label = crs_label
        self.out_of_range: tuple[float, float, float, float] | None = None
        self.nonfinite = False
        self.where = path
        self.field_aliases: dict[str, str] = {}
        self.bbox = [math.inf, math.inf, -math.inf, -math.inf]


def _geojson_features(obj: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(obj, dict):
        raise InputError(f"{path}: not GeoJSON: the file must hold one JSON object")
    if not obj.get("type") and "features" not in obj:
        raise InputError(f"{path}: not GeoJSON: the top-level object has no 'type' member")
    if obj.get("type") == "FeatureCollection" or "features" in obj:
        feats = obj.get("features")
        if not isinstance(feats, list) or not all(isinstance(f, dict) for f in feats):
            raise InputError(f"{path}: 'features' must be an array of objects")
        return feats
    if obj.get("type") == "Feature" or "geometry" in obj:
        return [obj]
    return [{"type": "Feature", "properties": None, "geometry": obj}]  # a bare geometry


_DEPTH = {"LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _quick_parts(geom: Any) -> list[list[Any]]:
    """Lines/rings of a decoded geometry without checking each position (the caller's
    list comprehensions fail on a malformed one, and then _line_parts says why)."""
    if geom is None:
        return []
    gtype = geom["type"]
    depth = _DEPTH.get(gtype)
    if depth is None:
        if gtype == "GeometryCollection":
            return [p for g in geom["geometries"] if g.get("type") not in ("Point", "MultiPoint")
                    for p in _quick_parts(g)]
        return []
    c = geom["coordinates"]
    if depth == 1:
        return [c] if c else []
    if depth == 2:
        return [r for r in c if r]
    return [r for poly in c for r in poly if r]


def _line_parts(geom: Any, path: str, label: str) -> list[list[Any]]:
    """Lines/rings (lists of positions) of a decoded geometry; points give none."""
    if geom is None:
        return []
    if not isinstance(geom, dict):
        raise InputError(f"{path}: feature {label}: geometry must be an object or null")
    gtype = geom.get("type")
    if gtype == "GeometryCollection":
        return [p for g in geom.get("geometries") or [] for p in _line_parts(g, path, label)]
    depth = {"LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}.get(str(gtype))
    if depth is None:
        return []
    out: list[list[Any]] = []

    def walk(c: Any, d: int) -> None:
        if not isinstance(c, list):
            raise InputError(f"{path}: feature {label}: invalid coordinates")
        if d == 1:
            for pos in c:
                if (not isinstance(pos, list) or len(pos) < 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
                    raise InputError(f"{path}: feature {label}: a position needs at least 2 numbers")
            if c:
                out.append(c)
            return
        for sub in c:
            walk(sub, d - 1)

    walk(geom.get("coordinates"), depth)
    return out


def read_geojson_small(path: str) -> Source:
    """A small GeoJSON file: json.loads + pyproj on lists (no numpy, fast start-up)."""
    try:
        with _read_errors(path), open(path, "rb") as fh:
            obj = json.loads(fh.read())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    crs = _legacy_crs(obj.get("crs"), path) if isinstance(obj, dict) else None
    transformer, label = _crs_transformer(crs, path)
    sink = _SmallSink(path, label)
    records: list[tuple[_Feature, dict[str, Any], float]] = []
    b = sink.bbox
    for i, f in enumerate(_geojson_features(obj, path)):
        geom = f.get("geometry")
        flabel = str(f.get("id")) if f.get("id") is not None else f"#{i + 1}"
        rec = _Feature(i, keep=False)
        length_m = 0.0
        lengths_m: list[float] = []
        for part in _line_parts(geom, path, flabel):
            xs = [float(p[0]) for p in part]
            ys = [float(p[1]) for p in part]
            if transformer is not None:
                xs, ys = (list(v) for v in transformer.transform(xs, ys))
            # min/max skip a NaN depending on where it is; a sum never does (NaN and +-inf
            # propagate), and only an overflow of huge finite values needs the exact look.
            if not math.isfinite(sum(xs) + sum(ys)) and not all(map(math.isfinite, xs + ys)):
                raise InputError(f"{path}: {NONFINITE}")
            b[0], b[1] = min(b[0], min(xs)), min(b[1], min(ys))
            b[2], b[3] = max(b[2], max(xs)), max(b[3], max(ys))
            rec.vertices += len(xs)
            rec.parts += 1
            if rec.first is None:
                rec.first = (xs[0], ys[0])
            rec.last = (xs[-1], ys[-1])
            lengths_m.append(measure.line_length_m(xs, ys))
        length_m = math.fsum(lengths_m)
        gtype = geom.get("type") if isinstance(geom, dict) else None
        members = {"id": f.get("id"), "properties": f.get("properties"), "geometry_type": gtype}
        records.append((rec, members, length_m))
    if math.isfinite(b[0]) and measure.lonlat_range_problem(b):
        sink.out_of_range = tuple(b)  # type: ignore[assignment]
    return _finish(sink, records)  # type: ignore[arg-type]


_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}


def wkb_parts(buf: bytes) -> tuple[str, list[np.ndarray]]:
    """Geometry type and the position arrays (n x 2) of each line/ring of a 2D WKB geometry."""
    import numpy as np

    parts: list[np.ndarray] = []

    def geom(off: int, top: bool) -> tuple[int, str]:
        order = "<" if buf[off] == 1 else ">"
        code = int(np.frombuffer(buf, dtype=f"{order}u4", count=1, offset=off + 1)[0])
        off += 5
        if code & 0x20000000:  # EWKB SRID
            off += 4
        base = (code & 0xFFFF) % 1000
        if code & 0xC0000000 or code % 1000 != code & 0xFFFF or (code & 0xFFFF) >= 1000:
            raise ValueError("3D/measured WKB (read with force_2d)")
        gname = _WKB_TYPES.get(base)
        if gname is None:
            raise ValueError(f"unsupported WKB geometry type {code}")
        u32 = f"{order}u4"
        f64 = f"{order}f8"

        def count(o: int) -> int:
            return int(np.frombuffer(buf, dtype=u32, count=1, offset=o)[0])

        if base == 1:
            return off + 16, gname
        if base == 2:
            n = count(off)
            parts.append(np.frombuffer(buf, dtype=f64, count=2 * n, offset=off + 4).reshape(n, 2))
            return off + 4 + 16 * n, gname
        if base == 3:
            rings = count(off)
            off += 4
            for _ in range(rings):
                n = count(off)
                parts.append(np.frombuffer(buf, dtype=f64, count=2 * n, offset=off + 4).reshape(n, 2))
                off += 4 + 16 * n
            return off, gname
        members = count(off)
        off += 4
        for _ in range(members):
            off, _sub = geom(off, False)
        return off, gname

    _, gname = geom(0, True)
    return gname, parts


#: GDAL must not go to the network on our behalf (KML network links, remote references).
OGR_OFFLINE: dict[str, str] = {"GDAL_HTTP_TIMEOUT": "1", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".none"}


def read_ogr(path: str, *, keep_coords: bool = False) -> list[Source]:
    """Every line or polygon layer of a GDAL-readable file (GeoPackage, GPX, KML...), read with
    GDAL kept offline (OGR_OFFLINE); the process's GDAL configuration is restored afterwards."""
    import pyogrio

    before = {k: pyogrio.get_gdal_config_option(k) for k in OGR_OFFLINE}
    pyogrio.set_gdal_config_options(OGR_OFFLINE)
    try:
        return _read_ogr(path, keep_coords=keep_coords)
    finally:
        pyogrio.set_gdal_config_options(before)


def _read_ogr(path: str, *, keep_coords: bool) -> list[Source]:
    import numpy as np
    import pyogrio
    import pyogrio.raw

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL/pyogrio raise many types; all mean "cannot open"
        raise InputError(f"{path}: cannot open ({_first_line(exc)})") from None
    sources: list[Source] = []
    gpx = Path(path).suffix.lower() == ".gpx"
    for name, gtype in layers:
        gtype = str(gtype or "")
        if not gtype:
            continue  # tables without geometry (GeoPackage styles, metadata)
        point = re.search(r"(?:Multi)?Point", gtype)
        if point:
            if gpx and name in ("route_points", "track_points"):
                continue  # the vertices of the routes and tracks measured in their own layers
            skipped = _point_layer(path, str(name), point.group())
            if skipped is not None:
                sources.append(skipped)
            continue
        try:
            meta, fids, geoms, fields = pyogrio.raw.read(path, layer=name, force_2d=True, return_fids=True)
        except Exception as exc:  # noqa: BLE001 - as above
            raise InputError(f"{path}: layer {name}: cannot read ({_first_line(exc)})") from None
        if geoms is None:
            continue
        sink = MeasureSink(path, str(name), keep_coords=keep_coords, crs=meta.get("crs"))
        if name != Path(path).stem:
            sink.where = f"{path}: layer {name}"
        names = list(meta.get("fields", []))
        renamed: list[str] = []
        note = ""
        if Path(path).suffix.lower() == ".shp":
            sink.field_aliases, note = shapefile_aliases(names, list(meta.get("dtypes", [])))
            renamed = [sink.field_aliases.get(k, k) for k in names]
        for i in range(len(geoms)):
            props = {k: _py(fields[j][i]) for j, k in enumerate(renamed or names)}
            fid = props.get("id", props.get("fid", fids[i] if fids is not None else i + 1))
            sink.begin_feature()
            gname: str | None = None
            if geoms[i] is not None:
                try:
                    gname, parts = wkb_parts(bytes(geoms[i]))
                except (ValueError, IndexError) as exc:
                    raise InputError(f"{path}: layer {name}: feature {fid}: {exc}") from None
                for p in parts:
                    if len(p):
                        new = np.zeros(len(p), dtype=bool)
                        new[0] = True
                        sink.positions(p[:, 0].copy(), p[:, 1].copy(), new)
            sink.end_feature({"id": fid, "type": "Feature", "properties": props, "geometry_type": gname})
        src = _finish(sink, sink.results())
        if note:
            src.warnings.insert(0, f"{sink.where}: {note}")
        if src.features or src.skipped:
            sources.append(src)
    return sources


def _point_layer(path: str, name: str, gtype: str) -> Source | None:
    """A point layer has no length: a Source with no features that says how many it skipped."""
    import pyogrio

    try:
        info = pyogrio.read_info(path, layer=name, force_feature_count=True)
    except Exception as exc:  # noqa: BLE001 - GDAL/pyogrio raise many types
        raise InputError(f"{path}: layer {name}: cannot read ({_first_line(exc)})") from None
    n = int(info.get("features") or 0)
    if n <= 0:
        return None  # an empty layer (a GPX file without waypoints still has the layer)
    try:
        label = _crs_transformer(info.get("crs"), path)[1]
    except InputError:
        label = str(info.get("crs"))[:80]
    return Source(path, name, label, [], skipped={gtype: n})


#: GDAL's Shapefile driver cuts field names to 10 characters and makes them unique with
#: "_1", "_2"... (first 8 characters + "_1"; 7 + "_10"): length_known_km becomes length_kno,
#: and length_known_source becomes length_k_1 or length_kno, whichever came first.
def _shp_truncation_of(field: str, prefix: str) -> bool:
    """Could ``field`` be a Shapefile-laundered name of a field that starts with ``prefix``?"""
    if len(field) < 10:
        return False
    if field == prefix[:10]:
        return True
    m = re.fullmatch(r"(.+)_(\d+)", field)
    return bool(m) and len(field) == 10 and prefix.startswith(m.group(1))


def _fields(names: list[str]) -> str:
    return ("field " if len(names) == 1 else "fields ") + ", ".join(map(repr, names))


def shapefile_aliases(names: list[str], dtypes: list[Any]) -> tuple[dict[str, str], str]:
    """Map the cut field names of a Shapefile back to ``length_known_km`` and
    ``length_known_source`` (numeric one = km, text one = source; GDAL's numbering depends on
    field order), and a note for stderr: what was read as what, or why nothing could be."""
    if "length_known_km" in names:
        return {}, ""
    kinds = dict(zip(names, [str(d) for d in dtypes], strict=False))
    known = [n for n in names if _shp_truncation_of(n, "length_known_")]
    numeric = [n for n in known if kinds.get(n, "").startswith(("float", "int"))]
    text = [n for n in known if kinds.get(n, "") == "object"]
    published = [n for n in names if _shp_truncation_of(n, "published_length_")]
    aliases: dict[str, str] = {}
    notes = []
    # the one numeric field is the length; with none, the first cut name (a length written as
    # text: its values are then reported one by one as not numbers)
    km = numeric[0] if len(numeric) == 1 else ("length_kno" if not numeric and "length_kno" in text else None)
    others = [n for n in text if n != km]
    if km is not None and len(others) <= 1:
        aliases[km] = "length_known_km"
        if others:
            aliases[others[0]] = "length_known_source"
        notes.append("reading " + " and ".join(f"{k!r} as {v}" for k, v in aliases.items()))
    elif known:
        notes.append(f"{_fields(known)} may be length_known_km or length_known_source but cannot be "
                     "told apart: not compared")
    if published:
        notes.append(f"{_fields(published)} {'looks' if len(published) == 1 else 'look'} like "
                     "published_length_km_<tag> with the tag cut off: not compared")
    if not notes:
        return {}, ""
    return aliases, ("a Shapefile cuts field names to 10 characters, so it cannot carry length_known_km; "
                     + "; ".join(notes) + " (GeoPackage or FlatGeobuf keep the names)")


def _py(v: Any) -> Any:
    if hasattr(v, "item") and not isinstance(v, (list, dict, str, bytes)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def read_any(path: str, *, keep_coords: bool = False) -> list[Source]:
    """Measure one user-supplied file; raises InputError naming the file on any problem."""
    p = check_path(path)
    if p.suffix.lower() in GEOJSON_SUFFIXES:
        sources = [read_geojson(path, keep_coords=keep_coords)]
    else:
        sources = read_ogr(path, keep_coords=keep_coords)
    if not any(s.features for s in sources):
        found: dict[str, int] = {}
        for s in sources:
            for t, n in s.skipped.items():
                found[t] = found.get(t, 0) + n
        what = ", ".join(f"{n} {t}" for t, n in sorted(found.items())) or "no features"
        raise InputError(f"{path}: no line or polygon features to measure (found {what})")
    return sources


# -- our layers --------------------------------------------------------------------------------


def display_path(p: Path) -> str:
    """A layer path as people type it from the repository root (layers/border.geojson)."""
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


#: The layers whose lengths mean something: the border (and its variants) and the pipeline.
#: Other layers (events) draw lines that repeat these geometries; measure them by path.
LENGTH_LAYERS: tuple[str, ...] = ("border.geojson", "pipeline.geojson")


def layer_paths(layers_dir: Path = settings.LAYERS_DIR) -> list[Path]:
    return [layers_dir / name for name in LENGTH_LAYERS if (layers_dir / name).exists()]


def read_layers(layers_dir: Path = settings.LAYERS_DIR, *, keep_coords: bool = True) -> list[Source]:
    """The line layers of layers/: border variants and stretches, pipeline segments."""
    paths = layer_paths(layers_dir)
    if not paths:
        names = " or ".join(LENGTH_LAYERS)
        raise InputError(f"{display_path(layers_dir)}: no {names} found; run `geo build` first")
    out = []
    for p in paths:
        src = read_geojson(display_path(p), keep_coords=keep_coords)
        src.features = [f for f in src.features if f.geometry_type in LINE_TYPES]
        if src.features:
            out.append(src)
    return out


@dataclass
class Frontier:
    """The project's own border line and country polygons, for the per-country split."""

    border: list[measure.Part]
    countries: dict[str, Any]


def load_frontier(layers_dir: Path = settings.LAYERS_DIR) -> Frontier:
    border_path = layers_dir / "border.geojson"
    context_path = layers_dir / "context.geojson"
    for p in (border_path, context_path):
        if not p.exists():
            raise InputError(f"{p}: missing; the per-country split needs it (run `geo build`)")
    src = read_geojson(display_path(border_path), keep_coords=True)
    osm = [f for f in src.features if f.fid == "border-osm"]
    if not osm or not osm[0].coords:
        raise InputError(f"{border_path}: no feature 'border-osm' to split lines at")
    try:
        ctx = json.loads(context_path.read_text(encoding="utf-8"))
        countries = {
            str(f["properties"]["iso_a3"]): f["geometry"]
            for f in ctx["features"]
            if f.get("geometry") and f.get("properties", {}).get("iso_a3")
        }
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{context_path}: cannot read country polygons ({exc})") from None
    return Frontier(osm[0].coords, countries)


def split_sources(sources: list[Source], frontier: Frontier, *, only_crossing_ids: bool = False) -> None:
    """Fill ``by_country_m`` for every line feature (pipeline km in Iran vs Pakistan)."""
    for src in sources:
        if src.alternatives:
            continue  # the border itself: it is the dividing line
        for f in src.features:
            if f.geometry_type in LINE_TYPES and f.coords:
                f.by_country_m = measure.split_by_country(f.coords, frontier.border, frontier.countries)


# -- stated vs measured ------------------------------------------------------------------------


@dataclass
class Comparison:
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


# -- resolution curve --------------------------------------------------------------------------

CURVE_TOLERANCES_M: tuple[float, ...] = (10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0)

CURVE_EXPLANATION = (
    "A border has no single length: the length measured depends on the scale it is drawn "
    "and measured at (Richardson 1961; the coastline paradox). A detailed line follows every "
    "bend of the rivers and ridges it traces, so it is longer; simplifying it (dropping the "
    "vertices that lie within the tolerance of a straight cut) removes the bends smaller than "
    "the tolerance and shortens it, and a small-scale map such as Natural Earth 1:10m is "
    "shorter still. Published figures come from different sources and scales and rarely say "
    "which: 909 km (older CIA World Factbook, Wikipedia) and 959 km (current Factbook, the "
    "article) differ by 50 km without either being wrong about the ground. All lengths here are "
    "geodesic on the WGS84 ellipsoid; only the vertices measured change from row to row."
)


def published_scale_note(points: list[CurvePoint], published_km: list[float]) -> str:
    """Which simplification tolerance reproduces each published figure on this line
    (log-linear interpolation between the measured points), as one sentence."""
    pts = [(p.tolerance_m, p.length_m / 1000.0) for p in points if p.tolerance_m]
    bits = []
    for km in published_km:
        for (t0, l0), (t1, l1) in itertools.pairwise(pts):
            if min(l0, l1) <= km <= max(l0, l1) and l0 != l1:
                f = (km - l0) / (l1 - l0)
                tol = 10 ** (math.log10(t0) + f * (math.log10(t1) - math.log10(t0)))
                bits.append(f"{km:g} km is what it measures simplified at about {_round_sig(tol)} m")
                break
    if not bits:
        return ""
    return "On this line, " + "; ".join(bits) + " (interpolated between the rows above)."


def _round_sig(v: float) -> str:
    return f"{float(f'{v:.2g}'):g}"


@dataclass
class CurvePoint:
    label: str
    tolerance_m: float | None
    vertices: int
    length_m: float


def resolution_curve(f: Measured, ne10m: Measured | None) -> list[CurvePoint]:
    """Length of ``f`` at its source resolution and after each simplification tolerance."""
    assert f.coords is not None
    out = [CurvePoint("source resolution", None, f.vertices, f.length_m)]
    for tol in CURVE_TOLERANCES_M:
        parts = measure.simplify_parts(f.coords, tol)
        label = f"simplified {tol / 1000:g} km" if tol >= 1000 else f"simplified {tol:g} m"
        out.append(CurvePoint(label, tol, sum(len(p[0]) for p in parts), measure.parts_length_m(parts)))
    if ne10m is not None:
        out.append(CurvePoint("Natural Earth 1:10m line", None, ne10m.vertices, ne10m.length_m))
    return out
