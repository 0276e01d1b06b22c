"""Cleaning rules as data: each rule is a named predicate over one line of text, with where it
was seen. Rules match WHOLE short lines (or a line's head when the line is short), never words
inside a paragraph: a real sentence that merely contains "publicité" or "abonnés" stays.

Patterns run on the *folded* line (``fold``, as ``fold_for_match``: lowercase, no accents, punctuation turned
into spaces, apostrophes kept as ``'``) unless marked ``raw``. So "À lire aussi :" is matched as
``a lire aussi`` and "Il vous reste 72% à découvrir" as ``il vous reste 72 a decouvrir``.

Three tables, one per cleaning step:

- ``PAYWALL_RULES``: subscriber teasers (the paywall step removes them at the end of the text and
  sets ``paywalled``).
- ``HEADING_RULES``: headings of blocks that are not the article (related articles, comments,
  tags, site footers...). The related step cuts a block that closes the page from its heading to
  the end, or a box in the middle of the text (heading + its teaser titles).
- ``LINE_RULES``: single lines of page chrome anywhere in the text (ads, share/app/newsletter/
  consent prompts, navigation, image alt text, captions, source/time card lines, metadata...).

Each rule carries ``samples``: lines it must remove, in the form they were seen (the public list
of noise strings; tests assert every rule removes its samples).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from newscrawl.memo import Memo
from newscrawl.text.normalize import clean_text

# --------------------------------------------------------------------------------------- lines


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A/B
        plain = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if plain != chr(code):
            table[code] = plain
    table.update({ord("’"): "'", ord("`"): "'", ord("´"): "'"})
    return table


_FOLD_TABLE = _fold_table()
_NON_WORD = re.compile(r"[^\w']+")


def fold(raw: str) -> str:
    """``fold_for_match`` for a line already through ``clean_text``, with a translation table
    (a per-character loop costs ~0.2 ms per paragraph, and every line is folded)."""
    return _NON_WORD.sub(" ", raw.lower().translate(_FOLD_TABLE)).strip()


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text with the forms the rules compare."""

    raw: str
    """The line, whitespace-normalised (``clean_text``)."""
    fold: str
    """Lowercase, accents and punctuation removed (``fold_for_match``)."""
    words: int

    @classmethod
    def of(cls, text: str) -> Line:
        return _line_of(text)

    @property
    def blank(self) -> bool:
        return not self.raw

    @property
    def ellipsis(self) -> bool:
        """Ends like a truncated teaser: "…", "...", "[…]"."""
        return self.raw.endswith(("…", "...", "[…]", "[...]", "(...)"))

    @property
    def prose(self) -> bool:
        """Looks like an article paragraph: long, or a full sentence ending with a period.

        Titles, headings, labels and teaser titles are not prose (short, no final period)."""
        if self.words >= 26 or len(self.raw) > 220:
            return True
        return self.words >= 4 and self.raw.endswith(".") and not self.ellipsis


@lru_cache(maxsize=4096)
def _line_of(text: str) -> Line:
    raw = clean_text(text)
    folded = fold(raw) if raw else ""
    return Line(raw=raw, fold=folded, words=len(folded.split()))


@dataclass(frozen=True)
class Context:
    """What a contextual rule may look at besides the line: its neighbours and the record."""

    lines: Sequence[Line]
    index: int
    title: str = ""
    """Folded title of the record ("" when unknown)."""
    lead: str = ""
    """Folded lead of the record ("" when none)."""
    first: int = 0
    """Index of the first non-blank line."""
    first_prose: int = 0
    """Index of the first prose line (len(lines) when none): lines before it are the head."""

    def neighbour(self, step: int) -> Line | None:
        """The nearest non-blank line before (step=-1) or after (step=1)."""
        i = self.index + step
        while 0 <= i < len(self.lines):
            if not self.lines[i].blank:
                return self.lines[i]
            i += step
        return None

    @property
    def in_head(self) -> bool:
        return self.index < self.first_prose


Test = Callable[[Line, Context], bool]
UNBOUNDED = 1 << 30


@dataclass(frozen=True)
class Rule:
    """A named kind of noise line. ``seen`` says where it was observed."""

    name: str
    """Stats key part: ``newscrawl/clean/removed/<name>``."""
    seen: str
    test: Test
    longest: int
    """The most words a line this rule matches can have (a cheap filter: paragraphs skip the rule)."""
    samples: tuple[str, ...] = ()
    """Lines this rule removes, as seen (public: the e2e tests plant and look for them)."""
    harvest: bool = False
    """The removed line carries metadata (date, author) that fills missing fields."""
    takes_titles: bool = False
    """Heading rules only: in the middle of the text, the box also holds the teaser titles
    that follow the heading (related lists); otherwise only the heading line goes."""
    card_header: bool = False
    """A source/time line that opens a teaser card: the card's title and teaser follow it."""
    contextual: bool = False
    """The test looks at the record (title, neighbours, position), not only at the line."""
    max_block_lines: int | None = None
    """Heading rules only: the block it opens closes the page only when at most this many
    non-blank lines, and no more text than stands above the heading, follow it (site footers
    are short); None: no cap (related cards may run longer than the article)."""

    def matches(self, line: Line, ctx: Context | None = None) -> bool:
        if line.blank or line.words > self.longest:
            return False
        if self.contextual:
            return self.test(line, ctx or Context(lines=[line], index=0))
        key = (self.name, line.raw)
        hit = _MEMO.recall(key)
        if hit is None:
            hit = self.test(line, Context(lines=[line], index=0))
            _MEMO.remember(key, hit)
        return hit


_MEMO: Memo[tuple[str, str], bool] = Memo(20_000)
"""Results of the rules that only look at the line: the three steps of a record see the same
lines, so the memo only has to span a record (~60 entries on generated pages, a few hundred at
most). Two generations of 20,000 entries, each keeping its line alive (the former single
200,000-entry memo, cleared when full, held ~25 MB in a long crawl)."""


def _compile(patterns: Sequence[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", flags)


def whole(*patterns: str, max_words: int = 12) -> Test:
    """The folded line is exactly one of ``patterns`` (and has at most ``max_words`` words)."""
    rx = _compile(patterns)
    return lambda line, ctx: line.words <= max_words and rx.fullmatch(line.fold) is not None


def head(*patterns: str, max_words: int = 30) -> Test:
    """The folded line starts with one of ``patterns`` and is short (a prompt, not prose)."""
    rx = _compile(patterns)
    return lambda line, ctx: line.words <= max_words and rx.match(line.fold) is not None


def raw(*patterns: str, max_words: int = 30, flags: int = re.IGNORECASE) -> Test:
    """The raw line fully matches one of ``patterns`` (case-insensitive by default)."""
    rx = _compile(patterns, flags)
    return lambda line, ctx: line.words <= max_words and rx.fullmatch(line.raw) is not None


def any_of(*tests: Test) -> Test:
    return lambda line, ctx: any(t(line, ctx) for t in tests)


def _and_not_sentence(test: Test) -> Test:
    """Only when the line does not end like a sentence (prompts and labels have no period)."""
    return lambda line, ctx: not line.raw.endswith(".") and test(line, ctx)


# ------------------------------------------------------------------------------- date pieces

_MONTHS = (
    "janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|octobre|novembre|"
    "decembre|décembre|january|february|march|april|may|june|july|august|september|october|"
    "november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIME = r"\d{1,2}\s*[h:]\s*\d{0,2}(?::\d{2})?"
DATE = (
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}(?:\s*(?:à|a|-|,)?\s*{_TIME})?"
    r"|(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+)?"
    rf"\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}(?:,?\s*(?:à|a|at)?\s*{_TIME})?"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}})"
)
RELATIVE = (
    r"(?:(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago"
    r"|il\s+y\s+a\s+(?:une?|\d+)\s+(?:seconde|minute|heure|jour|semaine|mois|an)s?"
    r"|à\s+l'instant|just\s+now|hier(?:\s+à\s+\d{1,2}[h:]\d{2})?|yesterday)"
)
_UPDATED = r"(?:mis\s+à\s+jour|mise\s+à\s+jour|modifié|actualisé|màj|updated|modified)(?:\s+(?:le|on))?"
_PUBLISHED = (
    r"date\s+de\s+(?:publication|parution|mise\s+en\s+ligne)|publiée?(?:\s+le)?|mis\s+en\s+ligne(?:\s+le)?"
    r"|parue?\s+le|posted(?:\s+on)?|published(?:\s+on)?|le"
)
#: "Publié le 14/03/2025 à 07h12, mis à jour le 14/03/2025 à 09h30", "Date de publication : 2025-08-13
#: 10:39:00", "Le 7 avril 2023 à 18h39" (Le Parisien's timestamp), "Mis à jour le 13/07/2025 17:11".
DATE_LINE = re.compile(
    rf"(?:(?:{_PUBLISHED})\s*:?\s*)?(?P<pub>{DATE})"
    rf"(?:\s*[,;|–—-]?\s*(?:et\s+)?{_UPDATED}\s*:?\s*(?P<mod>{DATE}))?\s*\.?"
    rf"|{_UPDATED}\s*:?\s*(?P<mod_only>{DATE})\s*\.?",
    re.IGNORECASE,
)
_LABELLED_DATE = re.compile(rf"(?:{_PUBLISHED}|{_UPDATED})\b", re.IGNORECASE)
#: A teaser card's source/time line: "16 minutes ago", "time7 hours ago", "Le Figaro7 days ago",
#: "Le Parisien13-07-2025", "Publié il y a 2 heures", "le 30/04/2024 à 15:40": the time or date
#: ends the line; what is before it (a source name, a label) is checked by ``time_match``.
TIME_TAIL = re.compile(rf"(?:time\s*)?(?:{RELATIVE}|(?:le\s+)?(?P<date>{DATE}))\s*[,.]?$", re.IGNORECASE)
_TIME_HINT = re.compile(r"\d|\bago\b|\bil y a\b|\bhier\b|\binstant\b|\bnow\b|\byesterday\b")

#: Outlets that are not one of the registry's named sites, folded: agencies, portals, and
#: titles the catalog may also hold. Catalog names are not all read from the registry: some are
#: everyday words ("Challenges", "Marianne", "La Presse") that would strip a body's lines.
OTHER_OUTLETS = (
    "aujourd'hui en france|radio france|"
    "le monde|liberation|l'express|le point|l'obs|les echos|la croix|mediapart|le jdd|"
    "20 minutes|ouest france|sud ouest|la depeche|le progres|la voix du nord|bfmtv|bfm tv|"
    "rtl|europe 1|france 24|france inter|tf1 info|lci|cnews|rfi|afp|reuters|associated press|"
    "huffpost|le huffpost|konbini|brut|msn|yahoo actualites|google actualites"
)


def _site_outlets() -> str:
    """The named sites' display names and their other spellings (newscrawl.publishers), folded."""
    from newscrawl.publishers import PUBLISHERS, SITE_KEYS

    names = {fold(clean_text(n)) for key in SITE_KEYS for n in (PUBLISHERS[key].name, *PUBLISHERS[key].name_aliases)}
    return "|".join(re.escape(n).replace("\\ ", " ") for n in sorted(names, key=lambda n: (-len(n), n)) if n)


#: Outlet names seen as bare card lines ("Le Figaro", "- Le Parisien", "• Le Figaro"), folded:
#: the registry's named sites, then the other outlets.
OUTLETS = f"{_site_outlets()}|{OTHER_OUTLETS}"
_OUTLET_RX = re.compile(f"(?:{OUTLETS})(?: (?:avec|et|and) (?:{OUTLETS}))?")


#: Labels that may precede a card's time (folded): "Publié il y a 2 heures", "time7 hours ago".
_TIME_LABEL = re.compile(
    r"(?:time )?(?:publiee?|publie le|mise? a jour|modifie|actualise|updated|posted|published|le)|time"
)


@dataclass(frozen=True)
class TimeMatch:
    """A time line taken apart."""

    src: str
    """What precedes the time: a source name, a "Publié" label, or ""."""
    date: str | None
    """The absolute date, when the time is one (not "7 hours ago")."""


@lru_cache(maxsize=8192)
def time_match(line: Line) -> TimeMatch | None:
    """A card's time or date line, optionally after a source name or a "Publié" label, else None.
    The part before the time must be a name, not a clause: "Le Figaro7 days ago" is a card line,
    "Le Figaro a révélé l'affaire il y a 7 jours." is not."""
    if line.blank or line.words > 9 or not _TIME_HINT.search(line.fold):
        return None
    m = TIME_TAIL.search(line.raw)
    if m is None:
        return None
    src = line.raw[: m.start()].strip()
    if src and (len(src) > 40 or not (_TIME_LABEL.fullmatch(fold(src)) or _name_like(src))):
        return None
    return TimeMatch(src=src, date=m.group("date"))


def is_time_line(line: Line) -> bool:
    """A card's time or date line (optionally glued to a source name)."""
    return time_match(line) is not None


@lru_cache(maxsize=4096)
def _is_outlet(text: str) -> bool:
    """A known outlet name, alone or crediting another ("franceinfo avec AFP")."""
    return _OUTLET_RX.fullmatch(fold(clean_text(text))) is not None


_BULLET_SOURCE = re.compile(r"[•·▪►‣\-–—]\s*(?P<src>[A-ZÀ-Ý0-9][^.!?:;]{0,40})")


def _source_line(line: Line, ctx: Context) -> bool:
    """A bare or bulleted source name in a card: a known outlet, or a short capitalised name
    right next to a time line ("Le Parisien" / "16 minutes ago" / "- Le Parisien")."""
    if line.words > 5:
        return False
    m = _BULLET_SOURCE.fullmatch(line.raw)
    name = m.group("src") if m else line.raw
    if _is_outlet(name):
        return True
    if not name[:1].isupper() or name.endswith((".", "?", "!")):
        return False
    return any(n is not None and is_time_line(n) for n in (ctx.neighbour(-1), ctx.neighbour(1)))


def _time_card(line: Line, ctx: Context) -> bool:
    """A card's time or date line ("metadata_date", listed first, claims the record's own dates)."""
    return is_time_line(line)


def _metadata_date(line: Line, ctx: Context) -> bool:
    """A publication/update date written as text: labelled anywhere, bare only in the head."""
    if line.words > 16 or DATE_LINE.fullmatch(line.raw) is None:
        return False
    return bool(_LABELLED_DATE.match(line.raw)) or ctx.in_head


# "Auteur : Cédric X – Consulter sa biographie...", "Par Jean Dupont et Marie Martin", "By Jane Doe".
_AUTHOR_LABELLED = re.compile(
    r"(?:auteure?|autrice|author|rédigé\s+par|article\s+rédigé\s+par|écrit\s+par|signé)\s*:\s*(?P<rest>.+)",
    re.IGNORECASE,
)
_AUTHOR_BY = re.compile(r"(?:par|by)\s+(?P<rest>.+)", re.IGNORECASE)
_NAME_CONNECTORS = {"et", "and", "de", "du", "des", "la", "le", "van", "von", "avec", "d'", "di", "da", "&"}


def _name_like(text: str) -> bool:
    """Capitalised words (initials allowed: "J. Hélion", "D.D."), no sentence punctuation."""
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 8 or re.search(r"[!?;:]|\w{2,}\.(?:\s|$)", text):
        return False
    return all(w[:1].isupper() or w.lower() in _NAME_CONNECTORS or w.lower().startswith("d'")
               for w in words) and words[0][:1].isupper()


def author_names(line: str, *, bare: bool = False) -> list[str]:
    """Author names written as a line ("Auteur : X – ...", "Par X et Y"); [] when not a byline.
    ``bare``: the line is only the name(s) (its label "Article rédigé par" was the line before)."""
    text = clean_text(line)
    if bare:
        rest = text.rstrip(" -–—,")
        return [n.strip() for n in re.split(r"\s+(?:et|and|&)\s+|\s*,\s*", rest) if n.strip()] \
            if _name_like(rest) else []
    m = _AUTHOR_LABELLED.fullmatch(text)
    if m:
        rest = re.split(r"\s+[–—|-]\s+|\s*[,;(]\s*|\.\s+|\s+-\s*", m.group("rest"), maxsplit=1)[0]
        rest = rest.strip(" .")
    else:
        m = _AUTHOR_BY.fullmatch(text)
        if not m or len(text.split()) > 14:
            return []
        # "Par Klervi X, correspondante à Bordeaux (Gironde)": the name, then the role
        rest = re.split(r"\s*[,(]\s*|\s+[–—-]\s+", m.group("rest").strip(), maxsplit=1)[0].strip()
    if not _name_like(rest):
        return []
    names = re.split(r"\s+(?:et|and|&)\s+|\s*,\s*", rest)
    return [n.strip() for n in names if n.strip()]


_BYLINE_LABEL = re.compile(r"(?:article )?(?:redige|ecrit) par|par|by|auteurs?")


def _byline(line: Line, ctx: Context) -> bool:
    if line.words > 60:
        return False
    prev = ctx.neighbour(-1)
    if prev is not None and _BYLINE_LABEL.fullmatch(prev.fold) and line.words <= 8:
        return _name_like(line.raw.rstrip(" -–—,"))
    if _AUTHOR_LABELLED.fullmatch(line.raw):
        return bool(author_names(line.raw))
    return line.words <= 14 and bool(author_names(line.raw))


# Present participles and photo cues, no conjugated verb: how image alt texts describe a photo.
_FINITE = re.compile(
    r"\b(?:est|sont|a|ont|avait|avaient|etait|etaient|sera|seront|serait|fut|aura|auront|fait|font|"
    r"va|vont|peut|peuvent|doit|doivent|dit|dira|selon)\b|\b\w{3,}(?:ait|aient|ent|era|eront|erait|ons|ez)\b"
)
_PARTICIPLE = re.compile(r"\b\w{3,}ant\b|^(?:photo|illustration|image|sur cette (?:photo|image))\b")
_CREDIT = re.compile(
    r"\(?(?:©|\([cC]\)|[cC]rédits?(?:\s+photo)?\s*:|[pP]hoto\s*:)\s*[^.!?]{1,80}\)?"
    r"|\(?[\w .'’\-]{2,50}?\s?/\s?[A-Z][A-Z .&\-]{1,30}(?:\s+via\s+[\w .]+)?\)?",
)


def _is_credit(line: Line) -> bool:
    if line.words > 12 or not ("/" in line.raw or "©" in line.raw or "(c)" in line.fold or "photo" in line.fold
                               or "credit" in line.fold):
        return False
    return _CREDIT.fullmatch(line.raw) is not None


#: A photo credit ending a caption: "... un érable de Naples. LP/Philippe Lavieille", "... à Paris.
#: (LUDOVIC MARIN / AFP)".
_CREDIT_TAIL = re.compile(
    r"\s(?:\((?:[^()]{2,60}?)\s?/\s?[A-Z][A-Z .&\-]{1,30}\)"
    r"|(?:LP|AFP|Reuters|REUTERS|AP|MAXPPP|SIPA|ABACA|EPA|IP3|PHOTOPQR|Getty Images|Hans Lucas|Icon Sport)"
    r"\s?/\s?[A-ZÀ-Ý][\w.'’\- ]{1,40})$"
)


def _caption(line: Line, ctx: Context) -> bool:
    """An image caption left as a line: a line ending with a photo credit, a short line over a
    credit line, or the first line of the text describing a photo (no conjugated verb, a
    participle) before the first paragraph."""
    if line.words <= 70 and "/" in line.raw[-70:] and len(line.raw) > 20 and _CREDIT_TAIL.search(line.raw):
        return True
    nxt = ctx.neighbour(1)
    if nxt is not None and _is_credit(nxt) and not line.prose and line.words <= 12:
        return True
    if ctx.index != ctx.first or not 6 <= line.words <= 35 or nxt is None or not nxt.prose:
        return False
    return _FINITE.search(line.fold) is None and _PARTICIPLE.search(line.fold) is not None


def _title_repeat(line: Line, ctx: Context) -> bool:
    return bool(ctx.title) and line.fold == ctx.title


def _lead_repeat(line: Line, ctx: Context) -> bool:
    return bool(ctx.lead) and line.fold == ctx.lead


# -------------------------------------------------------------------------------- paywall


PAYWALL_TEASER = Rule(
    name="paywall_teaser",
    longest=30,
    seen="Le Parisien premium pages (div.paywall: \"S'abonner pour lire la suite\", \"Déjà abonné ? "
    "Se connecter\"); Daily8 copies of Figaro premium items (\"Réservé aux abonnés\"); Le Monde-style "
    "\"Il vous reste 72% de cet article à lire\"; the issue's list",
    test=any_of(
        head(
            r"(?:article |contenu |cet article est |ce contenu est |la suite (?:de cet article |de l'article )?est )?"
            r"reservee?s? (?:exclusivement )?aux (?:abonnes|abonnees|membres|inscrits)(?: \w+){0,6}$",
            r"il (?:vous )?reste (?:encore )?\d+ (?:de l'article |de cet article |de ce contenu )?a (?:lire|decouvrir)",
            r"la suite (?:de cet article |de l'article )?est (?:reservee|accessible) (?:aux|a nos) abonne",
            r"(?:s'abonner|abonnez vous|je m'abonne|abonne toi) (?:pour|afin de|et) (?:lire|continuer|decouvrir|"
            r"acceder|profiter)",
            r"pour (?:lire|continuer a lire|decouvrir|acceder a) (?:la suite|l'integralite|cet article|tout l'article)",
            r"(?:vous souhaitez|envie de) (?:lire|continuer) (?:la suite|a lire)",
            r"deja (?:abonne|abonnee)\b",
            r"(?:cet article|ce contenu|cette page) est (?:reserve|accessible|disponible) .{0,40}abonn",
            r"subscribe (?:to|now to) (?:read|continue)|(?:this|the) (?:article|content|story) is "
            r"(?:for|reserved for|only for) subscribers|already a subscriber",
            max_words=30,
        ),
        whole(r"premium|abonnes|abonne|exclusif abonnes|reserve abonnes|contenu premium|article premium"),
    ),
    samples=(
        "Réservé aux abonnés", "Il vous reste 72% à découvrir", "La suite est réservée aux abonnés",
        "S'abonner pour lire la suite", "Déjà abonné ? Se connecter",
        "Cet article est réservé aux abonnés. Il vous reste 64% à découvrir.",
        "Vous souhaitez lire la suite ?",
    ),
)

SUBSCRIBE_CTA = Rule(
    name="subscribe_cta",
    longest=20,
    seen="subscription buttons and offers around paywalls and in page chrome: Le Figaro \"S'ABONNER\", "
    "\"Découvrez toutes les offres\", \"Gérer votre abonnement\"; Le Parisien \"Profitez des avantages de "
    "l'offre numérique\"; franceinfo \"Sans paiement. Sans abonnement.\"",
    test=any_of(
        whole(
            r"s'abonner|abonnez vous|je m'abonne|m'abonner|abonnement|abonnements|mon abonnement|"
            r"gerer (?:votre|mon) abonnement|(?:decouvrez|voir|toutes) (?:toutes )?(?:nos|les) offres(?: .{0,60})?|"
            r"sans engagement|sans paiement sans abonnement|lire la suite|continuer la lecture|"
            r"offre (?:speciale|decouverte|d'essai|numerique|limitee|de bienvenue)(?: .{0,60})?|"
            r"profitez (?:des avantages )?de (?:l'offre|nos offres)(?: .{0,50})?|subscribe(?: now)?|"
            r"les articles en illimite(?: .{0,60})?",
            max_words=16,
        ),
        _and_not_sentence(raw(
            r".{0,80}\d+(?:[,.]\d+)?\s?€\s?(?:/|par\s|le\s)\s?(?:mois|an|semaine|premier mois).{0,80}",
            r".{0,80}€.{0,40}(?:sans engagement|mois offerts?|premier mois).{0,60}",
            max_words=20,
        )),
    ),
    samples=("S'ABONNER", "Découvrez toutes les offres", "Sans engagement", "Gérer votre abonnement",
             "Offre spéciale : 1 € le premier mois", "Lire la suite"),
)

PAYWALL_RULES: tuple[Rule, ...] = (PAYWALL_TEASER, SUBSCRIBE_CTA)

#: The kicker Daily8 puts before a premium Figaro teaser: "Réservé aux abonnés DÉCRYPTAGE - ..."
PAYWALL_KICKER = re.compile(r"(?:Article\s+)?Réservé\s+aux\s+abonnés\s*[:\-–—|]?\s+(?=[A-ZÀ-Ý«\"“])")

# -------------------------------------------------------------------------------- headings

FOOTER_BLOCK = Rule(
    name="footer_block",
    longest=40,
    max_block_lines=20,  # seeds/004's syndication footer: 8 lines; a site footer's legal links
    seen="syndication footers (seeds/004 \"« L'article est apparu en premier ici »\", WordPress \"The "
    "post X appeared first on Y\") and site footers (franceinfo \"Politique de confidentialité\", "
    "\"CGU et mentions légales\"), Le Figaro's section.fig-seo-footer \"Plus de services\"",
    test=any_of(
        head(
            r"l'article est apparu en premier (?:ici|sur)",
            r"(?:cet |l')?article (?:est |a ete )?(?:paru|publie|apparu) (?:initialement|en premier|d'abord|"
            r"originellement|a l'origine) (?:sur|dans|ici|par)",
            r"the post .{1,200} appeared first on",
            r"this (?:article|post|story) (?:was )?(?:originally|first) (?:published|appeared)",
            r"(?:cet article|ce contenu) (?:est issu|provient|est extrait) d",
            max_words=40,
        ),
        whole(
            r"mentions legales|cgu(?: et mentions legales)?|conditions generales d'utilisation|"
            r"politique de confidentialite|plan du site|nous contacter|qui sommes nous|plus de services|"
            r"(?:.{0,60} )?(?:tous )?droits (?:de reproduction )?reserves(?: .{0,40})?|(?:.{0,60} )?all rights reserved",
        ),
    ),
    samples=("« L'article est apparu en premier ici »", "The post Un titre appeared first on Exemple.",
             "CGU et mentions légales", "Plus de services"),
)

COMMENTS_BLOCK = Rule(
    name="comments_block",
    longest=12,
    seen="Daily8 \"Commentaires\" / \"Aucun commentaire pour le moment...\" (seeds/000, 003), EN "
    "\"Comments\"; franceinfo \"Commentaires\" (seeds/001, section#comments), \"Lancez la conversation\"; "
    "WordPress \"Laisser un commentaire\" (seeds/002); Le Figaro \"81 commentaires\", \"Aucun commentaire\"",
    test=whole(
        r"commentaires?|\d+ commentaires?|(?:voir|lire|afficher|masquer|tous) (?:les |tous les )?(?:\d+ )?"
        r"commentaires|aucun commentaire(?: .{0,40})?|laiss(?:er|ez) un commentaire|ecrire un commentaire|"
        r"j'ecris un commentaire|reagissez|reagir(?: a cet article)?|commenter(?: cet article)?|"
        r"lancez la conversation|rejoignez la conversation|espace commentaires?|comments?|\d+ comments?|"
        r"leave a (?:comment|reply)|no comments(?: yet)?|be the first to comment|laisser une reponse|"
        r"donnez votre avis|votre avis nous interesse",
    ),
    samples=("Commentaires", "Aucun commentaire pour le moment...", "Laisser un commentaire", "Comments",
             "81 commentaires"),
)

TAGS_BLOCK = Rule(
    name="tags_block",
    longest=12,
    seen="Daily8 \"Hashtags\" (seeds/000); Le Figaro \"Sujet\"/\"Sujets\" + tag links; franceinfo \"les "
    "sujets associés\", \"les mots-clés associés à cet article\"",
    test=whole(
        r"hashtags?|tags?|mots? cles?|sujets?|themes?|thematiques?|(?:les )?sujets associes|"
        r"(?:les )?mots cles associes(?: a cet article)?|voir (?:plus de|tous les) sujets",
    ),
    takes_titles=True,
    samples=("Hashtags", "Sujets", "les sujets associés"),
)

RELATED_BLOCK = Rule(
    name="related_block",
    longest=12,
    seen="Daily8 \"Articles connexes\" / EN \"Related Articles\" (seeds/000, 003); franceinfo \"À regarder\" "
    "(seeds/001) and \"Prolongez votre lecture autour de ce sujet\", \"contenus sponsorisés\", the \"Grands formats\" "
    "carousel; Le Figaro "
    "\"La rédaction vous conseille\"; Le Parisien \"Les plus lus\", \"Dans la rubrique ...\"; other sites' "
    "\"Sur le même sujet\", \"À voir aussi\", \"Nos articles sur ...\", \"Vous aimerez aussi\"",
    test=whole(
        r"articles? (?:connexes?|lies|liees|associes|similaires|recommandes|suggeres)",
        r"related(?: (?:articles?|stories|posts|content|news))?|more (?:stories|news|articles)(?: from .{1,30})?|"
        r"recommended(?: for you| stories)?|you (?:may|might) also like|read (?:more|next)|"
        r"most (?:read|popular|viewed)|trending(?: now)?|top stories|latest news",
        r"a (?:regarder|voir|decouvrir|ecouter)(?: (?:aussi|egalement|encore|en ce moment))?|"
        r"a ne pas (?:manquer|rater)|les videos a ne pas manquer",
        r"(?:sur|autour) (?:le|du) meme (?:sujet|theme)|sur ce (?:sujet|theme)|dans la meme rubrique|"
        r"dans la rubrique(?: .{1,40})?|du meme auteur|de la meme (?:auteure?|autrice|rubrique)|dans le meme dossier",
        r"(?:nos|les) (?:autres|derniers) (?:articles|contenus|infos|actualites)(?: sur .{1,60})?|"
        r"nos (?:articles|contenus|dossiers|enquetes|videos) sur .{1,60}",
        r"les (?:articles |contenus |videos )?(?:les )?plus (?:lus|vus|partages|commentes|populaires|recents)"
        r"(?: .{1,30})?|(?:articles? )?les plus lus",
        r"la redaction vous (?:conseille|recommande)|nous vous (?:conseillons|recommandons)(?: aussi)?|"
        r"vous (?:aimerez|pourriez aimer)(?: aussi| egalement)?|"
        r"(?:ceci|cela|ces articles|ces contenus) (?:pourrai(?:en)?t|peuvent) vous interesser|"
        r"prolongez votre lecture(?: .{1,60})?|pour aller plus loin|en savoir plus|a lire sur le meme sujet|"
        r"plus d'actualites(?: .{1,40})?|(?:les )?dernieres (?:actualites|infos|nouvelles|videos|depeches)|"
        r"derniers articles|contenus? sponsorises?|sponsorise|contenus? partenaires?|voir aussi|voir egalement|"
        r"(?:nos )?grands formats",
    ),
    takes_titles=True,
    samples=("Articles connexes", "Related Articles", "À regarder", "Sur le même sujet", "À voir aussi",
             "Les plus lus", "La rédaction vous conseille", "Nos articles sur la guerre en Ukraine",
             "Prolongez votre lecture autour de ce sujet", "contenus sponsorisés", "Grands formats"),
)

READ_ALSO_BLOCK = Rule(
    name="read_also_block",
    longest=12,
    seen="WordPress \"À lire aussi :\" + teaser titles closing the page (seeds/002); Le Parisien "
    "div.article-read-also_container and Le Figaro \"À lire aussi\" + one title",
    test=whole(r"a? ?(?:lire|relire|voir|ecouter|decouvrir) (?:aussi|egalement)|a lire|a lire egalement"),
    takes_titles=True,
    samples=("À lire aussi :", "A lire aussi", "Lire aussi"),
)

APP_BLOCK = Rule(
    name="app_block",
    longest=12,
    seen="Daily8 \"TÉLÉCHARGER L'APPLICATION\" closing its pages (seeds/003); EN \"DOWNLOAD THE APP\"",
    test=whole(r"telecharger l'application|telechargez l'app(?:lication)?|download (?:the|our) app"),
    samples=("TÉLÉCHARGER L'APPLICATION", "DOWNLOAD THE APP"),
)

NEWSLETTER_BLOCK = Rule(
    name="newsletter_block",
    longest=12,
    seen="franceinfo \"Abonnement Newsletter\" box, Le Figaro/Le Parisien newsletter boxes",
    test=whole(r"newsletters?|abonnement newsletter|(?:nos|mes) newsletters|inscrivez vous a (?:la|notre) "
               r"newsletter|recevez notre newsletter"),
    samples=("Abonnement Newsletter", "Newsletters"),
)

HEADING_RULES: tuple[Rule, ...] = (
    FOOTER_BLOCK, COMMENTS_BLOCK, TAGS_BLOCK, RELATED_BLOCK, READ_ALSO_BLOCK, APP_BLOCK, NEWSLETTER_BLOCK,
)

# -------------------------------------------------------------------------------- line noise

LINE_RULES: tuple[Rule, ...] = (
    Rule(
        name="metadata_date",
        contextual=True,
        longest=16,
        seen="seeds/004 \"Date de publication : 2025-08-13 10:39:00\"; franceinfo \"Publié le 06/04/2023 14:06\" "
        "/ \"Mis à jour le ...\"; Le Parisien \"Le 28 mars 2023 à 05h55, modifié le ...\"",
        test=_metadata_date,
        harvest=True,
        samples=("Date de publication : 2025-08-13 10:39:00",
                 "Publié le 14/03/2025 à 07h12, mis à jour le 14/03/2025 à 09h30", "Mis à jour le 13/07/2025 17:11"),
    ),
    Rule(
        name="metadata_author",
        contextual=True,
        longest=60,
        seen="seeds/004 \"Auteur : Cédric ... – Consulter sa biographie...\"; bylines \"Par X\" left as lines",
        test=_byline,
        harvest=True,
        samples=("Auteur : Jeanne Exemple – Consulter sa biographie, ses projets et son travail.",
                 "Par Paul Martin et Léa Durand"),
    ),
    Rule(
        name="page_meta",
        longest=12,
        seen="franceinfo \"Article rédigé par\", \"Temps de lecture : 2 min.\", \"Cet article date de plus d'un "
        "an.\", \"écouter (3min)\"; Le Figaro \"Publié\" label; Le Parisien card label \"Info Le Parisien\"",
        test=whole(
            r"(?:article )?(?:redige|ecrit) par|temps de lecture \d+ ?min(?:utes?)?|lecture \d+ ?min(?:utes?)?|"
            r"\d+ ?min(?:utes?)? de lecture|cet article date de plus d'(?:un|une) (?:an|annee)|"
            r"ecouter(?: cet article| l'article)?(?: \d+ ?min)?|publie|publiee|publie le|mis a jour|mis a jour le|"
            r"info le parisien",
        ),
        samples=("Article rédigé par", "Temps de lecture : 2 min.", "Cet article date de plus d'un an.",
                 "Info Le Parisien"),
    ),
    Rule(
        name="title_repeat",
        contextual=True,
        longest=UNBOUNDED,
        seen="Daily8 prints the headline twice (seeds/003)",
        test=_title_repeat,
    ),
    Rule(
        name="lead_repeat",
        contextual=True,
        longest=UNBOUNDED,
        seen="the standfirst printed again as the first body paragraph",
        test=_lead_repeat,
    ),
    Rule(
        name="source_time",
        contextual=True,
        longest=9,
        seen="Daily8 source/time card lines \"Le Figaro7 days ago\", \"16 minutes ago\", \"- Le Parisien\", "
        "\"time7 hours ago\", \"  • Le Figaro\" (seeds/000, 003); Le Figaro \"il y a 3 heures\"",
        test=any_of(_time_card, _source_line),
        card_header=True,
        samples=("Le Figaro7 days ago", "16 minutes ago", "time8 hours ago", "• Le Figaro", "- Le Parisien",
                 "Le Parisien13-07-2025", "Publié il y a 2 heures"),
    ),
    Rule(
        name="ad_label",
        longest=12,
        seen="\"Publicité\" mid-text in Daily8 copies (seeds/003) and Le Figaro pages; \"Passer la publicité\" "
        "(glued to the slot's \"Publicité\" placeholder when the two are flattened into one line)",
        test=whole(
            r"publicite|pub|passer (?:la )?publicite|advertisement|advertising|annonce|annonces|sponsorise|"
            r"sponsorisee|contenu sponsorise|(?:la suite )?apres (?:cette|la) publicite|"
            r"publicite (?:la suite|suite de l'article) (?:ci dessous|apres la publicite)|votre publicite ici|"
            r"passer (?:la )?publicite publicite",
        ),
        samples=("Publicité", "Passer la publicité", "PUBLICITÉ", "Passer la publicité Publicité"),
    ),
    Rule(
        name="comment_prompt",
        longest=30,
        seen="comment prompts: franceinfo \"Connectez-vous ou créez votre espace franceinfo pour commenter.\" "
        "(seeds/001); WordPress \"Votre adresse e-mail ne sera pas publiée...\" (seeds/002); Daily8 "
        "\"Aucun commentaire pour le moment...\"",
        test=any_of(
            COMMENTS_BLOCK.test,
            head(
                r"connectez vous .{0,80}pour (?:commenter|participer|reagir|laisser|publier)",
                r"(?:vous devez etre|veuillez vous) connecte .{0,40}(?:commenter|publier|reagir)",
                r"votre adresse (?:e mail|email|electronique|de messagerie) ne sera pas publiee",
                r"les champs obligatoires sont (?:indiques|marques)",
                r"deja un compte se connecter|il n'y a (?:actuellement )?aucun commentaire",
                r"soyez le premier a (?:commenter|reagir|donner votre avis)",
                r"(?:pour|afin de) (?:commenter|reagir) .{0,40}(?:connectez|abonnez|inscri)",
                max_words=30,
            ),
        ),
        samples=("Connectez-vous ou créez votre espace franceinfo pour commenter.",
                 "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
                 "Déjà un compte ? Se connecter"),
    ),
    Rule(
        name="account_prompt",
        longest=20,
        seen="account prompts: franceinfo \"Pour sauvegarder cet article, connectez-vous ou créez un compte "
        "franceinfo\", \"créer votre compte\", \"Sauvegardez vos articles à lire plus tard\"",
        test=any_of(
            whole(r"creer (?:un |votre )?compte|creez (?:un |votre )?compte|se connecter|s'identifier|"
                  r"connectez vous|identifiez vous|mon espace|espace (?:personnel|abonne)|sauvegardez vos articles"
                  r"(?: a lire plus tard)?|lire plus tard|deconnexion|se deconnecter"),
            lambda line, ctx: line.words <= 20 and re.search(
                r"\b(?:connectez vous|creez (?:un|votre) compte|identifiez vous)\b", line.fold) is not None,
        ),
        samples=("Pour sauvegarder cet article, connectez-vous ou créez un compte franceinfo", "créer votre compte"),
    ),
    Rule(
        name="share_prompt",
        longest=12,
        seen="share bars flattened to lines: franceinfo \"Partager l'article sur les réseaux sociaux :\", "
        "\"Partager sur Twitter\"; Le Figaro \"Copier le lien\", \"Lien copié\", \"Imprimer l'article\", "
        "network names alone",
        test=whole(
            r"partager|partagez|partager (?:sur|par|via) .{1,30}|partager l'article(?: sur les reseaux sociaux)?|"
            r"partager (?:le lien|cet article)|partagez cet article|copier le lien|lien copie|"
            r"imprimer(?: l'article| cet article)?|envoyer(?: par (?:e mail|email|mail))?|"
            r"facebook|twitter|x|whatsapp|linkedin|messenger|email|e mail|mail|pinterest|telegram|bluesky|"
            r"threads|instagram|tiktok|youtube|flipboard|reddit|sms|share|share this article|"
            r"suivez nous(?: sur .{1,40})?|plus d'options|signaler (?:une faute|un abus|une erreur).{0,40}",
        ),
        samples=("Partager sur Twitter", "Copier le lien", "WhatsApp", "Partager l'article sur les réseaux sociaux :"),
    ),
    Rule(
        name="newsletter_prompt",
        longest=30,
        seen="franceinfo newsletter box: \"Abonnement Newsletter\", \"Votre adresse e-mail\", \"s'inscrire\", "
        "\"France Télévisions utilise votre adresse e-mail afin de vous adresser des newsletters.\"",
        test=any_of(
            NEWSLETTER_BLOCK.test,
            whole(r"s'inscrire|je m'inscris|inscrivez vous|votre adresse e mail|votre e mail|votre email|"
                  r"merci votre inscription est bien prise en compte|pour exercer vos droits contactez nous"),
            head(
                r"(?:recevez|decouvrez|inscrivez vous a|abonnez vous a) .{0,80}newsletter",
                r".{0,40} utilise votre adresse (?:e mail|email) (?:afin de|pour) vous (?:adresser|envoyer)",
                max_words=30,
            ),
        ),
        samples=("Votre adresse e-mail", "Recevez l'essentiel de l'actualité avec notre newsletter"),
    ),
    Rule(
        name="app_prompt",
        longest=40,
        seen="Daily8 app banner \"Commencez dès maintenant : Téléchargez l'application\", \"Prêt à plonger ... "
        "Téléchargez l'application Daily8 ...\", \"app-storeplay-store\" (seeds/003); seeds/004 \"Téléchargez "
        "Artia13 Actualité sur Google Play\"; franceinfo \"Télécharger l'application\"; Le Figaro \"Lire dans "
        "l'app\", \"Nos applications mobiles\"",
        test=any_of(
            APP_BLOCK.test,
            head(
                r"(?:commencez des maintenant |get started now )?(?:telecharger|telechargez|download) "
                r"(?:gratuitement )?(?:l'app|l'application|the app|our app)",
                r"telechargez .{1,40} sur (?:google play|l'app store|l'apple store|le play store|votre)",
                r"(?:disponible|retrouvez nous|telechargez la) sur (?:l'app store|google play|apple store)",
                r"(?:soyez alerte|activez les notifications)",
                max_words=20,
            ),
            # imperative "Téléchargez l'application" inside a short promo paragraph
            lambda line, ctx: line.words <= 40 and re.search(
                r"\btelechargez (?:l'app|l'application|notre application)\b", line.fold) is not None,
            whole(r"lire dans l'app(?:lication)?|nos applications(?: mobiles)?|application officielle|"
                  r"(?:decouvrez )?l'application [\w' ]{1,30}|app store|google play|play store|"
                  r"app ?store ?play ?store|app storeplay store"),
        ),
        samples=("Commencez dès maintenant : Téléchargez l'application", "app-storeplay-store",
                 "Téléchargez Artia13 Actualité sur Google Play", "Application officielle :"),
    ),
    Rule(
        name="consent_prompt",
        longest=60,
        seen="cookie banners (Didomi/consent texts flattened to lines)",
        test=any_of(
            whole(r"accepter|refuser|tout accepter|tout refuser|continuer sans accepter|accepter et fermer|"
                  r"accepter et continuer|parametrer(?: les cookies)?|personnaliser|gerer (?:mes|les) "
                  r"(?:cookies|traceurs|choix|preferences)|parametres des cookies|gerer mes traceurs"),
            head(r"(?:nous|ce site|notre site|le site|nos partenaires et nous) (?:utilisons|utilise|deposons) "
                 r"des (?:cookies|traceurs)",
                 r"en (?:poursuivant|continuant) (?:votre navigation|sur ce site)",
                 r"(?:avec votre accord|vos choix) .{0,60}(?:cookies|traceurs)", max_words=60),
            # the banner speaks to the reader about cookies; an article about cookies does not
            lambda line, ctx: line.words <= 50 and re.search(r"\b(?:cookies?|traceurs)\b", line.fold) is not None
            and re.search(r"\b(?:vous|vos|votre)\b", line.fold) is not None,
        ),
        samples=("Tout accepter", "Nous utilisons des cookies pour améliorer votre expérience"),
    ),
    Rule(
        name="navigation",
        longest=16,
        seen="page chrome: \"Accueil\", \"Retour en haut\" (seeds/002), \"Aller au contenu\", \"Menu\", "
        "breadcrumbs \"Accueil > Monde\", franceinfo \"Notre compte Twitter (nouvelle fenêtre)\", \"voir plus\"; "
        "Le Figaro table of contents \"Sommaire\" / \"Afficher plus\"",
        test=any_of(
            whole(
                r"accueil|home|menu|menu principal|rechercher|recherche|fermer|retour|retour en haut(?: de (?:la )?page)?|"
                r"haut de page|back to top|aller au contenu(?: principal)?|passer au contenu|"
                r"aller (?:au|a la) (?:menu|moteur|page|contenu) .{0,30}|acceder aux raccourcis|precedent|suivant|"
                r"voir plus|voir tout|lire plus tard|se connecter|connexion|mon compte|s'identifier|"
                r"sous menu .{1,30}|fermer la (?:notification|fenetre).{0,60}|sommaire|afficher (?:plus|moins)",
            ),
            raw(r"(?:Accueil|Home)\s*[>›»/|].{0,120}", r".{0,80}\((?:nouvelle|new) (?:fenêtre|window)\)", max_words=16),
        ),
        samples=("Accueil", "Retour en haut", "Accueil > Monde > Europe", "Notre compte Twitter (nouvelle fenêtre)",
                 "Sommaire", "Afficher plus"),
    ),
    Rule(
        name="image_alt",
        longest=5,
        seen="image alt texts left as lines: Daily8 \"logo\", \"Orange background\", clock icon \"time\" "
        "(seeds/000, 003)",
        test=whole(
            r"logo|logo .{1,30}|.{1,30} logo|image|photo|picture|icon|icone|avatar|thumbnail|placeholder|"
            r"illustration|\w+ background|background|time|clock|play|pause|video thumbnail|close",
            max_words=5,
        ),
        samples=("logo", "Orange background", "time"),
    ),
    Rule(
        name="photo_credit",
        longest=12,
        seen="photo credits inlined as lines in Daily8 copies (\"Lafargue Raphael/ABACA\"); franceinfo "
        "\"(BEHROUZ MEHRI / AFP)\"; \"© AFP\"",
        test=lambda line, ctx: _is_credit(line),
        samples=("Lafargue Raphael/ABACA", "(JEAN DUPONT / AFP)", "© AFP", "Crédit photo : Jean Exemple"),
    ),
    Rule(
        name="photo_caption",
        contextual=True,
        longest=70,
        seen="image captions left as lines: the photo description opening WordPress records (seeds/002); "
        "Daily8 caption + credit pairs (\"Olivier Faure\" / \"Lafargue Raphael/ABACA\")",
        test=_caption,
    ),
    Rule(
        name="video_caption",
        longest=25,
        seen="video captions: Daily8 \"VidéoLa Corée du Nord rend ... hommage ...\" (seeds/000); Le Figaro "
        "\"VIDÉO - ...\", \"Regarder la vidéo\"; franceinfo \"Durée de la vidéo : 1 min.\"",
        test=any_of(
            _and_not_sentence(raw(r"(?:VID[ÉE]O|Vid[ée]o)(?:\s*[-:–—.|]\s*|\s+(?=[A-ZÀ-Ý«\"“0-9])|(?=[A-ZÀ-Ý«\"“]))"
                                  r".{0,200}", r"(?:VID[ÉE]O|Vid[ée]o)", max_words=25, flags=0)),
            whole(r"(?:regarder|voir|lire|revoir) la video|duree de la video \d+ ?min.{0,10}|video \d+ ?min|"
                  r"(?:la )?video (?:du jour|a voir)|videos"),
        ),
        samples=("VidéoLa Corée du Nord rend officiellement hommage à ses soldats", "VIDÉO - Les images du sauvetage",
                 "Regarder la vidéo", "Durée de la vidéo : 1 min."),
    ),
    Rule(
        name="read_also",
        longest=40,
        seen="inline \"À lire aussi : <title>\" / \"Lire aussi : <title>\" lines (Le Parisien, Le Figaro, "
        "franceinfo), \"VOIR AUSSI - ...\"",
        test=any_of(
            # the keyword is case-insensitive, what follows must start like a title (capital letter,
            # quote, digit) or after a separator: "Voir aussi la carte ..." is a sentence
            raw(r"\W*(?i:(?:à\s+|a\s+)?(?:lire|voir|relire|écouter|ecouter|regarder|découvrir|decouvrir)\s+"
                r"(?:aussi|également|egalement))\b\s*(?:[:>»|→\-–—]+.*|[A-ZÀ-Ý«\"“0-9].*)?",
                r"\W*(?i:(?:lire|voir|relire|écouter)\s+(?:notre|nos|l['’])\s*(?:article|dossier|enquête|analyse|"
                r"décryptage|entretien|reportage|vidéo|live|direct|portrait)s?)\s*[:>»|→\-–—].*",
                r"\W*(?i:(?:notre|nos)\s+(?:article|dossier|enquête|décryptage|entretien|reportage|analyse)s?)"
                r"\s*[:>»→].*",
                max_words=40, flags=0),
        ),
        samples=("À lire aussi : Un titre d'article", "Lire aussi : Un autre titre", ">> Lire aussi : Le titre",
                 "VOIR AUSSI - Les images"),
    ),
    Rule(
        name="aggregator_chrome",
        longest=20,
        seen="Daily8 \"Essayez nos fonctionnalités IA\" / \"Découvrez ce que Daily8 IA peut faire pour vous :\" "
        "(seeds/000, 003), EN \"Try Our AI Features\" / \"Explore what Daily8 AI can do for you:\", "
        "\"Hashtags\", #tag lines",
        test=any_of(
            whole(
                r"hashtags?|essayez nos fonctionnalites (?:ia|d'ia)|try our ai features|"
                r".{0,40}(?:fonctionnalites|features) (?:ia|ai)|decouvrez ce que .{1,30} (?:ia|ai) peut faire pour vous|"
                r"explore what .{1,30} ai can do for you|resumer(?: l'article| avec l'ia)?|resume (?:ia|genere par l'ia)|"
                r"daily wrap ?up|unbiased opinion|voir l'article original|lire l'article (?:original|complet)|"
                r"source originale?|read (?:the )?(?:full|original) (?:article|story)",
                max_words=16,
            ),
            raw(r"(?:#[\w-]+[\s,]*)+", max_words=20),
        ),
        samples=("Essayez nos fonctionnalités IA", "Découvrez ce que Daily8 IA peut faire pour vous :",
                 "Try Our AI Features", "#Ukraine #Russie"),
    ),
    Rule(
        name="syndication",
        longest=40,
        seen="syndication footers left mid-text: \"L'article est apparu en premier ici\" (seeds/004), \"The post "
        "... appeared first on ...\", \"Retrouvez également tous nos contenus sur artia13.city\" (seeds/004)",
        test=any_of(
            FOOTER_BLOCK.test,
            head(r"retrouvez (?:egalement |aussi )?(?:tous )?(?:nos|nos autres|l'ensemble de nos) (?:contenus|"
                 r"articles|actualites|infos) sur", max_words=20),
        ),
        samples=("L'article est apparu en premier ici", "Retrouvez également tous nos contenus sur exemple.fr"),
    ),
    Rule(
        name="no_words",
        longest=3,
        seen="lines without a word: \"-\" bullets between franceinfo's \"À regarder\" items (seeds/001), Le "
        "Parisien's bare comment count (\"3\") next to the share bar, separators",
        test=lambda line, ctx: re.fullmatch(r"[\W_]+|\d{1,4}", line.raw) is not None,
        samples=("-", "•", "3"),
    ),
    PAYWALL_TEASER,
    SUBSCRIBE_CTA,
)

#: Rules that may stand before the title of a text record ("logo" over the headline).
TITLE_SKIP = frozenset({"image_alt", "navigation", "ad_label", "share_prompt", "aggregator_chrome",
                        "no_words", "consent_prompt", "app_prompt", "source_time"})

#: Labels that cannot end an article: a heading left with nothing under it.
ORPHAN_LABELS = re.compile(
    r"sources?|references?|liens?(?: utiles)?|ressources|notes|credits?|contacts?|pour aller plus loin|"
    r"en savoir plus|a lire|a voir|a decouvrir|a ecouter|bibliographie|partenaires?"
)

ALL_RULES: tuple[Rule, ...] = (*HEADING_RULES, *LINE_RULES)
"""Every rule, headings first (names are unique except shared paywall rules)."""


def first_match(rules: Sequence[Rule], line: Line, ctx: Context) -> Rule | None:
    """The first of ``rules`` the line matches (only rules that can match a line this long run)."""
    if line.blank:
        return None
    key = (id(rules), min(line.words, 100))
    candidates = _CANDIDATES.get(key)
    if candidates is None:
        candidates = _CANDIDATES[key] = tuple(r for r in rules if r.longest >= line.words)
    for rule in candidates:
        if rule.matches(line, ctx):
            return rule
    return None


_CANDIDATES: dict[tuple[int, int], tuple[Rule, ...]] = {}
"""(id of a rule table, words) -> the rules of the table that can match a line of that length.
Rule tables are module constants (tuples), so their ids are stable."""


NOISE_SAMPLES: dict[str, tuple[str, ...]] = {
    r.name: r.samples for r in (*HEADING_RULES, *LINE_RULES) if r.samples
}
"""``{rule name: (noise line, ...)}``: lines each rule removes, as seen on real pages."""
