"""The story map in a real browser: headless Debian Chromium, every network request blocked.

Each test opens maps built from the synthetic story in geo/render/sample.py (with hostile seed
strings) or from the real layers, via file://, and checks what the page actually drew.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.render import render_map
from geo.render.__main__ import assembled_inputs
from geo.render.browser import CHROMIUM, browser, open_map
from geo.render.sample import EVIL, sample_inputs

pytestmark = pytest.mark.browser

# Chromium and Playwright are test requirements (`bash .ci/install --test` installs both): a missing
# browser is a failure, never a silent skip.
if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.fail(f"Debian chromium not installed at {CHROMIUM}: run `bash .ci/install --test`", pytrace=False)


def _write(tmp: Path, name: str, inputs: dict) -> tuple[Path, dict]:
    inputs = dict(inputs)
    layers = inputs.pop("layers")
    path = tmp / name
    path.write_text(render_map(layers, **inputs), encoding="utf-8")
    return path, layers


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict]:
    return _write(tmp_path_factory.mktemp("map"), "hostile.html", sample_inputs(hostile=True))


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Path, dict]:
    return _write(tmp_path_factory.mktemp("map"), "frontier.html", assembled_inputs())


def _assert_clean(page) -> None:
    assert page.atlas_errors == []
    assert page.atlas_blocked == []
    assert page.atlas_dialogs == []


def _expected_counts(layers: dict) -> dict[str, int]:
    return {name: len(fc["features"]) for name, fc in layers.items() if fc.get("features")}


@pytest.mark.parametrize("which", ["hostile", "real"])
def test_offline_every_layer_drawn_legend_present(request, chromium, which) -> None:
    path, layers = request.getfixturevalue(which)
    with open_map(path, b=chromium) as page:
        default = page.evaluate("window.atlas.counts()")
        if "border" in layers:  # the Natural Earth variant is off by default
            ne = sum(
                1
                for f in layers["border"]["features"]
                if f["properties"].get("variant") == "natural_earth_10m"
            )
            assert default["border"] == len(layers["border"]["features"]) - ne
        page.evaluate("window.atlas.showAllOverlays()")
        assert page.evaluate("window.atlas.counts()") == _expected_counts(layers)
        legend = page.locator("#atlas-legend")
        assert legend.is_visible()
        for name in _expected_counts(layers):
            if name == "context":
                continue
            assert legend.locator(".lg-row").count() >= 1, name
        assert page.locator(".leaflet-control-scale").count() == 1
        assert (
            page.locator(".leaflet-control-zoom-fullscreen, .fullscreen-icon, [class*=fullscreen]").count()
            >= 1
        )
        _assert_clean(page)


def test_real_article_link_opens_its_feature(chromium, real) -> None:
    path, layers = real
    events = [
        f["id"]
        for f in (layers.get("events") or {}).get("features", [])
        if f["properties"].get("article_quote")
    ]
    assert events, "the real map has no event linked to the article"
    with open_map(path, b=chromium) as page:
        fid = events[0]
        page.locator(f'a.passage[data-refs~="{fid}"]').first.click()
        page.wait_for_function(
            "id => window.atlas.selected === id || window.atlas.lastOpened === id", arg=fid
        )
        page.wait_for_selector(".leaflet-popup-content .popup[data-feature-id]", timeout=5000)
        _assert_clean(page)


def test_article_link_flies_map_and_opens_popup(chromium, hostile) -> None:
    path, _ = hostile
    with open_map(path, b=chromium) as page:
        before = page.evaluate(
            "[window.atlas.map.getCenter().lat, window.atlas.map.getCenter().lng, window.atlas.map.getZoom()]"
        )
        page.locator('a.passage[data-ref="ev-2024-01-16-iran-strike"]').first.click()
        page.wait_for_selector(
            '.leaflet-popup-content .popup[data-feature-id="ev-2024-01-16-iran-strike"]', timeout=5000
        )
        after = page.evaluate(
            "[window.atlas.map.getCenter().lat, window.atlas.map.getCenter().lng, window.atlas.map.getZoom()]"
        )
        assert after != before
        assert page.evaluate("window.atlas.map.getBounds().contains([26.964, 64.094])")
        assert after[2] >= 8  # zoomed in on it
        assert page.evaluate("location.hash") == "#feature=ev-2024-01-16-iran-strike"
        # and the other way: clicking a feature highlights its passage
        page.evaluate("window.atlas.features['pl-gwadar'].layer.fire('click')")
        assert page.locator('a.passage.hl[data-ref="pl-gwadar"]').count() == 1
        _assert_clean(page)


def test_claim_link_opens_claims_panel_and_feature(chromium, hostile) -> None:
    path, _ = hostile
    with open_map(path, b=chromium) as page:
        page.locator('a.passage[data-ref="cl-iran-completed"]').first.click()
        page.wait_for_selector(
            '.leaflet-popup-content .popup[data-feature-id="pipe-iranshahr-border"]', timeout=5000
        )
        card = page.locator("#claim-cl-iran-completed")
        assert card.is_visible()
        assert "unsupported" in card.locator(".verdict").inner_text().lower()
        _assert_clean(page)


def test_time_control_hides_events_outside_range(chromium, hostile) -> None:
    path, layers = hostile
    n = len(layers["events"]["features"])
    with open_map(path, b=chromium) as page:
        sel = '.leaflet-pane [data-layer="events"]'
        assert page.evaluate("window.atlas.counts().events") == n
        # slide "from" to 2024-01-17: the 2023 clash and the 16 January strike must go
        lo = page.evaluate("window.atlas.time.bounds()[0]")
        assert lo == "2023-06-01"
        page.evaluate("""() => {
            const el = document.querySelector('#atlas-time input.time-from');
            const day = (Date.UTC(2024, 0, 17) - Date.UTC(2023, 5, 1)) / 86400000;
            el.value = String(day); el.dispatchEvent(new Event('input', {bubbles: true}));
        }""")
        ids = set(page.eval_on_selector_all(sel, "els => els.map(e => e.dataset.featureId)"))
        assert ids == {"ev-2024-01-18-pakistan-strike", "ev-2024-04-raisi-visit"}
        assert "2 of 4 events shown" in page.locator("#atlas-time").inner_text()
        # "to" before April 2024 hides the month-precision visit too
        page.evaluate("""() => {
            const el = document.querySelector('#atlas-time input.time-to');
            const day = (Date.UTC(2024, 2, 31) - Date.UTC(2023, 5, 1)) / 86400000;
            el.value = String(day); el.dispatchEvent(new Event('input', {bubbles: true}));
        }""")
        ids = set(page.eval_on_selector_all(sel, "els => els.map(e => e.dataset.featureId)"))
        assert ids == {"ev-2024-01-18-pakistan-strike"}
        page.locator("#atlas-time .time-reset").click()
        assert page.evaluate("window.atlas.counts().events") == n
        _assert_clean(page)


def test_injected_script_in_seed_values_does_not_run(chromium, hostile) -> None:
    path, layers = hostile
    with open_map(path, b=chromium) as page:
        page.evaluate("window.atlas.showAllOverlays()")
        # open every popup and tooltip once, so every seed string is put on the page
        for fid in [f["id"] for fc in layers.values() for f in fc["features"]]:
            page.evaluate(
                "id => { const l = window.atlas.features[id].layer; l.openPopup(); l.openTooltip && l.openTooltip(); }",
                fid,
            )
        page.locator(".tab[data-tab=claims]").click()
        page.locator(".tab[data-tab=about]").click()
        page.wait_for_timeout(200)
        assert page.atlas_dialogs == []
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("#atlas-title").inner_text().endswith(EVIL.strip())
        assert EVIL in page.locator("#para-5").inner_text()
        assert page.locator('a[href^="javascript:"]').count() == 0
        _assert_clean(page)


def test_deep_link_selects_feature_and_survives_reload(chromium, hostile) -> None:
    path, _ = hostile
    with open_map(path, b=chromium, hash_="#feature=mkt-gabd-rimdan") as page:
        popup = '.leaflet-popup-content .popup[data-feature-id="mkt-gabd-rimdan"]'
        page.wait_for_selector(popup, timeout=5000)
        page.reload()
        page.wait_for_function("window.atlas && window.atlas.ready === true")
        page.wait_for_selector(popup, timeout=5000)
        assert page.evaluate("window.atlas.selected") == "mkt-gabd-rimdan"
        _assert_clean(page)


def test_search_and_geodesic_measure(chromium, hostile) -> None:
    path, _ = hostile
    import geographiclib.geodesic as geographiclib
    with open_map(path, b=chromium) as page:
        page.locator("#atlas-search-input").fill("taftan")
        page.locator(".search-results li[data-id]").first.click()
        page.wait_for_selector(
            '.leaflet-popup-content .popup[data-feature-id="xing-taftan-mirjaveh"]', timeout=5000
        )
        page.locator(".measure-btn").click()
        page.wait_for_selector(".leaflet-popup", state="detached")  # the ruler closes popups
        page.mouse.click(700, 400)  # clicks on features measure too, they do not open popups
        page.mouse.click(800, 450)
        assert page.evaluate("window.atlas.measure.pts.length") == 2
        assert page.locator(".leaflet-popup").count() == 0
        page.locator(".measure-clear").click()
        page.evaluate("window.atlas.measure.addPoint(29.8, 61.6)")
        d = page.evaluate("window.atlas.measure.addPoint(25.2, 61.61)")
        ref = geographiclib.Geodesic.WGS84.Inverse(29.8, 61.6, 25.2, 61.61)["s12"]
        assert abs(d - ref) < 0.01
        assert "km" in page.locator(".measure-out").inner_text()
        _assert_clean(page)


def test_phone_layout_panel_collapses(chromium, hostile) -> None:
    path, _ = hostile
    with open_map(path, b=chromium, viewport=(390, 844)) as page:
        assert page.evaluate("document.body.classList.contains('panel-closed')")
        page.locator("#atlas-toggle").click()
        assert page.locator("#atlas-panel").is_visible()
        box = page.locator("#atlas-panel").bounding_box()
        assert box["width"] <= 390 and box["y"] > 300
        page.locator('a.passage[data-ref="pl-gwadar"]').first.click()
        page.wait_for_selector('.leaflet-popup-content .popup[data-feature-id="pl-gwadar"]', timeout=5000)
        _assert_clean(page)
