"""`geo lengths --jobs N`: the files, and the rows of each GeoParquet file, measured in N processes.

Work is cut into units: a whole file (GeoJSON, OGR formats), or a range of rows of a GeoParquet
file, cut where the geometry column's uncompressed bytes split evenly (inside a row group if the
file has too few: one huge row group is shared too; a worker starting mid-group decodes and drops
the rows before its own). Each unit runs in a fresh (spawned) process; the parent puts the parts
of a file back in row order and finishes them as one (:func:`geo.lengths.sink._finish`), so the
report is the same, to the bit, as with one process: the measurer cuts a feature only at points
that depend on that feature alone (:class:`geo.lengths.measure.BatchMeasurer`). The first error in
file and row order is the one reported, as with one process.

Where limits (sizes, times) hook in: :func:`_run_unit` is the one place a worker opens a file, and
:func:`read_paths` the one place the parent collects the results.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import files
from geo.errors import GeoError, InputError
from geo.lengths.model import GEOJSON_SUFFIXES, PARQUET_SUFFIXES, Source

#: A GeoParquet file is cut into at most this many units per job (a little slack evens the load).
UNITS_PER_JOB = 2


@dataclass
class _Unit:
    index: int  # the path's place on the command line
    path: str
    start: int = 0  # GeoParquet rows start..stop; whole file when stop < 0
    stop: int = -1
    #: GeoJSON byte range: (from, to or None, the top-level members before 'features'); the
    #: first range starts at a member, the others at the first member guessed from their offset
    geojson: tuple[int, int | None, dict[str, Any]] | None = None


@dataclass
class _Part:
    """What measuring some rows of one GeoParquet file left: the sink's records and state."""

    records: list[Any]
    bbox: list[float]
    nonfinite: bool
    out_of_range: bool
    crs_label: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def _parquet_cuts(path: str, pieces: int) -> list[tuple[int, int]]:
    """Row ranges of about equal geometry bytes (the measuring cost follows the vertices)."""
    from geo.lengths.parquet import footer, open_parquet

    pf, col, _, _ = open_parquet(path)
    _, chunks = footer(pf, col, path)
    groups = [(c.rows, max(c.uncompressed, 1)) for c in chunks]
    total_rows = sum(n for n, _ in groups)
    total = sum(w for _, w in groups)
    if pieces <= 1 or total_rows < 2:
        return [(0, total_rows)]
    cuts = [0]
    row, acc = 0, 0.0
    target = [total * k / pieces for k in range(1, pieces)]
    for n, w in groups:
        while target and acc + w >= target[0]:
            inside = round((target.pop(0) - acc) / w * n)  # rows of this group before the cut
            cut = min(max(row + inside, cuts[-1]), total_rows)
            if cut > cuts[-1]:
                cuts.append(cut)
        row += n
        acc += w
    if cuts[-1] != total_rows:
        cuts.append(total_rows)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _run_unit(unit: _Unit, keep_coords: bool) -> tuple[str, Any]:
    """In a worker: ("sources", [Source]) for a whole file, ("part", _Part) for GeoParquet rows,
    ("error", GeoError) when the input is bad."""
    if unit.geojson is not None:
        return _run_geojson(unit, keep_coords)
    try:
        if unit.stop < 0:
            from geo.lengths.readers import read_any

            return "sources", read_any(unit.path, keep_coords=keep_coords)
        from geo.lengths.parquet import measure_rows

        sink = measure_rows(unit.path, unit.start, unit.stop, keep_coords=keep_coords)
        return "part", _part_of(sink)
    except GeoError as exc:
        return "error", exc


def _part_of(sink: Any) -> _Part:
    return _Part(sink.results(), sink.bbox, sink.nonfinite, sink.out_of_range is not None, sink.crs_label,
                 {"ticks": sink.budget.n})


def _run_geojson(unit: _Unit, keep_coords: bool, *, guess: bool | None = None) -> tuple[str, Any]:
    """In a worker (or the parent, again from the right offset): one byte range of a GeoJSON file,
    ("range", {start, stop, end, part}); ("error", exception) when it cannot be read."""
    from geo.lengths.geojson_split import measure_range

    assert unit.geojson is not None
    lo, hi, top = unit.geojson
    guess = unit.start != 0 if guess is None else guess  # unit.start: the range's place in the file
    try:
        got = measure_range(unit.path, lo, hi, top.get("crs"), guess=guess, keep_coords=keep_coords)
        if got["start"] is not None:
            got["part"] = _part_of(got.pop("sink"))
        return "range", got
    except Exception as exc:  # noqa: BLE001 - a guessed start may parse garbage; the parent decides
        return "error", f"{type(exc).__name__}: {exc}"  # not the exception: some do not unpickle


def _merge(path: str, parts: list[_Part], last: list[Any] | None = None) -> list[Source]:
    """One file's parts, in row (or byte) order, finished as one read would finish them; ``last``:
    records one read would add after them (a FeatureCollection's own)."""
    from geo.lengths.readers import no_features_error
    from geo.lengths.sink import MeasureSink, _finish

    sink = MeasureSink.__new__(MeasureSink)  # the state _finish reads; no CRS parsed again
    sink.path, sink.layer, sink.where = path, Path(path).stem, path
    sink.field_aliases = {}
    sink.crs_label = parts[0].crs_label
    sink.nonfinite = any(p.nonfinite for p in parts)
    b = [math.inf, math.inf, -math.inf, -math.inf]
    for p in parts:
        b = [min(b[0], p.bbox[0]), min(b[1], p.bbox[1]), max(b[2], p.bbox[2]), max(b[3], p.bbox[3])]
    sink.bbox = b
    # one process keeps the running extent once a position is out of range: the whole extent
    sink.out_of_range = tuple(b) if any(p.out_of_range for p in parts) else None  # type: ignore[assignment]
    records = [r for p in parts for r in p.records] + (last or [])
    sources = [_finish(sink, records)]
    no_features_error(path, sources)
    return sources


def _merge_geojson(path: str, done: list[tuple[_Unit, tuple[str, Any]]], keep_coords: bool) -> list[Source]:
    """One GeoJSON file's byte ranges, each accepted only if it started where the range before it
    stopped (else measured again from there, here), finished as one read; on any error or unusual
    structure the file is read whole by one process, which gives the same first error."""
    from dataclasses import replace

    from geo.lengths.geojson_split import tail
    from geo.lengths.readers import read_any
    from geo.lengths.sink import _Feature

    first = done[0][0].geojson
    assert first is not None
    expected: int | None = first[0]
    parts: list[_Part] = []
    end: int | None = None
    for unit, (kind, got) in done:
        if expected is None:
            break  # the array closed in an earlier range: this range's guess found nothing of it
        if kind != "range" or got["start"] != expected:
            assert unit.geojson is not None
            again = replace(unit, geojson=(expected, unit.geojson[1], unit.geojson[2]))
            kind, got = _run_geojson(again, keep_coords, guess=False)
            if kind != "range":
                return read_any(path, keep_coords=keep_coords)  # raises the error one process does
        parts.append(got["part"])
        expected, end = got["stop"], got["end"]
    top = dict(first[2])
    ticks = 1 + sum(p.extra["ticks"] for p in parts)
    if end is None or not tail(path, end, top) or ticks > files.MAX_FEATURES:
        return read_any(path, keep_coords=keep_coords)
    gtype = top.get("type")
    members = {"id": top.get("id"), "properties": top.get("properties"), "type": gtype, "crs": top.get("crs"),
               "is_collection": True,
               "geometry_type": gtype if gtype not in (None, "Feature", "FeatureCollection") else None}
    return _merge(path, parts, [(_Feature(0, keep_coords), members, 0.0)])


def _geojson_units(i: int, path: str, jobs: int) -> list[_Unit]:
    """Byte ranges of one large GeoJSON FeatureCollection, or the whole file as one unit."""
    from geo.lengths.geojson_split import cuts, header

    found = header(path) if jobs > 1 else None
    if found is None:
        return [_Unit(i, path)]
    first, top = found
    return [_Unit(i, path, start=k, geojson=(lo, hi, top))
            for k, (lo, hi) in enumerate(cuts(path, first, jobs * UNITS_PER_JOB))]


def plan(paths: list[str], jobs: int) -> tuple[list[_Unit], dict[int, GeoError]]:
    """The units of work, and the paths refused before any reading (by their place)."""
    from geo.lengths.readers import check_path

    units: list[_Unit] = []
    refused: dict[int, GeoError] = {}
    for i, path in enumerate(paths):
        try:
            p = check_path(path)
            if p.suffix.lower() in PARQUET_SUFFIXES:
                units += [_Unit(i, path, a, b) for a, b in _parquet_cuts(path, jobs * UNITS_PER_JOB)]
            elif p.suffix.lower() in GEOJSON_SUFFIXES:
                units += _geojson_units(i, path, jobs)
            else:
                units.append(_Unit(i, path))
        except GeoError as exc:
            refused[i] = exc
    return units, refused


def _run_all(units: list[_Unit], jobs: int, keep_coords: bool) -> list[tuple[str, Any]]:
    """Every unit's result, in order: N-1 spawned workers take units from the front while this
    process takes them from the back (a process fewer to start and import numpy, pyproj and
    pandas or pyarrow in: ~0.5 s of CPU each), until the two meet."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if len(units) <= 1 or jobs <= 1:
        return [_run_unit(u, keep_coords) for u in units]  # one unit: no process to start at all
    # spawn: a forked child would inherit the parent's pyarrow/PROJ threads half-way
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs - 1, len(units) - 1), mp_context=ctx) as pool:
        futures = [pool.submit(_run_unit, u, keep_coords) for u in units]
        here: dict[int, tuple[str, Any]] = {}
        for k in reversed(range(len(units))):
            if not futures[k].cancel():  # a worker has it already: the rest are theirs
                break
            here[k] = _run_unit(units[k], keep_coords)
        return [here[k] if k in here else f.result() for k, f in enumerate(futures)]


def read_paths(paths: list[str], jobs: int, *, keep_coords: bool = False) -> list[Source]:
    """Every path measured by ``jobs`` processes; the same Sources, in the same order, as reading
    them one after another (and the same first error)."""
    units, refused = plan(paths, jobs)
    results = _run_all(units, jobs, keep_coords)
    out: list[Source] = []
    for i, path in enumerate(paths):
        if i in refused:
            raise refused[i]
        if any(u.index == i and u.geojson is not None for u in units):
            done = [(u, r) for u, r in zip(units, results, strict=True) if u.index == i]
            out += _merge_geojson(path, done, keep_coords)
            continue
        mine = [r for u, r in zip(units, results, strict=True) if u.index == i]
        for kind, value in mine:
            if kind == "error":
                raise value
        if mine and mine[0][0] == "sources":
            out += mine[0][1]
        elif mine:
            out += _merge(path, [v for _, v in mine])
        else:
            raise InputError(f"{path}: nothing to read")
    return out
