"""The Scrapy add-on that turns distributed mode on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class DistributedAddon:
    """Scrapy add-on (ADDONS in newscrawl/settings.py): distributed mode when
    NEWSCRAWL_REDIS_URL is set, for any spider and whatever starts it. It sets SCHEDULER at
    add-on priority, so a SCHEDULER given in the project settings or with -s wins."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("NEWSCRAWL_REDIS_URL"):
            return
        settings.set("SCHEDULER", "newscrawl.distributed.RedisScheduler", priority="addon")
