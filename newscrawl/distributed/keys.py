"""Redis keys of one spider's distributed crawl, and the connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DEFAULT_PREFIX = "newscrawl"


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one spider's distributed crawl."""

    base: str
    """``<prefix>:<spider>``"""

    @classmethod
    def of(cls, prefix: str, spider: str) -> Keys:
        prefix = (prefix or DEFAULT_PREFIX).rstrip(":")
        if "%" in prefix or "%" in spider:
            raise ValueError(f"'%' is not allowed in a Redis key prefix or spider name: {prefix!r}, {spider!r}")
        return cls(f"{prefix}:{spider}")

    @property
    def requests(self) -> str:
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def seeds(self) -> str:
        return f"{self.base}:start_urls"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def worker_prefix(self) -> str:
        return f"{self.base}:worker:"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.base}:inflight:"

    def worker(self, wid: str) -> str:
        return self.worker_prefix + wid

    def inflight(self, wid: str) -> str:
        return self.inflight_prefix + wid


def keys_for(settings: BaseSettings | dict[str, Any], spider: str) -> Keys:
    return Keys.of(str(settings.get("NEWSCRAWL_REDIS_KEY_PREFIX") or DEFAULT_PREFIX), spider)


def connect(url: str) -> Any:
    """A redis client for ``url``; raises ``ConnectionError`` with a readable message when the
    server does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ConnectionError(f"Cannot reach Redis at {url} (NEWSCRAWL_REDIS_URL): {exc}") from exc
    return client


def text(value: bytes | str | None) -> str | None:
    """A Redis reply as text (redis-py returns bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value
