"""StripRelatedPipeline: blocks that are not the article (related, comments, tags, footers)."""

from __future__ import annotations

from newscrawl.clean.pipeline import CleaningStepPipeline


class StripRelatedPipeline(CleaningStepPipeline):
    """Runs the road's ``related`` step (``newscrawl.clean.strip_related``): cuts the block that closes the page from its heading
    ("Articles connexes", "À regarder", "Commentaires", "Hashtags", "L'article est apparu en premier
    ici"...) to the end, and boxes of teaser titles in the middle of the text.

    Settings read: NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO. Stats written:
    ``newscrawl/clean/removed/<kind>_block`` (related, comments, tags, read_also, app, newsletter,
    footer), ``newscrawl/clean/guard/kept_original``.
    """

    step = "related"
