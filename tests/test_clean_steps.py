"""The three cleaning steps on ArticleItems (invented articles), each on its own, and the guard."""

from __future__ import annotations

import logging

import pytest

from newscrawl.clean import GUARD_KEY, clean_item, strip_line_noise, strip_paywall, strip_related
from newscrawl.items import ArticleItem

TITLE = "Montauban : la halle aux grains sera rénovée d'ici 2027"
P1 = ("Le conseil municipal de Montauban a voté jeudi soir la rénovation complète de la halle aux grains, un "
      "chantier estimé à 4,2 millions d'euros qui doit débuter à l'automne.")
P2 = ("Les commerçants du marché couvert seront relogés pendant dix-huit mois sur l'esplanade des Fontaines, a "
      "précisé l'adjointe chargée du commerce, qui promet une signalétique provisoire.")
P3 = ("L'opposition dénonce un calendrier trop serré et réclame une étude d'impact sur la circulation du "
      "centre-ville avant le premier coup de pioche.")
SUB = "Un chantier sous surveillance"
P4 = ("Les architectes des Bâtiments de France devront valider chaque étape, la charpente métallique du XIXe "
      "siècle étant inscrite à l'inventaire des monuments historiques.")
ARTICLE = [P1, P2, SUB, P3, P4]

# A related card as aggregators print it: title, source, time, bullet source, title, long teaser.
CARD_TITLE = "Toulouse : le marché Victor-Hugo fermera tout l'été pour travaux"
CARD_TEASER = ("Les halles du centre-ville baisseront le rideau de juillet à septembre. " * 6).strip()
CARD = [CARD_TITLE, "Exemple Actu", "3 hours ago", "• Exemple Actu", CARD_TITLE, CARD_TEASER]


def item(*lines: str, **fields) -> ArticleItem:
    return ArticleItem(url="https://exemple.fr/halle", source="generic", title=fields.pop("title", TITLE),
                       text="\n".join(lines), **fields)


# --------------------------------------------------------------------------------- paywall


def test_paywall_teaser_at_the_end_goes_and_flags():
    it = item(P1, P2, "Il vous reste 72% à découvrir", "S'abonner pour lire la suite", "Déjà abonné ? Se connecter")
    removed = strip_paywall(it)
    assert it.text.split("\n") == [P1, P2]
    assert it.paywalled
    assert removed == {"paywall_teaser": 3}


def test_paywall_teaser_before_a_related_block_is_still_the_tail():
    it = item(P1, P2, "La suite est réservée aux abonnés", "Je m'abonne", "Les plus lus", "Un titre", "Un autre titre")
    removed = strip_paywall(it)
    assert it.paywalled
    assert removed == {"paywall_teaser": 1, "subscribe_cta": 1}
    assert it.text.split("\n") == [P1, P2, "Les plus lus", "Un titre", "Un autre titre"]  # left to strip_related


def test_subscriber_teaser_inside_related_cards_does_not_flag():
    it = item(P1, P2, "Articles connexes", CARD_TITLE, "Réservé aux abonnés", "Le Figaro", "2 hours ago",
              "Réservé aux abonnés DÉCRYPTAGE - " + CARD_TEASER)
    assert strip_paywall(it) == {}
    assert not it.paywalled


def test_subscriber_words_in_the_last_paragraph_do_not_flag():
    last = "Réservé aux abonnés du réseau Tisséo, le nouveau parking relais ouvrira ses portes en septembre."
    it = item(P1, P2, last)
    assert strip_paywall(it) == {}
    assert it.text.split("\n") == [P1, P2, last]
    assert not it.paywalled


def test_subscription_buttons_alone_do_not_flag():
    it = item(P1, P2, "S'abonner", "Découvrez toutes les offres")
    strip_paywall(it)
    assert not it.paywalled


def test_paywall_kicker_glued_to_the_first_paragraph():
    it = item("Réservé aux abonnés DÉCRYPTAGE - " + P1, P2)
    removed = strip_paywall(it)
    assert it.text.split("\n") == ["DÉCRYPTAGE - " + P1, P2]
    assert it.paywalled
    assert removed == {"paywall_kicker": 1}


def test_paywall_kicker_line_and_lead():
    it = item("Réservé aux abonnés", P1, P2, lead="Réservé aux abonnés ANALYSE - La ville engage un chantier.")
    strip_paywall(it)
    assert it.text.split("\n") == [P1, P2]
    assert it.lead == "ANALYSE - La ville engage un chantier."
    assert it.paywalled


def test_paywalled_flag_from_the_page_is_kept():
    it = item(P1, P2, paywalled=True)
    strip_paywall(it)
    assert it.paywalled


# --------------------------------------------------------------------------------- related


def test_closing_block_with_cards_goes_to_the_end():
    it = item(*ARTICLE, "Commentaires", "Aucun commentaire pour le moment...", "Articles connexes", *CARD, *CARD)
    removed = strip_related(it)
    assert it.text.split("\n") == ARTICLE
    assert removed == {"comments_block": 2, "related_block": 1 + 2 * len(CARD)}


@pytest.mark.parametrize("heading", ["Sur le même thème", "À voir aussi", "Nos articles sur la rénovation urbaine",
                                     "Vous aimerez aussi", "La rédaction vous conseille", "Related Articles"])
def test_related_headings_other_sites_use(heading):
    teasers = [f"Titre de l'article numéro {n} sur la ville" for n in range(4)]
    it = item(*ARTICLE, heading, teasers[0], "Un extrait de l'article qui s'arrête au milieu d'une phrase…",
              *teasers[1:])
    strip_related(it)
    assert it.text.split("\n") == ARTICLE


def test_title_and_excerpt_pairs_make_a_block():
    it = item(*ARTICLE, "À lire aussi", CARD_TITLE, P3.replace("L'opposition", "La majorité"), "Regarder la vidéo",
              "Un deuxième titre d'article", P4.replace("architectes", "ingénieurs"))
    strip_related(it)
    assert it.text.split("\n") == ARTICLE


def test_box_in_the_middle_takes_its_titles_not_the_next_subheading():
    it = item(P1, "Sur le même sujet", "Le budget 2026 adopté", "La piscine rouvre en mai", SUB, P3, P4)
    removed = strip_related(it)
    assert it.text.split("\n") == [P1, SUB, P3, P4]
    assert removed == {"related_block": 3}


def test_inline_read_also_box():
    it = item(P1, "À lire aussi", "Le tram desservira la gare en 2028", P2, P3)
    strip_related(it)
    assert it.text.split("\n") == [P1, P2, P3]


def test_a_heading_followed_by_the_article_is_not_a_block():
    it = item("Commentaires", P1, P2, P3, P4)
    strip_related(it)
    assert it.text.split("\n") == [P1, P2, P3, P4]


FOOTER = [f"Rubrique numéro {n}" for n in range(30)]


def test_misread_heading_above_the_article_loses_to_the_real_block():
    it = item("Les plus lus", P1, P2, P3, P4, "Articles connexes", CARD_TITLE, "Un autre titre")
    strip_related(it)
    assert it.text.split("\n") == [P1, P2, P3, P4]


def test_misread_heading_with_a_long_footer_loses_to_the_real_block():
    # Both headings open a block that reaches the end with few paragraphs (the footer is long):
    # the block holding no article-like paragraph wins.
    it = item("Les plus lus", P1, P2, P3, "Articles connexes", *FOOTER)
    strip_related(it)
    assert it.text.split("\n") == [P1, P2, P3]


def test_sentences_with_related_words_stay():
    lines = [P1, "Sur le même sujet, le ministre s'est montré plus prudent mardi devant les députés.", P2]
    it = item(*lines)
    assert strip_related(it) == {}
    assert it.text.split("\n") == lines


def test_syndication_footer_fills_metadata():
    it = item(*ARTICLE, "« L'article est apparu en premier ici »", "Date de publication : 2025-09-02 14:20:00",
              "Auteur : Romain Exemple – Consulter sa biographie, ses projets et son travail.",
              "Application officielle :", "Téléchargez Exemple Actu sur Google Play")
    removed = strip_related(it)
    assert it.text.split("\n") == ARTICLE
    assert removed == {"footer_block": 5}
    assert it.published == "2025-09-02T14:20:00+02:00"
    assert it.authors == ["Romain Exemple"]


def test_related_cards_do_not_fill_metadata():
    it = item(*ARTICLE, "Articles connexes", CARD_TITLE, "Publié le 3 mars 2024 à 10h00", "Par Jean Carte")
    strip_related(it)
    assert it.published is None
    assert it.authors == []


# --------------------------------------------------------------------------------- line noise


def test_line_noise_kinds():
    lines = ["logo", TITLE, "Le Figaro7 days ago", P1, "Publicité", P2, "VIDÉO - Les images du chantier",
             "Partager sur Facebook", SUB, "À lire aussi : Le marché de Noël déménage", P3, "Léa Petit/SIPA", P4,
             "Essayez nos fonctionnalités IA", "Retour en haut", "-"]
    it = item(*lines)
    removed = strip_line_noise(it)
    assert it.text.split("\n") == [P1, P2, SUB, P3, P4]
    assert removed == {"image_alt": 1, "title_repeat": 1, "source_time": 1, "ad_label": 1, "video_caption": 1,
                       "share_prompt": 1, "read_also": 1, "photo_credit": 1, "aggregator_chrome": 1,
                       "navigation": 1, "no_words": 1}


def test_metadata_lines_fill_missing_fields():
    it = item("Publié le 14/03/2025 à 07h12, mis à jour le 14/03/2025 à 09h30", "Par Claire Fontaine", P1, P2)
    removed = strip_line_noise(it)
    assert it.text.split("\n") == [P1, P2]
    assert (it.published, it.modified) == ("2025-03-14T07:12:00+01:00", "2025-03-14T09:30:00+01:00")
    assert it.authors == ["Claire Fontaine"]
    assert removed == {"metadata_date": 1, "metadata_author": 1}


def test_metadata_lines_never_override_the_page():
    it = item("Publié le 14/03/2025 à 07h12", "Par Claire Fontaine", P1, published="2025-03-13T20:00:00+01:00",
              authors=["C. Fontaine"])
    strip_line_noise(it)
    assert it.text == P1
    assert it.published == "2025-03-13T20:00:00+01:00"
    assert it.authors == ["C. Fontaine"]


def test_orphan_label_at_the_end():
    it = item(P1, P2, "Sources", "L'article est apparu en premier ici")
    removed = strip_line_noise(it)
    assert it.text.split("\n") == [P1, P2]
    assert removed == {"syndication": 1, "orphan_heading": 1}


def test_a_last_short_line_that_is_not_a_label_stays():
    it = item(P1, P2, "Avec AFP")
    strip_line_noise(it)
    assert it.text.split("\n") == [P1, P2, "Avec AFP"]


def test_lead_that_is_noise_is_dropped():
    it = item(P1, lead="Publicité")
    assert strip_line_noise(it) == {"ad_label": 1}
    assert it.lead is None


def test_clean_item_runs_every_step():
    it = item("Réservé aux abonnés", *ARTICLE, "Publicité", "Il vous reste 60% à découvrir", "Articles connexes",
              *CARD)
    removed = clean_item(it)
    assert it.text.split("\n") == ARTICLE
    assert it.paywalled
    assert removed == {"paywall_kicker": 1, "paywall_teaser": 1, "related_block": 1 + len(CARD), "ad_label": 1}


# --------------------------------------------------------------------------------- guard


def test_guard_keeps_the_original_when_most_would_go(caplog):
    lines = ["Un court texte.", "Publicité", "Partager sur Facebook", "Partager sur Twitter", "Copier le lien",
             "Retour en haut de la page", "Essayez nos fonctionnalités IA"]
    it = item(*lines)
    with caplog.at_level(logging.WARNING, logger="newscrawl.clean"):
        removed = strip_line_noise(it)
    assert removed == {GUARD_KEY: 1}
    assert it.text.split("\n") == lines
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "https://exemple.fr/halle" in record.getMessage()
    assert "noise" in record.getMessage()


def test_guard_limit_is_a_parameter():
    lines = [P1, "Publicité", "Partager sur Facebook"]
    strict, loose = item(*lines), item(*lines)
    assert strip_line_noise(strict, max_removed_ratio=0.05) == {GUARD_KEY: 1}
    assert strip_line_noise(loose, max_removed_ratio=0.7) == {"ad_label": 1, "share_prompt": 1}
    assert loose.text == P1


def test_guard_off_at_one():
    it = item("Publicité", "Partager sur Facebook")
    assert strip_line_noise(it, max_removed_ratio=1.0) == {"ad_label": 1, "share_prompt": 1}
    assert it.text == ""


def test_a_closing_block_longer_than_the_article_is_not_weighed():
    it = item(P1, "Articles connexes", *CARD, *CARD, *CARD)
    removed = strip_related(it)
    assert it.text == P1
    assert GUARD_KEY not in removed


def test_a_text_that_is_only_a_block_keeps_the_original(caplog):
    lines = ["Articles connexes", *CARD]
    it = item(*lines)
    with caplog.at_level(logging.WARNING, logger="newscrawl.clean"):
        assert strip_related(it) == {GUARD_KEY: 1}
    assert it.text.split("\n") == lines


def test_article_paragraphs_inside_a_long_footer_block_are_weighed():
    # A misread heading inside the article, and a long page footer below it: the block "closes the
    # page" by its shape, but it would take article paragraphs: the guard keeps the text.
    lines = ["Un court chapeau.", P1, "Les plus lus", P2, P3, P4, SUB, P1, *FOOTER]
    it = item(*lines)
    assert strip_related(it) == {GUARD_KEY: 1}
    assert it.text.split("\n") == lines


def test_a_heading_above_the_article_is_a_box_not_the_closing_block():
    # "Les plus lus" over the text, with article paragraphs under it, and chrome lines breaking the
    # run of paragraphs: from the heading to the end is the article. Taken for the closing block,
    # the guard refused the whole step (the real closing block stayed too), and a second cleaning
    # (deferred copies go through the pipelines again) then removed more.
    lines = ["Les plus lus", P1, P2, SUB, P3, "VIDÉO - Les images du chantier", P4, "Articles connexes", *CARD]
    it = item(*lines)
    assert strip_related(it) == {"related_block": 1 + 1 + len(CARD)}
    assert it.text.split("\n") == [P1, P2, SUB, P3, "VIDÉO - Les images du chantier", P4]
    # and on a text with no article-like paragraph at all, the guard still keeps everything
    it = item("Les plus lus", *CARD)
    assert strip_related(it) == {GUARD_KEY: 1}
