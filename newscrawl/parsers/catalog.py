"""The parser of a catalog entry without a site parser: the generic parser, told the entry's
key, display name, paywall markers and noise selectors (newscrawl/catalog.py).

Records carry the entry's key in ``source``, its display name in ``publisher`` and
``generic/<version>`` in ``parser`` (the code that read the page).
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from newscrawl.items import ArticleItem
from newscrawl.parsers.generic import GenericParser


class CatalogParser(GenericParser):
    """Base of the per-entry classes made by :func:`catalog_parser`."""

    #: The parser name written in ``parser`` (the record's ``source`` is the entry's key).
    label: ClassVar[str] = "generic"

    def parse(self, strict: bool = False) -> ArticleItem:
        item = super().parse(strict=strict)
        item.parser = f"{self.label}/{self.version}"
        return item


@cache
def catalog_parser(key: str) -> type[CatalogParser]:
    """The parser class of catalog entry ``key`` (one class per entry, made once)."""
    from newscrawl.publishers import PUBLISHERS

    pub = PUBLISHERS[key]
    name = "".join(part.capitalize() for part in key.split("_")) + "CatalogParser"
    return type(name, (CatalogParser,), {
        "__module__": __name__,
        "__doc__": f"{pub.name}: the generic parser with the catalog entry's markers.",
        "key": key,
        "publisher_name": pub.name,
        "strip_css": (*GenericParser.strip_css, *pub.noise_css),
        "paywall_css": (*GenericParser.paywall_css, *pub.paywall_css),
    })
