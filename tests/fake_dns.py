"""A DNS resolver for tests (``-s DNS_RESOLVER=tests.fake_dns.LoopbackResolver``): every name
ending in ``.example`` resolves to 127.0.0.1, as a public-looking host name pointing at an
internal address would; other names go to the system resolver."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class LoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.lower().rstrip(".").endswith(".example"):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)
