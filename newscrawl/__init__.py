"""newscrawl: a Scrapy crawler that turns French news sites into clean article corpora."""

__version__ = "0.1.0"
