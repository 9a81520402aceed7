"""Static maps (geo/static): formats and sizes, legend of what is drawn, labels that never collide,
colour-vision and contrast checks, byte-identical output, and `geo static` argument errors."""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
from itertools import combinations

import pytest
from matplotlib.transforms import Bbox
from PIL import Image
from trust_fixtures import RealBuild

from geo import catalog, settings, static
from geo.static import labels, panels, style

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def layers():
    return static.read_layers()


@pytest.fixture(scope="module")
def a4(layers):
    lay, article = layers
    return static.figure(lay, fmt="svg", article=article)


@pytest.fixture(scope="module")
def card(layers):
    lay, article = layers
    return static.figure(lay, fmt="png", size=(1600, 900), article=article)


@pytest.fixture(scope="module")
def square(layers):
    lay, article = layers
    return static.figure(lay, fmt="png", size=(1080, 1080), article=article)


def _pt(value: str) -> float:
    return float(re.sub(r"pt$", "", value))


def test_svg_and_pdf_are_a4_landscape_vector_with_fonts_embedded(layers) -> None:
    lay, article = layers
    svg = static.render(lay, fmt="svg", article=article).decode()
    w = re.search(r'<svg[^>]* width="([\d.]+pt)"', svg)
    h = re.search(r'<svg[^>]* height="([\d.]+pt)"', svg)
    assert w and h
    assert abs(_pt(w.group(1)) - 297 / 25.4 * 72) < 0.5 and abs(_pt(h.group(1)) - 210 / 25.4 * 72) < 0.5
    assert "<text" not in svg  # text is outlines: no font needed to view it
    assert "<image" not in svg  # vector only
    pdf = static.render(lay, fmt="pdf", article=article)
    box = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", pdf)
    assert box and abs(float(box.group(1)) - 841.89) < 0.5 and abs(float(box.group(2)) - 595.28) < 0.5
    assert b"/FontFile2" in pdf  # TrueType (Type 42) embedded
    assert b"/CreationDate" not in pdf


@pytest.mark.parametrize("size", [(1600, 900), (1080, 1080), (800, 1000)])
def test_png_has_the_requested_pixel_size(layers, size) -> None:
    lay, article = layers
    png = static.render(lay, fmt="png", size=size, article=article)
    assert Image.open(io.BytesIO(png)).size == size


def _legend_text(res) -> list[str]:
    return [t.get_text() for t in res.legend_texts]


def _placed(res) -> set[str]:
    return {t.get_text().replace("\n", " ") for t in res.placer.placed}


def _said_on_the_map(res, item) -> bool:
    """A class a card leaves out of its legend must be said by a label on the map."""
    from geo.static import events

    placed = _placed(res)
    if item.layer == "provinces":
        return item.label.split(" (")[0].upper() in placed
    if item.layer == "context":
        return {"IRAN", "PAKISTAN"} <= placed if item.label == "Iran and Pakistan" else bool(
            placed & {"AFGHANISTAN", "INDIA", "OMAN", "SAUDI ARABIA", "QATAR", "UNITED ARAB EMIRATES"})
    if item.label == "gas field":
        return any("gas field" in t for t in placed)
    if item.layer == "events":
        shown = [e for e in res.events if e.area_drawn and e.anchors]
        return bool(shown) and all(events.card_label(e).replace("\n", " ") in placed for e in shown)
    return False


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_every_drawn_layer_and_class_is_in_the_legend_or_named_on_the_map(which, request) -> None:
    res = request.getfixturevalue(which)
    texts = _legend_text(res)
    assert res.drawn.layers, "nothing drawn"
    folded = {i.layer for i in res.folded} - {i.layer for i in res.drawn.items}
    for name in res.drawn.layers:
        assert catalog.get(name).map_label in texts or name in folded, name
    for item in res.drawn.items:
        if item.label:
            forms = {item.label, panels.short_label(item.layer, item.label)}  # a card's run-on legend: short
            assert any(t == f or t.startswith(f[:20]) for t in texts for f in forms), item.label
    for item in res.folded:  # a card's direct labels (Datawrapper's, Reuters' way)
        assert _said_on_the_map(res, item), (item.layer, item.label)
    assert not res.folded or which != "a4"
    for must in ("border", "provinces", "pipeline", "markets", "crossings", "places"):
        assert must in res.drawn.layers


#: What the article's story turns on (issue 18): both provinces, the pipeline's Pakistani ends, the
#: strikes' towns, the border markets and crossings.
STORY_LABELS = ("BALOCHISTAN", "SISTAN AND BALUCHESTAN", "Gwadar", "Nawabshah", "Panjgur", "Saravan")
MARKET_LABELS = ("Mand–Pishin", "Gabd–Rimdan", "Chedgi–Kuhak", "Taftan–Mirjaveh")


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_every_card_names_both_provinces_and_the_places_the_story_turns_on(which, request) -> None:
    res = request.getfixturevalue(which)
    missing = [name for name in STORY_LABELS if name not in _placed(res)]
    assert not missing, (missing, res.placer.dropped)
    markets = [name for name in MARKET_LABELS if name not in _placed(res)]
    assert not markets, (markets, res.placer.dropped)
    r = res.fig.canvas.get_renderer()
    frame = res.placer.ax.get_window_extent(r)
    for t in res.placer.placed:  # each with a box of its own inside the map (no overlap: the test below)
        b = labels.extent(t, r)
        assert b.width > 0 and b.height > 0 and frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1, t.get_text()


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_the_legend_takes_at_most_a_quarter_of_the_card(which, request) -> None:
    res = request.getfixturevalue(which)
    r = res.fig.canvas.get_renderer()
    res.fig.draw_without_rendering()
    box = res.legend_ax.get_tightbbox(r)
    share = box.width * box.height / (res.fig.bbox.width * res.fig.bbox.height)
    assert 0.02 < share <= 0.25, share
    for t in res.legend_texts:  # the box holds every legend text
        tb = t.get_window_extent(r)
        if t.axes is res.legend_ax:
            assert box.x0 - 1 <= tb.x0 and tb.x1 <= box.x1 + 1 and box.y0 - 1 <= tb.y0 and tb.y1 <= box.y1 + 1


def test_legend_shows_only_what_is_drawn(layers) -> None:
    lay, article = layers
    lay = copy.deepcopy(lay)
    lay["markets"]["features"] = []
    for f in lay["pipeline"]["features"]:
        f["properties"]["status"] = "operating"
    res = static.figure(lay, fmt="svg", article=article)
    texts = _legend_text(res)
    assert catalog.get("markets").map_label not in texts
    assert "proposed" not in texts and "operating" in texts


def test_an_extent_without_a_layer_has_no_legend_row_for_it(layers) -> None:
    lay, article = layers
    # the Strait of Hormuz: no border, no markets, no crossings there
    res = static.figure(lay, fmt="png", size=(900, 700), bbox=(55.5, 25.6, 57.5, 27.4), article=article)
    texts = _legend_text(res)
    for name in ("markets", "crossings", "border"):
        assert name not in res.drawn.layers
        assert catalog.get(name).map_label not in texts


def _boxes(res):
    fig = res.fig
    r = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    out = []
    for t in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() in (labels.LABEL_GID, "event-marker")):
        out.append((t.get_text(), labels.extent(t, r)))
    return out, r


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_map_labels_and_event_markers_never_overlap(which, request) -> None:
    res = request.getfixturevalue(which)
    boxes, r = _boxes(res)
    assert len(boxes) >= 10
    frame = res.placer.ax.get_window_extent(r)
    for text, b in boxes:
        assert frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1 and frame.y0 - 1 <= b.y0 and b.y1 <= frame.y1 + 1, text
    hits = [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]
    assert not hits, hits[:5]
    # and none sits under the inset locator or the legend
    inset = [ax for ax in res.fig.axes if ax is not res.placer.ax and ax.get_xticks().size == 0 and ax.patch.get_visible()]
    for ax in inset:
        ib: Bbox = ax.get_window_extent(r)
        assert not any(b.overlaps(ib) for _, b in boxes)


def test_events_are_numbered_and_listed_with_dates(a4) -> None:
    n = len(a4.events)
    assert n >= 1
    keys = [t.get_text() for t in a4.fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == panels.KEY_GID)]
    for ev in a4.events:
        assert str(ev.number) in keys and ev.date.split(" (")[0] in keys
    markers = " ".join(t.get_text() for t in a4.fig.findobj(
        lambda a: getattr(a, "get_gid", lambda: None)() == "event-marker"))
    shown: set[int] = set()
    for a, b in re.findall(r"(\d+)(?:–(\d+))?", markers):
        shown |= set(range(int(a), int(b or a) + 1))
    assert shown == {e.number for e in a4.events if e.anchors}  # every event inside the frame, once listed


def test_drawn_classes_survive_colour_blindness_and_text_has_contrast(a4, card) -> None:
    for res in (a4, card):
        assert style.cvd_problems(res.drawn.classes()) == []
    for fg, bg in ((style.INK, style.HALO), (style.INK_SOFT, style.PANEL), (style.COUNTRY_LABEL, style.HALO)):
        assert style.contrast(fg, bg) >= style.MIN_CONTRAST
    from geo import palette

    for col in palette.PROVINCE_COLORS.values():  # province names in their colour, on a white halo
        assert style.contrast(col, style.HALO) >= style.MIN_CONTRAST


def _background(t) -> str:
    """What a text is drawn on: its halo, its box, else the white page/panel."""
    from matplotlib.colors import to_hex

    for pe in t.get_path_effects():
        fg = getattr(pe, "_gc", {}).get("foreground")
        if fg is not None:
            return to_hex(fg)
    patch = t.get_bbox_patch()
    if patch is not None:
        return to_hex(patch.get_facecolor(), keep_alpha=False)
    return style.PANEL


@pytest.mark.parametrize("which", ["a4", "card"])
def test_every_text_reaches_the_contrast_minimum(which, request) -> None:
    from matplotlib.colors import to_hex
    from matplotlib.text import Text

    res = request.getfixturevalue(which)
    texts = [t for t in res.fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert len(texts) > 50
    low = [(t.get_text(), round(style.contrast(to_hex(t.get_color()), _background(t)), 2)) for t in texts
           if style.contrast(to_hex(t.get_color()), _background(t)) < style.MIN_CONTRAST]
    assert not low, low[:5]


def test_the_colour_check_catches_colour_only_differences() -> None:
    from geo import palette

    a = style.DrawnClass("crossings", "open", "diamond", palette.CROSSING_STATUS["open"])
    b = style.DrawnClass("crossings", "closed", "diamond", palette.CROSSING_STATUS["closed"])
    assert any("deuteranopia" in p for p in style.cvd_problems([a, b]))  # why closed ones carry a cross
    assert style.contrast("#ffffff", "#ffffff") == 1.0 and round(style.contrast("#000", "#fff")) == 21


@pytest.mark.parametrize("fmt,size", [("svg", None), ("pdf", None), ("png", (1080, 1080))])
def test_bytes_are_identical_across_two_renders(layers, fmt, size) -> None:
    lay, article = layers
    one = static.render(lay, fmt=fmt, size=size, article=article)
    two = static.render(copy.deepcopy(lay), fmt=fmt, size=size, article=article)
    assert one == two


def test_credit_line_names_sources_and_licences(a4) -> None:
    texts = " ".join(t.get_text() for t in a4.fig.texts)
    for s in ("© OpenStreetMap contributors", "Natural Earth", "GeoNames", "Global Energy Monitor",
              "Lambert conformal conic"):
        assert s in texts.replace("\n", " ")


def _geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "static", *args], cwd=settings.ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("args", [
    ["--size", "big"], ["--size", "10x10"], ["--size", "5000x300"],
    ["--bbox", "1,2,3"], ["--bbox", "60,20,59,30"], ["--bbox", "a,b,c,d"], ["--bbox", "0,0,10,10"],
    ["--format", "gif"], ["--format", "png", "--out", "x.pdf"],
    ["--layers", "/nonexistent/layers"], ["--out", "/proc/geo-static-test.svg"],
])
def test_bad_arguments_are_one_line_errors_with_exit_2(args, tmp_path) -> None:
    out = tmp_path / "never.svg"
    proc = _geo(*args, *([] if "--out" in args else ["--out", str(out)]))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geo: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_geo_static_writes_the_extent_asked_for(tmp_path) -> None:
    out = tmp_path / "markets.png"
    proc = _geo("--bbox", "60.5,24.8,64,28.5", "--size", "1200x900", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert Image.open(out).size == (1200, 900)


def test_geo_build_writes_every_still_image(real_build: RealBuild) -> None:
    _, maps = real_build("a")
    for name, (fmt, size) in static.PRODUCTS.items():
        path = maps / name
        assert path.is_file() and path.stat().st_size > 10_000, name
        if fmt == "png":
            assert Image.open(path).size == size


def test_committed_social_card_is_what_the_build_writes(real_build: RealBuild) -> None:
    """maps/frontier-social.png is the README's picture: committed, so it must be fresh."""
    _, maps = real_build("a")
    committed = settings.ROOT / "maps" / "frontier-social.png"
    assert committed.is_file(), "run `geo build` and commit maps/frontier-social.png"
    assert committed.read_bytes() == (maps / "frontier-social.png").read_bytes(), \
        "maps/frontier-social.png is stale: run `geo build` and commit it"


def test_text_uses_matplotlibs_own_font_files(a4) -> None:
    """A system DejaVu of another version would change every map's bytes from machine to machine."""
    from pathlib import Path

    import matplotlib
    from matplotlib import font_manager as fm

    data = Path(matplotlib.get_data_path()).resolve()
    for weight in ("normal", "bold"):
        for style_ in ("normal", "italic"):
            path = fm.findfont(fm.FontProperties(family=static.RC["font.family"], weight=weight, style=style_))
            assert Path(path).resolve().is_relative_to(data), path


def _data_box(res, t):
    """A placed label's box in the map's projected coordinates."""
    from shapely import box as sbox

    r = res.fig.canvas.get_renderer()
    b = labels.extent(t, r)
    inv = res.placer.ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([(b.x0, b.y0), (b.x1, b.y1)])
    return sbox(x0, y0, x1, y1)


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_a_country_name_sits_on_that_countrys_visible_land(which, request, layers) -> None:
    # the 1600x900 card once put "UNITED ARAB EMIRATES" over the Gulf of Oman
    from shapely import box as sbox
    from shapely.geometry import Point, shape

    from geo.static import draw

    res = request.getfixturevalue(which)
    lay, _ = layers
    fr = draw.Frame(res.extent, 1000)
    view = sbox(res.extent.x0, res.extent.y0, res.extent.x1, res.extent.y1)
    land = {str(f["properties"]["name"]).upper(): fr.project(shape(f["geometry"])).intersection(view)
            for f in lay["context"]["features"]}
    named = [t for t in res.placer.placed if t.get_text().replace("\n", " ") in land]
    assert any(t.get_text() == "IRAN" for t in named)
    for t in named:
        area = land[t.get_text().replace("\n", " ")]
        x, y = t.xy
        assert area.contains(Point(x, y)), t.get_text()
        box = _data_box(res, t)
        assert area.intersection(box).area >= 0.9 * box.area, t.get_text()


@pytest.mark.parametrize("which", ["a4", "card", "square"])
def test_inset_names_lie_inside_the_inset_frame(which, request) -> None:
    res = request.getfixturevalue(which)
    r = res.fig.canvas.get_renderer()
    found = 0
    for ax in res.fig.axes:
        for t in ax.texts:
            if t.get_gid() != panels.INSET_LABEL_GID:
                continue
            found += 1
            b, f = t.get_window_extent(r), ax.get_window_extent(r)
            assert f.x0 <= b.x0 and b.x1 <= f.x1 and f.y0 <= b.y0 and b.y1 <= f.y1, t.get_text()
            # nor does the red outline of the main map run through a letter ("IRAN" read "RAN")
            (red,) = [p for p in ax.patches if p.get_edgecolor()[:3] == pytest.approx(
                (0xb2 / 255, 0x18 / 255, 0x2b / 255))]
            rb = red.get_window_extent(r)
            inside = rb.x0 < b.x0 and b.x1 < rb.x1 and rb.y0 < b.y0 and b.y1 < rb.y1
            assert inside or not b.overlaps(rb) or t.get_zorder() > red.get_zorder(), t.get_text()
    assert found >= 2  # IRAN and PAKISTAN


def _event_labels(res):
    from matplotlib.text import Annotation

    return [t for t in res.placer.placed if isinstance(t, Annotation) and "strike" in t.get_text().lower()]


@pytest.mark.parametrize("which", ["card", "square"])
def test_a_cards_event_name_sits_near_its_point_and_its_leader_never_crosses_the_border(which, request) -> None:
    # the 18 Jan 2024 strike on Saravan was once named near the tripoint, far north of its point
    from shapely.geometry import LineString

    res = request.getfixturevalue(which)
    r = res.fig.canvas.get_renderer()
    evs = _event_labels(res)
    assert len(evs) == 2, [t.get_text() for t in evs]
    frame_box = res.placer.ax.get_window_extent(r)
    diag = (frame_box.width ** 2 + frame_box.height ** 2) ** 0.5
    for t in evs:
        b = labels.extent(t, r)
        px, py = res.placer.ax.transData.transform(t.xy)
        sx, sy = min(max(px, b.x0), b.x1), min(max(py, b.y0), b.y1)
        length = ((px - sx) ** 2 + (py - sy) ** 2) ** 0.5
        assert length <= 0.12 * diag, (t.get_text(), length, diag)
        if t.arrow_patch is not None and length > 20:
            seg = LineString([(sx, sy), (sx + (px - sx) * 0.7, sy + (py - sy) * 0.7)])
            assert not any(seg.intersects(ln) for ln in res.placer.lines), t.get_text()


@pytest.mark.parametrize("which", ["card", "square"])
def test_a_card_names_the_strikes_towns(which, request) -> None:
    res = request.getfixturevalue(which)
    placed = {t.get_text() for t in res.placer.placed}
    assert {"Panjgur", "Saravan"} <= placed, res.placer.dropped


@pytest.mark.parametrize("which", ["card", "square"])
def test_a_cards_legend_text_is_at_least_22_px(which, request) -> None:
    res = request.getfixturevalue(which)
    px = [t.get_fontsize() * res.fig.dpi / 72 for t in res.legend_texts]
    assert px and min(px) >= 22 - 1e-6
    # and the legend fits its panel: no legend text below the credit line's top or off the page
    r = res.fig.canvas.get_renderer()
    credit = next(t for t in res.fig.texts if t.get_text().startswith("Sources:")).get_window_extent(r)
    for t in res.legend_texts:
        b = t.get_window_extent(r)
        assert b.y0 >= credit.y1 - 1 and b.x1 <= res.fig.bbox.x1 + 1, t.get_text()


def test_events_are_numbered_across_articles_by_date_then_id(layers) -> None:
    """Issue 17: with several articles, one sequence by date then id (not the layer's order), and
    the key lists them all under one heading."""
    from geo.static import events

    lay, article = layers
    lay = copy.deepcopy(lay)
    feats = lay["events"]["features"]
    for i, f in enumerate(feats):
        f["properties"]["article_id"] = "second-article" if i % 2 else "gulf-2024-04-raisi-visit"
    feats.sort(key=lambda f: (f["properties"]["article_id"], f["id"]), reverse=True)  # article by article
    res = static.figure(lay, fmt="svg", article=article)
    expect = sorted(feats, key=lambda f: (f["properties"]["event_date"], f["id"]))
    assert [e.id for e in res.events] == [f["id"] for f in expect]
    assert [e.number for e in res.events] == list(range(1, len(feats) + 1))
    keys = [t.get_text() for t in res.fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == panels.KEY_GID)]
    assert "Events in the 2 articles" in keys
    assert all(str(e.number) in keys for e in res.events)
    assert "2 articles" in " ".join(t.get_text() for t in res.fig.texts).replace("\n", " ")
    # undated events go last; partial dates sort as text (a year before its months)
    rows = [({"id": "b"}, {"event_date": ""}), ({"id": "a"}, {"event_date": "2011-06"}),
            ({"id": "c"}, {"event_date": "2011"}), ({"id": "a2"}, {"event_date": "2011"})]
    assert [f["id"] for f, p in sorted(rows, key=lambda r: events.sort_key(*r))] == ["a2", "c", "a", "b"]


def test_events_without_article_ids_keep_the_single_article_key(layers) -> None:
    lay, article = layers
    lay = copy.deepcopy(lay)
    for f in lay["events"]["features"]:
        f["properties"].pop("article_id", None)  # the layers before issue 17
    a4 = static.figure(lay, fmt="svg", article=article)
    keys = [t.get_text() for t in a4.fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == panels.KEY_GID)]
    assert "Events in the article" in keys and "Events in the 2 articles" not in keys
    expect = sorted(lay["events"]["features"], key=lambda f: (f["properties"]["event_date"], f["id"]))
    assert [e.id for e in a4.events] == [f["id"] for f in expect]
