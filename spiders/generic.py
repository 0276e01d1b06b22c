"""generic: any news site, from its feed or sitemap URLs (``-a start_urls=...``).

Pages of a known site (franceinfo, Le Figaro...) still go to that site's parser; other pages
go to the generic parser (JSON-LD/OpenGraph metadata, trafilatura body).
"""

from __future__ import annotations

from spiders._base import NewsSpider


class GenericSpider(NewsSpider):
    name = "generic"
