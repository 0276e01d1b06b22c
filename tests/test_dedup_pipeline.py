"""Dedup components with a real Crawler (no engine): content pipeline, MarkSeen, seen-URL
middleware, shared state."""

from __future__ import annotations

import json
import logging

import pytest
from itemadapter import ItemAdapter
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.dedup.middleware import SkipSeenArticlesMiddleware
from newscrawl.dedup.state import DedupState
from newscrawl.dedup.store import ParamsMismatch
from newscrawl.exceptions import DeferredCopy, DuplicateContent, DuplicateUrl, NearDuplicate
from newscrawl.items import ArticleItem
from newscrawl.text.urls import canonical_url, url_id
from pipelines.dedup import DedupContentPipeline, MarkSeenPipeline, doc_from_item, release_order

PARAS = [
    "Le tribunal administratif de Lyon a suspendu jeudi l'arrêté municipal qui interdisait les terrasses chauffées dans le centre-ville.",
    "Les juges ont estimé que la mesure portait une atteinte disproportionnée à la liberté du commerce et de l'industrie.",
    "Une quarantaine de restaurateurs avaient saisi la justice en référé au début du mois, soutenus par leur syndicat professionnel.",
    "« C'est une victoire pour des centaines d'emplois », s'est félicité leur avocat à la sortie de l'audience, devant la presse.",
    "La mairie, qui défend une mesure de sobriété énergétique, a annoncé qu'elle examinerait la possibilité de faire appel.",
    "L'adjoint chargé de la transition écologique rappelle que plusieurs grandes villes ont déjà adopté des règles semblables.",
    "Le jugement sur le fond est attendu dans plusieurs mois, et les terrasses chauffées pourront rouvrir dès ce week-end.",
    "Les associations de défense de l'environnement dénoncent une décision qui va à contre-courant des objectifs climatiques.",
]
TEXT = "\n".join(PARAS)
FIG = "https://www.lefigaro.fr/actualite-france/terrasses-chauffees-a-lyon-20240430"
LP = "https://www.leparisien.fr/societe/terrasses-chauffees-lyon-30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYZ.php"
D8 = "https://www.daily8.com/fr/article/" + "cd" * 16


def article(url: str = FIG, text: str = TEXT, **kw) -> ArticleItem:
    canon = kw.pop("canonical_url", canonical_url(url))
    return ArticleItem(id=url_id(canon), url=url, canonical_url=canon, source=kw.pop("source", "lefigaro"),
                       title="Un titre", text=text, word_count=len(text.split()), **kw)


@pytest.fixture
def crawler(tmp_path):
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path / "state"), "NEWSCRAWL_DEDUP_DEFER_COPIES": False})
    yield c
    state = DedupState.of(c)
    state.close()


@pytest.fixture
def pipes(crawler):
    return build_from_crawler(DedupContentPipeline, crawler), build_from_crawler(MarkSeenPipeline, crawler)


def run(pipes, item):
    """Content dedup, (the writers), then MarkSeen: what ITEM_PIPELINES does."""
    content, seen = pipes
    return seen.process_item(content.process_item(item))


def dup_lines(tmp_path):
    path = tmp_path / "state" / "duplicates.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_new_article_is_kept_and_marked_seen_only_after_the_writers(pipes, crawler):
    content, seen = pipes
    item = article()
    assert content.process_item(item) is item
    state = DedupState.of(crawler)
    assert state.store.urls([FIG]) == {}  # accepted, not yet written: not seen
    seen.process_item(item)
    assert state.store.urls([FIG])[FIG].cluster == item.id
    assert crawler.stats.get_value("newscrawl/dedup/kept") == 1
    assert crawler.stats.get_value("newscrawl/dedup/marked_seen") == 1


@pytest.mark.parametrize(
    ("copy", "exc", "reason"),
    [
        (lambda: article(LP, TEXT.upper(), source="leparisien"), DuplicateContent, "exact"),
        (lambda: article(LP, "\n".join([*PARAS[:5], "Une phrase ajoutée par la rédaction.", *PARAS[6:]]),
                         source="leparisien"), NearDuplicate, "near"),
        (lambda: article(D8, "Texte sans rapport.", source="daily8", via="daily8", original_url=FIG + "?utm_source=d8"),
         DuplicateUrl, "url"),
    ],
)
def test_copies_are_dropped_and_logged(pipes, crawler, tmp_path, caplog, copy, exc, reason):
    original = article()
    run(pipes, original)
    item = copy()
    with caplog.at_level(logging.INFO), pytest.raises(exc) as info:
        run(pipes, item)
    assert info.value.log_level == "INFO"
    assert original.id in str(info.value)
    assert item.url in str(info.value)
    (line,) = dup_lines(tmp_path)
    assert line["url"] == item.url
    assert line["id"] == item.id
    assert line["duplicate_of"] == original.id
    assert line["reason"] == reason
    assert line["similarity"] is None or 0.5 <= line["similarity"] <= 1.0
    assert crawler.stats.get_value(f"newscrawl/dedup/duplicate/{reason}") == 1
    members = DedupState.of(crawler).dedup.explain(original.id)
    assert [m.reason for m in members] == ["kept", reason]


def test_known_urls_are_skipped_before_download(pipes, crawler):
    run(pipes, article())
    mw = build_from_crawler(SkipSeenArticlesMiddleware, crawler)
    known = Request(FIG + "#xtor=RSS-1", meta={"newscrawl_article": True, "newscrawl_canonical": FIG})
    new = Request(LP, meta={"newscrawl_article": True, "newscrawl_canonical": LP})
    feed = Request("https://www.lefigaro.fr/rss/figaro_actualites.xml")
    live = Request(FIG, meta={"newscrawl_article": True, "newscrawl_canonical": FIG, "newscrawl_live": True})
    forced = Request(FIG, meta={"newscrawl_article": True, "newscrawl_skip_seen": False})
    out = [mw.get_processed_request(r, None) for r in (known, new, feed, live, forced)]
    assert out == [None, new, feed, live, forced]
    assert crawler.stats.get_value("newscrawl/dedup/skipped_seen") == 1
    assert crawler.stats.get_value("newscrawl/dedup/refetch/live") == 1


def test_refetch_window(tmp_path):
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_REFETCH_AFTER": "1h"})
    state = DedupState.of(c)
    state.store.add_urls([FIG], "c", "kept", 1.0, 1, 0.0)  # fetched in 1970
    state.store.add_urls([LP], "c", "near", 0.8, 1, 4e9)  # fetched in the future
    mw = build_from_crawler(SkipSeenArticlesMiddleware, c)
    old = Request(FIG, meta={"newscrawl_article": True})
    recent = Request(LP, meta={"newscrawl_article": True})
    assert mw.get_processed_request(old, None) is old
    assert mw.get_processed_request(recent, None) is None
    assert c.stats.get_value("newscrawl/dedup/refetch/window") == 1
    state.close()


def test_a_refetched_page_is_unchanged_or_an_update(pipes, crawler):
    run(pipes, article())
    with pytest.raises(DuplicateUrl, match="Unchanged"):
        run(pipes, article())
    edited = article(text=TEXT + "\nMise à jour : la mairie a fait appel vendredi.")
    assert run(pipes, edited) is edited
    assert crawler.stats.get_value("newscrawl/dedup/updated") == 1
    state = DedupState.of(crawler)
    art = state.store.article(edited.id)
    assert art is not None
    assert art.exact == state.dedup.fingerprint(doc_from_item(ItemAdapter(edited))).exact


def test_an_item_dropped_after_dedup_is_not_pending(pipes, crawler):
    content, _ = pipes
    first = article()
    content.process_item(first)
    content.item_dropped(first, None, DuplicateUrl("dropped by a writer"), None)
    assert content.process_item(article(LP, TEXT, source="leparisien")) is not None  # not a copy of a lost one


def test_aggregator_copies_and_teasers_are_deferred(tmp_path):
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    content = build_from_crawler(DedupContentPipeline, c)
    assert content.process_item(article()) is not None
    for item in (article(D8, source="daily8", via="daily8"), article(LP, source="leparisien", paywalled=True)):
        with pytest.raises(DeferredCopy) as info:
            content.process_item(item)
        assert info.value.log_level == "DEBUG"
    assert len(content.deferred) == 2
    assert c.stats.get_value("newscrawl/dedup/deferred") == 2
    content.close_spider()  # never released (no engine here): counted, and not marked seen
    assert c.stats.get_value("newscrawl/dedup/deferred_lost") == 2
    DedupState.of(c).close()


def test_release_order_complete_copies_first():
    teaser = article(LP, "court", paywalled=True)
    full = article(D8, TEXT, source="daily8", via="daily8")
    short = article(D8.replace("cd", "ef"), "\n".join(PARAS[:3]), source="daily8", via="daily8")
    assert sorted([teaser, short, full], key=release_order) == [full, short, teaser]


def test_doc_from_item_ignores_implausible_canonicals():
    item = article(FIG, canonical_url="https://www.lefigaro.fr/")
    doc = doc_from_item(ItemAdapter(item))
    assert doc.declared is None
    assert doc.fetched == FIG
    agg = article(D8, source="daily8", original_url=FIG + "#xtor=1")
    d = doc_from_item(ItemAdapter(agg))
    assert d.excerpt
    assert d.original == FIG


@pytest.mark.parametrize("cls", [DedupContentPipeline, MarkSeenPipeline, SkipSeenArticlesMiddleware])
def test_not_configured_when_disabled(cls, tmp_path):
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_ENABLED": False})
    with pytest.raises(NotConfigured):
        build_from_crawler(cls, c)


def test_middleware_can_be_switched_off_alone(tmp_path):
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_SKIP_SEEN": False})
    with pytest.raises(NotConfigured):
        build_from_crawler(SkipSeenArticlesMiddleware, c)


def test_params_mismatch_stops_the_crawl_at_start(tmp_path):
    from newscrawl.dedup.factory import open_store

    s = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    s.set_meta("params_version", "newscrawl-minhash/{\"num_perm\":64}")
    s.commit()
    s.close()
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    with pytest.raises(ParamsMismatch):
        build_from_crawler(DedupContentPipeline, c)


def test_crawlers_of_one_process_share_the_state(tmp_path):
    a = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    b = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    pa, pb = build_from_crawler(DedupContentPipeline, a), build_from_crawler(DedupContentPipeline, b)
    assert pa.state is pb.state
    pa.process_item(article())  # pending in crawler a: already visible to crawler b
    with pytest.raises(DuplicateContent):
        pb.process_item(article(LP, TEXT, source="leparisien"))
    pa.state.spider_closed(type("S", (), {"crawler": a})())
    assert not pa.state.closed  # b still uses it
    pa.state.spider_closed(type("S", (), {"crawler": b})())
    assert pa.state.closed


def test_a_store_failure_keeps_the_article(pipes, crawler, caplog):
    content, _ = pipes
    DedupState.of(crawler).store.close()  # any store error
    item = article()
    with caplog.at_level(logging.ERROR):
        assert content.process_item(item) is item
    assert "Dedup check failed" in caplog.text
    assert item.url in caplog.text
    assert any(k.startswith("newscrawl/dedup/error/") for k in crawler.stats.get_stats())


def test_skipping_an_article_asked_for_by_name_is_logged(pipes, crawler, caplog):
    run(pipes, article())
    mw = build_from_crawler(SkipSeenArticlesMiddleware, crawler)
    explicit = Request(FIG, meta={"newscrawl_article": True, "newscrawl_explicit": True})
    with caplog.at_level(logging.INFO, logger="newscrawl.dedup.middleware"):
        assert mw.get_processed_request(explicit, None) is None
    assert f"Skipped {FIG}: already collected" in caplog.text
    assert "NEWSCRAWL_DEDUP_SKIP_SEEN=0" in caplog.text


def test_mark_seen_finds_the_verdict_when_a_writer_passes_on_another_object(pipes, crawler):
    content, seen = pipes
    item = article()
    content.process_item(item)
    seen.process_item(dict(item.to_record()))  # e.g. a writer that returns a plain dict
    state = DedupState.of(crawler)
    assert state.accepted == {}
    assert state.dedup.pending == {}
    assert state.store.urls([FIG])[FIG].cluster == item.id


def test_the_window_is_pruned_at_open_at_most_once_a_day(tmp_path):
    import time

    from newscrawl.dedup.factory import open_store
    from newscrawl.dedup.fingerprints import fingerprint

    s = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    fp = fingerprint(TEXT)
    s.add_article("aaaaaaaaaaaaaaaa", fp, [FIG], time.time() - 3 * 86400)  # three days old
    s.commit()
    s.close()
    c = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_WINDOW": "2d"})
    state = DedupState.of(c)
    assert c.stats.get_value("newscrawl/dedup/pruned") == 1
    assert state.store.band_candidates(fp.bands) == []  # no longer found by content...
    assert state.store.by_exact(fp.exact) == "aaaaaaaaaaaaaaaa"  # ...but by exact hash
    assert FIG in state.store.urls([FIG])  # and never downloaded again
    assert state.prune_if_due() == 0  # not due again within a day
    state.close()
