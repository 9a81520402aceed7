"""GeoParquet geometry column chunks read page by page, decompressed as a stream.

Arrow's reader holds a whole Parquet page at least three times (the compressed page, the
decompressed page, the decoded array): a 16 MB route written by pyarrow, GDAL or geopandas sits in
one page (often the dictionary page: the writer puts the first values of a column chunk in a
dictionary before it falls back to plain encoding) and costs 58 MB to read. Here a page is read
through a streaming decompressor and its values are handed on as they come; a WKB LineString
longer than a measuring piece is measured piece by piece, so the memory held is a piece and a
batch whatever the size of a page or of a route.

Only what Arrow-family writers produce for a flat BYTE_ARRAY column is read here (pages v1 and v2,
PLAIN and dictionary encodings, RLE definition levels); :func:`streamable` says which column
chunks qualify and the rest go through Arrow (:mod:`geo.lengths.parquet`). ZSTD and GZIP pages
(and uncompressed ones) are decompressed as a stream, SNAPPY, BROTLI and LZ4_RAW pages whole (one
page, not three). Every size in a page header is checked against the column chunk's metadata
before anything is read or allocated: a broken or hostile file gives one line naming the row group
and page.

The page header is Thrift's compact protocol; the few lines that read it are here because no
registry library reads a Parquet page header without reading the page (pyarrow keeps its page
reader in C++).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Parquet codecs read here: decompressed as a stream (name for pyarrow.CompressedInputStream) or
#: one page at a time (name for pyarrow.Codec). LZ4 (Hadoop framing) and LZO go through Arrow.
STREAM_CODECS = {"UNCOMPRESSED": None, "ZSTD": "zstd", "GZIP": "gzip"}
WHOLE_PAGE_CODECS = {"SNAPPY": "snappy", "BROTLI": "brotli", "LZ4_RAW": "lz4_raw"}
#: Encodings of the column chunk's pages this reader decodes (the metadata lists them all).
ENCODINGS = {"PLAIN", "RLE", "RLE_DICTIONARY", "PLAIN_DICTIONARY"}

_DATA_PAGE, _INDEX_PAGE, _DICTIONARY_PAGE, _DATA_PAGE_V2 = 0, 1, 2, 3
_PLAIN, _PLAIN_DICTIONARY, _RLE_DICTIONARY = 0, 2, 8
#: Largest page header read (statistics included); Arrow's own reader stops at 16 MB too.
MAX_HEADER = 16 << 20
#: Deepest nesting of Thrift structs in a page header (PageHeader > DataPageHeader > Statistics).
_MAX_DEPTH = 8


class PageError(ValueError):
    """A page that cannot be read: the message says why (the caller names the file and group)."""


@dataclass(frozen=True)
class Chunk:
    """One row group's chunk of the geometry column, as the file's footer describes it."""

    physical_type: int
    codec: str
    encodings: frozenset[str]
    uncompressed: int
    compressed: int
    start: int  # file offset of its first page (the dictionary page, if any)
    rows: int  # rows in the row group


_BYTE_ARRAY = 6
_CODECS = {0: "UNCOMPRESSED", 1: "SNAPPY", 2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"}
_ENCODINGS = {0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED",
              6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"}


def footer_chunks(fd: int, ci: int) -> list[Chunk]:
    """Leaf column ``ci``'s chunk in every row group, read from the file's footer here.

    pyarrow's Python getter for a column chunk's metadata (``RowGroupMetaData.column``) aborts the
    whole process on some broken footers (a C++ exception it does not catch: found by fuzzing), so
    the sizes and offsets this reader needs never come from it. Its own readers are safe: they
    raise OSError."""
    size = os.fstat(fd).st_size
    tail = os.pread(fd, 8, max(size - 8, 0))
    if size < 12 or tail[4:] != b"PAR1":
        raise PageError("the file has no Parquet footer")
    n = int.from_bytes(tail[:4], "little")
    if n > size - 12:
        raise PageError("the footer is larger than the file")
    footer = os.pread(fd, n, size - 8 - n)
    th = _Thrift(_BytesReader(footer).read, len(footer), depth=16)
    groups = th.struct().get(4)
    if not isinstance(groups, list):
        raise PageError("the footer lists no row groups")
    out = []
    for rg in groups:
        cols = rg.get(1) if isinstance(rg, dict) else None
        meta = cols[ci].get(3) if isinstance(cols, list) and ci < len(cols) and isinstance(cols[ci], dict) else None
        if not isinstance(meta, dict):
            raise PageError("a row group has no metadata for the geometry column")
        encodings = meta.get(2)
        if not isinstance(encodings, list) or not all(isinstance(e, int) for e in encodings):
            raise PageError("a column chunk lists no encodings")
        data_at = _int(meta, 9, "data page offset", 4, 1 << 62)
        dict_at = meta.get(11)
        start = dict_at if isinstance(dict_at, int) and 4 <= dict_at < data_at else data_at
        out.append(Chunk(_int(meta, 1, "physical type", 0, 8), _CODECS.get(_int(meta, 4, "codec", 0, 1 << 31), "?"),
                         frozenset(_ENCODINGS.get(e, "?") for e in encodings),
                         _int(meta, 6, "uncompressed size", 0, 1 << 62),
                         _int(meta, 7, "compressed size", 1, 1 << 62), start,
                         _int(rg, 3, "row count", 0, 1 << 62)))
    return out


def streamable(chunk: Chunk, desc: Any) -> bool:
    """True when a column chunk is one this module reads: flat (``desc``, pyarrow's column
    schema), nullable or not, BYTE_ARRAY, with only the encodings and codecs above."""
    return (chunk.physical_type == _BYTE_ARRAY and desc.max_repetition_level == 0
            and desc.max_definition_level <= 1 and chunk.encodings <= ENCODINGS
            and (chunk.codec in STREAM_CODECS or chunk.codec in WHOLE_PAGE_CODECS))


# -- Thrift compact protocol (the page header) ---------------------------------------------------


class _Thrift:
    """Reads a compact-protocol struct as {field id: value} from ``read(n)`` (exactly n bytes)."""

    def __init__(self, read: Any, limit: int, depth: int = _MAX_DEPTH) -> None:
        self._read = read
        self.used = 0
        self.limit = limit
        self.max_depth = depth

    def take(self, n: int) -> bytes:
        if n < 0 or self.used + n > self.limit:
            raise PageError("Thrift data run past their end (a page header past its column chunk or 16 MB, "
                            "or the footer)")
        b = self._read(n)
        self.used += n
        return b

    def varint(self) -> int:
        out = shift = 0
        for _ in range(10):
            b = self.take(1)[0]
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7
        raise PageError("page header holds a varint longer than 10 bytes")

    def zigzag(self) -> int:
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def value(self, t: int, depth: int, in_list: bool = False) -> Any:
        if depth > self.max_depth:
            raise PageError("Thrift values nested too deeply")
        if t in (1, 2):
            return (self.take(1)[0] == 1) if in_list else t == 1
        if t == 3:
            return struct.unpack("b", self.take(1))[0]
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            return struct.unpack("<d", self.take(8))[0]
        if t == 8:
            return self.take(self.varint())
        if t in (9, 10):
            h = self.take(1)[0]
            n, et = h >> 4, h & 15
            if n == 15:
                n = self.varint()
            if n > self.limit - self.used:  # every element takes at least one byte
                raise PageError("page header declares a list longer than the header")
            return [self.value(et, depth + 1, True) for _ in range(n)]
        if t == 11:
            n = self.varint()
            if not n:
                return {}
            if 2 * n > self.limit - self.used:
                raise PageError("page header declares a map longer than the header")
            kv = self.take(1)[0]
            return {self._key(self.value(kv >> 4, depth + 1, True)): self.value(kv & 15, depth + 1, True)
                    for _ in range(n)}
        if t == 12:
            return self.struct(depth + 1)
        raise PageError(f"page header holds an unknown Thrift type {t}")

    @staticmethod
    def _key(k: Any) -> Any:
        return k if not isinstance(k, (dict, list)) else repr(k)

    def struct(self, depth: int = 0) -> dict[int, Any]:
        if depth > self.max_depth:
            raise PageError("Thrift structs nested too deeply")
        out: dict[int, Any] = {}
        last = 0
        while True:
            h = self.take(1)[0]
            if h == 0:
                return out
            t, delta = h & 15, h >> 4
            fid = last + delta if delta else self.zigzag()
            out[fid] = self.value(t, depth)
            last = fid


# -- pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    kind: int
    uncompressed: int
    compressed: int
    at: int  # file offset of the page's (compressed) bytes
    num_values: int
    encoding: int
    # v2 only
    def_bytes: int = 0
    rep_bytes: int = 0
    v2_compressed: bool = True


def _int(h: dict[int, Any], fid: int, what: str, lo: int = 0, hi: int = 1 << 31) -> int:
    v = h.get(fid)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v < hi:
        raise PageError(f"page header has no valid {what} ({v!r})")
    return v


def pages(fd: int, start: int, end: int, max_values: int) -> Iterator[Page]:
    """The pages of the column chunk at bytes ``start``..``end`` of file ``fd``, headers checked:
    sizes inside the chunk, value counts within ``max_values`` (the chunk's own count)."""
    pos = start
    while pos < end:
        th = _Thrift(_ReadAhead(fd, pos).read, min(end - pos, MAX_HEADER))
        h = th.struct()
        kind = _int(h, 1, "page type", 0, 4)
        usize, csize = _int(h, 2, "uncompressed size"), _int(h, 3, "compressed size")
        at = pos + th.used
        if at + csize > end:
            raise PageError(f"a page of {csize:,} bytes runs past the end of its column chunk")
        sub = h.get({_DATA_PAGE: 5, _INDEX_PAGE: 6, _DICTIONARY_PAGE: 7, _DATA_PAGE_V2: 8}[kind])
        if kind == _INDEX_PAGE:
            pos = at + csize
            continue
        if not isinstance(sub, dict):
            raise PageError("a page header lacks its page type's header")
        n = _int(sub, 1, "value count", 0, max_values + 1)
        if kind == _DATA_PAGE_V2:
            enc = _int(sub, 4, "encoding")
            dl, rl = _int(sub, 5, "definition levels size"), _int(sub, 6, "repetition levels size")
            if dl + rl > csize or dl + rl > usize:
                raise PageError("a v2 page's levels are larger than the page")
            comp = sub.get(7, True)
            yield Page(kind, usize, csize, at, n, enc, dl, rl, comp is not False)
        else:
            yield Page(kind, usize, csize, at, n, _int(sub, 2, "encoding"))
        pos = at + csize


class _ReadAhead:
    """Exactly-n reads from ``fd`` at ``pos`` on, 256 bytes ahead (headers: not a call per byte)."""

    def __init__(self, fd: int, pos: int) -> None:
        self.fd, self.pos, self.buf = fd, pos, b""

    def read(self, n: int) -> bytes:
        if len(self.buf) < n:
            more = os.pread(self.fd, max(n - len(self.buf), 256), self.pos)
            self.buf, self.pos = self.buf + more, self.pos + len(more)
            if len(self.buf) < n:
                raise PageError("the file ends inside a page header")
        b, self.buf = self.buf[:n], self.buf[n:]
        return b


class _Bounded:
    """A read-only raw file over bytes ``at``..``at + size`` of ``fd`` (for pyarrow.PythonFile)."""

    def __init__(self, fd: int, at: int, size: int) -> None:
        self.fd, self.pos, self.end = fd, at, at + size
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        n = self.end - self.pos if n is None or n < 0 else min(n, self.end - self.pos)
        b = os.pread(self.fd, n, self.pos) if n > 0 else b""
        self.pos += len(b)
        return b

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


class Stream:
    """Exactly-n reads from one page's decompressed bytes, never more than the header's size."""

    def __init__(self, raw: Any, limit: int, errors: tuple[type[BaseException], ...] = ()) -> None:
        self._raw = raw
        self.left = limit
        self._errors = errors  # the decompressor's own exceptions: a corrupt page

    def read(self, n: int) -> bytes:
        if n > self.left:
            raise PageError("a page holds more bytes than its header says")
        chunks = []
        want = n
        while want:
            try:
                b = self._raw.read(want)
            except self._errors as exc:
                raise PageError(f"a page does not decompress ({str(exc).splitlines()[0]})") from None
            b = b.to_pybytes() if hasattr(b, "to_pybytes") else b
            if not b:
                raise PageError("a page ends early (truncated or corrupt compressed data)")
            chunks.append(b)
            want -= len(b)
        self.left -= n
        if not self.left:  # the page is read: its buffers go now, not when the next page is open
            self._raw = None
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def skip(self, n: int) -> None:
        while n:
            k = min(n, 1 << 20)
            self.read(k)
            n -= k


def open_page(fd: int, page: Page, codec: str) -> Stream:
    """The decompressed bytes of ``page`` (v2: its values; its levels are read by :func:`levels`)."""
    import pyarrow as pa

    at, csize, usize = page.at, page.compressed, page.uncompressed
    if page.kind == _DATA_PAGE_V2:
        lv = page.def_bytes + page.rep_bytes
        at, csize, usize = at + lv, csize - lv, usize - lv
        if not page.v2_compressed:
            codec = "UNCOMPRESSED"
    if codec == "UNCOMPRESSED":
        if csize != usize:
            raise PageError("an uncompressed page's two sizes differ")
        return Stream(_Bounded(fd, at, csize), usize)
    if codec in STREAM_CODECS:
        raw = pa.CompressedInputStream(pa.PythonFile(_Bounded(fd, at, csize), mode="r"), STREAM_CODECS[codec])
        return Stream(raw, usize, (pa.ArrowException, OSError))
    data = os.pread(fd, csize, at)
    if len(data) != csize:
        raise PageError("the file ends inside a page")
    try:
        buf = pa.Codec(WHOLE_PAGE_CODECS[codec]).decompress(data, decompressed_size=usize)
    except (pa.ArrowException, OSError) as exc:  # Arrow's codecs raise OSError for corrupt data
        raise PageError(f"a {codec} page does not decompress ({str(exc).splitlines()[0]})") from None
    return Stream(pa.BufferReader(buf), usize)


def hybrid(data: bytes, bit_width: int, count: int) -> Any:
    """``count`` values of Parquet's RLE / bit-packed hybrid encoding (levels, dictionary indices)."""
    import numpy as np

    if not 0 <= bit_width <= 32:
        raise PageError(f"an RLE run has a bit width of {bit_width}")
    out = np.zeros(count, dtype=np.int64)
    i = pos = 0
    width_bytes = (bit_width + 7) // 8
    weights = 1 << np.arange(bit_width, dtype=np.int64)
    while i < count:
        header = 0
        shift = 0
        while True:
            if pos >= len(data) or shift > 63:
                raise PageError("RLE data end before their values")
            b = data[pos]
            pos += 1
            header |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if header & 1:
            groups = header >> 1
            nbytes = groups * bit_width
            if groups == 0:
                raise PageError("an RLE bit-packed run is empty")
            chunk = np.frombuffer(data, dtype=np.uint8, count=min(nbytes, len(data) - pos), offset=pos)
            take = min(8 * groups, count - i)
            if bit_width:
                bits = np.unpackbits(chunk, bitorder="little")[: take * bit_width]
                if len(bits) < take * bit_width:
                    raise PageError("RLE data end before their values")
                out[i : i + take] = bits.reshape(take, bit_width).astype(np.int64) @ weights
            pos += nbytes
        else:
            run = header >> 1
            if run == 0 or pos + width_bytes > len(data):
                raise PageError("an RLE run is empty or ends early")
            take = min(run, count - i)
            out[i : i + take] = int.from_bytes(data[pos : pos + width_bytes], "little")
            pos += width_bytes
        i += take
    return out


def levels(fd: int, page: Page, stream: Stream, max_def: int) -> Any:
    """The page's definition levels as a bool array (True: a value), or None for a required column.
    v1 pages: read from the front of ``stream``; v2: from the page's uncompressed level bytes."""
    if max_def == 0:
        return None
    if page.kind == _DATA_PAGE_V2:
        data = os.pread(fd, page.def_bytes, page.at + page.rep_bytes)
        if len(data) != page.def_bytes:
            raise PageError("the file ends inside a page")
    else:
        (n,) = struct.unpack("<I", stream.read(4))
        data = stream.read(n)
    d = hybrid(data, 1, page.num_values)
    if (d > max_def).any():
        raise PageError("a definition level exceeds the column's maximum")
    return d == max_def


def chunk_pages(fd: int, chunk: Chunk) -> list[Page]:
    """Every page header of a column chunk (no page is read)."""
    end = chunk.start + chunk.compressed
    if end > os.fstat(fd).st_size:
        raise PageError("the column chunk runs past the end of the file")
    return list(pages(fd, chunk.start, end, chunk.rows))


def values(fd: int, chunk: Chunk, max_def: int, plist: list[Page]) -> Iterator[tuple[int, Stream] | None]:
    """Each row's value of the column chunk, in order: None for a null, else (n, stream) where
    the next n bytes of ``stream`` are the value (what the caller does not read is skipped).

    A dictionary whose values are used once each, in order (what a writer makes of distinct
    values, such as geometries) is streamed as the rows come; any other dictionary is held."""
    codec, nrows = chunk.codec, chunk.rows
    dicts = [p for p in plist if p.kind == _DICTIONARY_PAGE]
    data = [p for p in plist if p.kind in (_DATA_PAGE, _DATA_PAGE_V2)]
    if len(dicts) > 1 or (dicts and plist[0] is not dicts[0]):
        raise PageError("a dictionary page that is not the column chunk's first page")
    if sum(p.num_values for p in data) != nrows:
        raise PageError(f"the pages hold {sum(p.num_values for p in data):,} values for {nrows:,} rows")
    bad = [p.encoding for p in data if p.encoding not in (_PLAIN, _RLE_DICTIONARY, _PLAIN_DICTIONARY)]
    if bad or (dicts and dicts[0].encoding not in (_PLAIN, _PLAIN_DICTIONARY)):
        raise PageError(f"a page encoding ({(bad or [dicts[0].encoding])[0]}) not read here")
    coded = [p for p in data if p.encoding != _PLAIN]
    if coded and not dicts:
        raise PageError("dictionary-encoded pages without a dictionary page")
    indices = [_indices(fd, p, codec, max_def) for p in coded]  # bit-packed: small
    held, dstream = _dictionary(fd, dicts[0], codec, indices) if dicts else (None, None)
    coded_i = 0
    for p in data:
        s = open_page(fd, p, codec)
        present = levels(fd, p, s, max_def)
        if p.encoding != _PLAIN:
            idx = indices[coded_i].tolist()
            coded_i += 1
            if held is not None:
                yield from _held_values(held, idx, present, p.num_values)
                continue
            assert dstream is not None
            s = dstream
        for r in range(p.num_values):
            if present is not None and not present[r]:
                yield None
                continue
            (n,) = struct.unpack("<I", s.read(4))
            before = s.left
            yield n, s
            unread = n - (before - s.left)
            if unread < 0:
                raise PageError("a value was read past its end")
            s.skip(unread)


def _held_values(held: list[bytes], idx: list[int], present: Any, count: int) -> Iterator[tuple[int, Stream] | None]:
    j = 0
    for r in range(count):
        if present is not None and not present[r]:
            yield None
            continue
        v = held[idx[j]]
        j += 1
        yield len(v), Stream(_BytesReader(v), len(v))


def _indices(fd: int, p: Page, codec: str, max_def: int) -> Any:
    """A dictionary-encoded page's indices, one per value present."""
    import numpy as np

    s = open_page(fd, p, codec)
    present = levels(fd, p, s, max_def)
    k = p.num_values if present is None else int(present.sum())
    width = s.read(1)[0] if s.left else 0
    return hybrid(s.read(s.left), width, k) if k else np.zeros(0, np.int64)


def _dictionary(fd: int, d: Page, codec: str, indices: list[Any]) -> tuple[list[bytes] | None, Stream | None]:
    """(values held, None), or (None, the dictionary page as a stream) when each value is used once
    and in order: then the rows' values are the dictionary's, read as they come."""
    import numpy as np

    used = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    if len(used) and (used.min() < 0 or used.max() >= d.num_values):
        raise PageError("a dictionary index past the dictionary's end")
    stream = open_page(fd, d, codec)
    if len(used) == d.num_values and (used == np.arange(d.num_values)).all():
        return None, stream
    held = []
    for _ in range(d.num_values):
        (n,) = struct.unpack("<I", stream.read(4))
        held.append(stream.read(n))
    return held, None


class _BytesReader:
    def __init__(self, b: bytes) -> None:
        self.b, self.pos = memoryview(b), 0

    def read(self, n: int) -> bytes:
        out = bytes(self.b[self.pos : self.pos + n])
        self.pos += len(out)
        return out
