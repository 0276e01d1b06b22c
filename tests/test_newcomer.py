"""What a newcomer met (issue 15): commands that said "ok" when they were not, or returned
nothing without saying why. Each test fails on the code before the fix."""

from __future__ import annotations

import pytest

from newscrawl.__main__ import main
from tests.cronsite import run_crawl

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: connection refused at once


@pytest.fixture
def clean_env(monkeypatch):
    """make_plan sets SCRAPY_SETTINGS_MODULE: keep it out of the other tests."""
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)


# ------------------------------------------------------------------------------ settings
@pytest.mark.parametrize(("setting", "message"), [
    ("NEWSCRAWL_FOO=1", "unknown setting NEWSCRAWL_FOO (did you mean NEWSCRAWL_"),
    ("NEWSCRAWL_MAX_AGES=2d", "unknown setting NEWSCRAWL_MAX_AGES (did you mean NEWSCRAWL_MAX_AGE?)"),
    ("NEWSCRAWL_STATEDIR=/tmp/x", "did you mean NEWSCRAWL_STATE_DIR?"),
    ("NEWSCRAWL_MAX_AGE=xx", "bad NEWSCRAWL_MAX_AGE 'xx'"),
])  # fmt: skip
def test_crawl_refuses_an_unknown_or_bad_newscrawl_setting_by_its_name(setting, message, capsys, clean_env, tmp_path):
    code = main(["crawl", "franceinfo", "--output", str(tmp_path / "out"), "-s", setting,
                 "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}"])
    assert code == 3
    err = capsys.readouterr().err
    assert "configuration error" in err
    assert message in err
    assert "--max-age" not in err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "state").exists()


def test_known_and_other_settings_pass_the_name_check():
    from newscrawl.config_check import unknown_settings

    assert unknown_settings(["NEWSCRAWL_STATE_DIR", "DOWNLOAD_DELAY", "NEWSCRAWL_BENCH_TRACE_FILE"]) == []


# ------------------------------------------------------------------------------ dry run
@pytest.mark.e2e
def test_dry_run_reports_failed_discovery_like_a_real_run_and_writes_no_state(tmp_path):
    dry = run_crawl(UNREACHABLE, tmp_path, "--dry-run")
    assert dry.returncode == 1, dry.stdout + dry.stderr[-3000:]
    row = next(line for line in dry.stdout.splitlines() if line.startswith("franceinfo "))
    assert "FAIL" in row
    assert "error_rate" in row
    assert "FAILED: franceinfo:" in dry.stdout
    assert not (tmp_path / "state").exists()  # no dedup.sqlite
    assert not (tmp_path / "out").exists()

    real = run_crawl(UNREACHABLE, tmp_path)
    assert real.returncode == 1
    real_row = next(line for line in real.stdout.splitlines() if line.startswith("franceinfo "))
    assert real_row.split()[-2:] == row.split()[-2:]  # the same verdict


# ------------------------------------------------------------------------------ scrapy crawl
@pytest.mark.e2e
@pytest.mark.parametrize(("args", "message"), [
    (["crawl", "generic"], "No start URL for generic: pass -a start_urls=URL"),
    (["crawl", "franceinfo", "-a", f"start_urls={UNREACHABLE}/feed.xml", "-s", "NEWSCRAWL_FOO=1"],
     "Configuration error: unknown setting NEWSCRAWL_FOO (did you mean NEWSCRAWL_"),
    (["crawl", "franceinfo", "-a", f"start_urls={UNREACHABLE}/feed.xml", "-s", "NEWSCRAWL_MAX_AGE=xx"],
     "Configuration error: bad NEWSCRAWL_MAX_AGE: not a duration: 'xx'"),
])  # fmt: skip
def test_scrapy_crawl_that_cannot_do_its_job_exits_non_zero(args, message, tmp_path):
    from tests.conftest import run_scrapy

    result = run_scrapy([*args, "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}", "-s", "NEWSCRAWL_RECORDS_DIR="],
                        timeout=60)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Spider opened" not in result.stderr  # stopped before crawling anything


# ------------------------------------------------------------------------------ dedup CLI
@pytest.mark.parametrize("command", [["stats"], ["explain", "0123456789abcdef"], ["prune", "--older-than", "30d"]])
def test_dedup_cli_without_a_state_says_so_and_creates_none(command, tmp_path, capsys):
    from newscrawl.dedup.__main__ import main as dedup_main

    state = tmp_path / "state"
    assert dedup_main(["--state-dir", str(state), *command]) == 1
    assert f"no dedup state in {state / 'dedup.sqlite'}" in capsys.readouterr().err
    assert not state.exists()


# ------------------------------------------------------------------------------ extract, clean, help
@pytest.mark.parametrize(("html", "reason", "sentence"), [
    ("<ul><li><a href='/a'>Une rubrique</a></li></ul>", "no_title", "no headline was found"),
    ("<h1>Un titre sans texte</h1>", "no_body", "a headline but no article text was found"),
])  # fmt: skip
def test_extract_of_a_page_without_article_says_why_and_prints_no_record(html, reason, sentence, tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><meta charset='utf-8'></head><body>{html}</body></html>", encoding="utf-8")
    assert main(["extract", "--url", "https://example.org/rubrique", str(page)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no record
    assert f"{reason}: this page holds no article: {sentence}" in captured.err


def test_clean_refuses_to_overwrite_its_inputs_unless_in_place(tmp_path, capsys):
    from tests.conftest import ROOT

    folder = tmp_path / "records"
    folder.mkdir()
    seed = min((ROOT / "seeds").glob("*.txt"))
    original = seed.read_bytes()
    (folder / seed.name).write_bytes(original)
    assert main(["clean", str(folder), "-o", str(folder)]) == 2
    assert "refusing to overwrite the inputs" in capsys.readouterr().err
    assert (folder / seed.name).read_bytes() == original
    assert main(["clean", str(folder / seed.name), "-o", str(folder) + "/"]) == 2  # a file, the same folder
    assert (folder / seed.name).read_bytes() == original

    assert main(["clean", str(folder), "--in-place"]) == 0
    rewritten = (folder / seed.name).read_bytes()
    assert rewritten != original
    assert len(rewritten) < len(original)
    assert main(["clean", str(folder)]) == 2  # neither -o nor --in-place
    assert "name an output folder" in capsys.readouterr().err


def test_crawl_help_is_plain_text_and_lists_the_sites(capsys):
    from newscrawl.publishers import PUBLISHERS

    with pytest.raises(SystemExit):
        main(["crawl", "--help"])
    out = capsys.readouterr().out
    assert "``" not in out
    assert "**" not in out
    assert all(key in out for key in PUBLISHERS)
    assert "run was interrupted" in out
    assert "\n  3  bad configuration" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "``" not in capsys.readouterr().out


# ------------------------------------------------------------------------------ replay
@pytest.mark.e2e
def test_replaying_an_archive_twice_re_extracts_it_and_says_how_many_records(tmp_path):
    """The README's command, run twice from a fresh folder: the second replay is not emptied by
    the state of the first, and each says how many records it wrote."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    sample = ROOT / "samples" / "sample.warc.gz"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    counts = []
    for run in (1, 2):
        out = tmp_path / f"replayed-{run}.jsonl"
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "lefigaro", "-s", f"NEWSCRAWL_REPLAY={sample}", "-O", str(out)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        n = len(out.read_text(encoding="utf-8").splitlines())
        assert f"Replay of {sample}: {n} record(s) written" in result.stderr
        counts.append(n)
    assert counts[0] > 0
    assert counts[1] == counts[0]
    assert not (tmp_path / ".newscrawl").exists()  # the live crawls' state was not touched


@pytest.mark.parametrize("make", [False, True])
def test_reference_check_says_when_there_is_nothing_to_check(make, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path / "reference"
    if make:
        folder.mkdir()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "reference_check.py"), str(folder)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert ("no folder" if not make else "nothing checked") in result.stderr
    assert str(folder) in result.stderr


def test_clean_in_place_with_another_output_folder_is_refused(tmp_path, capsys):
    from tests.conftest import ROOT

    folder, other = tmp_path / "records", tmp_path / "elsewhere"
    folder.mkdir()
    seed = min((ROOT / "seeds").glob("*.txt"))
    original = seed.read_bytes()
    (folder / seed.name).write_bytes(original)
    # --in-place says the inputs are rewritten: with -o naming another folder they would not be
    assert main(["clean", str(folder), "--in-place", "-o", str(other)]) == 2
    assert "--in-place" in capsys.readouterr().err
    assert not other.exists()
    assert (folder / seed.name).read_bytes() == original
    assert main(["clean", str(folder), "--in-place", "-o", str(folder)]) == 0  # the same place: allowed
    assert (folder / seed.name).read_bytes() != original
