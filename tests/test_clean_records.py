"""Invented text records in the layouts of other sites (not the seeds): the same kinds of blocks,
phrased differently, must go; the article, and only it, stays."""

from __future__ import annotations

from newscrawl.clean import clean_record
from tests.test_clean_steps import P1, P2, P3, SUB, TITLE

LEAD = "La municipalité engage le plus gros chantier du mandat, sous l'œil des commerçants du marché couvert."
TEASER = "Le conseil départemental a voté une aide de 300 000 euros pour les commerces du centre-ville, qui…"


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def test_wordpress_record():
    result = clean_record("\n".join([
        TITLE, "Accueil > Actualités > Tarn-et-Garonne",
        "Publié le 14/03/2025 à 07h12, mis à jour le 14/03/2025 à 09h30", "Par Claire Fontaine",
        P1, "Publicité", P2, SUB, P3, "Partager :", "Facebook", "WhatsApp",
        "Articles similaires", "Le budget 2026 adopté", TEASER, "La piscine rouvre en mai",
        "Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
        "Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site.", "Tout accepter",
        "© 2025 Exemple Actu – Tous droits réservés",
    ]))
    assert lines(result.text) == [TITLE, P1, P2, SUB, P3]
    assert (result.published, result.modified) == ("2025-03-14T07:12:00+01:00", "2025-03-14T09:30:00+01:00")
    assert result.authors == ["Claire Fontaine"]
    assert not result.paywalled
    assert result.guarded == []


def test_paywalled_record():
    result = clean_record("\n".join([
        TITLE, LEAD, "Par Jeanne Exemple", "Le 7 avril 2023 à 18h39", P1,
        "S'abonner pour lire la suite", "Déjà abonné ? Se connecter",
        "Dans la rubrique", "Société", "Le budget 2026 adopté", "La piscine rouvre en mai",
        "VOIR LES COMMENTAIRES", "Les plus lus", "Le tram desservira la gare en 2028", "1",
        "Un nouveau parking au nord de la ville", "2",
    ]))
    assert lines(result.text) == [TITLE, LEAD, P1]
    assert result.paywalled
    assert result.published == "2023-04-07T18:39:00+02:00"
    assert result.authors == ["Jeanne Exemple"]
    assert result.removed["paywall_teaser"] == 2


def test_aggregator_record_in_english_chrome():
    result = clean_record("\n".join([
        "logo", TITLE, "", TITLE, "Le Parisien13-07-2025", P1, P2, "Orange background", "Try Our AI Features",
        "Explore what Daily8 AI can do for you:", "Comments", "No comments yet...", "Related Articles",
        "Le budget 2026 adopté", "Le budget 2026 adopté", "Le Figaro", "time2 hours ago", "• Le Figaro",
        "Le budget 2026 adopté", "Réservé aux abonnés DÉCRYPTAGE - " + TEASER,
        "DOWNLOAD THE APP", "Get started now: Download the app", "app-storeplay-store",
    ]))
    assert lines(result.text) == [TITLE, P1, P2]
    assert result.published == "2025-07-13T00:00:00+02:00"  # the article's own source/date card
    assert not result.paywalled  # the subscriber kicker belongs to a related card


def test_public_broadcaster_record():
    result = clean_record("\n".join([
        TITLE, LEAD, "Article rédigé par", "Jeanne Exemple -", "franceinfo", "France Télévisions",
        "Publié le 13/07/2025 16:41", "Mis à jour le 13/07/2025 17:11", "Temps de lecture : 2min",
        P1, "VIDÉO. Les images du chantier de la halle", P2,
        "les mots-clés associés à cet article", "Société", "contenus sponsorisés", "Lancez la conversation",
        "Connectez-vous à votre compte franceinfo pour commenter.", "voir plus",
    ]))
    assert lines(result.text) == [TITLE, LEAD, P1, P2]
    assert (result.published, result.modified) == ("2025-07-13T16:41:00+02:00", "2025-07-13T17:11:00+02:00")
    assert result.authors == ["Jeanne Exemple"]


def test_a_clean_record_is_left_alone():
    text = "\n".join([TITLE, LEAD, P1, SUB, P2, P3]) + "\n"
    result = clean_record(text)
    assert result.text == text
    assert not result.removed
