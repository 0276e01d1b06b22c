"""Only the web it was asked to read: every request is http(s), and never to a private, loopback
or link-local address unless the user asked for that host.

How a host is decided (the README's "Security model"):

- Schemes: only ``http`` and ``https`` are fetched. Scrapy's ``file``, ``s3`` and ``ftp``
  download handlers are off (DOWNLOAD_HANDLERS in newscrawl/settings.py), and a URL of any other
  scheme, wherever it comes from (start URL, feed, sitemap, listing, redirect, Redis seed or
  queue), is refused here with a stat, before any download handler sees it. The one exception is
  the dedup pipeline's own ``data:,`` request (pipelines/dedup.py: it hands deferred copies back
  to the pipelines), recognised by its ``newscrawl_release`` meta, which no feed, page or Redis
  entry can set (the ``data`` handler reads nothing but the URL itself).
- Internal addresses: loopback, private, link-local, unspecified, shared (CGNAT), reserved,
  documentation and multicast addresses (everything that is not globally routable, IPv4-mapped,
  6to4 and NAT64 IPv6 forms included) and ``localhost`` names are refused, unless the host is
  allowed:
  - the host of a start URL the user gave (``-a start_urls=...``, a host not in the publisher
    registry): a local mirror or a test server on 127.0.0.1 allows that host name, any port;
    nothing else (``localhost`` as a start URL does not allow ``127.0.0.1``, nor the reverse);
  - a host, address or network listed in NEWSCRAWL_ALLOW_PRIVATE_HOSTS.
- An IP literal (``http://10.0.0.1/``, ``http://[::1]/``, ``http://2130706433/``) and a
  ``localhost`` name are refused before any request (:class:`RefuseInternalRequestsMiddleware`,
  which sees redirects too: a redirected request goes through it again). A host *name* that
  resolves to an internal address is failed by the DNS resolver (:class:`SafeResolver`,
  TWISTED_DNS_RESOLVER) before any connection, and the connected peer (``response.ip_address``)
  is checked again after the connection for any handler or resolver that slips past it
  (:class:`RefuseInternalPeersMiddleware`; not through a proxy, whose address is the peer then).
- Feed, sitemap and listing entries are refused in the spider (:class:`RefuseInternalLinksMiddleware`),
  before they are scheduled: a hostile feed costs no fetch and no failed-request count.
- Offline replay (NEWSCRAWL_REPLAY) reaches no network: only the scheme is checked then.

Stats: newscrawl/refused/{scheme,private_host,private_peer} (with the errback's
newscrawl/fetch/failed/refused_<kind> when a request is refused at download).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import weakref
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.resolver import CachingThreadedResolver

from newscrawl.downloader import REDIRECT_CODES, FetchRefused

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_POLICY_ATTR = "_newscrawl_host_policy"
_PROCESS_POLICIES: weakref.WeakKeyDictionary[Any, HostPolicy] = weakref.WeakKeyDictionary()
"""The policy of each crawler of this process (the DNS resolver is one for the process)."""


# ------------------------------------------------------------------------------ pure helpers


def normalize_host(host: str | None) -> str:
    """Lower case, no trailing dot, no IPv6 brackets or zone; IP literals in their canonical form
    (``0x7f.1`` and ``[::ffff:7f00:1]`` -> ``127.0.0.1``): one address is one host."""
    host = (host or "").strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    address = host_address(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address) if address is not None else host


def host_address(host: str | None) -> IPAddress | None:
    """The address ``host`` stands for when it is an IP literal, else None. Besides dotted quads
    and IPv6, the forms a resolver accepts as IPv4 are read too (``127.1``, ``2130706433``,
    ``0x7f000001``, ``0177.0.0.1``): they reach the same address."""
    host = (host or "").strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if all(c in "0123456789abcdefx." for c in host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_internal_address(address: IPAddress) -> bool:
    """Not a public unicast address: private, loopback, link-local, unspecified, shared, reserved,
    documentation, multicast; IPv6 forms that embed an IPv4 address are judged by that address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None and is_internal_address(embedded):
            return True
    return not address.is_global or address.is_multicast


def is_localhost_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in LOCALHOST_NAMES or host.endswith(".localhost")


def parse_allowed(value: Any) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    """NEWSCRAWL_ALLOW_PRIVATE_HOSTS: a list (or comma/space separated string) of host names,
    IP addresses or networks (CIDR). Raises ValueError on an entry that is none of them."""
    if value is None or value == "":
        return frozenset(), ()
    items: Iterable[Any] = value.replace(",", " ").split() if isinstance(value, str) else value
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in items:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"NEWSCRAWL_ALLOW_PRIVATE_HOSTS: {raw!r} is not a host, address or network")
        text = raw.strip()
        if "://" in text or any(c in text for c in " @?#"):
            raise ValueError(f"NEWSCRAWL_ALLOW_PRIVATE_HOSTS: {text!r} is not a host name, address or network "
                             "(write mirror.lan, 10.0.0.5 or 10.20.0.0/16, not a URL)")
        if "/" in text:
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f"NEWSCRAWL_ALLOW_PRIVATE_HOSTS: {text!r} is not a network (CIDR)") from None
            continue
        address = host_address(text)
        if address is not None:
            networks.append(ipaddress.ip_network(address))
        hosts.add(normalize_host(text))
    return frozenset(hosts), tuple(networks)


@dataclass(frozen=True)
class Refusal:
    kind: str
    """Stat key under newscrawl/refused/: scheme | private_host | private_peer."""
    detail: str


@dataclass
class HostPolicy:
    """Which URLs may be fetched and which connected peers accepted (see the module docstring)."""

    allowed_hosts: frozenset[str] = frozenset()
    """Normalized host names (and IP literals) allowed even when internal."""
    allowed_networks: tuple[IPNetwork, ...] = ()
    check_hosts: bool = True
    """False in offline replay: only the scheme is checked."""
    _cache: dict[str, Refusal | None] = field(default_factory=dict, repr=False)

    def allows_address(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == n.version and address in n for n in self.allowed_networks)

    def refusal(self, url: str) -> Refusal | None:
        """Why ``url`` must not be fetched, or None."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # e.g. a bad IPv6 literal
            return Refusal("scheme", f"unreadable URL {url[:200]!r}")
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            return Refusal("scheme", f"{scheme or 'no'} scheme: only http and https are fetched")
        if not self.check_hosts or not host:
            return None
        if host in self._cache:
            return self._cache[host]
        found = self._host_refusal(host)
        if len(self._cache) < 10_000:
            self._cache[host] = found
        return found

    def _host_refusal(self, host: str) -> Refusal | None:
        name = normalize_host(host)
        if name in self.allowed_hosts:
            return None
        address = host_address(host)
        if address is not None:
            if is_internal_address(address) and not self.allows_address(address):
                return Refusal("private_host", f"{address} is an internal address (not a start URL host, not in "
                                               "NEWSCRAWL_ALLOW_PRIVATE_HOSTS)")
            return None
        if is_localhost_name(name):
            return Refusal("private_host", f"{name} is a localhost name (not a start URL host, not in "
                                           "NEWSCRAWL_ALLOW_PRIVATE_HOSTS)")
        return None

    def peer_refusal(self, url: str, peer: Any) -> Refusal | None:
        """Why the response of ``url``, received from ``peer`` (``response.ip_address``), must be
        refused, or None."""
        if not self.check_hosts or peer is None:
            return None
        try:
            address = ipaddress.ip_address(peer) if isinstance(peer, str) else peer
        except ValueError:
            return None
        if not isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
            return None
        host = normalize_host(urlsplit(url).hostname)
        if host in self.allowed_hosts or not is_internal_address(address) or self.allows_address(address):
            return None
        return Refusal("private_peer", f"{host} resolved to the internal address {address} (not a start URL "
                                       "host, not in NEWSCRAWL_ALLOW_PRIVATE_HOSTS)")


def start_url_hosts(urls: Iterable[str]) -> set[str]:
    """Hosts the user named in start URLs: every start URL host that is not a publisher registry
    host (a registry host resolving to an internal address is an attack, not a mirror)."""
    from newscrawl.publishers import publisher_for_url

    hosts = set()
    for url in urls:
        try:
            host = urlsplit(str(url).strip()).hostname
        except ValueError:
            continue
        if host and publisher_for_url(str(url).strip()) is None:
            hosts.add(normalize_host(host))
    return hosts


def policy_from(settings: BaseSettings, start_urls: Iterable[str] = ()) -> HostPolicy:
    hosts, networks = parse_allowed(settings.get("NEWSCRAWL_ALLOW_PRIVATE_HOSTS"))
    return HostPolicy(allowed_hosts=frozenset(hosts | start_url_hosts(start_urls)), allowed_networks=networks,
                      check_hosts=not settings.get("NEWSCRAWL_REPLAY"))


def policy_of(crawler: Crawler) -> HostPolicy:
    """The crawl's policy, built once its spider exists (its start URLs are allowed hosts)."""
    policy = getattr(crawler, _POLICY_ATTR, None)
    if policy is None:
        spider = getattr(crawler, "spider", None)
        start_urls = list(getattr(spider, "start_urls", None) or []) if spider is not None else []
        policy = policy_from(crawler.settings, start_urls)
        if spider is not None:  # before the spider exists, nothing is cached
            setattr(crawler, _POLICY_ATTR, policy)
            _PROCESS_POLICIES[crawler] = policy
    return policy


def resolved_refusal(name: str, address: str) -> Refusal | None:
    """Why ``name``, resolved to ``address``, must not be connected to, or None: an internal
    address for a name that no crawler of this process allows (none registered yet: no opinion)."""
    ip = host_address(address)
    policies = list(_PROCESS_POLICIES.values())
    if ip is None or not is_internal_address(ip) or not policies:
        return None
    url = f"http://{name}/"
    if any(p.peer_refusal(url, ip) is None for p in policies):
        return None
    return Refusal("private_peer", f"{name} resolves to the internal address {ip} (not a start URL host, not in "
                                   "NEWSCRAWL_ALLOW_PRIVATE_HOSTS); not connected")


def refuse_entry(crawler: Crawler, url: str, source: str) -> bool:
    """True (counted, one WARNING naming ``source``) when ``url``, a start URL or an entry of a
    feed, sitemap or listing, is refused (:class:`RefuseInternalLinksMiddleware` asks it for every
    request the spider makes). The spider asks it for feed and sitemap entries before it judges
    the entry's path, so ``file:///etc/passwd`` is a refused scheme, not a skipped "section", and
    takes no place among the document's newest entries. Stats: newscrawl/refused/{scheme,private_host}."""
    refusal = policy_of(crawler).refusal(url)
    if refusal is None:
        return False
    if crawler.stats is not None:
        crawler.stats.inc_value(f"newscrawl/refused/{refusal.kind}")
    logger.warning("Refused %(url)s%(source)s: %(detail)s",
                   {"url": url[:500], "source": source, "detail": refusal.detail})
    return True


class RefusedResolution(FetchRefused):
    """Raised by :class:`SafeResolver` (Twisted turns it into a DNS lookup failure on the way)."""


_REFUSED_NAMES: dict[str, str] = {}
"""Names SafeResolver refused, with why: a DNS failure of such a name is that refusal."""


class SafeResolver(CachingThreadedResolver):
    """Scrapy's caching DNS resolver (TWISTED_DNS_RESOLVER in newscrawl/settings.py) that fails a
    name resolving to an internal address nobody allowed, before any connection: the request is
    refused with reason ``refused_private_peer`` (the peer check after the connection stays, for
    handlers that resolve by themselves)."""

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        d = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    @staticmethod
    def _check(address: str, name: str) -> str:
        refusal = resolved_refusal(name, address)
        if refusal is not None:
            if len(_REFUSED_NAMES) >= 10_000:
                _REFUSED_NAMES.clear()
            _REFUSED_NAMES[name.lower().rstrip(".")] = refusal.detail
            raise RefusedResolution(f"refused_{refusal.kind}", refusal.detail)
        return address


# ------------------------------------------------------------------------------ components


class _Refuser:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        # A bad NEWSCRAWL_ALLOW_PRIVATE_HOSTS stops the crawl at start, with the setting's name.
        parse_allowed(crawler.settings.get("NEWSCRAWL_ALLOW_PRIVATE_HOSTS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def policy(self) -> HostPolicy:
        return policy_of(self.crawler)

    def count(self, refusal: Refusal) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/refused/{refusal.kind}")

    def refuse(self, request: Request, refusal: Refusal, where: str = "") -> FetchRefused:
        """Count the refusal and build the exception; the spider's errback logs it (WARNING),
        here it is logged only for a request without an errback (robots.txt, other spiders)."""
        self.count(refusal)
        level = logging.DEBUG if request.errback is not None else logging.WARNING
        logger.log(level, "Refused %(url)s%(where)s: %(detail)s",
                   {"url": request.url[:500], "where": where, "detail": refusal.detail})
        return FetchRefused(f"refused_{refusal.kind}", refusal.detail + where)


def _redirected_from(request: Request) -> str:
    chain = request.meta.get("redirect_urls")
    return f" (redirected from {chain[0]})" if chain else ""


def is_internal_release(request: Request) -> bool:
    """The dedup pipeline's ``data:,`` request that hands deferred copies back (pipelines/dedup.py)."""
    return request.url == "data:," and request.meta.get("newscrawl_release") is True


class RefuseInternalRequestsMiddleware(_Refuser):
    """Downloader middleware, first of all (DOWNLOADER_MIDDLEWARES 50): refuses a request whose
    URL is not http(s) or names an internal address (IP literal, ``localhost``) that is not
    allowed, before robots.txt, retries or any download handler; redirected requests come here
    again. Settings read: NEWSCRAWL_ALLOW_PRIVATE_HOSTS, NEWSCRAWL_REPLAY.
    Stats written: newscrawl/refused/{scheme,private_host}."""

    def process_request(self, request: Request) -> None:
        if is_internal_release(request):
            return
        refusal = self.policy.refusal(request.url)
        if refusal is not None:
            raise self.refuse(request, refusal, _redirected_from(request))


class RefuseInternalPeersMiddleware(_Refuser):
    """Downloader middleware next to the download handler (DOWNLOADER_MIDDLEWARES 990, its
    responses are seen before the WARC writer and the redirect middleware): refuses a response
    whose connected peer is an internal address for a host that is not allowed (a public name
    resolving to 127.0.0.1 or 10.x), and a redirect to a refused URL (another scheme, an internal
    address), with the refusal's own reason rather than ``http_302``; a DNS failure of a name
    :class:`SafeResolver` refused becomes that refusal (``refused_private_peer``, not ``dns``, and
    not retried). Stats written: newscrawl/refused/{private_peer,scheme,private_host}."""

    def process_exception(self, request: Request, exception: Exception) -> None:
        from scrapy.exceptions import CannotResolveHostError
        from twisted.internet.error import DNSLookupError

        if not isinstance(exception, CannotResolveHostError | DNSLookupError | RefusedResolution):
            return
        host = (urlsplit(request.url).hostname or "").rstrip(".")
        detail = _REFUSED_NAMES.get(host)
        if detail is not None:
            raise self.refuse(request, Refusal("private_peer", detail), _redirected_from(request))

    def process_response(self, request: Request, response: Response) -> Response:
        policy = self.policy
        # Through a proxy the peer is the proxy (often on 127.0.0.1), not the host: not checked.
        peer = None if request.meta.get("proxy") else getattr(response, "ip_address", None)
        refusal = policy.peer_refusal(request.url, peer)
        if refusal is not None:
            raise self.refuse(request, refusal, _redirected_from(request))
        location = response.headers.get(b"Location")
        if response.status in REDIRECT_CODES and location and not request.meta.get("dont_redirect"):
            raw = location.decode("latin-1").strip()
            if raw.startswith("//"):
                raw = f"{urlsplit(request.url).scheme}:{raw}"
            try:
                target = urljoin(request.url, raw)
            except ValueError:  # "http://[::1": RedirectGuardMiddleware refuses it as bad_location
                return response
            refusal = policy.refusal(target)
            if refusal is not None:
                raise self.refuse(request, refusal, f" (redirect to {target[:300]})")
        return response


class RefuseInternalLinksMiddleware(_Refuser):
    """Spider middleware: drops requests the spider makes (start URLs, feed, sitemap and listing
    entries) to a refused URL before they are scheduled: one WARNING with the document that
    named it, one stat. Stats written: newscrawl/refused/{scheme,private_host}."""

    def _keep(self, result: Any, source: str) -> bool:
        if not isinstance(result, Request) or is_internal_release(result):
            return True
        return not refuse_entry(self.crawler, result.url, source)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if self._keep(item, " (start URL)"):
                yield item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        source = f" (found in {response.url[:300]})"
        for item in result:
            if self._keep(item, source):
                yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        source = f" (found in {response.url[:300]})"
        async for item in result:
            if self._keep(item, source):
                yield item
