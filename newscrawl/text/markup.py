"""Decoding page bytes and reading structured data (JSON-LD, meta) from a parsel Selector."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from parsel import Selector

from newscrawl.text.depth import loads as depth_loads
from newscrawl.text.normalize import clean_text

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),  # UTF-32 first: FF FE 00 00 starts like UTF-16LE's
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
)
# The first character of markup ("<", or whitespace before it) as each wide encoding writes it.
_WIDE_PATTERNS = (
    (re.compile(rb"^(?:[\t\n\r ]\x00\x00\x00)*<\x00\x00\x00"), "utf-32-le"),
    (re.compile(rb"^(?:\x00\x00\x00[\t\n\r ])*\x00\x00\x00<"), "utf-32-be"),
    (re.compile(rb"^(?:[\t\n\r ]\x00)*<\x00"), "utf-16-le"),
    (re.compile(rb"^(?:\x00[\t\n\r ])*\x00<"), "utf-16-be"),
)
_META_CHARSET_TEXT = re.compile(r"""(?:<meta[^>]+charset|<\?xml[^>]+encoding)\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def wide_encoding(body: bytes, declared: str | None = None) -> str | None:
    """The UTF-16 / UTF-32 codec a page is in, when it says so: a byte order mark, the HTTP
    charset (``utf-16``, ``utf-32le``...), or a ``<meta charset>`` (an XML declaration's
    ``encoding``) read in the encoding its first bytes are laid out in. None for any other page
    (8-bit charsets, UTF-8)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    layout = next((codec for pattern, codec in _WIDE_PATTERNS if pattern.match(body[:64])), None)
    label = (declared or "").strip().lower().replace("_", "-")
    family = "utf-32" if label.startswith(("utf-32", "utf32", "ucs-4")) else \
        "utf-16" if label.startswith(("utf-16", "utf16", "ucs-2")) else None
    if family is not None:
        if layout is not None:  # the bytes' layout says which: a header off by a width loses to it
            return layout
        if b"\x00" not in body[:512]:  # HTML markup in UTF-16/32 is full of NULs: this is not
            return None
        return f"{family}-{label[-2:]}" if label.endswith(("le", "be")) else f"{family}-le"
    if layout is None:
        return None
    width = 4 if layout.startswith("utf-32") else 2
    head = body[: 4096 - 4096 % width].decode(layout, errors="ignore")
    m = _META_CHARSET_TEXT.search(head)
    if m and m.group(1).lower().replace("_", "-").startswith(layout[:6]):
        return layout
    return None


def decode_html(body: bytes | str, declared: str | None = None) -> str:
    """Decode page bytes: UTF-16/32 when the page says so (:func:`wide_encoding`), else strict
    UTF-8 first, then the declared (header) charset, then the page's ``<meta charset>``, then
    cp1252.

    UTF-8 goes first because pages with no ``<meta charset>`` (Le Figaro 2024) or with a
    header that contradicts the page would otherwise be read as latin-1 mojibake, and a
    non-UTF-8 page almost never decodes as valid UTF-8 by accident. A UTF-16 page of ASCII
    text does (NUL is valid UTF-8), hence the wide encodings before it.
    """
    if isinstance(body, str):
        return body
    wide = wide_encoding(body, declared)
    if wide is not None:
        return body.decode(wide, errors="replace").lstrip("\ufeff")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [declared] if declared else []
    m = _META_CHARSET.search(body[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    for enc in [*candidates, "cp1252"]:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-LD value, ``@graph`` / ``mainEntity`` / ``itemListElement`` followed,
    in document order. Iterative: a block nested 1,000 levels deep costs no recursion."""
    stack: list[Any] = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            children = [node[key] for key in ("@graph", "mainEntity", "itemListElement")
                        if key in node and not (key == "itemListElement" and node.get("@type") == "BreadcrumbList")]
            stack.extend(reversed(children))


def _loads_lenient(raw: str) -> Any:
    raw = raw.strip().rstrip(";")
    try:
        return depth_loads(raw)
    except json.JSONDecodeError:
        # Control characters inside strings are common in hand-made JSON-LD.
        return depth_loads(re.sub(r"[\x00-\x1f]", " ", raw))


def jsonld_objects(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, with ``@graph`` lists flattened; broken blocks skipped."""
    out: list[dict[str, Any]] = []
    for raw in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            out.extend(_walk(_loads_lenient(raw)))
        except (json.JSONDecodeError, ValueError):
            logger.debug("Skipping unparsable JSON-LD block")
    return out


def types_of(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


ARTICLE_TYPES = {
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "LiveBlogPosting", "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle",
    "WebPage", "AskPublicNewsArticle", "SatiricalArticle", "Report",
}  # fmt: skip


def article_ld(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's article object: the first of an article type (WebPage only as last resort)."""
    best: dict[str, Any] = {}
    for obj in objects:
        types = types_of(obj)
        if types & (ARTICLE_TYPES - {"WebPage"}):
            return obj
        if "WebPage" in types and not best and ("headline" in obj or "articleBody" in obj):
            best = obj
    return best


def ld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation value (object, list, or plain string)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name)
    return names


def ld_keywords(value: Any) -> list[str]:
    """JSON-LD ``keywords`` as a list: a string is one comma-separated list ("Politique, Lyon"),
    a list holds one keyword per string (other values skipped); cleaned, empty ones dropped."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list):
        parts = [v for v in value if isinstance(v, str)]
    else:
        return []
    return [k for k in (clean_text(p) for p in parts) if k]


def _position(item: dict[str, Any]) -> int:
    try:
        return int(item.get("position") or 0)
    except (TypeError, ValueError):
        return 0


def ld_breadcrumb_first(objects: list[dict[str, Any]]) -> str | None:
    """The first item of the page's JSON-LD ``BreadcrumbList`` ("Faits-divers" of "Faits-divers >
    Justice"), by ``position``: the ``ListItem``'s ``name``, else its ``item``'s; the home page
    ("Accueil") is no section and is passed over. None when the page has no such list."""
    for obj in objects:
        if "BreadcrumbList" not in types_of(obj):
            continue
        items = obj.get("itemListElement")
        if not isinstance(items, list):
            continue
        for item in sorted((i for i in items if isinstance(i, dict)), key=_position):
            name = item.get("name")
            if not isinstance(name, str) and isinstance(item.get("item"), dict):
                name = item["item"].get("name")
            text = clean_text(name) if isinstance(name, str) else ""
            if text and text.casefold() != "accueil":
                return text
    return None


def ld_bool(value: Any) -> bool | None:
    """``isAccessibleForFree`` and friends: True/False, "True"/"False" strings (Le Parisien)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def meta_content(sel: Selector, *names: str) -> str | None:
    """First non-empty ``<meta property|name=...>`` content among ``names``."""
    for name in names:
        value = sel.xpath(
            f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]/@content'
        ).get()
        if value and value.strip():
            return value
    return None


def meta_all(sel: Selector, name: str) -> list[str]:
    return [v for v in sel.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content').getall() if v.strip()]
