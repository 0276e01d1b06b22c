"""Build samples/sample.warc.gz: the bundled archive that the offline demo replays.

A small mini-site of OUR OWN, served on 127.0.0.1 with newscrawl.localsite and fetched over
real HTTP, archived under the public URLs the spiders start from (the registry's start URLs):

* articles: a selection of the parser fixtures (tests/fixtures/pages/<site>/, invented text in
  each site's real markup, served with the Content-Type their sidecar JSON records);
* discovery documents written here: the RSS feeds, news sitemaps, Daily8's sitemap and listing
  page, listing those articles with their publication dates;
* a robots.txt per host;
* copies for the dedup to catch (the pages of tests/fixtures/dedup_site/, invented text): a
  Le Figaro article and its Daily8 copy (an aggregator copy), and one wire story published on
  franceinfo and on Le Parisien (own title and lead, a few edits).

The archive holds one request + response record pair per URL (newscrawl.warc, warcio), and
``samples/README.md`` lists what it holds. Usage (from the project root):

    .venv/bin/python scripts/make_sample_warc.py [--output samples/sample.warc.gz]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl import __version__  # noqa: E402 (after the path set-up)
from newscrawl.localsite import LocalSite, Page  # noqa: E402
from newscrawl.publishers import PUBLISHERS, SITE_KEYS  # noqa: E402
from newscrawl.text.dates import parse_iso  # noqa: E402
from newscrawl.warc import exchange_records, warcinfo_record  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "pages"
DEDUP_SITE = ROOT / "tests" / "fixtures" / "dedup_site"

# Pages the demo's dedup must catch, from DEDUP_SITE: name -> (public URL, publication date).
FIGARO_LOIRE = "https://www.lefigaro.fr/actualite-france/crue-de-la-loire-a-saumur-les-caves-troglodytiques-sous-les-eaux-20240430"
COPIES: dict[str, tuple[str, str]] = {
    "copy:lefigaro-crue-de-la-loire": (FIGARO_LOIRE, "2024-04-30T09:12:00+02:00"),
    "copy:daily8-crue-de-la-loire": (  # the aggregator's copy, linking the Figaro original
        "https://www.daily8.com/fr/article/5c0e2d7a9b3f4e61a8d4c2b7f09e1a36", "2024-04-30T11:05:00+00:00"),
    "copy:franceinfo-depeche-valence": (  # one wire story ...
        ("https://www.franceinfo.fr/monde/europe/espagne-un-incendie-de-foret-pres-de-valence-force-l-evacuation-"
         "de-1-200-habitants_6543210.html"), "2024-04-30T08:40:00+02:00"),
    "copy:leparisien-depeche-valence": (  # ... on a second site, own title and lead
        ("https://www.leparisien.fr/international/incendie-pres-de-valence-1-200-habitants-evacues-des-canadair-"
         "envoyes-en-renfort-30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYE.php"), "2024-04-30T07:55:00+00:00"),
}  # fmt: skip
USER_AGENT = f"newscrawl/{__version__} (sample archive builder)"

# Which fixtures each discovery document lists: (start URL, kind, [fixture names]).
DOCUMENTS: list[tuple[str, str, str, list[str]]] = [
    ("franceinfo", "https://www.franceinfo.fr/titres.rss", "rss", [
        "2025-07-08_canicule-le-prefet-du-rhone-restreint-l-usage-de-l-eau",
        "2025-07-10_orages-dans-le-gard-coulee-de-boue-rn106",
        "copy:franceinfo-depeche-valence",
    ]),
    ("franceinfo", "https://www.francetvinfo.fr/sitemap_news.xml", "newsmap", [
        "2023-04-12_greve-des-eboueurs-a-rennes-bennes-privees",
        "2023-03-30_replay-radio-le-prix-du-cafe-au-plus-haut",
    ]),
    ("lefigaro", "https://www.lefigaro.fr/sitemap_news.xml", "newsmap", [
        "2024-05-14_greve-controleurs-aeriens-nantes",
        "2024-11-22_tempete-doriane-bretagne-tous-les-blocs",
        "2024-09-03_assurance-chomage-seniors-premium",
        "copy:lefigaro-crue-de-la-loire",
    ]),
    ("lefigaro", "https://www.lefigaro.fr/rss/figaro_actualites.xml", "rss", [
        "2024-04-16_eboulement-col-forclaz-sans-charset",
    ]),
    ("leparisien", "https://feeds.leparisien.fr/leparisien/rss", "rss", [
        "2023-04-12_cantal-cooperative-laitiere-recrute",
        "2023-11-16_portugal-village-ciel-etoile",
        "2023-04-20_lyon-marches-couverts-paywall",
        "copy:leparisien-depeche-valence",
    ]),
    ("leparisien", "https://www.leparisien.fr/arc/outboundfeeds/sitemapnews/?outputType=xml&from=0", "newsmap", [
        "2024-03-14_oise-cambriolages-noise",
        "2024-02-06_tempete-leonie-live",  # a live page: skipped unless NEWSCRAWL_INCLUDE_LIVE
    ]),
    ("daily8", "https://www.daily8.com/sitemap.xml", "sitemap", [
        "2025-07-09_parisien-incendie-rungis",
        "2025-09-18_figaro-tempete-amandine",
        "2025-10-03_figaro-premium-baguette",
        "copy:daily8-crue-de-la-loire",
    ]),
    ("daily8", "https://www.daily8.com/fr", "listing", [
        "2025-06-22_next-data-ouest-france-quimper",
    ]),
]  # fmt: skip


@dataclass
class Article:
    site: str
    name: str
    url: str
    title: str
    published: datetime | None
    content_type: str
    body: bytes


def load_article(site: str, name: str) -> Article:
    if name in COPIES:
        url, published = COPIES[name]
        return Article(site=site, name=name, url=url, title=name.split("-", 1)[1].replace("-", " "),
                       published=parse_iso(published), content_type="text/html; charset=utf-8",
                       body=(DEDUP_SITE / urlsplit(url).path.lstrip("/")).read_bytes())
    meta = json.loads((FIXTURES / site / f"{name}.json").read_text(encoding="utf-8"))
    expected = meta.get("expected", {})
    headers = {k.lower(): v for k, v in meta.get("headers", {}).items()}
    return Article(site=site, name=name, url=meta["url"], title=expected.get("title") or name,
                   published=parse_iso(expected.get("published")),
                   content_type=headers.get("content-type", "text/html; charset=utf-8"),
                   body=(FIXTURES / site / f"{name}.html").read_bytes())


def rss(channel: str, link: str, articles: list[Article]) -> str:
    items = "\n".join(
        f"    <item>\n      <title>{escape(a.title)}</title>\n      <link>{escape(a.url)}</link>\n"
        + (f"      <pubDate>{format_datetime(a.published)}</pubDate>\n" if a.published else "")
        + "    </item>"
        for a in articles
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
            f"    <title>{escape(channel)}</title>\n    <link>{escape(link)}</link>\n{items}\n  </channel>\n</rss>\n")


def news_sitemap(name: str, articles: list[Article]) -> str:
    urls = "\n".join(
        f"  <url>\n    <loc>{escape(a.url)}</loc>\n    <news:news>\n"
        f"      <news:publication><news:name>{escape(name)}</news:name>"
        "<news:language>fr</news:language></news:publication>\n"
        + (f"      <news:publication_date>{a.published.isoformat()}</news:publication_date>\n" if a.published else "")
        + f"      <news:title>{escape(a.title)}</news:title>\n    </news:news>\n  </url>"
        for a in articles
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "\n</urlset>\n")


def sitemap(articles: list[Article]) -> str:
    urls = "\n".join(
        f"  <url><loc>{escape(a.url)}</loc>"
        + (f"<lastmod>{a.published.isoformat()}</lastmod>" if a.published else "") + "</url>"
        for a in articles
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + urls + "\n</urlset>\n")


def listing(articles: list[Article]) -> str:
    cards = "\n".join(
        f'      <li><a href="{escape(urlsplit(a.url).path)}">{escape(a.title)}</a></li>' for a in articles
    )
    return ('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Daily8 - Actualités</title></head>\n'
            "<body>\n  <h1>Dernières actualités</h1>\n  <ul>\n" + cards + "\n  </ul>\n</body></html>\n")


def site_pages() -> tuple[dict[str, Page], list[str]]:
    """LocalSite pages keyed ``/<host><path>[?query]``, and the public URLs in archive order."""
    pages: dict[str, Page] = {}
    order: list[str] = []

    def add(url: str, page: Page) -> None:
        parts = urlsplit(url)
        key = f"/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        if key not in pages:
            pages[key] = page
            order.append(url)

    hosts: set[str] = set()
    for site, url, kind, names in DOCUMENTS:
        articles = [load_article(site, name) for name in names]
        name = PUBLISHERS[site].name
        if kind == "rss":
            page = Page(rss(f"{name} - Les titres", f"https://{urlsplit(url).hostname}/", articles),
                        content_type="application/rss+xml; charset=utf-8")
        elif kind == "newsmap":
            page = Page(news_sitemap(name, articles), content_type="application/xml; charset=utf-8")
        elif kind == "sitemap":
            page = Page(sitemap(articles), content_type="application/xml; charset=utf-8")
        else:
            page = Page(listing(articles))
        add(url, page)
        hosts.add(urlsplit(url).hostname or "")
        for article in articles:
            add(article.url, Page(article.body, content_type=article.content_type))
            hosts.add(urlsplit(article.url).hostname or "")
    for host in sorted(hosts):
        add(f"https://{host}/robots.txt", Page("User-agent: *\nDisallow: /recherche/\n",
                                               content_type="text/plain; charset=utf-8"))
    return pages, order


def fetch(base: str, url: str) -> tuple[int, list[tuple[str, str]], bytes, list[tuple[str, str]]]:
    """GET the local copy of ``url``: status, response headers, body, request headers sent."""
    parts = urlsplit(url)
    local = f"{base}/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    headers = [("User-Agent", USER_AGENT),
               ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
               ("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.6")]
    request = urllib.request.Request(local, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, list(response.headers.items()), response.read(), headers
    except urllib.error.HTTPError as exc:
        return exc.code, list(exc.headers.items()), exc.read(), headers


def build(output: Path) -> list[tuple[str, int, int]]:
    pages, order = site_pages()
    start_urls = {u for key in SITE_KEYS for u in PUBLISHERS[key].start_urls}
    missing = start_urls - set(order)
    if missing:
        raise SystemExit(f"the sample does not archive these registry start URLs: {sorted(missing)}")
    listed: list[tuple[str, int, int]] = []
    data = [warcinfo_record(output.name, {
        "software": f"newscrawl/{__version__} scripts/make_sample_warc.py (warcio)",
        "description": "newscrawl sample archive: invented articles in the publishers' markup, "
                       "served from a local mini-site and archived under their public URLs",
        "format": "WARC File Format 1.1",
    })]
    with LocalSite(pages) as site:
        for url in order:
            status, headers, body, sent = fetch(site.base, url)
            # The server's own Date/Server headers are kept: they are what a crawl would archive.
            data.append(exchange_records(url, request_headers=sent, status=status, response_headers=headers,
                                         body=body, ip_address="127.0.0.1"))
            listed.append((url, status, len(body)))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(b"".join(data))
    return listed


def write_readme(path: Path, archive: Path, listed: list[tuple[str, int, int]]) -> None:
    lines = [
        "# Sample WARC",
        "",
        f"`{archive.name}` is the archive that `scripts/demo.sh` replays through the real spiders",
        "(`python -m newscrawl crawl --all -s NEWSCRAWL_REPLAY=samples/sample.warc.gz`). It was built by",
        "`scripts/make_sample_warc.py` from a mini-site of our own served on 127.0.0.1: invented articles",
        "(the parser fixtures of tests/fixtures/pages/) in each publisher's markup, and feeds and sitemaps",
        "listing them, archived under the public URLs the spiders start from. No page of a real site is in it.",
        "",
        "Two copies are there for the dedup to catch (pages of tests/fixtures/dedup_site/): Daily8's copy of",
        "a Le Figaro article, and one wire story on franceinfo and on Le Parisien. The demo's summary counts",
        "them in its `dups` column and lists them from `<state>/duplicates.jsonl`.",
        "",
        "| URL | status | bytes |",
        "|---|---|---|",
        *[f"| {url} | {status} | {size} |" for url, status, size in listed],
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(ROOT / "samples" / "sample.warc.gz"))
    args = parser.parse_args(argv)
    output = Path(args.output)
    listed = build(output)
    write_readme(output.with_name("README.md"), output, listed)
    print(f"{output}: {len(listed)} URLs, {output.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
