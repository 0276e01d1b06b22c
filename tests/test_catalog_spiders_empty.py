"""spiders/catalog.py makes one spider per catalog entry: an empty catalog makes none, and the
module (which Scrapy's spider loader imports for every command) still imports."""

from __future__ import annotations

import importlib.util

import newscrawl.publishers
import spiders.catalog


def test_an_empty_catalog_makes_no_spider_and_imports(monkeypatch):
    monkeypatch.setattr(newscrawl.publishers, "CATALOG_KEYS", ())
    spec = importlib.util.spec_from_file_location("catalog_without_entries", spiders.catalog.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a fresh module: NameError here before the fix
    assert not [n for n in vars(module) if n.startswith("Catalog") and n.endswith("Spider")]
