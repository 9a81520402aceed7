"""The palette (geo/palette.py) in matplotlib's terms, and the checks a print map must pass.

Widths, radii and dashes in the palette are web-map CSS pixels; a static map draws them at
``Scale.lw`` points per pixel, so every class keeps its weight relative to the others.

Checks:

* :func:`cvd_problems` - classes drawn with the same symbol (same geometry, marker and dash) that
  differ only by colour must stay at least :data:`MIN_DELTA_E` apart in CAM02-UCS for normal
  vision and under full deuteranopia, protanopia and tritanopia (colorspacious' Machado 2009
  simulation);
* :func:`contrast` - WCAG 2.x contrast ratio; every text must reach :data:`MIN_CONTRAST` on what
  it is drawn on (its halo, its box or the panel).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from geo import palette

#: Minimum CAM02-UCS distance between same-symbol classes, in every vision simulation.
MIN_DELTA_E = 15.0
#: WCAG AA for normal text.
MIN_CONTRAST = 4.5
CVD_TYPES: tuple[str, ...] = ("deuteranomaly", "protanomaly", "tritanomaly")
CVD_NAMES = {"deuteranomaly": "deuteranopia", "protanomaly": "protanopia", "tritanomaly": "tritanopia"}

#: Text colours of the static maps (not data colours: those are the palette's).
INK = "#1f1f1f"
INK_SOFT = "#4d4d4d"
COUNTRY_LABEL = "#5f5a50"
PANEL = "#ffffff"
HALO = "#ffffff"


# -- how each layer's symbols are labelled on a still map: one table, keyed by catalog layer ---------

#: A layer's symbols are "sites" when the catalog says they are border sites (markets, crossings):
#: bold names that are never left out (placed further out with a leader if need be). "towns"
#: (places) are named in a smaller tier when crowded and dropped with their dot when unnamed; the
#: pipeline's named points (the gas field, its ends) are bold like the sites.
TOWN_LAYERS: frozenset[str] = frozenset({"places"})
BOLD_LAYERS: frozenset[str] = frozenset({"pipeline"})
#: Legend rows of a layer read with another's on a card (admin-1's thin lines with the border).
LEGEND_WITH: dict[str, str] = {"admin1": "border"}


def label_role(layer: str) -> str:
    """``"site"``, ``"town"`` or ``"feature"``: how a still map names ``layer``'s symbols."""
    from geo import catalog

    if layer in TOWN_LAYERS:
        return "town"
    if layer in catalog.names() and catalog.get(layer).border_sites:
        return "site"
    return "feature"


def bold_label(layer: str) -> bool:
    return label_role(layer) == "site" or layer in BOLD_LAYERS


def rgb(css: str) -> tuple[float, float, float]:
    """A palette colour as 0-1 RGB (alpha dropped)."""
    r, g, b, _ = palette.rgba(css)
    return r / 255, g / 255, b / 255


def rgba(css: str, opacity: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b, a = palette.rgba(css, opacity)
    return r / 255, g / 255, b / 255, a / 255


def dashes(dash: str | None, lw: float) -> tuple[float, tuple[float, ...]] | str:
    """A palette ``dashArray`` (CSS px, scaled by the line like Leaflet's) as a matplotlib linestyle."""
    if not dash:
        return "solid"
    seq = tuple(float(v) / max(lw, 1e-9) for v in dash.replace(",", " ").split())
    return (0.0, seq)


@dataclass(frozen=True)
class Scale:
    """Sizes of one static map: ``font`` is the base text size (points), ``lw`` points per CSS px."""

    font: float
    lw: float

    def pt(self, px: float) -> float:
        return float(px) * self.lw


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(css: str) -> float:
    r, g, b = (_linear(c) for c in rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours (1-21)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def delta_e(a: str, b: str, cvd: str | None = None) -> float:
    """CAM02-UCS distance of two colours, optionally both seen with a full colour-vision deficiency."""
    from colorspacious import cspace_convert, deltaE  # type: ignore[import-untyped]

    ca, cb = np.array(rgb(a)), np.array(rgb(b))
    if cvd:
        space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
        ca = np.clip(cspace_convert(ca, space, "sRGB1"), 0, 1)
        cb = np.clip(cspace_convert(cb, space, "sRGB1"), 0, 1)
    return float(deltaE(ca, cb, input_space="sRGB1"))


@dataclass(frozen=True)
class DrawnClass:
    """One legend class as drawn: ``symbol`` is everything but the colour (geometry, marker, dash)."""

    layer: str
    label: str
    symbol: str
    color: str


def cvd_problems(classes: Iterable[DrawnClass]) -> list[str]:
    """Pairs of same-symbol classes that colour alone does not keep apart (empty: all pass)."""
    problems: list[str] = []
    by_symbol: dict[str, list[DrawnClass]] = {}
    for c in classes:
        by_symbol.setdefault(c.symbol, []).append(c)
    for group in by_symbol.values():
        for a, b in combinations(group, 2):
            if palette.rgba(a.color)[:3] == palette.rgba(b.color)[:3] and a.label != b.label:
                problems.append(f"{a.layer} {a.label!r} and {b.layer} {b.label!r}: same colour and symbol")
                continue
            for cvd in (None, *CVD_TYPES):
                d = delta_e(a.color, b.color, cvd)
                if d < MIN_DELTA_E:
                    vision = CVD_NAMES.get(cvd or "", "normal vision")
                    problems.append(f"{a.layer} {a.label!r} vs {b.layer} {b.label!r}: ΔE {d:.1f} < "
                                    f"{MIN_DELTA_E:g} ({vision})")
    return problems


def min_delta_e(classes: Iterable[DrawnClass]) -> float | None:
    """The smallest ΔE over same-symbol pairs and vision types (None: no such pair)."""
    by_symbol: dict[str, list[DrawnClass]] = {}
    for c in classes:
        by_symbol.setdefault(c.symbol, []).append(c)
    best: float | None = None
    for group in by_symbol.values():
        for a, b in combinations(group, 2):
            for cvd in (None, *CVD_TYPES):
                d = delta_e(a.color, b.color, cvd)
                best = d if best is None else min(best, d)
    return best
