"""`geo lengths --jobs N` on ONE GeoJSON FeatureCollection: byte ranges of its features measured in
several processes, the report the same, to the bit, as one process's.

How a range finds its first feature without reading what comes before it. A JSON split point
cannot be told from the bytes around it alone (a string may hold ``}, {"type": "Feature"``), so
each worker *guesses* and the parent *checks*:

* the parent reads the top-level object up to the ``features`` array (:func:`header`): where its
  first member starts and any legacy ``crs`` member given before it;
* the features' bytes are cut at even offsets ``b1 < b2 < ...``; the worker of range k starts at
  the first ``{`` at or after ``b_k`` that follows ``}`` and ``,`` (every member of the array but
  the first does), and reads members until the first one that starts at or after ``b_(k+1)``,
  whose offset it returns (:func:`measure_range`, with ``geojson_stream``'s ``feature_items``);
* the parent accepts range k only if it started exactly where range k-1 (itself accepted) says
  the next member starts; a range that guessed wrong (a false match inside a string or a nested
  object) is measured again from the right offset (:func:`merge`). Every accepted range thus
  starts at a true member boundary and reads the same bytes the same way as one process, and the
  measurer's batches depend on each feature alone (:class:`geo.lengths.measure.BatchMeasurer`).

Anything unusual — an error in any accepted range, a ``crs`` member after the features (one
process reads the file again with it), members that are not plain values — and the parent reads
the whole file in one process instead: the same result and the same first error, by construction.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from geo.lengths import geojson_stream
from geo.lengths.geojson_stream import PANDAS_MIN_BYTES, GeoJSONSyntaxError, _pandas_parser, _Reader

#: Files from this size on are cut into ranges (below it, spawning a process costs more than it saves).
SPLIT_MIN_BYTES = 16 << 20
#: Where a member of 'features' may start: after the previous member's ``}`` and a comma.
_MEMBER_START = re.compile(rb"\}[ \t\n\r]*,[ \t\n\r]*\{")
#: Top-level members that carry geometry or more features: such a file is read by one process.
_NOT_PLAIN = ("features", "geometry", "coordinates", "geometries", "crs")


class _NoSink:
    """The header and the tail hold no features."""

    def begin_feature(self) -> None: ...
    def positions(self, x: Any, y: Any, new_part: Any) -> None: ...
    def feature_dict(self, feature: dict[str, Any]) -> None: ...
    def crs(self, value: Any) -> None: ...
    def end_feature(self, members: dict[str, Any]) -> None: ...


def _reader_at(fh: Any, offset: int, sink: Any, block: int | None = None) -> _Reader:
    fh.seek(offset)
    r = _Reader(fh, sink, block or geojson_stream.BLOCK_BYTES)
    r.offset = offset  # byte offsets in messages are the file's
    return r


def header(path: str) -> tuple[int, dict[str, Any]] | None:
    """(offset of the first member of 'features', the top-level members read before it) for a
    FeatureCollection worth cutting; None when the file is small, not one, or unusual (the caller
    then reads it whole, which reports any error)."""
    try:
        if os.stat(path).st_size < SPLIT_MIN_BYTES:
            return None
        with open(path, "rb") as fh:
            r = _reader_at(fh, 0, _NoSink(), 1 << 16)
            if r.skip_ws() != ord("{"):
                return None  # a byte order mark or UTF-16 too: one process refuses them
            r.pos += 1
            found: dict[str, Any] = {}
            while r.skip_ws() == ord('"'):
                key = r.string()
                r.expect(b":")
                if key == "features":
                    if r.skip_ws() != ord("["):
                        return None
                    r.pos += 1
                    return (r.offset + r.pos, found) if r.skip_ws() == ord("{") else None
                if key in _NOT_PLAIN and key != "crs":
                    return None
                found[key] = r.value()
                if r.skip_ws() != ord(","):
                    return None
                r.pos += 1
    except (GeoJSONSyntaxError, UnicodeDecodeError, RecursionError, OSError):
        return None
    return None


def cuts(path: str, first: int, pieces: int) -> list[tuple[int, int | None]]:
    """(from, to) byte offsets of ``pieces`` ranges of the features, the last open-ended."""
    size = os.stat(path).st_size
    bounds = [first + (size - first) * k // pieces for k in range(pieces)]
    return [(a, b) for a, b in zip(bounds, [*bounds[1:], None], strict=True)]


def _first_member_at(fh: Any, at: int) -> int | None:
    """The first offset >= ``at`` where a member of 'features' may start (a guess), None if none."""
    back = min(at, 4096)  # the '}' and ',' before it may lie before ``at``
    fh.seek(at - back)
    data = b""
    base = at - back
    while True:
        chunk = fh.read(1 << 20)
        data += chunk
        for m in _MEMBER_START.finditer(data):
            if base + m.end() - 1 >= at:
                return base + m.end() - 1
        if not chunk:
            return None
        keep = len(data) - 64 if len(data) > 64 else 0  # a match may span the chunks
        base, data = base + keep, data[keep:]


def measure_range(path: str, lo: int, hi: int | None, crs: Any, *, guess: bool, keep_coords: bool) -> dict[str, Any]:
    """In a worker: measure the members of 'features' from the one starting at ``lo`` (``guess``:
    the first that seems to start at or after ``lo``) to the first starting at or after ``hi``.
    Returns ``start`` (None: no member found), the sink, ``stop`` (offset of the next range's first
    member; None when the array closed) and ``end`` (offset after the array's ``]``)."""
    from geo.lengths.readers import _read_errors
    from geo.lengths.sink import MeasureSink, _legacy_crs

    sink = MeasureSink(path, Path(path).stem, keep_coords=keep_coords, crs=_legacy_crs(crs, path))
    with _read_errors(path), open(path, "rb") as fh:
        start = _first_member_at(fh, lo) if guess else lo
        if start is None:
            return {"start": None}
        r = _reader_at(fh, start, sink)
        if os.fstat(fh.fileno()).st_size >= PANDAS_MIN_BYTES:  # as one process parses the numbers
            r.parse_numbers = _pandas_parser() or r.parse_numbers
        stop = r.feature_items(hi)
        end = r.offset + r.pos if stop is None else None
    return {"start": start, "stop": stop, "end": end, "sink": sink}


def tail(path: str, end: int, members: dict[str, Any]) -> bool:
    """Read the top-level members after the features array (from ``end``) into ``members``; False
    when one process must read the file instead (a late 'crs', more features, malformed JSON)."""
    try:
        with open(path, "rb") as fh:
            r = _reader_at(fh, end, _NoSink(), 1 << 16)
            while True:
                c = r.skip_ws()
                r.pos += 1
                if c == ord("}"):
                    return r.skip_ws() == -1  # nothing after the object
                if c != ord(","):
                    return False
                key = r.string()
                r.expect(b":")
                if key in _NOT_PLAIN:
                    return False
                members[key] = r.value()
    except (GeoJSONSyntaxError, UnicodeDecodeError, RecursionError, OSError):
        return False
