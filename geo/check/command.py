"""`geo validate [PATHS]`: read layer files strictly, run every check (geo/check/), print the problems.

The checks themselves (RFC 7946, OGC validity, JSON Schema, topology; the list of rules) are in
geo/check/; this module reads the files they check and reports.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from geo import catalog, files, settings
from geo.check import validate_counted, validate_layers
from geo.check.problems import json_type, short
from geo.errors import InputError

#: ``validate_layers`` is re-exported for callers of the former single-module validator.
__all__ = ["default_paths", "load_json", "load_paths", "run_cli", "validate_layers"]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {short(repr(k), 40)} in one object")
        out[k] = v
    return out


#: Largest file ``geo validate`` reads (our biggest layer is a few MB).
MAX_FILE_BYTES: int = 256_000_000


def load_json(path: Path) -> Any:
    """Read a JSON file strictly; raise InputError naming the file (and line) on any problem."""
    return files.load_json(path, max_bytes=MAX_FILE_BYTES, what="GeoJSON FeatureCollection",
                           object_pairs_hook=_no_duplicate_keys)


def load_paths(paths: Iterable[Path]) -> tuple[dict[str, Any], Any]:
    """Load layer files and a claims file; layer name = file stem, else the collection's ``name``."""
    layers: dict[str, Any] = {}
    origin: dict[str, str] = {}
    claims = None
    for path in paths:
        doc = load_json(path)
        name = files.display(path)
        if isinstance(doc, dict) and "claims" in doc and "type" not in doc:
            if claims is not None:
                raise InputError(f"{name}: a second claims file; pass one")
            claims = doc
            continue
        if not isinstance(doc, dict):
            raise InputError(f"{name}: top level is a JSON {json_type(doc)}, expected a FeatureCollection object")
        if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
            raise InputError(f"{name}: not a GeoJSON FeatureCollection (type {short(repr(doc.get('type')), 40)}, "
                             "expected 'FeatureCollection' with a 'features' array)")
        stem = path.name.split(".")[0]
        name_member = doc.get("name")
        layer = (stem if catalog.has(stem) else name_member if isinstance(name_member, str)
                 and catalog.has(name_member) else stem)
        if layer in layers:
            raise InputError(f"{name}: layer {layer!r} was already given by {origin[layer]}")
        layers[layer] = doc
        origin[layer] = name
    return layers, claims


def default_paths(layers_dir: Path | None = None) -> list[Path]:
    """Every ``*.geojson`` in layers/ plus ``claims.json`` when present."""
    d = settings.LAYERS_DIR if layers_dir is None else layers_dir
    paths = sorted(d.glob("*.geojson"))
    if (d / catalog.CLAIMS_FILE).exists():
        paths.append(d / catalog.CLAIMS_FILE)
    return paths


#: What `geo validate` reads: GeoJSON layers and the claims ledger (JSON).
VALIDATED_SUFFIXES: tuple[str, ...] = (".geojson", ".json")


def run_cli(args: Any) -> int:
    """`geo validate [PATHS]`: print every problem to stderr; 0 when clean, 1 when not."""
    paths = [Path(p) for p in (getattr(args, "paths", None) or [])] or default_paths()
    if not paths:
        raise InputError(f"{files.display(settings.LAYERS_DIR)}: no layer files (run `geo build` first)")
    for given in paths:  # say what is checked rather than report a binary file as bad UTF-8
        if given.suffix.lower() not in VALIDATED_SUFFIXES:
            raise InputError(f"{files.display(given)}: geo validate checks GeoJSON only (.geojson layers and the .json "
                             f"claims ledger), not {given.suffix or 'files without an extension'}; validate the GeoJSON "
                             "that GeoPackage, GeoParquet, FlatGeobuf and KML files are built from")
    layers, claims = load_paths(paths)
    problems, count = validate_counted(layers, claims)
    n_layers = len(layers) + (claims is not None)
    if len(problems) == 1:  # one finding: one line, not the finding and a summary (issue 20)
        print(f"geo: 1 validation problem in {n_layers} layers, {count} features: {files.escape(problems[0])}",
              file=sys.stderr)
        return 1
    if problems:
        for p in problems:
            print(files.escape(p), file=sys.stderr)
        print(f"geo: {len(problems)} validation problem(s) in {n_layers} layers, {count} features", file=sys.stderr)
        return 1
    print(f"{n_layers} layers, {count} features: ok")
    return 0
