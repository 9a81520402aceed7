"""The story map in a real browser: headless Debian Chromium, every network request blocked.

Each test opens maps built from the synthetic story in geo/render/sample.py (with hostile seed
strings) or from the real layers, via file://, and checks what the page actually drew.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from map_sample import EVIL, sample_inputs

from geo.render import render_map
from tools.map_browser import CHROMIUM, browser, open_map
from tools.render_map import assembled_inputs

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
        legend.locator("summary").click()  # folded by default: one click away
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


def _slide(page, cls: str, iso: str) -> None:
    """Move a date slider as far as ``iso``: the sliders step over the event dates (data-stops),
    "from" to the first of them on or after ``iso``, "to" to the last on or before it."""
    page.evaluate(
        """([cls, iso]) => {
            const el = document.querySelector('#atlas-time input.' + cls);
            const stops = el.dataset.stops.split(' ');
            const i = cls === 'time-from' ? stops.findIndex(s => s >= iso)
                                          : stops.map(s => s <= iso).lastIndexOf(true);
            el.value = String(i); el.dispatchEvent(new Event('input', {bubbles: true}));
        }""",
        [cls, iso],
    )


def test_time_control_hides_events_outside_range(chromium, hostile) -> None:
    path, layers = hostile
    n = len(layers["events"]["features"])
    with open_map(path, b=chromium) as page:
        assert page.evaluate("window.atlas.counts().events") == n
        # slide "from" to 2024-01-17: the 2023 clash and the 16 January strike must go
        lo = page.evaluate("window.atlas.time.bounds()[0]")
        assert lo == "2023-06-01"
        page.evaluate("document.getElementById('atlas-time').open = true")  # folded by default
        _slide(page, "time-from", "2024-01-17")
        ids = set(page.evaluate("window.atlas.drawnIds('events')"))
        assert ids == {"ev-2024-01-18-pakistan-strike", "ev-2024-04-raisi-visit"}
        assert "2 of 4 events shown" in page.locator("#atlas-time").inner_text()
        # "to" before April 2024 hides the month-precision visit too
        _slide(page, "time-to", "2024-03-31")
        ids = set(page.evaluate("window.atlas.drawnIds('events')"))
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


# --------------------------------------------------------------------------- QA defects (real map)
#: where to click a passage: inside its first line box (a passage wrapping onto a second line has a
#: bounding box whose centre may lie on the neighbouring passage)
_FIRST_LINE = """el => { const r = el.getClientRects()[0], b = el.getBoundingClientRect();
    return {x: r.left - b.left + Math.min(8, r.width / 2), y: r.top - b.top + r.height / 2}; }"""


def _click_passage(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    locator.click(position=locator.evaluate(_FIRST_LINE))


def _rect(page, selector: str):
    return page.evaluate(
        "s => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect();"
        " return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; }",
        selector,
    )


def _overlap(a, b) -> bool:
    return bool(a and b) and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _quoted_ids(layers: dict, claims: dict) -> set[str]:
    ids = {
        str(f["id"])
        for fc in layers.values()
        for f in fc.get("features") or []
        if (f.get("properties") or {}).get("article_quote")
    }
    return ids | {c["id"] for c in claims["claims"] if c.get("article_quote")}


@pytest.fixture(scope="module")
def real_claims() -> dict:
    return assembled_inputs()["claims"]


def test_claim_without_features_closes_popup_shows_card(chromium, real, real_claims) -> None:
    path, _ = real
    empty = [c["id"] for c in real_claims["claims"] if not c.get("feature_ids") and c.get("article_quote")]
    assert empty, "the real claims have no claim without features any more"
    with open_map(path, b=chromium) as page:
        for cid in empty:
            page.evaluate("window.atlas.select('ev-2024-01-16-iran-strike-panjgur', {fly: true})")
            page.wait_for_selector(
                '.leaflet-popup-content .popup[data-feature-id="ev-2024-01-16-iran-strike-panjgur"]',
                timeout=5000,
            )
            page.locator(".tab[data-tab=article]").click()
            _click_passage(page, page.locator(f'a.passage[data-refs~="{cid}"]').first)
            page.wait_for_timeout(1800)  # longer than any pending flight
            assert page.locator(".leaflet-popup").count() == 0, cid
            assert page.evaluate("location.hash") == f"#claim={cid}"
            card = page.locator(f"#claim-{cid}")
            assert card.is_visible() and "hl" in (card.get_attribute("class") or "")
            assert page.locator(f'a.passage.hl[data-refs~="{cid}"]').count() >= 1
            assert page.locator("a.passage.hl[data-refs~='ev-2024-01-16-iran-strike-panjgur']").count() == 0
        # and from a deep link
        page.evaluate("window.atlas.select('ev-2024-01-16-iran-strike-panjgur', {fly: true})")
        page.wait_for_selector(
            '.leaflet-popup-content .popup[data-feature-id="ev-2024-01-16-iran-strike-panjgur"]', timeout=5000
        )
        page.evaluate("id => { location.hash = '#claim=' + id; }", empty[0])
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')", timeout=3000)
        assert page.locator(f"#claim-{empty[0]}").is_visible()
        _assert_clean(page)


def test_every_quoted_feature_and_claim_reachable_from_article(chromium, real, real_claims) -> None:
    path, layers = real
    want = _quoted_ids(layers, real_claims)
    reached: set[str] = set()
    with open_map(path, b=chromium) as page:
        links = page.locator("a.passage")
        for i in range(links.count()):
            a = links.nth(i)
            text = a.inner_text()
            assert re.search(r"\w\w", text), f"a link shorter than a word: {text!r}"
            refs = a.get_attribute("data-refs").split()
            page.locator(".tab[data-tab=article]").click()
            _click_passage(page, a)
            if len(refs) == 1:
                assert page.locator("#passage-chooser").count() == 0
                reached.add(refs[0])
                continue
            items = page.locator("#passage-chooser .chooser-item")
            assert items.count() == len(refs)
            for j in range(items.count()):
                reached.add(items.nth(j).get_attribute("data-id"))
        assert reached == want
        # a target reached only through the chooser really opens: the Lahore leg of the visit
        page.locator(".tab[data-tab=article]").click()
        _click_passage(page, page.locator('a.passage[data-refs~="ev-2024-04-23-lahore-leg"]').first)
        page.locator('#passage-chooser .chooser-item[data-id="ev-2024-04-23-lahore-leg"]').click()
        page.wait_for_selector(
            '.leaflet-popup-content .popup[data-feature-id="ev-2024-04-23-lahore-leg"]', timeout=5000
        )
        assert page.evaluate("location.hash") == "#feature=ev-2024-04-23-lahore-leg"
        _assert_clean(page)


def test_time_control_steps_over_event_dates_and_presets(chromium, real) -> None:
    path, layers = real
    events = layers["events"]["features"]
    with open_map(path, b=chromium) as page:
        stops = page.evaluate("window.atlas.time.stops()")
        n_steps = int(page.locator("#atlas-time input.time-from").get_attribute("max"))
        assert n_steps == len(stops) - 1 <= 2 * len(events)
        # from the start, the keyboard reaches the January 2024 strikes in a few steps
        first_jan = stops.index(min(s for s in stops if s >= "2024-01-01"))
        if not page.evaluate("document.getElementById('atlas-time').open"):
            page.locator("#atlas-time summary").click()
        page.locator("#atlas-time input.time-from").focus()
        for _ in range(first_jan):
            page.keyboard.press("ArrowRight")
        assert page.evaluate("window.atlas.time.range()[0]") == stops[first_jan] <= "2024-01-16"
        page.locator("#atlas-time .time-preset", has_text="Jan 2024").click()
        jan = {f["id"] for f in events if str(f["properties"].get("event_date", "")).startswith("2024-01")}
        assert set(page.evaluate("window.atlas.drawnIds('events')")) == jan  # drawn as SVG or on canvas
        assert page.evaluate("window.atlas.time.range()") == ["2024-01-01", "2024-01-31"]
        page.locator("#atlas-time .time-preset", has_text="All").click()
        assert page.evaluate("window.atlas.counts().events") == len(events)
        _assert_clean(page)


def test_phone_popup_clear_of_controls_and_passage_in_view(chromium, real) -> None:
    path, _ = real
    with open_map(path, b=chromium, viewport=(400, 800)) as page:
        page.locator("#atlas-toggle").click()
        page.wait_for_timeout(300)
        for fid in ("ev-2024-01-29-fm-visit-islamabad", "ev-2024-04-22-arrival-islamabad"):
            a = page.locator(f'a.passage[data-ref="{fid}"]').first
            _click_passage(page, a)
            page.wait_for_selector(f'.leaflet-popup-content .popup[data-feature-id="{fid}"]', timeout=5000)
            page.wait_for_timeout(2000)  # the map has flown and panned, the popup has settled
            popup = _rect(page, ".leaflet-popup-content-wrapper")
            close = _rect(page, ".leaflet-popup-close-button")
            map_r = _rect(page, ".folium-map")
            assert popup and close and map_r
            assert map_r[1] <= popup[1] and popup[3] <= map_r[3], (popup, map_r)  # inside the map
            controls = page.evaluate(
                """() => [...document.querySelectorAll('.leaflet-control, #atlas-toggle')].map(e => {
                    const r = e.getBoundingClientRect();
                    return r.width && r.height ? [e.className || e.id, [r.left, r.top, r.right, r.bottom]] : null;
                }).filter(Boolean)"""
            )
            for name, r in controls:
                assert not _overlap(popup, r), (name, r, popup)
            body = _rect(page, "#tab-article")
            ar = a.evaluate(
                "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
            )
            assert body[1] <= ar[1] and ar[3] <= body[3], (ar, body)  # the clicked passage is in view
            page.locator(".leaflet-popup-close-button").click()
        _assert_clean(page)


def test_search_matches_claim_text_and_feature_values(chromium, real) -> None:
    path, _ = real
    with open_map(path, b=chromium) as page:
        page.locator("#atlas-search-input").fill("959")
        ids = page.eval_on_selector_all(".search-results li[data-id]", "els => els.map(e => e.dataset.id)")
        assert {"cl-border-959-km", "border-osm"} <= set(ids)
        assert "959" in page.locator('.search-results li[data-id="border-osm"] .hit-context').inner_text()
        # a claim's article quote and what the sources say are searched too
        page.locator("#atlas-search-input").fill("porous")
        ids = page.eval_on_selector_all(".search-results li[data-id]", "els => els.map(e => e.dataset.id)")
        assert "cl-border-959-km" in ids
        page.locator("#atlas-search-input").fill("Factbook")
        ids = page.eval_on_selector_all(".search-results li[data-id]", "els => els.map(e => e.dataset.id)")
        assert "cl-border-959-km" in ids
        _assert_clean(page)


def test_claim_quotes_not_double_quoted(chromium, real, real_claims) -> None:
    path, _ = real
    with open_map(path, b=chromium) as page:
        page.locator(".tab[data-tab=claims]").click()
        shown = page.eval_on_selector_all(
            "#tab-claims blockquote.quote > span", "els => els.map(e => e.textContent)"
        )
        assert shown
        for t in shown:
            assert not re.search(r"[“”\"]{2}|^[“\"]\s*[“\"]", t), t
            assert t.startswith("“") and (t.count("“") == t.count("”")), t
        q = next(c for c in real_claims["claims"] if c["id"] == "cl-sharif-quote")["article_quote"]
        card = page.locator("#claim-cl-sharif-quote blockquote.quote > span").inner_text()
        assert card == q  # already a quotation: shown as it is
        assert page.evaluate("window.atlas.quoted('a “b” c')") == "“a ‘b’ c”"
        _assert_clean(page)


def test_phone_tap_leaves_no_tooltip_and_header_buttons_apart(chromium, real) -> None:
    """At 390x844 with touch: a tap on Balochistan puts its details in the sheet and leaves no tooltip
    on the map (one stayed under the search box); "Hide article" and the step bar do not overlap."""
    path, _ = real
    with open_map(path, b=chromium, viewport=(390, 844), phone=True) as page:
        for sel in ("#atlas-toggle", "#atlas-steps .step-btn", "#atlas-copy"):
            for other in page.eval_on_selector_all(sel, "els => els.map(e => { const r = e.getBoundingClientRect();"
                                                        " return [r.left, r.top, r.right, r.bottom]; })"):
                if sel != "#atlas-toggle":
                    assert not _overlap(_rect(page, "#atlas-toggle"), other), (sel, other)
        at = page.evaluate("ll => { const m = window.atlas.map, p = m.latLngToContainerPoint(ll),"
                           " r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
                           [28.2, 65.3])
        page.touchscreen.tap(at[0], at[1])
        page.wait_for_selector('#atlas-details .popup[data-feature-id]', timeout=10000)
        page.wait_for_timeout(300)
        assert "Balochistan" in page.locator("#atlas-details h3").inner_text()
        assert page.eval_on_selector_all(".leaflet-tooltip.atlas-tip", "els => els.length") == 0
        _assert_clean(page)
