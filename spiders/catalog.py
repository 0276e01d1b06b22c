"""One spider per catalog entry (newscrawl/catalog.py), made from the data: ``scrapy crawl
lemonde``, ``scrapy list``. Discovery entry points, URL patterns and the parser come from the
publisher registry, as for the named sites' spiders."""

from __future__ import annotations

from newscrawl.publishers import CATALOG_KEYS
from spiders._base import NewsSpider


def _class_name(key: str) -> str:
    return "Catalog" + "".join(part.capitalize() for part in key.split("_")) + "Spider"


def _make(key: str) -> type[NewsSpider]:
    return type(_class_name(key), (NewsSpider,), {
        "__module__": __name__, "name": key, "__doc__": f"Catalog spider of {key} (newscrawl/catalog.py).",
    })


# Scrapy's spider loader lists the classes defined in this module (none for an empty catalog)
globals().update({_class_name(key): _make(key) for key in CATALOG_KEYS})
