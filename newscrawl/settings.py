"""Scrapy settings of newscrawl. Every NEWSCRAWL_* setting has its default and a comment here;
override any of them with ``-s NAME=VALUE`` or in a spider's ``custom_settings``."""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- politeness -----------------------------------------------------------------------------
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"  # who to contact about the bot
# {contact_url} is filled from NEWSCRAWL_CONTACT_URL by newscrawl.downloader.IdentifyingUserAgentMiddleware
USER_AGENT = f"newscrawl/{__version__} (+{{contact_url}}; French news corpus research)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "newscrawl"  # the token robots.txt rules are matched against
DOWNLOAD_DELAY = 1.0  # seconds between requests to one domain, at least (AutoThrottle never goes lower)
DOWNLOAD_DELAY_JITTER = 0.0  # no random jitter: Scrapy's default (±50%) would go below 1 s
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
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the spider's errback logs each failed URL (WARNING) with its reason
NEWSCRAWL_RETRY_AFTER_MAX = "120s"  # a 429/503 Retry-After longer than this gives up the URL at once
REDIRECT_MAX_TIMES = 10
HTTPCACHE_ENABLED = False
# Only http(s) is ever fetched (newscrawl/safety.py): Scrapy's file, s3 and ftp handlers are off. The data:
# handler stays for the dedup pipeline's own "data:," release request; safety.py refuses every other data: URL.
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None}
TWISTED_DNS_RESOLVER = "newscrawl.safety.SafeResolver"  # a name resolving to an internal address is not connected to
NEWSCRAWL_ALLOW_PRIVATE_HOSTS: list[str] = []  # hosts, IPs or CIDR networks fetched even when internal (start URL hosts always are)

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
NEWSCRAWL_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # bytes of one feed/sitemap read (inflated) at most
NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS = 2_000  # feeds/sitemaps/listings fetched per crawl at most
NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT = 1_000  # article requests from one feed/sitemap/listing at most, its newest (0 = no limit)
NEWSCRAWL_MAX_ARTICLES_PER_RUN = 10_000  # article requests from discovery per site and run at most, not counting those already collected (0 = no limit)
NEWSCRAWL_SITEMAPS_IN_FLIGHT = 1  # sitemaps of a sitemap index scheduled at a time, the next when the queue is short (0 = all at once)
NEWSCRAWL_FUTURE_DATE_TOLERANCE = "6h"  # a published/modified date later than fetch time + this is dropped
NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO = 0.7  # a cleaning step removing more than this share keeps the original

# --- cron runs: dated output, lock, WARC archive/replay, monitoring (docs/operations.md) ------
NEWSCRAWL_OUTPUT_DIR = ""  # dated JSONL output <dir>/<site>/<YYYY-MM-DD>.jsonl ("" = off; `crawl` sets it)
NEWSCRAWL_JSONL_FSYNC = True  # fsync each appended JSONL line (crash-safe; off only for benchmarks)
NEWSCRAWL_LOCK_FILE = ""  # run lock of `python -m newscrawl crawl` ("" = <NEWSCRAWL_STATE_DIR>/crawl.lock)
NEWSCRAWL_WRITER_LOCK = True  # `scrapy crawl` locks the state/output/records folders it writes to (False: no lock)
NEWSCRAWL_CRAWL_MAX_AGE = "2d"  # `crawl`'s default --max-age when NEWSCRAWL_MAX_AGE is unset ("0" = no limit)
NEWSCRAWL_RUN_PARALLEL = True  # `crawl` runs its sites at once in one process (False: one after another)
NEWSCRAWL_PROGRESS_INTERVAL = 60  # seconds between `crawl`'s progress lines, and a backfill's (0 = none)
NEWSCRAWL_BACKFILL_LASTMOD_SLACK = "7d"  # backfill: an entry dated by lastmod only is fetched up to this long after the window's end
NEWSCRAWL_RUN_TIMEOUT = ""  # `crawl` stops cleanly after this long ("2h", "90m"), writes what it has, exits 1 ("" or 0 = no limit)
NEWSCRAWL_STOP_GRACE = 2.0  # seconds downloads in flight get after a stop (SIGTERM, time limit) before they are aborted
NEWSCRAWL_WARC_DIR = ""  # write every HTTP exchange to gzip WARC files in this folder ("" = off)
NEWSCRAWL_WARC_MAX_SIZE = 100 * 1024 * 1024  # bytes per WARC file before a new one is started
NEWSCRAWL_REPLAY = ""  # a WARC file or folder: serve every request from it, no network (404 if absent); a fresh dedup state unless NEWSCRAWL_STATE_DIR is given
NEWSCRAWL_MONITOR_ENABLED = True  # run the health checks at the end of each crawl (log + exit code)
NEWSCRAWL_MONITOR_MIN_ARTICLES = 1  # a site yielding fewer articles (new + already seen) fails
NEWSCRAWL_MONITOR_MAX_MISSING = {"title": 0.2, "text": 0.2, "published": 0.2}  # field -> max share missing
NEWSCRAWL_MONITOR_MAX_ERROR_RATE = 0.25  # max share of failed feed/sitemap/article requests
NEWSCRAWL_MONITOR_MIN_SAMPLE = 10  # coverage is judged from this many parsed pages up
NEWSCRAWL_MONITOR_MAX_DEAD_ENTRY_POINTS = 0  # start feeds/sitemaps that may fail (error, not a feed) before the site fails
NEWSCRAWL_MONITOR_SITES: dict[str, dict[str, object]] = {}  # per-site overrides, e.g. {"daily8": {"max_missing": {"published": 0.5}}}

# --- dedup: URL skip before download, content dedup before writing (docs/dedup.md) ---------------
NEWSCRAWL_DEDUP_ENABLED = True  # False turns off the seen-URL middleware and both dedup pipelines
NEWSCRAWL_DEDUP_SKIP_SEEN = True  # skip article requests whose canonical URL was collected in an earlier run
NEWSCRAWL_DEDUP_REFETCH_AFTER = ""  # known article URLs last fetched longer ago than this ("7d") are fetched again ("" = never)
NEWSCRAWL_DEDUP_NEAR_THRESHOLD = 0.5  # estimated Jaccard (word 5-grams) from which two bodies are one article
NEWSCRAWL_DEDUP_CONTAINMENT_THRESHOLD = 0.7  # share of an excerpt's head found in a collected article: a copy
NEWSCRAWL_DEDUP_MIN_WORDS = 80  # bodies shorter than this are compared by exact hash only
NEWSCRAWL_DEDUP_MIN_EXACT_WORDS = 12  # bodies shorter than this are not compared by content at all
NEWSCRAWL_DEDUP_WINDOW = "30d"  # near-dup index of articles older than this is pruned (URLs, exact hashes stay; "" = keep all)
NEWSCRAWL_DEDUP_COMMIT_INTERVAL = 1.0  # seconds between commits of the dedup state (0 = each article); a crash re-fetches, never loses
NEWSCRAWL_DEDUP_CACHE_MB = 16  # SQLite page cache of the dedup state, MB (held once the state outgrows it)
NEWSCRAWL_DEDUP_MERGE_KEYS = 200_000  # new LSH keys held in memory (~100 bytes each) before a merge into the state file
NEWSCRAWL_DEDUP_DEFER_COPIES = True  # hold aggregator copies and teasers until the crawl is idle: originals win
NEWSCRAWL_REDIS_URL = ""  # redis://host:port/db: keep the dedup state in Redis (distributed workers) instead of SQLite
NEWSCRAWL_DEDUP_REDIS_PREFIX = "newscrawl:dedup"  # key prefix of the dedup state in Redis

# --- distributed mode on Redis, browser rendering (docs/scaling.md) ----------------------------
# NEWSCRAWL_REDIS_URL (above) also turns on distributed mode: newscrawl.distributed.DistributedAddon
# switches SCHEDULER to a shared frontier + request dupefilter on that Redis.
NEWSCRAWL_REDIS_KEY_PREFIX = "newscrawl"  # frontier keys: <prefix>:<spider>:{requests,dupefilter,start_urls,workers,...}
NEWSCRAWL_REDIS_IDLE_TIMEOUT = 30  # seconds the cluster must stay quiet (no queue, seed, busy worker) before a run ends
NEWSCRAWL_REDIS_KEEP_ALIVE = False  # True: workers stay up when a run ends and wait for new seeds (daemon mode)
NEWSCRAWL_REDIS_HEARTBEAT = 1.0  # seconds between a worker's heartbeats (idle workers poll the shared queue as often)
NEWSCRAWL_REDIS_WORKER_TIMEOUT = 60  # a worker silent this long is dead: its in-flight requests go back to the queue
NEWSCRAWL_REDIS_PREFETCH = 2  # requests a worker takes from the shared queue ahead of its downloads (more = less sharing)
NEWSCRAWL_RENDER = False  # load scrapy-playwright for this crawl (daily8 sets it in custom_settings); requests opt in
NEWSCRAWL_RENDER_EXECUTABLE = "/usr/bin/chromium"  # Debian's chromium (never `playwright install`); missing = no rendering
NEWSCRAWL_RENDER_NO_SANDBOX = False  # True runs chromium without its sandbox: needed as root (containers, CI); README "Security model"
NEWSCRAWL_RENDER_MAX_PAGES = 4  # pages rendered at once (4 was the sweet spot on 2 cores)
NEWSCRAWL_RENDER_TIMEOUT = 15  # seconds for a page to load, and at most to wait for its text to appear
NEWSCRAWL_RENDER_CONTEXT_PAGES = 100  # renders per browser context; it is then closed and a fresh one opened
ADDONS = {
    "newscrawl.config_check.SettingsCheckAddon": 0,  # an unknown NEWSCRAWL_* name stops the crawl (a typo)
    "newscrawl.replay.ReplayAddon": 10,  # a replay without -s NEWSCRAWL_STATE_DIR gets a fresh state of its own
    "newscrawl.distributed.DistributedAddon": 100,  # shared scheduler when NEWSCRAWL_REDIS_URL is set
    "newscrawl.render.RenderAddon": 110,  # scrapy-playwright + Debian chromium when NEWSCRAWL_RENDER is on
}

SPIDER_MIDDLEWARES: dict[str, int] = {
    "newscrawl.dedup.middleware.SkipSeenArticlesMiddleware": 550,  # no download of collected articles
    "newscrawl.safety.RefuseInternalLinksMiddleware": 900,  # no non-http(s) or internal link is scheduled
    "newscrawl.budget.ArticleBudgetMiddleware": 545,  # NEWSCRAWL_MAX_ARTICLES_PER_RUN, after the seen-URL skip
    "newscrawl.gate.SitemapGateMiddleware": 100,  # NEWSCRAWL_SITEMAPS_IN_FLIGHT: an index's sitemaps a few at a time
}
DOWNLOADER_MIDDLEWARES: dict[str, int] = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newscrawl.safety.RefuseInternalRequestsMiddleware": 50,  # http(s) only, no internal address (first of all)
    "newscrawl.safety.RefuseInternalPeersMiddleware": 990,  # no response from an internal peer (newscrawl/safety.py)
    "newscrawl.downloader.IdentifyingUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.downloader.PoliteRetryMiddleware": 550,
    "newscrawl.downloader.RedirectGuardMiddleware": 650,
    "newscrawl.truncation.TruncatedEncodingMiddleware": 595,  # a gzip/deflate body cut short is a truncated download
    "newscrawl.monitor.FetchOutcomeMiddleware": 540,  # final outcome of each request (error rate)
    "newscrawl.warc.WarcWriterMiddleware": 950,  # archive raw exchanges (NEWSCRAWL_WARC_DIR)
    "newscrawl.warc.WarcReplayMiddleware": 960,  # answer from WARC archives (NEWSCRAWL_REPLAY)
}
EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": None,  # replaced by ours: an item held back is no drop
    "newscrawl.extensions.CoreStats": 0,
    "newscrawl.lock.WriterLockExtension": 0,  # one writer per state/output/records folder, before anything opens them
    "newscrawl.extensions.StatsFileExtension": 500,
    "newscrawl.monitor.MonitorExtension": 510,
    "newscrawl.replay.ReplayReport": 520,  # a replay says how many records it wrote
    "newscrawl.backfill.BackfillProgressExtension": 521,  # progress + time left of a backfill (-a since/until)
}
ITEM_PIPELINES = {
    "pipelines.strip_paywall.StripPaywallPipeline": 200,
    "pipelines.strip_related.StripRelatedPipeline": 300,
    "pipelines.strip_noise.StripLineNoisePipeline": 400,
    "pipelines.finalize.FinalizePipeline": 500,
    "pipelines.dedup.DedupContentPipeline": 600,  # url | exact | near copies -> duplicates.jsonl
    "pipelines.text_records.TextRecordsPipeline": 800,
    "pipelines.write_jsonl.WriteJsonlPipeline": 850,
    "pipelines.dedup.MarkSeenPipeline": 900,  # after the writers: "seen" only once written
}
