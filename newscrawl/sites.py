"""``python -m newscrawl sites``: every site of the registry, named sites and catalog entries,
with its domains, parser, entry points and whether each entry point is confirmed."""

from __future__ import annotations

from typing import Any

from newscrawl.publishers import PUBLISHERS, Publisher


def site_entry(pub: Publisher) -> dict[str, Any]:
    if pub.catalog:
        points = [{"url": e.url, "kind": e.kind, "confirmed": e.confirmed, "seen": e.seen} for e in pub.entry_points]
    else:  # the named sites: no catalog flag (docs/spiders.md describes their entry points)
        points = [{"url": u, "kind": "start", "confirmed": None, "seen": "named site (docs/spiders.md)"}
                  for u in pub.start_urls]
        points += [{"url": u, "kind": "archive", "confirmed": None, "seen": "named site: backfill (--since/--until)"}
                   for u in pub.archive_urls]
    return {
        "key": pub.key,
        "name": pub.name,
        "kind": "catalog" if pub.catalog else ("generic" if not pub.domains else "named"),
        "group": pub.group or None,
        "language": pub.language,
        "country": pub.country,
        "domains": list(pub.domains),
        "parser": pub.parser_kind,
        "parser_class": pub.parser,
        "entry_points": points,
        "article_paths": list(pub.article_paths),
        "paywall_css": list(pub.paywall_css),
        "noise_css": list(pub.noise_css),
        "seen": pub.seen or None,
    }


def sites_listing(catalog_only: bool = False) -> dict[str, Any]:
    sites = [site_entry(p) for p in PUBLISHERS.values() if p.catalog or not catalog_only]
    # (named sites' entry points carry confirmed=None: the flag is the catalog's)
    points = [e for s in sites if s["kind"] == "catalog" for e in s["entry_points"]]
    return {
        "sites": sites,
        "catalog_entries": sum(s["kind"] == "catalog" for s in sites),
        "catalog_entry_points": len(points),
        "catalog_confirmed": sum(e["confirmed"] for e in points),
    }


def render_sites(listing: dict[str, Any]) -> str:
    lines = []
    for site in listing["sites"]:
        where = f"{site['group']}, {site['country']}" if site["group"] else site["kind"]
        domains = ", ".join(site["domains"]) or "(any: -a start_urls=URL)"
        name = site["name"] or "(any news site)"  # generic: no name of its own (the page says it)
        lines.append(f"{site['key']:<22} {name} [{where}] parser: {site['parser']}; domains: {domains}")
        for e in site["entry_points"]:
            mark = {True: "confirmed  ", False: "UNCONFIRMED", None: "named site "}[e["confirmed"]]
            lines.append(f"    {mark} {e['kind']:<13} {e['url']}")
    lines.append(f"{listing['catalog_entries']} catalog entries, {listing['catalog_entry_points']} entry points, "
                 f"{listing['catalog_confirmed']} confirmed in a public source (see newscrawl/catalog.py)")
    return "\n".join(lines)
