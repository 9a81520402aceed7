"""A minimal 2D WKB parser: geometry type and position arrays, without shapely (fast path)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from geo.errors import InputError

if TYPE_CHECKING:
    import numpy as np


#: Deepest nesting of collections read (found by fuzzing: 10^5 nested GeometryCollections in 900 KB of
#: WKB exhausted Python's recursion limit). Real data nests at most 2 (a collection of multi-parts).
MAX_WKB_DEPTH = 32

_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}


def wkb_parts(buf: bytes | memoryview) -> tuple[str, list[np.ndarray]]:
    """Geometry type and the position arrays (n x 2) of each line/ring of a 2D WKB geometry."""
    import numpy as np

    parts: list[np.ndarray] = []

    def geom(off: int, depth: int) -> tuple[int, str]:
        if depth > MAX_WKB_DEPTH:
            raise ValueError(f"geometry collections nested more than {MAX_WKB_DEPTH} levels deep")
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
            off, _sub = geom(off, depth + 1)
        return off, gname

    _, gname = geom(0, 0)
    return gname, parts


#: Positions handed to the sink at a time: a one-million-vertex line is measured in pieces, so
#: memory does not grow with the largest feature.
FEED_POSITIONS = 1 << 16


def feed_wkb(sink: Any, buf: bytes | memoryview | None, where: str) -> str | None:
    """Parse one WKB geometry and hand each line/ring to ``sink.positions``; the geometry type.

    ``where`` names the feature in the one-line error a broken geometry gives (``path: feature x``).
    Every reader of binary geometries (OGR formats, GeoParquet) goes through here. ``buf`` may be
    a memoryview into a reader's buffer (GeoParquet: no copy of the WKB).
    """
    if buf is None:
        return None
    try:
        gname, parts = wkb_parts(buf if isinstance(buf, (bytes, memoryview)) else bytes(buf))
    except (ValueError, IndexError) as exc:
        raise InputError(f"{where}: {exc}") from None
    for p in parts:
        feed_line(sink, (p[a : a + FEED_POSITIONS] for a in range(0, len(p), FEED_POSITIONS)))
    return gname


def feed_line(sink: Any, pieces: Iterable[np.ndarray]) -> None:
    """One line to ``sink.positions`` in its pieces (n x 2 arrays, FEED_POSITIONS long but the
    last): the first piece starts the line, later pieces continue it. feed_wkb cuts a parsed line;
    GeoParquet's page reader reads a long one piece by piece: the same pieces, the same bits."""
    import numpy as np

    first = True
    for piece in pieces:
        new = np.zeros(len(piece), dtype=bool)
        new[0] = first
        first = False
        sink.positions(piece[:, 0].copy(), piece[:, 1].copy(), new)
