"""Open a rendered map in headless Debian Chromium with every network request blocked.

Used by the browser tests, ``python tools/render_map.py --measure`` and benchmarks/bench_map.py
(a developer's tool: not part of the ``geo`` package). Needs the test extra
(playwright) and Debian's chromium; Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Debian's Chromium (``apt-get install chromium``); override with $ATLAS_CHROMIUM.
CHROMIUM: str = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield b
        finally:
            b.close()


#: ``page.evaluate`` on a watched page: the expression's value, or what the function it evaluates to
#: returns for ``arg`` (as Playwright does), except that a Leaflet object (a map, layer, control:
#: ``L.Class``) comes back as a short string. Leaflet's methods return their map or layer
#: (``setView``, ``addTo``, ``fire``...), and Playwright would serialise it with everything it
#: reaches (the whole map and its data, about 20 MB; 18-60 s a call on a loaded machine, which
#: looked like a hung test). Made by concatenation: the page's policy forbids eval. A script of
#: statements (``"a(); b()"``, a library's source) is not an expression: it is compiled once, not
#: run, inside a function never called, and then evaluated as given.
_LEAFLET_SAFE_HEAD = "async (__atlasArg) => { let __atlasV = ("
_LEAFLET_SAFE_TAIL = (
    "\n); if (typeof __atlasV === 'function') __atlasV = __atlasV(__atlasArg); __atlasV = await __atlasV;"
    " return (window.L && window.L.Class && __atlasV instanceof window.L.Class)"
    " ? '<Leaflet object, not serialised>' : __atlasV; }"
)


def _leaflet_safe_evaluate(page: Any) -> None:
    from playwright.sync_api import Error as PlaywrightError

    plain = page.evaluate
    is_expression: dict[str, bool] = {}

    def evaluate(expression: str, arg: Any = None) -> Any:
        wrapped = _LEAFLET_SAFE_HEAD + expression + _LEAFLET_SAFE_TAIL
        if expression not in is_expression:
            try:  # compiles the wrapper, runs nothing of it
                plain("(() => { const __atlasCheck = " + wrapped + "; return typeof __atlasCheck; })()")
                is_expression[expression] = True
            except PlaywrightError as exc:
                if "SyntaxError" not in str(exc):  # e.g. the page is navigating: decide next time
                    return plain(expression, arg)
                is_expression[expression] = False
        return plain(wrapped if is_expression[expression] else expression, arg)

    page.evaluate = evaluate


def watch_page(page: Any, url: str) -> Any:
    """Block every request but ``url`` itself; record console errors, page errors, dialogs, requests;
    make ``page.evaluate`` return no Leaflet object (see ``_LEAFLET_SAFE_HEAD``)."""
    page.atlas_errors = []
    page.atlas_dialogs = []
    page.atlas_blocked = []
    page.atlas_requests = []
    base = url.split("#")[0]

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            page.atlas_errors.append(f"console: {msg.text}")

    def on_dialog(dialog: Any) -> None:
        page.atlas_dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_route(route: Any) -> None:
        req_url = route.request.url
        page.atlas_requests.append(req_url)
        if req_url.split("#")[0] == base or req_url.startswith("data:"):
            route.continue_()
        else:
            page.atlas_blocked.append(req_url)
            route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.atlas_errors.append(f"pageerror: {exc}"))
    page.on("dialog", on_dialog)
    page.route("**/*", on_route)
    _leaflet_safe_evaluate(page)
    return page


@contextlib.contextmanager
def open_map(
    html_path: Path, *, viewport: tuple[int, int] = (1280, 800), hash_: str = "", b: Any = None,
    phone: bool = False,
) -> Iterator[Any]:
    """A Playwright page showing ``html_path`` once ``window.atlas.ready`` is true."""
    url = Path(html_path).resolve().as_uri()
    with contextlib.ExitStack() as stack:
        if b is None:
            b = stack.enter_context(browser())
        extra = {"is_mobile": True, "has_touch": True} if phone else {}
        ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **extra)
        stack.callback(ctx.close)
        page = watch_page(ctx.new_page(), url)
        page.goto(url + hash_)
        wait_ready(page)
        yield page


def frame(page: Any) -> None:
    """Wait until the page has drawn a frame (two animation frames: the one in progress, then one
    painted after whatever the caller just did)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))")


def set_view(
    page: Any, latlng: tuple[float, float], zoom: float, offset: tuple[float, float] = (0, 0)
) -> tuple[float, float]:
    """Show ``latlng`` at ``zoom`` (no animation), ``offset`` pixels (x right, y down) from the
    map's centre, wait for the frame that draws it, and return the page point (x, y) of ``latlng``.

    Tapping two things in turn at the same spot within 300 ms is a double tap: Chromium sends a
    ``dblclick`` and Leaflet zooms in, animated, after this call has set its view. A test that taps
    several targets passes different offsets so that consecutive taps are far apart.

    Leaflet's methods return the map, which a plain Playwright ``evaluate`` would serialise whole
    (see ``_LEAFLET_SAFE_HEAD``); the expressions here return plain numbers only.
    """
    page.evaluate(
        "([ll, z, d]) => { const m = window.atlas.map; m.setView(ll, z, {animate: false});"
        " m.panBy([-d[0], -d[1]], {animate: false}); }",
        [list(latlng), zoom, list(offset)],
    )
    frame(page)
    return screen_point(page, latlng)


def screen_point(page: Any, latlng: tuple[float, float]) -> tuple[float, float]:
    """The page point (x, y) where the atlas's map shows ``latlng``."""
    x, y = page.evaluate("""ll => { const m = window.atlas.map, p = m.latLngToContainerPoint(ll),
      r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }""", list(latlng))
    return float(x), float(y)


def close_popups(page: Any, timeout_ms: float = 3000) -> None:
    """Close the atlas map's open popup and wait until it has left the page (Leaflet fades a
    closing popup out and removes it 200 ms later; a popup opened meanwhile would be the second
    one on the page). Returns nothing of the map: see :func:`set_view`."""
    page.evaluate("() => { window.atlas.map.closePopup(); }")
    page.wait_for_selector(".leaflet-popup", state="detached", timeout=timeout_ms)


def wait_ready(page: Any, timeout_s: float = 20.0, expr: str = "window.atlas && window.atlas.ready === true") -> None:
    """Poll ``expr`` with page.evaluate (which the page's Content-Security-Policy allows, unlike
    wait_for_function's string predicates, which need eval)."""
    import time

    end = time.monotonic() + timeout_s
    while not page.evaluate(f"!!({expr})"):
        if time.monotonic() > end:
            msg = f"page not ready after {timeout_s} s: {getattr(page, 'atlas_errors', [])}"
            raise TimeoutError(msg)
        page.wait_for_timeout(20)
