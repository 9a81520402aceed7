"""Streaming GeoJSON reader: bounded memory, coordinates parsed in bulk.

Size (over 500 lines): one block-wise state machine (feature scan, member walk, coordinate
blocks) whose parts hand each other the unread tail of the block; splitting it would not make
any part readable on its own.

Why not ``json.load``: a 150 MB file becomes ~1.5 GB of Python lists. Why not ijson
items: each feature is still built as Python lists (~120 bytes a vertex), so one
8-million-vertex track needs a gigabyte, and its per-event Python loop is slow.

How: the file is read in fixed-size blocks (8 MB).
* A small feature (under 4 KB, most features of most files) is decoded whole by the json
  module's C decoder: one call per feature.
* A larger feature is walked member by member: everything except its ``coordinates`` array
  (id, properties, type) is located with a string-aware bracket scan and decoded by json.
  The ``coordinates`` array is consumed block by block: its bracket structure (depth of
  every ``[``/``]``) comes from vectorised numpy operations and its numbers from one call to
  a C number parser per block (numpy's, or pandas' for files over 32 MB: 3.4x faster), so
  memory is bounded by the block size, not by the size of a feature.

The reader does not measure anything: it hands positions to a :class:`Sink`.
It accepts a FeatureCollection, a single Feature or a bare Geometry (one feature).
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from geo import files

#: Bytes read from the file at a time; memory is a small multiple of this.
BLOCK_BYTES = 8 << 20
#: Features up to this many bytes (~150 vertices) are decoded whole by json (C); larger
#: ones are streamed, their coordinates parsed by numpy block by block.
SMALL_OBJECT_BYTES = 4096
_DECODER = json.JSONDecoder()

_WS = re.compile(rb"[ \t\n\r]*")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_SCALAR = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
#: A string (group 1 is None when the buffer ends inside it) or a bracket.
_STRUCT = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(")?|[\[\]{}]')
#: Characters that may appear inside a coordinates array.
_EMPTY = re.compile(rb"\[[ \t\n\r]*\]")
_NUMERIC_RUN = re.compile(rb"[\[\]0-9 \t\n\r,.eE+\-]*")
#: Brackets and commas become spaces so numpy can parse the numbers in one call.
_TO_SPACES = bytes.maketrans(b"[],", b"   ")
#: ... or line breaks, for pandas' CSV parser.
_TO_LINES = bytes.maketrans(b"[], \t\r", b"\n\n\n\n\n\n")
#: From this file size on, numbers are parsed by pandas (worth its 0.3 s import).
PANDAS_MIN_BYTES = 32 << 20


class GeoJSONSyntaxError(ValueError):
    """The file is not valid GeoJSON; the message says where (byte offset) and what."""


class NonFiniteCoordinate(GeoJSONSyntaxError):
    """A NaN or Infinity token in coordinates. Python's json accepts them (so small features
    carry them as floats); the message is the one every reader gives for such a coordinate."""

    def __init__(self) -> None:
        super().__init__("coordinates include NaN or infinity")


#: The non-standard number tokens Python's json accepts ("-Infinity" is "-" then this).
_NONFINITE = re.compile(rb"NaN|Infinity")


class Sink(Protocol):
    """Receives what the reader finds, feature by feature."""

    def begin_feature(self) -> None: ...

    def positions(self, x: np.ndarray, y: np.ndarray, new_part: np.ndarray) -> None:
        """Consecutive positions of the current feature; ``new_part[i]`` marks the first
        position of a line/ring (segments never join two parts)."""

    def feature_dict(self, feature: dict[str, Any]) -> None:
        """A whole (small) feature of a FeatureCollection, decoded by json.loads."""

    def crs(self, value: Any) -> None:
        """The top-level (legacy, pre-RFC 7946) ``crs`` member, as soon as it is read."""

    def end_feature(self, members: dict[str, Any]) -> None:
        """Feature finished; ``members`` holds ``id``, ``properties``, ``geometry_type``
        (None for a null geometry) and, for the top-level object, ``crs`` and ``type``."""


def _numbers_numpy(seg: bytes) -> np.ndarray:
    """Every number in a coordinates segment, in order (numpy's text parser)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # older numpy warns and stops early: the caller counts
        return np.fromstring(seg.translate(_TO_SPACES), dtype=np.float64, sep=" ")


def _pandas_parser() -> Callable[[bytes], np.ndarray] | None:
    """Numbers of a coordinates segment by pandas' C CSV tokenizer (public ``read_csv``), one
    number a line: 3.4x faster than numpy's text parser on multi-megabyte segments, and exact
    (pandas >= 3 parses floats correctly rounded, like float()). None when pandas is missing."""
    import io

    try:
        import pandas as pd
    except ImportError:
        return None

    def via_read_csv(seg: bytes) -> np.ndarray:
        frame = pd.read_csv(io.BytesIO(seg.translate(_TO_LINES)), header=None, dtype=np.float64,
                            engine="c", na_filter=False, skip_blank_lines=True)
        return frame[0].to_numpy()

    return via_read_csv


class _Reader:
    def __init__(self, fh: IO[bytes], sink: Sink, block_bytes: int) -> None:
        self.parse_numbers: Callable[[bytes], np.ndarray] = _numbers_numpy
        self.fh = fh
        self.sink = sink
        self.block = block_bytes
        self.data = b""
        self.pos = 0
        self.offset = 0  # file offset of data[0], for error messages
        self.eof = False

    # -- buffer -----------------------------------------------------------------------------
    def fill(self) -> bool:
        """Read one more block, dropping what has been consumed. False at end of file."""
        if self.eof:
            return False
        if len(self.data) - self.pos > max(files.MAX_VALUE_BYTES, 2 * self.block):
            # nothing consumed for 64 MiB: one string, number or value that large is a bomb (and
            # growing the buffer block by block would take quadratic time)
            raise self.fail(f"one JSON value longer than {files.MAX_VALUE_BYTES >> 20} MiB; refused")
        chunk = self.fh.read(self.block)
        if not chunk:
            self.eof = True
            return False
        self.offset += self.pos
        self.data = self.data[self.pos :] + chunk
        self.pos = 0
        return True

    def fail(self, what: str) -> GeoJSONSyntaxError:
        if self.eof and self.pos >= len(self.data) and "end of file" not in what:
            what = f"unexpected end of file ({what})"
        return GeoJSONSyntaxError(f"malformed JSON at byte {self.offset + self.pos}: {what}")

    def _not_utf8(self, exc: UnicodeDecodeError) -> GeoJSONSyntaxError:
        """Found by fuzzing: json.loads on bytes raised UnicodeDecodeError, not a syntax error."""
        return GeoJSONSyntaxError(f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} near byte "
                                  f"{self.offset + self.pos + exc.start}); GeoJSON is UTF-8 (RFC 7946 section 3)")

    def skip_ws(self) -> int:
        """Skip whitespace; return the next byte (-1 at end of file)."""
        while True:
            m = _WS.match(self.data, self.pos)
            assert m is not None
            self.pos = m.end()
            if self.pos < len(self.data):
                return self.data[self.pos]
            if not self.fill():
                return -1

    def expect(self, char: bytes) -> None:
        if self.skip_ws() != char[0]:
            got = "end of file" if self.pos >= len(self.data) else repr(chr(self.data[self.pos]))
            raise self.fail(f"expected {char.decode()!r}, found {got}")
        self.pos += 1

    # -- generic values ---------------------------------------------------------------------
    def string(self) -> str:
        if self.skip_ws() != ord('"'):
            raise self.fail("expected a string")
        while True:
            # no closing quote in the buffer yet: read on without the regex (which backtracks over
            # the whole unterminated string each time)
            m = _STRING.match(self.data, self.pos) if self.data.find(b'"', self.pos + 1) >= 0 else None
            if m is not None:
                self.pos = m.end()
                try:
                    return str(json.loads(m.group()))
                except json.JSONDecodeError as exc:
                    raise self.fail(f"bad string ({exc.msg})") from None
                except UnicodeDecodeError as exc:
                    raise self._not_utf8(exc) from None
            if not self.fill():
                raise self.fail("unterminated string")

    def value(self) -> Any:
        """Any JSON value, decoded by json.loads once its extent is known."""
        c = self.skip_ws()
        if c == -1:
            raise self.fail("unexpected end of file")
        if c == ord('"'):
            return self.string()
        if c in (ord("{"), ord("[")):
            while True:
                end = self._container_end()
                if end >= 0:
                    text = self.data[self.pos : end]
                    try:
                        val = json.loads(text)
                    except json.JSONDecodeError as exc:
                        raise self.fail(exc.msg) from None
                    except UnicodeDecodeError as exc:
                        raise self._not_utf8(exc) from None
                    self.pos = end
                    return val
                if not self.fill():
                    raise self.fail("unexpected end of file inside a value")
        while True:
            m = _SCALAR.match(self.data, self.pos)
            if m is not None and m.end() - self.pos > files.MAX_NUMBER_CHARS:
                raise self.fail(f"a number longer than {files.MAX_NUMBER_CHARS} characters; refused")
            if m is not None and (m.end() < len(self.data) or self.eof):
                self.pos = m.end()
                return json.loads(m.group())
            if not self.fill():
                raise self.fail("expected a value")

    def _container_end(self) -> int:
        """End offset of the object/array at pos; -1 if the buffer ends first."""
        depth = 0
        for m in _STRUCT.finditer(self.data, self.pos):
            tok = m.group()
            if tok[0] == ord('"'):
                if m.group(1) is None:
                    return -1  # the buffer ends inside a string: read more
                continue
            depth += 1 if tok in (b"[", b"{") else -1
            if depth == 0:
                return m.end()
        return -1

    def small_object(self) -> dict[str, Any] | None:
        """The object at pos if it is small (under SMALL_OBJECT_BYTES), decoded in one C call
        by json's raw_decode; else None and the caller streams it token by token. Most
        features of most files are small; a large one costs one failed 4 KB attempt."""
        if SMALL_OBJECT_BYTES <= 0:
            return None
        if len(self.data) - self.pos < SMALL_OBJECT_BYTES and not self.eof:
            self.fill()
        for size in (min(512, SMALL_OBJECT_BYTES), SMALL_OBJECT_BYTES):  # most features are tiny
            window = self.data[self.pos : self.pos + size]
            text = window.decode("utf-8", "surrogateescape")  # a cut multibyte char stays harmless
            try:
                obj, end = _DECODER.raw_decode(text)
                break
            except json.JSONDecodeError:
                continue  # too big for the window, or malformed: the token path says where
        else:
            return None
        if not isinstance(obj, dict):
            return None
        if text.isascii():
            used = end
        else:
            try:  # strict: bytes that were not UTF-8 became lone surrogates and fail here
                used = len(text[:end].encode("utf-8"))
            except UnicodeEncodeError:
                return None  # let the token path report it
        self.pos += used
        return obj

    # -- objects ----------------------------------------------------------------------------
    def members(self, on_key: Callable[[str], bool]) -> None:
        """Walk an object's members; ``on_key`` consumes the value and returns True, or
        returns False to have it decoded generically (stored by the caller's dict)."""
        self.expect(b"{")
        if self.skip_ws() == ord("}"):
            self.pos += 1
            return
        while True:
            key = self.string()
            self.expect(b":")
            on_key(key)
            c = self.skip_ws()
            self.pos += 1
            if c == ord("}"):
                return
            if c != ord(","):
                self.pos -= 1
                raise self.fail("expected ',' or '}' in an object")

    def feature_like(self, top: bool) -> None:
        """A Feature, a bare Geometry or (top level) a FeatureCollection."""
        self.sink.begin_feature()
        found: dict[str, Any] = {}
        geometry_type: list[str | None] = []

        def on_key(key: str) -> bool:
            if key == "geometry":
                if self.skip_ws() == ord("n"):
                    if self.value() is not None:
                        raise self.fail("geometry must be an object or null")
                    geometry_type.append(None)
                else:
                    geometry_type.append(self.geometry())
            elif key == "coordinates":
                self.coordinates()
            elif key == "geometries":
                found["geometries"] = self.value()
                self._emit_nested(found["geometries"])
            elif key == "features" and top:
                self.features()
                found["_features"] = True
            elif key == "crs" and top:
                found["crs"] = self.value()
                self.sink.crs(found["crs"])
            else:
                found[key] = self.value()
            return True

        self.members(on_key)
        members = {
            "id": found.get("id"),
            "properties": found.get("properties"),
            "type": found.get("type"),
            "crs": found.get("crs"),
            "is_collection": bool(found.get("_features")) or found.get("type") == "FeatureCollection",
        }
        if geometry_type:
            members["geometry_type"] = geometry_type[0]
        elif found.get("type") not in (None, "Feature", "FeatureCollection"):
            members["geometry_type"] = found.get("type")  # a bare geometry
        else:
            members["geometry_type"] = None
        self.sink.end_feature(members)

    def features(self) -> None:
        self.expect(b"[")
        if self.skip_ws() == ord("]"):
            self.pos += 1
            return
        self.feature_items(None)

    def feature_items(self, stop_at: int | None) -> int | None:
        """The members of a 'features' array from pos (at a member's ``{``) through its ``]``; or,
        given ``stop_at``, up to the first member that starts at or after that file offset, whose
        offset is returned (None: the array closed first). `geo lengths --jobs` reads the
        features of one file in several processes this way (geo/lengths/geojson_split.py)."""
        while True:
            if self.skip_ws() != ord("{"):
                raise self.fail("each member of 'features' must be an object")
            if stop_at is not None and self.offset + self.pos >= stop_at:
                return self.offset + self.pos
            obj = self.small_object()
            if obj is not None:
                self.sink.feature_dict(obj)
            else:
                self.feature_like(top=False)
            c = self.skip_ws()
            self.pos += 1
            if c == ord("]"):
                return None
            if c != ord(","):
                self.pos -= 1
                raise self.fail("expected ',' or ']' in 'features'")

    def geometry(self) -> str | None:
        found: dict[str, Any] = {}

        def on_key(key: str) -> bool:
            if key == "coordinates":
                self.coordinates()
            elif key == "geometries":
                found["geometries"] = self.value()
                self._emit_nested(found["geometries"])
            else:
                found[key] = self.value()
            return True

        self.members(on_key)
        gtype = found.get("type")
        if not isinstance(gtype, str):
            raise self.fail("geometry without a 'type'")
        return gtype

    def _emit_nested(self, geometries: Any) -> None:
        """GeometryCollection members are small in practice: decoded, then emitted."""
        if not isinstance(geometries, list):
            raise self.fail("'geometries' must be an array")
        for g in geometries:
            if not isinstance(g, dict):
                raise self.fail("each member of 'geometries' must be an object")
            if g.get("type") in ("Point", "MultiPoint"):
                continue  # points have no length
            if g.get("type") == "GeometryCollection":
                self._emit_nested(g.get("geometries"))
                continue
            for part in _parts_of(g.get("coordinates")):
                try:
                    arr = np.asarray([p[:2] for p in part], dtype=float)
                except (TypeError, ValueError):
                    arr = np.empty((0, 0))
                if arr.ndim != 2 or len(arr) == 0 or arr.shape[1] < 2:
                    raise self.fail("invalid coordinates in a GeometryCollection")
                new = np.zeros(len(arr), dtype=bool)
                new[:1] = True
                self.sink.positions(arr[:, 0], arr[:, 1], new)

    # -- coordinates: the bulk of any large file ---------------------------------------------
    def coordinates(self) -> None:
        """Consume one coordinates array block by block, emitting positions."""
        if self.skip_ws() != ord("["):
            raise self.fail("'coordinates' must be an array")
        depth = 0  # depth before data[pos]
        inner = 0  # depth of a position's own brackets (1 Point, 2 LineString, ...), 0 = unknown
        first = True  # next position starts a part
        while True:
            block = self._block_end()
            if block is None:
                continue  # more data was read: look again
            end, run_end = block
            seg = self.data[self.pos : end]
            a = np.frombuffer(seg, dtype=np.uint8)
            bidx = np.flatnonzero((a == 91) | (a == 93))
            step = np.where(a[bidx] == 91, 1, -1)
            after = depth + np.cumsum(step)
            closed = np.flatnonzero(after == 0)
            if len(closed):
                cut = int(closed[0]) + 1
                bidx, step, after = bidx[:cut], step[:cut], after[:cut]
                seg_end = int(bidx[-1]) + 1
                seg = seg[:seg_end]
            elif end == run_end and (run_end < len(self.data) or self.eof):
                raise self._stray(run_end)
            else:
                seg_end = len(seg)
            if len(after) and after.min() < 0:
                raise self.fail("unbalanced brackets in coordinates")
            if inner == 0 and _EMPTY.fullmatch(seg):
                self.pos += seg_end
                return  # "coordinates": [] - an empty geometry, reported by the caller
            if inner == 0:
                closes = np.flatnonzero(step < 0)
                if not len(closes):
                    raise self.fail("coordinates nested too deep to read")
                inner = int(after[closes[0]]) + 1
            if len(after) and after.max() > inner:
                raise self.fail("coordinates nested unevenly")
            first = self._emit_block(seg, a[: len(seg)], bidx, step, after, depth, inner, first)
            self.pos += seg_end
            depth = int(after[-1]) if len(after) else depth
            if depth == 0:
                return

    def _block_end(self) -> tuple[int, int] | None:
        """(end, run_end) of the next block of coordinate text from pos: ``run_end`` where the run of
        numbers, brackets, commas and spaces stops, ``end`` where this block stops (at run_end when
        the array must close inside the run, else after the last ']' so no position is cut); None
        when more data had to be read first."""
        m = _NUMERIC_RUN.match(self.data, self.pos)
        assert m is not None
        run_end = m.end()
        if run_end < len(self.data) or self.eof:
            return run_end, run_end  # the array must close inside this run
        end = self.data.rfind(b"]", self.pos, run_end) + 1  # keep a partial position
        if end <= self.pos and run_end - self.pos > 8 * files.MAX_NUMBER_CHARS:
            raise self.fail(f"a number in coordinates longer than {files.MAX_NUMBER_CHARS} characters; refused")
        if end <= self.pos:
            if not self.fill():
                raise self.fail("unexpected end of file inside coordinates")
            return None
        return end, run_end

    def _stray(self, run_end: int) -> Exception:
        """The error for what stops a coordinates array before it closes (at ``run_end``)."""
        self.pos = run_end
        if run_end >= len(self.data):
            return self.fail("unexpected end of file inside coordinates")
        if self._at_nonfinite():  # may read on: data[pos] is still the character
            return NonFiniteCoordinate()
        return self.fail(f"unexpected {chr(self.data[self.pos])!r} inside coordinates")

    def _at_nonfinite(self) -> bool:
        """Whether a NaN or Infinity token starts at pos (reading on if the block cuts it)."""
        while len(self.data) - self.pos < len(b"Infinity") and self.fill():
            pass
        return _NONFINITE.match(self.data, self.pos) is not None

    def _dims(
        self, a: np.ndarray, bidx: np.ndarray, after: np.ndarray, depth0: int, inner: int, pos_open: np.ndarray
    ) -> np.ndarray:
        """Numbers in each position = commas at the position's depth + 1 (mixed 2D/3D)."""
        cidx = np.flatnonzero(a == 44)
        k = np.searchsorted(bidx, cidx)  # brackets before each comma
        cdepth = np.where(k > 0, after[np.maximum(k - 1, 0)], depth0)
        owner = np.searchsorted(pos_open, cidx[cdepth == inner]) - 1
        dims = np.bincount(owner, minlength=len(pos_open)) + 1
        if dims.min() < 2:
            raise self.fail("a position needs at least 2 numbers")
        return dims

    def _emit_block(
        self,
        seg: bytes,
        a: np.ndarray,
        bidx: np.ndarray,
        step: np.ndarray,
        after: np.ndarray,
        depth0: int,
        inner: int,
        first: bool,
    ) -> bool:
        pos_open = bidx[(step > 0) & (after == inner)]  # byte index of each position's '['
        part_open = bidx[(step > 0) & (after == inner - 1)]
        n = len(pos_open)
        if n == 0:
            return first or len(part_open) > 0
        try:
            nums = self.parse_numbers(seg)
        except Exception:  # noqa: BLE001 - numpy ValueError, pandas ParserError/EmptyDataError...
            raise self.fail("invalid number in coordinates") from None
        if len(nums) == 2 * n or len(nums) == 3 * n:
            # Uniform 2D or 3D positions (nearly every file): the counts agree, skip the
            # per-position census below, which costs as much as parsing the numbers.
            dims = np.full(n, len(nums) // n, dtype=np.int64)
        else:
            dims = self._dims(a, bidx, after, depth0, inner, pos_open)
            if len(nums) != int(dims.sum()):
                raise self.fail("invalid number or separator in coordinates")
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(dims[:-1], out=starts[1:])
        # A position starts a part when a part bracket opened since the previous position.
        parts_before = np.searchsorted(part_open, pos_open)
        new_part = np.empty(n, dtype=bool)
        new_part[0] = first or parts_before[0] > 0
        new_part[1:] = parts_before[1:] != parts_before[:-1]
        if inner == 1:
            new_part[:] = True
        self.sink.positions(nums[starts], nums[starts + 1], new_part)
        # Trailing part opens (after the last position) make the next position a new part.
        return bool(len(part_open) and part_open[-1] > pos_open[-1])


def _parts_of(coords: Any) -> list[Any]:
    """Innermost position lists of a decoded coordinates array."""
    if not isinstance(coords, list) or not coords:
        return []
    if isinstance(coords[0], (int, float)):
        return [[coords]]
    if isinstance(coords[0], list) and coords[0] and isinstance(coords[0][0], (int, float)):
        return [coords]
    out: list[Any] = []
    for c in coords:
        out.extend(_parts_of(c))
    return out


def read(path: str | Path, sink: Sink, *, block_bytes: int = BLOCK_BYTES) -> None:
    """Stream ``path`` into ``sink``. Raises GeoJSONSyntaxError on malformed input."""
    with open(path, "rb") as fh:
        r = _Reader(fh, sink, block_bytes)
        if os.fstat(fh.fileno()).st_size >= PANDAS_MIN_BYTES:
            r.parse_numbers = _pandas_parser() or _numbers_numpy
        c = r.skip_ws()
        if c == 0xEF and r.data[r.pos : r.pos + 3] == b"\xef\xbb\xbf":
            r.pos += 3  # UTF-8 byte order mark
            c = r.skip_ws()
        if c != ord("{"):
            raise r.fail("a GeoJSON file must hold one JSON object")
        r.feature_like(top=True)
        if r.skip_ws() != -1:
            raise r.fail("extra data after the JSON object")
