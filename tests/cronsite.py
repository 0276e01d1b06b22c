"""A franceinfo-shaped local site for the cron-run tests (test_run_*, test_crash, test_warc).

The markup follows franceinfo's article template (article#js--content, h1.c-title,
.c-chapo, time[datetime], div.c-body > p, JSON-LD NewsArticle, OpenGraph); the stories are
invented. Dates are relative to now (in the past), so a 2-day --max-age keeps them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from newscrawl.localsite import Page

ROOT = Path(__file__).resolve().parent.parent

STORIES = [
    ("Tramway de Vierzon : la ligne nord ouvrira avec trois mois d'avance", "Les essais sur les voies neuves se sont achevés plus tôt que prévu, annonce l'agglomération.",
     ["Les premières rames circuleront dès le printemps sur les six kilomètres de la ligne nord, entre la gare et le quartier des Forges.",
      "Le chantier, lancé il y a deux ans, a profité d'un hiver sec qui a permis de couler les dalles sans interruption.",
      "Les commerçants de l'avenue Pasteur, longtemps gênés par les travaux, réclament désormais des places de livraison supplémentaires."]),
    ("Dans le Jura, une fromagerie coopérative relance le comté d'alpage", "Douze éleveurs ont mis en commun leurs estives pour produire une meule d'exception.",
     ["La coopérative de Foncine-le-Haut a affiné cet automne ses cent premières meules issues de troupeaux restés en altitude tout l'été.",
      "Chaque meule porte une plaque verte qui garantit un lait récolté au-dessus de mille mètres, une première dans le massif.",
      "Les producteurs espèrent doubler les volumes d'ici trois saisons si la demande des crémiers parisiens se confirme."]),
    ("À Brest, la bibliothèque des Capucins prête désormais des instruments de musique", "Guitares, ukulélés et claviers s'empruntent comme des livres, pour trois semaines.",
     ["Le fonds compte déjà quatre-vingts instruments, révisés chaque mois par un luthier installé dans les anciens ateliers de la marine.",
      "Les inscrits peuvent réserver en ligne et suivre gratuitement une initiation le samedi matin dans l'auditorium.",
      "La municipalité envisage d'étendre le service aux médiathèques de quartier si les retours restent aussi nombreux."]),
    ("Le lac de Vassivière accueille un championnat de voile pour jeunes sourds", "Quarante équipages venus de huit pays s'affrontent pendant cinq jours sur le plan d'eau limousin.",
     ["Les départs sont signalés par des fanions lumineux synchronisés, mis au point par une école d'ingénieurs de Limoges.",
      "Les organisateurs ont formé une vingtaine de bénévoles à la langue des signes pour assurer la sécurité sur l'eau.",
      "La fédération souhaite faire de cette compétition un rendez-vous annuel ouvert aux clubs de tout le continent."]),
    ("Une start-up lyonnaise recycle les coques de bateaux en mobilier urbain", "La résine des vieux voiliers est broyée puis moulée en bancs et jardinières.",
     ["L'entreprise, fondée par deux anciens chantiers navals, traite déjà trois cents coques par an dans son atelier de Vénissieux.",
      "Les premiers bancs ont été installés sur les quais de Saône, où ils résistent sans entretien aux crues d'hiver.",
      "Les ports de plaisance, qui peinaient à se débarrasser des épaves, paient désormais un forfait pour chaque bateau repris."]),
    ("Fermeture du pont de Nogent : les automobilistes invités à contourner par Bry", "L'ouvrage sera fermé la nuit pendant six semaines pour remplacer ses joints de dilatation.",
     ["La circulation sera coupée de 22 heures à 5 heures du matin, du lundi au jeudi, à partir de la semaine prochaine.",
      "Une navette fluviale gratuite assurera la traversée des piétons et des cyclistes pendant toute la durée des travaux.",
      "Les services départementaux recommandent d'anticiper les trajets nocturnes vers l'hôpital en empruntant la déviation balisée."]),
    ("Les apiculteurs des Cévennes inquiets après un printemps trop pluvieux", "La récolte de miel de châtaignier pourrait chuter de moitié cette année.",
     ["Les ruches installées en fond de vallée n'ont presque pas produit, les abeilles étant restées confinées pendant les floraisons.",
      "Le syndicat apicole demande un fonds d'urgence pour nourrir les colonies avant l'hiver et éviter des pertes massives.",
      "Certains producteurs testent des ruchers mobiles qui suivent les floraisons d'altitude, plus tardives et moins exposées."]),
    ("Un observatoire amateur du Gers découvre un astéroïde géocroiseur", "L'objet, d'une centaine de mètres, ne présente aucun danger selon les premiers calculs.",
     ["Le club d'astronomie de Mauvezin a repéré le point lumineux lors d'une nuit d'observation consacrée aux comètes.",
      "Les mesures ont été confirmées en quarante-huit heures par deux télescopes professionnels au Chili et en Espagne.",
      "L'association pourra proposer un nom pour l'astéroïde, et les écoliers du canton ont déjà lancé un concours."]),
]  # fmt: skip

SLUGS = [
    "tramway-de-vierzon-la-ligne-nord-ouvrira-en-avance", "dans-le-jura-une-fromagerie-relance-le-comte-d-alpage",
    "a-brest-la-bibliotheque-prete-des-instruments", "le-lac-de-vassiviere-accueille-un-championnat-de-voile",
    "une-start-up-lyonnaise-recycle-les-coques-de-bateaux", "fermeture-du-pont-de-nogent-la-nuit",
    "les-apiculteurs-des-cevennes-inquiets", "un-observatoire-amateur-du-gers-decouvre-un-asteroide",
]


def article_path(i: int) -> str:
    return f"/societe/{SLUGS[i]}_{7400101 + i}.html"


def article_html(i: int, published: datetime, *, body: bool = True) -> str:
    title, lead, paragraphs = STORIES[i]
    iso = published.isoformat(timespec="seconds")
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title[:110],
          "description": lead, "datePublished": iso, "dateModified": iso,
          "author": {"@type": "Person", "name": "Claire Fontanel"},
          "publisher": {"@type": "Organization", "name": "franceinfo"}}
    paras = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    if not body:  # a layout change: the page keeps its title and loses its text
        return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><main id="base-page__main-content"><article id="js--content" class="content--classic">
<h1 class="c-title">{escape(title)}</h1><div class="c-body"></div></article></main></body></html>
"""
    return f"""<!DOCTYPE html>
<html lang="fr" class="is-mobile no-js">
<head>
  <meta charset="utf-8">
  <title>{escape(title)}</title>
  <link rel="canonical" href="{{{{BASE}}}}{article_path(i)}">
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:description" content="{escape(lead)}">
  <meta property="og:site_name" content="Franceinfo">
  <meta property="article:published_time" content="{iso}">
  <script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
  <main id="base-page__main-content">
    <article id="js--content" class="content--classic">
      <h1 class="c-title">{escape(title)}</h1>
      <p class="c-chapo">{escape(lead)}</p>
      <div class="signature"><div class="signature__names">
        <a class="author-link" href="/redaction/claire-fontanel/">Claire Fontanel</a></div></div>
      <div class="publication-date"><span class="publication-date__published">
        Publié le <time datetime="{iso}">{published:%d/%m/%Y}</time></span></div>
      <div class="c-body">
{paras}
      </div>
      <section class="related-tags"><a class="related-tags__tag-link" href="/societe/">Société</a></section>
    </article>
  </main>
</body>
</html>
"""


def feed_xml(indices: list[int], published: datetime) -> str:
    items = "\n".join(
        f"""    <item>
      <title>{escape(STORIES[i][0])}</title>
      <link>{{{{BASE}}}}{article_path(i)}#xtor=RSS-3-[lestitres]</link>
      <pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>
    </item>"""
        for i in indices
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>franceinfo - Les Titres</title>
    <link>{{{{BASE}}}}/</link>
{items}
  </channel>
</rss>
"""


def site_pages(n: int = 4, *, delay: float = 0.0, body: bool = True, age: timedelta = timedelta(hours=3),
               missing: tuple[int, ...] = ()) -> dict[str, Page]:
    """The feed ``/titres.rss`` listing articles 0..n-1 (``missing`` ones answer 404), robots.txt."""
    published = (datetime.now(UTC) - age).replace(microsecond=0)
    pages = {
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain; charset=utf-8"),
        "/titres.rss": Page(feed_xml(list(range(n)), published), content_type="application/rss+xml; charset=utf-8"),
    }
    for i in range(n):
        if i not in missing:
            pages[article_path(i)] = Page(article_html(i, published, body=body), delay=delay)
    return pages


def article_hits(site: Any) -> int:
    return sum(v for k, v in site.hits.items() if k.startswith("/societe/"))


def crawl_cmd(site_url: str, tmp: Path, *extra: str, sites: tuple[str, ...] = ("franceinfo",)) -> list[str]:
    """``python -m newscrawl crawl`` against a local site, everything under ``tmp``."""
    return [
        sys.executable, "-m", "newscrawl", "crawl", *sites,
        "--output", str(tmp / "out"),
        "-a", f"start_urls={site_url}/titres.rss",
        "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
        "-s", "NEWSCRAWL_MONITOR_MIN_SAMPLE=1", "-s", "LOG_LEVEL=INFO",
        *extra,
    ]


def run_crawl(site_url: str, tmp: Path, *extra: str, timeout: int = 60, **kw: Any) -> subprocess.CompletedProcess[str]:
    """Run the crawl command; on a timeout, fail with what the process had logged so far."""
    cmd = crawl_cmd(site_url, tmp, *extra, **kw)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"crawl still running after {timeout} s:\n{out[-2000:]}\n{err[-6000:]}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def jsonl_lines(out: Path) -> list[str]:
    lines: list[str] = []
    for path in sorted(out.glob("*/*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return lines


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in jsonl_lines(out)]


def manifest(out: Path) -> dict[str, Any]:
    paths = sorted((out / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)  # the latest run
    assert paths, f"no manifest in {out / 'runs'}"
    return json.loads(paths[-1].read_text(encoding="utf-8"))
