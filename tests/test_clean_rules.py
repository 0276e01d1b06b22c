"""Each cleaning rule on its own: the lines it removes (its samples, plus other phrasings of the same
kind of block) and sentences that merely contain its words, which must stay."""

from __future__ import annotations

import pytest

from newscrawl.clean import clean_item
from newscrawl.clean.rules import ALL_RULES, NOISE_SAMPLES, Context, Line, author_names, is_time_line
from newscrawl.items import ArticleItem

RULES = {rule.name: rule for rule in ALL_RULES}
#: Rules that need the record around the line (title, neighbours, position): tested with context below.
CONTEXTUAL = {"title_repeat", "lead_repeat", "photo_caption"}

#: Other phrasings of the same kinds, as other sites write them (not the rules' own samples).
POSITIVES: dict[str, list[str]] = {
    "paywall_teaser": ["Il vous reste 85 % de l'article à lire", "Abonnez-vous pour lire la suite",
                       "Cet article est réservé aux abonnés", "Déjà abonné ? Connectez-vous"],
    "subscribe_cta": ["Je m'abonne", "Offre découverte : 1 € le premier mois", "Voir les offres"],
    "related_block": ["Sur le même thème", "À découvrir aussi", "Nos articles sur l'inflation", "Vous aimerez aussi",
                      "Les articles les plus lus", "Related Stories", "Dans la même rubrique", "À voir également"],
    "comments_block": ["12 commentaires", "Voir les 45 commentaires", "Réagissez", "No comments yet..."],
    "tags_block": ["Mots-clés", "Tags"],
    "read_also_block": ["Lire aussi", "À lire également"],
    "footer_block": ["Cet article est paru initialement sur le site de nos confrères",
                     "The post Le marché de Noël appeared first on Exemple Actu."],
    "app_block": ["Télécharger l'application"],
    "newsletter_block": ["Newsletter"],
    "metadata_date": ["Publié le 3 mars 2024 à 18h05", "Date de parution : 14/03/2025",
                      "Le 7 avril 2023 à 18h39, modifié le 7 avril 2023 à 21h10"],
    "metadata_author": ["Par Claire Fontaine, envoyée spéciale à Lyon", "Auteure : Inès Morel"],
    "page_meta": ["5 min de lecture", "Publié le"],
    "source_time": ["il y a 3 heures", "Ouest-France", "Le Monde2 hours ago", "Mis à jour il y a 8 minutes"],
    "ad_label": ["Advertisement", "La suite après cette publicité"],
    "comment_prompt": ["Connectez-vous à votre compte pour participer à la conversation.",
                       "Soyez le premier à réagir"],
    "account_prompt": ["Créer un compte"],
    "share_prompt": ["Partager par mail", "Imprimer l'article", "Suivez-nous sur Instagram"],
    "newsletter_prompt": ["Inscrivez-vous", "Recevez notre newsletter quotidienne"],
    "app_prompt": ["Téléchargez gratuitement l'application", "Disponible sur Google Play", "Lire dans l'app"],
    "consent_prompt": ["Continuer sans accepter", "Ce site utilise des cookies pour mesurer l'audience"],
    "navigation": ["Haut de page", "Aller au contenu principal", "Menu", "Accueil › Sport › Rugby"],
    "image_alt": ["Logo Exemple Actu", "Blue background", "icon"],
    "photo_credit": ["(MARC DURAND / MAXPPP)", "© Reuters", "Léa Petit/SIPA"],
    "video_caption": ["VIDÉO. Les images de la crue de la Garonne", "Vidéo : le discours du préfet",
                      "Revoir la vidéo"],
    "read_also": ["LIRE AUSSI >> Le budget de la ville adopté", "À lire également : Le tram prolongé",
                  "Voir notre dossier : Les municipales 2026"],
    "aggregator_chrome": ["Explore what Daily8 AI can do for you:", "Résumer l'article"],
    "syndication": ["Cet article a été publié initialement sur le site de nos partenaires",
                    "Retrouvez tous nos articles sur exemple-actu.fr"],
    "no_words": ["***", "—"],
}

#: Sentences of articles (invented) holding the rules' words: they stay.
NEGATIVES: dict[str, list[str]] = {
    "paywall_teaser": ["Réservé aux abonnés du réseau Tisséo, le nouveau parking relais ouvrira en septembre.",
                       "Il vous reste trois jours pour vous inscrire sur les listes électorales.",
                       "Le club revendique désormais 4 000 abonnés, un record depuis sa création."],
    "subscribe_cta": ["L'abonnement mensuel passera à 9,99 € par mois à partir de juin.",
                      "Les abonnements au stade se sont vendus en deux heures, selon le club."],
    "related_block": ["Sur le même sujet, le ministre s'est montré plus prudent mardi.",
                      "Les plus lus des romans de l'été ne sont pas toujours les meilleurs, selon la libraire."],
    "comments_block": ["Les commentaires du ministre ont suscité la colère des syndicats.",
                       "Aucun commentaire n'a été fait par la préfecture sur l'incident de lundi soir."],
    "tags_block": ["Les sujets abordés lors du conseil restent confidentiels."],
    "read_also_block": ["« Il faut lire aussi le rapport de la chambre régionale des comptes », a insisté le maire."],
    "footer_block": ["L'article 49.3 est apparu en premier dans la Constitution de 1958, rappelle le juriste."],
    "app_block": ["Les usagers doivent télécharger l'application de la régie pour acheter un ticket."],
    "newsletter_block": ["La newsletter municipale paraît désormais chaque semaine."],
    "metadata_date": ["Le 3 mars 2024, la mairie a annoncé la fermeture du pont pour travaux.",
                      "Publié le 12 juin, le rapport recommande de doubler les effectifs."],
    "metadata_author": ["Par ailleurs, la préfecture a interdit la manifestation prévue samedi.",
                        "Par la suite, les enquêteurs ont retrouvé le véhicule."],
    "page_meta": ["La lecture du rapport prend vingt minutes, selon ses auteurs."],
    "source_time": ["Le Figaro a révélé l'affaire il y a 7 jours.",
                    "Il y a trois ans, la commune comptait encore deux boulangeries."],
    "ad_label": ["La publicité pour les paris sportifs est désormais encadrée par la loi."],
    "comment_prompt": ["Le ministre a refusé de commenter la décision du tribunal administratif."],
    "account_prompt": ["La banque demande à ses clients de se connecter à leur espace en ligne avant lundi."],
    "share_prompt": ["Partager la route avec les cyclistes reste un défi, reconnaît l'élu."],
    "newsletter_prompt": ["Votre adresse e-mail a peut-être été exposée lors de la fuite, prévient la Cnil."],
    "app_prompt": ["Le gouvernement invite les usagers à télécharger l'application pour signaler les nids-de-poule."],
    "consent_prompt": ["La Cnil a sanctionné le site pour avoir déposé des cookies sans consentement."],
    "navigation": ["L'accueil des réfugiés reste une priorité pour la commune."],
    "image_alt": ["Le logo de la ville a été redessiné par un graphiste local."],
    "photo_credit": ["Le rapport 2024/2025 de la Cour des comptes sera publié en juin."],
    "video_caption": ["Vidéosurveillance : la ville installe quinze nouvelles caméras",
                      "Vidéo à l'appui, l'avocat a démonté la version des policiers."],
    "read_also": ["Voir aussi la carte interactive publiée par la préfecture."],
    "aggregator_chrome": ["Les fonctionnalités IA du nouveau téléphone déçoivent les premiers testeurs."],
    "syndication": ["Retrouvez également l'interview complète du maire dans notre édition de samedi."],
    "no_words": ["3 000 manifestants selon la préfecture"],
}


def test_every_rule_has_positive_and_negative_cases():
    for rule in ALL_RULES:
        if rule.name not in CONTEXTUAL:
            assert rule.samples, f"{rule.name}: no samples"
        assert rule.seen, f"{rule.name}: where was it seen?"
        assert rule.name in NEGATIVES or rule.name in CONTEXTUAL, f"{rule.name}: no negative case"


def test_noise_samples_are_public_per_rule():
    assert NOISE_SAMPLES["related_block"][0] == "Articles connexes"
    assert set(NOISE_SAMPLES) <= set(RULES)


@pytest.mark.parametrize(("name", "text"), [(r.name, s) for r in ALL_RULES for s in r.samples]
                         + [(name, s) for name, lines in POSITIVES.items() for s in lines])
def test_rule_matches(name, text):
    assert RULES[name].matches(Line.of(text))


@pytest.mark.parametrize(("name", "text"), [(name, s) for name, lines in NEGATIVES.items() for s in lines])
def test_rule_does_not_match_a_sentence_with_its_words(name, text):
    assert not RULES[name].matches(Line.of(text))


BODY = [
    ("Le conseil municipal de Montauban a voté jeudi soir la rénovation de la halle aux grains, un chantier "
     "estimé à 4,2 millions d'euros qui doit débuter à l'automne."),
    ("Les commerçants du marché couvert seront relogés pendant dix-huit mois sur l'esplanade des Fontaines, "
     "a précisé l'adjointe chargée du commerce."),
]


@pytest.mark.parametrize("sentence", sorted({s for lines in NEGATIVES.values() for s in lines}))
def test_a_paragraph_with_noise_words_survives_every_step(sentence):
    item = ArticleItem(url="https://exemple.fr/a", source="generic", title="La halle aux grains rénovée",
                       text="\n".join([BODY[0], sentence, BODY[1]]))
    removed = clean_item(item)
    assert item.text.split("\n") == [BODY[0], sentence, BODY[1]], removed
    assert not item.paywalled


def ctx_of(lines, index, title="", lead=""):
    parsed = [Line.of(x) for x in lines]
    first_prose = next((i for i, line in enumerate(parsed) if line.prose), len(parsed))
    return parsed[index], Context(lines=parsed, index=index, title=Line.of(title).fold, lead=Line.of(lead).fold,
                                  first=0, first_prose=first_prose)


def test_title_repeat_needs_the_title():
    line, ctx = ctx_of(["La halle aux grains rénovée", BODY[0]], 0, title="La halle aux grains rénovée")
    assert RULES["title_repeat"].matches(line, ctx)
    line, ctx = ctx_of(["La halle aux grains rénovée cet été", BODY[0]], 0, title="La halle aux grains rénovée")
    assert not RULES["title_repeat"].matches(line, ctx)


def test_lead_repeat_needs_the_lead():
    line, ctx = ctx_of([BODY[0], BODY[1]], 0, lead=BODY[0])
    assert RULES["lead_repeat"].matches(line, ctx)
    line, ctx = ctx_of([BODY[1], BODY[0]], 0, lead=BODY[0])
    assert not RULES["lead_repeat"].matches(line, ctx)


@pytest.mark.parametrize(("lines", "index"), [
    # alt text of the cover photo opening the record: a participle, no conjugated verb
    (["Deux ouvriers démontant la charpente de la halle, sous la pluie, mardi matin.", BODY[0]], 0),
    # a caption with its credit glued at the end
    (["La halle aux grains, photographiée en 1910. LP/Jeanne Exemple", BODY[0]], 0),
    # a short caption over a credit line
    (["Le maire de Montauban", "Léa Petit/SIPA", BODY[0]], 0),
])
def test_photo_caption(lines, index):
    assert RULES["photo_caption"].matches(*ctx_of(lines, index))


@pytest.mark.parametrize(("lines", "index"), [
    (["Des habitants évacuant leurs maisons ont été relogés dans un gymnase du quartier.", BODY[0]], 0),
    ([BODY[0], "Deux ouvriers démontant la charpente de la halle, sous la pluie, mardi matin.", BODY[1]], 1),
    (["Un chantier sous surveillance", BODY[0]], 0),
])
def test_photo_caption_negative(lines, index):
    assert not RULES["photo_caption"].matches(*ctx_of(lines, index))


def test_bare_source_name_only_next_to_a_time_line():
    line, ctx = ctx_of(["Exemple Actu", "3 hours ago", "Un titre de carte"], 0)
    assert RULES["source_time"].matches(line, ctx)
    line, ctx = ctx_of(["Marseille", "Lyon", BODY[0]], 0)
    assert not RULES["source_time"].matches(line, ctx)


def test_bare_date_is_metadata_in_the_head_only():
    line, ctx = ctx_of(["13-07-2025", BODY[0], BODY[1]], 0)
    assert RULES["metadata_date"].matches(line, ctx)
    line, ctx = ctx_of([BODY[0], "13-07-2025", BODY[1]], 1)
    assert not RULES["metadata_date"].matches(line, ctx)
    assert RULES["source_time"].matches(line, ctx)  # mid-text it is a card's date


def test_byline_after_its_label():
    line, ctx = ctx_of(["Article rédigé par", "J. Exemple -", "franceinfo", BODY[0]], 1)
    assert RULES["metadata_author"].matches(line, ctx)
    line, ctx = ctx_of([BODY[0], "J. Exemple -", BODY[1]], 1)
    assert not RULES["metadata_author"].matches(line, ctx)


@pytest.mark.parametrize(("line", "names"), [
    ("Auteur : Jeanne Exemple – Consulter sa biographie, ses projets et son travail.", ["Jeanne Exemple"]),
    ("Par Paul Martin et Léa Durand", ["Paul Martin", "Léa Durand"]),
    ("Par D.D.", ["D.D."]),
    ("Par Claire Fontaine, envoyée spéciale à Lyon", ["Claire Fontaine"]),
    ("Par ailleurs, la préfecture a interdit la manifestation.", []),
    ("Auteur : la rédaction a vérifié ce texte.", []),
])
def test_author_names(line, names):
    assert author_names(line) == names


@pytest.mark.parametrize(("line", "expected"), [
    ("Le Figaro7 days ago", True), ("time8 hours ago", True), ("Le Parisien13-07-2025", True),
    ("le 30/04/2024 à 15:40", True), ("Le Figaro a révélé l'affaire il y a 7 jours.", False),
    ("Le 12 mars 2024, le tribunal a tranché.", False),
])
def test_time_lines(line, expected):
    assert is_time_line(Line.of(line)) is expected
