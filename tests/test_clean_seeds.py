"""The project's seeds/ (the user's examples of noisy records) cleaned against expected outputs
written by hand in tests/fixtures/seeds_clean/: the article only, title on the first line."""

from __future__ import annotations

import pytest

from newscrawl.clean import clean_record
from tests.conftest import FIXTURES, ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
EXPECTED = FIXTURES / "seeds_clean"


def test_every_seed_has_an_expected_output():
    assert len(SEEDS) == 5
    assert sorted(p.name for p in EXPECTED.glob("*.txt")) == [p.name for p in SEEDS]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_cleaned(seed):
    result = clean_record(seed.read_text(encoding="utf-8"), name=str(seed))
    assert result.text == (EXPECTED / seed.name).read_text(encoding="utf-8")
    assert result.guarded == []
    assert not result.paywalled  # the subscriber teasers of the seeds are inside related cards


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_cleaning_a_clean_record_changes_nothing(seed):
    cleaned = (EXPECTED / seed.name).read_text(encoding="utf-8")
    result = clean_record(cleaned, name=str(seed))
    assert result.text == cleaned
    assert not result.removed


def test_seed_metadata_written_as_text():
    result = clean_record((ROOT / "seeds" / "004_56b0e7b491b1ad03.txt").read_text(encoding="utf-8"))
    assert result.published == "2025-08-13T10:39:00+02:00"
    assert result.authors == ["Cédric Balcon-Hermand"]
    assert result.removed["footer_block"] == 8


def test_daily8_seed_counts_per_rule():
    result = clean_record((ROOT / "seeds" / "003_87bb45c7018e8566.txt").read_text(encoding="utf-8"))
    assert result.removed == {"image_alt": 2, "title_repeat": 1, "source_time": 1, "ad_label": 1,
                              "aggregator_chrome": 2, "comments_block": 2, "related_block": 15, "app_block": 4}
    assert result.published is None  # "7 days ago" has no fetch time to resolve against
