"""Parser fixtures: ``tests/fixtures/pages/<key>/<name>.html`` (raw bytes as served) plus
``<name>.json``: ``{"url", "fetched_at", "headers", "expected": {record fields},
"must_not_contain": [strings]}``. ``extract_fixture`` runs exactly what ``extract`` runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl import road
from newscrawl.items import ArticleItem


@dataclass
class Fixture:
    key: str
    name: str
    html_path: Path
    url: str
    fetched_at: str
    headers: dict[str, str] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    must_not_contain: list[str] = field(default_factory=list)
    clean_rules: dict[str, int] = field(default_factory=dict)
    """Lines each cleaning rule must remove from the page (checked by tests/test_e2e_sites.py)."""

    @property
    def encoding(self) -> str | None:
        ctype = self.headers.get("Content-Type", "")
        return ctype.split("charset=")[1].strip() if "charset=" in ctype else None


def load_fixtures(root: Path) -> list[Fixture]:
    out = []
    for meta_path in sorted(root.glob("*/*.json")):
        html_path = meta_path.with_suffix(".html")
        if not html_path.exists():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        out.append(Fixture(key=meta_path.parent.name, name=meta_path.stem, html_path=html_path, **meta))
    return out


def extract_article(url: str, body: bytes, fetched_at: str, *, source: str | None = None,
                    encoding: str | None = None) -> ArticleItem:
    """The page's whole road (``newscrawl.road.run``: checks, parse, cleaning, finalize), as
    ``python -m newscrawl extract`` and the crawl run it; a field's error raises. A page the
    checks drop before any parse (binary, empty) raises ValueError."""
    outcome = road.run(url, body, fetched_at, source=source, encoding=encoding, strict=True)
    if outcome.item is None:
        raise ValueError(f"{url}: {outcome.reason} ({outcome.detail})")
    return outcome.item


def extract_fixture(fx: Fixture) -> ArticleItem:
    return extract_article(fx.url, fx.html_path.read_bytes(), fx.fetched_at, source=fx.key, encoding=fx.encoding)
