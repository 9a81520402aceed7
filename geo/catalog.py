"""The layer catalog: every layer of the atlas declared once.

Validation, building, styles, exports, the data dictionary and the map's payload read the layer
list, order, files, schemas and display settings from here and nowhere else. Adding a layer means
adding one ``Layer(...)`` to ``LAYERS`` and writing the code that builds it.

This module imports nothing from the rest of ``geo`` (only settings), so every stage may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from geo import settings

#: Geometry families a layer may hold (``mixed`` = points, lines and areas in one layer).
GEOMETRY_FAMILIES: tuple[str, ...] = ("point", "line", "area", "mixed")


@dataclass(frozen=True)
class Layer:
    """One layer of layers/: its identity, files, schema and how each stage treats it."""

    #: Layer name: the GeoJSON ``name`` member, the GeoPackage table stem, the map's layer key.
    name: str
    #: Human title (GeoJSON metadata title, legend heading in QGIS).
    title: str
    #: ``point`` | ``line`` | ``area`` | ``mixed``.
    geometry: str
    #: Module that builds it: ``basemap`` (derived from seeds/basemap) or ``layers`` (from seed tables).
    built_by: str
    #: Label of the layer in the web map's legend and layer control.
    map_label: str
    #: Leaflet pane z-index: higher draws above (and takes clicks before) lower.
    map_pane: int
    #: Drawn in the story map at all.
    on_map: bool = True
    #: Has a generated QGIS/SLD style.
    styled: bool = True
    #: Exported to the GeoPackage / other formats.
    exported: bool = True
    #: Extra settings per stage (display simplification, export options ...), keyed by stage.
    options: dict[str, object] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """File name under layers/."""
        return f"{self.name}.geojson"

    @property
    def schema_file(self) -> str:
        """File name of the layer's JSON Schema under geo/schemas/."""
        return f"{self.name}.schema.json"

    def path(self, layers_dir: Path | None = None) -> Path:
        return Path(layers_dir or settings.LAYERS_DIR) / self.file


#: Every layer, in build/check/report order. The map draws them by ``map_pane``.
LAYERS: tuple[Layer, ...] = (
    Layer("border", "Iran–Pakistan border", "line", "basemap", "Border", 420),
    Layer("provinces", "Balochistan (PK-BA) and Sistan and Baluchestan (IR-11)", "area", "basemap",
          "Provinces", 360),
    Layer("admin1", "Provinces and territories of Iran and Pakistan (admin-1)", "area", "basemap",
          "All provinces (admin-1)", 300),
    Layer("context", "Countries around the frontier (display basemap)", "area", "basemap",
          "Countries (offline basemap)", 250),
    Layer("pipeline", "Iran–Pakistan ('Peace') gas pipeline and the South Pars field", "mixed", "layers",
          "Gas pipeline", 430),
    Layer("markets", "Joint border markets", "point", "layers", "Border markets", 610),
    Layer("crossings", "Border crossings", "point", "layers", "Border crossings", 620),
    Layer("places", "Places named by the article or used by the other layers", "point", "layers",
          "Places", 630),
    Layer("events", "Events reported by the article", "mixed", "layers", "Events", 450),
)

#: The claims ledger: a table (no geometry) written beside the layers.
CLAIMS_FILE = "claims.json"
CLAIMS_SCHEMA_FILE = "claims.json"

_BY_NAME: dict[str, Layer] = {lyr.name: lyr for lyr in LAYERS}


def names() -> tuple[str, ...]:
    """Layer names in catalog order."""
    return tuple(lyr.name for lyr in LAYERS)


def get(name: str) -> Layer:
    """The layer called ``name`` (KeyError if the catalog has none)."""
    return _BY_NAME[name]


def built_by(module: str) -> tuple[Layer, ...]:
    """Layers built by ``module`` (``basemap`` or ``layers``), in catalog order."""
    return tuple(lyr for lyr in LAYERS if lyr.built_by == module)


def map_order() -> tuple[str, ...]:
    """Names of the layers drawn on the story map, bottom to top."""
    return tuple(lyr.name for lyr in sorted(LAYERS, key=lambda x: x.map_pane) if lyr.on_map)
