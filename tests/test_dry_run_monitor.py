"""``crawl --dry-run`` judges discovery with its own checks (newscrawl.run.dry_run_checks): the
spiders' end-of-crawl monitor, which counts records a dry run never makes, must not log
"Monitor check failed: ... 0 article(s) found" beside a summary that says ok and exit 0."""

from __future__ import annotations

import pytest

from newscrawl.localsite import LocalSite
from tests.cronsite import run_crawl, site_pages


@pytest.mark.e2e
def test_a_good_dry_run_logs_no_failed_monitor_check(tmp_path):
    with LocalSite(site_pages(3)) as site:
        result = run_crawl(site.base, tmp_path, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "3 article URL(s) would be fetched" in result.stdout
    assert "Monitor check failed" not in result.stderr
    assert "newscrawl/monitor/failed" not in result.stderr
