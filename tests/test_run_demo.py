"""The README's first command: scripts/demo.sh replays the bundled sample WARC offline."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from newscrawl.publishers import SITE_KEYS
from newscrawl.warc import WarcIndex
from tests.cronsite import ROOT

SAMPLE = ROOT / "samples" / "sample.warc.gz"


def test_sample_archive_holds_every_start_url_of_the_registry():
    from newscrawl.publishers import PUBLISHERS

    index = WarcIndex.build([SAMPLE])
    assert not index.damaged
    for key in SITE_KEYS:
        for url in PUBLISHERS[key].start_urls:
            assert url in index, f"{url} ({key}) is not in {SAMPLE.name}: run scripts/make_sample_warc.py"


@pytest.mark.e2e
def test_demo_script_replays_the_sample_through_every_spider(tmp_path):
    demo = tmp_path / "demo"
    env = {**os.environ, "NEWSCRAWL_DEMO_DIR": str(demo), "NEWSCRAWL_DEMO_NO_INSTALL": "1",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}  # any network use would fail
    result = subprocess.run(["bash", str(ROOT / "scripts" / "demo.sh")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = demo / "output"
    for key in SITE_KEYS:
        files = list((out / key).glob("*.jsonl"))
        assert files, f"no records for {key}"
        for line in files[0].read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert record["source"] == key
            assert record["title"]
            assert record["text"]
        assert f"{files[0]}  (" in result.stdout  # where the records are
    [manifest] = (out / "runs").glob("*.json")
    report = json.loads(manifest.read_text())
    assert report["exit_code"] == 0
    assert report["replay"] == "samples/sample.warc.gz"
    assert all(entry["counts"]["errors"] == {} for entry in report["sites_report"].values())
    # The dedup at work: Daily8's copy of a Figaro article, and one wire story on two sites.
    assert sum(entry["counts"]["duplicates"] for entry in report["sites_report"].values()) == 2
    assert report["sites_report"]["daily8"]["counts"]["duplicates"] == 1
    dups = [json.loads(line) for line in (demo / "state" / "duplicates.jsonl").read_text().splitlines()]
    by_site = {d["url"].split("/")[2]: d for d in dups}
    assert set(by_site) in ({"www.daily8.com", "www.leparisien.fr"}, {"www.daily8.com", "www.franceinfo.fr"})
    assert by_site["www.daily8.com"]["reason"] == "url"  # it links its original
    assert all(d["reason"] == "near" for host, d in by_site.items() if host != "www.daily8.com")
    assert "== copies caught by the dedup (not records; logged in" in result.stdout
    assert all(f"   {d['url']}\n      copy of record {d['duplicate_of']} ({d['reason']}" in result.stdout for d in dups)
    log = (demo / "crawl.log").read_text(encoding="utf-8")
    assert "Not in the archive" not in log  # every request (robots.txt included) came from the sample
