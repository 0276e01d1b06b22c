"""StripLineNoisePipeline: single lines of page chrome; metadata lines become metadata."""

from __future__ import annotations

from newscrawl.clean.pipeline import CleaningStepPipeline


class StripLineNoisePipeline(CleaningStepPipeline):
    """Runs the road's ``noise`` step (``newscrawl.clean.strip_line_noise``): removes ads labels, share/app/newsletter/consent
    prompts, navigation, image alt text, captions and credits, source/time card lines, the title
    repeated; "Publié le ..." / "Auteur : ..." lines fill ``published``/``authors`` when missing.

    Settings read: NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO. Stats written:
    ``newscrawl/clean/removed/<rule>`` (one per line rule of ``newscrawl.clean.rules.LINE_RULES``,
    plus ``orphan_heading``), ``newscrawl/clean/guard/kept_original``.
    """

    step = "noise"
