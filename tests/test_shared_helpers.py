"""Helpers every parser and writer shares (issue 15): JSON-LD keywords and breadcrumb, the atomic
JSON write, the trafilatura call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


def test_atomic_write_keeps_the_old_file_on_a_full_disk(tmp_path, monkeypatch) -> None:
    import errno
    import os

    from newscrawl import atomic

    path = tmp_path / "run.json"
    atomic.write_json_atomic(path, {"status": "running"})
    assert path.read_text(encoding="utf-8") == '{\n "status": "running"\n}\n'

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space"):
        atomic.write_text_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == '{\n "status": "running"\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_atomic_write_creates_the_folder_of_a_manifest(tmp_path) -> None:
    from newscrawl.atomic import write_json_atomic

    write_json_atomic(tmp_path / "runs" / "a.json", {"n": 1})
    assert (tmp_path / "runs" / "a.json").is_file()


def test_files_are_replaced_in_one_place() -> None:
    root = Path(__file__).resolve().parent.parent
    rename = re.compile(r"os\.replace\(|os\.rename\(|\btmp\.replace\(")
    found = sorted(str(p.relative_to(root)) for d in ("newscrawl", "pipelines", "spiders", "scripts")
                   for p in (root / d).rglob("*.py") if rename.search(p.read_text(encoding="utf-8")))
    assert found == ["newscrawl/atomic.py"]


PAGE = ("<html><body><article><h1>Un titre</h1>"
        + "".join(f"<p>Le conseil municipal a voté la rénovation de la halle numéro {n}, "
                  "un chantier de huit mois financé par la commune et la région.</p>" for n in range(6))
        + "<ul><li>premier point</li><li>second point</li></ul></article></body></html>")


def test_trafilatura_text_is_the_same_on_every_call() -> None:
    from newscrawl.text.fulltext import trafilatura_lines, trafilatura_text

    texts = [trafilatura_text(PAGE, "https://exemple.fr/a") for _ in range(5)]
    assert "halle numéro 3" in texts[0]
    assert len(set(texts)) == 1  # no cross-page dedup: the 4th similar page keeps its text
    lines = trafilatura_lines(PAGE, "https://exemple.fr/a")
    assert "premier point" in lines  # list items lose trafilatura's "- "


def test_trafilatura_is_called_in_one_place() -> None:
    """The benchmarks call trafilatura with its defaults on purpose: the peer they measure against."""
    root = Path(__file__).resolve().parent.parent
    calls = sorted(str(p.relative_to(root)) for d in ("newscrawl", "pipelines", "spiders", "scripts")
                   for p in (root / d).rglob("*.py") if "trafilatura.extract(" in p.read_text(encoding="utf-8"))
    assert calls == ["newscrawl/text/fulltext.py"]
