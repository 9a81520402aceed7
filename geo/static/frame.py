"""Where and how big: the projection, the map's extent and the page size of a static map.

Projection: a Lambert conformal conic with standard parallels 25° N and 31° N (the one-sixth
rule for the frontier's 24-32.5° N), central meridian 61° E (the border's longitude) and
latitude of origin 28° N, on WGS84. Conformal, so the shapes of the border, the coast and the
province outlines are kept and a single scale bar holds across the frame (the scale factor stays
within 0.3 % of 1 between 23° N and 33° N, see :func:`scale_factor`); the frontier runs north-south
across a band of latitude that a conic with two standard parallels fits best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Proj, Transformer

from geo.errors import InputError

#: The map projection (PROJ string; see the module docstring for why).
PROJ = "+proj=lcc +lat_1=25 +lat_2=31 +lat_0=28 +lon_0=61 +datum=WGS84 +units=m +no_defs"
PROJ_LABEL = "Lambert conformal conic, standard parallels 25° N and 31° N, central meridian 61° E (WGS84)"
#: The whole frontier: South Pars to Nawabshah, both provinces (W, S, E, N in degrees).
FRONTIER_BBOX: tuple[float, float, float, float] = (51.3, 24.0, 70.6, 32.3)
#: The inset locator's extent (W, S, E, N).
LOCATOR_BBOX: tuple[float, float, float, float] = (40.0, 8.0, 84.0, 44.0)
#: CSS pixels per inch: --size is in pixels; vector pages use 96 px to the inch.
PX_PER_IN = 96.0
#: A4 landscape in CSS pixels (297 x 210 mm).
A4_PX: tuple[int, int] = (1123, 794)
MIN_SIDE_PX, MAX_SIDE_PX = 300, 6000
FORMATS: tuple[str, ...] = ("svg", "pdf", "png")

_CRS = CRS.from_proj4(PROJ)
_FWD = Transformer.from_crs("EPSG:4326", _CRS, always_xy=True)
_INV = Transformer.from_crs(_CRS, "EPSG:4326", always_xy=True)


def forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees -> projected metres."""
    x, y = _FWD.transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected metres -> degrees."""
    lon, lat = _INV.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def scale_factor(lat: float, lon: float = 61.0) -> float:
    """The projection's point scale (meridian = parallel scale: it is conformal) at ``lat``."""
    f = Proj(PROJ).get_factors(lon, lat)
    return float(f.parallel_scale)


@dataclass(frozen=True)
class Extent:
    """A projected rectangle (metres)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def fit(self, aspect: float) -> Extent:
        """Grow (never shrink) about the centre to width/height = ``aspect``."""
        w, h = self.width, self.height
        if w / h < aspect:
            w = h * aspect
        else:
            h = w / aspect
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        return Extent(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def lonlat_box(self, margin_deg: float = 0.0) -> tuple[float, float, float, float]:
        """The geographic box that holds this rectangle (its edges sampled), plus a margin."""
        t = np.linspace(0.0, 1.0, 41)
        xs = np.concatenate([self.x0 + t * self.width, np.full(41, self.x1),
                             self.x1 - t * self.width, np.full(41, self.x0)])
        ys = np.concatenate([np.full(41, self.y0), self.y0 + t * self.height,
                             np.full(41, self.y1), self.y1 - t * self.height])
        lon, lat = inverse(xs, ys)
        return (float(lon.min()) - margin_deg, float(lat.min()) - margin_deg,
                float(lon.max()) + margin_deg, float(lat.max()) + margin_deg)


def extent_of(bbox: tuple[float, float, float, float]) -> Extent:
    """The projected rectangle that holds a W, S, E, N box (its edges sampled)."""
    w, s, e, n = bbox
    t = np.linspace(0.0, 1.0, 41)
    lon = np.concatenate([w + t * (e - w), np.full(41, e), e - t * (e - w), np.full(41, w)])
    lat = np.concatenate([np.full(41, s), s + t * (n - s), np.full(41, n), n - t * (n - s)])
    x, y = forward(lon, lat)
    return Extent(float(x.min()), float(y.min()), float(x.max()), float(y.max()))


def parse_size(text: str) -> tuple[int, int]:
    """``WxH`` in pixels (vector pages: CSS pixels, 96 to the inch)."""
    m = re.fullmatch(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*", text or "")
    if not m:
        raise InputError(f"--size {text!r}: expected WxH in pixels, e.g. 1600x900")
    w, h = int(m.group(1)), int(m.group(2))
    for side in (w, h):
        if not MIN_SIDE_PX <= side <= MAX_SIDE_PX:
            raise InputError(f"--size {text!r}: each side must be {MIN_SIDE_PX}-{MAX_SIDE_PX} pixels")
    if not 0.4 <= w / h <= 3.0:
        raise InputError(f"--size {text!r}: width/height must be between 0.4 and 3")
    return w, h


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``W,S,E,N`` in decimal degrees, inside the region the layers cover."""
    parts = (text or "").split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"--bbox {text!r}: expected W,S,E,N in decimal degrees, e.g. 60.5,24.8,64,28.5") from None
    if not all(np.isfinite([w, s, e, n])):
        raise InputError(f"--bbox {text!r}: coordinates must be finite numbers")
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"--bbox {text!r}: need -180 <= W < E <= 180 and -90 <= S < N <= 90")
    lw, ls, le, ln = LOCATOR_BBOX
    if w < lw or e > le or s < ls or n > ln:
        raise InputError(f"--bbox {text!r}: outside the region the layers cover ({lw},{ls},{le},{ln})")
    if e - w < 0.2 or n - s < 0.2:
        raise InputError(f"--bbox {text!r}: at least 0.2 degrees on each side")
    return w, s, e, n


def parse_format(text: str) -> str:
    fmt = (text or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"--format {text!r}: expected one of {', '.join(FORMATS)}")
    return fmt
