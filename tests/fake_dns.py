"""A DNS resolver for tests (``-s TWISTED_DNS_RESOLVER=tests.fake_dns.LoopbackResolver``): every
name ending in ``.example`` resolves to 127.0.0.1, as a public-looking host name pointing at an
internal address would; other names go to the system resolver. ``LoopbackResolver`` checks the
result as the project's resolver does; ``UncheckedLoopbackResolver`` does not (the peer check
after the connection is then the only guard)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from newscrawl.safety import SafeResolver


class UncheckedLoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.lower().rstrip(".").endswith(".example"):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)


class LoopbackResolver(SafeResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.lower().rstrip(".").endswith(".example"):
            return defer.succeed("127.0.0.1").addCallback(self._check, name)
        return super().getHostByName(name, timeout)
