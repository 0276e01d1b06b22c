"""newscrawl.discovery: feeds, news sitemaps and sitemap indexes read from bytes, bounded."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newscrawl.discovery import NotAFeed, parse_date, read_document, sniff

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://www.lefigaro.fr/actualite-france/un-pont-suspendu-rouvert-apres-deux-ans-de-travaux-20250611</loc>
    <image:image><image:loc>https://i.example/1.jpg</image:loc><image:title>Le pont vu du ciel</image:title></image:image>
    <news:news>
      <news:publication><news:name>Le Figaro</news:name><news:language>fr</news:language></news:publication>
      <news:publication_date>2025-06-11T09:12:00+02:00</news:publication_date>
      <news:title>Un pont suspendu rouvert après deux ans de travaux &amp; d'attente</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://www.lefigaro.fr/economie/les-boulangers-face-a-la-hausse-du-prix-du-beurre-20250610</loc>
    <lastmod>2025-06-10T18:00:00Z</lastmod>
  </url>
</urlset>
""".encode()

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>franceinfo - Les Titres</title><link>https://www.franceinfo.fr/</link>
<item>
  <title>Grêle dans le Lot-et-Garonne : les vergers touchés</title>
  <link>https://www.franceinfo.fr/meteo/grele/grele-dans-le-lot-et-garonne-les-vergers-touches_7380011.html#xtor=RSS-3-[lestitres]</link>
  <pubDate>Wed, 11 Jun 2025 07:30:00 +0200</pubDate>
</item>
<item><title>Sans lien</title><guid isPermaLink="true">https://www.franceinfo.fr/sport/un-guid-comme-lien_7380012.html</guid></item>
<item><title>Rien à suivre</title></item>
</channel></rss>
""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<entry><title>Un billet</title><link rel="self" href="https://blog.example/feed/1"/>
<link rel="alternate" href="https://blog.example/2025/06/un-billet-de-blog-invente"/>
<published>2025-06-09T10:00:00Z</published><updated>2025-06-10T10:00:00Z</updated></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://vieux.example/"><title>Vieux flux</title></channel>
<item rdf:about="https://vieux.example/article-un"><title>Article un</title><dc:date>2025-06-01T08:00:00+02:00</dc:date></item>
</rdf:RDF>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2025-06-10.xml</loc><lastmod>2025-06-10</lastmod></sitemap>
<sitemap><loc>https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2025-06-11.xml</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_keeps_publication_date_and_title():
    doc = read_document(NEWS_SITEMAP)
    assert doc.kind == "urlset"
    assert not doc.truncated
    assert not doc.broken
    first, second = doc.entries
    assert first.title == "Un pont suspendu rouvert après deux ans de travaux & d'attente"  # not image:title
    assert first.published == datetime(2025, 6, 11, 9, 12, tzinfo=timezone(timedelta(hours=2)))
    assert second.title is None
    assert second.published == datetime(2025, 6, 10, 18, 0, tzinfo=UTC)  # lastmod as the fallback


def test_rss_items_links_guids_and_rfc822_dates():
    doc = read_document(RSS)
    assert doc.kind == "feed"
    assert [e.url for e in doc.entries] == [
        ("https://www.franceinfo.fr/meteo/grele/grele-dans-le-lot-et-garonne-les-vergers-touches_7380011.html"
        "#xtor=RSS-3-[lestitres]"),  # the fragment is the spider's to strip
        "https://www.franceinfo.fr/sport/un-guid-comme-lien_7380012.html",
    ]
    assert doc.entries[0].published == datetime(2025, 6, 11, 5, 30, tzinfo=UTC)
    assert doc.entries[0].title == "Grêle dans le Lot-et-Garonne : les vergers touchés"


def test_atom_takes_the_alternate_link_and_the_published_date():
    (entry,) = read_document(ATOM).entries
    assert entry.url == "https://blog.example/2025/06/un-billet-de-blog-invente"
    assert entry.published == datetime(2025, 6, 9, 10, 0, tzinfo=UTC)


def test_rss_1_0_items():
    (entry,) = read_document(RDF).entries
    assert entry.url == "https://vieux.example/article-un"
    assert entry.published is not None


def test_sitemap_index():
    doc = read_document(INDEX)
    assert doc.kind == "sitemapindex"
    assert [e.url.rsplit("/", 1)[1] for e in doc.entries] == ["2025-06-10.xml", "2025-06-11.xml"]


def test_gzipped_sitemap_is_read():
    assert read_document(gzip.compress(NEWS_SITEMAP)).entries == read_document(NEWS_SITEMAP).entries


def test_entry_limit_truncates():
    doc = read_document(NEWS_SITEMAP, max_entries=1)
    assert len(doc.entries) == 1
    assert doc.truncated == "entries"


def test_a_huge_index_stops_at_the_limit():
    body = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + b"".join(b"<sitemap><loc>https://s.example/%d.xml</loc></sitemap>" % i for i in range(200_000))
            + b"</sitemapindex>")
    doc = read_document(body, max_entries=25)
    assert [e.url for e in doc.entries] == [f"https://s.example/{i}.xml" for i in range(25)]
    assert doc.truncated == "entries"


def test_gzip_bomb_is_read_up_to_the_byte_limit():
    bomb = gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * (64 << 20), 1)
    assert len(bomb) < 1 << 20
    doc = read_document(bomb, max_bytes=2 << 20)
    assert doc.truncated == "bytes"
    assert doc.entries == []


def test_gzip_of_zeros_is_not_a_feed():
    with pytest.raises(NotAFeed) as err:
        read_document(gzip.compress(b"\0" * (4 << 20)))
    assert err.value.code == "binary"


def test_corrupt_gzip_is_not_a_feed():
    with pytest.raises(NotAFeed) as err:
        read_document(b"\x1f\x8b" + b"not gzip at all")
    assert err.value.code == "corrupt_gzip"


def test_cut_document_keeps_the_entries_read():
    doc = read_document(RSS[: RSS.index(b"<item><title>Sans lien")] + b"<item><title>Coup")
    assert doc.broken
    assert "ends before" in doc.broken
    assert len(doc.entries) == 1


@pytest.mark.parametrize(("body", "code"), [
    (b"", "empty"),
    (b"   \n ", "empty"),
    (b'{"items": []}', "json"),
    (b"Service temporairement indisponible", "not_xml"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
    (b'<?xml version="1.0"?><catalogue><livre/></catalogue>', "bad_root"),
    (b"\x1f\x8b\x08\x00garbage", "corrupt_gzip"),
])
def test_not_a_feed(body, code):
    with pytest.raises(NotAFeed) as err:
        read_document(body)
    assert err.value.code == code
    assert str(err.value)


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body><a href='/x'>x</a></body></html>",
    b"<html lang='fr'><head><title>Erreur</title></head><body>Oups</body></html>",
])
def test_html_is_reported_as_html(body):
    doc = read_document(body)
    assert doc.kind == "html"
    assert doc.entries == []


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e SYSTEM "file://{secret}">]>'
            '<rss><channel><item><title>&e;</title><link>https://x.example/a</link></item></channel></rss>').encode()
    (entry,) = read_document(body).entries
    assert "MOT-DE-PASSE" not in (entry.title or "")


@pytest.mark.parametrize(("raw", "want"), [
    ("2025-06-11T09:12:00+02:00", datetime(2025, 6, 11, 7, 12, tzinfo=UTC)),
    ("2025-06-11T07:12:00Z", datetime(2025, 6, 11, 7, 12, tzinfo=UTC)),
    ("Wed, 11 Jun 2025 09:12:00 +0200", datetime(2025, 6, 11, 7, 12, tzinfo=UTC)),
    ("Wed, 11 Jun 2025 07:12:00 GMT", datetime(2025, 6, 11, 7, 12, tzinfo=UTC)),
    ("pas une date", None),
    ("", None),
    (None, None),
])
def test_parse_date(raw, want):
    assert parse_date(raw) == want


@pytest.mark.parametrize(("head", "kind"), [
    (b'<?xml version="1.0"?><urlset>', "urlset"),
    (b"\xef\xbb\xbf<?xml version='1.0'?>\n<sitemapindex>", "sitemapindex"),
    (b"<rss version='2.0'>", "feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    (b"<!doctype html><html><body><p>une page qui parle de <rss></p>", "html"),
    (b'<?xml version="1.0"?><!-- a long comment -->', None),
])
def test_sniff(head, kind):
    assert sniff(head) == kind
