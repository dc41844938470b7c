"""Names of the rating levels and reason codes for the console (the kiosk's own labels, translated)."""

from __future__ import annotations


def score_label(score: int) -> str:
    from liangbiping.kiosk.intake import SCORES

    return str(SCORES.get(score, score))


def reason_label(code: str) -> str:
    """The reason's name; a code the kiosk does not know (older data, imports) is shown as it is."""
    from liangbiping.kiosk.intake import REASONS

    label = REASONS.get(code)
    return str(label) if label is not None else str(code)
