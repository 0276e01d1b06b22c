"""daily8: discovery entry points and URL patterns come from the publisher registry.

Daily8's pages are probably server-rendered, but a client-rendered shell must not be lost, so
each article page is read in up to three ways, cheapest first:

1. plain HTTP, the DOM text (the Daily8 parser's ``body_source = "dom"``);
2. the data embedded in that same page: ``script#__NEXT_DATA__`` or Next.js RSC chunks
   (``body_source = "embedded"``), still no browser;
3. only when the body is still empty, the page is fetched again and rendered in chromium
   (newscrawl.render; the spider turns NEWSCRAWL_RENDER on in its custom_settings, and
   ``-s NEWSCRAWL_RENDER=False`` turns it off).

Stats: newscrawl/daily8/served_by/{http,embedded,browser} (which path gave a page its body),
newscrawl/daily8/render/requested, newscrawl/daily8/no_body/{render_off,render_unavailable,
after_browser} (the page is then dropped as ``no_body`` by the base spider).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscrawl.render import RENDER_META, is_rendered, render_problem, render_request
from spiders._base import NewsSpider

if TYPE_CHECKING:
    from scrapy.http import Response

    from newscrawl.items import ArticleItem


def served_by(rendered: bool, body_source: str) -> str:
    """Which path gave a page its body: browser, embedded (data in the HTML) or http (DOM)."""
    if rendered:
        return "browser"
    return "embedded" if body_source == "embedded" else "http"


class Daily8Spider(NewsSpider):
    name = "daily8"
    custom_settings = {"NEWSCRAWL_RENDER": True}  # noqa: RUF012 (Scrapy reads it as a class attribute)

    def after_parse(self, response: Response, item: ArticleItem, parser: Any) -> list[Any] | None:
        rendered = is_rendered(response)
        if item.text:
            self.inc(f"daily8/served_by/{served_by(rendered, getattr(parser, 'body_source', 'dom'))}")
            return None
        settings = self.crawler.settings
        if rendered or RENDER_META in response.meta:  # already the browser's turn (or a WARC replay of it)
            reason = "after_browser"
        elif not settings.getbool("NEWSCRAWL_RENDER"):
            reason = "render_off"
        elif render_problem(settings):
            reason = "render_unavailable"
        else:
            self.inc("daily8/render/requested")
            self.logger.info("No body in %(url)s over HTTP nor in embedded data: rendering it in the browser",
                             {"url": response.url})
            return [render_request(response.request)] if response.request is not None else None
        self.inc(f"daily8/no_body/{reason}")
        self.logger.info("No body in %(url)s (%(reason)s)", {"url": response.url, "reason": reason})
        return None
