"""``source`` forces a parser (issue 13): ``parse_page(..., source="generic")`` and
``python -m newscrawl extract --source generic`` give the generic parser even on a site's URL; an
unknown source is refused (UnknownSource; the command exits 3, as ``crawl`` does on bad
configuration)."""

from __future__ import annotations

import json

import pytest

from newscrawl.__main__ import main
from newscrawl.parsers import UnknownSource, parse_page, parser_for
from newscrawl.parsers.generic import GenericParser
from newscrawl.parsers.lefigaro import LeFigaroParser
from tests.conftest import FIXTURES

PAGE = FIXTURES / "pages" / "lefigaro" / "2024-05-14_greve-controleurs-aeriens-nantes.html"
URL = json.loads(PAGE.with_suffix(".json").read_text(encoding="utf-8"))["url"]


def test_generic_source_forces_the_generic_parser_on_a_site_url():
    assert parser_for(URL) is LeFigaroParser
    assert parser_for(URL, "generic") is GenericParser
    item, parser = parse_page(URL, PAGE.read_bytes(), source="generic")
    assert isinstance(parser, GenericParser)
    assert item.source == "generic"
    assert item.parser.startswith("generic/")


def test_a_site_source_still_forces_that_site():
    assert parser_for("https://exemple.fr/un-article", "lefigaro") is LeFigaroParser
    assert parser_for("https://exemple.fr/un-article") is GenericParser


def test_unknown_source_is_refused():
    with pytest.raises(UnknownSource, match=r"unknown source 'foo' \(known: .*generic.*lefigaro"):
        parse_page(URL, PAGE.read_bytes(), source="foo")


def test_extract_source_generic(capsys):
    assert main(["extract", "--source", "generic", "--url", URL, "--fetched-at", "2024-05-15T08:00:00Z",
                 str(PAGE)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["source"] == "generic"
    assert record["parser"].startswith("generic/")
    assert record["text"]


def test_extract_unknown_source_exits_3_with_a_clear_error(capsys):
    assert main(["extract", "--source", "foo", "--url", URL, str(PAGE)]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert "--source" in err
    assert "unknown source 'foo'" in err
    assert "generic" in err
