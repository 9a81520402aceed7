"""The checks of `geo validate` and `geo build`: RFC 7946, OGC validity, JSON Schema, topology;
every problem at once.

Each problem is one line ``<layer>:<feature id>: <rule>: <detail>`` so a person (or grep) sees
where and what. Modules: rfc7946 (structure of one geometry), geometry (+ OGC validity, winding),
schema (JSON Schema), features (one layer), claims (the ledger), topology (rules between layers),
problems (how a problem is written). Rules:

* collection     FeatureCollection structure: type, name, metadata, features list
* crs            a ``crs`` member (RFC 7946 section 4 removed it)
* feature        Feature structure: type, string id, properties object, geometry
* duplicate-id   two features share an id
* coordinates    a position that is not 2 or 3 finite numbers, or wrong nesting
* range          longitude outside [-180, 180] or latitude outside [-90, 90]
* extent         a position outside the atlas extent (often: lon/lat swapped)
* precision      more than 7 decimals (RFC 7946 section 11.2)
* empty          empty geometry (no coordinates, an empty part)
* ring-closed    a ring that is not closed or has fewer than 4 positions
* duplicate-vertex  two consecutive identical positions
* ogc-valid      not OGC-valid (shapely/GEOS reason, e.g. "Self-intersection[61 28]")
* winding        exterior ring not counter-clockwise or hole not clockwise (right-hand rule)
* schema         the layer's JSON Schema (geo/schemas/<layer>.schema.json): required
                 properties, types, enumerations, id patterns, date formats
* property-order properties not in the order of the schema (the fixed order of design.md)
* field-type     one property holding two JSON types in one layer
* markup         HTML or script inside a text property
* dates          impossible or inconsistent dates (end before start, precision mismatch)
* article-span   article_quote length differs from article_end - article_start
* provinces-overlap, province-border, border-site, inside-area, pipeline-crossing: topology
* claims-ref     a claim names a feature id that no layer holds
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from geo import catalog
from geo.check.claims import check_claims
from geo.check.features import ATLAS_EXTENT, check_collection
from geo.check.geometry import check_geometry
from geo.check.problems import problem
from geo.check.rfc7946 import MAX_DECIMALS
from geo.check.topology import topology

__all__ = ["ATLAS_EXTENT", "MAX_DECIMALS", "check_geometry", "validate_counted", "validate_layers"]


def _ordered(names: Iterable[str]) -> list[str]:
    known = [n for n in catalog.names() if n in names]
    return known + sorted(n for n in names if not catalog.has(n))


def validate_layers(layers: Mapping[str, Any], *, claims: Any = None) -> list[str]:
    """Every problem of ``layers`` (name -> FeatureCollection dict) and ``claims``, at once.

    Layers may be missing; cross-layer topology rules run when the layers they need are
    present. Each problem reads ``<layer>:<feature id>: <rule>: <detail>``.
    """
    return validate_counted(layers, claims)[0]


def validate_counted(layers: Mapping[str, Any], claims: Any = None) -> tuple[list[str], int]:
    """:func:`validate_layers` and the number of features (and claims) checked."""
    problems: list[str] = []
    shapes: dict[str, dict[str, Any]] = {}
    props: dict[str, dict[str, Mapping[str, Any]]] = {}
    count = 0
    for name in _ordered(layers):
        p, n = check_collection(name, layers[name], shapes, props)
        problems.extend(p)
        count += n
    try:
        problems.extend(topology(shapes, props))
    except Exception as exc:  # noqa: BLE001 - keep the one-line contract even if GEOS raises
        problems.append(problem("topology", "*", "check-error", f"{type(exc).__name__}: {exc}"))
    if claims is not None:
        all_ids = None
        if all(n in layers for n in catalog.names()):
            all_ids = {fid for layer in props.values() for fid in layer}
        p, n = check_claims(claims, all_ids)
        problems.extend(p)
        count += n
    return problems, count
