"""What is read from Redis is not trusted: a shared request is rebuilt from plain fields, each
checked (the meta keys of SHARED_META, the spider's own callbacks)."""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

TOKEN_META = "newscrawl_redis_token"
"""Request meta key: the id of the request in its worker's in-flight hash."""

# ------------------------------------------------------------------------------ rebuilding a shared request
# What is read from Redis was written by anyone who can reach it: a request is rebuilt from plain
# fields, each checked, never through ``request_from_dict`` (which loads ``_class`` by path and
# resolves any spider attribute as a callback). A meta key outside SHARED_META is dropped (a
# proxy, a download timeout, robots.txt or status-code switches, browser page methods...).

MAX_URL_LENGTH = 8192
SHARED_METHODS = frozenset({"GET", "HEAD"})
SHARED_HEADERS = frozenset({"Referer"})


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not true/false")
    return value


def _count(limit: int) -> Any:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise ValueError(f"not a whole number in 0..{limit}")
        return value

    return check


def _short_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        raise ValueError("not a string (at most 8192 characters)")
    return value


def _url_list(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 100:
        raise ValueError("not a list of at most 100 URLs")
    return [_short_text(v) for v in value]


def _reasons(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > 100 or not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in value):
        raise ValueError("not a list of redirect reasons")
    return value


def _render_spec(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"wait_for"}:
        raise ValueError("not {'wait_for': selector | null}")
    wait_for = value.get("wait_for")
    if wait_for is not None and (not isinstance(wait_for, str) or len(wait_for) > 500):
        raise ValueError("wait_for is not a CSS selector")
    return {"wait_for": wait_for}


#: Meta keys a shared request or a seed may carry, each with its check (ValueError when bad).
SHARED_META: dict[str, Any] = {
    "newscrawl_article": _flag, "newscrawl_live": _flag, "newscrawl_explicit": _flag, "newscrawl_discovery": _flag,
    "newscrawl_start": _flag, "newscrawl_skip_seen": _flag, "newscrawl_canonical": _short_text,
    "newscrawl_discovered": _flag,  # found by discovery: counted in NEWSCRAWL_MAX_ARTICLES_PER_RUN (newscrawl.budget)
    "newscrawl_gate": _count(2**62), "newscrawl_render": _render_spec,
    "retry_times": _count(1000), "redirect_times": _count(1000), "redirect_ttl": _count(1000),
    "redirect_urls": _url_list, "redirect_reasons": _reasons, "depth": _count(10_000),
    "download_maxsize": _count(2**62),  # bounded again by the worker's own limits (shared_request)
}
#: Keys Scrapy or newscrawl set on a request during one download (per process): dropped silently.
TRANSIENT_META = frozenset({
    "download_slot", "download_latency", "download_timeout", "_scheme_proxy", "_auth_proxy", "_dont_cache",
    "cache_timestamp", "newscrawl_bytes", "newscrawl_not_before", "newscrawl_render_context", TOKEN_META,
    "playwright", "playwright_page_methods", "playwright_context", "playwright_include_page",
})


class BadSharedRequest(ValueError):
    """A request or seed read from Redis that is not rebuilt (its reason is the message)."""


def clean_meta(meta: Any, *, max_size: int | None = None) -> tuple[dict[str, Any], list[str]]:
    """The meta of a shared request or seed, keys of SHARED_META only, values checked; returns
    (meta kept, keys dropped). ``max_size`` caps ``download_maxsize``. Raises BadSharedRequest
    when ``meta`` is not an object or a kept key has a bad value."""
    if meta is None:
        return {}, []
    if not isinstance(meta, dict):
        raise BadSharedRequest("'meta' is not an object")
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in meta.items():
        check = SHARED_META.get(key) if isinstance(key, str) else None
        if check is None:
            if key not in TRANSIENT_META:
                dropped.append(str(key)[:80])
            continue
        try:
            kept[key] = check(value)
        except ValueError as exc:
            raise BadSharedRequest(f"meta {key!r}: {exc}") from None
    if max_size is not None and "download_maxsize" in kept:
        kept["download_maxsize"] = min(kept["download_maxsize"], max_size) or max_size
    return kept, dropped


def shared_callback(spider: Any, name: Any) -> Any:
    """The bound spider method a shared request names: ``parse``, ``parse_*`` and ``on_error``,
    or a name the spider lists in ``shared_callbacks``; nothing else (no ``close``, no
    ``__init__``, no attribute that is not a method of the spider)."""
    if name is None:
        return None
    allowed = {"on_error", *getattr(spider, "shared_callbacks", ())}
    if (not isinstance(name, str) or not name.isidentifier() or name.startswith("_")
            or not (name == "parse" or name.startswith("parse_") or name in allowed)):
        raise BadSharedRequest(f"{str(name)[:80]!r} is not a callback of the spider")
    method = getattr(spider, name, None)
    if not inspect.ismethod(method) or method.__self__ is not spider:
        raise BadSharedRequest(f"{name!r} is not a method of the spider")
    return method


def _cb_kwargs(callback: Any, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadSharedRequest("'cb_kwargs' is not an object")
    if not value:
        return {}
    if callback is None:
        raise BadSharedRequest("'cb_kwargs' without a callback")
    params = list(inspect.signature(callback).parameters.values())[1:]  # after the response
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    kwargs: dict[str, Any] = {}
    for key, arg in value.items():
        if key not in names:
            raise BadSharedRequest(f"cb_kwargs {str(key)[:80]!r} is not an argument of {callback.__name__}")
        if key == "depth":
            try:
                arg = _count(100)(arg)
            except ValueError as exc:
                raise BadSharedRequest(f"cb_kwargs 'depth': {exc}") from None
        elif key == "hints":
            if not isinstance(arg, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                    for k, v in arg.items()):
                raise BadSharedRequest("cb_kwargs 'hints' is not an object of strings")
        elif not (arg is None or isinstance(arg, bool | int | float | str)):
            raise BadSharedRequest(f"cb_kwargs {key!r} is not a plain value")
        kwargs[key] = arg
    return kwargs


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise BadSharedRequest("no 'url' (a string of at most 8192 characters)")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise BadSharedRequest(f"unreadable URL {url[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadSharedRequest(f"not an absolute http(s) URL: {url[:200]!r}")
    return url


def shared_request(spider: Any, data: Any, *, max_size: int | None = None) -> tuple[Request, list[str]]:
    """A request rebuilt from what the shared queue holds (``Request.to_dict()`` as JSON): url,
    method (GET/HEAD), a Referer header, priority, dont_filter, meta keys of SHARED_META,
    the spider's own callback/errback names and their arguments; ``_class``, cookies, other
    headers, a body and flags are never taken. Returns (request, meta keys dropped); raises
    BadSharedRequest (a ValueError) for an entry that cannot be trusted."""
    if not isinstance(data, dict):
        raise BadSharedRequest("not a JSON object")
    url = _check_url(data.get("url"))
    method = data.get("method", "GET")
    if not isinstance(method, str) or method.upper() not in SHARED_METHODS:
        raise BadSharedRequest(f"method {str(method)[:20]!r} is not shared (GET or HEAD only)")
    if data.get("body") not in (None, b"", ""):
        raise BadSharedRequest("a request body is not shared")
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or abs(priority) > 1_000_000:
        raise BadSharedRequest("'priority' is not a whole number in -1e6..1e6")
    dont_filter = data.get("dont_filter", False)
    if not isinstance(dont_filter, bool):
        raise BadSharedRequest("'dont_filter' is not true/false")
    callback = shared_callback(spider, data.get("callback"))
    errback = shared_callback(spider, data.get("errback"))
    cb_kwargs = _cb_kwargs(callback, data.get("cb_kwargs"))
    meta, dropped = clean_meta(data.get("meta"), max_size=max_size)
    headers: dict[str, Any] = {}
    raw_headers = data.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise BadSharedRequest("'headers' is not an object")
    for name, values in raw_headers.items():
        name_s = name.decode("latin-1") if isinstance(name, bytes) else name
        if not isinstance(name_s, str) or name_s.title() not in SHARED_HEADERS:
            continue
        value = values[0] if isinstance(values, list) and values else values
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and len(value) <= MAX_URL_LENGTH and "\n" not in value and "\r" not in value:
            headers[name_s.title()] = value
    request = Request(url, method=method.upper(), headers=headers, priority=priority, dont_filter=dont_filter,
                      callback=callback, errback=errback, cb_kwargs=cb_kwargs, meta=meta)
    return request, dropped


def worker_max_size(settings: BaseSettings) -> int:
    """The largest ``download_maxsize`` a shared request may ask: what this worker's own
    discovery requests use (2 x NEWSCRAWL_MAX_SITEMAP_BYTES) or DOWNLOAD_MAXSIZE."""
    return max(settings.getint("DOWNLOAD_MAXSIZE", 8 * 1024 * 1024),
               2 * settings.getint("NEWSCRAWL_MAX_SITEMAP_BYTES", 50 * 1024 * 1024))


_WARNED_META: set[str] = set()


def meta_dropped(spider: Any, keys: list[str], what: str) -> None:
    """Count (newscrawl/distributed/meta_dropped) and log once per key the meta keys of a shared
    request or seed that are not shared."""
    stats = getattr(getattr(spider, "crawler", None), "stats", None)
    if stats is not None:
        stats.inc_value("newscrawl/distributed/meta_dropped", len(keys))
    new = [k for k in keys if k not in _WARNED_META]
    if new:
        _WARNED_META.update(new)
        logger.warning("Dropped meta key(s) %(keys)s of a %(what)s read from Redis: not keys newscrawl shares "
                       "(newscrawl.distributed.SHARED_META)", {"keys": ", ".join(map(repr, new)), "what": what})
