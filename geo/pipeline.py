"""`geo build`: load seeds -> build layers -> validate -> write (all or nothing) -> render the map."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import catalog, files, io, settings
from geo.errors import GeoError, ValidationFailed

MAP_NAME = "frontier.html"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Build:
    """Everything one build produces, in memory, before anything is written."""

    layers: dict[str, dict[str, Any]]
    claims: dict[str, Any] | None = None
    article: dict[str, Any] | None = None
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def assemble(seeds_dir: Path | None = None) -> Build:
    """Build every layer from seeds/ in memory (no writing)."""
    from geo.build import basemap, seeds
    from geo.build import layers as article_layers
    sdir = seeds_dir or settings.SEEDS_DIR
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sources = seeds.read_sources(sdir)
    base = basemap.build_base_layers(sdir / "basemap", sources=sources)
    timings["basemap"] = time.perf_counter() - t0
    build = Build(layers=dict(base), sources=sources, timings=timings)
    t0 = time.perf_counter()
    built = article_layers.build(sdir, base)
    timings["article layers"] = time.perf_counter() - t0
    build.layers.update(built.layers)
    build.claims, build.article, build.sources = built.claims, built.article, built.sources
    from geo import release

    release.stamp(build.layers, build.claims)
    return build


def outputs(build: Build, *, layers_dir: Path, maps_dir: Path, render: bool = True) -> dict[Path, str | bytes]:
    """Every output file's bytes: GeoJSON layers, claims ledger, exports, the map."""
    out: dict[Path, str | bytes] = {}
    for name, fc in build.layers.items():
        out[catalog.get(name).path(layers_dir)] = io.dumps(fc)
    if build.claims is not None:
        out[layers_dir / catalog.CLAIMS_FILE] = io.dumps_json(build.claims)
    from geo.export import gpkg as export
    t0 = time.perf_counter()
    for fname, data in export.exports(build.layers, claims=build.claims).items():
        out[layers_dir / fname] = data
    from geo.export import datapackage
    layer_files = {p.name: (d.encode("utf-8") if isinstance(d, str) else d) for p, d in out.items()}
    out[layers_dir / datapackage.NAME] = datapackage.dumps(
        datapackage.package(build.layers, build.claims, layer_files, build.sources))
    build.timings["exports"] = time.perf_counter() - t0
    if render:
        from geo.render import render_map

        t0 = time.perf_counter()
        out[maps_dir / MAP_NAME] = render_map(
            build.layers, claims=build.claims or {"claims": []},
            article=build.article or {"title": "", "publisher": "", "paragraphs": []},
            sources=build.sources,
        )
        build.timings["map"] = time.perf_counter() - t0
        from geo import static

        t0 = time.perf_counter()
        out.update(static.outputs(build.layers, maps_dir=maps_dir, article=build.article))
        build.timings["static maps"] = time.perf_counter() - t0
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
    b = assemble(seeds_dir)
    t0 = time.perf_counter()
    validate(b)
    b.timings["validate"] = time.perf_counter() - t0
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
