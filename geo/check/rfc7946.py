"""RFC 7946 structure of one geometry: nesting, positions, ranges, extent, precision, rings.

Each check appends ``(rule, detail)`` pairs to ``out`` and returns False when the geometry is
too broken to build (then no OGC or topology check runs on it).
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from typing import Any

from geo.check.problems import fmt_pos, is_number, short

#: RFC 7946 section 11.2 (and sgillies): never more than 7 decimals. We write 6.
MAX_DECIMALS: int = 7
#: Nesting depth of the coordinates of each GeoJSON geometry type.
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}

Issues = list[tuple[str, str]]
Positions = list[tuple[str, Any]]


def decimals(x: float) -> int:
    """Decimals of ``x`` as written by ``repr`` (the shortest text that reads back as ``x``)."""
    if isinstance(x, int):
        return 0
    r = repr(x)
    if "e" not in r and "E" not in r:
        return len(r) - r.index(".") - 1 if "." in r else 0
    exp = Decimal(r).as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def walk_positions(coords: Any, depth: int, path: str, out: Issues, positions: Positions) -> bool:
    """Check nesting and positions; collect (path, position). Return False if structure is broken."""
    if depth == 0:
        if (not isinstance(coords, list) or len(coords) not in (2, 3)
                or not all(is_number(c) for c in coords)):
            shown = fmt_pos(coords) if isinstance(coords, list) else short(repr(coords), 40)
            out.append(("coordinates", f"{path}: {shown} is not a position (2 or 3 numbers)"))
            return False
        if not all(math.isfinite(c) for c in coords):
            out.append(("coordinates", f"{path}: {fmt_pos(coords)} is not finite"))
            return False
        positions.append((path, coords))
        return True
    if not isinstance(coords, list):
        out.append(("coordinates", f"{path}: expected an array, got {type(coords).__name__}"))
        return False
    if depth == 1 and all(type(c) is list and len(c) == 2 and type(c[0]) is float and type(c[1]) is float
                          and math.isfinite(c[0]) and math.isfinite(c[1]) for c in coords):
        positions.extend((f"{path}[{i}]", c) for i, c in enumerate(coords))
        return True
    ok = True
    for i, c in enumerate(coords):
        ok &= walk_positions(c, depth - 1, f"{path}[{i}]", out, positions)
    return ok


def too_precise(positions: Positions) -> list[tuple[str, float]]:
    """(path, value) of every coordinate with more than MAX_DECIMALS decimals."""
    import numpy as np

    flat = [x for _, c in positions for x in c[:2]]
    arr = np.array(flat, dtype=float)
    cand = np.flatnonzero(np.round(arr, MAX_DECIMALS) != arr)  # numpy pre-filter, exact check below
    out = []
    for i in cand:
        path, c = positions[i // 2]
        x = c[i % 2]
        if decimals(x) > MAX_DECIMALS:
            out.append((path, x))
    for path, c in positions:  # a third (elevation) value is rare; check it exactly
        if len(c) > 2 and decimals(c[2]) > MAX_DECIMALS:
            out.append((path, c[2]))
    return out


def ring_area2(ring: list[list[float]]) -> float:
    """Twice the signed planar area (positive = counter-clockwise)."""
    s = 0.0
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        s += x1 * y2 - x2 * y1
    return s


def rings(gtype: str, coords: list[Any]) -> list[tuple[str, int, list[Any]]]:
    """(path, index within its polygon, ring) for every ring of a (Multi)Polygon."""
    polys = [coords] if gtype == "Polygon" else coords
    out = []
    for pi, poly in enumerate(polys):
        for ri, ring in enumerate(poly):
            p = f"ring {ri}" if gtype == "Polygon" else f"polygon {pi} ring {ri}"
            out.append((p, ri, ring))
    return out


def lines(gtype: str, coords: list[Any]) -> list[tuple[str, list[Any]]]:
    if gtype == "LineString":
        return [("line", coords)]
    if gtype == "MultiLineString":
        return [(f"line {i}", c) for i, c in enumerate(coords)]
    if gtype in ("Polygon", "MultiPolygon"):
        return [(p, r) for p, _, r in rings(gtype, coords)]
    return []


# ---------------------------------------------------------------- checks


def empty_parts(gtype: str, coords: list[Any], out: Issues) -> bool:
    """Rule ``empty`` for the parts of a multi-part geometry and the rings of a MultiPolygon."""
    ok = True
    if gtype in ("MultiPoint", "MultiLineString", "MultiPolygon", "Polygon"):
        for i, part in enumerate(coords):
            if part == []:
                out.append(("empty", f"{gtype} part {i} is empty"))
                ok = False
    if gtype == "MultiPolygon":
        for i, poly in enumerate(coords):
            for j, ring in enumerate(poly):
                if ring == []:
                    out.append(("empty", f"polygon {i} ring {j} is empty"))
                    ok = False
    return ok


def ranges(positions: Positions, extent: tuple[float, float, float, float] | None, out: Issues) -> bool:
    """Rules ``range`` (not lon/lat at all: breaks the geometry) and ``extent`` (outside the atlas)."""
    bad_range = [(p, c) for p, c in positions if not (-180 <= c[0] <= 180 and -90 <= c[1] <= 90)]
    if bad_range:
        p, c = bad_range[0]
        out.append(("range", (f"{len(bad_range)} position(s) outside lon [-180, 180] / lat [-90, 90], "
                              f"first {fmt_pos(c)} at {p}")))
        return False
    if extent is not None:
        w, s, e, n = extent
        outside = [(p, c) for p, c in positions if not (w <= c[0] <= e and s <= c[1] <= n)]
        if outside:
            p, c = outside[0]
            hint = "; lon and lat look swapped" if (w <= c[1] <= e and s <= c[0] <= n) else ""
            out.append(("extent", (f"{len(outside)} position(s) outside the atlas extent "
                                   f"({w}..{e} E, {s}..{n} N), first {fmt_pos(c)} at {p}{hint}")))
    return True


def precision(positions: Positions, out: Issues) -> None:
    """Rule ``precision``: more than MAX_DECIMALS decimals."""
    precise = too_precise(positions)
    if precise:
        p, x = precise[0]
        out.append(("precision", (f"{len(precise)} coordinate(s) with more than {MAX_DECIMALS} decimals, "
                                  f"first {x!r} at {p}")))


def line_shapes(gtype: str, coords: list[Any], out: Issues) -> bool:
    """Rules ``duplicate-vertex``, ``ring-closed`` and ``coordinates`` (too few positions)."""
    ok = True
    for path, line in lines(gtype, coords):
        if not line:
            continue
        pos2 = [c[:2] for c in line]
        dupes = [i for i in range(1, len(pos2)) if pos2[i] == pos2[i - 1]]
        if dupes:
            out.append(("duplicate-vertex", (f"{len(dupes)} consecutive duplicate position(s) in {path}, "
                                             f"first {fmt_pos(pos2[dupes[0]])} at vertex {dupes[0]}")))
        if gtype in ("Polygon", "MultiPolygon"):
            ok &= _ring_closed(path, pos2, out)
        elif len(pos2) < 2:
            out.append(("coordinates", f"{path} has {len(pos2)} position(s); a LineString needs at least 2"))
            ok = False
    return ok


def _ring_closed(path: str, pos2: list[Any], out: Issues) -> bool:
    if pos2[0] != pos2[-1]:
        out.append(("ring-closed", f"{path} is not closed: first {fmt_pos(pos2[0])} != last {fmt_pos(pos2[-1])}"))
        return False
    if len(pos2) < 4:
        out.append(("ring-closed", f"{path} has {len(pos2)} positions; a linear ring needs at least 4"))
        return False
    return True


def winding(gtype: str, coords: list[Any]) -> list[str]:
    """Rings against the right-hand rule: exterior counter-clockwise, holes clockwise."""
    wrong = []
    for path, ri, ring in rings(gtype, coords):
        a2 = ring_area2(ring)
        if ri == 0 and a2 < 0:
            wrong.append(f"{path} (exterior) is clockwise")
        elif ri > 0 and a2 > 0:
            wrong.append(f"{path} (hole) is counter-clockwise")
    return wrong
