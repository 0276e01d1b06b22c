"""Scrapy settings of newscrawl. Every NEWSCRAWL_* setting has its default and a comment here;
override any of them with ``-s NAME=VALUE`` or in a spider's ``custom_settings``."""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- politeness -----------------------------------------------------------------------------
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"  # who to contact about the bot
USER_AGENT = f"newscrawl/{__version__} (+{NEWSCRAWL_CONTACT_URL}; French news corpus research)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # seconds between requests to one domain, at least (AutoThrottle never goes lower)
RANDOMIZE_DOWNLOAD_DELAY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DEFAULT_REQUEST_HEADERS = {
    # Browser-like Accept headers: some publishers answer 403 to a bare client.
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.6",
}
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page over 8 MB is not an article: dropped with a stat
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
HTTPCACHE_ENABLED = False

# Scrapy housekeeping: no telnet, no remote control server, UTF-8 feeds, small item concurrency
# (each page yields one item; the default 100 costs ~0.8 ms per page in asyncio tasks).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
CONCURRENT_ITEMS = 4
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# --- newscrawl --------------------------------------------------------------------------------
NEWSCRAWL_RECORDS_DIR = "records"  # folder of NNN_<id>.txt text records; "" disables them
NEWSCRAWL_STATE_DIR = ".newscrawl"  # dedup state (SQLite), duplicates log, lock
NEWSCRAWL_STATS_FILE = ""  # write the crawl stats as JSON to this path at close ("" = off)
NEWSCRAWL_INCLUDE_LIVE = False  # fetch live pages (they are re-fetched at each run when on)
NEWSCRAWL_MAX_AGE = ""  # e.g. "2d", "12h": feed/sitemap entries older than this are skipped ("" = all)
NEWSCRAWL_MAX_SITEMAP_URLS = 50_000  # URLs read from one sitemap or feed at most
NEWSCRAWL_MAX_SITEMAP_DEPTH = 3  # sitemap index nesting followed at most
NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO = 0.7  # a cleaning step removing more than this share keeps the original

SPIDER_MIDDLEWARES: dict[str, int] = {}
DOWNLOADER_MIDDLEWARES: dict[str, int] = {}
EXTENSIONS = {
    "newscrawl.extensions.StatsFileExtension": 500,
}
ITEM_PIPELINES = {
    "pipelines.strip_paywall.StripPaywallPipeline": 200,
    "pipelines.strip_related.StripRelatedPipeline": 300,
    "pipelines.strip_noise.StripLineNoisePipeline": 400,
    "pipelines.finalize.FinalizePipeline": 500,
    "pipelines.text_records.TextRecordsPipeline": 800,
}
