"""JavaScript rendering with scrapy-playwright and Debian's chromium, opt-in per spider and per
request.

- Per spider: ``NEWSCRAWL_RENDER = True`` (a spider's ``custom_settings``, as daily8 does, or
  ``-s NEWSCRAWL_RENDER=True``). :class:`RenderAddon` (in ADDONS) then installs the Playwright
  download handler for that crawl only, launching ``NEWSCRAWL_RENDER_EXECUTABLE``
  (``/usr/bin/chromium``; ``playwright install`` is never needed) headless, offline, with its
  sandbox on unless NEWSCRAWL_RENDER_NO_SANDBOX is set (root needs it: chromium refuses to
  start as root with its sandbox; rendering is then off with a WARNING that says so). Spiders that do not render never import Playwright.
- Per request: :func:`render_request` marks a request (``meta["newscrawl_render"]``, plain JSON,
  so it can travel through the distributed queue); :class:`RenderMiddleware` turns the mark into
  scrapy-playwright meta when the request is downloaded. Requests without the mark go through
  Scrapy's normal HTTP handler, even in a rendering spider.
- Chromium missing (or not executable): one WARNING at start-up says so and how to fix it; the
  crawl goes on without rendering (:func:`render_enabled` is False, marked requests are ignored
  with a stat).
- Pages are closed by scrapy-playwright after each render (``playwright_include_page`` is never
  set), on failures too; browser contexts are rotated every NEWSCRAWL_RENDER_CONTEXT_PAGES renders
  and the old one closed once its last page is done, so a long crawl does not grow the browser.
  Images, media and fonts are not downloaded by the browser.

Stats: newscrawl/render/{requested,rendered,unavailable,browser_missing,contexts_closed},
newscrawl/render/failed/<exception>; scrapy-playwright's own playwright/*.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.defaults import get_float, get_int

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

RENDER_META = "newscrawl_render"
"""Request meta key: ``{"wait_for": css | None}`` asks for a browser render."""

#: Headless chromium, offline: no GPU, no calls home. Its sandbox stays on (pages are written by
#: strangers) unless NEWSCRAWL_RENDER_NO_SANDBOX adds ``--no-sandbox`` (needed as root, where
#: chromium refuses to start with its sandbox).
CHROMIUM_ARGS = (
    "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)  # fmt: skip
NO_SANDBOX_ARG = "--no-sandbox"
#: Resource types the browser does not fetch (the text is all we keep).
HEAVY_RESOURCES = frozenset({"image", "media", "font"})
HANDLER_PATH = f"{__name__}.PlaywrightHandler"
_OWN_CONTEXT = "newscrawl_render_context"
"""Request meta key: the context the handler picked (rotation), as opposed to one the spider set."""
#: Meta keys of the first fetch that must not follow the request to the browser (Scrapy's
#: MetaCopyDetectionMiddleware list, our context pick, the distributed in-flight token).
_NOT_COPIED = frozenset({
    "_auth_proxy", "_dont_cache", "_scheme_proxy", "cache_timestamp", "download_latency", "download_slot",
    "redirect_reasons", "redirect_times", "redirect_ttl", "redirect_urls", "retry_times", _OWN_CONTEXT,
    "newscrawl_redis_token",
})  # fmt: skip

#: Default wait after the load event, when the request names no selector: until the page shows
#: at least two text blocks of 80+ characters and its text has stopped changing for 0.3 s, or
#: the timeout. It never fails: a page that never fills in is returned as it is.
SETTLE_JS = """async (ms) => {
  const end = Date.now() + ms;
  const blocks = () => {
    let n = 0;
    for (const el of (document.body ? document.body.querySelectorAll('p, div, li, blockquote') : [])) {
      if (el.querySelector('p, div, li, blockquote')) continue;
      if ((el.innerText || '').trim().length >= 80 && ++n >= 2) return true;
    }
    return false;
  };
  let last = -1, stable = 0;
  while (Date.now() < end) {
    const len = document.body ? document.body.innerText.length : 0;
    stable = len === last ? stable + 1 : 0;
    last = len;
    if (stable >= 3 && blocks()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


# ------------------------------------------------------------------------------ pure helpers


def browser_problem(path: str | None) -> str | None:
    """Why the browser at ``path`` cannot be used, or None."""
    if not path:
        return "NEWSCRAWL_RENDER_EXECUTABLE is empty"
    p = Path(path)
    if not p.exists():
        return f"no browser at {path}"
    if p.is_dir() or not os.access(p, os.X_OK):
        return f"{path} is not an executable file"
    return None


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def sandbox_problem(settings: BaseSettings) -> str | None:
    """Why chromium cannot start with its sandbox here (as root), or None. Offline replay
    (NEWSCRAWL_REPLAY) starts no browser: no problem then."""
    if settings.getbool("NEWSCRAWL_RENDER_NO_SANDBOX") or settings.get("NEWSCRAWL_REPLAY") or not running_as_root():
        return None
    return ("chromium does not start as root with its sandbox on: run the crawler as a normal user, or set "
            "NEWSCRAWL_RENDER_NO_SANDBOX=True (only in a container or VM that is itself the sandbox)")


def render_problem(settings: BaseSettings) -> str | None:
    """Why this crawl cannot render (browser missing, sandbox impossible), or None."""
    return browser_problem(settings.get("NEWSCRAWL_RENDER_EXECUTABLE")) or sandbox_problem(settings)


def render_enabled(settings: BaseSettings) -> bool:
    """Rendering is on for this crawl and the browser can start."""
    return settings.getbool("NEWSCRAWL_RENDER") and render_problem(settings) is None


def render_request(request: Request, *, wait_for: str | None = None) -> Request:
    """A copy of ``request`` to be rendered in the browser (``dont_filter``: it is usually a
    second fetch of a URL already fetched over plain HTTP). ``wait_for``: a CSS selector that
    must appear (the render fails after NEWSCRAWL_RENDER_TIMEOUT otherwise); default: wait for
    the text to settle (:data:`SETTLE_JS`)."""
    meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright") and k not in _NOT_COPIED}
    meta[RENDER_META] = {"wait_for": wait_for}
    return request.replace(meta=meta, dont_filter=True)


def is_rendered(response: Response) -> bool:
    return "playwright" in response.flags


def abort_heavy(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: do not fetch images, media and fonts."""
    return getattr(request, "resource_type", None) in HEAVY_RESOURCES


def page_methods(spec: dict[str, Any] | Any, timeout_s: float) -> list[Any]:
    from scrapy_playwright.page import PageMethod

    wait_for = spec.get("wait_for") if isinstance(spec, dict) else None
    if wait_for:
        return [PageMethod("wait_for_selector", wait_for, timeout=timeout_s * 1000)]
    return [PageMethod("evaluate", SETTLE_JS, int(timeout_s * 1000))]


def playwright_settings(settings: BaseSettings) -> dict[str, Any]:
    """The scrapy-playwright settings of a rendering crawl (set at add-on priority)."""
    timeout = get_float(settings, "NEWSCRAWL_RENDER_TIMEOUT")
    return {
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": settings.get("NEWSCRAWL_RENDER_EXECUTABLE"), "headless": True,
            "args": [*CHROMIUM_ARGS, *((NO_SANDBOX_ARG,) if settings.getbool("NEWSCRAWL_RENDER_NO_SANDBOX") else ())],
            "timeout": 30_000,
        },
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max(1, get_int(settings, "NEWSCRAWL_RENDER_MAX_PAGES")),
        "PLAYWRIGHT_ABORT_REQUEST": f"{__name__}.abort_heavy",
    }


def browser_refusal(crawler: Crawler, url: str) -> Any:
    """Why the browser must not fetch ``url`` for a page (newscrawl.safety's rules), or None:
    ``data:``, ``blob:`` and ``about:`` stay in the browser; ws(s) is judged as http(s); any
    other scheme (``file:``, ``chrome:``...) is refused. A host name is not resolved here: only
    IP literals and ``localhost`` names are caught (the browser connects by itself)."""
    from newscrawl.safety import policy_of

    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("data", "blob", "about"):
        return None
    if scheme in ("ws", "wss"):
        url = "http" + url[2:]
    return policy_of(crawler).refusal(url)


class ContextRotation:
    """Which browser context each render uses: a new one every ``per_context`` renders (0 =
    never); a retired context is to be closed once its last render is done."""

    def __init__(self, per_context: int, base: str = "newscrawl") -> None:
        self.per_context = per_context
        self.base = base
        self.generation = 0
        self.used = 0
        self.active: dict[str, int] = {}

    @property
    def current(self) -> str:
        return f"{self.base}-{self.generation}"

    def acquire(self) -> tuple[str, str | None]:
        """(context for the next render, a retired context to close now or None)."""
        to_close = None
        if self.per_context and self.used >= self.per_context:
            old = self.current
            self.generation += 1
            self.used = 0
            if not self.active.get(old):
                self.active.pop(old, None)
                to_close = old
        self.used += 1
        name = self.current
        self.active[name] = self.active.get(name, 0) + 1
        return name, to_close

    def release(self, name: str) -> bool:
        """A render in ``name`` is done; True when that context is retired and now unused."""
        left = self.active.get(name, 0) - 1
        if left > 0 or name == self.current:
            self.active[name] = max(left, 0)
            return False
        self.active.pop(name, None)
        return True


# ------------------------------------------------------------------------------ Scrapy adapters


class RenderAddon:
    """Add-on (ADDONS in newscrawl/settings.py): when NEWSCRAWL_RENDER is on, install the
    Playwright handler and settings, or say once why rendering is off."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("NEWSCRAWL_RENDER"):
            return
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RenderMiddleware, 600)
        problem = browser_problem(settings.get("NEWSCRAWL_RENDER_EXECUTABLE"))
        if problem:
            logger.warning(
                "Browser rendering is off for this crawl: %(problem)s (NEWSCRAWL_RENDER_EXECUTABLE). Install "
                "Debian's chromium (apt-get install chromium) or point NEWSCRAWL_RENDER_EXECUTABLE at a chromium "
                "binary. The crawl goes on over plain HTTP; pages that need a browser are dropped with a stat.",
                {"problem": problem},
            )
            return
        problem = sandbox_problem(settings)
        if problem:
            logger.warning("Browser rendering is off for this crawl: %(problem)s. The crawl goes on over plain "
                           "HTTP; pages that need a browser are dropped with a stat.", {"problem": problem})
            return
        priority = max(settings.getpriority("DOWNLOAD_HANDLERS") or 0, SETTINGS_PRIORITIES["addon"])
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": HANDLER_PATH, "https": HANDLER_PATH})
        settings.set("DOWNLOAD_HANDLERS", handlers, priority=priority)
        for name, value in playwright_settings(settings).items():
            settings.set(name, value, priority="addon")


class RenderMiddleware:
    """Downloader middleware: ``meta["newscrawl_render"]`` -> scrapy-playwright meta (page
    methods built here, so marked requests stay JSON); ignores marked requests when the
    browser is missing. Settings read: NEWSCRAWL_RENDER, NEWSCRAWL_RENDER_EXECUTABLE,
    NEWSCRAWL_RENDER_TIMEOUT, NEWSCRAWL_RENDER_NO_SANDBOX."""

    def __init__(self, crawler: Crawler, problem: str | None, timeout: float) -> None:
        self.stats = crawler.stats
        self.problem = problem
        self.timeout = timeout
        if problem and self.stats is not None:
            self.stats.set_value("newscrawl/render/browser_missing", 1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_RENDER"):
            raise NotConfigured("NEWSCRAWL_RENDER is off")
        return cls(crawler, render_problem(settings), get_float(settings, "NEWSCRAWL_RENDER_TIMEOUT"))

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/render/{key}")

    def process_request(self, request: Request) -> None:
        spec = request.meta.get(RENDER_META)
        if not spec or request.meta.get("playwright"):
            return
        if self.problem:
            self._inc("unavailable")
            raise IgnoreRequest(f"browser rendering unavailable ({self.problem})")
        request.meta["playwright"] = True
        request.meta["playwright_page_methods"] = page_methods(spec, self.timeout)
        request.meta.pop("playwright_include_page", None)  # scrapy-playwright closes the page itself
        self._inc("requested")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(RENDER_META) and is_rendered(response):
            self._inc("rendered")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get(RENDER_META) and request.meta.get("playwright"):
            self._inc(f"failed/{type(exception).__name__}")
            logger.debug("Browser render failed for %(url)s: %(exc)r", {"url": request.url, "exc": exception})


_HANDLERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def handler_of(crawler: Crawler) -> Any | None:
    """The crawl's Playwright handler, once built (benchmarks read its open page count)."""
    return _HANDLERS.get(crawler)


def _make_handler_class() -> type:
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class PlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
        """scrapy-playwright's handler: Playwright started on the first render (scrapy-playwright
        starts it on ``engine_started``, which a lazily built handler never sees), one browser
        for both schemes, browser contexts rotated and closed."""

        lazy = True

        def __init__(self, crawler: Crawler) -> None:
            super().__init__(crawler)
            self.rotation = ContextRotation(get_int(crawler.settings, "NEWSCRAWL_RENDER_CONTEXT_PAGES"))
            self.launch_lock = asyncio.Lock()
            # PLAYWRIGHT_MAX_PAGES_PER_CONTEXT bounds each context; while a retired context
            # finishes, a new one opens, so the crawl-wide bound is kept here.
            self.pages_at_once = asyncio.Semaphore(max(1, get_int(crawler.settings, "NEWSCRAWL_RENDER_MAX_PAGES")))
            # One browser per crawl: the handler of the other scheme (http/https) renders here.
            self.primary = _HANDLERS.setdefault(crawler, self)
            # What the page asks the browser to fetch obeys the crawl's scheme and host rules too.
            base_abort = self.abort_request

            def abort_request(request: Any) -> Any:
                refusal = browser_refusal(crawler, request.url)
                if refusal is not None:
                    crawler.stats.inc_value(f"newscrawl/refused/browser/{refusal.kind}")
                    logger.info("Browser request refused: %(url)s (%(detail)s)",
                                {"url": request.url[:300], "detail": refusal.detail})
                    return True
                return base_abort(request) if base_abort is not None else False

            self.abort_request = abort_request

        async def _maybe_launch_in_thread(self) -> None:  # engine_started, when built before it
            await self._ensure_launched()

        async def _ensure_launched(self) -> None:
            """Start the Playwright driver on the first render, not with the crawl: a crawl
            that renders nothing never starts it."""
            async with self.launch_lock:
                if getattr(self, "browser_provider", None) is None:
                    await self._maybe_future_from_coro(self._launch())

        async def download_request(self, request: Request) -> Response:  # type: ignore[override]
            meta = request.meta
            if meta.get("playwright") and self.primary is not self:
                return await self.primary.download_request(request)
            if not meta.get("playwright"):
                return await super().download_request(request)  # plain HTTP
            await self._ensure_launched()
            async with self.pages_at_once:
                if "playwright_context" in meta and _OWN_CONTEXT not in meta:
                    return await super().download_request(request)  # a context chosen by the spider
                name, retired = self.rotation.acquire()
                if retired:
                    await self._close_context(retired)
                meta["playwright_context"] = meta[_OWN_CONTEXT] = name
                try:
                    return await super().download_request(request)
                finally:
                    if self.rotation.release(name):
                        await self._close_context(name)

        async def _close_context(self, name: str) -> None:
            wrapper = self.context_wrappers.get(name)
            if wrapper is None:
                return
            try:
                await wrapper.context.close()
            except Exception as exc:
                logger.warning("Could not close browser context %(name)s: %(exc)r", {"name": name, "exc": exc})
                return
            self.stats.inc_value("newscrawl/render/contexts_closed")

        def open_pages(self) -> int:
            return sum(len(w.context.pages) for w in self.context_wrappers.values())

        def open_contexts(self) -> int:
            return len(self.context_wrappers)

    return PlaywrightHandler


def __getattr__(name: str) -> Any:
    # The handler class is built on first access (DOWNLOAD_HANDLERS loads it by path), so that
    # importing this module never imports Playwright.
    if name == "PlaywrightHandler":
        cls = _make_handler_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
