"""The article record: the same object in the JSONL, in ``extract``'s output and in the tests'
expected files. Field names are a contract with users' scripts: extend, never rename."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

COVERAGE_FIELDS = ("title", "lead", "text", "authors", "published", "modified", "section", "image")
"""The fields whose absence the run counts (newscrawl/field/<field>/missing, newscrawl/jsonl/missing/<field>)
and the monitor judges (newscrawl.monitor)."""


class FieldSpec(NamedTuple):
    name: str
    type: str
    """string | int64 | bool | list[string] | timestamp (ISO 8601 with offset in the JSON; in
    Arrow, pandas and datasets a timezone-aware UTC timestamp to the second)."""
    nullable: bool


RECORD_SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec("id", "string", False),
    FieldSpec("url", "string", False),
    FieldSpec("canonical_url", "string", False),
    FieldSpec("source", "string", False),
    FieldSpec("publisher", "string", True),
    FieldSpec("via", "string", True),
    FieldSpec("original_url", "string", True),
    FieldSpec("title", "string", True),
    FieldSpec("lead", "string", True),
    FieldSpec("text", "string", False),
    FieldSpec("authors", "list[string]", False),
    FieldSpec("published", "timestamp", True),
    FieldSpec("modified", "timestamp", True),
    FieldSpec("section", "string", True),
    FieldSpec("tags", "list[string]", False),
    FieldSpec("language", "string", True),
    FieldSpec("image", "string", True),
    FieldSpec("paywalled", "bool", False),
    FieldSpec("word_count", "int64", False),
    FieldSpec("crawled_at", "timestamp", True),
    FieldSpec("parser", "string", False),
)
"""The record's schema, in record order: what a reader of the JSONL may rely on (a
nullable field may be null; a list is never null). newscrawl.dataset turns it into a pyarrow
schema and the dataset card of an output folder."""

RECORD_FIELDS = tuple(spec.name for spec in RECORD_SCHEMA)
"""The record's fields, in the order the JSONL writes them (``ArticleItem.to_record``)."""


@dataclass(kw_only=True)
class ArticleItem:
    id: str = ""
    """16 hex chars, stable: a hash of ``canonical_url``."""
    url: str
    """The URL fetched (after redirects)."""
    canonical_url: str = ""
    """rel=canonical / og:url, normalised (https, host aliases, no tracking, no fragment)."""
    source: str
    """Site key of the site the page was fetched from: franceinfo, lefigaro, leparisien, daily8, generic."""
    publisher: str | None = None
    """Display name of the original publisher ("Le Figaro" for a Daily8 copy of a Figaro article)."""
    via: str | None = None
    """Aggregator key ("daily8") when the page is a republication, else null."""
    original_url: str | None = None
    """For aggregator copies: the original article's URL when the page links it, else null."""
    title: str | None = None
    lead: str | None = None
    """The standfirst / chapo, null when the page has none."""
    text: str = ""
    """Body paragraphs (and subheadings) joined by "\\n", without title or lead."""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    """ISO 8601 with UTC offset, to the second."""
    modified: str | None = None
    """ISO 8601 with UTC offset, to the second; null when the page gives none."""
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    """BCP 47 primary tag, e.g. "fr"."""
    image: str | None = None
    """Absolute URL of the lead image."""
    paywalled: bool = False
    """True when the page shows only part of the article (subscriber teaser)."""
    word_count: int = 0
    """Words in ``text``."""
    crawled_at: str | None = None
    """When the page was fetched, ISO 8601 UTC."""
    parser: str = ""
    """Parser name and version, e.g. "lefigaro/1"."""

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: data[k] for k in RECORD_FIELDS}
