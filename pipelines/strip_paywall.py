"""StripPaywallPipeline: the subscriber teaser ending the text goes, ``paywalled`` is set."""

from __future__ import annotations

from newscrawl.clean.pipeline import CleaningStepPipeline


class StripPaywallPipeline(CleaningStepPipeline):
    """Runs the road's ``paywall`` step (``newscrawl.clean.strip_paywall``): removes the subscriber teaser at the end of the
    article ("Il vous reste 72% à découvrir", "S'abonner pour lire la suite"...) and a leading
    "Réservé aux abonnés" kicker, and sets ``paywalled``; teasers inside related cards are left to
    the related step.

    Settings read: NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO. Stats written:
    ``newscrawl/clean/removed/{paywall_teaser,subscribe_cta,paywall_kicker}``,
    ``newscrawl/clean/paywall/flagged`` (items this step marked paywalled),
    ``newscrawl/clean/guard/kept_original``.
    """

    step = "paywall"
