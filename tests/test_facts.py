"""One home per fact: hosts, outlet names, coverage fields and setting defaults are declared once
and read from there (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

from scrapy.settings import Settings

from newscrawl import defaults, monitor
from newscrawl import settings as project_settings
from newscrawl.clean import rules
from newscrawl.items import COVERAGE_FIELDS, RECORD_FIELDS
from newscrawl.publishers import PUBLISHERS, SITE_KEYS, publisher_for_url
from newscrawl.text import metadata, urls

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for d in ("newscrawl", "pipelines", "spiders") for p in (ROOT / d).rglob("*.py")]


def test_host_aliases_come_from_the_registry() -> None:
    assert not hasattr(urls, "HOST_ALIASES"), "the aliases live in the registry only"
    aliases = urls.host_aliases()
    assert aliases["amp.lefigaro.fr"] == "www.lefigaro.fr"
    assert aliases["francetvinfo.fr"] == "www.franceinfo.fr"
    for alias, host in aliases.items():
        owner = publisher_for_url(f"https://{alias}/x")
        assert owner is not None, alias
        assert owner.domains[0] == host, alias


def test_a_registry_alias_folds_canonical_urls() -> None:
    assert urls.canonical_url("http://amp.leparisien.fr/paris/un-titre-01-02-2024-ABC.php?utm_source=x") == (
        "https://www.leparisien.fr/paris/un-titre-01-02-2024-ABC.php"
    )
    assert urls.canonical_url("https://francetvinfo.fr/a/b_123456.html") == "https://www.franceinfo.fr/a/b_123456.html"


def test_every_named_site_name_is_an_outlet() -> None:
    for key in SITE_KEYS:
        for name in (PUBLISHERS[key].name, *PUBLISHERS[key].name_aliases):
            assert rules._is_outlet(name), name
            assert rules._is_outlet(f"{name} avec AFP"), name


def test_outlets_do_not_restate_the_registry() -> None:
    others = set(rules.OTHER_OUTLETS.split("|"))
    for key in SITE_KEYS:
        for name in (PUBLISHERS[key].name, *PUBLISHERS[key].name_aliases):
            assert rules.fold(name) not in others, name
    assert rules.OUTLETS in metadata._OUTLETS


def test_coverage_fields_have_one_home() -> None:
    assert monitor.COVERAGE_FIELDS is COVERAGE_FIELDS
    assert set(COVERAGE_FIELDS) <= set(RECORD_FIELDS)
    declared = [p for p in SOURCES if re.search(r"^COVERAGE_FIELDS\s*=", p.read_text(), re.MULTILINE)]
    assert declared == [ROOT / "newscrawl" / "items.py"]


def test_the_state_folder_default_is_read_from_settings() -> None:
    assert defaults.state_folder(Settings()) == Path(project_settings.NEWSCRAWL_STATE_DIR)
    assert defaults.state_folder(Settings({"NEWSCRAWL_STATE_DIR": "/tmp/x"})) == Path("/tmp/x")
    restated = [p.relative_to(ROOT) for p in SOURCES
                if p.name != "settings.py" and re.search(r"""["']\.newscrawl["']""", p.read_text())]
    assert restated == []


def test_the_monitor_reads_only_stats_something_emits() -> None:
    emitting = "\n".join(p.read_text() for p in SOURCES if p.name != "monitor.py")
    for name in (*monitor.SEEN_STATS_PREFIXES, *monitor.SPIDER_DROP_PREFIXES, *monitor.DISCOVERED_STATS):
        assert name.removeprefix("newscrawl/") in emitting, f"{name}: no module emits it"


def test_no_setting_default_is_restated_differently() -> None:
    """A fallback written beside a setting read (``getint("NEWSCRAWL_X", 4)``) is the default
    newscrawl/settings.py declares; the modules of this change read it through newscrawl.defaults."""
    read = re.compile(r"""get(?:int|float|bool)?\(\s*"(NEWSCRAWL_[A-Z_]+)",\s*([0-9_.*\s]+|True|False|"[^"]*")\s*\)""")
    wrong = []
    for path in SOURCES:
        for m in read.finditer(path.read_text()):
            declared = getattr(project_settings, m.group(1), "<not declared>")
            if eval(m.group(2)) != declared:  # literals of our own source
                wrong.append(f"{path.relative_to(ROOT)}: {m.group(0)} (settings.py: {declared!r})")
    assert wrong == []
    assert defaults.get_int(Settings(), "NEWSCRAWL_RENDER_MAX_PAGES") == project_settings.NEWSCRAWL_RENDER_MAX_PAGES
    assert defaults.get_int(Settings({"NEWSCRAWL_RENDER_MAX_PAGES": "7"}), "NEWSCRAWL_RENDER_MAX_PAGES") == 7
    assert defaults.get_value(Settings({"NEWSCRAWL_STOP_GRACE": 0}), "NEWSCRAWL_STOP_GRACE") == 0


def test_the_record_fields_are_the_item_fields() -> None:
    from dataclasses import fields

    from newscrawl.items import ArticleItem

    assert {f.name for f in fields(ArticleItem)} == set(RECORD_FIELDS)
    assert list(ArticleItem(url="u", source="s").to_record()) == list(RECORD_FIELDS)
