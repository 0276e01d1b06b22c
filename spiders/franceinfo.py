"""franceinfo: discovery entry points and URL patterns come from the publisher registry."""

from __future__ import annotations

from spiders._base import NewsSpider


class FranceinfoSpider(NewsSpider):
    name = "franceinfo"
