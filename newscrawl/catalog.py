"""The catalog of publishers: French-language news sites as data, one entry each.

Every entry becomes a publisher of the registry (newscrawl/publishers.py) and a spider of the
same name (spiders/catalog.py): ``scrapy crawl lemonde``, ``python -m newscrawl crawl lemonde``.
Its pages are read by the generic parser with the entry's paywall markers and noise selectors
(``parser=None``), or by a site parser the entry names once one is written.

Where each fact comes from is written beside it (``seen=``), the way newscrawl/clean/rules.py
notes its rules. No machine of the project reaches the sites: an entry point is
``confirmed=True`` only when a public source shows it working (a maintained crawler's
configuration, a saved copy of the document, a probe or validation table with its result);
one found only in feed lists is ``confirmed=False``. A dead entry point is flagged by the run's
health checks (newscrawl/monitor.py, check ``entry_points``). ``python -m newscrawl sites``
lists all of it.

Sources, named once (``seen=`` uses these short names):

- ``fundus``: flairNLP/fundus src/fundus/publishers/fr/__init__.py (sitemaps and news maps the
  Fundus crawler uses for Le Monde, Les Échos, Euronews FR).
- ``quotaclimat``: dataforgoodfr/quotaclimat quotaclimat/data_ingestion/config_sitemap.py (the
  news sitemaps and sitemap indexes a corpus pipeline crawls), and its mockwebsite/<site>_sitemap.xml
  files: saved copies of those news sitemaps (Oct. 2023), whose article URLs the patterns and
  ``examples`` below were checked on.
- ``calibre``: kovidgoyal/calibre recipes/<name>.recipe (maintained e-book news recipes: feeds,
  removed blocks, skipped paths).
- ``probe-table``: a public "Failed sources, synthetic probe dataset" table (GitHub code) of 30
  French feeds, all detected and fetched by its author's RSS detector.
- ``validation-table``: a public RSS validation report (GitHub code), France section, "HTTP 200,
  valid" on 2026-03-14 (entries marked "needs check" there are not counted as confirmed).
- ``outlet-probe``: a public "curated French news outlet catalog" (GitHub code) probed 2026-03-26
  (it records which feeds answered and which were blocked: 403/404/503).
- ``feed-lists``: feed lists in public projects (GitHub code), unverified by their authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

EntryKind = Literal["rss", "atom", "news_sitemap", "sitemap_index"]
#: Kinds that are read at every run (start URLs); the archive sitemap index is for backfills.
DAILY_KINDS = ("rss", "atom", "news_sitemap")


@dataclass(frozen=True)
class EntryPoint:
    url: str
    kind: EntryKind
    confirmed: bool = False
    """True when a public source shows this document working (see ``seen``)."""
    seen: str = ""
    """Where the URL was found (short source names of the module docstring)."""


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    name: str
    """Display name: the record's ``publisher``."""
    domains: tuple[str, ...]
    """Every host of the site, entry points' hosts included (exact hosts: no wildcard)."""
    entry_points: tuple[EntryPoint, ...]
    article_paths: tuple[str, ...]
    """Regexes on the URL path (+ query) of article pages."""
    examples: tuple[str, ...]
    """Article URLs of the site (from the sources when ``seen`` says so): they must match
    ``article_paths``, and the tests' local mirror serves pages at their paths."""
    group: str
    """national, weekly, broadcaster, online, regional or abroad."""
    skip_paths: tuple[tuple[str, str], ...] = ()
    """(reason, regex on the path): pages never requested (video, author, section...)."""
    live_paths: tuple[str, ...] = ()
    paywall_css: tuple[str, ...] = ()
    """Elements marking a subscriber teaser, beyond JSON-LD ``isAccessibleForFree``."""
    noise_css: tuple[str, ...] = ()
    """Site blocks removed before the page is read (on top of the generic parser's)."""
    language: str = "fr"
    country: str = "FR"
    parser: str | None = None
    """Dotted path of a site parser; None: the generic parser with this entry's markers."""
    seen: str = ""
    """Where the patterns, examples and markers come from."""
    name_aliases: tuple[str, ...] = field(default=())

    @property
    def start_urls(self) -> tuple[str, ...]:
        return tuple(e.url for e in self.entry_points if e.kind in DAILY_KINDS)

    @property
    def sitemap_index(self) -> tuple[str, ...]:
        return tuple(e.url for e in self.entry_points if e.kind == "sitemap_index")


def _ep(url: str, kind: EntryKind, seen: str, confirmed: bool = False) -> EntryPoint:
    return EntryPoint(url=url, kind=kind, confirmed=confirmed, seen=seen)


def rss(url: str, seen: str, confirmed: bool = False) -> EntryPoint:
    return _ep(url, "rss", seen, confirmed)


def news(url: str, seen: str, confirmed: bool = False) -> EntryPoint:
    return _ep(url, "news_sitemap", seen, confirmed)


def index(url: str, seen: str, confirmed: bool = False) -> EntryPoint:
    return _ep(url, "sitemap_index", seen, confirmed)


# Path shapes shared by several sites.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SECTIONS = r"(?:[a-z0-9-]+/)+"
#: A path segment that may carry percent-encoded accents (France 24, RFI: /fr/am%C3%A9riques/).
ENCODED = r"[A-Za-z0-9%-]+"
#: Skip rules most sites need: video and podcast pages, authors, tags.
COMMON_SKIPS: tuple[tuple[str, str], ...] = (
    ("video", r"^/(?:[a-z0-9-]+/)*(?:videos?|replay|podcasts?)/"),
    ("author", r"^/(?:auteurs?|signataires|journalistes?|redaction|author)/"),
    ("tag", r"^/(?:tags?|mots?-cles?|sujets?|themes?)/"),
)

CATALOG: tuple[CatalogEntry, ...] = (
    # ------------------------------------------------------------------ national dailies
    CatalogEntry(
        key="lemonde", name="Le Monde", group="national", domains=("www.lemonde.fr", "lemonde.fr"),
        entry_points=(
            rss("https://www.lemonde.fr/rss/une.xml", "validation-table; calibre le_monde.recipe; probe-table", True),
            news("https://www.lemonde.fr/sitemap_news.xml", "fundus; quotaclimat", True),
            index("https://www.lemonde.fr/sitemap_index.xml", "fundus", True),
        ),
        # /international/article/2023/11/24/<slug>_6286964_3210.html
        article_paths=(rf"^/{SECTIONS}article/\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}_\d+_\d+\.html$",),
        examples=(("https://www.lemonde.fr/international/article/2023/11/24/"
                  "la-treve-a-gaza-est-entree-en-vigueur_6201777_3210.html"),),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/en/"), ("not_article", r"/(?:portfolio|visuel|chat)/"),
                    ("not_article", r"^/blog/")),
        live_paths=(r"/live/",),
        paywall_css=("p.article__status",),
        noise_css=("section.catcher", "[class*=services-carousel]"),
        seen="URL shape: /<section>/article/YYYY/MM/DD/<slug>_<id>_<id>.html as in the /en/ feed entries of "
             "rumca-js/RSS-Link-Database-2024; skipped /chat/ /portfolio/ /visuel/ /video/: calibre le_monde.recipe; "
             "example URL invented on that shape; paywall marker (\"Article réservé aux abonnés\" line) and noise "
             "blocks unverified (no page copy reachable here)",
    ),
    CatalogEntry(
        key="liberation", name="Libération", group="national", domains=("www.liberation.fr", "liberation.fr"),
        entry_points=(
            rss("https://www.liberation.fr/arc/outboundfeeds/rss/?outputType=xml", "calibre liberation.recipe; probe-table",
                True),
            news("https://www.liberation.fr/arc/outboundfeeds/sitemap_news.xml?outputType=xml", "quotaclimat", True),
        ),
        # /politique/elections/<slug>-20231023_EWA5NEN4QFEUXHLIN74PSPEDJ4/
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{8}}_[A-Z0-9]{{26}}/$",),
        examples=(
            ("https://www.liberation.fr/politique/elections/le-gros-bobard-de-jean-philippe-tanguy-sur-le-gud-ennemi-"
            "historique-du-rassemblement-national-20231023_EWA5NEN4QFEUXHLIN74PSPEDJ4/"),
            ("https://www.liberation.fr/societe/police-justice/chateau-de-versailles-un-lanceur-de-fausse-alerte-"
            "condamne-a-huit-mois-de-prison-avec-sursis-20231023_F2KK3TWLVVGSDAJOPW4KM6OCZQ/"),
        ),
        skip_paths=COMMON_SKIPS,
        live_paths=(r"/en-direct-",),
        seen="article URLs: quotaclimat mockwebsite/liberation_sitemap.xml (live pages are \"en-direct-...\" slugs there)",
    ),
    CatalogEntry(
        key="lesechos", name="Les Échos", group="national",
        domains=("www.lesechos.fr", "lesechos.fr", "sitemap.lesechos.fr", "services.lesechos.fr"),
        entry_points=(
            news("https://www.lesechos.fr/sitemap_news.xml", "fundus; quotaclimat", True),
            rss("https://services.lesechos.fr/rss/les-echos-economie.xml", "probe-table", True),
            index("https://sitemap.lesechos.fr/sitemap_index.xml", "fundus (read newest first); quotaclimat", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{6,8}}$",),
        examples=(("https://www.lesechos.fr/economie-france/conjoncture/la-croissance-francaise-resiste-au-troisieme-"
                  "trimestre-2030151"),),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:bourse|cotations)/")),
        live_paths=(r"/en-direct-",),
        seen="URL shape /<section>/<sub>/<slug>-<id>: links in public pages (GitHub code search, ids cut off there); "
             "example invented on it",
        name_aliases=("Les Echos",),
    ),
    CatalogEntry(
        key="lacroix", name="La Croix", group="national", domains=("www.la-croix.com", "la-croix.com"),
        entry_points=(
            rss("https://www.la-croix.com/feeds/rss/site.xml", "validation-table", True),
            news("https://www.la-croix.com/sitemap_news.xml", "quotaclimat", True),
        ),
        article_paths=(
            r"^/(?:[A-Za-z0-9-]+/)*[A-Za-z0-9-]+-\d{4}-\d{2}-\d{2}-\d{10}$",  # 2023 URLs
            rf"^/{SECTIONS}{SLUG}-\d{{8}}$",  # /<section>/<slug>-YYYYMMDD (redesign; unverified)
        ),
        examples=(
            ("https://www.la-croix.com/international/guerre-israel-hamas-jour-19-attaque-bande-gaza-otages-liban-"
            "resume-2023-10-25-1201288167"),
            "https://www.la-croix.com/debat/Vie-destin-saint-Crepin-2023-10-25-1201288185",
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/lacroix_sitemap.xml; the second pattern is an unverified guess",
    ),
    CatalogEntry(
        key="humanite", name="L'Humanité", group="national", domains=("www.humanite.fr", "humanite.fr"),
        entry_points=(
            rss("https://www.humanite.fr/feed", "probe-table", True),
            rss("https://www.humanite.fr/rss/actu.rss", "feed-lists (older URL)"),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}(?:-\d{{5,}})?$", rf"^/{SLUG}-\d{{6}}$"),
        examples=(("https://www.humanite.fr/social-et-economie/greve/la-mobilisation-continue-dans-les-raffineries-"
                  "812345"),),
        skip_paths=COMMON_SKIPS,
        seen="pre-2023 article URLs /<slug>-<6 digits> linked from public pages (GitHub code search); the "
             "/<section>/<slug> shape of the WordPress site (since 2023) from memory, unverified; example invented",
    ),
    CatalogEntry(
        key="lopinion", name="L'Opinion", group="national", domains=("www.lopinion.fr", "lopinion.fr"),
        entry_points=(
            news("https://www.lopinion.fr/news-sitemap-content.xml", "quotaclimat (was news-sitemap-latest.xml)", True),
            rss("https://www.lopinion.fr/index.rss", "feed-lists (another list notes feed.xml answering 404)"),
            index("https://www.lopinion.fr/sitemap.xml", "quotaclimat", True),
        ),
        article_paths=(r"^/[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+){3,}$",),
        examples=(
            ("https://www.lopinion.fr/politique/presidentielle-ce-sondage-qui-place-eric-zemmour-dernier-et-arnaud-"
            "montebourg-troisieme"),
            "https://www.lopinion.fr/economie/tpe-pme-une-maturite-cyber-encore-bien-faible",
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs linked from public pages (GitHub code search); quotaclimat's section regex /<section>/...",
    ),
    # ------------------------------------------------------------------ weeklies
    CatalogEntry(
        key="lepoint", name="Le Point", group="weekly", domains=("www.lepoint.fr", "lepoint.fr"),
        entry_points=(
            news("https://www.lepoint.fr/sitemap-news.xml", "quotaclimat", True),
            rss("https://www.lepoint.fr/rss.xml", "feed-lists; validation-table says \"needs check\""),
        ),
        # /societe/<slug>-25-10-2023-2540693_23.php
        article_paths=(rf"^/{SECTIONS}{SLUG}-+\d{{2}}-\d{{2}}-\d{{4}}-\d{{7}}_\d+\.php$",),
        examples=(
            ("https://www.lepoint.fr/societe/evasion-de-reau-par-helicoptere-l-heure-du-verdict-pour-redoine-faid-"
            "25-10-2023-2540693_23.php"),
            ("https://www.lepoint.fr/monde/guerre-hamas-israel-les-images-insoutenables-du-pogrom-25-10-2023-"
            "2540714_24.php"),
        ),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/stories/")),
        live_paths=(r"/en-direct-",),
        seen="article URLs: quotaclimat mockwebsite/lepoint_sitemap.xml (/video/ pages and sponsored /stories/ "
             "listed there too)",
    ),
    CatalogEntry(
        key="lexpress", name="L'Express", group="weekly", domains=("www.lexpress.fr", "lexpress.fr"),
        entry_points=(
            rss("https://www.lexpress.fr/arc/outboundfeeds/rss/alaune.xml", "probe-table", True),
            news("https://www.lexpress.fr/arc/outboundfeeds/sitemap-news.xml", "quotaclimat (was sitemap_actu_1.xml)",
                 True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-[A-Z0-9]{{26}}/$",),
        examples=(
            ("https://www.lexpress.fr/societe/deserts-medicaux-le-senat-retoque-la-repartition-des-medecins-"
            "VEF4G4QZDZFFRLBAAWP4UP57JU/"),
            ("https://www.lexpress.fr/monde/europe/le-ministre-russe-de-la-defense-sur-la-zone-de-loperation-militaire-"
            "en-ukraine-JBK5YZUYZZFNLIDRKF54LHHEAE/"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/lexpress_sitemap.xml",
    ),
    CatalogEntry(
        key="lobs", name="L'Obs", group="weekly", domains=("www.nouvelobs.com", "nouvelobs.com"),
        entry_points=(
            rss("https://www.nouvelobs.com/rss.xml", "validation-table; probe-table", True),
            news("https://www.nouvelobs.com/sitemap-articles-news.xml", "quotaclimat", True),
        ),
        # /societe/20231026.OBS80019/<slug>.html
        article_paths=(rf"^/{SECTIONS}\d{{8}}\.OBS\d+/{SLUG}\.html$",),
        examples=(
            ("https://www.nouvelobs.com/societe/20231026.OBS80016/penurie-de-logements-l-encadrement-des-loyers-autorise-"
            "au-pays-basque.html"),
            ("https://www.nouvelobs.com/ecologie/20231026.OBS80018/fonte-de-l-antarctique-les-villes-cotieres-vont-"
            "devoir-se-defendre-ou-etre-abandonnees.html"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/nouvelobs_sitemap.xml",
        name_aliases=("Le Nouvel Obs", "nouvelobs.com"),
    ),
    CatalogEntry(
        key="marianne", name="Marianne", group="weekly", domains=("www.marianne.net", "marianne.net"),
        entry_points=(rss("https://www.marianne.net/rss.xml", "probe-table", True),),
        article_paths=(r"^/(?:[a-z0-9-]+/)+[a-z0-9]+(?:-[a-z0-9]+){3,}$",),
        examples=("https://www.marianne.net/politique/gauche/la-gauche-face-au-casse-tete-des-elections-europeennes",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape /<section>/<sub>/<slug> from memory (unverified); example invented",
    ),
    CatalogEntry(
        key="courrierinternational", name="Courrier international", group="weekly",
        domains=("www.courrierinternational.com", "courrierinternational.com"),
        entry_points=(rss("https://www.courrierinternational.com/feed/all/rss.xml",
                          "calibre courrierinternational.recipe (2026); probe-table", True),),
        # /article/<slug>_240469
        article_paths=(rf"^/(?:article|long-format|grand-format|revue-de-presse)/{SLUG}_\d+$",),
        examples=(("https://www.courrierinternational.com/article/vu-d-allemagne-la-france-face-a-la-reforme-des-"
                  "retraites_240469"),),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:dessin|magazine)/")),
        paywall_css=(".article-paywall",),
        noise_css=(".asset-read-more", ".article-secondary", ".article-aside", ".article-readmore",
                   ".article-outbrain", ".ci-services", ".article-tools"),
        seen="calibre courrierinternational.recipe (2026): article ids \"_<digits>\" at the end of the URL, the "
             "blocks it removes (read-more, aside, outbrain, services, tools: our noise_css) and .article-paywall "
             "(our paywall marker: its presence taken to mean a teaser, an assumption); the /article/ prefix and "
             "the example are from memory/invented",
    ),
    CatalogEntry(
        key="challenges", name="Challenges", group="weekly", domains=("www.challenges.fr", "challenges.fr"),
        entry_points=(
            rss("https://www.challenges.fr/rss.xml", "validation-table", True),
            news("https://www.challenges.fr/sitemap.news.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}_\d{{5,7}}$",),
        examples=("https://www.challenges.fr/economie/la-banque-de-france-revoit-sa-prevision-de-croissance_873412",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape /<section>/<slug>_<id> from memory (unverified); example invented",
    ),
    # ------------------------------------------------------------------ broadcasters
    CatalogEntry(
        key="bfmtv", name="BFMTV", group="broadcaster", domains=("www.bfmtv.com", "bfmtv.com"),
        entry_points=(
            rss("https://www.bfmtv.com/rss/news-24-7/", "validation-table; outlet-probe (30 entries)", True),
            news("https://www.bfmtv.com/sitemap_news.xml", "quotaclimat", True),
        ),
        # /international/asie/chine/<slug>_AD-202310250335.html (AN, AD, AV, AP: articles)
        article_paths=(rf"^/{SECTIONS}{SLUG}_A[A-Z]-\d{{12}}\.html$",),
        examples=(
            ("https://www.bfmtv.com/international/asie/chine/la-chine-va-envoyer-dans-l-espace-son-plus-jeune-"
            "equipage_AD-202310250335.html"),
            ("https://www.bfmtv.com/politique/elysee/macron-va-se-rendre-egypte-pour-rencontrer-le-president-al-sissi-"
            "apres-sa-visite-en-jordanie_AP-202310250331.html"),
        ),
        skip_paths=(*COMMON_SKIPS, ("video", r"/replay-emissions/"), ("video", r"_(?:VN|EN)-\d{12}\.html$")),
        live_paths=(r"_LN-\d{12}\.html$",),
        seen="article URLs and replay pages (_EN-, /replay-emissions/): quotaclimat mockwebsite/bfmtv_sitemap.xml; "
             "_VN- (video) and _LN- (live) from memory (unverified)",
        name_aliases=("BFM TV", "BFM Business"),
    ),
    CatalogEntry(
        key="tf1info", name="TF1 Info", group="broadcaster", domains=("www.tf1info.fr", "tf1info.fr"),
        entry_points=(rss("https://www.tf1info.fr/feeds/rss-une.xml", "probe-table", True),),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{7}}\.html$",),
        examples=(("https://www.tf1info.fr/transports/greve-sncf-2-3-et-4-decembre-2022-les-previsions-de-trafic-tgv-"
                  "ouigo-intercites-2240323.html"),),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/(?:replay|player|emission)/"), ("video", r"/video-[a-z0-9-]+\.html$")),
        live_paths=(r"/(?:direct|en-direct)-[a-z0-9-]*\d{7}\.html$",),
        seen="article URLs /<section>/<slug>-<7 digits>.html and video pages (\"video-\" slugs, /player/, "
             "/emission/) linked from public pages (GitHub code search)",
        name_aliases=("TF1INFO", "LCI"),
    ),
    CatalogEntry(
        key="france24", name="France 24", group="broadcaster", domains=("www.france24.com", "france24.com"),
        entry_points=(rss("https://www.france24.com/fr/rss", "validation-table", True),),
        article_paths=(rf"^/fr/(?:{ENCODED}/)+\d{{8}}-{ENCODED}$",),
        examples=(
            "https://www.france24.com/fr/afrique/20231025-le-niger-annonce-un-calendrier-de-transition",
            "https://www.france24.com/fr/am%C3%A9riques/20221122-au-br%C3%A9sil-jair-bolsonaro-d%C3%A9pose-un-recours",
        ),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:en|es|ar)/"),
                    ("video", r"^/fr/(?:vid%C3%A9o|video|%C3%A9missions|emissions)/")),
        live_paths=(r"-direct-",),
        seen="URL shape /fr/<section>/YYYYMMDD-<slug> with percent-encoded accents: a link in a public page "
             "(GitHub code search; the second example is that URL, cut short); the first example is invented",
    ),
    CatalogEntry(
        key="rfi", name="RFI", group="broadcaster", domains=("www.rfi.fr", "rfi.fr"),
        entry_points=(rss("https://www.rfi.fr/fr/rss", "validation-table", True),),
        article_paths=(rf"^/fr/(?:{ENCODED}/)+\d{{8}}-{ENCODED}$",),
        examples=("https://www.rfi.fr/fr/afrique/20231025-au-senegal-la-campagne-presidentielle-se-prepare",),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:en|es|pt|ha|sw|ro|ru|vi|cn|fa|km|mn|uk)/"),
                    ("video", r"^/fr/(?:podcasts|%C3%A9missions|emissions)/")),
        seen="URL shape /fr/<section>/YYYYMMDD-<slug> as France 24's (same group; unverified); example invented",
        name_aliases=("Radio France Internationale",),
    ),
    CatalogEntry(
        key="europe1", name="Europe 1", group="broadcaster", domains=("www.europe1.fr", "europe1.fr"),
        entry_points=(rss("https://www.europe1.fr/rss.xml", "feed-lists"),),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{6,7}}$",),
        examples=("https://www.europe1.fr/economie/pourquoi-les-stations-de-ski-sont-elles-en-souffrance-3948303",),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/emissions/")),
        seen="article URL /<section>/<slug>-<id> and programme pages /emissions/ linked from public pages (GitHub code "
             "search)",
    ),
    CatalogEntry(
        key="rtl", name="RTL", group="broadcaster", domains=("www.rtl.fr", "rtl.fr"),
        entry_points=(rss("https://www.rtl.fr/rss/une.xml", "feed-lists"),),
        # /actu/debats-societe/<slug>-7900336454
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{10}}$",),
        examples=(("https://www.rtl.fr/actu/debats-societe/jeux-olympiques-jean-marc-jancovici-retrace-le-bilan-"
                  "carbone-de-l-evenement-7900336454"),),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/(?:emission|programmes)/")),
        seen="article URL linked from a public page (GitHub code search); rtl.fr/emission/ pages are programmes",
    ),
    CatalogEntry(
        key="radiofrance", name="Radio France (France Inter, France Culture)", group="broadcaster",
        domains=("www.radiofrance.fr", "radiofrance.fr"),
        entry_points=(
            rss("https://www.radiofrance.fr/franceinter/rss", "probe-table", True),
            rss("https://www.radiofrance.fr/franceculture/rss", "probe-table", True),
            news("https://www.radiofrance.fr/franceinter/sitemap-news.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/(?:franceinter|franceculture)/{SLUG}-\d{{7}}$",),
        examples=(
            ("https://www.radiofrance.fr/franceinter/bronchiolite-par-manque-de-traitements-des-maternites-obligees-de-"
            "trier-les-bebes-eligibles-au-beyfortus-6279386"),
            ("https://www.radiofrance.fr/franceinter/attentat-de-l-opera-en-2018-le-meilleur-ami-du-terroriste-dans-le-"
            "box-des-accuses-7790800"),
        ),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/(?:franceinter|franceculture)/podcasts/")),
        seen="article URLs: quotaclimat mockwebsite/franceinter_sitemap.xml; France Inter and France Culture share "
             "www.radiofrance.fr, hence one entry (a host belongs to one publisher)",
        name_aliases=("France Inter", "France Culture"),
    ),
    # ------------------------------------------------------------------ online media
    CatalogEntry(
        key="20minutes", name="20 Minutes", group="online", domains=("www.20minutes.fr", "20minutes.fr"),
        entry_points=(
            rss("https://www.20minutes.fr/feeds/rss-une.xml", "validation-table; probe-table", True),
            news("https://www.20minutes.fr/sitemap-news.xml", "quotaclimat", True),
        ),
        # /justice/4059662-20231027-<slug>
        article_paths=(rf"^/{SECTIONS}\d{{6,8}}-\d{{8}}-{SLUG}$",),
        examples=(
            ("https://www.20minutes.fr/justice/4059662-20231027-prisons-proces-rugby-re-passe-heure-voiture-eric-dupond-"
            "moretti"),
        ),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/guide-achat/")),
        live_paths=(r"\d{8}-[a-z0-9-]*-(?:en-)?direct-",),
        seen="article URLs (a live one: \"...-direct-...\"; shopping guides /guide-achat/): quotaclimat "
             "mockwebsite/20minutes_sitemap.xml",
        name_aliases=("20minutes.fr",),
    ),
    CatalogEntry(
        key="huffpost", name="HuffPost France", group="online",
        domains=("www.huffingtonpost.fr", "huffingtonpost.fr"),
        entry_points=(
            rss("https://www.huffingtonpost.fr/feeds/index.xml", "feed-lists"),
            rss("https://www.huffingtonpost.fr/rss/all_full.xml", "feed-lists"),
        ),
        article_paths=(rf"^/{SECTIONS}article/{SLUG}_\d{{5,7}}\.html$", rf"^/entry/{SLUG}_fr_[0-9a-f]{{24}}$"),
        examples=(
            ("https://www.huffingtonpost.fr/science/article/le-cycle-de-l-eau-est-en-train-de-changer-et-c-est-"
            "inquietant_195642.html"),
            "https://www.huffingtonpost.fr/entry/macron-bruno-le-maire-joker-convention-climat_fr_5efb7570c5b612083c53aa75",
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs (current and pre-2022 /entry/ shapes) linked from public pages (GitHub code search)",
        name_aliases=("Le HuffPost", "HuffPost"),
    ),
    CatalogEntry(
        key="mediapart", name="Mediapart", group="online", domains=("www.mediapart.fr", "mediapart.fr"),
        entry_points=(
            rss("https://www.mediapart.fr/articles/feed", "validation-table; outlet-probe (10 entries)", True),
            news("https://www.mediapart.fr/news_sitemap_editor_choice.xml", "quotaclimat", True),
        ),
        # /journal/france/261023/<slug>
        article_paths=(rf"^/journal/{SLUG}/\d{{6}}/{SLUG}$",),
        examples=(
            "https://www.mediapart.fr/journal/france/261023/toulouse-la-solidarite-avec-la-palestine-empechee",
            "https://www.mediapart.fr/journal/international/251023/entre-daech-et-le-hamas-les-differences-sont-majeures",
        ),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/blogs?/")),
        seen="article URLs: quotaclimat mockwebsite/mediapart_sitemap.xml; subscriber articles: the outlet-probe notes "
             "only headlines are free (JSON-LD isAccessibleForFree is read)",
    ),
    CatalogEntry(
        key="slate", name="Slate.fr", group="online", domains=("www.slate.fr", "slate.fr"),
        entry_points=(rss("https://www.slate.fr/rss.xml", "probe-table", True),),
        article_paths=(rf"^/story/\d+/{SLUG}$", r"^/(?:[a-z0-9-]+/)+[a-z0-9]+(?:-[a-z0-9]+){3,}$"),
        examples=("https://www.slate.fr/story/254321/pourquoi-les-trains-de-nuit-reviennent-en-europe",),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/audio/")),
        seen="URL shapes /story/<id>/<slug> and /<section>/<slug> from memory (unverified); example invented",
    ),
    CatalogEntry(
        key="numerama", name="Numerama", group="online", domains=("www.numerama.com", "numerama.com"),
        entry_points=(rss("https://www.numerama.com/feed/", "validation-table", True),),
        article_paths=(rf"^/{SECTIONS}\d{{5,8}}-{SLUG}\.html$",),
        examples=("https://www.numerama.com/tech/158150-le-shell-bash-sous-windows-10-ce-quil-faut-savoir.html",),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:bons-plans|comparatif)/")),
        seen="article URLs /<section>/<id>-<slug>.html linked from public pages (GitHub code search)",
    ),
    # ------------------------------------------------------------------ regional press
    CatalogEntry(
        key="ouestfrance", name="Ouest-France", group="regional", domains=("www.ouest-france.fr", "ouest-france.fr"),
        entry_points=(
            rss("https://www.ouest-france.fr/rss-en-continu.xml", "validation-table", True),
            news("https://www.ouest-france.fr/googlenews-0.xml", "quotaclimat", True),
        ),
        # /bretagne/brest-29200/<slug>-c7aeb312-7270-11ee-9cb2-c1eeb1939b85
        article_paths=(rf"^/{SECTIONS}{SLUG}-[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$",),
        examples=(
            ("https://www.ouest-france.fr/bretagne/brest-29200/les-chouettes-actions-culturelles-du-festival-invisible-a-"
            "brest-c7aeb312-7270-11ee-9cb2-c1eeb1939b85"),
            ("https://www.ouest-france.fr/normandie/vire-normandie-14500/vire-la-bd-pour-mieux-manger-offerte-en-classe-"
            "de-cp-0375d99a-727e-11ee-9618-c7f45dfc528c"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/ouestfrance_sitemap.xml; the outlet-probe found /rss/une.xml "
             "answering 404 (not used)",
    ),
    CatalogEntry(
        key="sudouest", name="Sud Ouest", group="regional", domains=("www.sudouest.fr", "sudouest.fr"),
        entry_points=(
            rss("https://www.sudouest.fr/essentiel/rss.xml", "validation-table", True),
            rss("https://www.sudouest.fr/rss.xml", "probe-table", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{7,9}}\.php$",),
        examples=("https://www.sudouest.fr/gironde/bordeaux/bordeaux-le-tramway-prolonge-jusqu-a-l-aeroport-17402345.php",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape /<dept>/<town>/<slug>-<id>.php from memory (unverified); example invented; the outlet-probe "
             "got 403 (bot detection) on /arc/outboundfeeds/rss/",
    ),
    CatalogEntry(
        key="ladepeche", name="La Dépêche du Midi", group="regional", domains=("www.ladepeche.fr", "ladepeche.fr"),
        entry_points=(
            rss("https://www.ladepeche.fr/rss.xml", "validation-table; probe-table", True),
            news("https://www.ladepeche.fr/sitemap-news.xml", "quotaclimat", True),
            index("https://www.ladepeche.fr/sitemap.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}-\d{{6,9}}\.php$",),
        examples=("https://www.ladepeche.fr/2023/10/24/toulouse-la-ligne-c-du-metro-avance-11539001.php",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape /YYYY/MM/DD/<slug>-<id>.php: quotaclimat (\"articles en year/month/day/titre\") and the "
             "same group's midilibre_sitemap.xml; example invented on it",
        name_aliases=("La Dépêche",),
    ),
    CatalogEntry(
        key="midilibre", name="Midi Libre", group="regional", domains=("www.midilibre.fr", "midilibre.fr"),
        entry_points=(
            rss("https://www.midilibre.fr/rss.xml", "validation-table", True),
            news("https://www.midilibre.fr/sitemap-news.xml", "quotaclimat", True),
            index("https://www.midilibre.fr/sitemap.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}-\d{{6,9}}\.php$",),
        examples=(
            ("https://www.midilibre.fr/2023/10/24/controle-technique-des-deux-roues-motos-scooters-comment-la-mesure-va-"
            "t-elle-etre-mise-en-place-a-partir-de-2024-11539363.php"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/midilibre_sitemap.xml",
    ),
    CatalogEntry(
        key="letelegramme", name="Le Télégramme", group="regional",
        domains=("www.letelegramme.fr", "letelegramme.fr"),
        entry_points=(
            rss("https://www.letelegramme.fr/rss.xml", "validation-table", True),
            news("https://www.letelegramme.fr/sitemaps/sitemap-news/urlset.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{7}}\.php$",),
        examples=(
            ("https://www.letelegramme.fr/monde/mali-la-mission-de-lonu-engage-sous-tension-une-nouvelle-phase-de-son-"
            "retrait-6450249.php"),
            ("https://www.letelegramme.fr/finistere/ergue-gaberic-29500/cinq-blesses-dans-un-accident-de-circulation-a-"
            "ergue-gaberic-6450248.php"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/letelegramme_sitemap.xml; the outlet-probe got 404 on "
             "/rss/titres.rss (not used)",
    ),
    CatalogEntry(
        key="lavoixdunord", name="La Voix du Nord", group="regional",
        domains=("www.lavoixdunord.fr", "lavoixdunord.fr"),
        entry_points=(
            rss("https://www.lavoixdunord.fr/rss", "feed-lists (one notes Cloudflare 403 to scripts)"),
            news("https://www.lavoixdunord.fr/sites/default/files/sitemaps/www_lavoixdunord_fr/sitemapnews-0.xml",
                 "fetched by a public project's code (GitHub code search; no result shown)"),
        ),
        article_paths=(rf"^/\d{{6,7}}/article/\d{{4}}-\d{{2}}-\d{{2}}/{SLUG}$",),
        examples=(("https://www.lavoixdunord.fr/1603743/article/2025-07-06/municipales-mouvaux-charles-delavenne-sera-"
                  "candidat-la-tete-d-une-liste"),),
        skip_paths=COMMON_SKIPS,
        seen="article URLs /<id>/article/YYYY-MM-DD/<slug> linked from public pages (GitHub code search)",
    ),
    CatalogEntry(
        key="leprogres", name="Le Progrès", group="regional", domains=("www.leprogres.fr", "leprogres.fr"),
        entry_points=(rss("https://www.leprogres.fr/rss", "validation-table", True),),
        article_paths=(rf"^/{SECTIONS}\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}$",),
        examples=(("https://www.leprogres.fr/environnement/2021/07/16/inondations-glissement-de-terrain-le-"
                  "departement-prend-l-eau"),),
        skip_paths=COMMON_SKIPS,
        seen="article URLs /<section>/YYYY/MM/DD/<slug> linked from public pages (GitHub code search)",
    ),
    CatalogEntry(
        key="ledauphine", name="Le Dauphiné libéré", group="regional", domains=("www.ledauphine.com", "ledauphine.com"),
        entry_points=(rss("https://www.ledauphine.com/rss", "validation-table", True),),
        article_paths=(rf"^/{SECTIONS}\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}$",),
        examples=("https://www.ledauphine.com/economie/2023/10/25/grenoble-une-usine-de-semi-conducteurs-s-agrandit",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape as Le Progrès (same group, EBRA; not checked on a Dauphiné URL); example invented",
        name_aliases=("Le Dauphiné Libéré",),
    ),
    CatalogEntry(
        key="dna", name="Dernières Nouvelles d'Alsace", group="regional", domains=("www.dna.fr", "dna.fr"),
        entry_points=(rss("https://www.dna.fr/rss", "validation-table", True),),
        article_paths=(rf"^/{SECTIONS}\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}$",),
        examples=("https://www.dna.fr/politique/2023/10/25/strasbourg-le-conseil-municipal-vote-le-budget",),
        skip_paths=COMMON_SKIPS,
        seen="URL shape as Le Progrès (same group, EBRA; not checked on a DNA URL); example invented",
        name_aliases=("DNA",),
    ),
    CatalogEntry(
        key="nicematin", name="Nice-Matin", group="regional", domains=("www.nicematin.com", "nicematin.com"),
        entry_points=(
            rss("https://www.nicematin.com/rss", "validation-table", True),
            news("https://www.nicematin.com/googlenews.xml", "quotaclimat", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{6,7}}$",),
        examples=(
            ("https://www.nicematin.com/faits-divers/a-nice-la-replique-dun-gilet-tactique-abandonne-avec-une-grenade-"
            "provoque-lintervention-de-la-police-881520"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/nicematin_sitemap.xml",
    ),
    CatalogEntry(
        key="laprovence", name="La Provence", group="regional", domains=("www.laprovence.com", "laprovence.com"),
        entry_points=(
            news("https://www.laprovence.com/sitemap_news.xml", "quotaclimat", True),
            rss("https://www.laprovence.com/arc/outboundfeeds/rss/", "outlet-probe (answered 503 on 2026-03-26)"),
            index("https://www.laprovence.com/sitemap_index.xml", "quotaclimat", True),
        ),
        # /article/france-monde/17776652081867/<slug>
        article_paths=(rf"^/article/{SLUG}/\d{{10,17}}/{SLUG}$",),
        examples=(
            ("https://www.laprovence.com/article/economie/39236451439411/entreprises-centenaires-vivian-et-cie-construit-"
            "et-rehabilite-marseille-depuis-1830"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs: quotaclimat mockwebsite/laprovence_sitemap.xml",
    ),
    # ------------------------------------------------------------------ French-language media abroad
    CatalogEntry(
        key="lesoir", name="Le Soir", group="abroad", country="BE", domains=("www.lesoir.be", "lesoir.be"),
        entry_points=(rss("https://www.lesoir.be/rss2/2/cible_principale",
                          "a public feed directory noting ids 2, 9, 10, 11, 13, 31867, 31876 answering on 2026-10-09 "
                          "(GitHub code search); feed-lists (one reports an XML error, another 403)", True),),
        article_paths=(rf"^/\d{{6}}/article/\d{{4}}-\d{{2}}-\d{{2}}/{SLUG}$",),
        examples=(("https://www.lesoir.be/517145/article/2023-06-02/comment-leurope-entend-scanner-nos-conversations-"
                  "privees-sur-whatsapp"),),
        skip_paths=COMMON_SKIPS,
        seen="article URLs /<id>/article/YYYY-MM-DD/<slug> linked from public pages (GitHub code search; the "
             "example is one, its slug cut short)",
    ),
    CatalogEntry(
        key="rtbf", name="RTBF", group="abroad", country="BE", domains=("www.rtbf.be", "rtbf.be", "rss.rtbf.be"),
        entry_points=(rss("https://rss.rtbf.be/article/rss/highlight_rtbf_info.xml?source=internal", "feed-lists"),),
        article_paths=(rf"^/article/{SLUG}-\d{{7,8}}$", r"^/article/\d{7,8}$"),
        examples=(("https://www.rtbf.be/article/quel-est-le-tarif-de-base-pour-du-baby-sitting-voici-quelques-chiffres-"
                  "indicatifs-11483677"), "https://www.rtbf.be/article/11174850"),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/auvio/")),
        seen="article URLs /article/<slug>-<id> and /article/<id> linked from public pages (GitHub code search)",
        name_aliases=("RTBF Info",),
    ),
    CatalogEntry(
        key="letemps", name="Le Temps", group="abroad", country="CH", domains=("www.letemps.ch", "letemps.ch"),
        entry_points=(rss("https://www.letemps.ch/articles.rss", "a public feed research note listing it as a working "
                          "RSS 2.0 feed with a paywall flag per item (GitHub code search); feed-lists", True),),
        article_paths=(r"^/(?:[a-z0-9-]+/)+[a-z0-9]+(?:-[a-z0-9]+){3,}$",),
        examples=("https://www.letemps.ch/culture/ecrans/lolita-malgre-moi-le-remake-la-mechancete-n-a-pas-d-age",),
        skip_paths=COMMON_SKIPS,
        seen="article URL /<section>/<sub>/<slug>: a link in noesya/dslt content/docs/composants/listes-et-grilles "
             "(Le Temps's design system docs)",
    ),
    CatalogEntry(
        key="rts", name="RTS", group="abroad", country="CH", domains=("www.rts.ch", "rts.ch"),
        entry_points=(rss("https://www.rts.ch/info/?format=rss/news", "feed-lists (one reports ?format=rss removed)"),),
        article_paths=(rf"^/info/{SECTIONS}\d{{4}}/article/{SLUG}-\d{{8}}\.html$",),
        examples=("https://www.rts.ch/info/suisse/2023/article/le-conseil-federal-presente-son-budget-28284245.html",),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/play/")),
        seen="URL shape /info/<section>/YYYY/article/<slug>-<id>.html: prefix seen in a page link (GitHub code "
             "search), the id suffix from memory (unverified); example invented",
        name_aliases=("RTS Info",),
    ),
    CatalogEntry(
        key="ledevoir", name="Le Devoir", group="abroad", country="CA", domains=("www.ledevoir.com", "ledevoir.com"),
        entry_points=(
            rss("https://www.ledevoir.com/rss/manchettes.xml", "calibre ledevoir.recipe (a 2012 recipe still shipped); "
                "feed-lists", True),
            rss("https://www.ledevoir.com/rss/section/politique/canada.xml",
                "a public Quebec source table marking it \"Confirmée\"", True),
        ),
        article_paths=(rf"^/{SECTIONS}\d{{6}}/{SLUG}$",),
        examples=(("https://www.ledevoir.com/environnement/815840/emissions-carbone-google-ont-augmente-48-cinq-ans-"
                  "cause-ia"), ("https://www.ledevoir.com/actualites/education/912921/quebec-espere-nouveau-attirer-"
                  "milliers-enseignants-retraites-ecoles")),
        skip_paths=COMMON_SKIPS,
        seen="article URLs /<section>/[<sub>/]<id>/<slug> linked from public pages (GitHub code search)",
    ),
    CatalogEntry(
        key="lapresse", name="La Presse", group="abroad", country="CA", domains=("www.lapresse.ca", "lapresse.ca"),
        entry_points=(
            rss("https://www.lapresse.ca/actualites/rss", "feed-lists"),
            rss("https://www.lapresse.ca/actualites/politique/rss", "a public Quebec source table marking it \"Confirmée\"",
                True),
        ),
        article_paths=(rf"^/{SECTIONS}\d{{4}}-\d{{2}}-\d{{2}}/(?:{SLUG}/)?{SLUG}\.php$",),
        examples=(
            ("https://www.lapresse.ca/actualites/politique/2025-09-11/le-pq-critique-pour-une-publicite-sur-l-"
            "immigration.php"),
            ("https://www.lapresse.ca/actualites/sciences/2025-06-20/traitement-de-la-depression/le-bon-et-le-mauvais-"
            "de-la-ketamine.php"),
        ),
        skip_paths=COMMON_SKIPS,
        seen="article URLs /<section>/<sub>/YYYY-MM-DD/[<dossier>/]<slug>.php linked from public pages (GitHub code "
             "search)",
    ),
    CatalogEntry(
        key="radiocanada", name="Radio-Canada", group="abroad", country="CA",
        domains=("ici.radio-canada.ca",),
        entry_points=(
            rss("https://ici.radio-canada.ca/rss/4159", "calibre radio_canada.recipe (Grands titres)", True),
            rss("https://ici.radio-canada.ca/rss/1000524", "calibre radio_canada.recipe (En continu)", True),
        ),
        article_paths=(rf"^/(?:{SLUG}/)?nouvelle/\d{{6,7}}/{SLUG}$",),
        examples=(("https://ici.radio-canada.ca/nouvelle/2205360/budget-federal-depenses-compressions-investissements-"
                  "deficit-2025"),),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/(?:ohdio|tele|emissions)/"), ("video", r"/(?:segments|entrevue)/")),
        noise_css=("aside", ".framed"),
        seen="skipped /emissions/ /segments/ /entrevue/ /ohdio/ and removed blocks (aside; .framed = \"À lire aussi\"): "
             "calibre radio_canada.recipe; article URL /nouvelle/<id>/<slug>: links in public pages (GitHub code search)",
        name_aliases=("ICI Radio-Canada",),
    ),
    # ------------------------------------------------------------------ more national media
    CatalogEntry(
        key="euronewsfr", name="Euronews (FR)", group="broadcaster", domains=("fr.euronews.com",),
        entry_points=(
            rss("https://fr.euronews.com/rss", "validation-table", True),
            news("https://fr.euronews.com/sitemaps/fr/latest-news.xml", "fundus", True),
            index("https://fr.euronews.com/sitemaps/fr/articles.xml", "fundus", True),
        ),
        article_paths=(rf"^/(?:{SLUG}/)?\d{{4}}/\d{{2}}/\d{{2}}/{SLUG}$",),
        examples=("https://fr.euronews.com/2023/10/25/le-parlement-europeen-adopte-le-pacte-sur-la-migration",),
        skip_paths=(*COMMON_SKIPS, ("video", r"^/(?:video|programmes)/")),
        seen="URL shape /YYYY/MM/DD/<slug> from memory (Fundus reads it with its shared Euronews parser); example "
             "invented",
        name_aliases=("Euronews",),
    ),
    CatalogEntry(
        key="lequipe", name="L'Équipe", group="national", domains=("www.lequipe.fr", "lequipe.fr", "dwh.lequipe.fr"),
        entry_points=(
            news("https://www.lequipe.fr/sitemap/sitemap_google_news_premium.xml", "quotaclimat", True),
            news("https://www.lequipe.fr/sitemap/sitemap_google_news_gratuit.xml", "quotaclimat (a comment asks whether "
                 "it exists too)"),
            rss("https://dwh.lequipe.fr/api/edito/rss?path=/", "probe-table", True),
            index("https://www.lequipe.fr/sitemap.xml", "quotaclimat", True),
        ),
        article_paths=(r"^/[A-Za-z-]+/(?:[A-Za-z-]+/)*Actualites/[a-z0-9-]+/\d+$",),
        examples=("https://www.lequipe.fr/Football/Actualites/le-psg-s-impose-a-marseille/1423456",),
        skip_paths=(*COMMON_SKIPS, ("video", r"/(?:Video|Direct)/")),
        seen="path ending in digits: quotaclimat's regex (\"quelques chiffres à la fin\"); /<Sport>/Actualites/ from "
             "memory; example invented",
        name_aliases=("L'Equipe",),
    ),
    CatalogEntry(
        key="telerama", name="Télérama", group="weekly", domains=("www.telerama.fr", "telerama.fr"),
        entry_points=(
            rss("https://www.telerama.fr/rss/une.xml", "probe-table", True),
            news("https://www.telerama.fr/sitemaps/sitemap_news.php", "quotaclimat", True),
        ),
        article_paths=(rf"^/{SECTIONS}{SLUG}-\d{{6,8}}(?:\.php)?$",),
        examples=("https://www.telerama.fr/cinema/un-festival-de-films-restaures-a-lyon-7017585.php",),
        skip_paths=(*COMMON_SKIPS, ("not_article", r"^/(?:programme-tv|tv)/")),
        seen="URL shape /<section>/<slug>-<id>.php from memory (unverified); example invented",
    ),
)


# ---------------------------------------------------------------------------- validation
class CatalogError(ValueError):
    """The catalog breaks one of its rules (raised at import: a broken entry never ships)."""


def validate(entries: tuple[CatalogEntry, ...], taken: dict[str, str] | None = None) -> None:
    """Keys and domains unique (also against ``taken``: domain -> key of the named sites),
    patterns compile, entry points http(s) on the entry's own domains, examples are articles."""
    from parsel import Selector

    problems: list[str] = []
    keys: set[str] = set(taken.values()) if taken else set()
    owner: dict[str, str] = dict(taken or {})
    probe = Selector(text="<html><body></body></html>")
    for e in entries:
        before = len(problems)
        if not re.fullmatch(r"[a-z0-9]+", e.key):
            problems.append(f"{e.key!r}: a key is lowercase letters and digits")
        if e.key in keys:
            problems.append(f"{e.key}: duplicate key")
        keys.add(e.key)
        if not e.name or not e.domains or not e.start_urls or not e.article_paths or not e.examples:
            problems.append(f"{e.key}: name, domains, a daily entry point, article_paths and examples are required")
        for domain in e.domains:
            if domain != domain.lower() or "/" in domain or ":" in domain:
                problems.append(f"{e.key}: bad domain {domain!r}")
            if domain in owner and owner[domain] != e.key:
                problems.append(f"{e.key}: domain {domain} already belongs to {owner[domain]}")
            owner[domain] = e.key
        for pattern in (*e.article_paths, *e.live_paths, *(p for _, p in e.skip_paths)):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"{e.key}: pattern {pattern!r} does not compile: {exc}")
        for css in (*e.paywall_css, *e.noise_css):
            try:
                probe.css(css)
            except Exception as exc:
                problems.append(f"{e.key}: selector {css!r} does not compile: {exc}")
        for ep in e.entry_points:
            parts = urlsplit(ep.url)
            if parts.scheme not in ("http", "https") or (parts.hostname or "") not in e.domains:
                problems.append(f"{e.key}: entry point {ep.url} is not http(s) on the site's domains")
            if ep.confirmed and not ep.seen:
                problems.append(f"{e.key}: confirmed entry point {ep.url} names no source")
        if len(problems) == before:  # this entry's patterns compile: its URLs can be judged
            from newscrawl.publishers import classify_path  # the registry's own rule, no copy

            for url in e.examples:
                verdict = classify_path(url, e.article_paths, e.skip_paths, e.live_paths)
                host = urlsplit(url).hostname or ""
                if host not in e.domains or verdict not in ("article", "live"):
                    problems.append(f"{e.key}: example {url} is {verdict} on {host} (article expected)")
            for ep in e.entry_points:  # the spider fetches a start URL with an article path as an article
                if classify_path(ep.url, e.article_paths, e.skip_paths, e.live_paths) in ("article", "live"):
                    problems.append(f"{e.key}: entry point {ep.url} matches article_paths: it would be fetched "
                                    "as an article")
    if problems:
        raise CatalogError("catalog of publishers: " + "; ".join(problems))
