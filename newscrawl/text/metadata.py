"""Pure helpers for metadata: the names of a byline, the tags of a keywords list, photo captions.

``byline_names`` takes a byline the way pages write it and gives the person names:

- a label before the names: "Par", "By", "De", "Auteur :", "Rédigé par", "Propos recueillis par";
- several names: "Anne Roux, Paul Mas et Lina Ba", "Jane Doe and John Roe", "X & Y", "X avec Y",
  "X with Y", "X / Y";
- parentheses: co-authors "Martin Exemple (avec Damien Essai et Morgane Test)" are names, anything
  else in them ("(correspondante à Bordeaux)", "(AFP)", "(photos)") is a role or a credit and goes;
- a role or a bio after a name: "Hélène Guérin, correspondante à Bordeaux", "Jane Doe, Senior
  Reporter", "Auteur : X – Consulter sa biographie", "Marc Dupont - Rédaction".

What is left must look like a name (capitalised words and particles, at most 6 words and 60
characters, no digit, no "@", no URL); anything else is dropped, never guessed at.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newscrawl.clean.rules import OUTLETS
from newscrawl.text.normalize import clean_text, fold_for_match

if TYPE_CHECKING:
    from lxml import etree

#: Labels before the names ("Par ", "By ", "Auteur : ", "Propos recueillis par ", "Analysis by ").
_LABEL = re.compile(
    r"^(?:(?:[^\s,;:()]+\s+){0,3}?(?:par|by)|de|auteure?s?|autrice|authors?|signé)\b\s*:?\s*",
    re.IGNORECASE,
)
#: A parenthesis of co-authors: "(avec Y et Z)", "(with Y)", "(and Y)".
_CO_AUTHORS = re.compile(r"^(?:avec|with|and|et|&)\s+", re.IGNORECASE)
_PARENS = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")
#: After a name: a bio or a role ("X – Consulter sa biographie", "X - Rédaction", "X | Le Site").
_BIO_CUT = re.compile(r"\s+[\u2013\u2014|-]\s+|\s+[\u2013\u2014|]|[\u2013\u2014|]\s+")
#: Between names.
_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+(?:et|and|avec|with|&|/)\s+|\s*&\s*", re.IGNORECASE)
#: Words of a role or a job, not of a name ("correspondante à Bordeaux", "Senior Reporter").
_ROLE = re.compile(
    r"\b(?:correspondante?s?|envoyée?s? spéciale?s?|envoyé|journalistes?|reporters?|rédacteurs?|rédactrices?"
    r"|rédacteur en chef|chef(?:fe)? (?:de service|de rubrique|d'édition)|photographes?|photographers?"
    r"|photos?|vidéos?|videos?|infographies?|illustrations?|editors?|correspondents?|contributors?"
    r"|contributing|staff writer|writers?|columnists?|chroniqueur|chroniqueuse|stagiaire|intern|senior|chief"
    r"|spécial|special|service|bureau)\b",
    re.IGNORECASE,
)
#: Lowercase words allowed inside a name.
_PARTICLES = frozenset(("de", "du", "des", "la", "le", "van", "von", "der", "den", "di", "da", "dos", "del",
                        "bin", "ben", "al", "el", "y", "e", "st", "ter"))
_INITIAL_END = re.compile(r"(?:^|[\s.\-])[A-ZÀ-Ý]\.$")
#: A web address given as a credit ("Cleveland.com", "exemple.fr").
_DOMAIN = re.compile(r"\w\.(?:com|fr|net|org|info|io|co|uk|de|be|ch|ca|eu|news)\b", re.IGNORECASE)
#: Credentials after a name ("Jeanne Exemple, MS, RDN"; "PhD").
_CREDENTIAL = re.compile(r"[A-Z]{2,4}|Ph\.?D\.?|M\.?D\.?|MBA|Jr\.?|Sr\.?")
#: A name in capitals followed by a credit in other case: "JEANNE EXEMPLE Associated Press" (AP style).
_CAPS_THEN_CREDIT = re.compile(r"((?:[A-ZÀ-Ý][A-ZÀ-Ý.'\u2019-]+\s+){1,4}[A-ZÀ-Ý][A-ZÀ-Ý.'\u2019-]+)\s+[A-ZÀ-Ý][a-zà-ÿ].*")
NAME_MAX_WORDS = 6
NAME_MAX_CHARS = 60


#: Outlets and agencies that sign as such ("franceinfo", "Le Figaro avec AFP", "AFP"): folded; the
#: cleaning rules' list of outlets, and generic signatures.
_OUTLETS = f"{OUTLETS}|ap|agences?|la redaction|redaction"
_CONNECT = r" (?:avec|et|and|with) "


def _credit(text: str, publisher: str | None) -> bool:
    """The byline is an outlet's credit, kept whole: a known outlet or the page's publisher, alone
    or with an agency ("franceinfo avec AFP", "Exemple Matin with Reuters")."""
    folded = fold_for_match(text)
    site = re.escape(fold_for_match(publisher or "")) or "(?!)"
    outlet = rf"(?:{_OUTLETS}|{site})"
    return re.fullmatch(rf"{outlet}(?:{_CONNECT}{outlet})*", folded) is not None


def _parenthesis(m: re.Match[str]) -> str:
    inner = m.group(1).strip()
    co = _CO_AUTHORS.match(inner)
    return f", {inner[co.end():]}" if co else ""


def clean_name(raw: str) -> str | None:
    """One name as a byline part gives it: the label and a trailing period (not an initial's)
    removed; None when it does not look like a person's name."""
    name = _LABEL.sub("", clean_text(raw), count=1).strip(" ,;:")
    if name.endswith(".") and not _INITIAL_END.search(name):  # "D.D." keeps the period of its initial
        name = name.rstrip(" .")
    if not name or len(name) > NAME_MAX_CHARS or "@" in name or "http" in name.lower() or _DOMAIN.search(name):
        return None
    m = _CAPS_THEN_CREDIT.fullmatch(name)
    if m:
        name = m.group(1)
    words = name.split()
    if len(words) > NAME_MAX_WORDS or any(c.isdigit() for c in name) or _ROLE.search(name):
        return None
    if not words[0][:1].isupper():
        return None
    if not all(w[:1].isupper() or w.lower() in _PARTICLES or w[:2].lower() in ("d'", "d\u2019")
               or not w[:1].isalpha() for w in words):
        return None
    return name


def byline_names(raw: str | None, publisher: str | None = None) -> list[str]:
    """The person names of a byline ("Par X, Y et Z", "X (avec Y et Z)", "By X and Y, Reporter").
    After the first name, a credit is no name: the ``publisher`` ("Jeanne Exemple, Le Journal"),
    credentials ("MS", "PhD"). An outlet signing as such ("franceinfo", "franceinfo avec AFP",
    the publisher alone) is one credit, kept as written."""
    text = clean_text(raw)
    if not text:
        return []
    text = _LABEL.sub("", text, count=1)
    if _credit(text, publisher):
        return [text]
    text = _PARENS.sub(_parenthesis, text)
    text = re.split(r"\s*[(\[]", text, maxsplit=1)[0]  # an unclosed parenthesis: a role cut short
    text = _BIO_CUT.split(text, maxsplit=1)[0]
    site = clean_text(publisher).casefold()
    names: list[str] = []
    for part in _SEPARATORS.split(text):
        part = part.strip()
        if names and (_CREDENTIAL.fullmatch(part) or (site and (part.casefold() in site or site in part.casefold()))):
            continue
        name = clean_name(part)
        if name is not None:
            names.append(name)
        elif part[:1].isupper() and not names:
            # the first part is no name ("Une phrase trop longue..."): not a byline at all
            return []
    return names


#: Longest tag kept from a keywords list (longer: a title or a sentence pasted in by a CMS).
TAG_MAX_CHARS = 80


def split_keywords(raw: str | None) -> list[str]:
    """A keywords list as metas write it ("Politique, Élections municipales; Lyon") -> its tags;
    items without a letter ('"', "2025") or longer than a tag are dropped."""
    tags = (clean_text(part) for part in re.split(r"\s*[,;]\s*", raw or ""))
    return [t for t in tags if t and len(t) <= TAG_MAX_CHARS and any(c.isalpha() for c in t)]


def tag_values(values: list[object]) -> list[str]:
    """Tags from a list of values: one string is a list to split, several are one tag each."""
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) == 1:
        return split_keywords(texts[0])
    return [t for t in (clean_text(v) for v in texts) if t]


_MEDIA_TYPES = re.compile(r"(?:Image|Video|Media|Audio)Object|Photograph", re.IGNORECASE)
_MEDIA_PROPS = frozenset(("image", "video", "associatedmedia", "photo", "thumbnail"))


def is_caption(el: etree._Element, *, body_too: bool = False) -> bool:
    """``el`` is (in) a figure's caption or an image/video object; with ``body_too``, also when it
    sits inside the article body (``[itemprop=articleBody]``): a description there captions a
    photo of the body, it is no standfirst."""
    node: etree._Element | None = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("figure", "figcaption"):
            return True
        prop = (node.get("itemprop") or "").lower()
        if _MEDIA_TYPES.search(node.get("itemtype") or "") or _MEDIA_PROPS.intersection(prop.split()):
            return True
        if body_too and node is not el and "articlebody" in prop.split():
            return True
        node = node.getparent()
    return False
