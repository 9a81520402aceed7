"""`geo lengths` readers: GeoJSON (small files with json, large ones streamed), any OGR format via
pyogrio, GeoParquet streamed by row group (pyarrow). Each returns Sources measured by the sink."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geo import files
from geo.errors import InputError
from geo.lengths import measure
from geo.lengths.model import GEOJSON_SUFFIXES, NONFINITE, OGR_SUFFIXES, PARQUET_SUFFIXES, Source
from geo.lengths.sink import MeasureSink, _crs_transformer, _Feature, _finish, _legacy_crs, _line_parts
from geo.lengths.wkb import feed_wkb

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def check_path(path: str) -> Path:
    """Refuse URLs and GDAL virtual paths before touching anything; check the file exists."""
    if _URL.match(path) or path.startswith("/vsi") or path.lower().startswith(("vsi", "zip:")):
        raise InputError(f"{path}: URLs and GDAL virtual paths are refused (geo lengths never "
                         "touches the network); download the file and pass its local path")
    p = files.check_regular(path)  # no FIFO, device or symlink loop: each would hang or loop
    suffix = p.suffix.lower()
    if suffix not in GEOJSON_SUFFIXES + OGR_SUFFIXES + PARQUET_SUFFIXES:
        kinds = ", ".join(GEOJSON_SUFFIXES + OGR_SUFFIXES + PARQUET_SUFFIXES)
        raise InputError(f"{path}: unknown format {suffix or '(no extension)'!r}; expected one of {kinds}")
    files.check_size(p, name=path)  # a sparse 1 GB KML is refused before GDAL sees it
    if suffix == ".kmz":
        files.check_zip(p, name=path)  # a KMZ holding a 1 GB KML: decompressed up to the limit only
    return p


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


def _check_json_file(path: str) -> None:
    """What `geo validate` refuses is refused here too: not a regular file, not UTF-8 (RFC 8259)."""
    files.check_regular(path)
    with _read_errors(path), open(path, "rb") as fh:
        head = fh.read(4)
    files.check_json_start(head, files.display(path))


def read_geojson(path: str, *, keep_coords: bool = False, crs: Any = None) -> Source:
    """Stream a GeoJSON file and measure every line (and polygon perimeter) in it."""
    _check_json_file(path)
    if not keep_coords and crs is None:
        try:
            small = Path(path).stat().st_size <= SMALL_FILE_BYTES
        except OSError:
            small = False
        if small:
            return read_geojson_small(path)
    from geo.lengths import geojson_stream
    from geo.lengths.geojson_stream import GeoJSONSyntaxError

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


def read_geojson_small(path: str) -> Source:
    """A small GeoJSON file: json.loads + pyproj on lists (no numpy, fast start-up)."""
    try:
        with _read_errors(path):
            text = files.decode_json_text(files.read_bytes(path, max_bytes=SMALL_FILE_BYTES * 2), files.display(path))
            obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    crs = _legacy_crs(obj.get("crs"), path) if isinstance(obj, dict) else None
    transformer, label = _crs_transformer(crs, path)
    sink = _SmallSink(path, label)
    records: list[tuple[_Feature, dict[str, Any], float]] = []
    b = sink.bbox
    feats = _geojson_features(obj, path)
    files.check_count(len(feats), name=path)
    for i, f in enumerate(feats):
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
            known = int(pyogrio.read_info(path, layer=name).get("features") or 0)
        except Exception as exc:  # noqa: BLE001 - as above
            raise InputError(f"{path}: layer {name}: cannot read ({_first_line(exc)})") from None
        files.check_count(known, name=f"{path}: layer {name}")  # -1 when the driver cannot tell cheaply
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
            gname = feed_wkb(sink, geoms[i], f"{path}: layer {name}: feature {fid}")
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
    return m is not None and len(field) == 10 and prefix.startswith(m.group(1))


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
    elif p.suffix.lower() in PARQUET_SUFFIXES:
        from geo.lengths.parquet import read_parquet

        sources = read_parquet(path, keep_coords=keep_coords)
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
