"""Helpers every parser and writer shares (issue 15): JSON-LD keywords and breadcrumb, the atomic
JSON write, the trafilatura call."""

from __future__ import annotations

from newscrawl.text.markup import ld_breadcrumb_first, ld_keywords


def test_ld_keywords_reads_a_string_or_a_list() -> None:
    assert ld_keywords("Politique,  Lyon ,,Municipales") == ["Politique", "Lyon", "Municipales"]
    assert ld_keywords(["Élections, municipales", 3, None, " Lyon "]) == ["Élections, municipales", "Lyon"]
    assert ld_keywords(None) == []
    assert ld_keywords({"name": "x"}) == []


def _crumbs(*items: dict) -> list[dict]:
    return [{"@type": "NewsArticle"}, {"@type": "BreadcrumbList", "itemListElement": list(items)}]


def test_breadcrumb_first_item_in_both_shapes() -> None:
    # franceinfo: the ListItem has the name, its item is the URL
    assert ld_breadcrumb_first(_crumbs(
        {"@type": "ListItem", "position": 2, "name": "Grève", "item": "https://x.fr/societe/greve/"},
        {"@type": "ListItem", "position": 1, "name": "Société", "item": "https://x.fr/societe/"},
    )) == "Société"
    # Le Parisien: the item object has the name
    assert ld_breadcrumb_first(_crumbs(
        {"@type": "ListItem", "position": 1, "item": {"@id": "https://x.fr/economie/", "name": " Economie "}},
    )) == "Economie"


def test_breadcrumb_positions_as_strings_and_the_home_page() -> None:
    assert ld_breadcrumb_first(_crumbs(
        {"position": "2", "name": "Monde"},
        {"position": "1", "item": {"name": "Accueil"}},
        {"position": "x", "name": ""},
    )) == "Monde"
    assert ld_breadcrumb_first([{"@type": "BreadcrumbList", "itemListElement": "bad"}]) is None
    assert ld_breadcrumb_first([{"@type": "NewsArticle"}]) is None
