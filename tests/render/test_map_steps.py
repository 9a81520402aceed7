"""Reading the story map step by step (issue 18): previous/next, keys, swipe, play, framing,
the inline claim verdicts, history, copy-link, the locator inset, the phone's first view, the
legend sheet and the About & data links. Headless Debian Chromium, every request blocked, on the
real article at the four screen sizes the atlas supports.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from geo.render import render_map
from tools.map_browser import CHROMIUM, browser, open_map, wait_ready
from tools.render_map import assembled_inputs

pytestmark = pytest.mark.browser

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.fail(f"Debian chromium not installed at {CHROMIUM}: run `bash .ci/install --test`", pytrace=False)

SIZES = {"desktop": ((1440, 900), False), "laptop": ((1024, 768), False), "tablet": ((768, 1024), True),
         "phone": ((390, 844), True)}

# features of step i (0-based) whose bounds leave the map's box
_OUTSIDE = """(i) => { const A = window.atlas, m = A.map, s = m.getSize();
 return A.stepFeatures(i).filter(id => { const l = A.features[id].layer;
  const b = l.getBounds ? l.getBounds() : L.latLngBounds(l.getLatLng(), l.getLatLng());
  const p1 = m.latLngToContainerPoint(b.getNorthWest()), p2 = m.latLngToContainerPoint(b.getSouthEast());
  return p1.x < -1 || p1.y < -1 || p2.x > s.x + 1 || p2.y > s.y + 1; }); }"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    inputs = assembled_inputs()
    layers = inputs.pop("layers")
    path = tmp_path_factory.mktemp("map") / "frontier.html"
    path.write_text(render_map(layers, **inputs), encoding="utf-8")
    return path


def _clean(page) -> None:
    assert page.atlas_errors == []
    assert page.atlas_blocked == []


def _settle(page) -> None:
    wait_ready(page, expr="window.atlas.stepSettled === true")


def _progress(page) -> str:
    return page.locator("#step-progress").inner_text()


def _check_step(page, i: int, n: int) -> None:
    assert _progress(page) == f"¶ {i + 1} / {n}"
    assert page.evaluate(_OUTSIDE, i) == [], f"step {i + 1}: features outside the map"
    want = page.evaluate("i => window.atlas.stepFeatures(i)", i)
    got = page.evaluate("window.atlas.highlighted")
    assert sorted(want) == sorted(got if isinstance(got, list) else [got] if got else [])
    # no popup covers what the step frames; the passage is the current one and shown
    assert page.locator(".leaflet-popup").count() == 0
    cur = page.locator("a.passage.step-current")
    assert cur.count() == 1 and cur.get_attribute("aria-current") == "step"
    body = page.locator("#tab-article").bounding_box()
    box = cur.bounding_box()
    assert body and box and box["y"] < body["y"] + body["height"] and box["y"] + box["height"] > body["y"]
    # a claim the passage names shows its verdict and its one line under the passage
    refs = (cur.get_attribute("data-refs") or "").split()
    claims = page.evaluate("refs => refs.filter(r => window.atlas.claimsById[r] && !window.atlas.features[r])", refs)
    card = page.locator("#step-card")
    for cid in claims:
        row = card.locator(f'.step-claim[data-claim="{cid}"]')
        assert row.locator(".verdict").count() == 1
        text = page.evaluate("id => window.atlas.claimsById[id].claim", cid)
        assert text in row.locator(".step-line").inner_text()


def test_phone_steps_through_every_passage_with_next(chromium, real) -> None:
    with open_map(real, b=chromium, viewport=(390, 844), phone=True) as page:
        n = page.evaluate("document.querySelectorAll('#tab-article a.passage').length")
        assert n >= 2
        assert page.get_by_role("button", name=re.compile("Previous")).is_disabled()
        nxt = page.get_by_role("button", name=re.compile("Next"))
        for i in range(n):
            nxt.click()
            _settle(page)
            _check_step(page, i, n)
        assert nxt.is_disabled()
        _clean(page)


@pytest.mark.parametrize("size", ["desktop", "laptop", "tablet"])
def test_steps_frame_every_feature(chromium, real, size) -> None:
    vp, touch = SIZES[size]
    with open_map(real, b=chromium, viewport=vp, phone=touch) as page:
        n = page.evaluate("document.querySelectorAll('#tab-article a.passage').length")
        # the first, the passages naming the most features, and the last
        counts = page.evaluate("n => Array.from({length: n}, (_, i) => window.atlas.stepFeatures(i).length)", n)
        picks = sorted({0, n - 1, *sorted(range(n), key=lambda i: -counts[i])[:3]})
        for i in picks:
            page.evaluate("i => window.atlas.goStep(i)", i)
            _settle(page)
            _check_step(page, i, n)
        _clean(page)


def test_keys_swipe_play_history_and_reload(chromium, real) -> None:
    with open_map(real, b=chromium, viewport=(390, 844), phone=True) as page:
        n = page.evaluate("document.querySelectorAll('#tab-article a.passage').length")
        page.locator("#atlas-title").click()  # focus outside the map, as a reader's tap does
        page.keyboard.press("ArrowRight")
        _settle(page)
        assert _progress(page) == f"¶ 1 / {n}"
        page.keyboard.press("ArrowRight")
        _settle(page)
        page.keyboard.press("ArrowRight")
        _settle(page)
        page.keyboard.press("ArrowLeft")
        _settle(page)
        assert _progress(page) == f"¶ 2 / {n}"
        # a horizontal swipe in the sheet: left is next, right is previous; a vertical one is not a step
        swipe = """([dx, dy]) => { const p = document.getElementById('atlas-panel'), r = p.getBoundingClientRect();
          const x = r.left + r.width / 2, y = r.top + r.height / 2;
          const t = (cx, cy) => new Touch({identifier: 1, target: p, clientX: cx, clientY: cy});
          p.dispatchEvent(new TouchEvent('touchstart', {touches: [t(x, y)], changedTouches: [t(x, y)], bubbles: true}));
          p.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [t(x + dx, y + dy)], bubbles: true})); }"""
        page.evaluate(swipe, [-120, 10])
        _settle(page)
        assert _progress(page) == f"¶ 3 / {n}"
        page.evaluate(swipe, [10, -120])
        assert _progress(page) == f"¶ 3 / {n}"
        page.evaluate(swipe, [120, 0])
        _settle(page)
        assert _progress(page) == f"¶ 2 / {n}"
        # Back and Forward step through the passages visited; a reload keeps the step
        assert page.evaluate("location.hash") == "#passage=2"
        page.go_back()
        wait_ready(page, expr="location.hash === '#passage=3' && window.atlas.stepIndex === 2")
        page.go_back()
        wait_ready(page, expr="location.hash === '#passage=2' && window.atlas.stepIndex === 1")
        page.go_forward()
        wait_ready(page, expr="location.hash === '#passage=3' && window.atlas.stepIndex === 2")
        # a feature picked on the map is a history entry too, and Back returns to the passage
        place = page.evaluate("window.atlas.records.filter(r => r.layerName === 'places')[0].id")
        page.evaluate("id => window.atlas.select(id, {fly: false, from: 'map'})", place)
        assert page.evaluate("location.hash") == "#feature=" + place
        page.go_back()
        wait_ready(page, expr="location.hash === '#passage=3' && window.atlas.stepIndex === 2")
        page.reload()
        wait_ready(page)
        _settle(page)
        assert _progress(page) == f"¶ 3 / {n}"
        assert page.locator("#step-card").count() == 1
        # play steps on a timer until stopped
        play = page.locator("#step-play")
        assert play.get_attribute("aria-pressed") == "false"
        page.evaluate("window.atlas.stopPlay()")
        play.click()
        assert play.get_attribute("aria-pressed") == "true"
        wait_ready(page, expr="window.atlas.stepIndex === 4", timeout_s=15)
        play.click()
        assert play.get_attribute("aria-pressed") == "false"
        at = page.evaluate("window.atlas.stepIndex")
        page.wait_for_timeout(4500)
        assert page.evaluate("window.atlas.stepIndex") == at
        _clean(page)


def test_copy_link_gives_the_address_of_the_view(chromium, real) -> None:
    with open_map(real, b=chromium, viewport=(1440, 900)) as page:
        page.get_by_role("button", name=re.compile("Next")).click()
        _settle(page)
        page.get_by_role("button", name=re.compile("Copy link")).click()
        wait_ready(page, expr="document.getElementById('atlas-copy-status').textContent !== ''")
        assert page.evaluate("window.atlas.copiedLink") == page.evaluate("location.href")
        assert page.evaluate("location.href").endswith("#passage=1")
        _clean(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_first_view_locator_and_about_links(chromium, real, size) -> None:
    vp, touch = SIZES[size]
    with open_map(real, b=chromium, viewport=vp, phone=touch) as page:
        span = page.evaluate("""() => { const A = window.atlas, m = A.map, s = m.getSize();
          const pt = b => [m.latLngToContainerPoint(b.getNorthWest()), m.latLngToContainerPoint(b.getSouthEast())];
          const [p1, p2] = pt(A.groups.provinces.getBounds()), [b1, b2] = pt(A.groups.border.getBounds());
          return {w: s.x, h: s.y, prov: p2.x - p1.x, border: [b1.x, b1.y, b2.x, b2.y]}; }""")
        x0, y0, x1, y1 = span["border"]
        assert x0 >= 0 and y0 >= 0 and x1 <= span["w"] and y1 <= span["h"], span
        if size == "phone":
            assert span["prov"] >= 0.8 * span["w"], span
        # the locator inset: the region drawn, the view boxed, inside the page
        wait_ready(page, expr="document.querySelectorAll('.atlas-locator path').length > 0")  # drawn when idle
        loc = page.locator(".atlas-locator")
        assert loc.is_visible()
        assert loc.locator("path.loc-focus").count() == 2 and loc.locator("rect.loc-view").count() == 1
        box = loc.bounding_box()
        assert box and box["x"] >= 0 and box["y"] + box["height"] <= vp[1]
        # About & data: relative links to the layers, the still maps and the citation
        if touch:
            page.locator("#atlas-toggle").click()
        page.locator(".tab[data-tab=about]").click()
        hrefs = page.eval_on_selector_all(".data-links a", "els => els.map(e => e.getAttribute('href'))")
        for want in ("../layers/frontier.gpkg", "../layers/border.geojson", "frontier.pdf", "frontier-social.png",
                     "../CITATION.cff", "../layers/datapackage.json"):
            assert want in hrefs
        assert all("://" not in h for h in hrefs)
        _clean(page)


def test_phone_legend_sheet_leaves_the_frontier_visible(chromium, real) -> None:
    with open_map(real, b=chromium, viewport=(390, 844), phone=True) as page:
        page.locator("#atlas-legend summary").click()
        page.wait_for_timeout(200)
        leg = page.locator("#atlas-legend").bounding_box()
        assert leg and leg["height"] <= 0.31 * 844 + 1
        border = page.evaluate("""() => { const m = window.atlas.map, b = window.atlas.groups.border.getBounds();
          const r = m.getContainer().getBoundingClientRect();
          return [m.latLngToContainerPoint(b.getNorthWest()).y + r.top, m.latLngToContainerPoint(b.getSouthEast()).y + r.top, r.top]; }""")
        assert border[0] >= border[2] and border[1] <= leg["y"], (border, leg)
        _clean(page)


def test_claims_named_by_their_words_and_search_word_by_word(chromium, real) -> None:
    with open_map(real, b=chromium, viewport=(1440, 900)) as page:
        claims = page.evaluate("window.atlas.data.claims.map(c => [c.id, c.claim])")
        cid, text = claims[0]
        hits = page.evaluate("q => window.atlas.search(q)", " ".join(text.split()[:4]))
        assert any(h["id"] == cid and h["label"] == text for h in hits)
        multi = page.locator("a.passage.passage-multi").first
        multi.click()
        labels = page.eval_on_selector_all("#passage-chooser .chooser-item.passage-claim .chooser-label",
                                           "els => els.map(e => e.textContent)")
        by_id = dict(claims)
        refs = (multi.get_attribute("data-refs") or "").split()
        assert labels == [by_id[r] for r in refs if r in by_id and not page.evaluate("r => !!window.atlas.features[r]", r)]
        # word by word across names, aliases and the article's text, dashes and case ignored
        for q, want in (("gwadar port", "Gwadar"), ("south pars", "South Pars"), ("mand pishin", "Mand")):
            res = page.evaluate("q => window.atlas.search(q)", q)
            assert res, q
            assert any(want in r["label"] for r in res[:3]), (q, res[:3])
        _clean(page)


def test_two_articles_chooser_steps_search_and_mentions(chromium, tmp_path) -> None:
    from map_sample import TEST_ARTICLE, TEST_ARTICLE_ID, TEST_QUOTE, two_article_inputs

    inp = two_article_inputs(assembled_inputs())
    layers = inp.pop("layers")
    path = tmp_path / "two.html"
    path.write_text(render_map(layers, **inp), encoding="utf-8")
    with open_map(path, b=chromium, viewport=(390, 844), phone=True) as page:
        opts = page.eval_on_selector_all("#article-chooser option", "els => els.map(e => e.value)")
        assert opts == [TEST_ARTICLE_ID, "gulf-2024-04-raisi-visit"]  # newest first, undated last
        assert page.locator("#atlas-title").inner_text() == TEST_ARTICLE["title"]
        # stepping reads the article shown: the test text has one passage
        page.get_by_role("button", name=re.compile("Next")).click()
        _settle(page)
        assert _progress(page) == "¶ 1 / 1"
        assert page.locator("a.passage.step-current").inner_text() == TEST_QUOTE
        assert "supported" in page.locator("#step-card .verdict").inner_text().lower()
        # the other article: its own passages
        page.select_option("#article-chooser", "gulf-2024-04-raisi-visit")
        n = page.evaluate("document.querySelectorAll('.article-text:not([hidden]) a.passage').length")
        assert n > 1 and _progress(page) == f"¶ – / {n}"
        # search finds both articles' passages
        ids = [h["id"] for h in page.evaluate("window.atlas.search('hideouts')")]
        assert "cl-test-saravan-strike" in ids
        # a feature's details (on a phone in the sheet, not a popup) list the articles that mention it
        page.evaluate("window.atlas.select('ev-2024-01-18-pakistan-strike-saravan', {fly: true})")
        page.wait_for_selector("#atlas-details .popup-article", timeout=15000)
        page.wait_for_selector(".leaflet-popup", state="detached", timeout=3000)
        arts = page.eval_on_selector_all("#atlas-details .popup-article", "els => els.map(e => e.dataset.article)")
        assert TEST_ARTICLE_ID in arts
        page.locator(f'#atlas-details .popup-article[data-article="{TEST_ARTICLE_ID}"]').click()
        assert page.locator("#article-chooser").input_value() == TEST_ARTICLE_ID
        _clean(page)
