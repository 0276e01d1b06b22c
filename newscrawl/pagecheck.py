"""Pure checks on a fetched page: what a body really is, charset trouble, truncated markup,
implausible dates. No Scrapy here: each check is tested on plain values; ``newscrawl.road``
runs them (its ``check`` stop and the date check), for the spider and for ``extract`` alike."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from newscrawl.text.dates import NEWS_EPOCH, parse_iso

HTML_TYPES = ("text/html", "application/xhtml+xml")

# Magic numbers of what is commonly served by mistake (or on purpose) as text/html.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00", "binary data"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?(?:charset\s*=\s*["']?|content\s*=\s*["'][^"'>]*?charset\s*=\s*)([\w.:-]+)""",
    re.IGNORECASE,
)
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

# Charset labels that name the same decoder.
_ALIASES = {
    "utf8": "utf-8", "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1",
    "l1": "iso-8859-1", "ascii": "us-ascii", "windows1252": "windows-1252", "cp1252": "windows-1252",
    "iso-8859-15": "iso-8859-15", "latin9": "iso-8859-15",
}  # fmt: skip


def media_type(content_type: bytes | str | None) -> str:
    """``text/html; charset=utf-8`` -> ``text/html`` (lowercase, "" when absent)."""
    if not content_type:
        return ""
    value = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    return value.split(";", 1)[0].strip().lower()


def header_charset(content_type: bytes | str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, normalised, or None."""
    if not content_type:
        return None
    value = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value, re.IGNORECASE)
    return normalise_charset(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in ``<meta charset>`` / ``http-equiv`` (first 4 KB)."""
    m = _META_CHARSET.search(body[:4096])
    return normalise_charset(m.group(1).decode("ascii", "ignore")) if m else None


def normalise_charset(label: str) -> str:
    label = label.strip().lower()
    return _ALIASES.get(label, label)


def binary_kind(body: bytes) -> str | None:
    """What a body is when it is not text at all (PDF, image...), judged from its first bytes."""
    head = body[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP image"
    if b"\x00" in body[:512]:
        return "binary data"
    return None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def charset_problem(body: bytes, declared_header: str | None) -> tuple[str, str] | None:
    """Charset trouble of an HTML page, as (reason, detail), or None.

    - ``charset_conflict``: the HTTP header and the page's meta name different charsets;
    - ``charset_wrong``: the charset in force (header, else meta) cannot be the one the bytes are
      in (declared UTF-8 but not valid UTF-8, or a single-byte charset over valid non-ASCII UTF-8);
    - ``charset_missing``: neither the header nor the page says, and the page is not plain ASCII.

    The page is still read (strict UTF-8 first, see newscrawl.text.markup.decode_html); this
    only says that its declaration cannot be trusted.
    """
    header = normalise_charset(declared_header) if declared_header else None
    meta = meta_charset(body)
    utf8 = _is_utf8(body)
    ascii_only = body.isascii()
    if header and meta and header != meta and not ascii_only:
        used = "utf-8" if utf8 else header
        return "charset_conflict", f"header says {header}, page says {meta}; read as {used}"
    declared = header or meta
    if declared is None:
        return None if ascii_only else ("charset_missing", "no charset in header or page; read as "
                                        + ("utf-8" if utf8 else "windows-1252"))
    if ascii_only:
        return None
    if declared == "utf-8" and not utf8:
        return "charset_wrong", "declared utf-8 but the bytes are not UTF-8; read as windows-1252"
    if declared != "utf-8" and utf8:
        return "charset_wrong", f"declared {declared} but the bytes are UTF-8; read as utf-8"
    return None


def looks_truncated(body: bytes) -> bool:
    """The page ends before ``</html>`` or ``</body>`` (cut short, or broken markup)."""
    tail = body[-65536:]
    return not (_HTML_END.search(tail) or _BODY_END.search(tail))


def is_future(value: str | None, now: datetime, tolerance: timedelta) -> bool:
    """An ISO date later than ``now + tolerance`` (a record date that cannot be right)."""
    when = parse_iso(value)
    return when is not None and when > now + tolerance


def is_before_news(value: str | None) -> bool:
    """A record date that is set but is no news date: before 1900 (year 1, a placeholder), or
    not an instant at all (0001-01-01T00:00:00+14:00). Real archive dates (1944) are kept."""
    if not value:
        return False
    when = parse_iso(value)
    return when is None or when < NEWS_EPOCH
