"""A notebook user's folium layers on ``story_map()`` (issue 18 item 4): ordinary folium works on
the offline page (popups, tooltips, clicks over the atlas's polygons, no page error), and what
needs a CDN fails at ``save()`` with one clear line. Headless Debian Chromium, requests blocked.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import branca.colormap
import folium
import numpy as np
import pytest
from folium.plugins import Draw, Fullscreen, HeatMap, MarkerCluster, MiniMap

import geo.render
from geo.render.elements import OfflineError
from tools.map_browser import CHROMIUM, browser, close_popups, open_map, set_view

pytestmark = pytest.mark.browser

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.fail(f"Debian chromium not installed at {CHROMIUM}: run `bash .ci/install --test`", pytrace=False)

# (lat, lon, popup text, tooltip text): every point inside Balochistan or Sistan and Baluchestan,
# none on an atlas feature, so a click that reached the province would open the province
USER = [
    ((26.6, 64.2), "my marker", "marker tip"),
    ((27.0, 61.6), "my circle", "circle tip"),
    ((28.45, 65.5), "my polygon", "polygon tip"),
    ((29.3, 66.4), "in my group", None),
    ((27.9, 62.9), "my line", "line tip"),
]


SQUARE = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "properties": {"name": "square"},
          "geometry": {"type": "Polygon", "coordinates": [[[65.2, 28.1], [65.8, 28.1], [65.8, 28.7], [65.2, 28.7], [65.2, 28.1]]]}}]}


@pytest.fixture(scope="module")
def user_page(tmp_path_factory) -> Path:
    m = geo.render.story_map()
    (mk, mk_pop, mk_tip), (cm, cm_pop, cm_tip), (pg, pg_pop, pg_tip), (fg_pt, fg_pop, _), (ln, ln_pop, ln_tip) = USER
    folium.Marker(list(mk), popup=mk_pop, tooltip=mk_tip).add_to(m)
    folium.CircleMarker(list(cm), radius=10, fill=True, popup=cm_pop, tooltip=cm_tip).add_to(m)
    folium.PolyLine([[ln[0], ln[1] - 0.5], [ln[0], ln[1] + 0.5]], weight=8, popup=ln_pop, tooltip=ln_tip).add_to(m)
    lat, lon = pg
    square = [[lon - 0.3, lat - 0.3], [lon + 0.3, lat - 0.3], [lon + 0.3, lat + 0.3], [lon - 0.3, lat + 0.3], [lon - 0.3, lat - 0.3]]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": pg_pop, "tip": pg_tip}, "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    folium.GeoJson(gj, name="My polygons", tooltip=folium.GeoJsonTooltip(["tip"]),
                   popup=folium.GeoJsonPopup(["name"])).add_to(m)
    fg = folium.FeatureGroup(name="My group").add_to(m)
    folium.Marker(list(fg_pt), popup=fg_pop).add_to(fg)
    folium.LayerControl().add_to(m)
    path = tmp_path_factory.mktemp("user") / "my_map.html"
    m.save(str(path))
    return path


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


# the atlas's province under a page point (the provinces are drawn on a canvas: ask their polygons)
_PROVINCE_AT = """([x, y]) => { const A = window.atlas, m = A.map, r = m.getContainer().getBoundingClientRect(),
  lp = m.containerPointToLayerPoint([x - r.left, y - r.top]);
  return Object.values(A.features).filter(f => (f.layerName === 'provinces' || f.layerName === 'admin1') && m.hasLayer(f.layer)
    && f.layer.options.interactive !== false && f.layer._containsPoint(lp)).map(f => f.feature.properties.name); }"""


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768), (768, 1024), (390, 844)])
def test_user_layers_open_their_popups_over_the_atlas(chromium, user_page, size) -> None:
    touch = size[0] < 1000
    with open_map(user_page, b=chromium, viewport=size, phone=touch) as page:
        for i, ((lat, lon), pop, _tip) in enumerate(USER):
            # consecutive taps ~220 px apart: at one spot they would be a double tap (a zoom)
            x, y = set_view(page, (lat, lon), 8, offset=(-90, -60) if i % 2 else (90, 60))
            if pop in ("my marker", "in my group"):
                y -= 20  # a marker's pin stands above its point
            # the user's layer lies over a province that would otherwise take this click
            assert page.evaluate(_PROVINCE_AT, [x, y]) in (["Balochistan"], ["Sistan and Baluchestan"]), pop
            if touch:
                page.touchscreen.tap(x, y)
            else:
                page.mouse.click(x, y)
            page.wait_for_selector(".leaflet-popup-content", timeout=3000)
            texts = page.eval_on_selector_all(".leaflet-popup-content", "els => els.map(e => e.innerText)")
            assert len(texts) == 1 and pop in texts[0], (pop, texts)
            close_popups(page)
        # the FeatureGroup and the GeoJson are in folium's layer control, by name
        names = page.eval_on_selector_all(".leaflet-control-layers-overlays label", "els => els.map(e => e.innerText.trim())")
        assert "My group" in names and "My polygons" in names
        assert page.atlas_errors == [] and page.atlas_dialogs == []
        # no request but the page itself: nothing blocked, nothing fetched
        assert page.atlas_blocked == [] and {u.split("#")[0] for u in page.atlas_requests} == {user_page.resolve().as_uri()}


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)])
def test_user_tooltips_open_on_hover(chromium, user_page, size) -> None:
    with open_map(user_page, b=chromium, viewport=size) as page:
        for (lat, lon), _pop, tip in USER:
            if tip is None:
                continue
            x, y = set_view(page, (lat, lon), 8)
            page.mouse.move(x + 120, y + 120)
            page.mouse.move(x, y - (8 if tip == "marker tip" else 0))
            # the atlas's own place labels are tooltips too: wait for the one with the user's text
            page.locator(".leaflet-tooltip", has_text=tip).wait_for(state="visible", timeout=3000)
            page.mouse.move(x + 120, y + 120)  # and it closes when the pointer leaves
            page.locator(".leaflet-tooltip", has_text=tip).wait_for(state="detached", timeout=3000)
        assert page.atlas_errors == [] and page.atlas_blocked == []


def test_cdn_elements_fail_at_save_with_one_line(tmp_path) -> None:
    local = tmp_path / "mine.geojson"
    local.write_text(json.dumps(SQUARE), encoding="utf-8")
    for add in (lambda m: folium.Marker([26.0, 63.0], icon=folium.Icon(color="red")).add_to(m),
                lambda m: MarkerCluster().add_to(m),
                # remote images: tiles, a WMS layer, a marker icon by URL (CSP img-src data: only)
                lambda m: folium.TileLayer("OpenStreetMap").add_to(m),
                lambda m: folium.WmsTileLayer("https://example.org/wms", layers="x").add_to(m),
                lambda m: folium.Marker([26.0, 63.0], icon=folium.CustomIcon("https://example.org/i.png")).add_to(m),
                # folium elements that link d3 or topojson, and plugins
                lambda m: folium.Choropleth(SQUARE, data={"a": 1}, key_on="feature.id").add_to(m),
                lambda m: folium.TopoJson({"type": "Topology", "objects": {"o": {"type": "GeometryCollection", "geometries": []}},
                                           "arcs": []}, "objects.o").add_to(m),
                lambda m: branca.colormap.LinearColormap(["red", "blue"], vmin=0, vmax=1).add_to(m),
                lambda m: HeatMap([[26.0, 63.0]]).add_to(m),
                lambda m: MiniMap().add_to(m),
                lambda m: Fullscreen().add_to(m),
                lambda m: Draw().add_to(m),
                lambda m: folium.raster_layers.ImageOverlay("https://example.org/i.png", bounds=[[26, 63], [27, 64]]).add_to(m),
                lambda m: folium.raster_layers.VideoOverlay("https://example.org/v.mp4", bounds=[[26, 63], [27, 64]]).add_to(m),
                # a GeoJson the page would fetch when shown (embed=False), here a local file
                lambda m: folium.GeoJson(str(local), embed=False).add_to(m),
                # a CDN file needed by an element inside a popup (a Vega-Lite chart)
                lambda m: folium.Marker([26.0, 63.0], popup=folium.Popup(max_width=300).add_child(
                    folium.VegaLite({"mark": "bar", "data": {"values": [{"a": 1}]}}, width=200, height=100))).add_to(m)):
        m = geo.render.story_map()
        add(m)
        out = tmp_path / "cdn.html"
        with pytest.raises(OfflineError) as exc:
            m.save(str(out))
        msg = str(exc.value)
        assert "\n" not in msg and "network" in msg and "csp=False" in msg
        assert re.search(r"loads (?:https?:)?//\S+ when|loads \S*mine\.geojson when", msg), msg  # names what it loads
        assert not out.exists()
    # with the policy off the same page saves (online use)
    m = geo.render.story_map(csp=False)
    folium.Marker([26.0, 63.0], icon=folium.Icon(color="red")).add_to(m)
    m.save(str(tmp_path / "online.html"))
    assert "cdn" in (tmp_path / "online.html").read_text(encoding="utf-8")


def test_iframe_popup_shows_its_html_offline(chromium, tmp_path) -> None:
    """folium.IFrame (an HTML popup in a data: frame) opens with its content; the policy allows
    data: frames only on a page that has one."""
    m = geo.render.story_map()
    folium.Marker([26.6, 64.2], popup=folium.Popup(folium.IFrame("<p>inside my frame</p>", width=200, height=60))).add_to(m)
    path = tmp_path / "iframe.html"
    m.save(str(path))
    html = path.read_text(encoding="utf-8")
    assert "frame-src data:;" in html and "frame-src 'none'" not in html
    with open_map(path, b=chromium, viewport=(1440, 900)) as page:
        x, y = set_view(page, (26.6, 64.2), 8)
        page.mouse.click(x, y - 20)
        page.wait_for_selector(".leaflet-popup-content iframe", timeout=3000)
        frame = page.frame_locator(".leaflet-popup-content iframe")
        assert frame.locator("p").inner_text(timeout=3000) == "inside my frame"
        assert page.atlas_errors == [] and page.atlas_blocked == []
    # a page without an IFrame keeps frames forbidden
    plain = tmp_path / "plain.html"
    geo.render.story_map().save(str(plain))
    assert "frame-src 'none'" in plain.read_text(encoding="utf-8")


def test_more_folium_elements_load_offline(chromium, tmp_path) -> None:
    """The other ordinary folium elements docs/map.md lists as working: on one offline page they
    load with no page error, no CSP violation and no request."""
    m = geo.render.story_map()
    folium.Marker([26.6, 64.2], icon=folium.DivIcon(html="<b>x</b>"), popup=folium.Popup("<b>bold</b>", max_width=200)).add_to(m)
    folium.Marker([26.9, 64.0], icon=folium.CustomIcon(np.zeros((8, 8, 3)), icon_size=(8, 8))).add_to(m)
    folium.Circle([26.6, 63.2], radius=5000, popup="circle").add_to(m)
    folium.Rectangle([[26.0, 62.0], [26.4, 62.5]], popup="rectangle").add_to(m)
    folium.Polygon([[27.0, 63.0], [27.4, 63.4], [27.0, 63.4]], popup="polygon").add_to(m)
    folium.CircleMarker([27.2, 62.2], tooltip=folium.Tooltip("sticky tip", sticky=True)).add_to(m)
    folium.GeoJson(SQUARE, style_function=lambda f: {"color": "#c00"}, highlight_function=lambda f: {"weight": 5}).add_to(m)
    folium.raster_layers.ImageOverlay(np.zeros((4, 4, 3)), bounds=[[26.0, 63.0], [26.5, 63.5]], opacity=0.3).add_to(m)
    folium.ColorLine([[26.0, 63.0], [26.5, 63.5], [26.8, 64.0]], [0.1, 0.9]).add_to(m)
    m.get_root().html.add_child(folium.Element("<script>window.userScript = 1;</script>"))
    path = tmp_path / "more.html"
    m.save(str(path))
    with open_map(path, b=chromium, viewport=(1440, 900)) as page:
        set_view(page, (26.7, 63.5), 7)
        assert page.evaluate("window.userScript") == 1  # the user's own inline script ran (hashed into the policy)
        assert page.atlas_errors == [] and page.atlas_blocked == [] and page.atlas_dialogs == []


def test_a_pin_on_an_atlas_point_takes_clicks_on_its_head(chromium, tmp_path) -> None:
    """A user's marker put exactly on Gwadar (an atlas place, drawn above Leaflet's marker pane):
    the pin's head opens the user's popup; its tip, on the place's own symbol, opens Gwadar."""
    places = json.loads((Path(__file__).resolve().parents[2] / "layers" / "places.geojson").read_text(encoding="utf-8"))
    gwadar = next(f["geometry"]["coordinates"] for f in places["features"] if f["properties"].get("name") == "Gwadar")
    m = geo.render.story_map()
    folium.Marker([gwadar[1], gwadar[0]], popup="my gwadar").add_to(m)
    path = tmp_path / "gwadar.html"
    m.save(str(path))
    with open_map(path, b=chromium, viewport=(1440, 900)) as page:
        for dy, expected, offset in ((20, "my gwadar", (90, 60)), (1, "Gwadar", (-90, -60))):
            x, y = set_view(page, (gwadar[1], gwadar[0]), 9, offset=offset)
            page.mouse.click(x, y - dy)
            page.wait_for_selector(".leaflet-popup-content", timeout=3000)
            texts = page.eval_on_selector_all(".leaflet-popup-content", "els => els.map(e => e.innerText)")
            assert len(texts) == 1 and expected in texts[0] and (expected == "Gwadar") == ("my gwadar" not in texts[0]), texts
            close_popups(page)
        assert page.atlas_errors == []


def test_the_harness_never_serialises_a_leaflet_object(chromium, user_page) -> None:
    """tools/map_browser: page.evaluate of a Leaflet call (which returns the map) comes back at once
    as a placeholder, not as the whole map (20 MB, tens of seconds: the 'hang' of issue 18 item 4);
    plain values, functions with an argument and scripts of statements behave as in Playwright."""
    with open_map(user_page, b=chromium, viewport=(1440, 900)) as page:
        assert page.evaluate("window.atlas.map.setView([27.0, 63.0], 7, {animate: false})") == "<Leaflet object, not serialised>"
        assert page.evaluate("z => window.atlas.map.setZoom(z, {animate: false})", 8) == "<Leaflet object, not serialised>"
        assert page.evaluate("window.atlas.map.getZoom()") == 8
        assert page.evaluate("ll => [ll[0] * 2, 'x']", [1.5, 0]) == [3.0, "x"]
        assert page.evaluate("window.__runs = (window.__runs || 0) + 1; window.__runs") == 1  # statements: run once
        assert page.evaluate("window.__runs") == 1
        with pytest.raises(Exception, match="SyntaxError"):
            page.evaluate("window.atlas.map.getZoom(")
        assert page.atlas_errors == []
