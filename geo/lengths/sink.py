"""`geo lengths` measuring sink: positions from any reader, CRS transform, geodesic lengths, per feature.

numpy is imported only for large files or when coordinates are kept (see lengths_readers)."""

from __future__ import annotations

import itertools
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from geo import files
from geo.errors import InputError
from geo.lengths import measure
from geo.lengths.model import AREA_TYPES, LINE_TYPES, NONFINITE, Measured, Source, stated_lengths

if TYPE_CHECKING:
    import numpy as np


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
        self.budget = files.Budget(path)  # most features, most seconds (issue 20)
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
        self.budget.tick()
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

    def lines(self, x: np.ndarray, y: np.ndarray, counts: np.ndarray, members: list[dict[str, Any]]) -> None:
        """Whole single-part lines decoded in bulk (GeoParquet's WKB LineStrings): the positions
        of ``len(members)`` features one after another, ``counts[i]`` of them for feature i.

        Measured in one call; each feature stays whole in one batch of the measurer, as it would
        fed one at a time (callers send only lines shorter than a batch), so every length is the
        same sum of the same segments, bit for bit."""
        import numpy as np

        k = len(members)
        for _ in range(k):
            self.budget.tick()
        self._flush_small()
        first = self._owners
        self._owners += k
        recs = [_Feature(first + i, self.keep) for i in range(k)]
        for rec, m in zip(recs, members, strict=True):
            self.done.append((rec, m))
        if not len(x):
            return
        self.seen_positions = True
        x, y = self._to_lonlat(x, y)
        if not self._accept(x, y):
            return
        ends = np.cumsum(counts)
        starts = ends - counts
        new = np.zeros(len(x), dtype=bool)
        new[starts[counts > 0]] = True
        for rec, a, b in zip(recs, starts.tolist(), ends.tolist(), strict=True):
            if a == b:
                continue
            rec.vertices, rec.parts = b - a, 1
            rec.first, rec.last = (float(x[a]), float(y[a])), (float(x[b - 1]), float(y[b - 1]))
            if rec.chunks is not None:
                rec.chunks.append((x[a:b].copy(), y[a:b].copy(), new[a:b].copy()))
        self.measurer.add(np.repeat(np.arange(first, first + k, dtype=np.int64), counts), x, y, new)

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
        raw_props = m.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        fid = m.get("id")
        if fid is None:  # many tools (QGIS, ogr2ogr -lco ID_FIELD unset) keep the id as a property
            fid = props.get("id", props.get("fid"))
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


def _alias_note(problem: str, aliases: dict[str, str]) -> str:
    """Name the field as the file spells it when it was read under another name."""
    for file_name, read_as in aliases.items():
        if problem.startswith(read_as + " "):
            return f"{read_as} (field {file_name!r}){problem[len(read_as):]}"
    return problem


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
