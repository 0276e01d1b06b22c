"""The one call to trafilatura: a page's main text when no selector or container gives it.

trafilatura is imported lazily (only pages that need it pay for the import), with a fresh
deduplication cache per page: ``deduplicate=True`` would share trafilatura's process-wide cache,
and from the 4th parse of a similar page it would return no text at all.
"""

from __future__ import annotations

from newscrawl.text.container import CELL_SEPARATOR
from newscrawl.text.normalize import clean_text


def trafilatura_text(html: str, url: str | None, *, recall: bool = False, tables: bool = True) -> str:
    """trafilatura's text of ``html`` ("" when it finds none): ``favor_precision`` by default,
    ``favor_recall`` with ``recall``; tables with ``tables``; no comments, images nor links;
    deterministic (no cross-page dedup)."""
    import trafilatura
    from trafilatura.deduplication import LRUCache

    text = trafilatura.extract(
        html, url=url, favor_precision=not recall, favor_recall=recall, include_comments=False, include_tables=tables,
        include_images=False, include_links=False, deduplicate=LRUCache(maxsize=1024), fast=True,
    )
    return text or ""


def trafilatura_lines(html: str, url: str | None, *, recall: bool = False) -> list[str]:
    """trafilatura's text of ``html``, one line per block, tables included: list items lose their
    "- ", a table row is one line of its cells joined by :data:`CELL_SEPARATOR` (rules dropped)."""
    lines = []
    for raw in trafilatura_text(html, url, recall=recall).split("\n"):
        line = clean_text(raw)
        if line.startswith("- "):  # trafilatura writes list items "- item"
            line = line[2:].strip()
        if line.startswith("|") and line.endswith("|"):  # a table row "| a | b |", or "|---|---|"
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if all(not cell.strip("-: ") for cell in cells):
                continue
            line = CELL_SEPARATOR.join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return lines
