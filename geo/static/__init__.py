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
from contextlib import contextmanager, nullcontext
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


#: OpenType layout tables a PDF never reads: a PDF places every glyph itself (matplotlib did the
#: layout), so the embedded subsets leave them out, and fontTools need not parse them (the largest
#: part of the PDF's CPU: GSUB/GPOS of four DejaVu faces).
PDF_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "BASE", "JSTF", "MATH")


def _lean_glyphs_subset(stock: Any) -> Any:
    """matplotlib's ``get_glyphs_subset`` (backends/_backend_pdf_ps.py, matplotlib 3.11) with
    :data:`PDF_UNUSED_TABLES` removed before subsetting; everything else as matplotlib does it."""
    from fontTools import subset  # type: ignore[import-untyped]
    from matplotlib.backends import _backend_pdf_ps as pdfps

    def get_glyphs_subset(fontfile: Any, glyphs: Any) -> Any:
        options = subset.Options(glyph_names=True, recommended_glyphs=True, layout_features=[])
        options.drop_tables += ["FFTM", "PfEd", "BDF", "meta", *PDF_UNUSED_TABLES]
        options.font_number = fontfile.face_index
        font = subset.load_font(fontfile, options, lazy=True)
        for tag in PDF_UNUSED_TABLES:
            if tag in font:
                del font[tag]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(gids=glyphs)
        subsetter.subset(font)
        return pdfps.SubsetResults(font, subsetter.glyph_index_map)._as_cm()

    get_glyphs_subset.__wrapped__ = stock  # type: ignore[attr-defined]
    return get_glyphs_subset


@contextmanager
def _lean_pdf_fonts() -> Iterator[None]:
    """Embed lean font subsets while a PDF is written (only where matplotlib's private hook is the
    one this was written against: otherwise matplotlib's own subsetting, unchanged)."""
    from matplotlib.backends import _backend_pdf_ps as pdfps

    stock = getattr(pdfps, "get_glyphs_subset", None)
    if stock is None or not hasattr(pdfps, "SubsetResults"):
        yield
        return
    pdfps.get_glyphs_subset = _lean_glyphs_subset(stock)
    try:
        yield
    finally:
        pdfps.get_glyphs_subset = stock


def save(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    with _rc(), (_lean_pdf_fonts() if fmt == "pdf" else nullcontext()):
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
