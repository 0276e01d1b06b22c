"""``python -m newscrawl sites`` names every row: the generic spider, which has no display name
of its own, is listed as "(any news site)" rather than with a blank."""

from __future__ import annotations

from newscrawl.sites import render_sites, sites_listing


def test_generic_row_has_a_name():
    lines = render_sites(sites_listing()).splitlines()
    generic = next(line for line in lines if line.startswith("generic "))
    assert generic.split()[1:4] == ["(any", "news", "site)"]
