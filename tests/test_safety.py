"""Only the web it was asked to read (newscrawl/safety.py): http(s) only, no internal address
unless a start URL or NEWSCRAWL_ALLOW_PRIVATE_HOSTS allows it.

One real ``scrapy crawl generic`` reads a feed from a local server whose entries and redirects
point at local files, other schemes, the same server under other names (localhost, hex and
IPv4-mapped forms: the server's hit counts prove nothing was fetched) and a public-looking name
that resolves to 127.0.0.1 (tests/fake_dns.py). The pure policy is tested table-driven.
"""

from __future__ import annotations

import base64
import ipaddress
import random

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newscrawl.downloader import FetchRefused
from newscrawl.localsite import LocalSite, Page
from newscrawl.safety import (
    HostPolicy,
    RefuseInternalLinksMiddleware,
    RefuseInternalPeersMiddleware,
    RefuseInternalRequestsMiddleware,
    host_address,
    is_internal_address,
    parse_allowed,
    policy_from,
)
from spiders.generic import GenericSpider
from tests.e2e_support import article_html, crawl, log_lines, rss

WORDS = ("lavoir", "halle", "kiosque", "beffroi", "écluse", "péniche", "verger", "moulin", "fontaine", "préau",
         "cloître", "manège", "buvette", "guinguette", "tonnelle", "pigeonnier", "grange", "chapelle", "calvaire",
         "octroi", "passerelle", "belvédère", "estacade", "criée", "halage", "bief", "vannage", "déversoir")


def story(seed: int) -> list[str]:
    """Two invented paragraphs, different for each seed (content dedup must not merge them)."""
    rng = random.Random(seed)
    return [" ".join(f"Le {rng.choice(WORDS)} de la commune numéro {seed} {rng.choice(WORDS)}"
                     for _ in range(6)) + "." for _ in range(2)]


SECRET = "Mot de passe du serveur interne : cheval-agrafe-batterie-correct"


def art(slug: str) -> str:
    return f"/articles/2025/06/12/{slug}.html"


# ------------------------------------------------------------------------------ one real crawl


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("safety")
    secret_file = tmp / "files" / "articles" / "2025" / "06" / "12" / "secret-local.html"  # an article path
    secret_file.parent.mkdir(parents=True)
    secret_file.write_text(article_html("Un secret local", [SECRET, *story(99)]), encoding="utf-8")
    data_page = base64.b64encode(article_html("Une page en data", [SECRET, *story(98)]).encode()).decode()
    targets = {  # pages of this same server, reached under another name: never fetched
        "localhost": art("par-localhost"), "redirect_target": art("cible-interne"),
    }
    site = LocalSite({}).start()
    port = site.server.server_address[1]
    entries = [
        "{{BASE}}" + art("bon-article"),
        secret_file.as_uri(),
        f"data:text/html;base64,{data_page}",
        f"ftp://127.0.0.1:{port}{art('par-ftp')}",
        f"s3://un-seau/{art('par-s3')}",
        f"http://localhost:{port}{targets['localhost']}",
        "http://0xa9fea9fe/latest/meta-data/hexa.html",  # 169.254.169.254
        "http://[::ffff:a00:1]/articles/2025/06/12/ipv6-mappee.html",  # 10.0.0.1
        "http://10.0.0.1/articles/2025/06/12/reseau-prive.html",
        "http://169.254.169.254/latest/meta-data/iam.html",
        f"http://intranet.example:{port}{art('par-dns')}",
        "{{BASE}}" + art("redirige-vers-localhost"),
        "{{BASE}}" + art("redirige-vers-fichier"),
        "{{BASE}}" + art("redirige-vers-dns"),
    ]
    pages = {
        "/feed.rss": Page(rss([(u, f"Entrée {k}", "2025-06-12T08:00:00+02:00") for k, u in enumerate(entries)]),
                          content_type="application/rss+xml; charset=utf-8"),
        art("bon-article"): Page(article_html("Le bon article", story(1))),
        art("par-dns"): Page(article_html("Servi par un nom interne", [SECRET, *story(2)])),
        art("redirige-vers-localhost"): Page(b"", status=302,
                                             headers={"Location": f"http://localhost:{port}{targets['redirect_target']}"}),
        art("redirige-vers-fichier"): Page(b"", status=302, headers={"Location": secret_file.as_uri()}),
        art("redirige-vers-dns"): Page(b"", status=302,
                                       headers={"Location": f"http://intranet.example:{port}{art('cible-dns')}"}),
        art("cible-dns"): Page(article_html("Cible interne", [SECRET, *story(3)])),
        **{path: Page(article_html(f"Interne {k}", [SECRET, *story(10 + k)])) for k, path in
           enumerate(targets.values())},
    }
    site.pages.update(pages)
    try:
        result = crawl("generic", [site.url("/feed.rss")], tmp, "TWISTED_DNS_RESOLVER=tests.fake_dns.LoopbackResolver",
                       "ROBOTSTXT_OBEY=False", "NEWSCRAWL_MONITOR_ENABLED=False", "DOWNLOAD_TIMEOUT=5")
        yield result, site, targets
    finally:
        site.stop()


def refused(result, kind: str) -> int:
    return int(result.stats.get(f"newscrawl/refused/{kind}", 0))


def test_the_crawl_survives_and_keeps_only_the_public_article(hostile):
    result, _, _ = hostile
    assert result.returncode == 0, result.log[-3000:]
    assert [r["title"] for r in result.records] == ["Le bon article"]
    assert not any(SECRET in line for lines in result.text_records.values() for line in lines)
    assert SECRET not in "".join(str(r) for r in result.records)


def test_feed_entries_of_other_schemes_are_refused_with_a_stat(hostile):
    result, _, _ = hostile
    # file, data, ftp, s3 entries and the redirect to a file
    assert refused(result, "scheme") == 5, result.stats
    assert log_lines(result, "Refused file://", "only http and https")
    assert log_lines(result, "Refused ftp://")
    assert result.stats.get("newscrawl/fetch/failed/refused_scheme") == 1  # the redirect, not http_302
    assert not result.stats.get("newscrawl/fetch/failed/http_302")


def test_internal_addresses_are_refused_before_any_request(hostile):
    result, site, targets = hostile
    for path in targets.values():
        assert site.hits.get(path, 0) == 0, path  # this same server, under another name: never asked
    # localhost, hex, mapped, 10/8, 169.254/16, and the redirect to localhost
    assert refused(result, "private_host") == 6, result.stats
    assert log_lines(result, "Refused http://169.254.169.254/", "internal address")
    assert log_lines(result, "redirect to http://localhost:")


def test_a_name_resolving_to_an_internal_address_is_never_connected_to(hostile):
    result, site, _ = hostile
    assert site.hits.get(art("par-dns"), 0) == 0
    assert site.hits.get(art("cible-dns"), 0) == 0
    assert refused(result, "private_peer") == 2  # the feed entry and the redirect target
    assert result.stats.get("newscrawl/fetch/failed/refused_private_peer") == 2
    assert log_lines(result, "intranet.example", "resolves to the internal address 127.0.0.1")


def test_without_the_resolver_check_the_connected_peer_is_refused(tmp_path):
    """A download handler that resolves by itself (or a resolver of one's own): the response of a
    name that led to 127.0.0.1 is refused once connected, and nothing of it is kept."""
    with LocalSite({}) as site:
        port = site.server.server_address[1]
        site.pages.update({
            "/feed.rss": Page(rss([(f"http://intranet.example:{port}{art('par-dns')}", "Interne", None),
                                   ("{{BASE}}" + art("bon-article"), "Bon", None)]),
                              content_type="application/rss+xml; charset=utf-8"),
            art("par-dns"): Page(article_html("Servi par un nom interne", [SECRET, *story(2)])),
            art("bon-article"): Page(article_html("Le bon article", story(1))),
        })
        result = crawl("generic", [site.url("/feed.rss")], tmp_path,
                       "TWISTED_DNS_RESOLVER=tests.fake_dns.UncheckedLoopbackResolver", "ROBOTSTXT_OBEY=False",
                       "NEWSCRAWL_MONITOR_ENABLED=False")
        hits = site.hits.get(art("par-dns"), 0)
    assert result.returncode == 0, result.log[-3000:]
    assert hits == 1  # it was asked (the resolver let it through)...
    assert [r["title"] for r in result.records] == ["Le bon article"]  # ...but not kept
    assert refused(result, "private_peer") == 1
    assert log_lines(result, "intranet.example", "resolved to the internal address 127.0.0.1")


# ------------------------------------------------------------------------------ the policy, in process


@pytest.mark.parametrize(("host", "address"), [
    ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("::ffff:10.0.0.1", "::ffff:a00:1"), ("fe80::1%eth0", "fe80::1"),
    ("127.0.0.1.", "127.0.0.1"), ("www.lemonde.fr", None), ("cafe.fr", None), ("deadbeef", None), ("", None),
])
def test_host_address_reads_every_literal_form(host, address):
    found = host_address(host)
    assert (str(found) if found is not None else None) == address


@pytest.mark.parametrize(("address", "internal"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("10.1.2.3", True), ("172.16.0.1", True), ("172.31.255.254", True),
    ("192.168.1.1", True), ("169.254.169.254", True), ("0.0.0.0", True), ("100.64.0.1", True), ("224.0.0.1", True),
    ("::1", True), ("::", True), ("fc00::1", True), ("fd12:3456::1", True), ("fe80::1", True),
    ("::ffff:127.0.0.1", True), ("::ffff:10.0.0.1", True), ("2002:7f00:1::1", True), ("64:ff9b::a00:1", True),
    ("172.32.0.1", False), ("8.8.8.8", False), ("151.101.2.132", False), ("2001:4860:4860::8888", False),
    ("::ffff:8.8.8.8", False),
])
def test_internal_addresses(address, internal):
    assert is_internal_address(ipaddress.ip_address(address)) is internal


def policy(*allowed: str, start_urls: tuple[str, ...] = (), replay: str = "") -> HostPolicy:
    settings = get_crawler(GenericSpider, {"NEWSCRAWL_ALLOW_PRIVATE_HOSTS": list(allowed),
                                           "NEWSCRAWL_REPLAY": replay}).settings
    return policy_from(settings, start_urls)


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.lemonde.fr/a.html", None),
    ("http://93.184.216.34/a.html", None),
    ("file:///etc/passwd", "scheme"),
    ("FILE:///etc/passwd", "scheme"),
    ("data:text/html,<p>x</p>", "scheme"),
    ("gopher://x.fr/", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("//x.fr/a", "scheme"),
    ("http://127.0.0.1:8080/a", "private_host"),
    ("http://LOCALHOST/a", "private_host"),
    ("http://intranet.localhost/a", "private_host"),
    ("http://[::1]/a", "private_host"),
    ("http://[fd00::5]/a", "private_host"),
    ("http://[fe80::1%25eth0]/a", "private_host"),
    ("http://0.0.0.0/a", "private_host"),
    ("http://192.168.0.10./a", "private_host"),
])
def test_what_is_refused_without_any_allowance(url, kind):
    found = policy().refusal(url)
    assert (found.kind if found else None) == kind


def test_a_start_url_host_is_allowed_with_any_port_and_nothing_else():
    p = policy(start_urls=("http://127.0.0.1:8000/feed.xml",))
    assert p.refusal("http://127.0.0.1:9999/article.html") is None
    assert p.refusal("http://0x7f000001:8000/article.html") is None  # the same address, written otherwise
    assert p.refusal("http://[::ffff:127.0.0.1]:8000/article.html") is None
    assert p.refusal("http://127.0.0.2:8000/article.html").kind == "private_host"
    assert p.refusal("http://localhost:8000/article.html").kind == "private_host"
    assert p.refusal("http://10.0.0.1/").kind == "private_host"
    assert p.peer_refusal("http://127.0.0.1:8000/a", ipaddress.ip_address("127.0.0.1")) is None
    assert p.peer_refusal("http://news.example/a", ipaddress.ip_address("127.0.0.1")).kind == "private_peer"
    assert p.peer_refusal("http://news.example/a", ipaddress.ip_address("151.101.2.132")) is None
    mirror = policy(start_urls=("http://miroir.local:8080/rss",))
    assert mirror.peer_refusal("http://miroir.local/a", ipaddress.ip_address("192.168.1.5")) is None


def test_a_registry_host_in_the_start_urls_is_never_allowed_an_internal_address():
    p = policy(start_urls=("https://www.franceinfo.fr/titres.rss",))
    assert p.peer_refusal("https://www.franceinfo.fr/a.html", ipaddress.ip_address("10.0.0.8")).kind == "private_peer"


def test_hosts_and_networks_can_be_allowed_explicitly():
    p = policy("intranet.example", "10.20.0.0/16", "[::1]")
    assert p.refusal("http://10.20.3.4/a") is None
    assert p.refusal("http://10.21.0.1/a").kind == "private_host"
    assert p.refusal("http://[::1]:81/a") is None
    assert p.peer_refusal("http://intranet.example/a", ipaddress.ip_address("10.99.0.1")) is None
    assert p.peer_refusal("http://autre.example/a", ipaddress.ip_address("10.20.9.9")) is None  # the network
    assert p.peer_refusal("http://autre.example/a", ipaddress.ip_address("10.30.9.9")).kind == "private_peer"
    assert parse_allowed("a.example, 10.0.0.0/8 ::1") == (
        frozenset({"a.example", "::1"}), (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")))


@pytest.mark.parametrize("bad", ["http://x.fr/", "10.0.0.0/33", "a b@c", 5])
def test_a_bad_allow_list_is_refused_with_the_setting_name(bad):
    with pytest.raises(ValueError, match="NEWSCRAWL_ALLOW_PRIVATE_HOSTS"):
        parse_allowed([bad])


def test_offline_replay_checks_only_the_scheme():
    p = policy(replay="/tmp/archive.warc.gz")
    assert p.refusal("http://127.0.0.1:1/a") is None
    assert p.refusal("file:///etc/passwd").kind == "scheme"


def test_the_project_turns_the_non_http_download_handlers_off():
    from newscrawl import settings

    assert {"file", "s3", "ftp"} <= {k for k, v in settings.DOWNLOAD_HANDLERS.items() if v is None}
    crawler = get_crawler(GenericSpider, {"DOWNLOAD_HANDLERS": settings.DOWNLOAD_HANDLERS})
    handlers = crawler.settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["file"] is None
    assert handlers["http"]


# ------------------------------------------------------------------------------ the components, in process


def spider_and_crawler(start: str = "http://127.0.0.1:8000/feed.xml", **settings):
    crawler = get_crawler(GenericSpider, settings)
    spider = crawler._create_spider(start_urls=start)
    crawler.spider = spider
    return crawler, spider


def test_the_request_middleware_refuses_with_a_reason_and_a_stat():
    crawler, spider = spider_and_crawler()
    mw = RefuseInternalRequestsMiddleware.from_crawler(crawler)
    assert mw.process_request(Request("http://127.0.0.1:8000/a.html")) is None
    assert mw.process_request(Request("https://www.lemonde.fr/a.html")) is None
    request = Request("http://192.168.1.1/admin", errback=spider.on_error,
                      meta={"redirect_urls": ["https://www.lemonde.fr/x"]})
    with pytest.raises(FetchRefused) as info:
        mw.process_request(request)
    assert info.value.reason == "refused_private_host"
    assert "redirected from https://www.lemonde.fr/x" in info.value.detail
    assert crawler.stats.get_value("newscrawl/refused/private_host") == 1


def test_the_peer_middleware_refuses_internal_peers_and_redirects_to_refused_urls(caplog):
    crawler, _ = spider_and_crawler()
    mw = RefuseInternalPeersMiddleware.from_crawler(crawler)
    public = Request("https://news.example/a.html")
    ok = HtmlResponse(public.url, body=b"<html></html>", ip_address=ipaddress.ip_address("151.101.2.132"))
    assert mw.process_response(public, ok) is ok
    assert mw.process_response(public, Response(public.url, ip_address=None)) is not None  # replay: no peer
    internal = HtmlResponse(public.url, body=b"<html></html>", ip_address=ipaddress.ip_address("10.0.0.3"))
    with pytest.raises(FetchRefused, match=r"resolved to the internal address 10\.0\.0\.3"):
        mw.process_response(public, internal)
    proxied = Request(public.url, meta={"proxy": "http://127.0.0.1:3128"})  # the peer is the proxy
    assert mw.process_response(proxied, HtmlResponse(public.url, body=b"", ip_address=ipaddress.ip_address(
        "127.0.0.1"))) is not None
    for location, kind in ((b"file:///etc/shadow", "scheme"), (b"http://[::1]/", "private_host"),
                           (b"//localhost/x", "private_host")):
        redirect = Response(public.url, status=302, headers={"Location": location})
        with pytest.raises(FetchRefused) as info:
            mw.process_response(public, redirect)
        assert info.value.reason == f"refused_{kind}"
    assert mw.process_response(public, Response(public.url, status=302, headers={"Location": b"/b.html"})).status == 302
    assert crawler.stats.get_value("newscrawl/refused/private_peer") == 1
    assert "Refused https://news.example/a.html" in caplog.text  # no errback: logged here (WARNING)


def test_the_spider_middleware_drops_refused_links_and_keeps_the_rest(caplog):
    crawler, _ = spider_and_crawler()
    mw = RefuseInternalLinksMiddleware.from_crawler(crawler)
    feed = HtmlResponse("http://127.0.0.1:8000/feed.xml", body=b"")
    out = list(mw.process_spider_output(feed, [
        Request("http://127.0.0.1:8000/a.html"), {"item": 1}, Request("file:///etc/passwd"),
        Request("http://10.1.1.1/b.html"), Request("https://www.lemonde.fr/c.html"),
    ]))
    assert [getattr(o, "url", o) for o in out] == ["http://127.0.0.1:8000/a.html", {"item": 1},
                                                  "https://www.lemonde.fr/c.html"]
    assert crawler.stats.get_value("newscrawl/refused/scheme") == 1
    assert crawler.stats.get_value("newscrawl/refused/private_host") == 1
    assert "Refused file:///etc/passwd (found in http://127.0.0.1:8000/feed.xml)" in caplog.text


def test_only_the_dedup_pipelines_own_data_request_passes():
    crawler, _ = spider_and_crawler()
    mw = RefuseInternalRequestsMiddleware.from_crawler(crawler)
    assert mw.process_request(Request("data:,", meta={"newscrawl_release": True})) is None
    for request in (Request("data:,"), Request("data:text/html,<p>x</p>", meta={"newscrawl_release": True}),
                    Request("data:,", meta={"newscrawl_release": "yes"})):
        with pytest.raises(FetchRefused):
            mw.process_request(request)


def test_the_resolver_refuses_internal_answers_for_names_no_crawler_allows():
    from newscrawl.safety import _PROCESS_POLICIES, resolved_refusal

    saved = dict(_PROCESS_POLICIES)
    _PROCESS_POLICIES.clear()
    try:
        assert resolved_refusal("intranet.example", "10.0.0.5") is None  # no crawler yet: no opinion
        crawler, _ = spider_and_crawler("http://miroir.example:8080/rss", NEWSCRAWL_ALLOW_PRIVATE_HOSTS=["10.9.0.0/16"])
        RefuseInternalRequestsMiddleware.from_crawler(crawler).policy  # noqa: B018 (builds and registers it)
        assert resolved_refusal("intranet.example", "10.0.0.5").kind == "private_peer"
        assert resolved_refusal("miroir.example", "10.0.0.5") is None  # a start URL host
        assert resolved_refusal("intranet.example", "10.9.3.4") is None  # an allowed network
        assert resolved_refusal("www.lemonde.fr", "151.101.2.132") is None
    finally:
        _PROCESS_POLICIES.clear()
        _PROCESS_POLICIES.update(saved)


def test_a_bad_allow_setting_stops_the_crawler_at_start():
    crawler, _ = spider_and_crawler(NEWSCRAWL_ALLOW_PRIVATE_HOSTS=["http://oops/"])
    with pytest.raises(ValueError, match="NEWSCRAWL_ALLOW_PRIVATE_HOSTS"):
        RefuseInternalRequestsMiddleware.from_crawler(crawler)



# ------------------------------------------------------------------------------ the browser


def test_a_rendered_page_cannot_make_the_browser_fetch_an_internal_address(tmp_path):
    """A page rendered in chromium asks for http://localhost:<port>/ (the same server under another
    name) and writes what it gets into the article: the browser's request is aborted."""
    import json as _json

    from tests.test_render import JS_ID, JS_PARAGRAPHS, JS_TITLE, article_block, needs_chromium
    from tests.test_render import crawl as render_crawl

    @needs_chromium
    def run() -> None:
        with LocalSite({}) as site:
            port = site.server.server_address[1]
            with_secret = article_block(JS_TITLE, "Le Parisien", "03-09-2025", (*JS_PARAGRAPHS, "PLACEHOLDER"))
            without = article_block(JS_TITLE, "Le Parisien", "03-09-2025", JS_PARAGRAPHS)
            script = (f"var app = document.getElementById('app');"
                      f"fetch('http://localhost:{port}/secret.txt').then(function (r) {{ return r.text(); }})"
                      f".then(function (t) {{ app.innerHTML = {_json.dumps(with_secret)}.replace('PLACEHOLDER', t); }})"
                      f".catch(function () {{ app.innerHTML = {_json.dumps(without)}; }});")
            site.pages[f"/fr/article/{JS_ID}"] = Page(
                '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Daily8</title></head>'
                f'<body><div id="app">Chargement…</div><script>{script}</script></body></html>')
            site.pages["/secret.txt"] = Page(SECRET, content_type="text/plain",
                                             headers={"Access-Control-Allow-Origin": "*"})
            _proc, stats, recs = render_crawl(tmp_path, [site.url(f"/fr/article/{JS_ID}")])
            hits = site.hits.get("/secret.txt", 0)
        assert hits == 0
        [record] = recs
        assert SECRET not in record["text"]
        assert record["text"].split("\n") == list(JS_PARAGRAPHS)
        assert stats["newscrawl/refused/browser/private_host"] >= 1

    run()
