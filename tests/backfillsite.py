"""A local news site with an archive for the backfill tests (test_backfill_e2e): articles on
given days, in the generic site's markup (tests/e2e_support.article_html), listed by

- a dated sitemap index ``/sitemap_index.xml``: month sitemaps (``/sitemaps/2023-11.xml``,
  entries dated by ``lastmod``), day sitemaps (``/sitemaps/2024-01-02.xml``, Google News
  entries with ``news:publication_date``) and two undated sitemaps with a ``lastmod``;
- a ``lastmod``-less index ``/plain/index.xml`` of undated sitemaps (``/plain/sitemap-1.xml``)
  whose entries carry a ``lastmod``, or no date at all.

The stories are invented; each article's text is its own (content dedup keeps them apart).
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from newscrawl.localsite import Page
from tests.e2e_support import article_html

ROOT = Path(__file__).resolve().parent.parent
TOWNS = ["Aurillac", "Bressuire", "Cahors", "Dax", "Épinal", "Figeac", "Gap", "Hazebrouck", "Issoire", "Joigny",
         "Lannion", "Millau", "Nérac", "Oloron", "Pamiers", "Quimperlé", "Riom", "Sarlat", "Tulle", "Uzès",
         "Vitré", "Wissembourg", "Yssingeaux", "Albi", "Bayeux", "Cluny", "Dole", "Étampes", "Foix", "Guéret"]
SUBJECTS = [
    ("la médiathèque", "ouvre une salle de jeux anciens", "Les bénévoles ont restauré des damiers et des tarots du siècle dernier."),
    ("le marché couvert", "change d'horaires pour l'hiver", "Les maraîchers arriveront désormais une heure plus tard le samedi."),
    ("la piscine municipale", "rouvre après huit mois de travaux", "Le bassin extérieur a été chauffé grâce à une pompe géothermique."),
    ("le club de rugby", "inaugure une tribune en bois local", "Les charpentiers du canton ont assemblé la structure en trois semaines."),
    ("la gare routière", "accueille une consigne à vélos", "Deux cents places abritées seront accessibles avec la carte de transport."),
    ("le conservatoire", "lance un orchestre pour adultes débutants", "Les répétitions auront lieu le mardi soir dans l'ancienne chapelle."),
]  # fmt: skip


@dataclass
class Story:
    n: int
    published: datetime
    path: str
    title: str
    paragraphs: list[str]

    @property
    def iso(self) -> str:
        return self.published.isoformat(timespec="seconds")


def story(n: int, published: str) -> Story:
    town = TOWNS[n % len(TOWNS)]
    place, action, detail = SUBJECTS[n % len(SUBJECTS)]
    title = f"À {town}, {place} {action} (numéro {n})"
    paragraphs = [
        (f"La décision a été prise lors du conseil municipal de {town}, après une consultation des habitants "
        f"qui a réuni {120 + 7 * n} participants."),
        detail,
        f"Le maire de {town} promet un premier bilan au printemps, et la dépense prévue atteint {15 + n} mille euros.",
    ]
    words = f"{town} {place.split()[-1]} {action.split()[0]} n{n}".lower()
    slug = "-".join(unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().split())
    return Story(n, datetime.fromisoformat(published), f"/actualites/{slug}.html", title, paragraphs)


def article_page(s: Story) -> Page:
    return Page(article_html(s.title, s.paragraphs, published=s.iso, lead=s.paragraphs[1]))


def sitemap_index(entries: list[tuple[str, str | None]]) -> Page:
    rows = "".join(f"<sitemap><loc>{{{{BASE}}}}{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</sitemap>"
                   for u, m in entries)
    return Page('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{rows}</sitemapindex>', content_type="application/xml")


def urlset(entries: list[tuple[str, str | None, str | None]]) -> Page:
    """(path, lastmod, news publication date) entries."""
    rows = []
    for path, lastmod, published in entries:
        news = ("<news:news><news:publication><news:name>Le Courrier des Bourgs</news:name><news:language>fr"
                f"</news:language></news:publication><news:publication_date>{published}</news:publication_date>"
                "</news:news>") if published else ""
        rows.append(f"<url><loc>{{{{BASE}}}}{escape(path)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
                    + news + "</url>")
    return Page('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>",
                content_type="application/xml")


def backfill_cmd(base: str, tmp: Path, start: str, *extra: str, site: str = "generic") -> list[str]:
    """``python -m newscrawl crawl <site> -a start_urls=<start>`` with every output under ``tmp``."""
    return [
        sys.executable, "-m", "newscrawl", "crawl", site, "--output", str(tmp / "out"),
        "-a", f"start_urls={base}{start}",
        "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}", "-s", f"NEWSCRAWL_STATS_FILE={tmp / 'stats.json'}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
        "-s", "NEWSCRAWL_MONITOR_MIN_SAMPLE=1", "-s", "LOG_LEVEL=INFO", *extra,
    ]


def run(cmd: list[str], timeout: int = 90) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=timeout, check=False)
