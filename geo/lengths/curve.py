"""`geo lengths --resolution-curve`: the border's length at source resolution and simplified."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from geo.lengths import measure
from geo.lengths.model import Measured

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
