"""Realistic, varied article pages for the benchmarks, generated from the project's own fixtures.

Each parser fixture ``tests/fixtures/pages/<site>/<name>.html`` (+ ``.json``) becomes a *template*:
the page's markup is kept as it is (head, JSON-LD, navigation, sidebars, comments, footers...),
and the parts that make one article differ from another are cut out and replaced by slots:

- the body: the container holding the expected body lines (``expected.text`` of the sidecar) is
  emptied; its children are sorted into content blocks (they become the paragraph and heading
  *markup* templates) and noise blocks (players, embeds, ads, "À lire aussi" boxes, captions...),
  which join the site's pool of noise blocks;
- the title and the lead, wherever they occur (text nodes, meta attributes, JSON-LD strings);
- the article URL (its path, everywhere) and, for aggregator copies, the original article's URL;
- JSON-LD ``articleBody`` (filled with the generated body) when the page has one.

A generated page fills these slots with INVENTED French text (sentences drawn from the word lists
below, nothing copied from any real page): a new title and lead, 2 to 30 paragraphs with
subheadings, and 0 to 6 noise blocks drawn from the site's pool, plus text-level noise lines
(the cleaning rules' own samples, only those the cleaning removes anywhere in a text). Every page
has a unique URL and a unique body, so the crawl's dedup keeps them all.

Fixtures whose body is not in the DOM (Next.js data, JSON-LD only) keep it in JSON-LD when they
have ``articleBody``; live pages are left out (a crawl skips them).

    from benchmarks._pages import PageFactory
    factory = PageFactory.load()
    page = factory.page(42)          # deterministic: same index, same page
    page.url, page.body, page.expected_lines
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from newscrawl.fixtures import Fixture, load_fixtures
from newscrawl.parsers import parser_for
from newscrawl.text.blocks import node_text
from newscrawl.text.markup import decode_html
from newscrawl.text.normalize import clean_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
SITES = ("franceinfo", "lefigaro", "leparisien", "daily8", "generic")

# Slot markers: plain ASCII that survives lxml serialisation and never occurs in a page.
_MARK = "\x60NC{}\x60"  # backquotes: never in our fixtures' markup
SLOT_RX = re.compile(r"`NC([A-Z_]+)`")
BODY = "BODY"  # the body blocks (HTML)
TITLE_T, TITLE_A, TITLE_J = "TITLE_T", "TITLE_A", "TITLE_J"  # title in text / attribute / JSON
LEAD_T, LEAD_A, LEAD_J = "LEAD_T", "LEAD_A", "LEAD_J"
BODY_J = "BODY_J"  # the body as a JSON string (JSON-LD articleBody)
PATH = "PATH"  # the article URL's path (URL-safe: no escaping)
ORIG = "ORIG"  # the original article's URL path (aggregator copies)
PAGE_ID = "PAGE_ID"  # Daily8's 32-hex page id
CHROME_HEAD, CHROME_TOP, CHROME_BOTTOM = "CHROME_HEAD", "CHROME_TOP", "CHROME_BOTTOM"  # invented page chrome

MIN_FOUND_SHARE = 0.6  # share of the expected body lines a DOM container must hold to be the body


def mark(slot: str) -> str:
    return _MARK.format(slot)


# --------------------------------------------------------------------------- invented French text

_VILLES = (
    "Quimperlé", "Albi", "Montluçon", "Saint-Brieuc", "Vesoul", "Aurillac", "Dax", "Laval", "Épinal", "Auxerre",
    "Bourg-en-Bresse", "Châteauroux", "Rodez", "Chalon-sur-Saône", "Lorient", "Périgueux", "Cahors", "Niort",
    "Saint-Lô", "Tarbes", "Mâcon", "Alençon", "Guéret", "Agen", "Colmar", "Gap", "Foix", "Blois", "Dole",
    "Cognac", "Vannes", "Sète", "Arles", "Annonay", "Millau", "Fougères", "Saumur", "Lisieux", "Menton",
    "Verdun", "Redon", "Brive", "Bayeux", "Pontivy", "Lannion", "Figeac", "Montélimar", "Carpentras",
)  # fmt: skip
_DEPTS = (
    "du Cantal", "de la Manche", "de l'Aveyron", "des Vosges", "du Finistère", "de la Creuse", "du Lot",
    "de la Sarthe", "de l'Yonne", "du Morbihan", "des Landes", "de la Drôme", "du Jura", "de l'Orne",
    "de la Corrèze", "du Gers", "de l'Ariège", "de la Mayenne", "du Doubs", "de la Nièvre", "des Ardennes",
)  # fmt: skip
_PRENOMS = (
    "Camille", "Julien", "Nadia", "Thierry", "Sophie", "Karim", "Élodie", "Pascal", "Inès", "Bruno", "Léa",
    "Mathieu", "Amina", "Hervé", "Claire", "Yann", "Odile", "Rachid", "Margaux", "Gilles", "Salomé", "Loïc",
)  # fmt: skip
_NOMS = (
    "Berthelot", "Kervella", "Moreau-Dantec", "Chaptal", "Lebrun", "Ferrand", "Oukacha", "Vasseur", "Guérin",
    "Delmas", "Le Goff", "Rigaud", "Batiste", "Courtois", "Lamarque", "Pélissier", "Barbier", "Ndiaye",
    "Fontaine", "Marchal", "Tessier", "Roussel", "Aubry", "Caradec",
)  # fmt: skip
_ROLES = (
    "le maire", "l'adjointe chargée des mobilités", "le directeur de l'établissement", "la présidente de l'association",
    "un responsable syndical", "la porte-parole de la préfecture", "un agriculteur de la commune",
    "la directrice de l'agence régionale", "un commerçant du centre-ville", "le capitaine des pompiers",
    "une habitante du quartier", "le délégué départemental", "l'ingénieure chargée du chantier",
)  # fmt: skip
_SUJETS = (
    "Le conseil municipal", "La préfecture", "Le conseil départemental", "Une association de riverains",
    "La direction de l'hôpital", "Les syndicats", "Le rectorat", "La chambre d'agriculture",
    "Les services de l'État", "La communauté de communes", "Un collectif d'habitants", "La gendarmerie",
    "Le parquet", "La région", "Les sapeurs-pompiers", "L'office de tourisme", "La SNCF",
    "Le syndicat des eaux", "Les commerçants", "La mairie", "Un groupe de parents d'élèves",
)  # fmt: skip
_VERBES = (
    "a annoncé", "a confirmé", "a présenté", "a dénoncé", "a validé", "a reporté", "a lancé", "a obtenu",
    "réclame", "envisage", "prépare", "a détaillé", "a voté", "conteste", "a suspendu", "a relancé",
    "a signé", "défend", "a chiffré", "a promis",
)  # fmt: skip
_OBJETS = (
    "un plan de {n} millions d'euros pour {chantier}", "la fermeture provisoire {lieu}",
    "l'ouverture d'une enquête sur {chantier}", "la création de {n} postes {lieu}",
    "un nouveau calendrier pour {chantier}", "une consultation publique sur {chantier}",
    "le report de {chantier} à {mois}", "une aide exceptionnelle de {n} euros par foyer",
    "la réouverture {lieu} dès {mois}", "un moratoire sur {chantier}", "le rachat {lieu}",
    "une hausse de {n} % du budget consacré à {chantier}", "le recrutement de {n} saisonniers",
)  # fmt: skip
_CHANTIERS = (
    "la rénovation du pont suspendu", "l'extension de la zone d'activités", "la ligne de bus express",
    "la piscine intercommunale", "le contournement routier", "la station d'épuration",
    "la voie verte le long du canal", "le nouveau groupe scolaire", "la maison de santé",
    "le parc éolien en mer", "la réhabilitation des halles", "le réseau de chaleur", "la digue du port",
    "la cantine bio", "le plan de lutte contre les inondations", "la desserte ferroviaire",
)  # fmt: skip
_LIEUX = (
    "de la médiathèque", "du marché couvert", "de la gare routière", "de l'abattoir", "du camping municipal",
    "de la maternité", "du collège Jean-Moulin", "de la fromagerie coopérative", "du musée des Beaux-Arts",
    "de la scierie", "du centre aquatique", "de l'ancienne caserne", "du bureau de poste", "de la papeterie",
)  # fmt: skip
_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre", "novembre", "décembre")
_QUAND = (
    "jeudi soir", "mardi matin", "en début de semaine", "lors du dernier conseil", "vendredi",
    "à l'issue d'une réunion publique", "après plusieurs mois de discussions", "dans un communiqué publié lundi",
    "ce week-end", "mercredi après-midi", "à la surprise générale", "au terme d'une longue séance",
)  # fmt: skip
_CONSEQUENCES = (
    "Les premiers travaux doivent débuter {quand_futur}", "Le dossier sera examiné {quand_futur}",
    "Une réunion d'information est prévue {quand_futur}", "Les habitants pourront donner leur avis {quand_futur}",
    "Le chantier devrait durer {n} mois", "Près de {n} familles sont concernées",
    "Le coût total est estimé à {n} millions d'euros", "La mesure concerne {n} communes du secteur",
    "Une pétition a déjà recueilli {n} signatures", "Les élus de l'opposition ont voté contre",
)  # fmt: skip
_FUTUR = ("en {mois}", "au printemps", "avant l'été", "à la rentrée", "d'ici la fin de l'année", "le {j} {mois}")
_CITATIONS = (
    "Nous attendions ce moment depuis longtemps", "Ce n'est qu'une première étape", "Il faut aller plus vite",
    "Personne n'a été consulté", "Nous ferons le point dans six mois", "La sécurité reste notre priorité",
    "On ne peut pas laisser les choses en l'état", "Les chiffres parlent d'eux-mêmes",
    "Nous avons trouvé un compromis", "C'est une bonne nouvelle pour tout le territoire",
)  # fmt: skip
_TITRES = (
    "{ville} : {sujet_l} {verbe} {objet}", "{sujet} {verbe} {objet} à {ville}",
    "À {ville}, {sujet_l} {verbe} {objet}", "{ville} : {n} habitants mobilisés contre {chantier}",
    "Département {dept} : {sujet_l} {verbe} {objet}",
)  # fmt: skip
_INTERTITRES = (
    "Un calendrier serré", "Des riverains inquiets", "Un financement encore incertain", "Ce qui va changer",
    "Une première dans le département", "Les élus divisés", "Des précédents dans la région",
    "Un chantier attendu", "Les prochaines étapes", "Une mobilisation inédite", "Des chiffres en hausse",
    "Ce que dit la loi", "Un dossier ancien", "Les commerçants partagés",
)  # fmt: skip


class _Values(dict[str, str]):
    """Slot values drawn only when a template asks for them (``str.format_map``)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "n":
            value = str(r.choice((r.randint(2, 99), r.randint(100, 2500), r.randint(3, 40))))
        elif key == "j":
            value = str(r.randint(2, 28))
        elif key == "sujet_l":
            value = self["sujet"][0].lower() + self["sujet"][1:]
        elif key == "objet":
            value = r.choice(_OBJETS).format_map(self)
        elif key == "quand_futur":
            value = r.choice(_FUTUR).format_map(self)
        else:
            value = r.choice(_WORDS[key])
        self[key] = value
        return value


_WORDS: dict[str, tuple[str, ...]] = {
    "mois": _MOIS, "ville": _VILLES, "dept": _DEPTS, "chantier": _CHANTIERS, "lieu": _LIEUX, "sujet": _SUJETS,
    "verbe": _VERBES, "quand": _QUAND,
}  # fmt: skip


class Writer:
    """Invented French news text, deterministic for a given ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, template: str) -> str:
        return template.format_map(_Values(self.rng))

    def title(self) -> str:
        return self._fill(self.rng.choice(_TITRES))

    def person(self) -> str:
        return f"{self.rng.choice(_PRENOMS)} {self.rng.choice(_NOMS)}"

    def sentence(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.45:
            text = self._fill("{sujet} {dept} {verbe} {quand} {objet}")
        elif kind < 0.65:
            text = self._fill(r.choice(_CONSEQUENCES))
        elif kind < 0.8:
            text = f"« {r.choice(_CITATIONS)} », a déclaré {r.choice(_ROLES)}, {self.person()}"
        elif kind < 0.9:
            text = self._fill("Selon {sujet_l}, {n} % des habitants {dept} sont concernés par {chantier}")
        else:
            text = self._fill("À {ville}, {sujet_l} {verbe} {objet}, {quand}")
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.choice((1, 2, 2, 3, 3, 4))))

    def heading(self) -> str:
        return self.rng.choice(_INTERTITRES)


@dataclass(frozen=True)
class Bank:
    """Sentences and titles written once, drawn by the pages: rendering a page is then cheap
    enough for the benchmark server to do it on request (50,000 pages are never held)."""

    sentences: tuple[str, ...]
    titles: tuple[str, ...]

    @classmethod
    def build(cls, seed: int, sentences: int = 20_000, titles: int = 4_000) -> Bank:
        w = Writer(random.Random(seed))
        return cls(tuple(w.sentence() for _ in range(sentences)), tuple(w.title() for _ in range(titles)))

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(rng.choice(self.sentences) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))


@lru_cache(maxsize=8192)
def slugify(text: str, max_len: int = 70) -> str:
    folded = clean_text(text).lower()
    folded = "".join(c for c in _strip_accents(folded) if c.isalnum() or c in " -'")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:max_len].rstrip("-") or "article"


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# --------------------------------------------------------------------------- URLs


def article_path(site: str, fixture_path: str, title: str, index: int) -> str:
    """A new article path for ``site`` that its URL rules classify as an article, unique per index."""
    slug = slugify(title)
    digest = hashlib.blake2b(f"{site}:{index}".encode(), digest_size=16).hexdigest()
    sections = fixture_path.strip("/").split("/")[:-1]
    if site == "franceinfo":
        prefix = "/".join(sections) or "france"
        return f"/{prefix}/{slug}_{7_000_000 + index}.html"
    if site == "lefigaro":
        m = re.match(r"^(/[a-z0-9-]+(?:/[a-z0-9-]+)?/\d{4}/\d{2}/\d{2}/\d+-\d{8}(?:ARTFIG|FILWWW))\d+-", fixture_path)
        if m:  # legacy .php template
            return f"{m.group(1)}{index:05d}-{slug}.php"
        m = re.search(r"-((?:19|20)\d{6})$", fixture_path)
        return f"/{'/'.join(sections[:2]) or 'actualite-france'}/{slug}-{index}-{m.group(1) if m else '20240514'}"
    if site == "leparisien":
        m = re.search(r"-(\d{2}-\d{2}-\d{4})-[A-Z0-9]+\.php$", fixture_path)
        date = m.group(1) if m else "12-04-2023"
        return f"/{'/'.join(sections) or 'faits-divers'}/{slug}-{date}-{digest[:26].upper()}.php"
    if site == "daily8":
        return f"/fr/article/{digest}"
    return f"/{'/'.join(sections) or 'actualites'}/{slug}-{index}/"


def original_path(url: str, index: int) -> str:
    """A unique variant of an original article URL's path (Daily8 copies credit one)."""
    path = urlsplit(url).path
    return re.sub(r"(/[^/]*?)(\.[a-z]+)?$", lambda m: f"{m.group(1)}-c{index}{m.group(2) or ''}", path, count=1)


# --------------------------------------------------------------------------- page chrome

# What makes real pages 150-600 KB with 500-2,500 elements (measured on the real pages of
# ../shared/reference/, nothing taken from them but these counts): inline CSS (60-90 KB on
# franceinfo and Le Figaro), inline scripts (Le Parisien's page state: 110-400 KB, with the
# article's text in it), SVG icon sprites (up to 70 KB), navigation menus and footers (300-400
# links on the big templates, each a li > a > span + svg > use). The fixtures are hand-trimmed
# pages; a generated page gets invented chrome of the same kinds and sizes around them.


@dataclass(frozen=True)
class ChromeProfile:
    """Sizes of the invented chrome of one site's pages (each page draws one of the variants)."""

    css_kb: tuple[int, int]
    script_kb: tuple[int, int]
    svg_icons: tuple[int, int]
    nav_links: tuple[int, int]
    state_with_text: bool = False
    """An inline JSON page state holding the article's text again (Le Parisien, Next.js sites)."""


CHROME: dict[str, ChromeProfile] = {
    "franceinfo": ChromeProfile(css_kb=(55, 75), script_kb=(15, 25), svg_icons=(10, 180), nav_links=(60, 380)),
    "lefigaro": ChromeProfile(css_kb=(80, 90), script_kb=(5, 12), svg_icons=(90, 110), nav_links=(300, 360)),
    "leparisien": ChromeProfile(css_kb=(0, 2), script_kb=(100, 400), svg_icons=(5, 75), nav_links=(60, 120),
                                state_with_text=True),
    "daily8": ChromeProfile(css_kb=(2, 8), script_kb=(60, 160), svg_icons=(5, 20), nav_links=(20, 60),
                            state_with_text=True),
    "generic": ChromeProfile(css_kb=(20, 50), script_kb=(20, 60), svg_icons=(5, 30), nav_links=(80, 200)),
}
_RUBRIQUES = (
    "Politique", "Monde", "Économie", "Société", "Environnement", "Santé", "Sciences", "Sport", "Culture",
    "Faits divers", "Justice", "Éducation", "Régions", "Outre-mer", "Météo", "Podcasts", "Vidéos", "Jeux",
    "Consommation", "Immobilier", "Emploi", "Tech", "Auto", "Voyages", "Gastronomie", "Livres", "Cinéma",
)  # fmt: skip
_CSS_WORDS = ("card", "menu", "header", "footer", "grid", "nav", "item", "link", "title", "icon", "button",
              "panel", "teaser", "block", "media", "label", "list", "wrapper", "badge", "section")
_CSS_PROPS = ("display:flex", "margin:0 auto", "padding:8px 12px", "color:#1d1d1b", "font-size:14px",
              "line-height:1.4", "border-radius:4px", "background:#f4f4f4", "position:relative",
              "text-transform:uppercase", "font-weight:700", "gap:16px", "width:100%", "max-width:1280px")


def _css_class(rng: random.Random) -> str:
    return f"{rng.choice(_CSS_WORDS)}-{rng.choice(_CSS_WORDS)}__{rng.choice(_CSS_WORDS)}"


def _css(rng: random.Random, kb: int) -> str:
    out: list[str] = []
    size = 0
    while size < kb * 1024:
        rule = (f".{_css_class(rng)}{rng.choice(('', ':hover', '>a', ' span', '--active'))}"
                f"{{{';'.join(rng.sample(_CSS_PROPS, rng.randint(2, 6)))}}}")
        out.append(rule)
        size += len(rule)
    return "<style>" + "".join(out) + "</style>"


def _script(rng: random.Random, kb: int, text: str = "") -> str:
    """An inline page-state script: nested JSON of invented keys (and the article text if given)."""
    entries: list[str] = []
    size = 0
    n = 0
    while size < kb * 1024:
        key = f"{rng.choice(_CSS_WORDS)}_{n}"
        value = {"id": f"{rng.getrandbits(48):012x}", "type": rng.choice(_CSS_WORDS), "enabled": rng.random() < 0.5,
                 "slots": [rng.randint(0, 999) for _ in range(rng.randint(1, 8))],
                 "label": rng.choice(_RUBRIQUES)}
        entry = f'"{key}":{json.dumps(value, ensure_ascii=False)}'
        entries.append(entry)
        size += len(entry)
        n += 1
    if text:
        entries.append(f'"content_elements":{_json_str_full(text)}')
    return '<script>window.__STATE__={' + ",".join(entries) + "};</script>"


def _json_str_full(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


def _svg_sprite(rng: random.Random, icons: int) -> str:
    symbols = []
    for i in range(icons):
        d = "M" + " ".join(f"{rng.randint(0, 24)}.{rng.randint(0, 99)} {rng.randint(0, 24)}.{rng.randint(0, 99)}"
                           for _ in range(rng.randint(6, 24))) + "Z"
        symbols.append(f'<symbol id="icon-{i}" viewBox="0 0 24 24"><path d="{d}"></path></symbol>')
    return '<svg style="display:none" xmlns="http://www.w3.org/2000/svg">' + "".join(symbols) + "</svg>"


def _nav(rng: random.Random, links: int, icons: int, cls: str) -> str:
    items = []
    for i in range(links):
        label = rng.choice(_RUBRIQUES)
        icon = (f'<svg class="icon" aria-hidden="true"><use href="#icon-{rng.randrange(icons)}"></use></svg>'
                if icons and rng.random() < 0.5 else "")
        items.append(f'<li class="{cls}__item"><a class="{cls}__link" href="/{slugify(label)}/{i}/">'
                     f'<span class="{cls}__label">{html.escape(label)}</span>{icon}</a></li>')
    return f'<nav class="{cls}" aria-label="Rubriques"><ul class="{cls}__list">' + "".join(items) + "</ul></nav>"


CHROME_VARIANTS = 6  # chrome variants per site


@dataclass(frozen=True)
class Chrome:
    head: str
    top: str
    bottom_before: str
    """Markup before the page state script (the state itself holds each page's text)."""
    bottom_after: str
    state_with_text: bool


NO_CHROME = Chrome(head="", top="", bottom_before="", bottom_after="", state_with_text=False)


def make_chrome(site: str, rng: random.Random) -> Chrome:
    prof = CHROME.get(site, CHROME["generic"])
    icons = rng.randint(*prof.svg_icons)
    links = rng.randint(*prof.nav_links)
    css_kb = rng.randint(*prof.css_kb)
    script_kb = rng.randint(*prof.script_kb)
    head = (_css(rng, css_kb) if css_kb else "") + f'<script>window.dataLayer=[{{"site":"{site}"}}];</script>'
    top = _svg_sprite(rng, icons) + _nav(rng, links * 2 // 3, icons, "site-menu")
    bottom = _nav(rng, links - links * 2 // 3, icons, "site-footer")
    state, rest = (script_kb, 0) if prof.state_with_text else (0, script_kb)
    return Chrome(head=head, top=top, bottom_before=bottom + (_script(rng, rest) if rest else ""),
                  bottom_after=_script(rng, state)[: -len("};</script>")] if state else "",
                  state_with_text=prof.state_with_text)


# --------------------------------------------------------------------------- templates


@dataclass
class Template:
    """One fixture page turned into markup segments and slots."""

    site: str
    name: str
    url: str
    """The fixture's URL (real host)."""
    content_type: str
    segments: list[str]
    """Literal markup; ``slots[i]`` goes between ``segments[i]`` and ``segments[i + 1]``."""
    slots: list[str]
    paragraph: tuple[str, str] | None
    """Opening and closing markup of a body paragraph (text goes between)."""
    heading: tuple[str, str] | None
    body_in_dom: bool
    ld_body_joiner: str = "\n"
    noise: list[str] = field(default_factory=list)
    """Noise blocks found between this page's body blocks (outer HTML; a run of siblings is one)."""
    tail_noise: list[str] = field(default_factory=list)
    """Noise blocks found after the last body block (they go at the end)."""
    paywalled: bool = False
    """A subscriber page: its noise (the paywall box, teaser prompts) stays its own, always at the
    end, and never joins the site's pools (it would make free pages look paywalled)."""
    original_url: str | None = None
    page_id: str | None = None
    fetched_at: str = ""


def _innermost(el: etree._Element, line: str) -> etree._Element:
    """The deepest element under ``el`` whose text is still the whole line."""
    for child in el:
        if isinstance(child.tag, str) and node_text(child) == line:
            return _innermost(child, line)
    return el


def _block_template(el: etree._Element, line: str) -> tuple[str, str] | None:
    """Markup around a content block's text: ``el`` serialised with its text cut out."""
    block = copy.deepcopy(el)
    block.tail = None
    inner = _innermost(block, line)
    for child in list(inner):
        inner.remove(child)
    inner.text = mark(BODY)
    markup = etree.tostring(block, encoding="unicode", method="html")
    if markup.count(mark(BODY)) != 1:
        return None
    before, after = markup.split(mark(BODY))
    return before, after


def _find_body(root: etree._Element, lines: list[str]) -> tuple[etree._Element | None, int]:
    wanted = set(lines)
    parents: Counter[Any] = Counter()
    for el in root.iter():
        if isinstance(el.tag, str) and el.getparent() is not None and node_text(el) in wanted:
            parents[el.getparent()] += 1
    if not parents:
        return None, 0
    best, count = parents.most_common(1)[0]
    return best, count


def _needle_rx(needle: str) -> re.Pattern[str]:
    """``needle`` as written in markup: any run of spaces (NBSP, thin spaces) where it has one."""
    return re.compile(r"[\s\u00a0\u202f\u2009]+".join(re.escape(w) for w in needle.split()))


def _replace_in_tree(root: etree._Element, needle: str, text_slot: str, attr_slot: str) -> int:
    """Replace ``needle`` in text nodes and attribute values (not in scripts) by slot marks."""
    if not needle or len(needle) < 12:
        return 0
    rx = _needle_rx(needle)
    count = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if el.text and rx.search(el.text):
            el.text = rx.sub(mark(text_slot), el.text)
            count += 1
        if el.tail and rx.search(el.tail):
            el.tail = rx.sub(mark(text_slot), el.tail)
            count += 1
        for key, value in el.attrib.items():
            if rx.search(value):
                el.set(key, rx.sub(mark(attr_slot), value))
                count += 1
    return count


def _rewrite_json(node: Any, title: str, lead: str | None, has_body: list[bool]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "articleBody" and isinstance(value, str):
                out[key] = mark(BODY_J)
                has_body.append(True)
            else:
                out[key] = _rewrite_json(value, title, lead, has_body)
        return out
    if isinstance(node, list):
        return [_rewrite_json(v, title, lead, has_body) for v in node]
    if isinstance(node, str):
        if title:
            node = _needle_rx(title).sub(mark(TITLE_J), node)
        if lead:
            node = _needle_rx(lead).sub(mark(LEAD_J), node)
        return node
    return node


def _rewrite_jsonld(root: etree._Element, title: str, lead: str | None) -> tuple[bool, str]:
    """Slot the title, lead and articleBody of JSON-LD blocks; (has articleBody, its joiner)."""
    has_body: list[bool] = []
    joiner = "\n"
    for script in root.iter("script"):
        if script.get("type") != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except json.JSONDecodeError:
            continue
        raw_body = _first_body(data)
        if raw_body is not None and "\n" not in raw_body:
            joiner = ""  # franceinfo glues its paragraphs with no separator: keep the quirk
        script.text = json.dumps(_rewrite_json(data, title, lead, has_body), ensure_ascii=False)
    return bool(has_body), joiner


def _first_body(node: Any) -> str | None:
    if isinstance(node, dict):
        if isinstance(node.get("articleBody"), str):
            return str(node["articleBody"])
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            found = _first_body(value)
            if found is not None:
                return found
    return None


def build_template(fx: Fixture) -> Template | None:
    """The template of one fixture, or None when the page cannot serve as one (live page,
    body neither in the DOM nor in JSON-LD)."""
    expected = fx.expected
    lines = [line for line in str(expected.get("text") or "").split("\n") if line]
    title = str(expected.get("title") or "")
    if not lines or not title:
        return None
    raw = fx.html_path.read_bytes()
    if parser_for(fx.url, fx.key)(fx.url, raw, encoding=fx.encoding).is_live():
        return None  # a crawl skips live pages
    root = lxml.html.fromstring(decode_html(raw, fx.encoding))
    tree = root.getroottree()
    container, found = _find_body(root, lines)
    in_dom = container is not None and found >= MIN_FOUND_SHARE * len(lines)
    paragraph = heading = None
    noise: list[str] = []
    tail_noise: list[str] = []
    if in_dom and container is not None:
        wanted = set(lines)
        run: list[str] = []  # consecutive noise children stay together (a caption and its credit)
        for child in list(container):
            if not isinstance(child.tag, str):
                continue
            text = node_text(child)
            if text in wanted:
                if run:
                    noise.append("\n".join(run))
                    run = []
                inner = _innermost(child, text)
                tpl = _block_template(child, text)
                if inner.tag in ("h2", "h3") and heading is None:
                    heading = tpl
                elif inner.tag in ("p", "div", "section", "span") and paragraph is None and len(text) > 60:
                    paragraph = tpl
            elif text and not any(line in text for line in wanted) and child.tag not in ("script", "style"):
                piece = copy.deepcopy(child)
                piece.tail = None
                run.append(etree.tostring(piece, encoding="unicode", method="html"))
            container.remove(child)
        if run:
            tail_noise.append("\n".join(run))
        container.text = mark(BODY)
        if paragraph is None:
            return None
    _replace_in_tree(root, title, TITLE_T, TITLE_A)
    lead = expected.get("lead")
    if isinstance(lead, str):
        _replace_in_tree(root, lead, LEAD_T, LEAD_A)
    has_ld_body, joiner = _rewrite_jsonld(root, title, lead if isinstance(lead, str) else None)
    if not in_dom and not has_ld_body:
        return None
    markup = lxml.html.tostring(tree, encoding="unicode", method="html", doctype=tree.docinfo.doctype or None)
    path = urlsplit(fx.url).path
    markup = markup.replace(path, mark(PATH))
    original = expected.get("original_url")
    if isinstance(original, str) and original:
        markup = markup.replace(urlsplit(original).path, mark(ORIG))
    page_id = None
    if fx.key == "daily8":
        m = re.search(r"/article/([0-9a-f]{32})", fx.url)
        if m:
            page_id = m.group(1)
            markup = markup.replace(page_id, mark(PAGE_ID))
    markup = markup.replace("</head>", mark(CHROME_HEAD) + "</head>", 1)
    markup = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + mark(CHROME_TOP), markup, count=1)
    end = markup.rfind("</body>")
    if end >= 0:
        markup = markup[:end] + mark(CHROME_BOTTOM) + markup[end:]
    parts = SLOT_RX.split(markup)
    return Template(
        site=fx.key, name=fx.name, url=fx.url,
        content_type=fx.headers.get("Content-Type", "text/html; charset=utf-8"),
        segments=parts[0::2], slots=parts[1::2], paragraph=paragraph, heading=heading,
        body_in_dom=in_dom, ld_body_joiner=joiner, noise=noise, tail_noise=tail_noise,
        paywalled=bool(expected.get("paywalled")),
        original_url=original if isinstance(original, str) else None, page_id=page_id, fetched_at=fx.fetched_at,
    )


# --------------------------------------------------------------------------- pages


@dataclass
class Page:
    """One generated page, with what a correct extraction gives."""

    index: int
    site: str
    template: str
    url: str
    """Article URL on the real host (what the parser and the extraction benchmark see)."""
    path: str
    body: bytes
    content_type: str
    fetched_at: str
    title: str
    lead: str
    expected_lines: list[str]
    noise_blocks: int
    noise_lines: list[str]


def _noise_lines() -> list[str]:
    """Single noise lines the cleaning removes wherever they sit between article paragraphs:
    the cleaning rules' own samples, each checked with the cleaning itself. Lines that end a
    Daily8 text (its AI/comments blocks) are left out: they would cut the body short."""
    from newscrawl.clean import clean_item
    from newscrawl.clean.rules import LINE_RULES
    from newscrawl.items import ArticleItem
    from newscrawl.parsers.daily8 import Block, is_stop

    prose = Writer(random.Random(7)).paragraph
    kept: list[str] = []
    for rule in LINE_RULES:
        if rule.harvest:  # metadata lines also fill fields: not plain noise
            continue
        for sample in rule.samples:
            if is_stop(Block(sample)):
                continue
            body = [prose(), prose(), sample, prose(), prose()]
            item = ArticleItem(url="https://example.org/a", source="generic", title="Titre", text="\n".join(body))
            clean_item(item)
            if not item.paywalled and sample not in item.text.split("\n") and len(item.text.split("\n")) == 4:
                kept.append(sample)
    return kept


class PageFactory:
    """Templates of every usable fixture, grouped by site; ``page(i)`` renders page ``i``."""

    def __init__(self, templates: Sequence[Template], sites: Sequence[str] = SITES, seed: int = 2025,
                 chrome: bool = True) -> None:
        self.by_site: dict[str, list[Template]] = {s: [t for t in templates if t.site == s] for s in sites}
        self.by_site = {s: ts for s, ts in self.by_site.items() if ts}
        self.sites = list(self.by_site)
        self.noise: dict[str, list[str]] = {s: [n for t in ts if not t.paywalled for n in t.noise]
                                            for s, ts in self.by_site.items()}
        self.tail_noise: dict[str, list[str]] = {s: [n for t in ts if not t.paywalled for n in t.tail_noise]
                                                 for s, ts in self.by_site.items()}
        self.noise_text = _noise_lines()
        self.seed = seed
        self.bank = Bank.build(seed)
        rng = random.Random(seed)
        #: Per site, a few chrome variants of different sizes (none with ``chrome=False``: the
        #: fixtures' own trimmed markup only).
        self.chrome: dict[str, list[Chrome]] = {
            s: [make_chrome(s, rng) for _ in range(CHROME_VARIANTS)] if chrome else [NO_CHROME] for s in self.sites
        }

    @classmethod
    def load(cls, sites: Sequence[str] = SITES, root: Path = FIXTURE_PAGES, seed: int = 2025,
             chrome: bool = True) -> PageFactory:
        templates = [t for t in (build_template(fx) for fx in load_fixtures(root) if fx.key in sites) if t]
        return cls(templates, sites, seed, chrome)

    @property
    def templates(self) -> list[Template]:
        return [t for ts in self.by_site.values() for t in ts]

    def page(self, index: int, site: str | None = None) -> Page:
        rng = random.Random(f"{self.seed}:{index}:{site or ''}")
        site = site or self.sites[index % len(self.sites)]
        tpl = rng.choice(self.by_site[site])
        chrome = rng.choice(self.chrome[site])
        return render(tpl, index, rng, self.bank, self.noise[site], self.tail_noise[site], self.noise_text, chrome)

    def path(self, index: int, site: str) -> str:
        """The URL path of ``page(index, site)``, without rendering the page (same random draws)."""
        rng = random.Random(f"{self.seed}:{index}:{site}")
        tpl = rng.choice(self.by_site[site])
        rng.choice(self.chrome[site])  # the draws of page(), in the same order
        return article_path(tpl.site, urlsplit(tpl.url).path, rng.choice(self.bank.titles), index)

    def pages(self, count: int, site: str | None = None) -> Iterator[Page]:
        for i in range(count):
            yield self.page(i, site)


def render(tpl: Template, index: int, rng: random.Random, bank: Bank, noise_pool: Sequence[str],
           tail_pool: Sequence[str], noise_text: Sequence[str], chrome: Chrome | None = None) -> Page:
    """Fill a template's slots with a new article (title, lead, body, noise, URLs)."""
    title = rng.choice(bank.titles)
    lead = " ".join(rng.choice(bank.sentences) for _ in range(rng.choice((1, 2))))
    # Body length: mostly 4-12 paragraphs, sometimes a brief (2-3) or a long read (up to 30).
    n_par = rng.choice((2, 3, 4, 5, 6, 6, 7, 8, 8, 9, 10, 12, 14, 18, 24, 30))
    lines: list[str] = []
    blocks: list[str] = []
    p_open, p_close = tpl.paragraph or ("<p>", "</p>")
    for k in range(n_par):
        if tpl.heading and k and k % 4 == 0 and rng.random() < 0.7:
            h = rng.choice(_INTERTITRES)
            lines.append(h)
            blocks.append(f"{tpl.heading[0]}{html.escape(h, quote=False)}{tpl.heading[1]}")
        text = bank.paragraph(rng)
        lines.append(text)
        blocks.append(f"{p_open}{html.escape(text, quote=False)}{p_close}")
    planted: list[str] = []
    n_noise = min(len(noise_pool), rng.choice((0, 1, 2, 2, 3, 4, 6))) if noise_pool else 0
    inserts = [rng.choice(noise_pool) for _ in range(n_noise)]
    if noise_text and rng.random() < 0.5:
        line = rng.choice(noise_text)
        planted.append(line)
        inserts.append(f"{p_open}{html.escape(line, quote=False)}{p_close}")
    for piece in inserts:  # never before the first paragraph: a caption there is a caption
        blocks.insert(rng.randint(1, len(blocks)), piece)
    if tpl.paywalled:  # the page's own paywall box and prompts, where they were
        for piece in tpl.noise:
            blocks.insert(rng.randint(1, len(blocks)), piece)
        blocks.extend(tpl.tail_noise)
        n_noise += len(tpl.noise) + len(tpl.tail_noise)
    elif tail_pool and rng.random() < 0.5:
        blocks.append(rng.choice(tail_pool))
        n_noise += 1
    body_html = "\n".join(blocks)
    body_text = tpl.ld_body_joiner.join(lines)
    path = article_path(tpl.site, urlsplit(tpl.url).path, title, index)
    values = {
        BODY: body_html if tpl.body_in_dom else "",
        TITLE_T: html.escape(title, quote=False),
        TITLE_A: html.escape(title, quote=True),
        TITLE_J: _json_str(title),
        LEAD_T: html.escape(lead, quote=False),
        LEAD_A: html.escape(lead, quote=True),
        LEAD_J: _json_str(lead),
        BODY_J: _json_str(body_text),
        PATH: path,
        ORIG: original_path(tpl.original_url, index) if tpl.original_url else "",
        PAGE_ID: path.rsplit("/", 1)[-1],
    }
    chrome = chrome or NO_CHROME
    values[CHROME_HEAD] = chrome.head
    values[CHROME_TOP] = chrome.top
    state = ""
    if chrome.bottom_after:
        state = chrome.bottom_after + ',"content_elements":' + _json_str_full("\n".join(lines)) + "};</script>"
    values[CHROME_BOTTOM] = chrome.bottom_before + state
    out = [tpl.segments[0]]
    for slot, segment in zip(tpl.slots, tpl.segments[1:], strict=True):
        out.append(values[slot])
        out.append(segment)
    parts = urlsplit(tpl.url)
    return Page(
        index=index, site=tpl.site, template=tpl.name, url=f"{parts.scheme}://{parts.netloc}{path}", path=path,
        body="".join(out).encode("utf-8"), content_type=tpl.content_type, fetched_at=tpl.fetched_at,
        title=title, lead=lead, expected_lines=lines, noise_blocks=n_noise, noise_lines=planted,
    )


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("</", "<\\/")
