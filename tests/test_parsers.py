"""Parser fixtures, driven by the registry: one test per (fixture, field), so one broken selector
is one red test."""

from __future__ import annotations

import pytest

from newscrawl.fixtures import extract_fixture, load_fixtures
from newscrawl.items import RECORD_FIELDS
from newscrawl.publishers import PUBLISHERS, SITE_KEYS
from tests.conftest import FIXTURES

CASES = load_fixtures(FIXTURES / "pages")
_cache: dict[str, dict] = {}


def record_of(fx):
    if fx.name not in _cache:
        _cache[fx.name] = extract_fixture(fx).to_record()
    return _cache[fx.name]


FIELD_CASES = [
    pytest.param(fx, name, id=f"{fx.key}/{fx.name}/{name}")
    for fx in CASES
    for name in sorted(fx.expected)
]


@pytest.mark.parametrize(("fx", "name"), FIELD_CASES)
def test_field(fx, name):
    assert record_of(fx)[name] == fx.expected[name]


@pytest.mark.parametrize("fx", CASES, ids=lambda fx: f"{fx.key}/{fx.name}")
def test_expected_is_a_whole_record(fx):
    assert set(fx.expected) == set(RECORD_FIELDS) - {"crawled_at"}, "expected must name every record field"


@pytest.mark.parametrize("fx", CASES, ids=lambda fx: f"{fx.key}/{fx.name}")
def test_no_noise_left(fx):
    record = record_of(fx)
    blob = "\n".join(str(record[k]) for k in ("title", "lead", "text"))
    for needle in fx.must_not_contain:
        assert needle not in blob


@pytest.mark.parametrize("key", [*SITE_KEYS, "generic"])
def test_every_publisher_has_four_fixtures(key):
    assert key in PUBLISHERS
    assert len([fx for fx in CASES if fx.key == key]) >= 4, f"{key}: at least four fixture pages"
