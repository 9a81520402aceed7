"""`geo lengths`: read line features from our layers or any route file and measure them.

This module reads and measures; :mod:`geo.lengths.cli` parses arguments and prints. The work is
split by concern: :mod:`geo.lengths.model` (what is measured, stated lengths, comparison),
:mod:`geo.lengths.sink` (positions -> geodesic lengths), :mod:`geo.lengths.readers` (GeoJSON
streamed by :mod:`geo.lengths.geojson_stream`, GeoPackage/Shapefile/FlatGeobuf/GPX/KML through
pyogrio, GeoParquet by row group through pyarrow), :mod:`geo.lengths.wkb` (WKB parser),
:mod:`geo.lengths.curve` (resolution curve). This module keeps our own layers (the border and the
pipeline, the per-country split). Never imports geopandas or folium;
shapely only for the per-country split.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from geo import files, settings
from geo.errors import InputError
from geo.lengths import measure
from geo.lengths.model import LINE_TYPES, Source
from geo.lengths.readers import read_geojson

#: The layers whose lengths mean something: the border (and its variants) and the pipeline.
#: Other layers (events) draw lines that repeat these geometries; measure them by path.
LENGTH_LAYERS: tuple[str, ...] = ("border.geojson", "pipeline.geojson")


def layer_paths(layers_dir: Path = settings.LAYERS_DIR) -> list[Path]:
    return [layers_dir / name for name in LENGTH_LAYERS if (layers_dir / name).exists()]


def read_layers(layers_dir: Path = settings.LAYERS_DIR, *, keep_coords: bool = True) -> list[Source]:
    """The line layers of layers/: border variants and stretches, pipeline segments."""
    paths = layer_paths(layers_dir)
    if not paths:
        names = " or ".join(LENGTH_LAYERS)
        raise InputError(f"{files.relative(layers_dir)}: no {names} found; run `geo build` first")
    out = []
    for p in paths:
        src = read_geojson(files.relative(p), keep_coords=keep_coords)
        src.features = [f for f in src.features if f.geometry_type in LINE_TYPES]
        if src.features:
            out.append(src)
    return out


class Frontier(NamedTuple):
    """The project's own border line and country polygons, for the per-country split."""

    border: list[measure.Part]
    countries: dict[str, Any]


def load_frontier(layers_dir: Path = settings.LAYERS_DIR) -> Frontier:
    border_path = layers_dir / "border.geojson"
    context_path = layers_dir / "context.geojson"
    for p in (border_path, context_path):
        if not p.exists():
            raise InputError(f"{p}: missing; the per-country split needs it (run `geo build`)")
    src = read_geojson(files.relative(border_path), keep_coords=True)
    osm = [f for f in src.features if f.fid == "border-osm"]
    if not osm or not osm[0].coords:
        raise InputError(f"{border_path}: no feature 'border-osm' to split lines at")
    try:
        ctx = json.loads(context_path.read_text(encoding="utf-8"))
        countries = {
            str(f["properties"]["iso_a3"]): f["geometry"]
            for f in ctx["features"]
            if f.get("geometry") and f.get("properties", {}).get("iso_a3")
        }
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{context_path}: cannot read country polygons ({exc})") from None
    return Frontier(osm[0].coords, countries)


def split_sources(sources: list[Source], frontier: Frontier, *, only_crossing_ids: bool = False) -> None:
    """Fill ``by_country_m`` for every line feature (pipeline km in Iran vs Pakistan)."""
    for src in sources:
        if src.alternatives:
            continue  # the border itself: it is the dividing line
        for f in src.features:
            if f.geometry_type in LINE_TYPES and f.coords:
                f.by_country_m = measure.split_by_country(f.coords, frontier.border, frontier.countries)
