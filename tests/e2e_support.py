"""Helpers of the end-to-end tests: mini-sites built from the parser fixtures and tests/site/,
a real ``scrapy crawl`` subprocess against them, and readers of what the crawl leaves behind
(JSONL, text records, stats file, log)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from newscrawl.localsite import LocalSite, Page
from newscrawl.publishers import PUBLISHERS
from spiders._base import refine_verdict
from tests.conftest import FIXTURES, ROOT, run_scrapy

SITE_DIR = ROOT / "tests" / "site"
RECORD_NAME = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")


@dataclass
class SitePage:
    """One page of a mini-site: a parser fixture or a page of tests/site/<key>/pages/."""

    key: str
    name: str
    real_url: str
    body: bytes
    content_type: str
    expected: dict[str, Any]
    """Expected record fields (all of them for a fixture, some for a tests/site page)."""
    text_lines: list[str] = field(default_factory=list)
    must_not_contain: list[str] = field(default_factory=list)
    origin: str = "fixture"
    fetched_at: str | None = None
    clean_rules: dict[str, int] = field(default_factory=dict)
    """Text-level noise the page carries on purpose: cleaning rule -> lines it must remove."""

    @property
    def path(self) -> str:
        parts = urlsplit(self.real_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def verdict(self) -> str:
        """What the site's URL rules make of this page: 'article', 'live', 'section'..."""
        return refine_verdict(PUBLISHERS[self.key].classify(self.real_url), self.real_url)


def load_pages(key: str) -> list[SitePage]:
    pages = []
    for origin, folder in (("fixture", FIXTURES / "pages" / key), ("site", SITE_DIR / key / "pages")):
        for meta_path in sorted(folder.glob("*.json")):
            html = meta_path.with_suffix(".html")
            if not html.exists():
                continue
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            pages.append(SitePage(
                key=key, name=meta_path.stem, real_url=meta["url"], body=html.read_bytes(),
                content_type=meta.get("headers", {}).get("Content-Type", "text/html; charset=utf-8"),
                expected=meta.get("expected", {}), text_lines=meta.get("text_lines", []),
                must_not_contain=meta.get("must_not_contain", []), origin=origin,
                fetched_at=meta.get("fetched_at"), clean_rules=meta.get("clean_rules", {}),
            ))
    return pages


# ------------------------------------------------------------------------ discovery documents
def rss(items: list[tuple[str, str | None, str | None]]) -> str:
    """RSS 2.0 of (url, title, ISO date) items; URLs may use {{BASE}}."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel><title>Mini-site</title>',
           "<link>{{BASE}}/</link><description>Flux de test</description>"]
    for url, title, date in items:
        out.append("<item>")
        if title:
            out.append(f"<title>{escape(title)}</title>")
        out.append(f"<link>{escape(url)}</link>")
        if date:
            out.append(f"<pubDate>{_rfc822(date)}</pubDate>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def atom(items: list[tuple[str, str | None, str | None]]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           "<title>Mini-site</title><id>{{BASE}}/</id><updated>2025-06-20T00:00:00Z</updated>"]
    for url, title, date in items:
        out.append(f'<entry><title>{escape(title or "")}</title><link rel="alternate" href="{escape(url)}"/>'
                   f"<id>{escape(url)}</id>" + (f"<updated>{date}</updated>" if date else "") + "</entry>")
    out.append("</feed>")
    return "\n".join(out)


def news_sitemap(items: list[tuple[str, str | None, str | None]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">')]
    for url, title, date in items:
        news = ""
        if title or date:
            news = ("<news:news><news:publication><news:name>Mini-site</news:name><news:language>fr"
                    "</news:language></news:publication>"
                    + (f"<news:publication_date>{date}</news:publication_date>" if date else "")
                    + (f"<news:title>{escape(title)}</news:title>" if title else "") + "</news:news>")
        out.append(f"<url><loc>{escape(url)}</loc>{news}</url>")
    out.append("</urlset>")
    return "\n".join(out)


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso))


# ------------------------------------------------------------------------ the mini-sites
# Where each site keeps its feed, news sitemap (the paths of its registry start URLs) and a listing page.
LAYOUT: dict[str, dict[str, str | None]] = {
    "franceinfo": {"feed": "/titres.rss", "sitemap": "/sitemap_news.xml",
                   "listing": "/archives/2025/10-juillet-2025.html"},
    "lefigaro": {"feed": "/rss/figaro_actualites.xml", "sitemap": "/sitemap_news.xml", "listing": "/actualite-france"},
    "leparisien": {"feed": "/leparisien/rss", "sitemap": "/arc/outboundfeeds/sitemapnews/?outputType=xml&from=0",
                   "listing": "/archives/2024/14-03-2024/"},
    "daily8": {"feed": None, "sitemap": "/sitemap.xml", "listing": "/fr"},
    "generic": {"feed": "/feed.atom", "sitemap": "/sitemap-news.xml", "listing": None},
}
# Non-article URLs listed in the feed, with the reason they must be skipped for.
NON_ARTICLES: dict[str, list[tuple[str, str]]] = {
    "franceinfo": [("/politique/", "section"), ("/redaction/jeanne-valette/", "author"),
                   ("/replay-jt/france-2/20-heures/jt-de-20h-du-mardi-8-juillet-2025_7365511.html", "video"),
                   ("/monde/direct-sommet-europeen-a-bruxelles_7369001.html", "live")],
    "lefigaro": [("/international", "section"), ("/tag/meteo", "tag"),
                 ("/live/tempete-en-bretagne-suivez-la-situation-en-direct-20241122", "live")],
    "leparisien": [("/faits-divers/", "section"), ("/auteur/marc-dufresne/", "author")],
    "daily8": [("/fr/hashtag/Meteo", "tag"), ("/fr/a-propos", "section")],
    "generic": [("/societe/", "section"), ("/auteur/jeanne-valette/", "author"), ("/tag/festival/", "tag"),
                ("/videos/le-lac-de-pareloup-vu-du-ciel.html", "video"),
                ("/live/conseil-municipal-suivez-la-seance-en-direct", "live")],
}
# An article URL of each site that the server does not have: a 404.
MISSING: dict[str, str] = {
    "franceinfo": "/societe/un-article-retire-du-site-apres-publication_7399999.html",
    "lefigaro": "/actualite-france/un-article-retire-du-site-apres-publication-20240612",
    "leparisien": "/faits-divers/un-article-retire-du-site-12-06-2024-ZQ7XK3VWN5MJT2RBL8HDC4FYPA.php",
    "daily8": "/fr/article/" + "0" * 32,
    "generic": "/actualites/2025/06/30/un-article-retire-du-site-apres-sa-publication.html",
}


def listing_html(key: str, links: list[tuple[str, str]]) -> str:
    """A listing page in the site's markup, linking ``links`` [(path, title)]; its navigation
    also links section pages (never followed)."""
    nav = '<nav><a href="/">Accueil</a> <a href="/politique/">Politique</a> <a href="/societe/">Société</a></nav>'
    if key == "franceinfo":
        items = "".join(f'<li><a href="{p}">{escape(t)}</a></li>' for p, t in links)
        main = f'<h1>Archives du 10 juillet 2025</h1><ul class="contents">{items}</ul>'
    elif key == "lefigaro":
        main = "".join(
            f'<article class="fig-ranking-profile-container"><a class="fig-ranking-profile-link" href="{p}">'
            f'<h2 class="fig-ranking-profile-headline">{escape(t)}</h2></a></article>' for p, t in links)
    elif key == "leparisien":
        main = "".join(f'<div class="story-preview"><a href="{p}"><span>{escape(t)}</span></a></div>' for p, t in links)
    else:
        main = "".join(f'<div class="card"><a href="{p}">{escape(t)}</a> <a href="/fr/hashtag/Actu">#Actu</a></div>'
                       for p, t in links)
    return f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Liste</title></head><body>{nav}<main>{main}</main></body></html>'


@dataclass
class MiniSite:
    key: str
    pages: list[SitePage]
    articles: list[SitePage]
    """Pages that must give a record (article URLs, not live)."""
    skipped: list[tuple[str, str]]
    """(path, reason) of URLs listed in the discovery documents that must never be requested."""
    served: dict[str, Page]
    start_paths: list[str]
    missing: str
    duplicated: SitePage
    """Listed twice in the feed (or sitemap): requested once."""
    listing: str | None = None


def build_site(key: str) -> MiniSite:
    pages = load_pages(key)
    articles = [p for p in pages if p.verdict == "article"]
    skipped = [(p.path, p.verdict) for p in pages if p.verdict != "article"] + NON_ARTICLES[key]
    served: dict[str, Page] = {"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}
    for p in pages:
        served[p.path] = Page(p.body, content_type=p.content_type)
    for path, _ in NON_ARTICLES[key]:  # they exist: a request to them would be served and counted
        served[path] = Page("<html><body><h1>Rubrique</h1><p>Une page qui n'est pas un article.</p></body></html>")

    def item(p: SitePage) -> tuple[str, str | None, str | None]:
        return "{{BASE}}" + p.path, p.expected.get("title"), p.expected.get("published")

    layout = LAYOUT[key]
    first = articles[0]
    non_articles = [("{{BASE}}" + path, None, None) for path, _ in skipped]
    missing = ("{{BASE}}" + MISSING[key], "Un article retiré", None)
    if layout["feed"]:
        feed_items = [item(p) for p in articles[0::2]] + [item(first), missing, *non_articles]
        sitemap_items = [item(p) for p in articles[1::2]] + [item(first)]  # `first` again: another document
        served[layout["feed"]] = Page(atom(feed_items) if key == "generic" else rss(feed_items),
                                      content_type="application/atom+xml" if key == "generic" else "application/rss+xml")
    else:
        sitemap_items = [item(p) for p in articles] + [item(first), missing, *non_articles]
    served[str(layout["sitemap"])] = Page(news_sitemap(sitemap_items), content_type="application/xml")
    starts = [x for x in (layout["feed"], layout["sitemap"]) if x]
    if layout["listing"]:
        links = [(p.path, p.expected.get("title") or p.name) for p in (articles[-1], articles[1 % len(articles)])]
        served[str(layout["listing"])] = Page(listing_html(key, links))
        starts.append(str(layout["listing"]))
    return MiniSite(key=key, pages=pages, articles=articles, skipped=skipped, served=served, start_paths=starts,
                    missing=MISSING[key], duplicated=first, listing=layout["listing"])


# ------------------------------------------------------------------------ crawling
@dataclass
class CrawlResult:
    returncode: int
    log: str
    records: list[dict[str, Any]]
    stats: dict[str, Any]
    text_records: dict[str, list[str]]
    """Text record lines by record id."""
    text_names: list[str]


def crawl(spider: str, start_urls: list[str], tmp: Path, *settings: str, timeout: int = 120) -> CrawlResult:
    """``scrapy crawl <spider> -a start_urls=... -O out.jsonl`` with every output in ``tmp``."""
    out, records, stats = tmp / "out.jsonl", tmp / "records", tmp / "stats.json"
    args = ["crawl", spider, "-a", "start_urls=" + ",".join(start_urls), "-O", str(out),
            "-s", f"NEWSCRAWL_RECORDS_DIR={records}", "-s", f"NEWSCRAWL_STATS_FILE={stats}",
            "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}", "-s", "NEWSCRAWL_OUTPUT_DIR="]
    for setting in settings:
        args += ["-s", setting]
    proc = run_scrapy(args, timeout=timeout)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if out.exists() else []
    text: dict[str, list[str]] = {}
    names: list[str] = []
    if records.exists():
        for path in sorted(records.iterdir()):
            m = RECORD_NAME.match(path.name)
            if m:
                names.append(path.name)
                text[m.group(2)] = path.read_text(encoding="utf-8").splitlines()
    return CrawlResult(proc.returncode, proc.stderr, rows,
                       json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}, text, names)


def log_lines(result: CrawlResult, *needles: str) -> list[str]:
    """Log lines containing every one of ``needles``."""
    return [line for line in result.log.splitlines() if all(n in line for n in needles)]


def serve(site: MiniSite) -> LocalSite:
    return LocalSite(site.served).start()


def article_html(title: str | None, paras: list[str], *, published: str | None = "2025-06-12T08:30:00+02:00",
                 lead: str | None = None, meta_charset: str | None = "utf-8", head: str = "") -> str:
    """An article page of the fictional generic site (the markup of tests/site/generic/pages/)."""
    charset = f'<meta charset="{meta_charset}">' if meta_charset else ""
    title_tags = f"<title>{escape(title)}</title><meta property=\"og:title\" content=\"{escape(title)}\">" if title else ""
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="fr"><head>{charset}{title_tags}{date}{head}</head><body><main>'
            f'<article class="post">{f"<h1>{escape(title)}</h1>" if title else ""}'
            f'{f"<p class=chapo>{escape(lead)}</p>" if lead else ""}<div class="post-content">{body}</div>'
            "</article></main></body></html>")
