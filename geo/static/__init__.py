"""Static maps for print, slides and social posts, drawn from the layers and geo/palette.py.

``geo build`` writes :data:`PRODUCTS` into maps/; ``geo static`` draws any extent and size.
Bytes are deterministic: matplotlib's SVG ids come from a fixed salt, PDF/SVG/PNG metadata carry
no date and a pinned producer; text is DejaVu Sans (shipped inside matplotlib, so no system font
is needed), embedded as TrueType (Type 42) in PDF and converted to outlines (paths) in SVG.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from geo import catalog, settings

#: maps/ file -> (format, size in pixels or None for A4).
PRODUCTS: dict[str, tuple[str, tuple[int, int] | None]] = {
    "frontier.svg": ("svg", None),
    "frontier.pdf": ("pdf", None),
    "frontier-social.png": ("png", (1600, 900)),
    "frontier-square.png": ("png", (1080, 1080)),
}
SOFTWARE = "geo static (Iran-Pakistan frontier atlas) with matplotlib"

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "iran-pakistan-frontier-atlas",
    "path.simplify": False,
    "text.antialiased": True,
}


def _bundled_fonts_only() -> None:
    """Text is DejaVu Sans from matplotlib's own files, never a system copy of another version
    (fonts-dejavu-core differs byte for byte): the bytes of every map stay the same everywhere."""
    import matplotlib
    from matplotlib import font_manager as fm

    data = Path(matplotlib.get_data_path()).resolve()
    keep = [f for f in fm.fontManager.ttflist
            if f.name != RC["font.family"] or Path(f.fname).resolve().is_relative_to(data)]
    if len(keep) != len(fm.fontManager.ttflist):
        fm.fontManager.ttflist = keep
        fm.fontManager._findfont_cached.cache_clear()  # type: ignore[attr-defined]


@contextmanager
def _rc() -> Iterator[None]:
    import matplotlib

    _bundled_fonts_only()
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        yield


def _metadata(fmt: str) -> dict[str, Any]:
    import matplotlib

    sw = f"{SOFTWARE} {matplotlib.__version__}"
    if fmt == "svg":
        return {"Date": None, "Creator": sw, "Title": "The Iran–Pakistan frontier"}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None, "Creator": sw, "Producer": sw,
                "Title": "The Iran–Pakistan frontier"}
    return {"Software": sw, "Title": "The Iran–Pakistan frontier"}


def save(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    with _rc():
        fig.savefig(buf, format=fmt, metadata=_metadata(fmt), dpi=fig.dpi, facecolor=fig.get_facecolor())
    return buf.getvalue()


def figure(layers: dict[str, Any], *, fmt: str = "svg", size: tuple[int, int] | None = None,
           bbox: tuple[float, float, float, float] | None = None, article: dict[str, Any] | None = None) -> Any:
    """The composed map (a :class:`geo.static.compose.Result`: figure, what was drawn, labels)."""
    from geo.static import compose

    with _rc():
        return compose.compose(layers, compose.Spec(fmt, size, bbox), article)


def render(layers: dict[str, Any], *, fmt: str = "svg", size: tuple[int, int] | None = None,
           bbox: tuple[float, float, float, float] | None = None, article: dict[str, Any] | None = None) -> bytes:
    return save(figure(layers, fmt=fmt, size=size, bbox=bbox, article=article).fig, fmt)


def outputs(layers: dict[str, Any], *, maps_dir: Path, article: dict[str, Any] | None = None) -> dict[Path, bytes]:
    """Every still image of ``geo build``: the A4 figure once, saved as SVG and PDF, and the cards."""
    out: dict[Path, bytes] = {}
    a4 = None
    for fname, (fmt, size) in PRODUCTS.items():
        if size is None:
            a4 = a4 or figure(layers, fmt=fmt, article=article)
            out[maps_dir / fname] = save(a4.fig, fmt)
        else:
            out[maps_dir / fname] = render(layers, fmt=fmt, size=size, article=article)
    return out


def read_layers(layers_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The layers as every stage reads them (catalog paths) and the article named by claims.json."""
    from geo.errors import InputError

    ldir = Path(layers_dir or settings.LAYERS_DIR)
    layers: dict[str, Any] = {}
    for name in catalog.names():
        path = catalog.get(name).path(ldir)
        if not path.is_file():
            raise InputError(f"{path}: layer file missing (run `geo build` first)")
        try:
            layers[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not readable GeoJSON ({exc})") from None
    article = None
    claims = ldir / catalog.CLAIMS_FILE
    if claims.is_file():
        try:
            article = json.loads(claims.read_text(encoding="utf-8")).get("metadata", {}).get("article")
        except (OSError, json.JSONDecodeError):
            article = None
    return layers, article
