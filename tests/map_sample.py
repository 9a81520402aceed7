"""A small synthetic story (layers, claims, article, sources) that follows docs/design.md.

Used by the tests and for trying the renderer without the real layers. ``hostile=True`` puts
markup, quotes, backticks and template syntax into every kind of seed string.
"""

from __future__ import annotations

from typing import Any

EVIL = '<img src=x onerror=alert(1)><script>alert(2)</script> it\'s "quoted" `tick` {{ x }} ${y}'


def _fc(name: str, features: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "name": name,
        "metadata": {
            "title": title,
            "description": f"synthetic {name}",
            "sources": ["S1"],
            "license": "CC0",
            "attribution": "synthetic test data",
            "generated_by": "geo.render.sample",
        },
        "features": features,
    }


def _f(fid: str, props: dict[str, Any], gtype: str, coords: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": fid,
        "properties": props,
        "geometry": {"type": gtype, "coordinates": coords},
    }


def sample_inputs(*, hostile: bool = False) -> dict[str, Any]:
    """Keyword arguments for render_map (plus ``layers`` as the first)."""
    x = (" " + EVIL) if hostile else ""
    paragraphs = [
        "In January 2024 Iran launched cross-border strikes in Pakistan's Balochistan province." + x,
        "Pakistan swiftly retaliated with strikes in Iran's Sistan-Baluchestan province.",
        "The porous 959-kilometer frontier runs from the Afghan tripoint to the sea.",
        "Iran has already completed its portion of the pipeline up to the border, near Gwadar.",
    ]
    if hostile:
        paragraphs.append("Hostile paragraph: " + EVIL)

    def art(pi: int, quote: str) -> dict[str, Any]:
        s = paragraphs[pi - 1].index(quote)
        return {
            "article_paragraph": pi,
            "article_start": s,
            "article_end": s + len(quote),
            "article_quote": quote,
        }

    ev_common = {
        "date_precision": "day",
        "sub_event_type": "Air/drone strike",
        "actor1": "Military Forces of Iran" + x,
        "actor2": None,
        "admin1": "Balochistan",
        "country_iso": "PK",
        "fatalities": 2,
        "notes": "synthetic" + x,
        "verified": True,
        "sources": "S1;S2",
        "source_urls": "https://example.org/1 https://example.org/2",
    }
    events = [
        _f(
            "ev-2024-01-16-iran-strike",
            {
                "event_date": "2024-01-16",
                "event_date_end": None,
                **ev_common,
                "display_date": "16 Jan 2024",
                "event_type": "Explosions/Remote violence",
                "location": "Panjgur" + x,
                "geo_precision": 1,
                "geometry_basis": "place:gn-1168226",
                **art(1, "Iran launched cross-border strikes in Pakistan's Balochistan province"),
            },
            "Point",
            [64.094, 26.964],
        ),
        _f(
            "ev-2024-01-18-pakistan-strike",
            {
                "event_date": "2024-01-18",
                "event_date_end": None,
                **ev_common,
                "display_date": "18 Jan 2024",
                "event_type": "Explosions/Remote violence",
                "location": "Saravan",
                "geo_precision": 2,
                "geometry_basis": "place:gn-115770",
                **art(2, "Pakistan swiftly retaliated with strikes in Iran's Sistan-Baluchestan province"),
            },
            "Point",
            [62.334, 27.371],
        ),
        _f(
            "ev-2024-04-raisi-visit",
            {
                "event_date": "2024-04",
                "event_date_end": None,
                **ev_common,
                "date_precision": "month",
                "display_date": "April 2024",
                "event_type": "Strategic developments",
                "location": "Balochistan",
                "geo_precision": 3,
                "geometry_basis": "province:PK-BA",
                **art(3, "959-kilometer frontier"),
            },
            "Polygon",
            [[[61.0, 25.0], [66.0, 25.0], [66.0, 30.0], [61.0, 30.0], [61.0, 25.0]]],
        ),
        _f(
            "ev-2023-06-border-clash",
            {
                "event_date": "2023-06-01",
                "event_date_end": "2023-06-03",
                **ev_common,
                "date_precision": "range",
                "display_date": "1–3 Jun 2023",
                "event_type": "Battles",
                "location": "border",
                "geo_precision": 3,
                "geometry_basis": "border",
                "article_paragraph": None,
                "article_start": None,
                "article_end": None,
                "article_quote": None,
            },
            "LineString",
            [[61.6, 29.8], [62.4, 28.3], [61.9, 26.2]],
        ),
    ]
    border_line = [[60.87, 29.86], [61.6, 29.8], [62.4, 28.3], [62.78, 28.1], [61.9, 26.2], [61.61, 25.2]]
    bprops = {
        "kind": "boundary",
        "name": "Iran-Pakistan border" + x,
        "country_a_iso": "IR",
        "country_b_iso": "PK",
        "variant": "osm_10m",
        "length_km": 959.0,
        "vertex_count": 6,
        "resolution": "10 m",
        "published_length_km_factbook": 959.0,
        "published_length_source_factbook": "S3",
        "published_length_km_older": 909.0,
        "published_length_source_older": "S4",
        "bridged_km": 13.6,
        "bridges": "3 gaps",
        "method": "shared vertices",
        "source": "OSM",
        "license": "ODbL",
        "attribution": "© OpenStreetMap contributors",
        "sources": "S1",
        "source_urls": "https://example.org/1",
    }
    border = [
        _f("border-osm", bprops, "LineString", border_line),
        _f(
            "border-ne10m",
            {**bprops, "variant": "natural_earth_10m", "name": "Natural Earth border"},
            "LineString",
            [[60.87, 29.86], [62.5, 28.2], [61.61, 25.2]],
        ),
        _f(
            "border-bridge-1",
            {
                **bprops,
                "kind": "bridged_stretch",
                "variant": "bridge",
                "name": "Bridged stretch 1",
                "length_km": 11.5,
            },
            "LineString",
            [[62.4, 28.3], [62.78, 28.1]],
        ),
    ]
    provinces = [
        _f(
            "PK-BA",
            {
                "name": "Balochistan",
                "name_local": "بلوچستان",
                "country": "Pakistan",
                "country_iso": "PK",
                "iso_3166_2": "PK-BA",
                "capital": "Quetta",
                "area_km2": 347190.0,
                "area_km2_published": 347190.0,
                "area_source": "S5",
                "edge_derivation": "border-osm",
                "source": "NE",
                "license": "PD",
                "attribution": "Natural Earth",
                "sources": "S5",
                "source_urls": "",
            },
            "Polygon",
            [
                [
                    [61.61, 25.2],
                    [66.5, 25.4],
                    [70.0, 30.0],
                    [66.0, 31.5],
                    [60.87, 29.86],
                    [61.6, 29.8],
                    [62.4, 28.3],
                    [62.78, 28.1],
                    [61.9, 26.2],
                    [61.61, 25.2],
                ]
            ],
        ),
        _f(
            "IR-11",
            {
                "name": "Sistan and Baluchestan",
                "name_local": "سیستان و بلوچستان",
                "country": "Iran",
                "country_iso": "IR",
                "iso_3166_2": "IR-11",
                "capital": "Zahedan",
                "area_km2": 180726.0,
                "area_km2_published": 181785.0,
                "area_source": "S5",
                "edge_derivation": "border-osm",
                "source": "NE",
                "license": "PD",
                "attribution": "Natural Earth",
                "sources": "S5",
                "source_urls": "",
            },
            "Polygon",
            [
                [
                    [58.5, 25.6],
                    [61.61, 25.2],
                    [61.9, 26.2],
                    [62.78, 28.1],
                    [62.4, 28.3],
                    [61.6, 29.8],
                    [60.87, 29.86],
                    [61.5, 31.4],
                    [59.0, 30.0],
                    [58.5, 25.6],
                ]
            ],
        ),
    ]
    context = [
        _f(
            "IRN",
            {
                "name": "Iran",
                "iso_a3": "IRN",
                "iso_a2": "IR",
                "role": "focus",
                "label_lon": 55.0,
                "label_lat": 32.0,
                "source": "NE",
                "license": "PD",
            },
            "Polygon",
            [
                [
                    [44.0, 25.0],
                    [61.61, 25.2],
                    [62.78, 28.1],
                    [60.87, 29.86],
                    [61.0, 36.0],
                    [54.0, 38.0],
                    [44.0, 39.0],
                    [44.0, 25.0],
                ]
            ],
        ),
        _f(
            "PAK",
            {
                "name": "Pakistan" + x,
                "iso_a3": "PAK",
                "iso_a2": "PK",
                "role": "focus",
                "label_lon": 69.0,
                "label_lat": 29.0,
                "source": "NE",
                "license": "PD",
            },
            "Polygon",
            [
                [
                    [61.61, 25.2],
                    [67.0, 24.0],
                    [71.0, 28.0],
                    [74.0, 34.0],
                    [70.0, 34.0],
                    [60.87, 29.86],
                    [62.78, 28.1],
                    [61.61, 25.2],
                ]
            ],
        ),
        _f(
            "AFG",
            {
                "name": "Afghanistan",
                "iso_a3": "AFG",
                "iso_a2": "AF",
                "role": "neighbour",
                "label_lon": 65.5,
                "label_lat": 33.5,
                "source": "NE",
                "license": "PD",
            },
            "Polygon",
            [[[60.87, 29.86], [70.0, 34.0], [71.0, 37.0], [61.0, 36.0], [60.87, 29.86]]],
        ),
    ]
    pprops = {
        "kind": "segment",
        "segment": "Iran section",
        "status_date": "2011",
        "status_source": "S6",
        "status_note": "Iran says complete: a claim, not verified" + x,
        "route_method": "schematic",
        "route_note": "straight line",
        "diameter_in": 56,
        "diameter_source": "S6",
        "capacity_reported": 750,
        "capacity_units": "MMcf/d",
        "capacity_mmcfd": 750.0,
        "capacity_mcm_d": 21.2,
        "capacity_source": "S6",
        "length_known_km": 900.0,
        "length_known_source": "S6",
        "length_route_km": 850.0,
        "wiggle_factor": 1.06,
        "countries": "IR",
        "start_location": "Asaluyeh",
        "end_location": "border",
        "waypoints": "",
        "sources": "S6",
        "source_urls": "https://example.org/6",
        "verified": False,
    }
    pipeline = [
        _f(
            "pipe-asaluyeh-iranshahr",
            {
                **pprops,
                "name": "IP gas pipeline: Asaluyeh-Iranshahr",
                "status": "operating",
                "route_accuracy": "low",
            },
            "LineString",
            [[52.6, 27.5], [56.0, 27.0], [60.7, 27.2]],
        ),
        _f(
            "pipe-iranshahr-border",
            {
                **pprops,
                "name": "IP gas pipeline: Iranshahr-border" + x,
                "status": "construction",
                "route_accuracy": "very low",
                **art(4, "completed its portion of the pipeline"),
            },
            "LineString",
            [[60.7, 27.2], [61.7, 25.3]],
        ),
        _f(
            "pipe-border-gwadar",
            {
                **pprops,
                "name": "IP gas pipeline: border-Gwadar",
                "status": "proposed",
                "route_accuracy": "very low",
                "countries": "PK",
            },
            "LineString",
            [[61.7, 25.3], [62.3, 25.1]],
        ),
        _f(
            "south-pars",
            {
                **pprops,
                "kind": "field",
                "name": "South Pars gas field",
                "status": "operating",
                "route_accuracy": None,
            },
            "Point",
            [52.0, 26.8],
        ),
    ]
    sprops = {
        "name_pk": "Mand",
        "name_ir": "Pishin",
        "status_date": "2021",
        "opened_date": None,
        "agreed_date": "2021",
        "district_pk": "Kech",
        "county_ir": "Sarbaz",
        "geo_precision": 2,
        "location_note": "near the border",
        "distance_to_border_km": 1.2,
        "notes": "synthetic" + x,
        "sources": "S7",
        "source_urls": "https://example.org/7",
    }
    markets = [
        _f(
            "mkt-mand-pishin",
            {"name": "Mand-Pishin border market" + x, **sprops, "status": "operating", "verified": True},
            "Point",
            [62.0, 26.3],
        ),
        _f(
            "mkt-gabd-rimdan",
            {"name": "Gabd-Rimdan border market", **sprops, "status": "proposed", "verified": False},
            "Point",
            [61.65, 25.3],
        ),
    ]
    crossings = [
        _f(
            "xing-taftan-mirjaveh",
            {"name": "Taftan-Mirjaveh", **sprops, "status": "open", "verified": True},
            "Point",
            [61.6, 29.8],
        ),
        _f(
            "xing-gabd-rimdan",
            {"name": "Gabd-Rimdan", **sprops, "status": "proposed", "verified": False},
            "Point",
            [61.62, 25.25],
        ),
    ]
    places = [
        _f(
            "gn-1168226",
            {
                "name": "Panjgur",
                "name_alt": "Panjgoor",
                "country_iso": "PK",
                "admin1": "Balochistan",
                "iso_3166_2": "PK-BA",
                "geonames_id": 1168226,
                "population": 100000,
                "feature_class": "P",
                "role": "strike site",
                "in_article": False,
                "verified": True,
                "location_note": "GeoNames",
                "sources": "S8",
                "source_urls": "https://example.org/8",
            },
            "Point",
            [64.094, 26.964],
        ),
        _f(
            "pl-gwadar",
            {
                "name": "Gwadar" + x,
                "name_alt": None,
                "country_iso": "PK",
                "admin1": "Balochistan",
                "iso_3166_2": "PK-BA",
                "geonames_id": None,
                "population": None,
                "feature_class": "P",
                "role": "pipeline end",
                "in_article": True,
                "verified": True,
                "location_note": "GeoNames",
                "sources": "S8",
                "source_urls": "https://example.org/8",
                **art(4, "Gwadar"),
            },
            "Point",
            [62.33, 25.12],
        ),
    ]
    layers = {
        "context": _fc("context", context, "Countries"),
        "provinces": _fc("provinces", provinces, "Provinces"),
        "border": _fc("border", border, "Border"),
        "pipeline": _fc("pipeline", pipeline, "Pipeline"),
        "markets": _fc("markets", markets, "Markets"),
        "crossings": _fc("crossings", crossings, "Crossings"),
        "places": _fc("places", places, "Places"),
        "events": _fc("events", events, "Events"),
    }
    claims = {
        "claims": [
            {
                "id": "cl-border-959",
                "topic": "Border length" + x,
                **art(3, "porous 959-kilometer frontier"),
                "claim": "The frontier is 959 km long." + x,
                "what_sources_say": "CIA Factbook: 959 km; older: 909 km",
                "verdict": "partly supported",
                "measured_value": 949.7,
                "measured_unit": "km",
                "measured_note": "geodesic length of the OSM-derived line" + x,
                "feature_ids": ["border-osm", "border-ne10m"],
                "sources": "S3;S4",
                "source_urls": "https://example.org/3 https://example.org/4",
            },
            {
                "id": "cl-iran-completed",
                "topic": "Iran's section complete",
                **art(4, "Iran has already completed"),
                "claim": "Iran completed its portion.",
                "what_sources_say": "Iran says so; not verified",
                "verdict": "unsupported",
                "measured_value": None,
                "measured_unit": None,
                "measured_note": None,
                "feature_ids": ["pipe-iranshahr-border"],
                "sources": "S6",
                "source_urls": "https://example.org/6",
            },
        ]
    }
    sources = {
        f"S{i}": {
            "id": f"S{i}",
            "title": f"Source {i}" + (x if i == 1 else ""),
            "publisher": "Publisher",
            "date": "2024-01-01",
            "url": f"https://example.org/{i}",
        }
        for i in range(1, 9)
    }
    if hostile:
        sources["S2"]["url"] = "javascript:alert(3)"
    article = {
        "title": "Iran and Pakistan Strengthen Ties" + x,
        "publisher": "Test Magazine" + x,
        "paragraphs": paragraphs,
    }
    return {"layers": layers, "claims": claims, "article": article, "sources": sources}


#: A second article for the several-articles tests (issue 17). TEST TEXT: written for these tests,
#: not a published article; every fact in it is from /work/shared/docs/facts.md §4 (the January
#: 2024 strikes: S69-S76).
TEST_ARTICLE_ID = "test-2024-01-saravan-strike"
TEST_ARTICLE = {
    "id": TEST_ARTICLE_ID,
    "title": "Test text: Pakistan strikes back in Saravan county",
    "publisher": "test text written for the atlas's tests (not a published article)",
    "date": "2024-01-19",
    "url": "",
    "note": "Test text; facts from the atlas's sources S69-S76.",
    "paragraphs": [
        "Two days after Iranian missiles and drones hit Sabz Koh village in Pakistan's Panjgur district on "
        "16 January 2024, Pakistan struck hideouts in a border village of Saravan county, in Iran's Sistan "
        "and Baluchestan province, early on 18 January 2024.",
        "Pakistan named the operation Marg Bar Sarmachar. On 19 January both foreign ministers agreed to de-escalate.",
    ],
}
TEST_QUOTE = "Pakistan struck hideouts in a border village of Saravan county"


def two_article_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The real inputs (tools/render_map.assembled_inputs) with TEST_ARTICLE as a second article:
    one claim annotates it, naming the Saravan strike and its place."""
    import copy

    out = copy.deepcopy(inputs)
    first = dict(out["article"], id="gulf-2024-04-raisi-visit")
    para = TEST_ARTICLE["paragraphs"][0]
    start = para.index(TEST_QUOTE)
    out["claims"]["claims"].append({
        "id": "cl-test-saravan-strike", "article_id": TEST_ARTICLE_ID, "topic": "strike",
        "article_paragraph": 1, "article_start": start, "article_end": start + len(TEST_QUOTE),
        "article_quote": TEST_QUOTE, "claim": "Pakistan struck a border village of Saravan county on 18 January 2024.",
        "what_sources_say": "Iran's interior minister: a border village in Saravan county, 3-4 km from the border (S74).",
        "verdict": "supported", "feature_ids": ["ev-2024-01-18-pakistan-strike-saravan"], "sources": "S74;S75",
    })
    out["articles"] = [first, dict(TEST_ARTICLE)]
    return out
