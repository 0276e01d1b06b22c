"""Seeds: URLs pushed to ``<prefix>:<spider>:start_urls`` become the spider's own requests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request

from newscrawl.distributed.trust import clean_meta, meta_dropped, worker_max_size

if TYPE_CHECKING:
    from scrapy import Spider

    from newscrawl.distributed.keys import Keys


def parse_seed(raw: bytes | str) -> dict[str, Any]:
    """A seed from the ``start_urls`` list: JSON ``{"url": ..., "meta": {...}, "dont_filter": false}``
    or a bare URL. Raises ValueError when it is neither or the URL is not absolute http(s)."""
    text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg})") from None
    else:
        data = {"url": text}
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise ValueError("no 'url'")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("'meta' is not an object")
    return {"url": url.strip(), "meta": meta, "dont_filter": bool(data.get("dont_filter", False))}


def seed_request(spider: Spider, seed: dict[str, Any]) -> Request | None:
    """The request a seed stands for, made the way the spider makes its start requests: an
    article page or a discovery document (feed, sitemap, listing) for newscrawl spiders, a
    plain request to ``parse`` for others. ``dont_filter`` is False unless the seed says so."""
    url = seed["url"]
    request: Request | None
    if all(hasattr(spider, name) for name in ("publisher_of", "article_request", "discovery_request")):
        verdict = spider.publisher_of(url).classify(url)  # type: ignore[attr-defined]
        if verdict in ("article", "live"):
            request = spider.article_request(url, live=verdict == "live", explicit=True)  # type: ignore[attr-defined]
        else:
            request = spider.discovery_request(url)  # type: ignore[attr-defined]
    else:
        request = Request(url)
    if request is None:
        return None
    if seed.get("meta"):
        settings = getattr(getattr(spider, "crawler", None), "settings", None)
        meta, dropped = clean_meta(seed["meta"], max_size=worker_max_size(settings) if settings is not None else None)
        if dropped:
            meta_dropped(spider, dropped, "seed")
        request.meta.update(meta)
    return request.replace(dont_filter=bool(seed.get("dont_filter")))


def push_seeds(server: Any, keys: Keys, urls: Iterable[str],
               meta: dict[str, Any] | None = None) -> tuple[int, list[str]]:
    """Append seeds (JSON) to the spider's start list; returns (pushed, rejected URLs)."""
    good, bad = [], []
    for url in urls:
        url = url.strip()
        if not url or url.startswith("#"):
            continue
        try:
            parse_seed(json.dumps({"url": url}))
        except ValueError:
            bad.append(url)
            continue
        good.append(json.dumps({"url": url, **({"meta": meta} if meta else {})}, ensure_ascii=False))
    if good:
        server.rpush(keys.seeds, *good)
    return len(good), bad
