"""Browser rendering (newscrawl/render.py) and the Daily8 spider's three paths (spiders/daily8.py).

The browser tests run the real Debian chromium (/usr/bin/chromium, installed by .ci/run) against
local pages on 127.0.0.1. All page texts are invented; the Daily8 markup follows the block order of
the site's flattened page text (no real Daily8 HTML was at hand): headline twice, source and
date line, body, "Articles connexes".
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.distributed import JSON
from newscrawl.items import ArticleItem
from newscrawl.localsite import LocalSite, Page
from newscrawl.render import (
    HANDLER_PATH,
    RENDER_META,
    ContextRotation,
    RenderAddon,
    RenderMiddleware,
    browser_problem,
    is_rendered,
    render_enabled,
    render_request,
)
from spiders.daily8 import Daily8Spider, served_by
from tests.conftest import missing_tool

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
_no_chromium = pytest.mark.skipif(
    missing_tool(CHROMIUM), reason="Debian's chromium is not installed (CI installs it: apt-get install chromium)")


def needs_chromium(test: Any) -> Any:
    return pytest.mark.browser(_no_chromium(test))

# ------------------------------------------------------------------------------ invented Daily8 pages

JS_ID = "5f0c1e9a2b7d4c3e8a6f1d2b3c4e5f60"
HTML_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
DATA_ID = "9e8d7c6b5a4f43210fedcba987654321"

JS_TITLE = "Pontarlier : une navette électrique gratuite relie la gare aux Longs-Traits"
JS_PARAGRAPHS = (
    ("Le conseil municipal de Pontarlier a voté mardi soir la création d'une navette électrique gratuite entre "
    "la gare et le quartier des Longs-Traits, une promesse de campagne attendue depuis trois ans."),
    ("Le véhicule de vingt-deux places circulera toutes les quinze minutes du lundi au samedi. La commune prévoit "
    "un budget de fonctionnement de 180 000 euros par an, financé en partie par la région."),
    ("Plusieurs élus de l'opposition ont regretté l'absence de desserte le dimanche, jour de marché. Le maire a "
    "promis une évaluation au bout de six mois avant d'étendre éventuellement le service."),
)


def article_block(title: str, source: str, date: str, paragraphs: tuple[str, ...]) -> str:
    return (f"<h1>{title}</h1><div class='meta'><span>{source}</span><span>{date}</span></div>"
            + "".join(f"<div class='text-block'>{p}</div>" for p in paragraphs)
            + "<div class='ai'><img src='/bg.png' alt='Orange background'><b>Essayez nos fonctionnalités IA</b></div>"
            + "<div class='comments'><div>Commentaires</div><div>Aucun commentaire pour le moment...</div></div>")


def js_page() -> str:
    """A client-rendered shell: the article is written into the page by JavaScript, 0.3 s after load."""
    html = article_block(JS_TITLE, "Le Parisien", "03-09-2025", JS_PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Daily8</title></head>
<body><div id="app"><div class="loading">Chargement…</div></div>
<script>setTimeout(function () {{ document.getElementById('app').innerHTML = {json.dumps(html)}; }}, 300);</script>
</body></html>"""


def html_page() -> str:
    paragraphs = (
        ("La communauté de communes du Haut-Jura a inauguré samedi une ressourcerie installée dans l'ancienne "
        "caserne des pompiers de Saint-Claude, après dix-huit mois de travaux."),
        ("Meubles, vélos et petit électroménager y sont réparés par six salariés en insertion avant d'être "
         "revendus "
        "à petit prix. L'association gestionnaire espère détourner 120 tonnes de déchets par an."),
    )
    body = article_block("Saint-Claude : une ressourcerie ouvre dans l'ancienne caserne", "Le Progrès",
                         "14-10-2025", paragraphs)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Daily8</title></head>'
            f'<body>{body}</body></html>')


def data_page() -> str:
    content = ("<p>Le département de la Creuse lance un appel à candidatures pour installer des médecins "
               "généralistes salariés dans quatre maisons de santé rurales dès le printemps prochain.</p>"
               "<p>Les praticiens recrutés seront logés la première année et bénéficieront d'un véhicule de "
               "service pour les visites à domicile, a précisé la présidente du conseil départemental.</p>")
    data = {"props": {"pageProps": {"article": {
        "id": DATA_ID, "lang": "fr", "title": "Creuse : le département recrute des médecins salariés",
        "content": content, "source": {"name": "La Montagne"}, "publishedAt": "2025-10-20T07:30:00.000Z"}}}}
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Daily8</title></head>
<body><div id="__next"><main><div class="skeleton"></div></main></div>
<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>"""


def daily8_site() -> dict[str, Page]:
    return {f"/fr/article/{JS_ID}": Page(js_page()), f"/fr/article/{HTML_ID}": Page(html_page()),
            f"/fr/article/{DATA_ID}": Page(data_page())}


def crawl(tmp_path: Path, urls: list[str], **settings: str) -> tuple[subprocess.CompletedProcess[str], dict, list]:
    args = [sys.executable, "-m", "scrapy", "crawl", "daily8", "-a", "start_urls=" + ",".join(urls),
            "-O", str(tmp_path / "out.jsonl")]
    all_settings = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "NEWSCRAWL_RECORDS_DIR": "",
                    "NEWSCRAWL_RENDER_NO_SANDBOX": "True",  # the tests and CI run as root
                    "NEWSCRAWL_STATE_DIR": str(tmp_path / "state"), "NEWSCRAWL_MONITOR_ENABLED": "False",
                    "NEWSCRAWL_STATS_FILE": str(tmp_path / "stats.json"), **settings}
    for key, value in all_settings.items():
        args += ["-s", f"{key}={value}"]
    proc = subprocess.run(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "out.jsonl"
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return proc, json.loads((tmp_path / "stats.json").read_text()), recs


# ------------------------------------------------------------------------------ pure parts


def test_browser_problem_names_what_is_wrong(tmp_path):
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    assert browser_problem(str(exe)) == f"{exe} is not an executable file"
    exe.chmod(0o755)
    assert browser_problem(str(exe)) is None
    assert browser_problem(str(tmp_path / "absent")) == f"no browser at {tmp_path / 'absent'}"
    assert browser_problem(str(tmp_path)) == f"{tmp_path} is not an executable file"
    assert browser_problem("") == "NEWSCRAWL_RENDER_EXECUTABLE is empty"


def test_a_render_request_is_marked_refetched_and_can_travel_through_redis():
    spider = get_crawler(Daily8Spider, {})._create_spider(start_urls=f"http://127.0.0.1:1/fr/article/{JS_ID}")
    first = spider.article_request(f"http://127.0.0.1:1/fr/article/{JS_ID}")
    first.meta.update({"download_latency": 0.2, "redirect_times": 1, "download_slot": "127.0.0.1"})
    again = render_request(first, wait_for="main p")
    assert again.meta[RENDER_META] == {"wait_for": "main p"}
    assert again.dont_filter  # the same URL was fetched over plain HTTP already
    assert again.callback == spider.parse_article
    assert again.cb_kwargs == first.cb_kwargs
    assert not {"download_latency", "redirect_times", "download_slot"} & again.meta.keys()
    assert RENDER_META not in first.meta
    JSON.dumps(again.to_dict(spider=spider))  # no Playwright object in it: it can go to another worker


def test_contexts_are_rotated_and_retired_ones_closed_when_unused():
    rot = ContextRotation(per_context=2)
    a1, _ = rot.acquire()
    a2, _ = rot.acquire()
    assert a1 == a2 == "newscrawl-0"
    b1, retired = rot.acquire()  # third render: a new context; the old one still has two pages open
    assert b1 == "newscrawl-1"
    assert retired is None
    assert rot.release(a1) is False
    assert rot.release(a2) is True  # last page of the retired context: close it
    assert rot.release(b1) is False  # the current context stays open
    b2, _ = rot.acquire()
    rot.release(b2)
    c, retired = rot.acquire()  # rotation while the old context is already idle: closed at once
    assert (c, retired) == ("newscrawl-2", "newscrawl-1")
    assert ContextRotation(per_context=0).acquire() == ("newscrawl-0", None)


class PlainSpider(Spider):
    name = "plain"


def settings_after_addons(tmp_path: Path, **values) -> tuple[object, list[str]]:
    values.setdefault("NEWSCRAWL_RENDER_NO_SANDBOX", True)  # the tests and CI run as root
    crawler = get_crawler(PlainSpider, {"ADDONS": {RenderAddon: 110}, **values})
    return crawler.settings, list(crawler.settings.getdict("DOWNLOADER_MIDDLEWARES"))


def test_the_addon_installs_playwright_only_when_rendering_is_on_and_the_browser_is_there(tmp_path, caplog):
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    settings, middlewares = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True, NEWSCRAWL_RENDER_EXECUTABLE=str(exe))
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"http": HANDLER_PATH, "https": HANDLER_PATH}
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == str(exe)
    assert "--no-sandbox" in settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert RenderMiddleware in middlewares
    assert render_enabled(settings)

    settings, middlewares = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=False)
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    assert RenderMiddleware not in middlewares

    with caplog.at_level(logging.WARNING, logger="newscrawl.render"):
        settings, middlewares = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True,
                                                      NEWSCRAWL_RENDER_EXECUTABLE=str(tmp_path / "nope"))
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    assert not render_enabled(settings)
    assert "Browser rendering is off for this crawl: no browser at" in caplog.text
    assert RenderMiddleware in middlewares  # still there, to count and ignore marked requests


def test_chromium_keeps_its_sandbox_unless_the_user_turns_it_off(tmp_path, monkeypatch, caplog):
    from newscrawl import render

    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(render, "running_as_root", lambda: False)
    settings, _ = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True, NEWSCRAWL_RENDER_EXECUTABLE=str(exe),
                                        NEWSCRAWL_RENDER_NO_SANDBOX=False)
    assert "--no-sandbox" not in settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert render_enabled(settings)
    settings, _ = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True, NEWSCRAWL_RENDER_EXECUTABLE=str(exe),
                                        NEWSCRAWL_RENDER_NO_SANDBOX=True)
    assert "--no-sandbox" in settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]

    # as root, chromium refuses its sandbox: rendering is off, and the WARNING says what to do
    monkeypatch.setattr(render, "running_as_root", lambda: True)
    with caplog.at_level(logging.WARNING, logger="newscrawl.render"):
        settings, _ = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True, NEWSCRAWL_RENDER_EXECUTABLE=str(exe),
                                            NEWSCRAWL_RENDER_NO_SANDBOX=False)
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    assert not render_enabled(settings)
    assert "NEWSCRAWL_RENDER_NO_SANDBOX=True" in caplog.text
    # an offline replay starts no browser: nothing to say
    settings, _ = settings_after_addons(tmp_path, NEWSCRAWL_RENDER=True, NEWSCRAWL_RENDER_EXECUTABLE=str(exe),
                                        NEWSCRAWL_RENDER_NO_SANDBOX=False, NEWSCRAWL_REPLAY="x.warc.gz")
    assert render_enabled(settings)
    assert "--no-sandbox" not in settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]


def test_spiders_that_do_not_render_never_import_playwright():
    code = """
import sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from spiders.franceinfo import FranceinfoSpider
crawler = Crawler(FranceinfoSpider, get_project_settings())
crawler._apply_settings()
assert 'http' not in crawler.settings.getdict('DOWNLOAD_HANDLERS'), crawler.settings.getdict('DOWNLOAD_HANDLERS')
print(sorted(m for m in sys.modules if 'playwright' in m))
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_middleware_turns_the_mark_into_playwright_meta_or_ignores_it_without_browser(tmp_path):
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    crawler = get_crawler(Daily8Spider, {"NEWSCRAWL_RENDER_EXECUTABLE": str(exe), "NEWSCRAWL_RENDER_TIMEOUT": 7,
                                         "NEWSCRAWL_RENDER_NO_SANDBOX": True})
    mw = RenderMiddleware.from_crawler(crawler)
    plain = Request("http://127.0.0.1:1/a")
    assert mw.process_request(plain) is None
    assert "playwright" not in plain.meta
    marked = render_request(Request("http://127.0.0.1:1/a"))
    mw.process_request(marked)
    assert marked.meta["playwright"] is True
    [method] = marked.meta["playwright_page_methods"]
    assert method.method == "evaluate"
    assert method.args[1] == 7000  # waits for the text at most NEWSCRAWL_RENDER_TIMEOUT
    assert "playwright_include_page" not in marked.meta  # the handler closes the page
    assert crawler.stats.get_value("newscrawl/render/requested") == 1

    missing = get_crawler(Daily8Spider, {"NEWSCRAWL_RENDER_EXECUTABLE": str(tmp_path / "nope")})
    mw = RenderMiddleware.from_crawler(missing)
    with pytest.raises(IgnoreRequest, match="browser rendering unavailable"):
        mw.process_request(render_request(Request("http://127.0.0.1:1/a")))
    assert missing.stats.get_value("newscrawl/render/unavailable") == 1
    assert missing.stats.get_value("newscrawl/render/browser_missing") == 1


@pytest.mark.parametrize(("rendered", "source", "path"), [
    (False, "dom", "http"), (False, "embedded", "embedded"), (True, "dom", "browser"), (True, "embedded", "browser"),
])
def test_served_by_names_the_path_that_gave_the_body(rendered, source, path):
    assert served_by(rendered, source) == path


class NoRenderDaily8(Daily8Spider):
    custom_settings = {"NEWSCRAWL_RENDER": False}  # noqa: RUF012 (what -s NEWSCRAWL_RENDER=False gives)


def after_parse(tmp_path: Path, text: str, flags: list[str] | None = None,
                spider: type[Daily8Spider] = Daily8Spider, meta: dict | None = None) -> tuple[object, object]:
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    crawler = get_crawler(spider, {"NEWSCRAWL_RENDER_EXECUTABLE": str(exe), "NEWSCRAWL_RENDER_NO_SANDBOX": True})
    spider = crawler._create_spider(start_urls=f"http://127.0.0.1:1/fr/article/{JS_ID}")
    crawler.spider = spider
    request = spider.article_request(f"http://127.0.0.1:1/fr/article/{JS_ID}")
    request.meta.update(meta or {})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request, flags=flags or [])
    item = ArticleItem(url=request.url, source="daily8", title="Titre", text=text)
    parser = type("Parser", (), {"body_source": "none" if not text else "dom"})()
    return spider.after_parse(response, item, parser), crawler.stats


def test_an_empty_page_is_sent_to_the_browser_once(tmp_path):
    out, stats = after_parse(tmp_path, "")
    assert isinstance(out, list)
    [request] = out
    assert request.meta[RENDER_META] == {"wait_for": None}
    assert stats.get_value("newscrawl/daily8/render/requested") == 1
    out, stats = after_parse(tmp_path, "", flags=["playwright"])  # rendered and still empty: give up
    assert out is None
    assert stats.get_value("newscrawl/daily8/no_body/after_browser") == 1
    # a render request answered without the browser (a WARC replay): never asked again, no loop
    out, stats = after_parse(tmp_path, "", meta={RENDER_META: {"wait_for": None}})
    assert out is None
    assert stats.get_value("newscrawl/daily8/no_body/after_browser") == 1
    out, stats = after_parse(tmp_path, "", spider=NoRenderDaily8)
    assert out is None
    assert stats.get_value("newscrawl/daily8/no_body/render_off") == 1
    out, stats = after_parse(tmp_path, "Un paragraphe.")
    assert out is None
    assert stats.get_value("newscrawl/daily8/served_by/http") == 1


def test_is_rendered_reads_the_response_flag():
    assert is_rendered(HtmlResponse("http://x.fr/", body=b"", flags=["playwright"]))
    assert not is_rendered(HtmlResponse("http://x.fr/", body=b""))


# ------------------------------------------------------------------------------ real crawls


@pytest.mark.e2e
@needs_chromium
def test_text_injected_by_javascript_is_extracted_through_the_real_browser(tmp_path):
    with LocalSite(daily8_site()) as site:
        _proc, stats, recs = crawl(tmp_path, [site.url(f"/fr/article/{JS_ID}")])
        hits = site.hits[f"/fr/article/{JS_ID}"]
    [record] = recs
    assert record["title"] == JS_TITLE
    assert record["text"].split("\n") == list(JS_PARAGRAPHS)
    assert record["publisher"] == "Le Parisien"
    assert hits == 2  # plain HTTP first, then the browser
    assert stats["newscrawl/daily8/served_by/browser"] == 1
    assert stats["newscrawl/render/rendered"] == 1
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == 1  # the page was closed
    assert "newscrawl/page/dropped/no_body" not in stats


@pytest.mark.e2e
@needs_chromium
def test_without_rendering_the_same_page_yields_no_article_and_a_stat(tmp_path):
    with LocalSite(daily8_site()) as site:
        urls = [site.url(f"/fr/article/{i}") for i in (JS_ID, HTML_ID, DATA_ID)]
        proc, stats, recs = crawl(tmp_path, urls, NEWSCRAWL_RENDER="False")
        hits = site.hits[f"/fr/article/{JS_ID}"]
    assert sorted(r["url"].rsplit("/", 1)[1] for r in recs) == sorted([HTML_ID, DATA_ID])
    assert hits == 1
    assert stats["newscrawl/daily8/no_body/render_off"] == 1
    assert stats["newscrawl/page/dropped/no_body"] == 1
    assert stats["newscrawl/daily8/served_by/http"] == 1
    assert stats["newscrawl/daily8/served_by/embedded"] == 1
    assert not any(k.startswith("playwright/") for k in stats)  # Playwright never started
    assert f"/fr/article/{JS_ID}: no_body" in proc.stderr


@pytest.mark.e2e
def test_a_missing_chromium_is_said_once_and_the_crawl_goes_on(tmp_path):
    with LocalSite(daily8_site()) as site:
        urls = [site.url(f"/fr/article/{i}") for i in (JS_ID, HTML_ID)]
        proc, stats, recs = crawl(tmp_path, urls, NEWSCRAWL_RENDER_EXECUTABLE="/nonexistent/chromium")
    assert proc.stderr.count("Browser rendering is off for this crawl: no browser at /nonexistent/chromium") == 1
    assert [r["url"].rsplit("/", 1)[1] for r in recs] == [HTML_ID]  # the crawl went on
    assert stats["finish_reason"] == "finished"
    assert stats["newscrawl/daily8/no_body/render_unavailable"] == 1
    assert stats["newscrawl/render/browser_missing"] == 1
    assert stats["newscrawl/page/dropped/no_body"] == 1
