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


def watch_page(page: Any, url: str) -> Any:
    """Block every request but ``url`` itself; record console errors, page errors, dialogs, requests."""
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
