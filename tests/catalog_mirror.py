"""Local mirrors of the catalog's publishers, built from each entry's own data: its daily entry
points (feeds, news sitemaps) served at their paths and listing the entry's example article
URLs (and a variant of each), each article a page in a generic news template carrying the
entry's noise blocks and, on one page, its paywall marker. Text is invented and differs per
page (the crawl's content dedup must keep every page)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from newscrawl.localsite import LocalSite, Page
from newscrawl.publishers import PUBLISHERS, Publisher
from tests.e2e_support import news_sitemap, rss

PUBLISHED = "2025-06-20T08:30:00+02:00"
TOWNS = ("Rennes", "Lille", "Nantes", "Toulouse", "Dijon", "Brest", "Metz", "Nîmes", "Pau", "Caen", "Tours", "Annecy")
SUBJECTS = ("le conseil municipal", "la préfecture", "une association de riverains", "le syndicat des transports",
            "la chambre régionale des comptes", "un collectif d'habitants", "le rectorat", "la métropole")
VERBS = ("a présenté", "a voté", "a contesté", "a détaillé", "a reporté", "a défendu", "a chiffré", "a publié")
OBJECTS = ("un plan de rénovation", "le budget annexe", "une étude sur les mobilités", "le calendrier des travaux",
           "un rapport d'étape", "la nouvelle grille tarifaire", "un programme de logements", "le schéma cyclable")


def noise_marker(key: str) -> str:
    return f"BLOC PARASITE {key.upper()} À RETIRER"


def element_for(css: str, inner: str) -> str:
    """An element that the simple selector ``css`` (tag, .class, #id, [attr], [attr=v], [attr*=v])
    selects, holding ``inner``."""
    tag = re.match(r"^[a-z][a-z0-9]*", css)
    name = tag.group() if tag else "div"
    classes = re.findall(r"\.([\w-]+)", css)
    attrs: dict[str, str] = {}
    ids = re.findall(r"#([\w-]+)", css)
    if ids:
        attrs["id"] = ids[0]
    for attr, _, value in re.findall(r"\[([\w-]+)(?:([*^$~|]?=)([^\]]*))?\]", css):
        value = value.strip("'\"")
        if attr == "class":
            classes.append(value)
        else:
            attrs[attr] = value
    if classes:
        attrs["class"] = " ".join(classes)
    rendered = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    return f"<{name}{rendered}>{inner}</{name}>"


def _words(seed: str) -> list[str]:
    digest = hashlib.sha256(seed.encode()).digest()
    return [str(b) for b in digest]


def paragraphs(key: str, name: str, n: int) -> list[str]:
    """Invented French paragraphs; every clause carries tokens unique to (key, n)."""
    out = []
    for i in range(4):
        nums = _words(f"{key}/{n}/{i}")
        town = TOWNS[int(nums[0]) % len(TOWNS)]
        sentences = []
        for j in range(3):
            a, b, c = (int(x) for x in nums[3 * j + 1: 3 * j + 4])
            sentences.append(
                f"À {town}, {SUBJECTS[a % len(SUBJECTS)]} {VERBS[b % len(VERBS)]} {OBJECTS[c % len(OBJECTS)]} "
                f"numéro {key}-{n}-{i}-{j} pour {a + 100} foyers, selon {name} qui cite {b + 7} sources "
                f"et {c + 3} courriers reçus depuis le {1 + a % 28} juin.")
        out.append(" ".join(sentences))
    return out


def article_page(pub: Publisher, url: str, n: int, paywalled: bool) -> str:
    title = f"{pub.name} : à {TOWNS[n % len(TOWNS)]}, le dossier {pub.key}-{n} avance enfin"
    lead = f"Le projet suivi par la rédaction depuis des mois franchit une étape ({pub.key}, épisode {n})."
    body = paragraphs(pub.key, pub.name, n)
    noise = "".join(element_for(css, f"<p>{noise_marker(pub.key)} : lire aussi nos autres dossiers.</p>")
                    for css in pub.noise_css)
    marker = "".join(element_for(css, "Article réservé aux abonnés") for css in pub.paywall_css) if paywalled else ""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": PUBLISHED,
          "author": {"@type": "Person", "name": "Camille Morel"}, "isAccessibleForFree": True,
          "inLanguage": "fr"}
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta property="og:site_name" content="Miroir local">
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{PUBLISHED}">
<link rel="canonical" href="{escape(url)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<nav><a href="/">Accueil</a> <a href="/politique/">Politique</a></nav>
<main><article>
<h1>{escape(title)}</h1>
<p class="chapo">{escape(lead)}</p>
<p class="byline">Par Camille Morel</p>
{marker}
<p>{escape(body[0])}</p>
<p>{escape(body[1])}</p>
{noise}
<h2>Un calendrier serré</h2>
<p>{escape(body[2])}</p>
<p>{escape(body[3])}</p>
</article></main>
<footer><p>© Miroir local</p></footer>
</body></html>"""


def variant(pub: Publisher, url: str) -> str | None:
    """Another article URL of the same shape: the last digit of the path changed (same length)."""
    parts = urlsplit(url)
    encoded = {i for m in re.finditer(r"%[0-9A-Fa-f]{2}", parts.path) for i in range(m.start(), m.end())}
    digits = [m.start() for m in re.finditer(r"\d", parts.path) if m.start() not in encoded]
    if not digits:
        return None
    i = digits[-1]
    path = parts.path[:i] + str((int(parts.path[i]) + 1) % 10) + parts.path[i + 1:]
    other = parts._replace(path=path).geturl()
    return other if pub.classify(other) == "article" else None


@dataclass
class Mirror:
    key: str
    site: LocalSite
    articles: dict[str, bool] = field(default_factory=dict)
    """Article path -> paywalled."""
    start_paths: list[str] = field(default_factory=list)

    @property
    def start_urls(self) -> list[str]:
        return [self.site.url(p) for p in self.start_paths]


def build_mirror(key: str) -> Mirror:
    pub = PUBLISHERS[key]
    urls = [u for example in pub.examples for u in (example, variant(pub, example)) if u]
    urls = list(dict.fromkeys(urls))
    pages: dict[str, Page] = {"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}
    mirror = Mirror(key=key, site=LocalSite(pages))
    items = []
    for n, url in enumerate(urls):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        paywalled = bool(pub.paywall_css) and n == len(urls) - 1
        pages[path] = Page(article_page(pub, url, n, paywalled))
        mirror.articles[path] = paywalled
        items.append(("{{BASE}}" + path, f"Titre {n}", PUBLISHED))
    skipped = ("{{BASE}}/auteurs/camille-morel/", None, None)  # every entry skips author pages
    for ep in pub.entry_points:
        if ep.kind == "sitemap_index":
            continue
        path = urlsplit(ep.url).path
        if ep.kind == "news_sitemap":
            pages[path] = Page(news_sitemap([*items, skipped]), content_type="application/xml")
        else:
            pages[path] = Page(rss([*items, skipped]), content_type="application/rss+xml")
        mirror.start_paths.append(path)
    mirror.site.pages.update(pages)
    return mirror
