"""Geodesic measurement on the WGS84 ellipsoid (pyproj.Geod = Karney's algorithm, via PROJ).

Everything here works on numpy arrays of longitude/latitude in degrees and returns metres.
Projected lengths (UTM, Web Mercator) are approximations and are never used for a reported
length; a projection appears only to pick vertices when simplifying (resolution curve).

No geopandas, no folium; shapely is imported lazily and only by :func:`split_by_country`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from geo import settings
from geo.geodesy import GEOD, line_length_m

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    import numpy as np

# numpy is imported inside the functions that need it: measuring one small file must start
# fast (numpy alone costs ~0.15 s here), and pyproj.Geod accepts plain lists.

#: Metres per unit for ``--units``.
UNIT_M: dict[str, float] = {"km": 1000.0, "m": 1.0, "mi": 1609.344, "nmi": 1852.0}

#: Area where this project's data lies (degrees: west, south, east, north); used to tell
#: whether coordinates look like swapped lat/lon.
FRONTIER_BBOX = settings.CONTEXT_BBOX

Part = tuple["np.ndarray", "np.ndarray"]  # (lon, lat) of one line or ring


def parts_length_m(parts: Iterable[Part]) -> float:
    """Sum of the geodesic lengths of several lines or rings (no segment joins two parts)."""
    return math.fsum(line_length_m(x, y) for x, y in parts)


def densify(lon1: float, lat1: float, lon2: float, lat2: float, n: int) -> Part:
    """The segment with ``n`` points inserted along the geodesic (ends included)."""
    import numpy as np

    mid = GEOD.npts(lon1, lat1, lon2, lat2, n)
    x = np.array([lon1, *[p[0] for p in mid], lon2])
    y = np.array([lat1, *[p[1] for p in mid], lat2])
    return x, y


def _batch_sums(x: np.ndarray, y: np.ndarray, owner: np.ndarray, new_part: np.ndarray) -> tuple[int, np.ndarray]:
    """Per-owner sums of segment lengths in one batch (runs in a worker thread: PROJ
    releases the GIL, so parsing and measuring use both cores)."""
    import numpy as np

    # In place, no back azimuth: pyproj then skips its own buffer copies and the azimuth flip
    # (~15 % less CPU than the plain call, same distances bit for bit). pyproj writes its results
    # into the first three arrays: x and y are this batch's own (``_flush`` concatenated them), so
    # their first n-1 positions are overwritten, and only the second points are copied (they
    # overlap the first ones). The last position, the next batch's carry, is not touched.
    lon2, lat2 = x[1:].copy(), y[1:].copy()
    _, _, d = GEOD.inv(x[:-1], y[:-1], lon2, lat2, inplace=True, return_back_azimuth=False)
    d[new_part[1:]] = 0.0  # a segment ending where a part starts joins two parts: not a segment
    base = int(owner.min())
    sums = np.bincount(owner[1:] - base, weights=d, minlength=int(owner.max()) - base + 1)
    return base, sums


class BatchMeasurer:
    """Measures the positions of many features, streamed in any chunk sizes.

    Positions are gathered into batches of ~``batch_positions`` and measured in worker
    threads. Batching across features matters: one task per small feature would hand the
    GIL back and forth thousands of times and be slower than one thread.
    Memory is bounded by a few batches whatever the size of a feature or of the file: when
    ``workers + 1`` batches wait to be measured, the reader waits for the oldest (a reader
    faster than the measuring, GeoParquet's, would otherwise queue the whole file).
    """

    def __init__(self, batch_positions: int = 1 << 16, workers: int = 2) -> None:
        self.batch_positions = batch_positions
        self.workers = workers
        self._xs: list[np.ndarray] = []
        self._ys: list[np.ndarray] = []
        self._owners: list[np.ndarray] = []
        self._news: list[np.ndarray] = []
        self._n = 0
        self._last = -1  # the owner of the positions added last
        self._own_n = 0  # how many of the batch's positions are that owner's
        self._carry: tuple[Any, Any, Any, Any] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[tuple[int, np.ndarray]]] = []
        self._done: list[tuple[int, np.ndarray]] = []

    def add(self, owner: int | np.ndarray, x: np.ndarray, y: np.ndarray, new_part: np.ndarray) -> None:
        """Positions of feature ``owner`` (a small int, or one per position, non-decreasing);
        ``new_part`` marks part starts (it must be set at each change of owner).

        Where a batch ends depends only on the feature being added, never on what came before
        it nor on the sizes of the pieces it arrives in: a batch is closed before a new feature
        once full, and inside a feature exactly where that feature's own positions in it reach
        ``batch_positions``. A feature's length is then the same sum of the same pieces
        whichever row or byte a reader starts at (`geo lengths --jobs` gives the same bits as
        one process)."""
        import numpy as np

        n = len(x)
        if n == 0:
            return
        last = int(owner[-1]) if isinstance(owner, np.ndarray) else owner
        continues = not isinstance(owner, np.ndarray) and owner == self._last
        if not continues and self._n >= self.batch_positions:
            self._flush(final=False)
        room = self.batch_positions - (self._own_n if continues else 0)
        if not isinstance(owner, np.ndarray) and n > room:
            # cut exactly at the feature's own multiple, whatever the size of the pieces it comes
            # in (a GeoJSON worker starting mid-file gets other pieces than one process)
            self.add(owner, x[:room], y[:room], new_part[:room])
            self.add(owner, x[room:], y[room:], new_part[room:])
            return
        self._xs.append(np.asarray(x, dtype=np.float64))
        self._ys.append(np.asarray(y, dtype=np.float64))
        if isinstance(owner, np.ndarray):
            self._owners.append(owner.astype(np.int64, copy=False))
            self._own_n = 0  # whole small features: never cut inside
        else:
            self._owners.append(np.full(n, owner, dtype=np.int64))
            self._own_n = self._own_n + n if continues else n
        self._news.append(np.asarray(new_part, dtype=bool))
        self._n += n
        self._last = last
        if self._own_n >= self.batch_positions:  # a big feature: cut it at its own multiples
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        import numpy as np

        if self._carry is not None:
            cx, cy, co, cn = self._carry
            self._xs.insert(0, cx)
            self._ys.insert(0, cy)
            self._owners.insert(0, co)
            self._news.insert(0, cn)
        if not self._xs:
            return
        x, y = np.concatenate(self._xs), np.concatenate(self._ys)
        owner, new = np.concatenate(self._owners), np.concatenate(self._news)
        self._xs, self._ys, self._owners, self._news, self._n, self._own_n = [], [], [], [], 0, 0
        # The last position may continue in the next batch: it opens the next batch.
        self._carry = None if final else (x[-1:], y[-1:], owner[-1:], np.ones(1, dtype=bool))
        if len(x) < 2:
            return
        if final and self._pool is None:
            self._done.append(_batch_sums(x, y, owner, new))  # small input: no thread at all
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor  # not for small files: start-up time

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="geod")
        self._pending.append(self._pool.submit(_batch_sums, x, y, owner, new))
        while len(self._pending) > self.workers:  # backpressure: bounded memory
            self._done.append(self._pending.pop(0).result())

    def totals_m(self, n_owners: int) -> np.ndarray:
        """Finish and return the length of every owner 0..n_owners-1, metres."""
        import numpy as np

        self._flush(final=True)
        out = np.zeros(n_owners, dtype=np.float64)
        results = self._done + [f.result() for f in self._pending]
        if self._pool is not None:
            self._pool.shutdown()
        for base, sums in results:
            out[base : base + len(sums)] += sums[: max(0, n_owners - base)]
        return out


# -- coordinate sanity -------------------------------------------------------------------------


def lonlat_range_problem(bbox: Sequence[float]) -> str | None:
    """Why (west, south, east, north) cannot be longitude/latitude, or None."""
    w, s, e, n = bbox
    if not all(math.isfinite(v) for v in bbox):
        return "coordinates include NaN or infinity"
    if s < -90 or n > 90 or w < -180 or e > 180:
        hint = ""
        if -90 <= w and e <= 90 and (s < -90 or n > 90) and -180 <= s and n <= 180:
            hint = " (they look like lat/lon order: GeoJSON is lon, lat)"
        return (
            f"coordinates are outside longitude/latitude ranges (x {w:g}..{e:g}, y {s:g}..{n:g}) "
            f"and the file declares no CRS{hint}; declare one or reproject to WGS84"
        )
    return None


def looks_swapped(bbox: Sequence[float], area: Sequence[float] = FRONTIER_BBOX) -> bool:
    """True when the data lie outside ``area`` but would lie inside it with x and y swapped."""
    w, s, e, n = bbox
    aw, as_, ae, an = area

    def inside(x0: float, y0: float, x1: float, y1: float) -> bool:
        return aw <= x0 and x1 <= ae and as_ <= y0 and y1 <= an

    return not inside(w, s, e, n) and inside(s, w, n, e)


#: Key of the length that lies in no country polygon (offshore, or beyond the polygons).
OUTSIDE = "outside"

# -- per-country split -------------------------------------------------------------------------


def split_by_country(
    parts: Sequence[Part], border_parts: Sequence[Part], countries: dict[str, Any]
) -> dict[str, float]:
    """Metres of the line in each country: cut at the border, each piece to the country
    whose polygon contains the piece's midpoint (OUTSIDE when in none, e.g. at sea).

    ``countries`` maps a code to a GeoJSON geometry dict (Polygon / MultiPolygon).
    The cut is planar in lon/lat (the pieces' vertices are the line's own plus the cut
    points); every length is geodesic, and the pieces sum to the line's geodesic length.
    """
    import numpy as np
    import shapely
    from shapely.geometry import LineString, MultiLineString, shape

    polys = {code: shape(geom) for code, geom in countries.items()}
    for p in polys.values():
        shapely.prepare(p)
    border = MultiLineString([np.column_stack(p) for p in border_parts if len(p[0]) >= 2])
    out: dict[str, float] = {}
    for x, y in parts:
        if len(x) < 2:
            continue
        line = LineString(np.column_stack((x, y)))
        pieces = shapely.get_parts(line.difference(border)) if line.intersects(border) else [line]
        got: list[tuple[str, float]] = []
        for piece in pieces:
            coords = shapely.get_coordinates(piece)
            if len(coords) < 2:
                continue
            mid = piece.interpolate(0.5, normalized=True)
            code = next((c for c, p in polys.items() if p.contains(mid)), OUTSIDE)
            got.append((code, line_length_m(coords[:, 0], coords[:, 1])))
        # A cut point lies on the lon/lat segment, a hair off the geodesic one, so the pieces
        # can sum to slightly more than the line (0.6 m on a 200 km segment, micrometres on a
        # geodesically densified route). Scale them so the countries add up to the whole.
        whole = line_length_m(x, y)
        total = math.fsum(v for _, v in got)
        scale = whole / total if total > 0 else 0.0
        for code, v in got:
            out[code] = out.get(code, 0.0) + v * scale
    return out


# -- simplification (resolution curve) ---------------------------------------------------------


def _douglas_peucker_mask(px: np.ndarray, py: np.ndarray, tolerance: float) -> np.ndarray:
    """Vertices kept by Douglas-Peucker (planar, same units as px/py); ends always kept."""
    import numpy as np

    n = len(px)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        x0, y0, x1, y1 = px[i], py[i], px[j], py[j]
        sx, sy = px[i + 1 : j], py[i + 1 : j]
        dx, dy = x1 - x0, y1 - y0
        seg2 = dx * dx + dy * dy
        if seg2 == 0.0:
            dist = np.hypot(sx - x0, sy - y0)
        else:  # distance to the segment (not the infinite line), as GEOS does
            t = np.clip(((sx - x0) * dx + (sy - y0) * dy) / seg2, 0.0, 1.0)
            dist = np.hypot(sx - (x0 + t * dx), sy - (y0 + t * dy))
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return keep


def simplify_parts(parts: Sequence[Part], tolerance_m: float) -> list[Part]:
    """Douglas-Peucker at ``tolerance_m`` metres, in an azimuthal equidistant projection
    centred on the data (distortion under 0.2 % within 600 km of the centre, which only
    shifts which vertices are kept). Kept vertices are the original lon/lat, exactly."""
    import numpy as np
    from pyproj import Transformer

    allx = np.concatenate([p[0] for p in parts])
    ally = np.concatenate([p[1] for p in parts])
    lon0 = (float(allx.min()) + float(allx.max())) / 2
    lat0 = (float(ally.min()) + float(ally.max())) / 2
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps={settings.GEOD_ELLPS} +units=m", always_xy=True
    )
    out: list[Part] = []
    for x, y in parts:
        px, py = tr.transform(x, y)
        keep = _douglas_peucker_mask(np.asarray(px), np.asarray(py), tolerance_m)
        out.append((x[keep], y[keep]))
    return out
