"""Indicators met by a professional's nomination of "equivalent concern"."""

from __future__ import annotations

from ..facts import Facts
from .base import indicator_rule, indicator_step, lookback_words, nominations


@indicator_rule()
def nominated_by_professionals(facts: Facts, indicator, pi, items):
    """A nomination naming the indicator. Seed 002 Appendix One: 1.6 "A child nominated by
    education professionals as having school attendance problems of equivalent concern to the
    indicators above"; 2.6 "Adults and children nominated by professionals because their
    potential crime problem or offending behaviour is of equivalent concern to the indicators
    above"; 6.6 "A child nominated by professionals as having problems of equivalent concern to
    the indicators above" """
    rows = nominations(indicator, items, pi.identified_on)
    by = ", ".join(e.values.get("profession") or e.recorded_by for e in rows)
    return indicator_step(
        nominated_by_professionals,
        indicator,
        f"a professional's nomination under {indicator.id} {lookback_words(indicator)}",
        rows,
        bool(rows),
        f"nominated by {by}" if rows else "no nomination recorded",
    )
