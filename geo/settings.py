"""Paths, precision and tolerances: the project's typed, documented constants."""

from __future__ import annotations

from pathlib import Path

#: Repository root (the folder holding pyproject.toml, seeds/, layers/, maps/).
ROOT: Path = Path(__file__).resolve().parent.parent
SEEDS_DIR: Path = ROOT / "seeds"
BASEMAP_DIR: Path = SEEDS_DIR / "basemap"
LAYERS_DIR: Path = ROOT / "layers"
MAPS_DIR: Path = ROOT / "maps"

#: Decimals written for every coordinate (1e-6 degree is about 0.1 m).
COORD_DECIMALS: int = 6
#: Ellipsoid for every length and area (pyproj.Geod, Karney's algorithm).
GEOD_ELLPS: str = "WGS84"

#: Province edges must lie within this distance of the border line.
BORDER_COINCIDENCE_TOLERANCE_M: float = 1.0
#: A border site (market, crossing) must lie within this distance of the border line.
BORDER_SITE_TOLERANCE_KM: float = 5.0

#: The atlas extent: every position of every layer but the basemap lies in it (west, south, east,
#: north, degrees). Seeds and `geo validate` use it to catch swapped lat/lon.
CONTEXT_BBOX: tuple[float, float, float, float] = (44.0, 20.0, 78.0, 40.0)
#: Extent of the display basemap (layers/context.geojson): wider than the atlas extent so that the
#: map, which never lets the view leave it, shows no edge of the land at any screen size.
BASEMAP_BBOX: tuple[float, float, float, float] = (36.0, 10.0, 84.0, 46.0)

#: Published border lengths and their sources (see seeds/sources.csv).
BORDER_LENGTH_FACTBOOK_KM: float = 959.0
BORDER_LENGTH_OLDER_KM: float = 909.0

#: The output switch's journal (:mod:`geo.io`) and the suffix of a file staged beside its target.
SWITCH_JOURNAL: str = ".geo-switch.json"
SWITCH_STAGED_SUFFIX: str = ".geo-new"


def switch_journal_files(state_dir: Path) -> tuple[Path, Path]:
    """The journal a killed output switch may have left in ``state_dir``, and its staged copy: what
    every `geo` command looks for before it starts (and imports :mod:`geo.io` only when one is there)."""
    journal = state_dir / SWITCH_JOURNAL
    return journal, journal.with_name(f".{SWITCH_JOURNAL}{SWITCH_STAGED_SUFFIX}")

