"""Release identity stamped into every layer: data version, licence and attribution from the catalog.

The catalog (geo/catalog.py) is the one home of each layer's licence and attribution and
geo/version.py of the data version; :func:`stamp` copies them into the FeatureCollections the
build passes around, so the GeoJSON files, the GeoPackage, GeoParquet, FlatGeobuf, KML, CSV and the
data package all carry the same words.

GDAL ignores the GeoJSON ``metadata`` foreign member but reads a top-level ``description``
member as the layer's ``DESCRIPTION`` metadata item (`ogrinfo -al -so layers/markets.geojson`
prints it), so the licence and version are written there too.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from geo import catalog
from geo.version import DATA_VERSION

PROJECT = "Iran-Pakistan frontier atlas"


def layer_license(name: str) -> tuple[str, str, str, str]:
    """``(spdx id, statement, attribution, url)`` of a catalog layer, or of ``claims`` or ``articles``."""
    if name == "claims":
        spdx, note, attribution = catalog.CLAIMS_LICENSE, catalog.CLAIMS_LICENSE_NOTE, catalog.CLAIMS_ATTRIBUTION
    elif name == catalog.ARTICLES_TABLE:
        spdx, note, attribution = catalog.ARTICLES_LICENSE, catalog.ARTICLES_LICENSE_NOTE, catalog.ATLAS_ATTRIBUTION
    else:
        lyr = catalog.get(name)
        spdx, note, attribution = lyr.license, lyr.license_note, lyr.attribution
    return spdx, catalog.license_statement(spdx, note), attribution, catalog.LICENSES[spdx][1]


def description(name: str, title: str) -> str:
    """The one-paragraph release statement: title, version, licence, attribution."""
    _, statement, attribution, _ = layer_license(name)
    return (f"{title}. {PROJECT}, data version {DATA_VERSION}. Licence: {statement} "
            f"Attribution: {attribution}.")


def stamp_collection(name: str, fc: MutableMapping[str, Any]) -> dict[str, Any]:
    """``fc`` with the catalog's licence/attribution and the data version in ``metadata`` and a
    top-level ``description``; member order: type, name, description, metadata, features."""
    meta = dict(fc.get("metadata") or {})
    spdx, statement, attribution, url = layer_license(name)
    meta["license"] = statement
    meta["license_id"] = spdx
    meta["license_url"] = url
    meta["attribution"] = attribution
    meta["data_version"] = DATA_VERSION
    out: dict[str, Any] = {}
    for key in ("type", "name"):
        if key in fc:
            out[key] = fc[key]
    out["description"] = description(name, str(meta.get("title", name)))
    out["metadata"] = meta
    for key, value in fc.items():
        if key not in out and key not in ("metadata", "description"):
            out[key] = value
    if "features" in out:
        out["features"] = [stamp_feature(f, spdx, attribution) for f in out["features"]]
    return out


def stamp_feature(feature: Mapping[str, Any], spdx: str, attribution: str) -> dict[str, Any]:
    """``feature`` with ``license`` (the layer's SPDX id) and ``attribution`` in its properties:
    formats without layer metadata (Shapefile, KML as GDAL reads it, FlatGeobuf before GDAL 3.9)
    keep only attributes, so every feature carries both. A property already present keeps its
    position; new ones go last (the schemas' order)."""
    props = dict(feature.get("properties") or {})
    props["license"] = spdx
    props["attribution"] = attribution
    return {**feature, "properties": props}


def stamp(layers: MutableMapping[str, Any], claims: MutableMapping[str, Any] | None) -> None:
    """Stamp every catalog layer in ``layers`` (in place), each feature included, and the claims
    ledger's metadata."""
    for name in list(layers):
        if name in catalog.names():
            layers[name] = stamp_collection(name, layers[name])
    if claims is not None:
        meta = dict(claims.get("metadata") or {})
        spdx, statement, attribution, url = layer_license("claims")
        meta.update(license=statement, license_id=spdx, license_url=url, attribution=attribution,
                    data_version=DATA_VERSION)
        claims["metadata"] = meta
