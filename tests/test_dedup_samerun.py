"""Same run, real engine (in-process, pytest-twisted): the original publisher's copy wins over
an aggregator's, a complete copy over a teaser, whatever order they arrive in."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest_twisted
from scrapy import Request, Spider, signals
from scrapy.crawler import CrawlerRunner
from scrapy.settings import Settings

from newscrawl.dedup.state import DedupState
from newscrawl.items import ArticleItem
from newscrawl.text.urls import canonical_url, url_id

PARAS = [
    "La cour d'appel de Rennes a confirmé mercredi la fermeture administrative d'un élevage de visons près de Vitré.",
    "L'exploitant contestait l'arrêté préfectoral pris après la découverte d'animaux malades lors d'une inspection surprise.",
    "Les magistrats ont jugé que les conditions sanitaires constatées justifiaient pleinement la mesure de fermeture immédiate.",
    "Une association de protection animale, partie civile, demande désormais la reconversion du site en refuge pour la faune.",
    "L'avocat de l'éleveur a annoncé un pourvoi en cassation et dénonce une procédure menée selon lui sans contradictoire.",
    "La préfecture rappelle que l'élevage de visons pour leur fourrure doit de toute façon cesser en France d'ici la fin 2025.",
    "Les quelques salariés encore employés sur le site ont été reçus par la mairie pour évoquer un plan de reclassement.",
    "Le dossier avait suscité une forte mobilisation locale, avec plusieurs rassemblements devant la sous-préfecture l'an dernier.",
]
FI = "https://www.franceinfo.fr/france/bretagne/elevage-de-visons-pres-de-vitre-la-fermeture-confirmee_6400123.html"
LP = "https://www.leparisien.fr/faits-divers/visons-vitre-30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYQ.php"
D8 = "https://www.daily8.com/fr/article/" + "9e" * 16


def article(url: str, text: str, **kw: Any) -> ArticleItem:
    return ArticleItem(id=url_id(url), url=url, canonical_url=canonical_url(url), title="Un titre", text=text, **kw)


class CopiesSpider(Spider):
    """Yields the given items, in order, from one data: response."""

    name = "dedup_copies"
    batch: ClassVar[list[ArticleItem]] = []

    async def start(self):  # type: ignore[override]
        yield Request("data:,", callback=self.parse_items, dont_filter=True)

    def parse_items(self, response):
        yield from self.batch


def crawl_settings(tmp_path) -> Settings:
    """The project's dedup settings and pipeline order, without the rest of the project (the
    writers, extensions and add-ons other tests cover)."""
    import newscrawl.settings as project

    s = Settings()
    s.setdict({k: getattr(project, k) for k in dir(project) if k.startswith("NEWSCRAWL_")}, priority="project")
    s.setdict({
        "ITEM_PIPELINES": {k: v for k, v in project.ITEM_PIPELINES.items() if "dedup" in k or "finalize" in k},
        "SPIDER_MIDDLEWARES": {k: v for k, v in project.SPIDER_MIDDLEWARES.items() if "dedup" in k},
        "EXTENSIONS": {k: v for k, v in project.EXTENSIONS.items() if k.endswith("CoreStats")},
        "NEWSCRAWL_STATE_DIR": str(tmp_path / "state"), "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
    }, priority="cmdline")
    return s


@pytest_twisted.inlineCallbacks
def run_batch(tmp_path, batch):
    CopiesSpider.batch = batch
    runner = CrawlerRunner(crawl_settings(tmp_path))
    crawler = runner.create_crawler(CopiesSpider)
    scraped, dropped = [], []
    crawler.signals.connect(lambda item, **kw: scraped.append(item), signal=signals.item_scraped, weak=False)
    crawler.signals.connect(lambda item, exception, **kw: dropped.append((item, type(exception).__name__)),
                            signal=signals.item_dropped, weak=False)
    yield runner.crawl(crawler)
    return crawler, scraped, dropped


@pytest_twisted.inlineCallbacks
def test_original_wins_over_an_earlier_aggregator_copy(tmp_path):
    text = "\n".join(PARAS)
    copy = article(D8, text + "\nPublicité", source="daily8", via="daily8", publisher="franceinfo")
    teaser = article(LP, "\n".join(PARAS[:2]), source="leparisien", paywalled=True)
    original = article(FI, text, source="franceinfo")
    crawler, scraped, dropped = yield run_batch(tmp_path, [copy, teaser, original])
    assert [i.url for i in scraped] == [FI]
    final = {i.url: reason for i, reason in dropped if reason != "DeferredCopy"}
    assert final == {D8: "NearDuplicate", LP: "NearDuplicate"}
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/dedup/deferred"] == 2
    assert stats["newscrawl/dedup/released"] == 2
    # a deferral is not a drop: Scrapy's drop count only holds the two real ones
    assert stats["item_dropped_count"] == 2
    assert "item_dropped_reasons_count/DeferredCopy" not in stats  # never counted, never taken back
    assert stats["finish_reason"] == "finished"
    lines = (tmp_path / "state" / "duplicates.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert all(f'"duplicate_of": "{url_id(FI)}"' in line for line in lines)


@pytest_twisted.inlineCallbacks
def test_a_copy_alone_is_released_and_kept(tmp_path):
    copy = article(D8, "\n".join(PARAS), source="daily8", via="daily8")
    crawler, scraped, _ = yield run_batch(tmp_path, [copy])
    assert [i.url for i in scraped] == [D8]
    assert crawler.stats.get_value("newscrawl/dedup/marked_seen") == 1


@pytest_twisted.inlineCallbacks
def test_deferral_can_be_switched_off(tmp_path):
    text = "\n".join(PARAS)
    copy = article(D8, text, source="daily8", via="daily8")
    original = article(FI, text, source="franceinfo")
    CopiesSpider.batch = [copy, original]
    settings = crawl_settings(tmp_path)
    settings.set("NEWSCRAWL_DEDUP_DEFER_COPIES", False, priority="cmdline")
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler(CopiesSpider)
    scraped = []
    crawler.signals.connect(lambda item, **kw: scraped.append(item), signal=signals.item_scraped, weak=False)
    yield runner.crawl(crawler)
    assert [i.url for i in scraped] == [D8]  # first come, first kept


def test_busy_crawlers_are_waited_for(tmp_path):
    class Engine:
        def __init__(self, idle: bool, running: bool = True) -> None:
            self.idle, self.running = idle, running

        def spider_is_idle(self) -> bool:
            return self.idle

    from scrapy.utils.test import get_crawler

    crawlers = [get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path)}) for _ in range(3)]
    state = DedupState.of(crawlers[0])
    for c in crawlers[1:]:
        assert DedupState.of(c) is state
    crawlers[0]._engine, crawlers[1]._engine = Engine(idle=True), Engine(idle=False)
    assert state.busy_crawlers(but=crawlers[0]) == [crawlers[1]]  # crawlers[2] has not started
    crawlers[1]._engine.idle = True
    assert state.busy_crawlers(but=crawlers[0]) == []
    state.close()
