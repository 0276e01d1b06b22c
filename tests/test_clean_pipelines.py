"""The three cleaning pipelines with a real Crawler: per-rule stats, the guard stat, the setting."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.clean import clean_item
from newscrawl.items import ArticleItem
from pipelines.strip_noise import StripLineNoisePipeline
from pipelines.strip_paywall import StripPaywallPipeline
from pipelines.strip_related import StripRelatedPipeline
from tests.test_clean_steps import ARTICLE, CARD, P1, P2

PIPELINES = (StripPaywallPipeline, StripRelatedPipeline, StripLineNoisePipeline)


def article(*lines: str) -> ArticleItem:
    return ArticleItem(url="https://exemple.fr/halle", source="generic", title="La halle rénovée", text="\n".join(lines))


def build(cls, **settings):
    crawler = get_crawler(Spider, settings)
    return build_from_crawler(cls, crawler), crawler.stats


def removed_stats(stats):
    prefix = "newscrawl/clean/removed/"
    return {k[len(prefix):]: v for k, v in stats.get_stats().items() if k.startswith(prefix)}


def test_paywall_pipeline_counts_and_flags():
    pipe, stats = build(StripPaywallPipeline)
    item = pipe.process_item(article(P1, P2, "Il vous reste 72% à découvrir", "Déjà abonné ? Se connecter"))
    assert item.text.split("\n") == [P1, P2]
    assert item.paywalled
    assert removed_stats(stats) == {"paywall_teaser": 2}
    assert stats.get_value("newscrawl/clean/paywall/flagged") == 1


def test_related_pipeline_counts_per_block_kind():
    pipe, stats = build(StripRelatedPipeline)
    pipe.process_item(article(*ARTICLE, "Commentaires", "Aucun commentaire pour le moment...", "Articles connexes",
                              *CARD))
    pipe.process_item(article(*ARTICLE, "À regarder", "Un titre", "Un autre titre"))
    assert removed_stats(stats) == {"comments_block": 2, "related_block": 1 + len(CARD) + 3}


def test_noise_pipeline_counts_per_rule():
    pipe, stats = build(StripLineNoisePipeline)
    item = pipe.process_item(article("logo", P1, "Publicité", P2, "Publicité", "Retour en haut"))
    assert item.text.split("\n") == [P1, P2]
    assert removed_stats(stats) == {"image_alt": 1, "ad_label": 2, "navigation": 1}


def test_guard_stat_and_warning(caplog):
    pipe, stats = build(StripLineNoisePipeline)
    lines = ["Un court texte.", "Publicité", "Partager sur Facebook", "Partager sur Twitter", "Copier le lien"]
    with caplog.at_level(logging.WARNING):
        item = pipe.process_item(article(*lines))
    assert item.text.split("\n") == lines
    assert stats.get_value("newscrawl/clean/guard/kept_original") == 1
    assert removed_stats(stats) == {}
    assert any(r.levelno == logging.WARNING and "https://exemple.fr/halle" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("ratio", "guarded"), [(0.1, True), (0.7, False)])
def test_guard_limit_setting_is_read(ratio, guarded):
    pipe, stats = build(StripLineNoisePipeline, NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO=ratio)
    item = pipe.process_item(article(P1, "Publicité", "Partager sur Facebook"))
    assert (stats.get_value("newscrawl/clean/guard/kept_original") == 1) is guarded
    assert (item.text == P1) is not guarded


def test_other_items_pass_untouched():
    for cls in PIPELINES:
        pipe, stats = build(cls)
        data = {"text": "Publicité"}
        assert pipe.process_item(data) is data
        assert stats.get_stats() == {}


def test_the_three_pipelines_equal_clean_item():
    lines = ["Réservé aux abonnés", *ARTICLE, "Publicité", "Il vous reste 60% à découvrir", "Articles connexes", *CARD]
    expected = article(*lines)
    expected_removed = clean_item(expected)
    item = article(*lines)
    crawler = get_crawler(Spider, {})
    for cls in PIPELINES:
        item = build_from_crawler(cls, crawler).process_item(item)
    assert item == expected
    assert removed_stats(crawler.stats) == dict(expected_removed)


def test_cleaning_again_changes_nothing():
    """Cleaning a cleaned record again changes nothing (``clean`` over records a crawl already
    cleaned; a released deferred copy no longer goes through the steps twice, newscrawl/road.py,
    but the steps stay idempotent)."""
    import random
    from dataclasses import asdict

    from newscrawl.clean import NOISE_SAMPLES
    from newscrawl.fixtures import extract_fixture, load_fixtures
    from pipelines.finalize import finalize
    from tests.conftest import FIXTURES

    records = [extract_fixture(fx) for fx in load_fixtures(FIXTURES / "pages")]  # parsed, cleaned, finalized
    rng = random.Random(4)
    samples = [line for lines in NOISE_SAMPLES.values() for line in lines]
    removed_first = 0
    for _ in range(300):  # articles with noise lines planted at random places, cleaned once
        lines = list(ARTICLE)
        for _ in range(rng.randint(1, 4)):
            lines.insert(rng.randint(0, len(lines)), rng.choice(samples))
        if rng.random() < 0.3:
            lines += CARD
        record = article(*lines)
        removed_first += sum(clean_item(record).values())
        finalize(record)
        records.append(record)
    assert removed_first > 300  # the first pass had work to do
    for record in records:
        once = asdict(record)
        again = clean_item(record)
        finalize(record)
        assert not +again, once["url"]  # nothing removed the second time
        assert asdict(record) == once
