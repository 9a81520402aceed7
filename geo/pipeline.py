"""`geo build`: load seeds -> build layers -> validate -> write (all or nothing) -> render the map.

The stages whose inputs did not change are read back from .cache/build/ (geo/build/cache.py): the
layers assembled and validated from seeds/, the exports and the still maps. GEO_NO_CACHE=1 computes
every stage; either way the files written are the same bytes."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from geo import catalog, files, io, settings
from geo.build.layers import Build
from geo.errors import GeoError, ValidationFailed

MAP_NAME = "frontier.html"
#: The members of a :class:`Build` kept by the layers stage's cache entry (timings are not).
_BUILD_FIELDS = ("layers", "claims", "article", "sources", "articles", "article_table")

__all__ = ["MAP_NAME", "Build", "assemble", "build", "build_cli", "outputs", "state_dir", "validate"]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def assemble(seeds_dir: Path | None = None) -> Build:
    """Build every layer from seeds/ in memory (no writing)."""
    from geo import release
    from geo.build import basemap, seeds
    from geo.build import layers as article_layers

    sdir = seeds_dir or settings.SEEDS_DIR
    t0 = time.perf_counter()
    sources = seeds.read_sources(sdir)
    base = basemap.build_base_layers(sdir / "basemap", sources=sources)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    build = article_layers.build(sdir, base)
    build.layers = {**base, **build.layers}
    build.timings.update({"basemap": t_base, "article layers": time.perf_counter() - t0})
    release.stamp(build.layers, build.claims)
    return build


def _catalog_input() -> bytes:
    """The catalog as the stages see it (its layers and schemas): an input of every cached stage."""
    from geo.build import cache

    return repr(catalog.LAYERS).encode() + cache.files_digest(Path(str(catalog.SCHEMAS_DIR)))


def _stage(name: str, inputs: Iterable[bytes], compute: Callable[[], dict[str, bytes]],
           timings: dict[str, float]) -> dict[str, bytes]:
    """``compute()`` through the build cache, timed (a stage read back is logged as cached)."""
    from geo.build import cache

    t0 = time.perf_counter()
    blobs, hit = cache.cached(name, inputs, compute)
    if hit:
        timings[f"{name} (cached)"] = time.perf_counter() - t0
    elif name not in timings:
        timings[name] = time.perf_counter() - t0
    return blobs


def _checked(seeds_dir: Path | None) -> Build:
    """:func:`assemble` then :func:`validate`, read back from the cache when seeds/ (every file),
    the code and the installed packages are the same as when the entry was written. An entry is
    written only for a build that validated."""
    from geo.build import cache

    sdir = Path(seeds_dir or settings.SEEDS_DIR)
    timings: dict[str, float] = {}

    def checked() -> Build:
        b = assemble(sdir)
        t0 = time.perf_counter()
        validate(b)
        b.timings["validate"] = time.perf_counter() - t0
        return b

    if cache.stage_dir("layers") is None:  # GEO_NO_CACHE=1: as built, no JSON round trip
        return checked()

    def compute() -> dict[str, bytes]:
        b = checked()
        timings.update(b.timings)
        doc = {k: getattr(b, k) for k in _BUILD_FIELDS}
        return {"build.json": json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()}

    # where seeds/ lies is no input: it only shows in error messages, and a failed stage is not kept
    inputs = [_catalog_input(), cache.files_digest(sdir)]
    blobs = _stage("layers", inputs, compute, timings)
    # the build continues from what a later build reads back: one JSON round trip either way
    return Build(**json.loads(blobs["build.json"]), timings=timings)


def _export_files(build: Build, layer_files: dict[str, bytes]) -> dict[str, bytes]:
    """The exports (GeoPackage, GeoParquet, FlatGeobuf, CSV, KML, styles) and datapackage.json."""
    from geo.export import datapackage
    from geo.export import gpkg as export

    out = dict(export.exports(build.layers, claims=build.claims, articles=build.article_table))
    out[datapackage.NAME] = datapackage.dumps(datapackage.package(
        build.layers, build.claims, {**layer_files, **out}, build.sources)).encode("utf-8")
    return out


def _json_input(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def outputs(build: Build, *, layers_dir: Path, maps_dir: Path, render: bool = True) -> dict[Path, str | bytes]:
    """Every output file's bytes: GeoJSON layers, claims ledger, exports, the map."""
    out: dict[Path, str | bytes] = {}
    for name, fc in build.layers.items():
        out[catalog.get(name).path(layers_dir)] = io.dumps(fc)
    if build.claims is not None:
        out[layers_dir / catalog.CLAIMS_FILE] = io.dumps_json(build.claims)
    layer_files = {p.name: (d.encode("utf-8") if isinstance(d, str) else d) for p, d in out.items()}
    # the layers as written are the input of the exports and the still maps
    written = [name.encode() + b"\0" + data for name, data in layer_files.items()]
    cat = _catalog_input()
    exports = _stage("exports", [cat, *written, _json_input(build.article_table), _json_input(build.sources)],
                     lambda: _export_files(build, layer_files), build.timings)
    out.update({layers_dir / fname: data for fname, data in exports.items()})
    if render:
        from geo.render import render_map

        t0 = time.perf_counter()
        out[maps_dir / MAP_NAME] = render_map(
            build.layers, claims=build.claims or {"claims": []},
            article=build.article or {"title": "", "publisher": "", "paragraphs": []},
            sources=build.sources, articles=build.articles or None,
        )
        build.timings["map"] = time.perf_counter() - t0

        def stills() -> dict[str, bytes]:
            from geo import static

            return {p.name: data for p, data in static.outputs(build.layers, maps_dir=maps_dir,
                                                                article=build.article).items()}

        maps = _stage("static maps", [cat, *written, _json_input(build.article)], stills, build.timings)
        out.update({maps_dir / fname: data for fname, data in maps.items()})
    return out


def validate(build: Build) -> None:
    """Raise ValidationFailed with every problem; nothing is written when a layer fails."""
    from geo import check

    problems = check.validate_layers(build.layers, claims=build.claims)
    if problems:
        raise ValidationFailed(problems)


def build(
    *, seeds_dir: Path | None = None, layers_dir: Path | None = None, maps_dir: Path | None = None,
    render: bool = True,
) -> list[Path]:
    """The whole build. Writes nothing unless every layer was built and validated."""
    ldir = layers_dir or settings.LAYERS_DIR
    mdir = maps_dir or settings.MAPS_DIR
    state = state_dir(ldir)
    try:
        lock = io.write_lock(state)
        lock.__enter__()
    except io.Busy:
        raise GeoError(f"{files.display(ldir)}: another `geo build` is writing these outputs; wait for it "
                       "to finish, then run again") from None
    try:
        return _build(seeds_dir, ldir, mdir, state, render)
    finally:
        lock.__exit__(None, None, None)


def state_dir(layers_dir: Path) -> Path:
    """Where a build's lock and write journal live: the folder holding layers/ (and maps/)."""
    return Path(layers_dir).absolute().parent


def _build(seeds_dir: Path | None, ldir: Path, mdir: Path, state: Path, render: bool) -> list[Path]:
    t_all = time.perf_counter()
    b = _checked(seeds_dir)
    out = outputs(b, layers_dir=ldir, maps_dir=mdir, render=render)
    t0 = time.perf_counter()
    changed = io.write_files(out, state_dir=state)
    b.timings["write"] = time.perf_counter() - t0
    for stage, secs in b.timings.items():
        _log(f"  {stage}: {secs:.2f} s")
    for path in sorted(out):
        what = "written" if Path(path).absolute() in changed else "unchanged"
        data = out[path]
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        _log(f"{files.display(path)} ({size:,} bytes, {what})")
    _log(f"built {len(out)} files ({len(changed)} changed) in {time.perf_counter() - t_all:.1f} s")
    return sorted(out)


def build_cli(args: Any) -> None:
    build(
        seeds_dir=Path(args.seeds) if args.seeds else None,
        layers_dir=Path(args.layers) if args.layers else None,
        maps_dir=Path(args.maps) if args.maps else None,
        render=not args.no_map,
    )
