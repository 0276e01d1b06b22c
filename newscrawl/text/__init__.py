"""Pure text and markup helpers: no Scrapy engine, no network, no clock."""
