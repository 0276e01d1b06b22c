"""The dedup decision, level by level, and the clusters (pure: a SQLite store in tmp_path)."""

from __future__ import annotations

import pytest

from newscrawl.dedup.cluster import Deduplicator, Doc, Thresholds
from newscrawl.dedup.sqlite_store import SqliteStore
from newscrawl.text.urls import url_id

# An invented AFP-style dispatch (~230 words) and a copy with its own edits.
DISPATCH = [
    "Un glissement de terrain a coupé mardi matin la route nationale qui relie Chambéry à Grenoble, à hauteur de la commune de Montmélian.",
    "Quelque 3 000 mètres cubes de terre et de roches se sont détachés du talus après plusieurs jours de fortes pluies sur la combe de Savoie.",
    "Aucun véhicule n'a été touché, a indiqué la préfecture, qui a mis en place une déviation par l'autoroute A41 pour les poids lourds.",
    "« Nous ne pourrons pas rouvrir avant la fin de la semaine prochaine », a prévenu le directeur des routes du département.",
    "Des géologues doivent inspecter la paroi mercredi pour évaluer le risque de nouvelles chutes de blocs au-dessus de la chaussée.",
    "Les habitants de trois maisons situées en contrebas ont été relogés par précaution chez des proches ou dans un hôtel de la ville.",
    "La ligne de bus qui dessert la vallée est également détournée, avec des retards annoncés de vingt minutes aux heures de pointe.",
    "Le maire de Montmélian a demandé à l'État un plan de confortement du talus, déjà fragilisé par un éboulement en 2021.",
    "Météo-France prévoit encore des averses orageuses jusqu'à jeudi sur les Alpes du Nord, avec un risque de nouveaux mouvements de terrain.",
    "Les automobilistes sont invités à différer leurs déplacements et à consulter les sites d'information routière avant de partir.",
]
TEXT = " ".join(DISPATCH)
EDITED = " ".join([
    *DISPATCH[:2],
    "Personne n'a été blessé, selon la préfecture, qui a mis en place une déviation par l'autoroute A41.",
    *DISPATCH[3:9],
    "Une cellule de crise a été ouverte à la mairie.",
])
OTHER = " ".join([  # same topic and places, different text: a hard negative
    "La route nationale entre Chambéry et Grenoble a rouvert vendredi après trois semaines de travaux de confortement.",
    "Les équipes ont posé des filets et des ancrages sur plus de deux cents mètres de talus au-dessus de Montmélian.",
    "Le chantier a coûté 1,8 million d'euros, financé pour moitié par l'État et pour moitié par le département de la Savoie.",
    "Les commerçants de la vallée, privés de clients pendant la fermeture, réclament une aide exceptionnelle à la chambre de commerce.",
    "Une nouvelle inspection de la paroi est prévue à l'automne, avant le retour des fortes pluies sur la combe de Savoie.",
    "La déviation par l'autoroute A41 a été levée et les bus ont retrouvé leur itinéraire habituel dès vendredi matin.",
    "Le maire se dit soulagé mais rappelle que d'autres talus de la commune restent sous surveillance depuis l'éboulement de 2021.",
    "La préfecture a par ailleurs lancé une étude sur l'ensemble des routes de montagne exposées aux glissements de terrain.",
])

FI = "https://www.franceinfo.fr/france/auvergne-rhone-alpes/glissement-de-terrain-en-savoie_6400001.html"
LP = "https://www.leparisien.fr/faits-divers/glissement-de-terrain-en-savoie-30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYF.php"
FIG = "https://www.lefigaro.fr/actualite-france/glissement-de-terrain-en-savoie-20240430"
D8 = "https://www.daily8.com/fr/article/" + "ab" * 16


def doc(url: str, text: str = TEXT, **kw) -> Doc:
    return Doc(id=url_id(kw.get("declared") or url), fetched=url, text=text, **kw)


@pytest.fixture
def dedup(tmp_path):
    store = SqliteStore(tmp_path / "dedup.sqlite")
    yield Deduplicator(store, Thresholds())
    store.close()


def keep(dedup: Deduplicator, d: Doc) -> None:
    v = dedup.check(d)
    assert v.kind == "new", v
    dedup.hold(d, v.fp)
    dedup.commit_kept(d.id, v.fp, d.url_keys, 1000.0)


def test_new_article(dedup):
    v = dedup.check(doc(FI))
    assert v.kind == "new"
    assert v.fp.signature is not None


def test_exact_copy_whatever_the_layout(dedup):
    keep(dedup, doc(FI))
    v = dedup.check(doc(LP, TEXT.upper().replace(". ", ".\n\n")))
    assert (v.kind, v.reason, v.duplicate_of, v.similarity) == ("duplicate", "exact", url_id(FI), 1.0)


def test_near_copy_with_edits(dedup):
    keep(dedup, doc(FI))
    v = dedup.check(doc(LP, EDITED))
    assert (v.kind, v.reason, v.measure, v.duplicate_of) == ("duplicate", "near", "jaccard", url_id(FI))
    assert 0.5 <= v.similarity < 1.0


def test_same_topic_different_text_is_new(dedup):
    keep(dedup, doc(FI))
    assert dedup.check(doc(FIG, OTHER)).kind == "new"


def test_threshold_is_a_setting(tmp_path):
    store = SqliteStore(tmp_path / "d.sqlite")
    strict = Deduplicator(store, Thresholds(near=0.95))
    keep(strict, doc(FI))
    assert strict.check(doc(LP, EDITED)).kind == "new"
    store.close()


def test_url_levels(dedup):
    keep(dedup, doc("http://127.0.0.1:9/mirror-20240430", declared=FIG))
    # another page declaring the same canonical URL (an AMP copy, a mirror)
    v = dedup.check(doc("https://amp.example/x", OTHER, declared=FIG))
    assert (v.kind, v.reason, v.duplicate_of) == ("duplicate", "url", url_id(FIG))
    # an aggregator copy linking the original
    v = dedup.check(doc(D8, "Un tout autre texte, sans rapport avec l'original, de quelques mots.", original=FIG,
                        excerpt=True))
    assert (v.kind, v.reason, v.duplicate_of) == ("duplicate", "url", url_id(FIG))


def test_refetch_of_a_known_page(dedup):
    keep(dedup, doc(FI))
    v = dedup.check(doc(FI))
    assert (v.kind, v.duplicate_of) == ("unchanged", url_id(FI))
    v = dedup.check(doc(FI, EDITED))  # the page was edited since
    assert (v.kind, v.duplicate_of) == ("update", url_id(FI))


def test_excerpts_are_matched_by_containment_only_when_flagged(dedup):
    keep(dedup, doc(FI, TEXT, lead="Le chapô de franceinfo sur le glissement de terrain."))
    teaser = " ".join(DISPATCH[:3]) + " Essayez nos fonctionnalités IA"
    assert dedup.check(doc(D8, teaser)).kind == "new"  # a publisher's short text: not an excerpt
    v = dedup.check(doc(D8, teaser, excerpt=True))
    assert (v.kind, v.reason, v.measure, v.duplicate_of) == ("duplicate", "near", "containment", url_id(FI))
    assert v.similarity >= Thresholds().containment


def test_excerpt_of_another_story_is_new(dedup):
    keep(dedup, doc(FI))
    teaser = " ".join(OTHER.split(". ")[:3])
    assert dedup.check(doc(D8, teaser, excerpt=True)).kind == "new"


def test_short_bodies(dedup):
    short = "Le Conseil constitutionnel rendra sa décision jeudi sur la loi immigration, a-t-on appris mardi."
    keep(dedup, doc(FI, short))
    v = dedup.check(doc(LP, short + " "))
    assert (v.kind, v.reason) == ("duplicate", "exact")  # exact hash still applies
    tiny = "Réservé aux abonnés."
    keep(dedup, doc(FIG, tiny))
    assert dedup.check(doc(LP.replace("PYF", "PYG"), tiny)).kind == "new"  # too short to compare at all


def test_pending_articles_are_visible_then_forgotten(dedup):
    first = doc(FI)
    v = dedup.check(first)
    dedup.hold(first, v.fp)  # accepted, not yet written
    assert dedup.check(doc(LP, EDITED)).duplicate_of == url_id(FI)
    assert dedup.check(doc("https://x.example/a", declared=FI)).reason == "url"
    dedup.forget(first.id)  # dropped further down: never written
    assert dedup.check(doc(LP, EDITED)).kind == "new"
    assert dedup.store.urls([FI]) == {}


def test_explain_lists_the_cluster_kept_copy_first(dedup):
    keep(dedup, doc(FI))
    copy = doc(LP, EDITED)
    v = dedup.check(copy)
    dedup.record_duplicate(copy, v, 2000.0)
    members = dedup.explain(url_id(FI))
    assert [(m.url, m.reason) for m in members] == [(FI, "kept"), (LP, "near")]
    assert members[1].similarity == v.similarity
